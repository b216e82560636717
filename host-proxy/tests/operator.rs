//! The operator's credential by password grant: signed in through the sandbox's
//! `POST /api/token` on first use (once, however many requests arrive together), renewed by
//! refresh token before expiry, renewed once on a 401 and the call retried, signed in again
//! when the refresh token is refused; a refused sign-in never shows the credential.

mod common;

use std::time::Duration;

use common::*;
use nexudus_host_proxy::{OperatorCredential, Secret};
use serde_json::json;

const API_USER: &str = "api@sandbox.test";
const API_PASSWORD: &str = "sandbox-api-password";

fn password_config(upstream: &str, password: &str) -> nexudus_host_proxy::Config {
    let mut c = proxy_config(upstream);
    // The board list is read from Nexudus on every call, so each call here reaches it.
    c.board_cache_ttl = std::time::Duration::ZERO;
    c.credential = OperatorCredential::Password {
        username: Secret::new(API_USER),
        password: Secret::new(password),
    };
    c
}

fn grants(proxy: &Running) -> (u64, u64) {
    proxy.proxy.as_ref().unwrap().grants()
}

#[tokio::test]
async fn signs_in_once_then_refreshes_before_expiry() {
    let mut sc = sandbox_config();
    sc.access_token_lifetime = Duration::from_secs(1);
    let sandbox = start_sandbox(sc).await;
    let proxy = start_proxy(password_config(&sandbox, API_PASSWORD)).await;
    let member = session(10, 1);
    // Requests arriving together share one sign-in.
    let calls = (0..8).map(|_| {
        let http = proxy.http.clone();
        let url = proxy.url(GROUPS);
        let member = member.clone();
        async move {
            http.get(url)
                .bearer_auth(member)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(calls).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(grants(&proxy), (1, 0));
    // The token lives a second: the proxy renews it by refresh token, ahead of expiry, and
    // no call in between fails.
    let renewed = wait_until(Duration::from_secs(10), || async {
        let (status, _) = proxy.get(&member, GROUPS).await;
        assert_eq!(status, 200);
        grants(&proxy).1 >= 1
    })
    .await;
    assert!(renewed, "no refresh grant: {:?}", grants(&proxy));
    assert_eq!(grants(&proxy).0, 1, "signed in again instead of refreshing");
}

#[tokio::test]
async fn a_401_renews_once_and_retries_once() {
    let sc = sandbox_config();
    let clock = sc.clock.clone();
    let sandbox = start_sandbox(sc).await;
    let proxy = start_proxy(password_config(&sandbox, API_PASSWORD)).await;
    let member = session(10, 1);
    let (status, _) = proxy.get(&member, GROUPS).await;
    assert_eq!((status.as_u16(), grants(&proxy)), (200, (1, 0)));
    // Two hours later (for the sandbox only): the access token it holds is expired, which the
    // proxy learns from a 401.
    clock.advance(Duration::from_secs(2 * 3600));
    let thread = proxy.create_thread(&member, "After a 401").await;
    assert!(thread > 0);
    assert_eq!(grants(&proxy), (1, 1));
    // Sixteen days later the refresh token is gone too: the refresh is refused and the
    // proxy signs in again with the password.
    clock.advance(Duration::from_secs(16 * 24 * 3600));
    let (status, body) = proxy.get(&member, GROUPS).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(grants(&proxy), (2, 2));
}

#[tokio::test]
async fn a_refused_sign_in_is_a_500_that_names_no_secret() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let proxy = start_proxy(password_config(&sandbox, "wrong-password-42")).await;
    let member = session(10, 1);
    let res = proxy
        .http
        .post(proxy.url(THREADS))
        .bearer_auth(&member)
        .json(&json!({"Subject": "S", "Message": "M"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 500);
    let text = res.text().await.unwrap();
    assert!(text.contains("could not sign in"), "{text}");
    for secret in ["wrong-password-42", API_USER, JWT_SECRET, &member] {
        assert!(!text.contains(secret), "{text}");
    }
    assert_eq!(created(&sandbox).await["threads"], json!([]));
}
