//! Where live Nexudus fails, the sandbox fails the same way by default: a `data:`
//! `NewFileDataUrl` gets the generic 500, a member's portal token cannot write, `Retry-After` is
//! not readable cross-origin; and throttling can take its other shape seen in the wild (429).

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use sandbox::{Config, ThrottleConfig, ThrottleStatus};
use serde_json::{json, Value};

#[tokio::test]
async fn data_urls_get_the_generic_500_by_default() {
    let s = start(strict()).await;
    assert!(!Config::default().accept_data_urls);
    let thread = s.create_thread("Strict").await;
    let mut rows: Vec<Exchange> = [
        "data:image/png;base64,AAEC",
        "DATA:text/plain,hi",
        "  data:,x",
        "data:image/png;base64,@@@@",
    ]
    .map(|url| {
        post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": thread, "Name": "n", "NewFileDataUrl": url }),
        )
        .expect(format!("the data: URL {url:?}"), StatusCode::INTERNAL_SERVER_ERROR)
        .header_starts("content-type", "application/json")
        .text(r#"{"Message":"Ooops! There was a problem while running this action. Please try again later."}"#)
    })
    .into();
    rows.extend([
        // Nothing was created.
        get(ADMIN, "/_sandbox/created")
            .expect("nothing was created", StatusCode::OK)
            .is("/files", json!([])),
        // Other fields are still validated first; ClearFileDataFile never fetches the URL.
        post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": 424242, "Name": "n", "NewFileDataUrl": "data:,x" }),
        )
        .expect("a data: URL for an unknown thread", StatusCode::BAD_REQUEST)
        .only_error("CommunityThread", "was not found"),
        post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": thread, "Name": "n", "NewFileDataUrl": "data:,x",
                     "ClearFileDataFile": true }),
        )
        .expect("a data: URL with ClearFileDataFile", StatusCode::OK),
    ]);
    run(&s, rows).await;
    // --accept-data-urls restores the lenient behaviour.
    let lenient = start(config()).await;
    run(
        &lenient,
        [attach(1001, "data:text/plain,hi").expect("--accept-data-urls", StatusCode::OK)],
    )
    .await;
}

#[tokio::test]
async fn the_portal_token_reads_but_every_write_is_a_missing_role_401() {
    let s = start(config()).await;
    let thread = s.create_thread("Members read this").await;
    let file_id = s.attach_file(thread, "data:text/plain,hi").await;

    // Reads work: boards, threads, one thread, a file record and its bytes.
    let mut rows = vec![
        get(PORTAL, GROUPS)
            .expect("the boards", StatusCode::OK)
            .is("/TotalItems", 4),
        get(PORTAL, THREADS).expect("the threads", StatusCode::OK),
        get(PORTAL, format!("{THREADS}/{thread}")).expect("a thread", StatusCode::OK),
        get(PORTAL, format!("{FILES}/{file_id}")).expect("a file record", StatusCode::OK),
        get(PORTAL, format!("{FILES}/{file_id}/content")).expect("its bytes", StatusCode::OK),
    ];

    // Every write: 401 with the missing-role envelope, before any validation.
    let writes = [
        (
            Method::POST,
            THREADS.to_string(),
            new_thread("s"),
            "CommunityThread-Create",
        ),
        (
            Method::POST,
            THREADS.to_string(),
            json!({}),
            "CommunityThread-Create",
        ),
        (
            Method::POST,
            FILES.to_string(),
            json!({ "CommunityThreadId": thread, "Name": "n" }),
            "CommunityThreadFile-Create",
        ),
        (
            Method::DELETE,
            format!("{THREADS}/{thread}"),
            Value::Null,
            "CommunityThread-Delete",
        ),
        (
            Method::DELETE,
            format!("{FILES}/{file_id}"),
            Value::Null,
            "CommunityThreadFile-Delete",
        ),
    ];
    for (method, path, body, role) in writes {
        rows.push(request(method, path).bearer(PORTAL).json(body)
            .expect(format!("a write that needs {role}"), StatusCode::UNAUTHORIZED)
            .body(json!({
                "Status": 401,
                "Message": format!("Authorization has been denied for this request. The {role} role is required."),
                "Value": null, "OpenInDialog": false, "OpenInWindow": false,
                "RedirectURL": null, "JavaScript": null, "Errors": null, "WasSuccessful": false
            })));
    }
    rows.extend([
        // Nothing was written.
        get(ADMIN, "/_sandbox/created")
            .expect("nothing was written", StatusCode::OK)
            .len("/threads", 1)
            .is("/threads/0/Deleted", false)
            .is("/files/0/Deleted", false),
        // The other seeded tokens are unchanged.
        get(MEMBER, GROUPS).expect("the member token reads", StatusCode::OK),
    ]);
    run(&s, rows).await;
    assert_eq!(s.create_thread("Still allowed").await, thread + 1);

    // PUT too (the sandbox has no update; the role check comes first), for every route.
    let mut rows = Vec::new();
    for (path, entity) in [
        (THREADS.to_string(), "CommunityThread"),
        (format!("{THREADS}/{thread}"), "CommunityThread"),
        (FILES.to_string(), "CommunityThreadFile"),
        (format!("{FILES}/{file_id}"), "CommunityThreadFile"),
        (GROUPS.to_string(), "CommunityGroup"),
    ] {
        rows.push(
            request(Method::PUT, path.clone())
                .bearer(PORTAL)
                .json(json!({}))
                .expect("a PUT with the portal token", StatusCode::UNAUTHORIZED)
                .is(
                    "/Message",
                    format!("Authorization has been denied for this request. The {entity}-Update role is required."),
                ),
        );
        // An administrator gets the 405 of an unsupported method.
        rows.push(
            request(Method::PUT, path)
                .bearer(ADMIN)
                .json(json!({}))
                .expect("a PUT as an administrator", StatusCode::METHOD_NOT_ALLOWED)
                .header_lacks("allow", "PUT"),
        );
    }
    run(&s, rows).await;
}

#[tokio::test]
async fn throttle_status_429_puts_the_wait_in_the_text_and_no_retry_after() {
    let mut c = throttled(100, 3, 0);
    c.throttle.status = ThrottleStatus::TooManyRequests;
    let s = start(c).await;
    let rows =
        (1..=3).map(|n| get(MEMBER, GROUPS).expect(format!("request {n} of 3"), StatusCode::OK));
    run(&s, rows).await;
    let too_many = get(MEMBER, GROUPS)
        .expect(
            "a fourth request in the minute",
            StatusCode::TOO_MANY_REQUESTS,
        )
        .no_header("retry-after")
        .header_starts("content-type", "application/json")
        .len("", 1);
    let body = check(&s, too_many).await.body;
    let message = body["Message"].as_str().unwrap();
    // The first request leaves the one-minute window in just under 60 s.
    let n: u64 = message
        .strip_prefix("You have made too many requests. Wait ")
        .and_then(|rest| rest.strip_suffix(" seconds and try again."))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected message {message:?}"));
    assert!((55..=60).contains(&n), "{message}");

    // The spacing wait is announced as at least 1 second.
    let mut c = throttled(100, 100, 60_000);
    c.throttle.status = ThrottleStatus::TooManyRequests;
    let s = start(c).await;
    run(
        &s,
        [get(MEMBER, GROUPS).expect("a first request", StatusCode::OK)],
    )
    .await;
    let too_soon = get(MEMBER, GROUPS)
        .expect(
            "a request within the spacing",
            StatusCode::TOO_MANY_REQUESTS,
        )
        .lacks("/Message", "Wait 0 ");
    let body = check(&s, too_soon).await.body;
    let message = body["Message"].as_str().unwrap();
    assert!(message.starts_with("You have made too many requests. Wait "));

    // The default stays 409.
    assert_eq!(Config::default().throttle.status, ThrottleStatus::Conflict);
}

/// The headers a cross-origin script may read on a throttled answer.
async fn exposed_on_409(config: Config) -> Option<String> {
    let s = start(Config {
        throttle: ThrottleConfig {
            enabled: true,
            requests_per_minute: 1,
            min_spacing: Duration::ZERO,
            ..ThrottleConfig::default()
        },
        ..config
    })
    .await;
    run(
        &s,
        [get(MEMBER, GROUPS).expect("a first request", StatusCode::OK)],
    )
    .await;
    let throttled = get(MEMBER, GROUPS)
        .header("Origin", "http://localhost:8080")
        .expect("a second request in the minute", StatusCode::CONFLICT)
        .header("retry-after", "1")
        .header("access-control-allow-origin", "http://localhost:8080");
    check(&s, throttled)
        .await
        .headers
        .get("access-control-expose-headers")
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
}

#[tokio::test]
async fn retry_after_is_not_exposed_to_cross_origin_scripts_by_default() {
    let exposed = exposed_on_409(config()).await;
    assert!(
        !exposed.as_deref().unwrap_or("").contains("retry-after"),
        "{exposed:?}"
    );
}

#[tokio::test]
async fn expose_retry_after_lists_it() {
    let exposed = exposed_on_409(Config {
        expose_retry_after: true,
        ..config()
    })
    .await;
    assert!(
        exposed.as_deref().unwrap_or("").contains("retry-after"),
        "{exposed:?}"
    );
}
