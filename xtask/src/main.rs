//! Developer commands for nexudus-start-conversation (the xtask pattern; `.cargo/config.toml`
//! aliases `cargo xtask`).
//!
//! - `cargo xtask demo`: the sandbox on 127.0.0.1:8787, the host backend (`host-proxy/`) in
//!   front of it on 127.0.0.1:8790, and `trunk serve` on 127.0.0.1:8080.
//! - `cargo xtask test`: fmt, clippy, native tests, browser tests, the release check,
//!   end-to-end tests.
//! - `cargo xtask package`: the npm package in `pkg/` (see [`package`]).
//! - `cargo xtask release-check`: would the crate and the npm package publish (see [`release`]).
//!
//! Each command installs what is missing first (see [`tools`]).

mod bench;
mod demo_bucket;
mod demo_login;
mod fuzz;
mod host_proxy;
mod package;
mod release;
mod run;
mod tools;
mod versions;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use run::{run, run_counting, Counts, Service, XResult};
use tools::{Toolbox, CHROMEDRIVER, CHROMIUM, FIREFOX, WEBKIT_DRIVER};

/// The sandbox's seeded administrator token, printed for the demo's visitors.
const DEMO_TOKEN: &str = "sandbox-admin-token";
const DEMO_SANDBOX_ADDR: &str = "127.0.0.1:8787";
const DEMO_PAGE: &str = "127.0.0.1:8080";

const USAGE: &str = "usage: cargo xtask <command>

commands:
  demo    run the demo: the sandbox API on http://127.0.0.1:8787, the host backend
          (host-proxy) in front of it on http://127.0.0.1:8790, and the panel on
          http://127.0.0.1:8080 (trunk serve, /api proxied to the sandbox); Ctrl-C stops all.
          `demo --redis-url redis://127.0.0.1:6379` keeps the host backend's shared state
          in that Redis instead of in the process; `demo --bucket` keeps the files in a
          local S3-compatible bucket (s3s-fs on http://127.0.0.1:8792, which checks
          signatures; installed on first use) instead of a folder in target/
  test    run every check: cargo fmt, clippy (native and wasm), native tests, a short
          fuzz of the response classifier, browser tests in headless Chromium, the size
          budget, the release check, and end-to-end tests against the trunk-built demo and
          the packed npm package installed in consumer fixtures (plain ES module page, Vite,
          TypeScript), the panel's paths in Chromium, Firefox and WebKit
  package build the npm package into pkg/ (wasm with LTO and wasm-opt -Oz, ES module
          glue for --target web, the custom element, TypeScript declarations, CSS) and
          print its sizes; `npm pack pkg/` gives the tarball
  release-check
          check the crate and the npm package would publish: `cargo package --list` holds
          only what a Rust host needs, `cargo publish --dry-run` passes, `npm pack
          --dry-run` of pkg/ lists exactly the package's files, one version in Cargo.toml,
          package.json, the READMEs and the changelog, no placeholder addresses, and
          `cargo doc` for wasm32 without warnings; prints both file lists with sizes
  bench   measure the package in headless Chromium against the sandbox (bytes, start-up,
          typing, a 25 MB attachment) beside a Yew hello world; results into BENCHMARKS.md
  fuzz [SECONDS]
          fuzz the response classifier (fuzz/) for SECONDS (default 60); installs cargo-fuzz

Each installs what is missing first: the wasm32 target, trunk and wasm-bindgen-cli at
pinned versions, wasm-opt from npm, Debian's chromium, chromium-driver, firefox-esr,
webkit2gtk-driver, xvfb, xauth and redis-server (tests only), s3s-fs from crates.io (tests
only), and the npm packages of e2e/ and its fixtures from their lockfiles.";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    let toolbox = Toolbox::new();
    let result = match command.as_str() {
        "demo" => demo(&toolbox),
        "test" => test(&toolbox),
        "package" => package::build(&toolbox).map(drop),
        "release-check" => release::release_check(&toolbox),
        "bench" => bench::bench(&toolbox),
        "fuzz" => match std::env::args().nth(2).map(|n| n.parse::<u32>()) {
            None => fuzz::fuzz(&toolbox, 60),
            Some(Ok(seconds)) if seconds > 0 => fuzz::fuzz(&toolbox, seconds),
            Some(_) => Err(format!("fuzz takes a number of seconds\n\n{USAGE}")),
        },
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn target_dir(toolbox: &Toolbox) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| toolbox.root.join("target"))
}

/// Builds the sandbox and starts it on `addr` (port 0 for a free one); returns its URL.
fn start_sandbox(toolbox: &Toolbox, addr: &str, extra: &[&str]) -> XResult<(Service, String)> {
    run(toolbox
        .command("cargo")
        .args(["build", "--quiet", "--package", "sandbox"]))?;
    let binary = target_dir(toolbox).join("debug/sandbox");
    Service::spawn_listening(
        "sandbox",
        toolbox
            .command(&binary.to_string_lossy())
            .args(["--addr", addr])
            .args(extra),
        Duration::from_secs(30),
    )
}

/// `cargo xtask demo [--redis-url URL] [--bucket]`: the host backend's shared state in that
/// Redis, its files in a local bucket.
#[derive(Default)]
struct DemoFlags {
    redis_url: Option<String>,
    bucket: bool,
}

fn demo_flags() -> XResult<DemoFlags> {
    let mut flags = DemoFlags::default();
    let mut args = std::env::args().skip(2);
    while let Some(arg) = args.next() {
        match arg.split_once('=') {
            _ if arg == "--bucket" => flags.bucket = true,
            Some(("--redis-url", url)) => flags.redis_url = Some(url.to_string()),
            None if arg == "--redis-url" => {
                let url = args
                    .next()
                    .ok_or_else(|| format!("--redis-url needs a URL\n\n{USAGE}"))?;
                flags.redis_url = Some(url);
            }
            _ => {
                return Err(format!(
                    "demo takes only --redis-url URL and --bucket\n\n{USAGE}"
                ))
            }
        }
    }
    Ok(flags)
}

fn demo(toolbox: &Toolbox) -> XResult {
    toolbox.ensure_for_demo()?;
    // trunk serves /uploads on the page's origin, so the upload store's addresses use it
    // (the page's Content-Security-Policy allows only `connect-src 'self'`).
    let page_origin = format!("http://{DEMO_PAGE}");
    let (_sandbox, sandbox_url) = start_sandbox(
        toolbox,
        DEMO_SANDBOX_ADDR,
        &["--enable-faults", "--public-url", &page_origin],
    )?;
    let flags = demo_flags()?;
    let bucket = if flags.bucket {
        Some(demo_bucket::start(
            toolbox,
            &target_dir(toolbox),
            &page_origin,
        )?)
    } else {
        None
    };
    let proxy = host_proxy::start(
        toolbox,
        &target_dir(toolbox),
        &sandbox_url,
        &page_origin,
        &host_proxy::Stores {
            redis_url: flags.redis_url.as_deref(),
            bucket: bucket.as_ref(),
        },
    )?;
    demo_login::serve(proxy.session.clone())?;
    let mut trunk_serve = toolbox.command("trunk");
    trunk_serve.arg("serve");
    // The page may PUT to the bucket's origin (trunk's post_build hook, xtask/demo-csp.mjs).
    match &bucket {
        Some(bucket) => trunk_serve.env("DEMO_CONNECT_SRC", &bucket.origin),
        None => trunk_serve.env_remove("DEMO_CONNECT_SRC"),
    };
    let mut trunk = Service::spawn("trunk", &mut trunk_serve)?;

    let (stop, stopped) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop.send(());
    })
    .map_err(|e| format!("could not watch for Ctrl-C: {e}"))?;

    eprintln!("xtask: building the demo (the first build takes about a minute)…");
    let started = Instant::now();
    while TcpStream::connect(DEMO_PAGE).is_err() {
        if trunk.has_exited() {
            return Err("trunk serve stopped before it was ready (see its output above)".into());
        }
        if stopped.recv_timeout(Duration::from_millis(250)).is_ok() {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(600) {
            return Err("trunk serve was not ready within 10 minutes".into());
        }
    }
    println!();
    println!("  The panel:        http://{DEMO_PAGE}/");
    println!("  The sandbox API:  {sandbox_url} (proxied at /api, /uploads and /_sandbox)");
    println!("  Demo token:       {DEMO_TOKEN} (already used by the demo page)");
    println!(
        "  The host backend: {} (host-proxy → the sandbox, as its API user api@sandbox.test)",
        proxy.url
    );
    if let Some(bucket) = &bucket {
        println!(
            "  The files:        {} (s3s-fs over target/demo-bucket/; the host backend signs, the page PUTs there)",
            bucket.origin
        );
    }
    println!("  Member session:   {}", proxy.session);
    println!("                    (user 10, business 1, in restricted board 4; the page gets it");
    println!("                    from /login/session, a stand-in for the host's own login)");
    println!();
    println!("  Press Ctrl-C to stop them all.");
    loop {
        if stopped.recv_timeout(Duration::from_millis(500)).is_ok() {
            return Ok(());
        }
        if trunk.has_exited() {
            return Err("trunk serve stopped".into());
        }
    }
}

/// One step of `cargo xtask test`, as reported at the end.
struct StepReport {
    name: &'static str,
    result: XResult,
    took: Duration,
}

#[derive(Default)]
struct Report {
    steps: Vec<StepReport>,
    counts: Counts,
}

impl Report {
    fn step(&mut self, name: &'static str, action: impl FnOnce() -> XResult) -> bool {
        eprintln!("\nxtask: ── {name} ──");
        let started = Instant::now();
        let result = action();
        let ok = result.is_ok();
        if let Err(message) = &result {
            eprintln!("xtask: {name} failed: {message}");
        }
        self.steps.push(StepReport {
            name,
            result,
            took: started.elapsed(),
        });
        ok
    }

    fn counted(&mut self, name: &'static str, command: &mut std::process::Command) -> bool {
        let mut counts = Counts::default();
        let ok = self.step(name, || {
            let (result, found) = run_counting(command);
            counts = found;
            result
        });
        self.counts.add(counts);
        ok
    }

    fn finish(self) -> XResult {
        println!("\nxtask test summary:");
        let mut failed = Vec::new();
        for step in &self.steps {
            let mark = if step.result.is_ok() { "ok  " } else { "FAIL" };
            println!(
                "  {mark} {:<24} {:>7.1} s",
                step.name,
                step.took.as_secs_f64()
            );
            if step.result.is_err() {
                failed.push(step.name);
            }
        }
        let total: Duration = self.steps.iter().map(|s| s.took).sum();
        println!("  total {:>29.1} s", total.as_secs_f64());
        println!(
            "tests: {} passed, {} failed",
            self.counts.passed, self.counts.failed
        );
        if failed.is_empty() {
            Ok(())
        } else {
            Err(format!("failed: {}", failed.join(", ")))
        }
    }
}

fn test(toolbox: &Toolbox) -> XResult {
    let mut report = Report::default();
    if !report.step("install tools", || toolbox.ensure_for_tests()) {
        return report.finish();
    }
    report.step("cargo fmt --check", || {
        run(toolbox
            .command("cargo")
            .args(["fmt", "--all", "--", "--check"]))
    });
    report.step("clippy (native)", || {
        run(toolbox.command("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ]))
    });
    report.step("clippy (wasm)", || {
        run(toolbox.command("cargo").args([
            "clippy",
            "--package",
            "nexudus-start-conversation",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ]))
    });
    report.counted(
        "native tests",
        toolbox.command("cargo").args(["test", "--workspace"]),
    );
    // The property tests check the classifier's invariants on every run; this keeps the
    // fuzz target building and gives it a short go (the first build takes ~3.5 min).
    report.step("fuzz smoke (15 s)", || fuzz::fuzz(toolbox, 15));

    // The browser tests get a sandbox that fails like live Nexudus, and one that accepts
    // `data:` URLs for the tests of the inline path a host turns on with `inlineFiles`.
    let sandboxes = start_sandbox(
        toolbox,
        "127.0.0.1:0",
        &["--enable-faults", "--no-throttle"],
    )
    .and_then(|live| {
        let inline = start_sandbox(
            toolbox,
            "127.0.0.1:0",
            &["--no-throttle", "--accept-data-urls"],
        )?;
        Ok((live, inline))
    });
    match sandboxes {
        Ok(((sandbox, sandbox_url), (inline_sandbox, inline_sandbox_url))) => {
            report.counted(
                "browser tests",
                toolbox
                    .command("cargo")
                    .args([
                        "test",
                        "--package",
                        "nexudus-start-conversation",
                        "--target",
                        "wasm32-unknown-unknown",
                    ])
                    .env("CHROMEDRIVER", CHROMEDRIVER)
                    .env("SANDBOX_URL", &sandbox_url)
                    .env("SANDBOX_INLINE_URL", &inline_sandbox_url)
                    .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
            );
            drop(sandbox);
            drop(inline_sandbox);
        }
        Err(message) => {
            report.step("browser tests", || Err(message));
        }
    }

    let built = report.step("trunk build --release", || {
        run(toolbox.command("trunk").args(["build", "--release"]))
    });
    // The npm package, packed and installed as a consumer would, into the fixtures that
    // the end-to-end tests serve (a plain ES module page, a Vite 7 build, a tsc check).
    let mut tarball = None;
    let packaged = report.step("package + npm pack", || {
        let pkg = package::build(toolbox)?;
        tarball = Some(package::pack(toolbox, &pkg)?);
        Ok(())
    });
    if packaged {
        // The size guard fails the run but does not stop the tests that use the package.
        report.step("size budget", || bench::check_size_budget(toolbox));
        report.step("release check", || {
            release::check(toolbox, &toolbox.root.join(package::PKG_DIR))
        });
        let _ = report.step("fixtures: npm install", || {
            package::install_in_fixtures(toolbox, tarball.as_deref().ok_or("no tarball")?)
        }) && report.step("fixtures: vite build", || {
            package::build_vite_fixture(toolbox)
        });
    }

    let proxy_built = report.step("host proxy build", || {
        run(toolbox
            .command("cargo")
            .args(["build", "--quiet", "--package", "nexudus-host-proxy"]))
    });
    if built && proxy_built {
        let sandbox_bin = target_dir(toolbox).join("debug/sandbox");
        report.counted(
            "end-to-end tests",
            toolbox
                .command("node")
                .current_dir(toolbox.root.join("e2e"))
                .args(["--test", "--test-reporter=spec", "tests/"])
                .env("SANDBOX_BIN", sandbox_bin)
                .env(
                    "HOST_PROXY_BIN",
                    target_dir(toolbox).join("debug/nexudus-host-proxy"),
                )
                .env("DIST_DIR", toolbox.root.join("dist"))
                .env("CHROMIUM", CHROMIUM)
                .env("FIREFOX", FIREFOX)
                .env("WEBKIT_DRIVER", WEBKIT_DRIVER),
        );
    }
    report.finish()
}
