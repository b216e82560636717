//! The per-member write limit: past it, 429 with `Retry-After` before anything reaches the
//! upstream; other members and reads are not affected.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn each_member_has_their_own_write_limit() {
    let double = start_double(|seen| {
        if seen.method == "GET" {
            json_response(200, &json!({"Records": []}))
        } else {
            json_response(200, &json!({"WasSuccessful": true, "Value": {"Id": 5001}}))
        }
    })
    .await;
    let mut config = proxy_config(&double.base);
    config.member_writes_per_minute = 3;
    let proxy = start_proxy(config).await;
    let ada = session(10, 1);
    let body = json!({"Subject": "S", "Message": "M"});
    for _ in 0..2 {
        assert_eq!(proxy.post(&ada, THREADS, &body).await.0, 200);
    }
    // An upload request is a write too.
    let (status, _) = proxy
        .post(
            &ada,
            "/uploads",
            &json!({"fileName": "a.png", "contentType": "image/png", "size": 3}),
        )
        .await;
    assert_eq!(status, 200);
    let res = proxy
        .request(reqwest::Method::POST, Some(&ada), THREADS)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let text = res.text().await.unwrap();
    assert!(text.contains(&format!("Wait {wait} seconds")), "{text}");
    let (status, _) = proxy.delete(&ada, &format!("{THREADS}/5001")).await;
    assert_eq!(status, 429);
    // Two writes reached the upstream, and no ownership check for the refused delete.
    assert_eq!(double.seen().len(), 2);
    // Reads go on; another member writes freely.
    assert_eq!(proxy.get(&ada, GROUPS).await.0, 200);
    assert_eq!(proxy.post(&session(11, 1), THREADS, &body).await.0, 200);
}
