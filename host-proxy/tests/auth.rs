//! Member sessions: no, malformed, expired, not-yet-valid and wrongly signed JWTs are refused
//! with 401 before anything reaches the upstream; the operator's credential never reaches the
//! member.

mod common;

use common::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

fn sign(claims: &Value, key: &str, alg: Algorithm) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(key.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn now() -> u64 {
    nexudus_host_proxy::claims::unix_now()
}

#[tokio::test]
async fn bad_sessions_are_refused_before_the_upstream() {
    let double = start_double(|_| json_response(200, &json!({"Records": []}))).await;
    let proxy = start_proxy(proxy_config(&double.base)).await;
    let exp = now() + 600;
    let bad: Vec<(&str, Option<String>)> = vec![
        ("no header", None),
        ("not bearer", Some("Basic abc".into())),
        ("empty bearer", Some("Bearer ".into())),
        ("garbage", Some("Bearer not-a-jwt".into())),
        (
            "expired",
            Some(format!(
                "Bearer {}",
                sign(&json!({"sub": "10", "businessId": 1, "exp": now() - 3600}), JWT_SECRET, Algorithm::HS256)
            )),
        ),
        (
            "not yet valid",
            Some(format!(
                "Bearer {}",
                sign(&json!({"sub": "10", "businessId": 1, "exp": exp, "nbf": now() + 600}), JWT_SECRET, Algorithm::HS256)
            )),
        ),
        (
            "wrong key",
            Some(format!(
                "Bearer {}",
                sign(&json!({"sub": "10", "businessId": 1, "exp": exp}), "another-key-another-key-another-key", Algorithm::HS256)
            )),
        ),
        (
            "other algorithm",
            Some(format!(
                "Bearer {}",
                sign(&json!({"sub": "10", "businessId": 1, "exp": exp}), JWT_SECRET, Algorithm::HS512)
            )),
        ),
        (
            "no exp",
            Some(format!(
                "Bearer {}",
                sign(&json!({"sub": "10", "businessId": 1}), JWT_SECRET, Algorithm::HS256)
            )),
        ),
        (
            "no businessId",
            Some(format!(
                "Bearer {}",
                sign(&json!({"sub": "10", "exp": exp}), JWT_SECRET, Algorithm::HS256)
            )),
        ),
        (
            "alg none",
            Some("Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxMCIsImJ1c2luZXNzSWQiOjEsImV4cCI6OTk5OTk5OTk5OX0.".into()),
        ),
        // The operator's own token is no member session either.
        ("operator token", Some(format!("Bearer {OPERATOR_TOKEN}"))),
    ];
    let routes = [
        (Method::GET, GROUPS.to_string()),
        (Method::GET, format!("{THREADS}?CommunityThread_User=10")),
        (Method::POST, THREADS.to_string()),
        (Method::POST, FILES.to_string()),
        (Method::DELETE, format!("{THREADS}/1002")),
        (Method::DELETE, format!("{FILES}/1")),
        (Method::POST, "/uploads".to_string()),
    ];
    for (what, header) in &bad {
        for (method, path) in &routes {
            let mut rb = proxy.http.request(method.clone(), proxy.url(path));
            if let Some(h) = header {
                rb = rb.header("Authorization", h);
            }
            let res = rb.json(&json!({"Subject": "x"})).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 401, "{what}: {method} {path}");
            assert_eq!(res.headers()["www-authenticate"], "Bearer");
            let text = res.text().await.unwrap();
            assert!(!text.contains("eyJ"), "{what}: the answer echoes a token");
        }
    }
    assert!(double.seen().is_empty(), "{:?}", double.seen());

    // The same routes with a good session do reach it.
    let (status, _) = proxy.get(&session(10, 1), GROUPS).await;
    assert_eq!(status, 200);
    assert_eq!(double.seen().len(), 1);
}

#[tokio::test]
async fn the_upstream_gets_the_operators_credential_and_nothing_of_the_member() {
    let double = start_double(|_| json_response(200, &json!({"Records": []}))).await;
    let proxy = start_proxy(proxy_config(&double.base)).await;
    let member = session(10, 1);
    let res = proxy
        .request(Method::GET, Some(&member), GROUPS)
        .header("Cookie", "portal-session=abc")
        .header("X-Forwarded-For", "1.2.3.4")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let seen = double.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {OPERATOR_TOKEN}").as_str())
    );
}

#[tokio::test]
async fn the_operators_token_never_appears_in_an_answer() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let proxy = start_proxy(proxy_config(&sandbox)).await;
    let member = session(10, 1);
    let thread = proxy.create_thread(&member, "Leak check").await;
    let file_url = proxy
        .upload(&member, "a.txt", "text/plain", b"hello".to_vec())
        .await;
    // Faults that echo the request or fail in every way the proxy answers itself.
    fault(
        &sandbox,
        json!({"path": GROUPS, "status": 500, "body": "{\"Message\":\"An error has occurred.\"}"}),
    )
    .await;
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, GROUPS.into(), None),
        (Method::GET, GROUPS.into(), None),
        (
            Method::GET,
            format!("{THREADS}?CommunityThread_Subject=Leak%20check"),
            None,
        ),
        (Method::POST, THREADS.into(), Some(json!({"Subject": ""}))),
        (
            Method::POST,
            FILES.into(),
            Some(json!({"CommunityThreadId": thread, "Name": "a", "NewFileDataUrl": file_url})),
        ),
        (
            Method::POST,
            FILES.into(),
            Some(json!({"CommunityThreadId": 1001, "Name": "a", "NewFileDataUrl": file_url})),
        ),
        (
            Method::POST,
            FILES.into(),
            Some(
                json!({"CommunityThreadId": thread, "Name": "a", "NewFileDataUrl": "data:text/plain;base64,aGk="}),
            ),
        ),
        (Method::DELETE, format!("{THREADS}/1001"), None),
        (
            Method::GET,
            "/api/community/communitythreads/1001".into(),
            None,
        ),
        (Method::GET, "/_sandbox/created".into(), None),
        (Method::POST, "/api/token".into(), Some(json!({}))),
        (
            Method::POST,
            "/uploads".into(),
            Some(json!({"contentType": "text/html", "size": 3})),
        ),
    ];
    let mut answers = 0;
    for (method, path, body) in calls {
        let mut rb = proxy.request(method.clone(), Some(&member), &path);
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        let res = rb.send().await.unwrap();
        for (name, value) in res.headers() {
            let value = value.to_str().unwrap_or("");
            assert!(
                !value.contains(OPERATOR_TOKEN),
                "{method} {path}: header {name}"
            );
        }
        let text = res.text().await.unwrap();
        assert!(!text.contains(OPERATOR_TOKEN), "{method} {path}: {text}");
        assert!(!text.contains(JWT_SECRET), "{method} {path}: {text}");
        answers += 1;
    }
    assert_eq!(answers, 12);
    // And an unreachable upstream's 502 names nothing either.
    let dead = start_proxy(proxy_config("http://127.0.0.1:9")).await;
    let res = dead
        .request(Method::GET, Some(&member), GROUPS)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 502);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["WasSuccessful"], false);
    assert!(!body.to_string().contains(OPERATOR_TOKEN));
}
