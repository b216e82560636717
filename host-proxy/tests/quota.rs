//! Storage bounds: each member may store `--member-storage-bytes-per-day` in any 24 hours
//! (counted at `POST /uploads` by the declared size, given back when the upload URL is never
//! used or its PUT fails), and the whole store holds at most `--max-store-bytes`. Refusals
//! are the 400 envelope on `NewFileDataUrl`, shown on the attachment.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

async fn issue(proxy: &Running, token: &str, size: usize) -> (u16, Value) {
    let (status, body) = proxy
        .post(
            token,
            "/uploads",
            &json!({"fileName": "a.png", "contentType": "image/png", "size": size}),
        )
        .await;
    (status.as_u16(), body)
}

fn refusal(answer: &Value) -> (String, String) {
    (
        answer["Errors"][0]["PropertyName"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        answer["Errors"][0]["Message"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

#[tokio::test]
async fn each_member_has_a_daily_quota_given_back_when_unused() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = proxy_config(&sandbox);
    config.member_storage_bytes_per_day = 1000;
    config.upload_url_ttl = Duration::from_secs(1);
    config.cleanup_interval = Duration::from_millis(100);
    config.member_writes_per_minute = 0;
    let proxy = run_proxy(config).await;
    let (ada, bob, cy) = (session(10, 1), session(11, 1), session(12, 1));
    proxy.upload(&ada, "a.png", "image/png", vec![7; 600]).await;
    let (status, answer) = issue(&proxy, &ada, 500).await;
    assert_eq!(status, 400, "{answer}");
    let (property, message) = refusal(&answer);
    assert_eq!(property, "NewFileDataUrl");
    assert!(
        message.starts_with("you have uploaded the 1000 bytes allowed in 24 hours; try again in"),
        "{message}"
    );
    let (status, answer) = issue(&proxy, &ada, 1001).await;
    assert_eq!(status, 400, "{answer}");
    // A file alone larger than the quota says so (here also past no other limit).
    assert!(
        refusal(&answer).1.contains("one member may upload a day"),
        "{answer}"
    );
    // Another member has their own quota.
    assert_eq!(issue(&proxy, &bob, 1000).await.0, 200);
    // An upload URL never used gives its bytes back when it expires.
    assert_eq!(issue(&proxy, &cy, 900).await.0, 200);
    assert_eq!(issue(&proxy, &cy, 200).await.0, 400);
    let back = wait_until(Duration::from_secs(5), || async {
        issue(&proxy, &cy, 200).await.0 == 200
    })
    .await;
    assert!(back, "the unused upload URL's bytes were never given back");
    // A PUT that fails gives its bytes back at once.
    let (_, issued) = issue(&proxy, &cy, 700).await;
    assert_eq!(issue(&proxy, &cy, 200).await.0, 400);
    let put = client()
        .put(issued["uploadUrl"].as_str().unwrap())
        .header("Content-Type", "image/png")
        .body(vec![1u8; 10])
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 400, "shorter than declared");
    assert_eq!(issue(&proxy, &cy, 200).await.0, 200);
}

#[tokio::test]
async fn the_store_as_a_whole_is_capped() {
    let (_sandbox, proxy) = stack_with(|c| {
        c.max_store_bytes = 1500;
        c.member_storage_bytes_per_day = 0;
    })
    .await;
    let (ada, bob, cy) = (session(10, 1), session(11, 1), session(12, 1));
    proxy.upload(&ada, "a.png", "image/png", vec![7; 600]).await;
    proxy.upload(&bob, "b.png", "image/png", vec![7; 600]).await;
    let (status, answer) = issue(&proxy, &cy, 400).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        refusal(&answer),
        (
            "NewFileDataUrl".to_string(),
            "the server cannot take more files just now; try again later".to_string()
        )
    );
    assert_eq!(issue(&proxy, &cy, 300).await.0, 200);
}
