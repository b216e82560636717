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
    for url in [
        "data:image/png;base64,AAEC",
        "DATA:text/plain,hi",
        "  data:,x",
        "data:image/png;base64,@@@@",
    ] {
        let res = s
            .request(Method::POST, Some(MEMBER), FILES)
            .json(&json!({ "CommunityThreadId": thread, "Name": "n", "NewFileDataUrl": url }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{url}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        assert_eq!(
            res.text().await.unwrap(),
            r#"{"Message":"Ooops! There was a problem while running this action. Please try again later."}"#
        );
    }
    // Nothing was created.
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["files"], json!([]));
    // Other fields are still validated first; ClearFileDataFile never fetches the URL.
    let (status, body) = s
        .post(
            MEMBER,
            FILES,
            &json!({ "CommunityThreadId": 424242, "Name": "n", "NewFileDataUrl": "data:,x" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(only_error(&body), ("CommunityThread", "was not found"));
    let (status, _) = s
        .post(
            MEMBER,
            FILES,
            &json!({ "CommunityThreadId": thread, "Name": "n", "NewFileDataUrl": "data:,x",
                     "ClearFileDataFile": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // --accept-data-urls restores the lenient behaviour.
    let lenient = start(config()).await;
    assert_eq!(
        lenient.attach(1001, "data:text/plain,hi").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_portal_token_reads_but_every_write_is_a_missing_role_401() {
    let s = start(config()).await;
    let thread = s.create_thread("Members read this").await;
    let (_, file) = s.attach(thread, "data:text/plain,hi").await;
    let file_id = file["Value"]["Id"].as_i64().unwrap();

    // Reads work: boards, threads, one thread, a file record and its bytes.
    let (status, boards) = s.get(PORTAL, GROUPS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(boards["TotalItems"], 4);
    assert_eq!(s.get(PORTAL, THREADS).await.0, StatusCode::OK);
    assert_eq!(
        s.get(PORTAL, &format!("{THREADS}/{thread}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.get(PORTAL, &format!("{FILES}/{file_id}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.get(PORTAL, &format!("{FILES}/{file_id}/content")).await.0,
        StatusCode::OK
    );

    // Every write: 401 with the missing-role envelope, before any validation.
    let writes = [
        (
            Method::POST,
            THREADS.to_string(),
            json!({ "BusinessId": 1, "UserId": 10, "Subject": "s", "Message": "m" }),
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
        let (status, answer) = read(
            s.request(method.clone(), Some(PORTAL), &path)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(
            answer,
            json!({
                "Status": 401,
                "Message": format!("Authorization has been denied for this request. The {role} role is required."),
                "Value": null, "OpenInDialog": false, "OpenInWindow": false,
                "RedirectURL": null, "JavaScript": null, "Errors": null, "WasSuccessful": false
            }),
            "{method} {path}"
        );
    }
    // Nothing was written.
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["threads"].as_array().map(Vec::len), Some(1));
    assert_eq!(created["threads"][0]["Deleted"], false);
    assert_eq!(created["files"][0]["Deleted"], false);
    // The other seeded tokens are unchanged.
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    assert_eq!(s.create_thread("Still allowed").await, thread + 1);
    // PUT too (the sandbox has no update; the role check comes first), for every route.
    for (path, entity) in [
        (THREADS.to_string(), "CommunityThread"),
        (format!("{THREADS}/{thread}"), "CommunityThread"),
        (FILES.to_string(), "CommunityThreadFile"),
        (format!("{FILES}/{file_id}"), "CommunityThreadFile"),
        (GROUPS.to_string(), "CommunityGroup"),
    ] {
        let (status, answer) = read(
            s.request(Method::PUT, Some(PORTAL), &path)
                .json(&json!({}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "PUT {path}");
        assert_eq!(
            answer["Message"],
            format!("Authorization has been denied for this request. The {entity}-Update role is required."),
        );
        // An administrator gets the 405 of an unsupported method.
        let res = s
            .request(Method::PUT, Some(ADMIN), &path)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "PUT {path}");
        assert!(!res.headers()["allow"].to_str().unwrap().contains("PUT"));
    }
}

#[tokio::test]
async fn throttle_status_429_puts_the_wait_in_the_text_and_no_retry_after() {
    let mut c = throttled(100, 3, 0);
    c.throttle.status = ThrottleStatus::TooManyRequests;
    let s = start(c).await;
    for _ in 0..3 {
        assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    }
    let res = s
        .request(Method::GET, Some(MEMBER), GROUPS)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_none());
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = res.json().await.unwrap();
    let message = body["Message"].as_str().unwrap();
    // The first request leaves the one-minute window in just under 60 s.
    let n: u64 = message
        .strip_prefix("You have made too many requests. Wait ")
        .and_then(|rest| rest.strip_suffix(" seconds and try again."))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected message {message:?}"));
    assert!((55..=60).contains(&n), "{message}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");

    // The spacing wait is announced as at least 1 second.
    let mut c = throttled(100, 100, 60_000);
    c.throttle.status = ThrottleStatus::TooManyRequests;
    let s = start(c).await;
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    let (status, body) = s.get(MEMBER, GROUPS).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let message = body["Message"].as_str().unwrap();
    assert!(message.starts_with("You have made too many requests. Wait "));
    assert!(!message.contains("Wait 0 "), "{message}");

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
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    let res = s
        .request(Method::GET, Some(MEMBER), GROUPS)
        .header("Origin", "http://localhost:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );
    res.headers()
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
