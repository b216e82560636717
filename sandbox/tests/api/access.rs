//! Who may do what: the 401s of a missing, malformed, unknown or expired token, or a missing role.

use reqwest::{Method, StatusCode};
use sandbox::{Config, TokenSpec};
use serde_json::{json, Value};

use super::common::*;

#[tokio::test]
async fn unauthorized_cases_are_all_401() {
    let s = start(Config {
        extra_tokens: vec![
            ("reader-token".into(), TokenSpec::Roles(vec![])),
            ("custom-admin".into(), TokenSpec::Admin),
            ("custom-expired".into(), TokenSpec::Expired),
        ],
        ..config()
    })
    .await;
    let thread = new_thread("s");
    let denied = json!({ "Message": "Authorization has been denied for this request." });
    // Missing header: empty body.
    let mut rows = vec![request(Method::POST, THREADS)
        .json(thread.clone())
        .expect("no Authorization header", StatusCode::UNAUTHORIZED)
        .header("www-authenticate", "Bearer")
        .text("")];
    // Malformed header: an HTML page.
    rows.extend(
        [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer   ",
            "sandbox-admin-token",
        ]
        .map(|value| {
            request(Method::GET, GROUPS)
                .header("Authorization", value)
                .expect(
                    format!("Authorization: {value:?}"),
                    StatusCode::UNAUTHORIZED,
                )
                .header_starts("content-type", "text/html")
                .contains("", "401")
        }),
    );
    // Unknown and expired tokens: the ASP.NET JSON message.
    rows.extend(["nope", EXPIRED, "custom-expired"].map(|token| {
        post(token, THREADS, thread.clone())
            .expect(format!("the token {token}"), StatusCode::UNAUTHORIZED)
            .body(denied.clone())
    }));
    rows.push(
        get(EXPIRED, GROUPS)
            .expect("an expired token is told so", StatusCode::UNAUTHORIZED)
            .header_contains("www-authenticate", "expired"),
    );
    // Valid token without the role: 401 (never 403) with the envelope naming the role.
    rows.push(
        post(
            NO_FILES,
            FILES,
            json!({ "CommunityThreadId": 1001, "Name": "x" }),
        )
        .expect("a valid token without the role", StatusCode::UNAUTHORIZED)
        .is("/Status", 401)
        .is("/WasSuccessful", false)
        .is("/Errors", Value::Null)
        .contains("/Message", "CommunityThreadFile-Create"),
    );
    rows.push(post(NO_FILES, FILES, json!({})).expect(
        "the role check comes before validation",
        StatusCode::UNAUTHORIZED,
    ));
    for (token, method, path) in [
        ("reader-token", Method::POST, THREADS),
        ("reader-token", Method::GET, GROUPS),
        (
            NO_FILES,
            Method::DELETE,
            "/api/community/communitythreads/1001",
        ),
        (
            NO_FILES,
            Method::DELETE,
            "/api/community/communitythreadfiles/1",
        ),
    ] {
        rows.push(
            request(method, path)
                .bearer(token)
                .json(thread.clone())
                .expect(format!("{token} lacks the role"), StatusCode::UNAUTHORIZED),
        );
    }
    rows.extend([
        // Reads need a valid token, no role.
        get("reader-token", THREADS).expect("a read without a role", StatusCode::OK),
        request(Method::GET, THREADS).expect("a read without a token", StatusCode::UNAUTHORIZED),
        // Custom admins may do everything; NO_FILES may create threads and list groups.
        post("custom-admin", THREADS, thread.clone())
            .expect("a custom administrator writes", StatusCode::OK),
        post(NO_FILES, THREADS, thread.clone())
            .expect("the no-files token creates a thread", StatusCode::OK),
        get(NO_FILES, GROUPS).expect("the no-files token lists the boards", StatusCode::OK),
        // Scheme is case-insensitive.
        request(Method::GET, GROUPS)
            .header("Authorization", format!("bearer {MEMBER}"))
            .expect("the scheme in lower case", StatusCode::OK),
    ]);
    run(&s, rows).await;
}
