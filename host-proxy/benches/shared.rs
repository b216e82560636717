//! Several instances on Redis: throughput, added latency and memory.
//!
//! `cargo bench -p nexudus-host-proxy --bench shared [-- CALLS]` starts a sandbox
//! (in-process, unthrottled), a `redis-server` on a free port (nothing saved), and the release
//! binary three ways: one instance with its state in the process, one instance on Redis, two
//! instances on Redis. For each it measures, with the write limit off and pacing at 0 (a
//! deliberate wait, not overhead):
//!
//! - latency, one call at a time after a warm-up: CALLS (default 400) keyed `POST /uploads`
//!   (the write that touches every shared store: the limit, the key, the quota, the ticket) and
//!   CALLS `GET /api/community/communitygroups`, alternated (and over the instances in turn):
//!   median and 99th percentile, and what Redis adds over the in-process store;
//! - throughput: 16 clients sending keyed `POST /uploads` as fast as they are answered, CALLS
//!   x 4 in all, spread over the instances: requests per second;
//! - memory: each instance's VmRSS after start-up, its highest during the throughput run
//!   (sampled every 20 ms), and at rest after it.

mod support;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{
    percentile, run_counted, session, start_proxy, start_redis, start_sandbox, vm_rss_kib, PATH,
};

const WARM_UP: usize = 50;
const CLIENTS: usize = 16;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

async fn call(request: reqwest::RequestBuilder) -> Result<Duration, String> {
    let started = Instant::now();
    let res = request.send().await.map_err(|e| e.to_string())?;
    let status = res.status();
    res.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("answered {status}"));
    }
    Ok(started.elapsed())
}

fn keyed_upload(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    key: &str,
) -> reqwest::RequestBuilder {
    client
        .post(format!("{base}/uploads"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .header("content-type", "application/json")
        .body(r#"{"fileName":"a.png","contentType":"image/png","size":100}"#)
}

struct Figures {
    writes: Vec<Duration>,
    reads: Vec<Duration>,
    per_second: f64,
    rss: Vec<(u64, u64, u64)>,
}

async fn scenario(
    sandbox: &str,
    redis: Option<&str>,
    instances: usize,
    calls: usize,
    run: &str,
) -> Result<Figures, String> {
    let mut args = vec![
        "--upstream-min-spacing-ms",
        "0",
        "--member-writes-per-minute",
        "0",
        "--member-storage-bytes-per-day",
        "0",
        "--max-store-bytes",
        "0",
        "--quiet",
    ];
    if let Some(url) = redis {
        args.extend(["--redis-url", url]);
    }
    let proxies = (0..instances)
        .map(|_| start_proxy(sandbox, &args))
        .collect::<Result<Vec<_>, _>>()?;
    let bases: Vec<String> = proxies.iter().map(|p| p.base.clone()).collect();
    let pids: Vec<u32> = proxies.iter().map(|p| p.child.id()).collect();
    let started_rss: Vec<u64> = pids.iter().map(|p| vm_rss_kib(*p).unwrap_or(0)).collect();
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;

    let member = session(10)?;
    let (mut writes, mut reads) = (Vec::new(), Vec::new());
    for i in 0..WARM_UP + calls {
        let base = &bases[i % bases.len()];
        let key = format!("{run}-latency-{i}");
        let w = call(keyed_upload(&client, base, &member, &key)).await?;
        let r = call(client.get(format!("{base}{PATH}")).bearer_auth(&member)).await?;
        if i >= WARM_UP {
            writes.push(w);
            reads.push(r);
        }
    }
    writes.sort();
    reads.sort();

    // Throughput, with the instances' memory sampled meanwhile.
    let total = calls * 4;
    let next = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (pids, done) = (pids.clone(), done.clone());
        tokio::spawn(async move {
            let mut peak = vec![0u64; pids.len()];
            while !done.load(Ordering::Relaxed) {
                for (i, pid) in pids.iter().enumerate() {
                    peak[i] = peak[i].max(vm_rss_kib(*pid).unwrap_or(0));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            peak
        })
    };
    let sessions: Vec<String> = (0..CLIENTS as u64)
        .map(|i| session(100 + i))
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let workers = (0..CLIENTS).map(|c| {
        let (client, bases, next, token) = (
            client.clone(),
            bases.clone(),
            next.clone(),
            sessions[c].clone(),
        );
        let run = run.to_string();
        tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed) as usize;
                if n >= total {
                    return Ok::<(), String>(());
                }
                let base = &bases[n % bases.len()];
                let key = format!("{run}-load-{n}");
                call(keyed_upload(&client, base, &token, &key)).await?;
            }
        })
    });
    for worker in futures_util::future::join_all(workers).await {
        worker.map_err(|e| e.to_string())??;
    }
    let per_second = total as f64 / started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let peak = sampler.await.map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss = (0..pids.len())
        .map(|i| (started_rss[i], peak[i], vm_rss_kib(pids[i]).unwrap_or(0)))
        .collect();
    drop(proxies);
    Ok(Figures {
        writes,
        reads,
        per_second,
        rss,
    })
}

fn main() -> Result<(), String> {
    run_counted(400, 2, run)
}

async fn run(calls: usize) -> Result<(), String> {
    let sandbox = start_sandbox().await?;
    let redis = start_redis()?;
    let local = scenario(&sandbox, None, 1, calls, "local").await?;
    let one = scenario(&sandbox, Some(&redis.url), 1, calls, "one").await?;
    let two = scenario(&sandbox, Some(&redis.url), 2, calls, "two").await?;
    println!(
        "{calls} keyed POST /uploads and {calls} GET {PATH}, one at a time; then {} keyed POST /uploads from {CLIENTS} clients",
        calls * 4
    );
    let (l50, l99) = (
        percentile(&local.writes, 50.0),
        percentile(&local.writes, 99.0),
    );
    for (name, f) in [
        ("1 instance, in-process", &local),
        ("1 instance on Redis", &one),
        ("2 instances on Redis", &two),
    ] {
        let (w50, w99) = (percentile(&f.writes, 50.0), percentile(&f.writes, 99.0));
        let (r50, r99) = (percentile(&f.reads, 50.0), percentile(&f.reads, 99.0));
        println!("{name}:");
        println!(
            "  keyed write: median {:.3} ms, p99 {:.3} ms (added over in-process: median {:.3} ms, p99 {:.3} ms)",
            ms(w50),
            ms(w99),
            ms(w50.saturating_sub(l50)),
            ms(w99.saturating_sub(l99))
        );
        println!(
            "  read:        median {:.3} ms, p99 {:.3} ms",
            ms(r50),
            ms(r99)
        );
        println!("  throughput:  {:.0} keyed writes/s", f.per_second);
        for (i, (start, peak, rest)) in f.rss.iter().enumerate() {
            println!(
                "  instance {}: VmRSS {:.1} MiB after start-up, {:.1} MiB at most under load, {:.1} MiB at rest after",
                i + 1,
                mib(*start),
                mib(*peak),
                mib(*rest)
            );
        }
    }
    Ok(())
}
