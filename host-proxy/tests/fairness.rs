//! Fair turns at the upstream (reads of conversations, which always go upstream; the board
//! list is cached): a member flooding reads cannot push another member's read past
//! a second; a member's own queue is capped (429 + Retry-After); queued time counts toward
//! the upstream timeout; abandoned requests leave the queue. The upstream here is a recording
//! double that answers at once, so every delay measured is the proxy's queueing, at the
//! default spacing of 110 ms.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

async fn fair_stack(depth: usize, timeout: Duration) -> (Double, Running) {
    let double =
        start_double(|_| json_response(200, &json!({"Records": [], "TotalItems": 0}))).await;
    let mut config = proxy_config(&double.base);
    config.upstream_min_spacing = Duration::from_millis(110);
    config.member_queue_depth = depth;
    config.upstream_timeout = timeout;
    (double, start_proxy(config).await)
}

/// Fires `n` concurrent reads as `token`, each abandoned after `give_up`; the statuses (0 for
/// an abandoned one).
fn flood(
    proxy: &Running,
    token: &str,
    n: usize,
    give_up: Duration,
) -> tokio::task::JoinHandle<Vec<(u16, Option<String>)>> {
    let calls: Vec<_> = (0..n)
        .map(|_| {
            proxy
                .request(reqwest::Method::GET, Some(token), THREADS)
                .timeout(give_up)
                .send()
        })
        .collect();
    tokio::spawn(async move {
        futures_util::future::join_all(calls)
            .await
            .into_iter()
            .map(|r| match r {
                Ok(res) => (
                    res.status().as_u16(),
                    res.headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string),
                ),
                Err(_) => (0, None),
            })
            .collect()
    })
}

/// Times `n` reads by another member, one after another.
async fn other_member_reads(proxy: &Running, n: usize) -> Vec<Duration> {
    let other = session(11, 1);
    let mut times = Vec::new();
    for _ in 0..n {
        let started = Instant::now();
        let (status, body) = proxy.get(&other, THREADS).await;
        assert_eq!(status, 200, "{body}");
        times.push(started.elapsed());
    }
    times.sort();
    times
}

fn report(label: &str, sorted: &[Duration]) {
    let p = |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    eprintln!(
        "{label}: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms over {} reads",
        p(0.5).as_secs_f64() * 1000.0,
        p(0.99).as_secs_f64() * 1000.0,
        sorted[sorted.len() - 1].as_secs_f64() * 1000.0,
        sorted.len()
    );
}

#[tokio::test]
async fn a_flooding_member_cannot_delay_another_past_a_second() {
    let (double, proxy) = fair_stack(200, Duration::from_secs(30)).await;
    let flooder = session(10, 1);
    let flood = flood(&proxy, &flooder, 150, Duration::from_secs(30));
    // The flood is queued before the other member arrives.
    let queued = wait_until(Duration::from_secs(5), || async {
        double.seen().len() >= 3
    })
    .await;
    assert!(queued);
    let times = other_member_reads(&proxy, 10).await;
    report("other member's read under a 150-read flood", &times);
    assert!(times[times.len() - 1] < Duration::from_secs(1), "{times:?}");
    // The flood is still being served, in its own time (16.5 s); no need to wait for it.
    assert!(!flood.is_finished());
    flood.abort();
}

#[tokio::test]
async fn a_full_queue_is_refused_with_retry_after() {
    let (_double, proxy) = fair_stack(20, Duration::from_secs(30)).await;
    let flooder = session(10, 1);
    let statuses = flood(&proxy, &flooder, 60, Duration::from_secs(30))
        .await
        .unwrap();
    let refused: Vec<_> = statuses.iter().filter(|(s, _)| *s == 429).collect();
    let served = statuses.iter().filter(|(s, _)| *s == 200).count();
    assert!(refused.len() >= 30, "{statuses:?}");
    assert_eq!(served + refused.len(), 60, "{statuses:?}");
    assert!(refused.iter().all(|(_, ra)| ra
        .as_deref()
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|s| s >= 1)));
    // The refusal is the envelope with a clear message.
    let other = session(11, 1);
    let (status, _) = proxy.get(&other, THREADS).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn time_queued_counts_toward_the_upstream_timeout() {
    let (_double, proxy) = fair_stack(200, Duration::from_secs(1)).await;
    let flooder = session(10, 1);
    let started = Instant::now();
    let statuses = flood(&proxy, &flooder, 40, Duration::from_secs(30))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    let timed_out = statuses.iter().filter(|(s, _)| *s == 504).count();
    // 40 slots of 110 ms take 4.4 s; with one deadline from arrival the ones past the first
    // second are answered 504 at that second.
    assert!(timed_out >= 25, "{statuses:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn abandoned_requests_leave_the_queue() {
    let (double, proxy) = fair_stack(200, Duration::from_secs(30)).await;
    let flooder = session(10, 1);
    let statuses = flood(&proxy, &flooder, 150, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(statuses.iter().filter(|(s, _)| *s == 0).count() >= 100);
    let before = double.seen().len();
    let times = other_member_reads(&proxy, 3).await;
    report("read after 150 abandoned reads", &times);
    assert!(times[times.len() - 1] < Duration::from_secs(1), "{times:?}");
    // The abandoned calls never went out.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = double.seen().len();
    assert!(sent <= before + 3 + 2, "{before} then {sent}");
}
