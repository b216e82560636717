//! Installs what the commands need, and only what is missing: the wasm32 target, trunk
//! and wasm-bindgen-cli at pinned versions, npm packages from lockfiles, and Debian's
//! Chromium with its driver. Nothing here downloads from anywhere but the registries.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{capture, run, XResult};

/// trunk 0.22 needs a newer rustc than these machines have.
pub const TRUNK_VERSION: &str = "0.21.14";
/// Must equal the `wasm-bindgen` crate version pinned in Cargo.toml.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// Debian's chromium and its driver.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver, used by wasm-bindgen-test-runner.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi in the e2e tests.
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// Debian's Redis, started by the host backend's shared-state tests on a free port.
pub const REDIS_SERVER: &str = "/usr/bin/redis-server";
/// The S3-compatible server of the host backend's bucket tests: it checks SigV4 signatures,
/// presigned URLs included. 0.15 and later need rustc 1.96; these machines have 1.95.
pub const S3S_FS_VERSION: &str = "0.14.1";
/// Debian's WebKitGTK driver (its MiniBrowser comes with libwebkit2gtk), driven by
/// selenium-webdriver in the e2e tests.
pub const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";

/// Paths of the project and of the tools it installed.
pub struct Toolbox {
    /// The repository root.
    pub root: PathBuf,
    /// `$CARGO_HOME/bin`, where `cargo install` puts trunk and wasm-bindgen.
    pub cargo_bin: PathBuf,
}

impl Toolbox {
    /// Finds the repository root and cargo's bin folder.
    pub fn new() -> Toolbox {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
            .unwrap_or_else(|| PathBuf::from(".cargo"));
        Toolbox {
            root,
            cargo_bin: cargo_home.join("bin"),
        }
    }

    /// `PATH` with cargo's bin folder and the npm tools (wasm-opt) first, so trunk and the
    /// test runner find the pinned versions and never reach for a download.
    pub fn path_env(&self) -> OsString {
        let mut paths = vec![
            self.root.join("tools/node_modules/.bin"),
            self.cargo_bin.clone(),
        ];
        if let Some(existing) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&existing));
        }
        std::env::join_paths(paths).unwrap_or_default()
    }

    /// A command run at the repository root with the tool `PATH`.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(&self.root)
            .env("PATH", self.path_env())
            .env("TRUNK_SKIP_VERSION_CHECK", "true");
        command
    }

    /// Everything the demo needs.
    pub fn ensure_for_demo(&self) -> XResult {
        self.ensure_wasm_target()?;
        self.ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, &["--locked", "--debug"])?;
        // Its lockfile names a webpki-roots the registry lacks, so no --locked.
        self.ensure_cargo_tool(
            "wasm-bindgen",
            "wasm-bindgen-cli",
            WASM_BINDGEN_VERSION,
            &[],
        )?;
        self.ensure_npm("tools")
    }

    /// Everything `cargo xtask package` needs: the wasm32 target, wasm-bindgen, and
    /// wasm-opt and esbuild from npm.
    pub fn ensure_for_package(&self) -> XResult {
        self.ensure_wasm_target()?;
        self.ensure_cargo_tool(
            "wasm-bindgen",
            "wasm-bindgen-cli",
            WASM_BINDGEN_VERSION,
            &[],
        )?;
        self.ensure_npm("tools")
    }

    /// Everything the tests need: the demo's tools, the three browser engines, Redis, the S3
    /// server and the e2e packages (playwright-core, puppeteer-core, selenium-webdriver,
    /// axe-core).
    pub fn ensure_for_tests(&self) -> XResult {
        self.ensure_for_demo()?;
        self.ensure_redis()?;
        self.ensure_s3_server()?;
        self.ensure_chromium()?;
        self.ensure_other_engines()?;
        self.ensure_npm("e2e")
    }

    fn ensure_wasm_target(&self) -> XResult {
        let installed = capture(
            self.command("rustup")
                .args(["target", "list", "--installed"]),
        )
        .unwrap_or_default();
        if installed
            .lines()
            .any(|line| line.trim() == "wasm32-unknown-unknown")
        {
            return Ok(());
        }
        run(self
            .command("rustup")
            .args(["target", "add", "wasm32-unknown-unknown"]))
    }

    /// Installs `krate@version` with `cargo install` unless `binary --version` says it.
    pub fn ensure_cargo_tool(
        &self,
        binary: &str,
        krate: &str,
        version: &str,
        flags: &[&str],
    ) -> XResult {
        let path = self.cargo_bin.join(binary);
        let found = capture(Command::new(&path).arg("--version")).unwrap_or_default();
        if found.split_whitespace().any(|word| word == version) {
            return Ok(());
        }
        eprintln!("xtask: installing {krate} {version} (once per machine; a few minutes)");
        run(self
            .command("cargo")
            .arg("install")
            .args(flags)
            .arg(format!("{krate}@{version}")))
    }

    /// `npm ci` in `dir` unless its node_modules already matches the lockfile.
    pub fn ensure_npm(&self, dir: &str) -> XResult {
        let folder = self.root.join(dir);
        let lock = folder.join("package-lock.json");
        let installed = folder.join("node_modules/.package-lock.json");
        let modified = |path: &Path| fs::metadata(path).and_then(|m| m.modified()).ok();
        match (modified(&lock), modified(&installed)) {
            (Some(lock_time), Some(installed_time)) if installed_time >= lock_time => Ok(()),
            _ => run(self.command("npm").current_dir(&folder).args([
                "ci",
                "--no-audit",
                "--no-fund",
            ])),
        }
    }

    /// Debian's redis-server for the host backend's shared-state tests (each test starts its
    /// own on a free loopback port; no system service is used).
    pub fn ensure_redis(&self) -> XResult {
        ensure_debian_packages(
            &[(REDIS_SERVER, "redis-server")],
            "the host backend's shared-state tests",
        )
    }

    /// `s3s-fs` from crates.io for the host backend's bucket tests (each test starts its own
    /// on a free loopback port over a fresh folder); its binary needs the `binary` feature.
    pub fn ensure_s3_server(&self) -> XResult {
        self.ensure_cargo_tool(
            "s3s-fs",
            "s3s-fs",
            S3S_FS_VERSION,
            &["--locked", "--features", "binary"],
        )
    }

    fn ensure_chromium(&self) -> XResult {
        ensure_debian_packages(
            &[(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")],
            "the browser tests",
        )
    }

    /// Firefox ESR and WebKitGTK for the end-to-end tests in all three engines; the
    /// MiniBrowser has no headless mode, so it draws on an Xvfb display (`xauth` for
    /// `xvfb-run`, to watch a run by hand).
    fn ensure_other_engines(&self) -> XResult {
        ensure_debian_packages(
            &[
                (FIREFOX, "firefox-esr"),
                (WEBKIT_DRIVER, "webkit2gtk-driver"),
                ("/usr/bin/Xvfb", "xvfb"),
                ("/usr/bin/xauth", "xauth"),
            ],
            "the end-to-end tests in Firefox and WebKit",
        )
    }

    /// A C++ compiler for the fuzz smoke (libfuzzer-sys builds libFuzzer).
    pub fn ensure_cxx(&self) -> XResult {
        ensure_debian_packages(&[("/usr/bin/g++", "g++")], "the fuzz target")
    }
}

/// Installs the Debian packages whose files are missing (`(file, package)` pairs) with
/// apt-get when running as root; otherwise says which to install, and what for.
fn ensure_debian_packages(needed: &[(&str, &str)], purpose: &str) -> XResult {
    let missing: Vec<&str> = needed
        .iter()
        .filter(|(file, _)| !Path::new(file).exists())
        .map(|&(_, package)| package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    let uid = capture(Command::new("id").arg("-u")).unwrap_or_default();
    if uid.trim() != "0" {
        return Err(format!(
            "{purpose} need Debian's {list}: install them with \
             `sudo apt-get install --no-install-recommends {list}`"
        ));
    }
    eprintln!("xtask: installing Debian's {list} for {purpose}");
    run(Command::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}
