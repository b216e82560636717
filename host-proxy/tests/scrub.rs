//! An upstream answer that echoes the request (some gateways and debug endpoints do) never
//! hands the operator's token to the member: it is cut from the body and the headers passed on.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn an_echoing_upstream_never_passes_the_operator_token_on() {
    let double = start_double(|seen| {
        let auth = seen.authorization.clone().unwrap_or_default();
        let token = auth.trim_start_matches("Bearer ").to_string();
        let body = json!({
            "Records": [{"Id": 1, "GroupAccess": 2, "BusinessId": 1, "Echo": auth}],
            "TotalItems": 1,
            "Value": {"Id": 5, "UserId": 10, "Request": {"headers": {"authorization": auth}}},
            "WasSuccessful": true,
        });
        axum::response::Response::builder()
            .status(200)
            .header("content-type", format!("application/json; echo={token}"))
            .header("retry-after", token)
            .body(axum::body::Body::from(body.to_string()))
            .unwrap()
    })
    .await;
    let proxy = start_proxy(proxy_config(&double.base)).await;
    let member = session(10, 1);
    let list = proxy
        .request(reqwest::Method::GET, Some(&member), GROUPS)
        .send()
        .await
        .unwrap();
    let create = proxy
        .request(reqwest::Method::POST, Some(&member), THREADS)
        .json(&json!({"Subject": "Hi", "Message": "Hello", "CommunityGroupId": 1}))
        .send()
        .await
        .unwrap();
    for res in [list, create] {
        assert_eq!(res.status(), 200);
        for (name, value) in res.headers() {
            assert!(
                !value
                    .as_bytes()
                    .windows(OPERATOR_TOKEN.len())
                    .any(|w| w == OPERATOR_TOKEN.as_bytes()),
                "{name} holds the operator's token"
            );
        }
        let text = res.text().await.unwrap();
        assert!(!text.contains(OPERATOR_TOKEN), "{text}");
        assert!(text.contains("Bearer [redacted]"), "{text}");
    }
    // The double did see the token: the echo was real.
    assert!(double
        .seen()
        .iter()
        .all(|s| s.authorization.as_deref() == Some(&format!("Bearer {OPERATOR_TOKEN}"))));
}
