//! The upload store: presigning (`POST /uploads`, signed in), the one-time PUT, the GET.

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use sandbox::Config;
use serde_json::{json, Value};

/// `POST /uploads` as the member (a JSON body).
async fn presign(s: &Server, body: Value) -> (StatusCode, Value) {
    read(
        s.http
            .post(s.url("/uploads"))
            .bearer_auth(MEMBER)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn upload_store() {
    let s = start(Config {
        max_upload_bytes: 100,
        ..config()
    })
    .await;
    let (status, v) = presign(
        &s,
        json!({ "fileName": "a.png", "contentType": "image/png", "size": 3 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let key = v["key"].as_str().unwrap();
    assert!(key.ends_with("/a.png"), "{key}");
    let url = format!("{}/uploads/{key}", s.base);
    assert_eq!(
        v,
        json!({
            "uploadUrl": url, "fileUrl": url, "method": "PUT",
            "headers": { "Content-Type": "image/png" }, "key": key
        })
    );
    assert!(url.starts_with("http://127.0.0.1:"));

    // Not there before the PUT.
    assert_eq!(
        s.http.get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let res = s
        .http
        .put(&url)
        .header("Content-Type", "image/png")
        .body(vec![1, 2, 3])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = s.http.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), [1, 2, 3]);
    // The sandbox itself fetches the file URL.
    let (status, body) = s.attach(1001, &url).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // One time only.
    let res = s.http.put(&url).body(vec![9]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        s.http
            .get(&url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref(),
        [1, 2, 3]
    );
    // Unknown key (also one that is not UTF-8).
    for path in ["/uploads/%FF/x", "/uploads/none"] {
        let res = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let res = s.http.put(s.url(path)).body("x").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = s
        .http
        .put(s.url("/uploads/nope/x"))
        .body(vec![1])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Size cap: declared and actual.
    let (status, _) = presign(&s, json!({ "fileName": "big.bin", "size": 101 })).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (_, v) = presign(&s, json!({ "fileName": "résumé?.pdf" })).await;
    let url = v["uploadUrl"].as_str().unwrap().to_string();
    assert!(url.ends_with("/r_sum__.pdf"), "{url}");
    // Without a declared type the PUT is told application/octet-stream.
    assert_eq!(v["headers"]["Content-Type"], "application/octet-stream");
    let res = s.http.put(&url).body(vec![0; 101]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The declared type is used when the PUT has none.
    let (_, v) = presign(
        &s,
        json!({ "fileName": "t.csv", "contentType": "text/csv" }),
    )
    .await;
    let url = v["uploadUrl"].as_str().unwrap().to_string();
    s.http.put(&url).body("a,b").send().await.unwrap();
    assert_eq!(
        s.http.get(&url).send().await.unwrap().headers()["content-type"],
        "text/csv"
    );
    // Bad JSON.
    let res = s
        .http
        .post(s.url("/uploads"))
        .bearer_auth(MEMBER)
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn presigning_needs_a_valid_token_and_a_file_name() {
    let clock = sandbox::Clock::new();
    let s = start(Config {
        access_token_lifetime: Duration::from_secs(60),
        clock: clock.clone(),
        ..config()
    })
    .await;
    let body = json!({ "fileName": "a.png", "contentType": "image/png", "size": 3 });
    // No token, a malformed header, an unknown or expired token: 401.
    let post = |auth: Option<String>| {
        let rb = s.http.post(s.url("/uploads")).json(&body);
        match auth {
            Some(a) => rb.header("Authorization", a),
            None => rb,
        }
        .send()
    };
    for auth in [
        None,
        Some("Basic dXNlcjpwYXNz".to_string()),
        Some("Bearer nope".to_string()),
        Some(format!("Bearer {EXPIRED}")),
    ] {
        let res = post(auth.clone()).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let v: Value = res.json().await.unwrap();
        assert!(v["error"].as_str().is_some(), "{v}");
    }
    // Any valid token: seeded (no role needed: the portal token too), or issued.
    for token in [MEMBER, PORTAL, ADMIN, NO_FILES] {
        let res = post(Some(format!("Bearer {token}"))).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{token}");
    }
    let res = s
        .http
        .post(s.url("/api/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=password&username=api%40sandbox.test&password=sandbox-api-password")
        .send()
        .await
        .unwrap();
    let issued: Value = res.json().await.unwrap();
    let access = issued["access_token"].as_str().unwrap().to_string();
    let res = post(Some(format!("Bearer {access}"))).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    clock.advance(Duration::from_secs(61));
    let res = post(Some(format!("Bearer {access}"))).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // A missing or invalid fileName: 400.
    for bad in [
        json!({}),
        json!({ "fileName": "" }),
        json!({ "fileName": "   " }),
        json!({ "fileName": 42 }),
        json!({ "contentType": "image/png", "size": 3 }),
    ] {
        let (status, v) = presign(&s, bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(v["error"].as_str().unwrap().contains("fileName"), "{v}");
    }
    let res = s
        .http
        .post(s.url("/uploads"))
        .bearer_auth(MEMBER)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
