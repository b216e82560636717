//! Faults: armed answers, delays, drops, failures after the work was done, and their list.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::common::*;

#[tokio::test]
async fn faults_endpoint_is_404_unless_enabled() {
    let s = start(config()).await;
    let mut rows: Vec<Exchange> = [Method::GET, Method::POST, Method::DELETE]
        .map(|method| {
            request(method, "/_sandbox/faults")
                .json(json!({ "path": "/x", "status": 500 }))
                .expect("the faults endpoint, not enabled", StatusCode::NOT_FOUND)
        })
        .into();
    rows.push(get(MEMBER, GROUPS).expect("the API as usual", StatusCode::OK));
    run(&s, rows).await;
}

#[tokio::test]
async fn status_faults_replace_the_answer() {
    let s = start(with_faults()).await;
    let file = json!({ "CommunityThreadId": 1001, "Name": "x" });
    let faulted = |n: u32| {
        post(MEMBER, FILES, file.clone())
            .header("Origin", "http://127.0.0.1:5173")
            .expect(
                format!("faulted POST {n}"),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
            .header("x-test", "yes")
            .header("content-type", "application/json")
            .header("access-control-allow-origin", "http://127.0.0.1:5173")
            .text("{\"Message\":\"An error has occurred.\"}")
    };
    run(
        &s,
        [
            arm(
                json!({ "method": "POST", "path": FILES, "count": 2, "status": 500,
                        "body": "{\"Message\":\"An error has occurred.\"}",
                        "contentType": "application/json", "headers": { "X-Test": "yes" } }),
            ),
            request(Method::GET, "/_sandbox/faults")
                .expect("the armed fault", StatusCode::OK)
                .is("/faults/0/count", 2)
                .is("/faults/0/path", FILES),
            // GET on the same path does not match a POST fault.
            get(MEMBER, format!("{FILES}/1"))
                .expect("a GET on the faulted path", StatusCode::NOT_FOUND),
            faulted(1),
            faulted(2),
            // Used up: the real handler answers, and nothing was created by the faked requests.
            post(MEMBER, FILES, file.clone()).expect("the fault used up", StatusCode::OK),
            get(ADMIN, "/_sandbox/created")
                .expect("only the real request created", StatusCode::OK)
                .len("/files", 1),
            // HTML body (a gateway page), and an empty body with a header; any method.
            arm(json!([
                { "path": THREADS, "status": 502, "body": "<html><body>Bad gateway</body></html>",
                  "contentType": "text/html" },
                { "path": THREADS, "status": 503, "headers": { "Retry-After": "1" } }
            ])),
            get(MEMBER, THREADS)
                .expect("a gateway page", StatusCode::BAD_GATEWAY)
                .header("content-type", "text/html")
                .contains("", "Bad gateway"),
            post(MEMBER, THREADS, json!({}))
                .expect(
                    "an empty answer with a header",
                    StatusCode::SERVICE_UNAVAILABLE,
                )
                .header("retry-after", "1")
                .no_header("content-type")
                .text(""),
            // A fault's body without a content type: JSON if it parses, else text.
            arm(json!({ "path": GROUPS, "status": 404, "body": "\"Not found\"" })),
            get(MEMBER, GROUPS)
                .expect("a JSON body without a type", StatusCode::NOT_FOUND)
                .header_starts("content-type", "application/json"),
            // Faults also apply to paths without a route (e.g. a gateway error page).
            arm(json!({ "path": "/anything", "status": 200, "body": "ok" })),
            request(Method::GET, "/anything")
                .expect("a text body on a path without a route", StatusCode::OK)
                .header_starts("content-type", "text/plain"),
        ],
    )
    .await;
}

#[tokio::test]
async fn delay_faults_delay_then_run_the_real_handler() {
    let s = start(with_faults()).await;
    run(
        &s,
        [arm(
            json!({ "method": "GET", "path": GROUPS, "delayMs": 300 }),
        )],
    )
    .await;
    let delayed = get(MEMBER, GROUPS)
        .expect("a delayed answer", StatusCode::OK)
        .is("/TotalItems", 4);
    let took = timed(&s, delayed).await;
    assert!(took >= Duration::from_millis(300), "{took:?}");
    // Used up: fast again.
    let took = timed(
        &s,
        get(MEMBER, GROUPS).expect("the delay used up", StatusCode::OK),
    )
    .await;
    assert!(took < Duration::from_millis(300), "{took:?}");

    // Delay plus status.
    run(
        &s,
        [arm(
            json!({ "path": GROUPS, "delayMs": 200, "status": 500 }),
        )],
    )
    .await;
    let took = timed(
        &s,
        get(MEMBER, GROUPS).expect("a delay, then a status", StatusCode::INTERNAL_SERVER_ERROR),
    )
    .await;
    assert!(took >= Duration::from_millis(200), "{took:?}");
}

/// Posts `thread` as the member where an armed fault keeps the answer from coming.
async fn post_unanswered(s: &Server, thread: &Value) -> reqwest::Error {
    let sent = s
        .request(Method::POST, Some(MEMBER), THREADS)
        .json(thread)
        .send()
        .await;
    match sent {
        Ok(res) => panic!("an answer came: {}", res.status()),
        Err(err) => err,
    }
}

#[tokio::test]
async fn drop_after_handling_creates_the_record_but_loses_the_answer() {
    let s = start(with_faults()).await;
    run(
        &s,
        [arm(
            json!({ "method": "POST", "path": THREADS, "dropAfterHandling": true }),
        )],
    )
    .await;
    let err = post_unanswered(&s, &new_thread("Lost")).await;
    assert!(err.status().is_none(), "{err:?}");
    // The conversation exists all the same, and a lookup finds it.
    run(
        &s,
        [
            get(ADMIN, "/_sandbox/created")
                .expect("the conversation was created", StatusCode::OK)
                .len("/threads", 1),
            get(
                MEMBER,
                format!("{THREADS}?CommunityThread_User=10&CommunityThread_Subject=Lost"),
            )
            .expect("a lookup finds it", StatusCode::OK)
            .is("/Records/0/Subject", "Lost"),
        ],
    )
    .await;
}

#[tokio::test]
async fn fail_after_handling_creates_the_record_then_answers_the_generic_500() {
    let s = start(with_faults()).await;
    let thread = new_thread("Failed?");
    run(&s, [
        arm(json!({ "method": "POST", "path": THREADS, "failAfterHandling": true })),
        post(MEMBER, THREADS, thread.clone())
            .header("Origin", "http://127.0.0.1:5173")
            .expect("a create that fails after it ran", StatusCode::INTERNAL_SERVER_ERROR)
            .header_starts("content-type", "application/json")
            .header("access-control-allow-origin", "http://127.0.0.1:5173")
            .text(r#"{"Message":"Ooops! There was a problem while running this action. Please try again later."}"#),
        // The conversation was created all the same.
        get(ADMIN, "/_sandbox/created")
            .expect("the conversation was created", StatusCode::OK)
            .len("/threads", 1)
            .is("/threads/0/Subject", "Failed?"),
        get(MEMBER, format!("{THREADS}?CommunityThread_Subject=Failed%3F"))
            .expect("a lookup finds it", StatusCode::OK)
            .is("/TotalItems", 1),
        // With a status and body of its own; a refused create stays refused (validation ran).
        arm(json!({ "method": "POST", "path": THREADS, "failAfterHandling": true, "count": 2,
                    "status": 502, "body": "<html>Bad gateway</html>", "contentType": "text/html" })),
        post(MEMBER, THREADS, json!({}))
            .expect("an invalid create that fails after", StatusCode::BAD_GATEWAY)
            .header("content-type", "text/html")
            .text("<html>Bad gateway</html>"),
        post(MEMBER, THREADS, thread)
            .expect("a valid create that fails after", StatusCode::BAD_GATEWAY),
        get(ADMIN, "/_sandbox/created")
            .expect("only the valid one was created", StatusCode::OK)
            .len("/threads", 2),
    ])
    .await;
}

#[tokio::test]
async fn a_request_the_limiter_refuses_does_not_take_a_fault_that_needs_the_server_to_act() {
    // Spacing of 10 s: the second request comes too soon and is refused by the limiter.
    let s = start(sandbox::Config {
        enable_faults: true,
        ..throttled(60, 120, 10_000)
    })
    .await;
    run(
        &s,
        [
            get(MEMBER, GROUPS).expect("a read that starts the spacing", StatusCode::OK),
            arm(json!({ "method": "POST", "path": THREADS, "failAfterHandling": true })),
            post(MEMBER, THREADS, new_thread("Too soon"))
                .expect(
                    "refused by the limiter, not turned into the 500",
                    StatusCode::CONFLICT,
                )
                .header("retry-after", "1"),
            get(ADMIN, "/_sandbox/created")
                .expect("nothing was created", StatusCode::OK)
                .len("/threads", 0),
            get(ADMIN, "/_sandbox/faults")
                .expect(
                    "the fault still waits for a request the server takes",
                    StatusCode::OK,
                )
                .len("", 1),
        ],
    )
    .await;
}

#[tokio::test]
async fn drop_faults_close_the_connection_without_answering() {
    let s = start(with_faults()).await;
    run(
        &s,
        [arm(
            json!({ "method": "POST", "path": THREADS, "drop": true }),
        )],
    )
    .await;
    let thread = new_thread("s");
    let err = post_unanswered(&s, &thread).await;
    assert!(!err.is_status(), "{err:?}");
    assert!(err.status().is_none());
    run(
        &s,
        [
            // With faults enabled no connection is reused, so browsers cannot silently resend.
            request(Method::GET, "/_sandbox/health")
                .expect("no connection is reused", StatusCode::OK)
                .header("connection", "close"),
            // Nothing was created; the next request works.
            get(ADMIN, "/_sandbox/created")
                .expect("nothing was created", StatusCode::OK)
                .is("/threads", json!([])),
            post(MEMBER, THREADS, thread).expect("the fault used up", StatusCode::OK),
            // With a delay: it waits, then drops.
            arm(json!({ "path": GROUPS, "drop": true, "delayMs": 200 })),
        ],
    )
    .await;
    let started = Instant::now();
    let res = s.request(Method::GET, Some(MEMBER), GROUPS).send().await;
    assert!(res.is_err());
    assert!(started.elapsed() >= Duration::from_millis(200));

    // On a raw socket: the peer sees EOF and no bytes.
    run(&s, [arm(json!({ "path": GROUPS, "drop": true }))]).await;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    sock.write_all(
        format!("GET {GROUPS} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {MEMBER}\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), sock.read_to_end(&mut buf))
        .await
        .expect("closed promptly")
        .unwrap_or(0);
    assert_eq!(n, 0, "{}", String::from_utf8_lossy(&buf));
}

#[tokio::test]
async fn fault_list_clear_validation_and_scope() {
    let s = start(with_faults()).await;
    let mut rows: Vec<Exchange> = [
        json!({ "path": "no-slash", "status": 500 }),
        json!({ "path": "/x", "status": 500, "drop": true }),
        json!({ "path": "/x", "count": 0 }),
        json!({ "path": "/x", "status": 42 }),
        json!({ "path": "/x", "statsu": 500 }),
        json!({ "status": 500 }),
        json!("nonsense"),
    ]
    .into_iter()
    .map(|bad| {
        request(Method::POST, "/_sandbox/faults")
            .json(bad.clone())
            .expect(format!("the fault {bad}"), StatusCode::BAD_REQUEST)
            .contains("/error", "invalid fault")
    })
    .collect();
    rows.extend([
        arm(json!({ "path": GROUPS, "status": 500, "count": 3 })),
        arm(json!({ "path": "/_sandbox/health", "status": 500 })),
        // /_sandbox/ is never faulted.
        request(Method::GET, "/_sandbox/health")
            .expect("the control endpoints are never faulted", StatusCode::OK),
        request(Method::GET, "/_sandbox/faults")
            .expect("the armed faults", StatusCode::OK)
            .len("/faults", 2),
        request(Method::DELETE, "/_sandbox/faults")
            .expect("clearing the faults", StatusCode::OK)
            .is("/cleared", 2),
        get(MEMBER, GROUPS).expect("after clearing", StatusCode::OK),
        // Reset clears faults too.
        arm(json!({ "path": GROUPS, "status": 500 })),
        request(Method::POST, "/_sandbox/reset").expect("a reset", StatusCode::OK),
        get(MEMBER, GROUPS).expect("after the reset", StatusCode::OK),
    ]);
    run(&s, rows).await;
}
