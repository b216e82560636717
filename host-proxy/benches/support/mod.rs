//! What the proxy's benchmarks share: an in-process sandbox, the release binary in front of it
//! (killed when dropped), member sessions, percentiles.

// Each benchmark uses a part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use nexudus_host_proxy::claims::{mint, Member};
use nexudus_host_proxy::Secret;

const BIN: &str = env!("CARGO_BIN_EXE_nexudus-host-proxy");
/// The operator's fixed token, which the sandbox also takes directly.
pub const OPERATOR: &str = "bench-operator-token";
const KEY: &str = "bench-member-jwt-secret-0123456789abcdef";
/// The read both benchmarks make: the conversations list, which the proxy forwards every time
/// (the board list is answered from its cache, so it would time the cache).
pub const PATH: &str = "/api/community/communitythreads";

/// The proxy binary, running; killed (and its file store removed) when dropped.
pub struct Proxy {
    /// The process.
    pub child: std::process::Child,
    /// Its origin, as it printed it.
    pub base: String,
    uploads: PathBuf,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.uploads);
    }
}

/// Starts a quiet, unthrottled sandbox on a free loopback port in the current runtime, with
/// the operator's token seeded; returns its origin.
pub async fn start_sandbox() -> Result<String, String> {
    let config = sandbox::Config {
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
    let sandbox = sandbox::Sandbox::new(config, local).map_err(|e| e.to_string())?;
    let base = sandbox.base_url().to_string();
    tokio::spawn(sandbox.run(listener, std::future::pending()));
    Ok(base)
}

/// Starts the release proxy in front of `upstream` with its defaults and `args`, the
/// operator's fixed token and the benchmarks' session key; waits for its listening line.
pub fn start_proxy(upstream: &str, args: &[&str]) -> Result<Proxy, String> {
    static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let uploads = std::env::temp_dir().join(format!("host-proxy-bench-{}-{n}", std::process::id()));
    let child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--upstream", upstream])
        .args(args)
        .arg("--uploads-dir")
        .arg(&uploads)
        .env_remove("NEXUDUS_USERNAME")
        .env_remove("NEXUDUS_PASSWORD")
        .env("NEXUDUS_API_TOKEN", OPERATOR)
        .env("MEMBER_JWT_SECRET", KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {BIN}: {e}"))?;
    let mut proxy = Proxy {
        child,
        base: String::new(),
        uploads,
    };
    let stdout = proxy.child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    proxy.base = line
        .trim()
        .strip_prefix("nexudus-host-proxy listening on ")
        .ok_or_else(|| format!("unexpected first line: {line:?}"))?
        .to_string();
    Ok(proxy)
}

/// A `redis-server` on a free loopback port, nothing saved; killed when dropped.
pub struct Redis {
    child: std::process::Child,
    /// `redis://127.0.0.1:<port>`.
    pub url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Debian's `redis-server` (or `REDIS_SERVER`) and waits until it takes connections.
pub fn start_redis() -> Result<Redis, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let child = Command::new(&binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--loglevel", "warning"])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {binary}: {e} (cargo xtask test installs it)"))?;
    let redis = Redis {
        child,
        url: format!("redis://127.0.0.1:{port}"),
    };
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(redis);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err("redis-server did not start".into())
}

/// VmRSS of process `pid` in KiB (from /proc/<pid>/status).
pub fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A session for member `user_id` of business 1, valid for an hour.
pub fn session(user_id: u64) -> Result<String, String> {
    let member = Member {
        user_id,
        business_id: 1,
    };
    mint(&Secret::new(KEY), member, Duration::from_secs(3600)).map(|s| s.expose().to_string())
}

/// The `p`th percentile of `sorted` (nearest rank).
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs a bench's `run(count)` on a tokio runtime of `workers` threads; `count` is the first
/// command-line argument that parses as a number, else `default`.
pub fn run_counted<F>(
    default: usize,
    workers: usize,
    run: impl FnOnce(usize) -> F,
) -> Result<(), String>
where
    F: std::future::Future<Output = Result<(), String>>,
{
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(default);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(run(count))
}
