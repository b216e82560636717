//! The proxy's cost: added latency per forwarded call, and memory at rest.
//!
//! `cargo bench -p nexudus-host-proxy --bench latency [-- CALLS]` starts a sandbox
//! (in-process, unthrottled, quiet) and the release `nexudus-host-proxy` binary in front of
//! it, then makes CALLS (default 500) identical `GET /api/community/communitythreads` calls
//! directly to the sandbox and as many through the proxy, interleaved, one at a time over
//! kept-alive connections, after 50 of each to warm up. It prints the direct and proxied
//! medians and 95th percentiles and their differences (the added latency), and the proxy
//! process's VmRSS (from /proc/<pid>/status) after start-up and again at rest after the run.
//!
//! Then the key store's cost per write: CALLS `POST /uploads` (a write the proxy answers itself,
//! so only the proxy is timed) without a key, with a fresh `Idempotency-Key` each (claim, spawned
//! task, recorded answer), and again with those keys (replays), interleaved, with medians and
//! 95th percentiles and the differences.
//!
//! The proxy runs with its defaults (one log line per request, to a discarded stderr) except
//! `--upstream-min-spacing-ms 0`: the pacing that keeps to Nexudus's 1 request per 100 ms is a
//! deliberate wait, not overhead, and the sandbox here is unthrottled.

mod support;

use std::time::{Duration, Instant};

use support::{
    percentile, run_counted, session, start_proxy, start_sandbox, vm_rss_kib, OPERATOR, PATH,
};

const WARM_UP: usize = 50;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn timed(client: &reqwest::Client, url: &str, token: &str) -> Result<Duration, String> {
    let started = Instant::now();
    let res = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    res.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}"));
    }
    Ok(started.elapsed())
}

fn main() -> Result<(), String> {
    run_counted(500, 1, run)
}

async fn run(calls: usize) -> Result<(), String> {
    let sandbox_base = start_sandbox().await?;
    let proxy = start_proxy(
        &sandbox_base,
        &[
            "--upstream-min-spacing-ms",
            "0",
            "--member-writes-per-minute",
            "0",
        ],
    )?;
    let pid = proxy.child.id();
    let proxy_base = proxy.base.clone();
    let rss_started = vm_rss_kib(pid);

    let member = session(10)?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let direct_url = format!("{sandbox_base}{PATH}");
    let proxy_url = format!("{proxy_base}{PATH}");
    let mut direct = Vec::with_capacity(calls);
    let mut proxied = Vec::with_capacity(calls);
    for i in 0..WARM_UP + calls {
        let d = timed(&client, &direct_url, OPERATOR).await?;
        let p = timed(&client, &proxy_url, &member).await?;
        if i >= WARM_UP {
            direct.push(d);
            proxied.push(p);
        }
    }
    direct.sort();
    proxied.sort();
    let writes = keyed_writes(&client, &proxy_base, &member, calls).await?;
    // Let the proxy settle, then read its memory at rest.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after = vm_rss_kib(pid);
    drop(proxy);

    let (d50, d95) = (percentile(&direct, 50.0), percentile(&direct, 95.0));
    let (p50, p95) = (percentile(&proxied, 50.0), percentile(&proxied, 95.0));
    println!("GET {PATH}, {calls} calls each, one at a time, after {WARM_UP} to warm up");
    println!(
        "direct to the sandbox:  median {:.3} ms, p95 {:.3} ms",
        ms(d50),
        ms(d95)
    );
    println!(
        "through the proxy:      median {:.3} ms, p95 {:.3} ms",
        ms(p50),
        ms(p95)
    );
    println!(
        "added by the proxy:     median {:.3} ms, p95 {:.3} ms",
        ms(p50.saturating_sub(d50)),
        ms(p95.saturating_sub(d95))
    );
    writes.print(calls);
    let kib = |v: Option<u64>| {
        v.map_or("unknown".to_string(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        })
    };
    println!(
        "proxy memory (VmRSS):   {} after start-up, {} at rest after the run",
        kib(rss_started),
        kib(rss_after)
    );
    Ok(())
}

/// Timings of `POST /uploads`: unkeyed, first with a key, replayed.
struct KeyedWrites {
    plain: Vec<Duration>,
    keyed: Vec<Duration>,
    replayed: Vec<Duration>,
}

impl KeyedWrites {
    fn print(&self, calls: usize) {
        let stat = |v: &[Duration]| (percentile(v, 50.0), percentile(v, 95.0));
        let (a50, a95) = stat(&self.plain);
        let (k50, k95) = stat(&self.keyed);
        let (r50, r95) = stat(&self.replayed);
        println!("POST /uploads, {calls} calls each, one at a time, after {WARM_UP} to warm up");
        println!(
            "without a key:          median {:.3} ms, p95 {:.3} ms",
            ms(a50),
            ms(a95)
        );
        println!(
            "with a new key:         median {:.3} ms, p95 {:.3} ms",
            ms(k50),
            ms(k95)
        );
        println!(
            "replayed:               median {:.3} ms, p95 {:.3} ms",
            ms(r50),
            ms(r95)
        );
        println!(
            "added by the key store: median {:.3} ms, p95 {:.3} ms",
            ms(k50.saturating_sub(a50)),
            ms(k95.saturating_sub(a95))
        );
    }
}

async fn post_upload(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    key: Option<&str>,
) -> Result<Duration, String> {
    let started = Instant::now();
    let mut rb = client
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(r#"{"fileName":"a.png","contentType":"image/png","size":100}"#);
    if let Some(key) = key {
        rb = rb.header("Idempotency-Key", key);
    }
    let res = rb.send().await.map_err(|e| e.to_string())?;
    let status = res.status();
    res.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}"));
    }
    Ok(started.elapsed())
}

async fn keyed_writes(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    calls: usize,
) -> Result<KeyedWrites, String> {
    let url = format!("{base}/uploads");
    let mut out = KeyedWrites {
        plain: Vec::with_capacity(calls),
        keyed: Vec::with_capacity(calls),
        replayed: Vec::with_capacity(calls),
    };
    for i in 0..WARM_UP + calls {
        let key = format!("bench-key-{i:08}");
        let a = post_upload(client, &url, token, None).await?;
        let k = post_upload(client, &url, token, Some(&key)).await?;
        let r = post_upload(client, &url, token, Some(&key)).await?;
        if i >= WARM_UP {
            out.plain.push(a);
            out.keyed.push(k);
            out.replayed.push(r);
        }
    }
    out.plain.sort();
    out.keyed.sort();
    out.replayed.sort();
    Ok(out)
}
