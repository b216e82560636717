//! Throttling: the write and request limits, the spacing, and what is never throttled.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use sandbox::{Config, ThrottleConfig};
use serde_json::json;

use super::common::*;

/// `request` answered as throttled: 409, `Retry-After: 1` and an empty body.
fn too_soon(request: Request, what: &str) -> Exchange {
    request
        .expect(what, StatusCode::CONFLICT)
        .header("retry-after", "1")
        .text("")
}

#[tokio::test]
async fn throttling_is_on_by_default() {
    let t = Config::default().throttle;
    assert!(t.enabled);
    assert_eq!(
        (t.writes_per_minute, t.requests_per_minute, t.min_spacing),
        (60, 120, Duration::from_millis(100))
    );
    // Two requests back to back with the defaults: the second is too soon.
    let s = start(Config {
        throttle: ThrottleConfig::default(),
        ..config()
    })
    .await;
    run(
        &s,
        [
            get(MEMBER, GROUPS).expect("a first request", StatusCode::OK),
            too_soon(get(MEMBER, GROUPS), "a second request back to back"),
        ],
    )
    .await;
}

#[tokio::test]
async fn write_limit_answers_409_with_retry_after_and_empty_body() {
    let s = start(throttled(2, 100, 0)).await;
    let thread = new_thread("s");
    run(
        &s,
        [
            post(MEMBER, THREADS, thread.clone()).expect("a first write", StatusCode::OK),
            // A failed write counts too (the request reached the API).
            post(MEMBER, THREADS, json!({})).expect("a failed write", StatusCode::BAD_REQUEST),
            too_soon(post(MEMBER, THREADS, thread.clone()), "a third write"),
            too_soon(
                delete(MEMBER, format!("{THREADS}/5001")),
                "a delete is a write",
            ),
            // Reads are still allowed; other tokens are counted apart.
            get(MEMBER, THREADS).expect("a read", StatusCode::OK),
            post(ADMIN, THREADS, thread.clone()).expect("another token's write", StatusCode::OK),
            // Only one thread was created by the member: the refused one never ran.
            get(ADMIN, "/_sandbox/created")
                .expect("what was created", StatusCode::OK)
                .len("/threads", 2),
            // Reset clears the counters.
            request(Method::POST, "/_sandbox/reset").expect("a reset", StatusCode::OK),
            post(MEMBER, THREADS, thread).expect("a write after the reset", StatusCode::OK),
        ],
    )
    .await;
}

#[tokio::test]
async fn request_limit_and_spacing() {
    let s = start(throttled(100, 3, 0)).await;
    let mut rows: Vec<Exchange> = (1..=3)
        .map(|n| get(MEMBER, GROUPS).expect(format!("request {n} of 3 a minute"), StatusCode::OK))
        .collect();
    rows.push(too_soon(
        get(MEMBER, GROUPS),
        "a fourth request in the minute",
    ));
    run(&s, rows).await;

    // Spacing: a second request within the spacing is refused, one after it is admitted.
    let s = start(throttled(100, 100, 150)).await;
    let first = Instant::now();
    run(
        &s,
        [get(MEMBER, GROUPS).expect("a first request", StatusCode::OK)],
    )
    .await;
    check_when(
        &s,
        too_soon(get(MEMBER, GROUPS), "a request within the spacing"),
        || first.elapsed() < Duration::from_millis(150),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    run(
        &s,
        [get(MEMBER, GROUPS).expect("a request after the spacing", StatusCode::OK)],
    )
    .await;

    // Control endpoints and uploads are never throttled; unauthenticated requests get 401.
    let s = start(throttled(1, 1, 1000)).await;
    let rows = (1..=5).flat_map(|n| {
        [
            request(Method::GET, "/_sandbox/health")
                .expect(format!("health check {n}"), StatusCode::OK),
            request(Method::POST, "/uploads")
                .bearer(MEMBER)
                .json(json!({ "fileName": "a.png" }))
                .expect(format!("presigning {n}"), StatusCode::OK),
            get("unknown", GROUPS)
                .expect(format!("an unknown token {n}"), StatusCode::UNAUTHORIZED),
        ]
    });
    run(&s, rows).await;
    // --no-throttle.
    let s = start(config()).await;
    run(
        &s,
        (1..=20).map(|n| get(MEMBER, GROUPS).expect(format!("request {n}"), StatusCode::OK)),
    )
    .await;
}
