//! The upload store: presigning (`POST /uploads`, signed in), the one-time PUT, the GET.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use sandbox::Config;
use serde_json::{json, Value};

/// `POST /uploads` as the member (a JSON body).
fn presign(body: Value) -> Request {
    request(Method::POST, "/uploads").bearer(MEMBER).json(body)
}

/// `PUT url` with `bytes` and no content type.
fn put(url: &str, bytes: impl Into<Vec<u8>>) -> Request {
    request(Method::PUT, url).raw(bytes)
}

#[tokio::test]
async fn upload_store() {
    let s = start(Config {
        max_upload_bytes: 100,
        ..config()
    })
    .await;
    let ticket = presign(json!({ "fileName": "a.png", "contentType": "image/png", "size": 3 }))
        .expect("a ticket for a.png", StatusCode::OK);
    let v = check(&s, ticket).await.body;
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
    let mut rows = vec![
        // Not there before the PUT.
        request(Method::GET, &url).expect("before the PUT", StatusCode::NOT_FOUND),
        put(&url, [1, 2, 3])
            .header("Content-Type", "image/png")
            .expect("the PUT", StatusCode::OK),
        request(Method::GET, &url)
            .expect("after the PUT", StatusCode::OK)
            .header("content-type", "image/png")
            .bytes([1, 2, 3]),
        // The sandbox itself fetches the file URL.
        attach(1001, &url).expect("an attach of the stored file", StatusCode::OK),
        // One time only.
        put(&url, [9]).expect("a second PUT", StatusCode::FORBIDDEN),
        request(Method::GET, &url)
            .expect("the first PUT's bytes", StatusCode::OK)
            .bytes([1, 2, 3]),
    ];
    // Unknown key (also one that is not UTF-8).
    for path in ["/uploads/%FF/x", "/uploads/none"] {
        rows.push(request(Method::GET, path).expect("an unknown key", StatusCode::NOT_FOUND));
        rows.push(put(path, "x").expect("an unknown key", StatusCode::NOT_FOUND));
    }
    rows.extend([
        put("/uploads/nope/x", [1]).expect("an unknown key", StatusCode::NOT_FOUND),
        // Size cap: declared and actual.
        presign(json!({ "fileName": "big.bin", "size": 101 })).expect(
            "a declared size over the cap",
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ]);
    run(&s, rows).await;
    let odd_name = presign(json!({ "fileName": "résumé?.pdf" }))
        .expect("a ticket for an odd name without a type", StatusCode::OK)
        // Without a declared type the PUT is told application/octet-stream.
        .is("/headers/Content-Type", "application/octet-stream");
    let v = check(&s, odd_name).await.body;
    let url = v["uploadUrl"].as_str().unwrap().to_string();
    assert!(url.ends_with("/r_sum__.pdf"), "{url}");
    run(
        &s,
        [put(&url, vec![0; 101]).expect("a PUT over the cap", StatusCode::PAYLOAD_TOO_LARGE)],
    )
    .await;
    // The declared type is used when the PUT has none.
    let csv = presign(json!({ "fileName": "t.csv", "contentType": "text/csv" }))
        .expect("a ticket for a CSV file", StatusCode::OK);
    let v = check(&s, csv).await.body;
    let url = v["uploadUrl"].as_str().unwrap().to_string();
    run(
        &s,
        [
            put(&url, "a,b").expect("a PUT without a type", StatusCode::OK),
            request(Method::GET, &url)
                .expect("the declared type", StatusCode::OK)
                .header("content-type", "text/csv"),
            // Bad JSON.
            request(Method::POST, "/uploads")
                .bearer(MEMBER)
                .raw("{")
                .expect("a ticket request that is no JSON", StatusCode::BAD_REQUEST),
        ],
    )
    .await;
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
    let ticket = |authorization: Option<&str>| {
        let request = request(Method::POST, "/uploads").json(body.clone());
        match authorization {
            Some(value) => request.header("Authorization", value),
            None => request,
        }
    };
    // No token, a malformed header, an unknown or expired token: 401.
    let refused = [
        None,
        Some("Basic dXNlcjpwYXNz".to_string()),
        Some("Bearer nope".to_string()),
        Some(format!("Bearer {EXPIRED}")),
    ]
    .map(|authorization| {
        ticket(authorization.as_deref())
            .expect(
                format!("Authorization: {authorization:?}"),
                StatusCode::UNAUTHORIZED,
            )
            .header("www-authenticate", "Bearer")
            .not_empty("/error")
    });
    // Any valid token: seeded (no role needed: the portal token too), or issued.
    let allowed = [MEMBER, PORTAL, ADMIN, NO_FILES].map(|token| {
        ticket(Some(&format!("Bearer {token}")))
            .expect(format!("the token {token}"), StatusCode::OK)
    });
    run(&s, refused.into_iter().chain(allowed)).await;
    let sign_in = request(Method::POST, "/api/token")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .raw("grant_type=password&username=api%40sandbox.test&password=sandbox-api-password")
        .expect("the API user signs in", StatusCode::OK);
    let issued = check(&s, sign_in).await.body;
    let bearer = format!("Bearer {}", issued["access_token"].as_str().unwrap());
    run(
        &s,
        [ticket(Some(&bearer)).expect("an issued token", StatusCode::OK)],
    )
    .await;
    clock.advance(Duration::from_secs(61));
    run(
        &s,
        [ticket(Some(&bearer)).expect("an expired issued token", StatusCode::UNAUTHORIZED)],
    )
    .await;

    // A missing or invalid fileName: 400.
    let mut rows: Vec<Exchange> = [
        json!({}),
        json!({ "fileName": "" }),
        json!({ "fileName": "   " }),
        json!({ "fileName": 42 }),
        json!({ "contentType": "image/png", "size": 3 }),
    ]
    .into_iter()
    .map(|bad| {
        presign(bad.clone())
            .expect(format!("the ticket request {bad}"), StatusCode::BAD_REQUEST)
            .contains("/error", "fileName")
    })
    .collect();
    rows.push(
        request(Method::POST, "/uploads")
            .bearer(MEMBER)
            .expect("a ticket request without a body", StatusCode::BAD_REQUEST),
    );
    run(&s, rows).await;
}

#[tokio::test]
async fn behind_a_proxy_the_store_gives_addresses_on_the_public_origin() {
    let s = start(Config {
        public_url: Some("http://127.0.0.1:8080/".into()),
        ..config()
    })
    .await;
    let ticket = presign(json!({ "fileName": "a.png", "size": 3 }))
        .expect("a ticket behind a proxy", StatusCode::OK);
    let v = check(&s, ticket).await.body;
    let key = v["key"].as_str().unwrap();
    let public = format!("http://127.0.0.1:8080/uploads/{key}");
    assert_eq!(v["uploadUrl"], public.as_str());
    assert_eq!(v["fileUrl"], public.as_str());
    // The store itself still answers on the sandbox's own address.
    run(
        &s,
        [put(&format!("{}/uploads/{key}", s.base), [1, 2, 3])
            .expect("a PUT on the sandbox's own address", StatusCode::OK)],
    )
    .await;
}
