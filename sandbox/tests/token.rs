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
const FORM: &str = "application/x-www-form-urlencoded";

/// `POST /api/token` with `form` as a form body.
fn grant(form: &[(&str, &str)]) -> Request {
    request(Method::POST, TOKEN)
        .header("Content-Type", FORM)
        .raw(form_body(form))
}

/// The password grant of `user`.
fn password_grant(user: &str, password: &str) -> Request {
    grant(&[
        ("grant_type", "password"),
        ("username", user),
        ("password", password),
    ])
}

/// The refresh grant of `token`, with `client_id` when given.
fn refresh_grant(token: &str, client_id: Option<&str>) -> Request {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    form.extend(client_id.map(|id| ("client_id", id)));
    grant(&form)
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

/// Signs `user` in; returns the token pair.
async fn sign_in(s: &Server, user: &str, password: &str) -> Value {
    let row = password_grant(user, password).expect(format!("{user} signs in"), StatusCode::OK);
    check(s, row).await.body
}

/// `request` refused with `invalid_grant`: two fields, a description that does not repeat
/// `secret`.
fn invalid_grant(request: Request, what: &str, secret: &str) -> Exchange {
    let row = request
        .expect(what, StatusCode::BAD_REQUEST)
        .is("/error", "invalid_grant")
        .len("", 2)
        .not_empty("/error_description");
    if secret.is_empty() {
        row
    } else {
        row.lacks("/error_description", secret)
    }
}

/// `request` refused with `unsupported_grant_type`, with a description.
fn unsupported(request: Request, what: &str) -> Exchange {
    request
        .expect(what, StatusCode::BAD_REQUEST)
        .is("/error", "unsupported_grant_type")
        .not_empty("/error_description")
}

#[tokio::test]
async fn password_grant_issues_a_working_bearer_pair() {
    let s = start(config()).await;
    // The keys, in any order: the workspace build gives serde_json `preserve_order` (the
    // widget's), so the order on the wire is not something to test.
    let pair = password_grant(USER, PASSWORD)
        .expect("a sign-in", StatusCode::OK)
        .header("cache-control", "no-store")
        .len("", 4)
        .present("/access_token")
        .present("/refresh_token")
        .is("/token_type", "bearer")
        .is("/expires_in", 3600);
    let body = check(&s, pair).await.body;
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    assert_ne!(access, refresh);
    assert!(access.len() >= 64, "{access}");
    // Random: a second sign-in gets other tokens.
    let again = sign_in(&s, USER, PASSWORD).await;
    assert_ne!(again["access_token"], body["access_token"]);
    assert_ne!(again["refresh_token"], body["refresh_token"]);

    run(
        &s,
        [
            // The access token is a full administrator's bearer token.
            post(access, THREADS, new_thread("s"))
                .expect("the access token writes", StatusCode::OK)
                .is("/UpdatedBy", USER),
            get(access, GROUPS).expect("the access token reads", StatusCode::OK),
            // The refresh token is not a bearer token.
            get(refresh, GROUPS).expect("the refresh token as a bearer", StatusCode::UNAUTHORIZED),
            // The user name is case-insensitive; client_id is optional.
            password_grant("API@Sandbox.Test", PASSWORD)
                .expect("the user name in any case", StatusCode::OK),
        ],
    )
    .await;
}

#[tokio::test]
async fn bad_credentials_are_invalid_grant_without_the_password() {
    let s = start(config()).await;
    let mut rows: Vec<Exchange> = [
        (USER, "wrong-password-xyz"),
        ("nobody@sandbox.test", PASSWORD),
        (USER, ""),
        ("", ""),
        (USER, "SANDBOX-API-PASSWORD"),
    ]
    .map(|(user, password)| {
        invalid_grant(
            password_grant(user, password),
            &format!("{user:?} with {password:?}"),
            password,
        )
        .header("cache-control", "no-store")
    })
    .into();
    // Missing fields altogether.
    rows.push(invalid_grant(
        grant(&[("grant_type", "password")]),
        "no user name, no password",
        PASSWORD,
    ));
    run(&s, rows).await;
}

#[tokio::test]
async fn anything_but_a_form_grant_is_unsupported_grant_type() {
    let s = start(config()).await;
    // A JSON body, even with the right fields.
    let mut rows = vec![unsupported(
        request(Method::POST, TOKEN)
            .json(json!({ "grant_type": "password", "username": USER, "password": PASSWORD })),
        "a JSON body",
    )
    .text_lacks(PASSWORD)];
    // A form body under another content type, or none.
    let form = form_body(&[
        ("grant_type", "password"),
        ("username", USER),
        ("password", PASSWORD),
    ]);
    for content_type in [Some("text/plain"), Some("multipart/form-data"), None] {
        let request = request(Method::POST, TOKEN).raw(form.clone());
        let request = match content_type {
            Some(content_type) => request.header("Content-Type", content_type),
            None => request,
        };
        rows.push(unsupported(request, &format!("a form as {content_type:?}")));
    }
    // A missing or unknown grant_type.
    rows.extend(
        [
            vec![("username", USER), ("password", PASSWORD)],
            vec![("grant_type", "client_credentials")],
            vec![("grant_type", "")],
        ]
        .map(|form| unsupported(grant(&form), &format!("the form {form:?}"))),
    );
    rows.extend([
        // The form's content type may carry a charset.
        request(Method::POST, TOKEN)
            .header("Content-Type", format!("{FORM}; charset=UTF-8"))
            .raw(form)
            .expect("a form with a charset", StatusCode::OK),
        // Only POST.
        request(Method::GET, TOKEN).expect("a GET", StatusCode::METHOD_NOT_ALLOWED),
    ]);
    run(&s, rows).await;
}

#[tokio::test]
async fn refresh_rotates_and_needs_the_same_client_id() {
    let s = start(config()).await;
    let sign_in_as_client = grant(&[
        ("grant_type", "password"),
        ("username", USER),
        ("password", PASSWORD),
        ("client_id", "widget-demo"),
    ])
    .expect("a sign-in with a client_id", StatusCode::OK);
    let first = check(&s, sign_in_as_client).await.body;
    let old = first["refresh_token"].as_str().unwrap();

    // Without the client_id, or with another: refused, and the token is not used up.
    run(
        &s,
        [
            invalid_grant(
                refresh_grant(old, None),
                "a refresh without the client_id",
                old,
            ),
            invalid_grant(
                refresh_grant(old, Some("other-client")),
                "a refresh with another client_id",
                old,
            ),
        ],
    )
    .await;
    let rotated = refresh_grant(old, Some("widget-demo"))
        .expect("a refresh with the client_id", StatusCode::OK)
        .header("cache-control", "no-store")
        .is("/token_type", "bearer");
    let second = check(&s, rotated).await.body;
    let new = second["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert_ne!(second["access_token"], first["access_token"]);
    run(
        &s,
        [
            get(second["access_token"].as_str().unwrap(), GROUPS)
                .expect("the new access token", StatusCode::OK),
            // The old refresh token is used up.
            invalid_grant(
                refresh_grant(old, Some("widget-demo")),
                "the old refresh token again",
                old,
            ),
            // The client_id may come as a header too.
            request(Method::POST, TOKEN)
                .header("Content-Type", FORM)
                .header("client_id", "widget-demo")
                .raw(form_body(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", new),
                ]))
                .expect("the client_id as a header", StatusCode::OK),
            // Unknown refresh tokens.
            invalid_grant(
                refresh_grant("made-up", None),
                "an unknown refresh token",
                "made-up",
            ),
        ],
    )
    .await;
    // A sign-in without client_id refreshes without one.
    let plain = sign_in(&s, USER, PASSWORD).await;
    run(
        &s,
        [
            refresh_grant(plain["refresh_token"].as_str().unwrap(), None)
                .expect("a refresh of a sign-in without client_id", StatusCode::OK),
        ],
    )
    .await;
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
    let reads = |what: &str| get(access, GROUPS).expect(what, StatusCode::OK);
    run(&s, [reads("a fresh access token")]).await;
    clock.advance(Duration::from_secs(59));
    run(&s, [reads("an access token of 59 s")]).await;
    clock.advance(Duration::from_secs(2));
    // Expired: the expired-token 401, like sandbox-expired-token's.
    run(
        &s,
        [get(access, GROUPS)
            .expect("an access token of 61 s", StatusCode::UNAUTHORIZED)
            .header_contains("www-authenticate", "expired")
            .body(json!({ "Message": "Authorization has been denied for this request." }))],
    )
    .await;
    // The refresh token still works (15 days), and its new access token too.
    let refreshed = refresh_grant(pair["refresh_token"].as_str().unwrap(), None).expect(
        "the refresh token after the access token expired",
        StatusCode::OK,
    );
    let second = check(&s, refreshed).await.body;
    run(
        &s,
        [get(second["access_token"].as_str().unwrap(), GROUPS)
            .expect("the refreshed access token", StatusCode::OK)],
    )
    .await;
    // After 15 days the refresh token is refused.
    clock.advance(Duration::from_secs(15 * 24 * 3600));
    let refresh = second["refresh_token"].as_str().unwrap();
    run(
        &s,
        [invalid_grant(
            refresh_grant(refresh, None),
            "a refresh token of 15 days",
            refresh,
        )],
    )
    .await;
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
    run(
        &s,
        [
            post(token, THREADS, new_thread("s"))
                .expect("the poster creates a thread", StatusCode::OK)
                .is("/UpdatedBy", "poster@host.test"),
            post(
                token,
                FILES,
                json!({ "CommunityThreadId": 1001, "Name": "n" }),
            )
            .expect("the poster attaches", StatusCode::UNAUTHORIZED)
            .contains("/Message", "CommunityThreadFile-Create"),
            get(token, GROUPS).expect("the poster lists the boards", StatusCode::UNAUTHORIZED),
            // An --api-user of the seeded name replaces it.
            invalid_grant(
                password_grant(USER, PASSWORD),
                "the seeded password, replaced",
                PASSWORD,
            ),
            password_grant(USER, "replaced").expect("the replacing password", StatusCode::OK),
        ],
    )
    .await;
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
    let mut rows: Vec<Exchange> = (1..=5)
        .map(|n| password_grant(USER, PASSWORD).expect(format!("sign-in {n}"), StatusCode::OK))
        .collect();
    rows.extend([
        password_grant(USER, PASSWORD)
            .header("Origin", "http://app.test:9000")
            .expect("a sign-in from the configured origin", StatusCode::OK)
            .header("access-control-allow-origin", "http://app.test:9000"),
        password_grant(USER, PASSWORD)
            .header("Origin", "http://localhost:8080")
            .expect("a sign-in from another origin", StatusCode::OK)
            .no_header("access-control-allow-origin"),
        request(Method::OPTIONS, TOKEN)
            .header("Origin", "http://evil.example")
            .header("Access-Control-Request-Method", "POST")
            .expect("a preflight from another origin", StatusCode::OK)
            .no_header("access-control-allow-origin"),
    ]);
    run(&s, rows).await;
}
