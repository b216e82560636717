//! The demo's host backend (`host-proxy/`): the production topology, panel → host-proxy →
//! sandbox. The proxy signs in to the sandbox as its seeded API user and accepts member
//! sessions signed with a fixed demo-only key; the demo mints one for user 10 of business 1,
//! as a host's own login would, and prints it. The session's `groups` claim names the board
//! the sandbox seeds Ada in ([`DEMO_MEMBER_GROUPS`]), so the member's picker offers that
//! restricted board too.

use std::path::Path;
use std::time::Duration;

use crate::demo_bucket::DemoBucket;
use crate::run::{capture, run, Service, XResult};
use crate::tools::Toolbox;

/// Where the demo's host backend listens.
pub const DEMO_PROXY_ADDR: &str = "127.0.0.1:8790";

/// The member-session key of the demo only: it is in this source file, so it signs nothing
/// that matters. A real deployment sets its own secret in `MEMBER_JWT_SECRET`.
const DEMO_MEMBER_JWT_SECRET: &str = "demo-only-member-session-key-never-use-in-production";

/// The boards user 10 belongs to in the sandbox's seed (`GET /_sandbox/memberships?user=10`):
/// the restricted board 4, "Founders circle". A host's login knows its members' boards.
const DEMO_MEMBER_GROUPS: &str = "4";

/// The host backend, started; its URL and the member session minted for the demo.
pub struct HostProxy {
    /// The running proxy, held so that dropping this value stops it.
    _service: Service,
    /// `http://127.0.0.1:8790`.
    pub url: String,
    /// A member session for user 10 of business 1, in board 4.
    pub session: String,
}

/// Where the demo's host backend keeps its state.
pub struct Stores<'a> {
    /// Redis, else in the process (the embedded default).
    pub redis_url: Option<&'a str>,
    /// The demo's local bucket, else a folder in `target/`.
    pub bucket: Option<&'a DemoBucket>,
}

/// Builds `nexudus-host-proxy`, mints the demo's member session and starts the proxy in
/// front of `sandbox_url`, with CORS for the demo page at `page_origin`, its state where
/// `stores` says.
pub fn start(
    toolbox: &Toolbox,
    target_dir: &Path,
    sandbox_url: &str,
    page_origin: &str,
    stores: &Stores<'_>,
) -> XResult<HostProxy> {
    run(toolbox
        .command("cargo")
        .args(["build", "--quiet", "--package", "nexudus-host-proxy"]))?;
    let binary = target_dir.join("debug/nexudus-host-proxy");
    let binary = binary.to_string_lossy();
    let session = capture(
        toolbox
            .command(&binary)
            .args(["mint-session", "--sub", "10", "--business-id", "1"])
            .args(["--groups", DEMO_MEMBER_GROUPS])
            .args(["--ttl-seconds", "86400"])
            .env("MEMBER_JWT_SECRET", DEMO_MEMBER_JWT_SECRET),
    )
    .map(|out| out.trim().to_owned())
    .filter(|s| !s.is_empty())
    .ok_or("nexudus-host-proxy mint-session failed")?;
    // The page reaches the proxy on its own origin at /host/ (trunk proxies it), so its
    // `connect-src 'self'` allows the uploads; the sandbox downloads files there too.
    let public = format!("{page_origin}/host");
    let uploads = target_dir.join("host-proxy-uploads");
    let mut command = toolbox.command(&binary);
    match stores.redis_url {
        Some(redis) => command.env("REDIS_URL", redis),
        None => command.env_remove("REDIS_URL"),
    };
    // One store: the demo's bucket, or a folder in target/.
    match stores.bucket {
        Some(bucket) => command.envs(bucket.proxy_env()),
        None => command
            .env_remove("STORE_URL")
            .arg("--uploads-dir")
            .arg(&uploads),
    };
    let (service, url) = Service::spawn_listening(
        "host-proxy",
        command
            .args(["--listen", DEMO_PROXY_ADDR, "--upstream", sandbox_url])
            .args(["--cors-origin", page_origin, "--public-base-url", &public])
            .env_remove("NEXUDUS_API_TOKEN")
            .env("NEXUDUS_USERNAME", "api@sandbox.test")
            .env("NEXUDUS_PASSWORD", "sandbox-api-password")
            .env("MEMBER_JWT_SECRET", DEMO_MEMBER_JWT_SECRET),
        Duration::from_secs(30),
    )?;
    Ok(HostProxy {
        _service: service,
        url,
        session,
    })
}
