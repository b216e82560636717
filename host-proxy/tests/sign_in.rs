//! The operator's sign-in is single-flight with a shared back-off: a wrong password costs one
//! `/api/token` call however many requests wait, and a hanging token endpoint costs one call
//! while every waiting request is answered by its own deadline, together, not one after
//! another.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use common::*;
use nexudus_host_proxy::{OperatorCredential, Secret};
use serde_json::json;

fn password_config(upstream: &str, password: &str) -> nexudus_host_proxy::Config {
    let mut c = proxy_config(upstream);
    c.credential = OperatorCredential::Password {
        username: Secret::new("api@sandbox.test"),
        password: Secret::new(password),
    };
    c
}

/// `n` concurrent reads as one member each; their statuses and the slowest answer's time.
async fn concurrent_reads(proxy: &Running, n: u64) -> (Vec<u16>, Duration) {
    let started = Instant::now();
    let calls = (0..n).map(|i| {
        let request = proxy
            .request(reqwest::Method::GET, Some(&session(100 + i, 1)), GROUPS)
            .send();
        async move {
            let status = request.await.map_or(0, |r| r.status().as_u16());
            (status, started.elapsed())
        }
    });
    let answers = futures_util::future::join_all(calls).await;
    let slowest = answers.iter().map(|(_, t)| *t).max().unwrap_or_default();
    (answers.into_iter().map(|(s, _)| s).collect(), slowest)
}

#[tokio::test]
async fn fifty_waiters_on_a_wrong_password_make_one_sign_in() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let proxy = start_proxy(password_config(&sandbox, "wrong-password-42")).await;
    let (statuses, slowest) = concurrent_reads(&proxy, 50).await;
    assert!(statuses.iter().all(|s| *s == 500), "{statuses:?}");
    let (password_grants, _) = proxy.proxy.as_ref().unwrap().grants();
    eprintln!("50 waiters on a wrong password: {password_grants} sign-in calls, all answered in {slowest:?}");
    assert!(password_grants <= 2, "{password_grants} sign-in calls");
    // Within the back-off, a new request fails fast without a new call.
    let (statuses, _) = concurrent_reads(&proxy, 5).await;
    assert!(statuses.iter().all(|s| *s == 500), "{statuses:?}");
    assert_eq!(proxy.proxy.as_ref().unwrap().grants().0, password_grants);
}

#[tokio::test]
async fn a_hanging_token_endpoint_answers_every_waiter_by_its_deadline() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let app = axum::Router::new()
        .route(
            "/api/token",
            post(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                std::future::pending::<&'static str>()
            }),
        )
        .fallback(|| async { axum::Json(json!({"Records": []})) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut config = password_config(&base, "any");
    config.upstream_timeout = Duration::from_secs(1);
    let proxy = start_proxy(config).await;
    // Waiters arrive over two seconds, a tenth of a second apart.
    let started = Instant::now();
    let waiters: Vec<_> = (0..20u64)
        .map(|i| {
            let request = proxy
                .request(reqwest::Method::GET, Some(&session(100 + i, 1)), GROUPS)
                .send();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100 * i)).await;
                let sent = Instant::now();
                let status = request.await.map_or(0, |r| r.status().as_u16());
                (status, sent.elapsed())
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    for w in waiters {
        let (status, took) = w.await.unwrap();
        assert_eq!(status, 504);
        slowest = slowest.max(took);
    }
    let calls = calls.load(Ordering::SeqCst);
    eprintln!(
        "hanging token endpoint, 20 waiters over 2 s: {calls} sign-in calls, slowest answer {slowest:?}, all done after {:?}",
        started.elapsed()
    );
    assert!(slowest < Duration::from_millis(1500), "{slowest:?}");
    assert!(calls <= 2, "{calls} sign-in calls");
}
