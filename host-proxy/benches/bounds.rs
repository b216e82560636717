//! The fairness bound, measured: how long another member's read waits while one member floods
//! the proxy with reads.
//!
//! `cargo bench -p nexudus-host-proxy --bench bounds [-- READS]` starts a sandbox (in-process,
//! unthrottled, quiet) and the release `nexudus-host-proxy` binary in front of it with its
//! defaults (110 ms between Nexudus calls) except `--member-queue-depth 200`, so that all of the
//! flood queues rather than being refused. Member 10 sends 150 reads at once; then member 11
//! makes READS (default 20) reads one after another. It prints member 11's median, 99th
//! percentile and worst wait. With one queue for everyone, the wait was about 16 s.

mod support;

use std::time::{Duration, Instant};

use support::{percentile, run_counted, session, start_proxy, start_sandbox, PATH};

const FLOOD: usize = 150;

fn main() -> Result<(), String> {
    run_counted(20, 2, |reads| run(reads.max(1)))
}

async fn run(reads: usize) -> Result<(), String> {
    let sandbox_base = start_sandbox().await?;
    let proxy = start_proxy(&sandbox_base, &["--member-queue-depth", "200", "--quiet"])?;
    let url = format!("{}{PATH}", proxy.base);
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;

    let flooder = session(10)?;
    let flood: Vec<_> = (0..FLOOD)
        .map(|_| client.get(&url).bearer_auth(&flooder).send())
        .collect();
    let flood = tokio::spawn(futures_util::future::join_all(flood));
    tokio::time::sleep(Duration::from_millis(300)).await;

    let other = session(11)?;
    let mut waits = Vec::with_capacity(reads);
    for _ in 0..reads {
        let started = Instant::now();
        let res = client
            .get(&url)
            .bearer_auth(&other)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status();
        res.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("the other member's read answered {status}"));
        }
        waits.push(started.elapsed());
    }
    flood.abort();
    drop(proxy);
    waits.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "another member's read while one member has {FLOOD} reads queued ({reads} reads, 110 ms spacing):"
    );
    println!(
        "median {:.0} ms, p99 {:.0} ms, worst {:.0} ms",
        ms(percentile(&waits, 50.0)),
        ms(percentile(&waits, 99.0)),
        ms(waits[waits.len() - 1])
    );
    Ok(())
}
