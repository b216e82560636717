//! `cargo xtask bench`: what the panel costs the page that hosts it, measured in headless
//! Chromium on the release build of the npm package, against the sandbox; and the size
//! guard of `cargo xtask test` ([`check_size_budget`]).
//!
//! 1. The npm package ([`crate::package::build`]) and the baseline: `bench/hello`, a
//!    minimal Yew hello world built exactly like the package (release profile with LTO,
//!    `wasm-bindgen --target web`, `wasm-opt -Oz`, esbuild-minified glue).
//! 2. `node bench/run.mjs` measures (see BENCHMARKS.md for the methods) and prints the
//!    table, then `node bench/photo.mjs` cleans a 24-megapixel photo, `node
//!    bench/several-files.mjs` sends five 5 MB files and `node bench/first-paint.mjs` times
//!    navigation → painted beside Uppy core + Dashboard; their Markdown goes
//!    into BENCHMARKS.md between the result markers, with the date, the machine and the
//!    command.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::package::reset_dir;
use crate::run::{capture, run, XResult};
use crate::target_dir;
use crate::tools::{Toolbox, CHROMIUM};

/// The budget file of the size guard, at the repository root.
pub const BUDGET_FILE: &str = "size-budget.json";
/// The methods and results, at the repository root.
const REPORT_FILE: &str = "BENCHMARKS.md";
const RESULTS_START: &str = "<!-- bench:results:start -->";
const RESULTS_END: &str = "<!-- bench:results:end -->";
/// The baseline crate and the base name of its glue and wasm.
const HELLO_CRATE: &str = "bench-hello";
const HELLO_NAME: &str = "hello";

/// `cargo xtask bench`.
pub fn bench(toolbox: &Toolbox) -> XResult {
    let started = Instant::now();
    toolbox.ensure_for_tests()?;
    let pkg = crate::package::build(toolbox)?;
    let hello = build_hello(toolbox)?;

    eprintln!("xtask: building the sandbox…");
    run(toolbox
        .command("cargo")
        .args(["build", "--quiet", "--package", "sandbox"]))?;
    let sandbox = target_dir(toolbox).join("debug/sandbox");
    let out = target_dir(toolbox).join("bench");

    eprintln!("xtask: measuring in headless Chromium (about two minutes)…");
    // Other work on the machine shows up as noise: note how busy it was.
    let load = fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    let measuring = Instant::now();
    run(toolbox
        .command("node")
        .arg(toolbox.root.join("bench/run.mjs"))
        .env("SANDBOX_BIN", &sandbox)
        .env("PKG_DIR", &pkg)
        .env("HELLO_DIR", &hello)
        .env("CHROMIUM", CHROMIUM)
        .env("BENCH_OUT", &out))?;
    // The photo cleaner on a 24-megapixel photo (about half a minute).
    run(toolbox
        .command("node")
        .arg(toolbox.root.join("bench/photo.mjs"))
        .env("PKG_DIR", &pkg)
        .env("CHROMIUM", CHROMIUM)
        .env("BENCH_OUT", &out))?;
    // Five 5 MB attachments through uploadEndpoint (about 20 s).
    run(toolbox
        .command("node")
        .arg(toolbox.root.join("bench/several-files.mjs"))
        .env("SANDBOX_BIN", &sandbox)
        .env("PKG_DIR", &pkg)
        .env("CHROMIUM", CHROMIUM)
        .env("BENCH_OUT", &out))?;
    // Navigation → painted beside Uppy core + Dashboard, on a phone's profile and the
    // desktop (about three minutes; Uppy pinned by bench/uppy's lockfile).
    toolbox.ensure_npm("bench/uppy")?;
    run(toolbox
        .command("node")
        .arg(toolbox.root.join("bench/first-paint.mjs"))
        .env("PKG_DIR", &pkg)
        .env("CHROMIUM", CHROMIUM)
        .env("BENCH_OUT", &out))?;
    let measured_secs = measuring.elapsed().as_secs();

    let results = format!(
        "{}\n{}\n{}\n{}",
        read(&out.join("results.md"))?,
        read(&out.join("photo.md"))?,
        read(&out.join("several-files.md"))?,
        read(&out.join("first-paint.md"))?
    );
    let header = report_header(toolbox, started.elapsed().as_secs(), measured_secs, &load);
    let report_path = toolbox.root.join(REPORT_FILE);
    let report = fs::read_to_string(&report_path).unwrap_or_default();
    let updated = splice_results(&report, &format!("{header}\n{results}"));
    fs::write(&report_path, updated)
        .map_err(|e| format!("could not write {}: {e}", report_path.display()))?;
    eprintln!(
        "xtask: the results are in {REPORT_FILE} (bench took {} s)",
        started.elapsed().as_secs()
    );

    // The guard's verdict, for information: the bench itself does not fail on it.
    if let Err(message) = check_size_budget(toolbox) {
        eprintln!("xtask: note: {message}");
    }
    Ok(())
}

/// Builds the hello world baseline into `target/bench/hello/` (`hello.js`, `hello_bg.wasm`)
/// exactly as [`crate::package::build`] builds the package; returns the folder.
fn build_hello(toolbox: &Toolbox) -> XResult<PathBuf> {
    eprintln!("xtask: building the baseline (Yew hello world, release, LTO)…");
    // A cdylib-only crate: LTO is kept (see the toolchain notes on ["cdylib", "rlib"]).
    run(toolbox.command("cargo").args([
        "build",
        "--quiet",
        "--release",
        "--package",
        HELLO_CRATE,
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let target = target_dir(toolbox);
    let wasm = target.join("wasm32-unknown-unknown/release/bench_hello.wasm");
    let work = target.join("bench/hello-bindgen");
    let out = target.join("bench/hello");
    reset_dir(&out)?;
    crate::package::bindgen_and_shrink(toolbox, &wasm, HELLO_NAME, &work, &out)?;
    Ok(out)
}

/// One of the size guard's budgets.
struct Budget {
    /// Its key in `size-budget.json`.
    key: &'static str,
    /// The key of the list of files it counts.
    files: &'static str,
    /// What it counts, in the guard's lines.
    what: &'static str,
}

/// What loads before the custom element paints its first frame (its prerendered one): the
/// files named in `size-budget.json`'s `firstPaintFiles`.
const FIRST_PAINT: Budget = Budget {
    key: "brotliFirstPaintBytes",
    files: "firstPaintFiles",
    what: "before the element's first paint",
};
/// What loads before the mount API's live panel paints: the files named in `files` and the
/// snippets the glue imports.
const MOUNTED: Budget = Budget {
    key: "brotliTotalBytes",
    files: "files",
    what: "before the live panel (mount API)",
};
/// Everything a host may load: that, and what loads only when used (the photo cleaner's
/// lazy part).
const IN_ALL: Budget = Budget {
    key: "brotliAllBytes",
    files: "files",
    what: "in all",
};

/// The size guard, in three budgets, each a brotli total of files of `pkg/` that must not
/// exceed its number in `size-budget.json`: what loads before the element's first paint
/// (`firstPaintFiles`), what loads before the live panel of the mount API (`files`, and
/// the snippets the glue imports), and with what loads only when used (the snippets those
/// import lazily). Each list must hold what its modules import statically. Prints raw, gzip
/// and brotli sizes per file and the totals. Expects `pkg/` to be built
/// ([`crate::package::build`]).
pub fn check_size_budget(toolbox: &Toolbox) -> XResult {
    let budget_path = toolbox.root.join(BUDGET_FILE);
    let budget_text = read(&budget_path)?;
    let budget_of = |budget: &Budget| {
        json_number(&budget_text, budget.key)
            .ok_or_else(|| format!("{BUDGET_FILE} has no number `{}`", budget.key))
    };
    let files_of = |budget: &Budget| {
        json_strings(&budget_text, budget.files)
            .filter(|files| !files.is_empty())
            .ok_or_else(|| format!("{BUDGET_FILE} has no list of file names `{}`", budget.files))
    };
    let pkg = toolbox.root.join(crate::package::PKG_DIR);
    let first_paint_files = files_of(&FIRST_PAINT)?;
    let mut files = files_of(&MOUNTED)?;
    for list in [&first_paint_files, &files] {
        complete(&pkg, list)?;
    }
    // The snippets the glue imports load with it (their folder's hash changes with the
    // version, so they are found rather than listed); those they import when used (the
    // photo cleaner's lazy part) count in all only.
    let glue = read(&pkg.join("nexudus-start-conversation.js"))?;
    let snippets = crate::package::snippets(&pkg, &glue)?;
    files.extend(snippets.imported);
    let first_paint = measure_brotli(toolbox, &pkg, &first_paint_files)?;
    let mounted = measure_brotli(toolbox, &pkg, &files)?;
    files.extend(snippets.lazy);
    let in_all = measure_brotli(toolbox, &pkg, &files)?;
    let mut failures = Vec::new();
    for (budget, total) in [
        (&FIRST_PAINT, first_paint),
        (&MOUNTED, mounted),
        (&IN_ALL, in_all),
    ] {
        match budget_verdict(budget, total, budget_of(budget)?) {
            Ok(line) => println!("{line}"),
            Err(line) => failures.push(line),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Fails when a module of `files` imports statically a file of the package not in `files`:
/// a budget must count everything that loads with what it lists.
fn complete(pkg: &Path, files: &[String]) -> XResult {
    for file in files.iter().filter(|file| file.ends_with(".js")) {
        for imported in crate::package::static_imports(&read(&pkg.join(file))?) {
            if !files.contains(&imported) {
                return Err(format!(
                    "{BUDGET_FILE}: {file} imports {imported}, which its list does not name: add it"
                ));
            }
        }
    }
    Ok(())
}

/// Prints the size table of `files` in `pkg` (`bench/sizes.mjs`); returns their brotli total.
fn measure_brotli(toolbox: &Toolbox, pkg: &Path, files: &[String]) -> XResult<u64> {
    let output = capture(
        toolbox
            .command("node")
            .arg(toolbox.root.join("bench/sizes.mjs"))
            .arg(pkg)
            .args(files),
    )
    .ok_or_else(|| {
        format!(
            "could not measure {} in {} (is the package built?)",
            files.join(", "),
            pkg.display()
        )
    })?;
    let (table, totals) = output.trim_end().rsplit_once('\n').unwrap_or(("", &output));
    println!("{table}");
    json_number(totals, "brotliTotalBytes")
        .ok_or_else(|| format!("bench/sizes.mjs printed no total: `{totals}`"))
}

fn budget_verdict(budget_of: &Budget, total: u64, budget: u64) -> Result<String, String> {
    let (key, what) = (budget_of.key, budget_of.what);
    let used = if budget == 0 {
        f64::INFINITY
    } else {
        total as f64 * 100.0 / budget as f64
    };
    if total > budget {
        return Err(format!(
            "size budget exceeded: brotli {what} {total} bytes > budget {budget} bytes \
             ({used:.1}%, {} bytes over). Make the package smaller, or, if the growth is \
             worth it, raise {key} in {BUDGET_FILE} in the same change.",
            total - budget
        ));
    }
    let mut line =
        format!("size budget: brotli {what} {total} bytes ≤ budget {budget} bytes ({used:.1}%)");
    // Lower the budget as the size falls (to the measured total + 5%), once it fell by
    // more than 1% of the budget.
    let suggested = total + total.div_ceil(20);
    if suggested + budget / 100 < budget {
        line.push_str(&format!(
            "; the package shrank: lower {key} in {BUDGET_FILE} to {suggested}"
        ));
    }
    Ok(line)
}

/// The number after `"key":` in a flat JSON text.
fn json_number(text: &str, key: &str) -> Option<u64> {
    let rest = after_key(text, key)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The strings of the array after `"key":` in a flat JSON text (names without quotes,
/// backslashes or commas, as file names here are).
fn json_strings(text: &str, key: &str) -> Option<Vec<String>> {
    let rest = after_key(text, key)?.strip_prefix('[')?;
    let inner = &rest[..rest.find(']')?];
    inner
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.strip_prefix('"')
                .and_then(|item| item.strip_suffix('"'))
                .filter(|name| !name.contains(['"', '\\']))
                .map(str::to_owned)
        })
        .collect()
}

fn after_key<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let quoted = format!("\"{key}\"");
    let at = text.find(&quoted)?;
    Some(
        text[at + quoted.len()..]
            .trim_start()
            .strip_prefix(':')?
            .trim_start(),
    )
}

/// The lines above the results: when, where and how they were measured.
fn report_header(toolbox: &Toolbox, total_secs: u64, measured_secs: u64, load: &str) -> String {
    let date = capture(std::process::Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
        .map(|d| d.trim().to_owned())
        .unwrap_or_else(|| "unknown date".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == "model name").then(|| value.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory_gib = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|line| line.starts_with("MemTotal:"))?;
            let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib / 1024.0 / 1024.0)
        })
        .map_or_else(|| "unknown".into(), |gib| format!("{gib:.0} GiB"));
    let chromium = capture(std::process::Command::new(CHROMIUM).arg("--version"))
        .and_then(|text| {
            text.lines()
                .find(|line| line.contains("Chromium"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "Chromium (version unknown)".into());
    let node = capture(toolbox.command("node").arg("--version"))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default();
    let commit = capture(
        toolbox
            .command("git")
            .args(["rev-parse", "--short", "HEAD"]),
    )
    .map(|c| c.trim().to_owned())
    .unwrap_or_else(|| "unknown".into());
    let dirty = capture(toolbox.command("git").args([
        "--no-optional-locks",
        "status",
        "--porcelain",
        "--untracked-files=no",
    ]))
    .is_some_and(|status| !status.trim().is_empty());
    format!(
        "## Latest results\n\n\
         - **When:** {date}, commit `{commit}`{}\n\
         - **Command:** `cargo xtask bench` ({total_secs} s in all, {measured_secs} s of it measuring)\n\
         - **Machine:** {cores} cores, {cpu}, {memory_gib} RAM; {}; Node {node}; headless; \
         load average {load} when the measuring began\n",
        if dirty {
            " with uncommitted changes"
        } else {
            ""
        },
        chromium.trim(),
    )
}

/// `report` with the text between the result markers replaced by `results` (the markers
/// and the section are appended when missing).
fn splice_results(report: &str, results: &str) -> String {
    let block = format!("{RESULTS_START}\n{}\n{RESULTS_END}", results.trim_end());
    match (report.find(RESULTS_START), report.find(RESULTS_END)) {
        (Some(start), Some(end)) if start < end => format!(
            "{}{block}{}",
            &report[..start],
            &report[end + RESULTS_END.len()..]
        ),
        _ => {
            let mut text = report.trim_end().to_owned();
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&block);
            text.push('\n');
            text
        }
    }
}

fn read(path: &Path) -> XResult<String> {
    fs::read_to_string(path).map_err(|e| format!("could not read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_budget_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let text = fs::read_to_string(root.join(BUDGET_FILE)).unwrap();
        assert!(json_number(&text, "brotliTotalBytes").unwrap() > 10_000);
        let files = json_strings(&text, "files").unwrap();
        assert!(files.iter().any(|f| f.ends_with(".wasm")), "{files:?}");
    }

    #[test]
    fn reads_flat_json() {
        let text = r#"{"rawTotalBytes":386601, "brotliTotalBytes" : 132655,
            "files": [ "a.wasm", "b.js" ], "empty": []}"#;
        assert_eq!(json_number(text, "brotliTotalBytes"), Some(132_655));
        assert_eq!(json_number(text, "rawTotalBytes"), Some(386_601));
        assert_eq!(json_number(text, "gzipTotalBytes"), None);
        assert_eq!(
            json_strings(text, "files"),
            Some(vec!["a.wasm".to_owned(), "b.js".to_owned()])
        );
        assert_eq!(json_strings(text, "empty"), Some(vec![]));
        assert_eq!(json_strings(r#"{"files": [a.js]}"#, "files"), None);
    }

    #[test]
    fn judges_the_budget() {
        assert!(budget_verdict(&FIRST_PAINT, 100, 105)
            .unwrap()
            .ends_with("(95.2%)"));
        assert!(budget_verdict(&FIRST_PAINT, 105, 105).is_ok());
        assert!(budget_verdict(&FIRST_PAINT, 106, 105)
            .unwrap_err()
            .contains("1 bytes over"));
        // Well under: suggests measured + 5%; barely under: no suggestion.
        assert!(budget_verdict(&FIRST_PAINT, 80, 105)
            .unwrap()
            .ends_with("to 84"));
        assert!(budget_verdict(&FIRST_PAINT, 99_500, 105_000)
            .unwrap()
            .ends_with("(94.8%)"));
        assert!(budget_verdict(&FIRST_PAINT, 98_000, 105_000)
            .unwrap()
            .ends_with("to 102900"));
        // Each budget names itself and its key.
        assert!(budget_verdict(&IN_ALL, 106, 105)
            .unwrap_err()
            .contains("brotli in all 106 bytes > budget 105 bytes"));
        assert!(budget_verdict(&IN_ALL, 106, 105)
            .unwrap_err()
            .contains("raise brotliAllBytes"));
    }

    #[test]
    fn splices_results_between_the_markers() {
        let report = format!("# B\n\nmethods\n\n{RESULTS_START}\nold\n{RESULTS_END}\n\nnotes\n");
        let updated = splice_results(&report, "new\n");
        assert_eq!(
            updated,
            format!("# B\n\nmethods\n\n{RESULTS_START}\nnew\n{RESULTS_END}\n\nnotes\n")
        );
        assert_eq!(splice_results(&updated, "new"), updated);
        let appended = splice_results("# B\n", "new");
        assert_eq!(
            appended,
            format!("# B\n\n{RESULTS_START}\nnew\n{RESULTS_END}\n")
        );
    }
}
