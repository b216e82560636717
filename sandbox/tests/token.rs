//! `POST /api/token`: sign-in, refresh rotation, `client_id`, errors, expiry, roles, CORS.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use sandbox::{parse_api_user_arg, Clock, Config, ThrottleConfig};
use serde_json::{json, Value};

const TOKEN: &str = "/api/token";
const USER: &str = "api@sandbox.test";
const PASSWORD: &str = "sandbox-api-password";

/// Posts a form to /api/token; returns the status, the Cache-Control header and the body.
async fn grant(s: &Server, form: &[(&str, &str)]) -> (StatusCode, String, Value) {
    let res = s
        .http
        .post(s.url(TOKEN))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form_body(form))
        .send()
        .await
        .unwrap();
    let cache = res
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let (status, body) = read(res).await;
    (status, cache, body)
}

fn form_body(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                k,
                v.replace('%', "%25")
                    .replace('@', "%40")
                    .replace('&', "%26")
                    .replace('=', "%3D")
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn sign_in(s: &Server, user: &str, password: &str) -> Value {
    let (status, _, body) = grant(
        s,
        &[
            ("grant_type", "password"),
            ("username", user),
            ("password", password),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn assert_invalid_grant(status: StatusCode, body: &Value, secret: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(!description.is_empty());
    if !secret.is_empty() {
        assert!(!description.contains(secret), "{description}");
    }
}

#[tokio::test]
async fn password_grant_issues_a_working_bearer_pair() {
    let s = start(config()).await;
    let (status, cache, body) = grant(
        &s,
        &[
            ("grant_type", "password"),
            ("username", USER),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(cache, "no-store");
    // Sorted: under `cargo test --workspace` serde_json keeps insertion order (the widget's
    // `preserve_order` feature is unified), alone it sorts.
    let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["access_token", "expires_in", "refresh_token", "token_type"]
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    assert_ne!(access, refresh);
    assert!(access.len() >= 64, "{access}");
    // Random: a second sign-in gets other tokens.
    let again = sign_in(&s, USER, PASSWORD).await;
    assert_ne!(again["access_token"], body["access_token"]);
    assert_ne!(again["refresh_token"], body["refresh_token"]);

    // The access token is a full administrator's bearer token.
    let (status, created) = s
        .post(
            access,
            THREADS,
            &json!({ "BusinessId": 1, "UserId": 10, "Subject": "s", "Message": "m" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["UpdatedBy"], USER);
    assert_eq!(s.get(access, GROUPS).await.0, StatusCode::OK);
    // The refresh token is not a bearer token.
    assert_eq!(s.get(refresh, GROUPS).await.0, StatusCode::UNAUTHORIZED);
    // The user name is case-insensitive; client_id is optional.
    sign_in(&s, "API@Sandbox.Test", PASSWORD).await;
}

#[tokio::test]
async fn bad_credentials_are_invalid_grant_without_the_password() {
    let s = start(config()).await;
    for (user, password) in [
        (USER, "wrong-password-xyz"),
        ("nobody@sandbox.test", PASSWORD),
        (USER, ""),
        ("", ""),
        (USER, "SANDBOX-API-PASSWORD"),
    ] {
        let (status, cache, body) = grant(
            &s,
            &[
                ("grant_type", "password"),
                ("username", user),
                ("password", password),
            ],
        )
        .await;
        assert_invalid_grant(status, &body, password);
        assert_eq!(cache, "no-store");
    }
    // Missing fields altogether.
    let (status, _, body) = grant(&s, &[("grant_type", "password")]).await;
    assert_invalid_grant(status, &body, PASSWORD);
}

#[tokio::test]
async fn anything_but_a_form_grant_is_unsupported_grant_type() {
    let s = start(config()).await;
    let unsupported = |status: StatusCode, body: &Value| {
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "unsupported_grant_type", "{body}");
        assert!(body["error_description"].as_str().is_some());
    };
    // A JSON body, even with the right fields.
    let (status, body) = read(
        s.http
            .post(s.url(TOKEN))
            .json(&json!({ "grant_type": "password", "username": USER, "password": PASSWORD }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    unsupported(status, &body);
    assert!(!body.to_string().contains(PASSWORD));
    // A form body under another content type, or none.
    let form = form_body(&[
        ("grant_type", "password"),
        ("username", USER),
        ("password", PASSWORD),
    ]);
    for content_type in [Some("text/plain"), Some("multipart/form-data"), None] {
        let rb = s.http.post(s.url(TOKEN)).body(form.clone());
        let rb = match content_type {
            Some(ct) => rb.header("Content-Type", ct),
            None => rb,
        };
        let (status, body) = read(rb.send().await.unwrap()).await;
        unsupported(status, &body);
    }
    // A missing or unknown grant_type.
    for form in [
        vec![("username", USER), ("password", PASSWORD)],
        vec![("grant_type", "client_credentials")],
        vec![("grant_type", "")],
    ] {
        let (status, _, body) = grant(&s, &form).await;
        unsupported(status, &body);
    }
    // The form's content type may carry a charset.
    let res = s
        .http
        .post(s.url(TOKEN))
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Only POST.
    let res = s.http.get(s.url(TOKEN)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn refresh_rotates_and_needs_the_same_client_id() {
    let s = start(config()).await;
    let (status, _, first) = grant(
        &s,
        &[
            ("grant_type", "password"),
            ("username", USER),
            ("password", PASSWORD),
            ("client_id", "widget-demo"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let old = first["refresh_token"].as_str().unwrap();

    // Without the client_id, or with another: refused, and the token is not used up.
    for form in [
        vec![("grant_type", "refresh_token"), ("refresh_token", old)],
        vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", old),
            ("client_id", "other-client"),
        ],
    ] {
        let (status, _, body) = grant(&s, &form).await;
        assert_invalid_grant(status, &body, old);
    }
    let (status, cache, second) = grant(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", old),
            ("client_id", "widget-demo"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(cache, "no-store");
    assert_eq!(second["token_type"], "bearer");
    let new = second["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert_ne!(second["access_token"], first["access_token"]);
    assert_eq!(
        s.get(second["access_token"].as_str().unwrap(), GROUPS)
            .await
            .0,
        StatusCode::OK
    );
    // The old refresh token is used up.
    let (status, _, body) = grant(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", old),
            ("client_id", "widget-demo"),
        ],
    )
    .await;
    assert_invalid_grant(status, &body, old);
    // The client_id may come as a header too.
    let res = s
        .http
        .post(s.url(TOKEN))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("client_id", "widget-demo")
        .body(form_body(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", new),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Unknown refresh tokens; a sign-in without client_id refreshes without one.
    let (status, _, body) = grant(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "made-up"),
        ],
    )
    .await;
    assert_invalid_grant(status, &body, "made-up");
    let plain = sign_in(&s, USER, PASSWORD).await;
    let (status, _, _) = grant(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", plain["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn issued_tokens_expire_by_the_sandbox_clock() {
    let clock = Clock::new();
    let s = start(Config {
        access_token_lifetime: Duration::from_secs(60),
        clock: clock.clone(),
        ..config()
    })
    .await;
    let pair = sign_in(&s, USER, PASSWORD).await;
    assert_eq!(pair["expires_in"], 60);
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(s.get(access, GROUPS).await.0, StatusCode::OK);
    clock.advance(Duration::from_secs(59));
    assert_eq!(s.get(access, GROUPS).await.0, StatusCode::OK);
    clock.advance(Duration::from_secs(2));
    // Expired: the expired-token 401, like sandbox-expired-token's.
    let res = s
        .request(Method::GET, Some(access), GROUPS)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("expired"));
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "Message": "Authorization has been denied for this request." })
    );
    // The refresh token still works (15 days), and its new access token too.
    let (status, _, second) = grant(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", pair["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.get(second["access_token"].as_str().unwrap(), GROUPS)
            .await
            .0,
        StatusCode::OK
    );
    // After 15 days the refresh token is refused.
    clock.advance(Duration::from_secs(15 * 24 * 3600));
    let refresh = second["refresh_token"].as_str().unwrap();
    let (status, _, body) = grant(
        &s,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_invalid_grant(status, &body, refresh);
}

#[tokio::test]
async fn api_users_get_their_roles() {
    let s = start(Config {
        api_users: vec![
            parse_api_user_arg("poster@host.test:p=ss:w=rd=CommunityThread-Create").unwrap(),
            parse_api_user_arg("api@sandbox.test:replaced=admin").unwrap(),
        ],
        ..config()
    })
    .await;
    let poster = sign_in(&s, "poster@host.test", "p=ss:w=rd").await;
    let token = poster["access_token"].as_str().unwrap();
    let (status, body) = s
        .post(
            token,
            THREADS,
            &json!({ "BusinessId": 1, "UserId": 10, "Subject": "s", "Message": "m" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["UpdatedBy"], "poster@host.test");
    let (status, body) = s
        .post(
            token,
            FILES,
            &json!({ "CommunityThreadId": 1001, "Name": "n" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["Message"]
        .as_str()
        .unwrap()
        .contains("CommunityThreadFile-Create"));
    assert_eq!(s.get(token, GROUPS).await.0, StatusCode::UNAUTHORIZED);
    // An --api-user of the seeded name replaces it.
    let (status, _, body) = grant(
        &s,
        &[
            ("grant_type", "password"),
            ("username", USER),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_invalid_grant(status, &body, PASSWORD);
    sign_in(&s, USER, "replaced").await;
}

#[tokio::test]
async fn the_token_endpoint_is_not_throttled_and_answers_only_allowed_origins() {
    let s = start(Config {
        throttle: ThrottleConfig {
            enabled: true,
            min_spacing: Duration::from_secs(60),
            ..ThrottleConfig::default()
        },
        cors_origins: vec!["http://app.test:9000".into()],
        ..config()
    })
    .await;
    for _ in 0..5 {
        sign_in(&s, USER, PASSWORD).await;
    }
    let post = |origin: &'static str| {
        s.http
            .post(s.url(TOKEN))
            .header("Origin", origin)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form_body(&[
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
            ]))
            .send()
    };
    let res = post("http://app.test:9000").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://app.test:9000"
    );
    let res = post("http://localhost:8080").await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let res = s
        .http
        .request(Method::OPTIONS, s.url(TOKEN))
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
