//! `cargo xtask fuzz [SECONDS]`: runs the classifier's cargo-fuzz target (`fuzz/`) for
//! SECONDS (default 60), from the seed corpus, writing new inputs to a scratch folder so
//! the checkout stays clean. libFuzzer prints how many inputs ran; a crash fails the run.

use std::fs;

use crate::run::{run, XResult};
use crate::tools::Toolbox;

/// The cargo-fuzz release that builds on these machines' rustc.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Installs cargo-fuzz if needed and fuzzes the classifier for `seconds`.
pub fn fuzz(toolbox: &Toolbox, seconds: u32) -> XResult {
    toolbox.ensure_cxx()?;
    toolbox.ensure_cargo_tool(
        "cargo-fuzz",
        "cargo-fuzz",
        CARGO_FUZZ_VERSION,
        &["--locked"],
    )?;
    let scratch = std::env::temp_dir().join(format!("nsc-fuzz-corpus-{}", std::process::id()));
    fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let result = run(toolbox
        .command("cargo")
        .args(["fuzz", "run", "classify"])
        .arg(&scratch)
        .arg("fuzz/corpus/classify")
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        // cargo-fuzz needs nightly-only flags; only a stable toolchain can be had here.
        .env("RUSTC_BOOTSTRAP", "1"));
    let _ = fs::remove_dir_all(&scratch);
    result
}
