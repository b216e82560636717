//! The fairness bound, measured: how long another member's read waits while one member floods
//! the proxy with reads.
//!
//! `cargo bench -p nexudus-host-proxy --bench bounds [-- READS]` starts a sandbox (in-process,
//! unthrottled, quiet) and the release `nexudus-host-proxy` binary in front of it with its
//! defaults (110 ms between Nexudus calls) except `--member-queue-depth 200`, so that all of the
//! flood queues rather than being refused. Member 10 sends 150 reads at once; then member 11
//! makes READS (default 20) reads one after another. It prints member 11's median, 99th
//! percentile and worst wait. With one queue for everyone, the wait was about 16 s.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nexudus_host_proxy::claims::{mint, Member};
use nexudus_host_proxy::Secret;

const BIN: &str = env!("CARGO_BIN_EXE_nexudus-host-proxy");
const OPERATOR: &str = "bench-operator-token";
const KEY: &str = "bench-member-jwt-secret-0123456789abcdef";
const PATH: &str = "/api/community/communitygroups";
const FLOOD: usize = 150;

/// Kills the proxy when the benchmark ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn session(user_id: u64) -> Result<String, String> {
    let member = Member {
        user_id,
        business_id: 1,
    };
    mint(&Secret::new(KEY), member, Duration::from_secs(3600)).map(|s| s.expose().to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() -> Result<(), String> {
    let reads: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(run(reads.max(1)))
}

async fn run(reads: usize) -> Result<(), String> {
    let sandbox_config = sandbox::Config {
        log_requests: false,
        throttle: sandbox::ThrottleConfig {
            enabled: false,
            ..sandbox::ThrottleConfig::default()
        },
        extra_tokens: vec![(OPERATOR.to_string(), sandbox::TokenSpec::Admin)],
        ..sandbox::Config::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let sandbox = sandbox::Sandbox::new(sandbox_config, local).map_err(|e| e.to_string())?;
    let sandbox_base = sandbox.base_url().to_string();
    tokio::spawn(sandbox.run(listener, std::future::pending()));

    let uploads = std::env::temp_dir().join(format!("host-proxy-bounds-{}", std::process::id()));
    let mut child = Child(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--upstream", &sandbox_base])
            .args(["--member-queue-depth", "200", "--quiet"])
            .arg("--uploads-dir")
            .arg(&uploads)
            .env_remove("NEXUDUS_USERNAME")
            .env_remove("NEXUDUS_PASSWORD")
            .env("NEXUDUS_API_TOKEN", OPERATOR)
            .env("MEMBER_JWT_SECRET", KEY)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {BIN}: {e}"))?,
    );
    let stdout = child.0.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let url = format!(
        "{}{PATH}",
        line.trim()
            .strip_prefix("nexudus-host-proxy listening on ")
            .ok_or_else(|| format!("unexpected first line: {line:?}"))?
    );
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
    drop(child);
    let _ = std::fs::remove_dir_all(&uploads);
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
