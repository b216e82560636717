//! `Idempotency-Key` through the proxy, with the sandbox behind it and its faults: one key is
//! one write, however many requests carry it, whatever happens to the answers.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const KEY: &str = "6f1c0e3a-1b2c-4d5e-8f90-123456789abc";

fn conversation(subject: &str) -> Value {
    json!({"Subject": subject, "Message": "Hello", "CommunityGroupId": 1, "Guests": []})
}

/// Status, whether replayed, JSON body.
async fn keyed(
    proxy: &Running,
    token: &str,
    method: Method,
    path: &str,
    key: &str,
    body: Option<&Value>,
) -> (u16, bool, Value) {
    let mut rb = proxy
        .request(method, Some(token), path)
        .header("Idempotency-Key", key);
    if let Some(body) = body {
        rb = rb.json(body);
    }
    let res = rb.send().await.unwrap();
    let replayed = res
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let (status, body) = read(res).await;
    (status.as_u16(), replayed, body)
}

async fn threads(sandbox: &str) -> Vec<Value> {
    created(sandbox).await["threads"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn files(sandbox: &str) -> Vec<Value> {
    created(sandbox).await["files"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_replay_gives_the_same_answer_without_a_second_write_or_a_count() {
    let (sandbox, proxy) = stack_with(|c| c.member_writes_per_minute = 1).await;
    let ada = session(10, 1);
    let body = conversation("Once");
    let (status, replayed, first) =
        keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!((status, replayed), (200, false), "{first}");
    for _ in 0..3 {
        let (status, replayed, again) =
            keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
        assert_eq!((status, replayed), (200, true), "{again}");
        assert_eq!(again, first);
    }
    assert_eq!(threads(&sandbox).await.len(), 1);
    // Replays were not counted: the one write a minute was the first.
    let (status, _, _) = keyed(&proxy, &ada, Method::POST, THREADS, "other", Some(&body)).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_make_one_upstream_call() {
    let (sandbox, proxy) = stack().await;
    fault(
        &sandbox,
        json!({"method": "POST", "path": THREADS, "delayMs": 600}),
    )
    .await;
    let ada = session(10, 1);
    let body = conversation("Concurrent");
    let answers = futures_util::future::join_all(
        (0..8).map(|_| keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body))),
    )
    .await;
    let firsts = answers.iter().filter(|a| a.0 == 200 && !a.1).count();
    let replays = answers.iter().filter(|a| a.0 == 200 && a.1).count();
    let in_flight = answers.iter().filter(|a| a.0 == 409).count();
    assert_eq!(firsts, 1, "{answers:?}");
    assert_eq!(replays + in_flight, 7, "{answers:?}");
    for (status, _, body) in &answers {
        if *status == 409 {
            assert_eq!(body["WasSuccessful"], false);
            assert!(body["Message"]
                .as_str()
                .unwrap()
                .contains("still being processed"));
        }
    }
    assert_eq!(threads(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn in_flight_is_409_with_retry_after_then_the_answer() {
    let (sandbox, proxy) = stack().await;
    fault(
        &sandbox,
        json!({"method": "POST", "path": THREADS, "delayMs": 800}),
    )
    .await;
    let ada = session(10, 1);
    let body = conversation("Wait");
    let first = {
        let (proxy_base, ada, body) = (proxy.base.clone(), ada.clone(), body.clone());
        tokio::spawn(async move {
            client()
                .post(format!("{proxy_base}{THREADS}"))
                .bearer_auth(ada)
                .header("Idempotency-Key", KEY)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    // The second arrives while the first is held by the delay.
    assert!(
        wait_until(Duration::from_secs(5), || async {
            let res = proxy
                .request(Method::POST, Some(&ada), THREADS)
                .header("Idempotency-Key", KEY)
                .json(&body)
                .send()
                .await
                .unwrap();
            res.status() == 409 && res.headers()["retry-after"] == "1"
        })
        .await
    );
    assert_eq!(first.await.unwrap(), 200);
    let (status, replayed, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!((status, replayed), (200, true));
    assert_eq!(threads(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn another_payload_under_a_used_key_is_422() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let (status, _, _) = keyed(
        &proxy,
        &ada,
        Method::POST,
        THREADS,
        KEY,
        Some(&conversation("One")),
    )
    .await;
    assert_eq!(status, 200);
    let (status, replayed, body) = keyed(
        &proxy,
        &ada,
        Method::POST,
        THREADS,
        KEY,
        Some(&conversation("Two")),
    )
    .await;
    assert_eq!((status, replayed), (422, false), "{body}");
    assert_eq!(body["WasSuccessful"], false);
    assert!(body["Message"]
        .as_str()
        .unwrap()
        .contains("different request"));
    assert_eq!(threads(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn keys_are_per_member() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let grace = session(11, 1);
    let body = conversation("Mine");
    let (_, _, a) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    let (status, replayed, g) =
        keyed(&proxy, &grace, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!(
        (status, replayed),
        (200, false),
        "Grace's key is her own: {g}"
    );
    assert_ne!(a["Value"]["Id"], g["Value"]["Id"]);
    let made = threads(&sandbox).await;
    assert_eq!(made.len(), 2);
    // Grace's other payload under the same key is not refused because of Ada's record.
    let (status, _, _) = keyed(
        &proxy,
        &grace,
        Method::POST,
        THREADS,
        "k2",
        Some(&conversation("x")),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_client_that_disconnects_mid_flight_gets_the_replay() {
    let (sandbox, proxy) = stack().await;
    fault(
        &sandbox,
        json!({"method": "POST", "path": THREADS, "delayMs": 1000}),
    )
    .await;
    let ada = session(10, 1);
    let body = conversation("Gone");
    let hasty = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let res = hasty
        .post(proxy.url(THREADS))
        .bearer_auth(&ada)
        .header("Idempotency-Key", KEY)
        .json(&body)
        .send()
        .await;
    assert!(res.is_err(), "the client gave up");
    assert!(
        wait_until(Duration::from_secs(5), || async {
            let (s, r, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
            s == 200 && r
        })
        .await
    );
    assert_eq!(threads(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn expired_keys_are_forgotten() {
    let (sandbox, proxy) = stack_with(|c| c.idempotency_ttl = Duration::from_millis(300)).await;
    let ada = session(10, 1);
    let body = conversation("Later");
    let (status, _, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!(status, 200);
    assert!(
        wait_until(Duration::from_secs(5), || async {
            let (s, r, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
            s == 200 && !r
        })
        .await,
        "after the TTL the key is new again"
    );
    assert_eq!(threads(&sandbox).await.len(), 2);
}

#[tokio::test]
async fn a_dropped_answer_is_settled_by_a_look_up_after_the_window() {
    let (sandbox, proxy) =
        stack_with(|c| c.idempotency_settle_window = Duration::from_millis(500)).await;
    fault(
        &sandbox,
        json!({"method": "POST", "path": THREADS, "dropAfterHandling": true}),
    )
    .await;
    let ada = session(10, 1);
    let body = conversation("Dropped");
    let (status, _, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!(status, 502);
    // Within the window: in flight.
    let (status, _, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!(status, 409);
    assert!(
        wait_until(Duration::from_secs(5), || async {
            let (s, r, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
            s == 200 && r
        })
        .await
    );
    let (_, _, settled) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    let made = threads(&sandbox).await;
    assert_eq!(made.len(), 1);
    assert_eq!(settled["Value"]["Id"], made[0]["Id"]);
    assert_eq!(settled["WasSuccessful"], true);
}

#[tokio::test]
async fn a_5xx_after_the_write_is_settled_at_once() {
    let (sandbox, proxy) = stack().await;
    fault(
        &sandbox,
        json!({"method": "POST", "path": THREADS, "failAfterHandling": true}),
    )
    .await;
    let ada = session(10, 1);
    let body = conversation("Failed");
    let (status, _, first) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!(status, 200, "the look-up found it: {first}");
    let made = threads(&sandbox).await;
    assert_eq!(made.len(), 1);
    assert_eq!(first["Value"]["Id"], made[0]["Id"]);
    let (status, replayed, again) =
        keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!((status, replayed), (200, true));
    assert_eq!(again, first);
    assert_eq!(threads(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn a_5xx_before_the_write_frees_the_key() {
    let (sandbox, proxy) = stack().await;
    fault(
        &sandbox,
        json!({"method": "POST", "path": THREADS, "status": 500}),
    )
    .await;
    let ada = session(10, 1);
    let body = conversation("Not yet");
    let (status, _, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!(status, 500);
    let (status, replayed, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!((status, replayed), (200, false), "sent again, once");
    assert_eq!(threads(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn an_attach_that_outlives_the_client_is_one_file() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let thread = proxy.create_thread(&ada, "With a file").await;
    let url = proxy
        .upload(&ada, "a.txt", "text/plain", b"hello".to_vec())
        .await;
    fault(
        &sandbox,
        json!({"method": "POST", "path": FILES, "delayMs": 1000}),
    )
    .await;
    let body = json!({"CommunityThreadId": thread, "Name": "a.txt", "NewFileDataUrl": url});
    let hasty = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let gone = hasty
        .post(proxy.url(FILES))
        .bearer_auth(&ada)
        .header("Idempotency-Key", KEY)
        .json(&body)
        .send()
        .await;
    assert!(gone.is_err());
    assert!(
        wait_until(Duration::from_secs(5), || async {
            let (s, r, _) = keyed(&proxy, &ada, Method::POST, FILES, KEY, Some(&body)).await;
            s == 200 && r
        })
        .await
    );
    assert_eq!(files(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn a_keyed_delete_replays() {
    let (_sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let thread = proxy.create_thread(&ada, "To delete").await;
    let path = format!("{THREADS}/{thread}");
    let (status, replayed, _) = keyed(&proxy, &ada, Method::DELETE, &path, KEY, None).await;
    assert_eq!((status, replayed), (200, false));
    let (status, replayed, _) = keyed(&proxy, &ada, Method::DELETE, &path, KEY, None).await;
    assert_eq!((status, replayed), (200, true));
}

#[tokio::test]
async fn bad_keys_are_refused_before_anything_happens() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let body = conversation("Bad key");
    let long = "k".repeat(256);
    for key in ["", "has space", long.as_str()] {
        let (status, _, answer) =
            keyed(&proxy, &ada, Method::POST, THREADS, key, Some(&body)).await;
        assert_eq!(status, 400, "{key:?}");
        assert!(answer["Message"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key"));
    }
    let res = proxy
        .request(Method::POST, Some(&ada), THREADS)
        .header("Idempotency-Key", "a")
        .header("Idempotency-Key", "b")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(threads(&sandbox).await.is_empty());
}

#[tokio::test]
async fn a_member_holding_too_many_keys_is_told_to_wait() {
    let (sandbox, proxy) = stack_with(|c| c.idempotency_keys_per_member = 2).await;
    let ada = session(10, 1);
    for (i, key) in ["a", "b"].iter().enumerate() {
        let (status, _, _) = keyed(
            &proxy,
            &ada,
            Method::POST,
            THREADS,
            key,
            Some(&conversation(&format!("n{i}"))),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, _, body) = keyed(
        &proxy,
        &ada,
        Method::POST,
        THREADS,
        "c",
        Some(&conversation("n3")),
    )
    .await;
    assert_eq!(status, 429, "{body}");
    assert!(body["Message"]
        .as_str()
        .unwrap()
        .contains("Idempotency-Key"));
    assert_eq!(threads(&sandbox).await.len(), 2);
}

#[tokio::test]
async fn cors_allows_the_key_and_exposes_the_replay_header() {
    let (_sandbox, proxy) =
        stack_with(|c| c.cors_origins = vec!["http://portal.example".into()]).await;
    let res = proxy
        .http
        .request(Method::OPTIONS, proxy.url(THREADS))
        .header("Origin", "http://portal.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let allowed = res.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("idempotency-key"), "{allowed}");
    let ada = session(10, 1);
    let res = proxy
        .request(Method::GET, Some(&ada), GROUPS)
        .header("Origin", "http://portal.example")
        .send()
        .await
        .unwrap();
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("idempotent-replayed"), "{exposed}");
}

#[tokio::test]
async fn a_throttled_write_frees_the_key() {
    let (sandbox, proxy) = stack().await;
    fault(
        &sandbox,
        json!({"method": "POST", "path": THREADS, "status": 409, "headers": {"Retry-After": "1"}}),
    )
    .await;
    let ada = session(10, 1);
    let body = conversation("Throttled");
    let (status, replayed, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!((status, replayed), (409, false));
    let (status, replayed, _) = keyed(&proxy, &ada, Method::POST, THREADS, KEY, Some(&body)).await;
    assert_eq!(
        (status, replayed),
        (200, false),
        "sent again, not a replayed 409"
    );
    assert_eq!(threads(&sandbox).await.len(), 1);
}
