//! Session rules: a maximum lifetime (`exp` ahead and `exp - iat`), optional audience and
//! issuer, ids within 1..=2^53 (in the session and in anything sent upstream), and one
//! `Authorization` header only. Every refusal happens before the upstream is called.

mod common;

use std::time::Duration;

use common::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

fn sign(claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn now() -> u64 {
    nexudus_host_proxy::claims::unix_now()
}

async fn double_and_proxy(
    adjust: impl FnOnce(&mut nexudus_host_proxy::Config),
) -> (Double, Running) {
    let double = start_double(|_| json_response(200, &json!({"Records": []}))).await;
    let mut config = proxy_config(&double.base);
    adjust(&mut config);
    let proxy = start_proxy(config).await;
    (double, proxy)
}

/// The status of a read that always reaches the upstream when the session is accepted (the
/// board list is cached, so it would not count).
async fn status_of(proxy: &Running, token: &str) -> u16 {
    proxy.get(token, THREADS).await.0.as_u16()
}

#[tokio::test]
async fn sessions_longer_than_the_maximum_are_refused() {
    let (double, proxy) = double_and_proxy(|c| c.max_session = Duration::from_secs(3600)).await;
    let t = now();
    for (label, claims, expected) in [
        (
            "exp at u64::MAX",
            json!({"sub": "10", "businessId": 1, "exp": u64::MAX}),
            401,
        ),
        (
            "exp two hours ahead",
            json!({"sub": "10", "businessId": 1, "exp": t + 7200}),
            401,
        ),
        (
            "exp - iat of two hours",
            json!({"sub": "10", "businessId": 1, "iat": t - 5400, "exp": t + 1800}),
            401,
        ),
        (
            "an hour, with iat",
            json!({"sub": "10", "businessId": 1, "iat": t, "exp": t + 3600}),
            200,
        ),
        (
            "half an hour, no iat",
            json!({"sub": "10", "businessId": 1, "exp": t + 1800}),
            200,
        ),
    ] {
        assert_eq!(status_of(&proxy, &sign(&claims)).await, expected, "{label}");
    }
    assert_eq!(double.seen().len(), 2);
}

#[tokio::test]
async fn audience_and_issuer_are_checked_only_when_configured() {
    let exp = now() + 600;
    let with = |extra: Value| {
        let mut c = json!({"sub": "10", "businessId": 1, "exp": exp});
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        sign(&c)
    };
    // Unset: a token carrying aud and iss is accepted.
    let (_d, open) = double_and_proxy(|_| {}).await;
    assert_eq!(
        status_of(&open, &with(json!({"aud": "portal", "iss": "login"}))).await,
        200
    );
    assert_eq!(
        status_of(&open, &with(json!({"aud": ["a", "b"]}))).await,
        200
    );
    // Set: required and checked.
    let (double, strict) = double_and_proxy(|c| {
        c.jwt_audience = Some("portal".into());
        c.jwt_issuer = Some("https://login.example".into());
    })
    .await;
    for (label, extra, expected) in [
        (
            "both right",
            json!({"aud": "portal", "iss": "https://login.example"}),
            200,
        ),
        (
            "aud among several",
            json!({"aud": ["x", "portal"], "iss": "https://login.example"}),
            200,
        ),
        ("no aud", json!({"iss": "https://login.example"}), 401),
        (
            "wrong aud",
            json!({"aud": "other", "iss": "https://login.example"}),
            401,
        ),
        ("no iss", json!({"aud": "portal"}), 401),
        (
            "wrong iss",
            json!({"aud": "portal", "iss": "https://evil.example"}),
            401,
        ),
    ] {
        assert_eq!(status_of(&strict, &with(extra)).await, expected, "{label}");
    }
    assert_eq!(double.seen().len(), 2);
}

#[tokio::test]
async fn ids_beyond_2_pow_53_never_reach_the_upstream() {
    let (double, proxy) = double_and_proxy(|_| {}).await;
    let exp = now() + 600;
    for sub in [
        json!("9007199254740993"),
        json!(18_446_744_073_709_551_615u64),
    ] {
        let token = sign(&json!({"sub": sub, "businessId": 1, "exp": exp}));
        assert_eq!(status_of(&proxy, &token).await, 401, "{sub}");
    }
    let token = sign(&json!({"sub": "10", "businessId": "9007199254740993", "exp": exp}));
    assert_eq!(status_of(&proxy, &token).await, 401);
    let member = session(10, 1);
    let big = "9007199254740993";
    let (status, _) = proxy.delete(&member, &format!("{THREADS}/{big}")).await;
    assert_eq!(status, 404);
    let (status, answer) = proxy
        .post(&member, FILES, &json!({"CommunityThreadId": 9_007_199_254_740_993u64, "Name": "a", "NewFileDataUrl": "x"}))
        .await;
    assert_eq!(status, 400);
    assert!(
        answer["Errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["PropertyName"] == "CommunityThreadId"),
        "{answer}"
    );
    let (status, answer) = proxy
        .post(
            &member,
            THREADS,
            &json!({"Subject": "S", "Message": "M", "CommunityGroupId": big}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["Errors"][0]["PropertyName"], "CommunityGroupId");
    let (status, answer) = proxy
        .get(
            &member,
            &format!("{THREADS}?CommunityThread_CommunityGroup={big}"),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(double.seen().is_empty(), "{:?}", double.seen());
    // 2^53 itself is an id.
    let (status, _) = proxy
        .get(
            &member,
            &format!("{THREADS}?CommunityThread_CommunityGroup=9007199254740992"),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn two_authorization_headers_are_refused() {
    let (double, proxy) = double_and_proxy(|_| {}).await;
    let member = session(10, 1);
    let res = proxy
        .request(Method::GET, None, GROUPS)
        .header("Authorization", format!("Bearer {member}"))
        .header("Authorization", "Bearer something-else")
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["Message"],
        "The request has more than one Authorization header."
    );
    assert!(double.seen().is_empty());
}
