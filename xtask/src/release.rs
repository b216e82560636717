//! `cargo xtask release-check`: would the crate and the npm package publish, with the right
//! files, one version, the licence, and documentation that builds?
//!
//! - The crate: `cargo package --list` holds what a Rust host needs and nothing else (the
//!   library's sources, the CSS it links, the Yew host example, README, LICENSE, CHANGELOG),
//!   and `cargo publish --dry-run` packages and builds it; the `.crate`'s size is printed.
//! - The npm package: `npm pack --dry-run` of `pkg/` lists exactly the files a host loads,
//!   their declarations, README, LICENSE and CHANGELOG.
//! - One version everywhere, and `repository`, `homepage`, `bugs` real or absent
//!   ([`crate::versions`]).
//! - `cargo doc` for `wasm32-unknown-unknown` (the docs.rs target) with `-D warnings`, with
//!   the default features (what docs.rs builds) and without (what a Rust host builds).
//!
//! Every part runs; the error lists all that failed.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

use crate::package::{self, crate_version, CRATE};
use crate::run::{run, XResult};
use crate::target_dir;
use crate::tools::Toolbox;
use crate::versions::{self, manifest_value, placeholder_reason};

/// What `cargo package` adds to the listed files itself.
const CARGO_GENERATED: &[&str] = &["Cargo.toml.orig", "Cargo.lock", ".cargo_vcs_info.json"];
/// The crate's files besides `src/**/*.rs` and the language packs `locales/*.json`: each
/// must be there, and nothing else may.
const CRATE_FILES: &[&str] = &[
    "Cargo.toml",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "examples/yew_host.rs",
    "static/nexudus-start-conversation.css",
    // The photo cleaner's JavaScript, which `src/photo/clean.rs` names for wasm-bindgen: a
    // Rust host's build reads them from the crate.
    "js/clean-image.js",
    "js/clean-image-work.js",
];
/// Exactly the files of the npm package: what a host loads (the entry points, the early
/// paint and its prerendered frames, the glue, the wasm, the shadow root's CSS module, the CSS), the declarations, and the documents; and
/// the snippets the glue imports and those load lazily ([`package::snippets`]); and the
/// language packs (`locales/*.json`).
const NPM_FILES: &[&str] = &[
    "package.json",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "index.js",
    "index.d.ts",
    "element.js",
    "element.d.ts",
    "language.js",
    "paint.js",
    "paint.d.ts",
    "early-frame.js",
    "frames.js",
    "style.js",
    "nexudus-start-conversation.js",
    "nexudus-start-conversation_bg.wasm",
    "nexudus-start-conversation.css",
];
/// The target of the crate's docs on docs.rs (`[package.metadata.docs.rs] targets`).
const DOCS_TARGET: &str = "wasm32-unknown-unknown";

/// Runs every part of the check against the built npm package in `pkg`.
pub fn check(toolbox: &Toolbox, pkg: &Path) -> XResult {
    let root = &toolbox.root;
    let version = crate_version(root)?;
    let mut failures = Vec::new();
    let mut part = |name: &str, result: XResult| {
        if let Err(message) = result {
            eprintln!("xtask: release check: {name}: {message}");
            failures.push(format!("{name}: {message}"));
        }
    };
    part("versions", check_versions(root, &version));
    part("addresses and licence", check_metadata(root));
    part("crate files", check_crate_files(toolbox));
    part(
        "cargo publish --dry-run",
        publish_dry_run(toolbox, &version),
    );
    part(
        "npm pack --dry-run",
        check_npm_files(toolbox, pkg, &version),
    );
    part("cargo doc", check_docs(toolbox));
    if failures.is_empty() {
        eprintln!("xtask: release check passed for {CRATE} {version}");
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

fn read(path: &Path) -> XResult<String> {
    fs::read_to_string(path).map_err(|e| format!("could not read {}: {e}", path.display()))
}

fn read_json(path: &Path) -> XResult<Value> {
    serde_json::from_str(&read(path)?).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// Cargo.toml's version in `js/package.json`, the snippets and the changelog.
fn check_versions(root: &Path, version: &str) -> XResult {
    let mut drift = Vec::new();
    let npm = read_json(&root.join("js/package.json"))?;
    match npm.get("version").and_then(Value::as_str) {
        Some(found) if found == version => {}
        found => drift.push(format!("js/package.json: version {found:?}")),
    }
    for file in versions::SNIPPET_FILES {
        for (line, found) in versions::snippet_versions(&read(&root.join(file))?) {
            if !versions::names_version(&found, version) {
                drift.push(format!("{file}:{line}: {found:?}"));
            }
        }
    }
    let changelog = versions::changelog_version(&read(&root.join("CHANGELOG.md"))?)?;
    if changelog != version {
        drift.push(format!("CHANGELOG.md: newest release {changelog:?}"));
    }
    if drift.is_empty() {
        eprintln!("xtask: one version everywhere: {version}");
        Ok(())
    } else {
        Err(format!(
            "Cargo.toml says {version}, but {}",
            drift.join("; ")
        ))
    }
}

/// `repository`, `homepage`, `documentation` and `bugs` real or absent; MIT in both
/// manifests, with the LICENSE, CHANGELOG.md and SECURITY.md in the repository.
fn check_metadata(root: &Path) -> XResult {
    let mut problems = Vec::new();
    let manifest = read(&root.join("Cargo.toml"))?;
    let npm = read_json(&root.join("js/package.json"))?;
    let mut addresses: Vec<(String, String)> = ["repository", "homepage", "documentation"]
        .into_iter()
        .filter_map(|key| Some((format!("Cargo.toml {key}"), manifest_value(&manifest, key)?)))
        .collect();
    addresses.extend(
        versions::npm_addresses(&npm)
            .into_iter()
            .map(|(key, url)| (format!("js/package.json {key}"), url)),
    );
    for (key, url) in addresses {
        if let Some(reason) = placeholder_reason(&url) {
            problems.push(format!(
                "{key} {url:?} is a placeholder ({reason}): give a real address or remove it"
            ));
        }
    }
    if manifest_value(&manifest, "license").as_deref() != Some("MIT") {
        problems.push("Cargo.toml: license is not \"MIT\"".into());
    }
    if npm.get("license").and_then(Value::as_str) != Some("MIT") {
        problems.push("js/package.json: license is not \"MIT\"".into());
    }
    if !read(&root.join("LICENSE"))?.starts_with("MIT License") {
        problems.push("LICENSE is not the MIT licence".into());
    }
    for file in ["CHANGELOG.md", "SECURITY.md"] {
        if !root.join(file).is_file() {
            problems.push(format!("{file} is missing"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Whether a path listed by `cargo package --list` belongs in the crate.
fn crate_file_allowed(path: &str) -> bool {
    (path.starts_with("src/") && path.ends_with(".rs"))
        || (path.starts_with("locales/") && path.ends_with(".json"))
        || CRATE_FILES.contains(&path)
        || CARGO_GENERATED.contains(&path)
}

fn check_crate_files(toolbox: &Toolbox) -> XResult {
    let output = toolbox
        .command("cargo")
        .args(["package", "--list", "--allow-dirty", "--package", CRATE])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run `cargo package --list`: {e}"))?;
    if !output.status.success() {
        return Err(format!("`cargo package --list` failed ({})", output.status));
    }
    let listed: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    println!("crate {CRATE}: {} files", listed.len());
    for path in &listed {
        match fs::metadata(toolbox.root.join(path)) {
            Ok(meta) if !CARGO_GENERATED.contains(&path.as_str()) => {
                println!("  {:>9}  {path}", meta.len())
            }
            _ => println!("  {:>9}  {path}", "generated"),
        }
    }
    let extra: Vec<&str> = listed
        .iter()
        .map(String::as_str)
        .filter(|path| !crate_file_allowed(path))
        .collect();
    let missing: Vec<&str> = CRATE_FILES
        .iter()
        .chain(&["src/lib.rs", "locales/fr.json"])
        .copied()
        .filter(|path| !listed.contains(*path))
        .collect();
    if extra.is_empty() && missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the crate would ship {extra:?} (not for a Rust host) and lack {missing:?}: \
             fix `include` in Cargo.toml"
        ))
    }
}

/// `cargo publish --dry-run` (packages and builds the crate from its `.crate`), then the
/// `.crate`'s size.
fn publish_dry_run(toolbox: &Toolbox, version: &str) -> XResult {
    run(toolbox.command("cargo").args([
        "publish",
        "--dry-run",
        "--allow-dirty",
        "--package",
        CRATE,
    ]))?;
    // `cargo publish` packages into `package/tmp-crate/`, `cargo package` into `package/`.
    let name = format!("{CRATE}-{version}.crate");
    let package_dir = target_dir(toolbox).join("package");
    let (file, size) = [
        package_dir.join("tmp-crate").join(&name),
        package_dir.join(&name),
    ]
    .into_iter()
    .find_map(|file| Some((file.clone(), fs::metadata(&file).ok()?.len())))
    .ok_or_else(|| format!("no {name} in {} after the dry run", package_dir.display()))?;
    println!(
        "crate {}: {size} bytes ({:.1} KiB)",
        file.display(),
        size as f64 / 1024.0
    );
    Ok(())
}

fn check_npm_files(toolbox: &Toolbox, pkg: &Path, version: &str) -> XResult {
    let output = toolbox
        .command("npm")
        .current_dir(pkg)
        .args(["pack", "--dry-run", "--json"])
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("could not run `npm pack --dry-run`: {e}"))?;
    if !output.status.success() {
        return Err(format!("`npm pack --dry-run` failed ({})", output.status));
    }
    let report: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("`npm pack --dry-run --json` did not give JSON: {e}"))?;
    let packed = report
        .get(0)
        .ok_or("`npm pack --dry-run --json` was empty")?;
    let files = packed
        .get("files")
        .and_then(Value::as_array)
        .ok_or("`npm pack --dry-run --json` listed no files")?;
    let number = |value: &Value, key: &str| value.get(key).and_then(Value::as_u64).unwrap_or(0);
    let text = |value: &Value, key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    println!(
        "npm {}: {} files, tarball {} bytes, unpacked {} bytes",
        text(packed, "filename"),
        files.len(),
        number(packed, "size"),
        number(packed, "unpackedSize")
    );
    let mut listed = BTreeSet::new();
    for file in files {
        let path = text(file, "path");
        println!("  {:>9}  {path}", number(file, "size"));
        listed.insert(path);
    }
    let mut problems = Vec::new();
    // Plus the wasm-bindgen snippets (the photo cleaner), whose folder name carries a hash
    // of the crate's name and version.
    let glue = read(&pkg.join("nexudus-start-conversation.js"))?;
    let snippets = package::snippets(pkg, &glue)?;
    // Plus one language pack per file of the repository's locales/.
    let locales = toolbox.root.join("locales");
    let packs: Vec<String> = std::fs::read_dir(&locales)
        .map_err(|e| format!("could not read {}: {e}", locales.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .map(|name| format!("locales/{name}"))
        .collect();
    let expected: BTreeSet<String> = NPM_FILES
        .iter()
        .map(|s| s.to_string())
        .chain(snippets.imported)
        .chain(snippets.lazy)
        .chain(packs)
        .collect();
    let extra: Vec<&String> = listed.difference(&expected).collect();
    let missing: Vec<&String> = expected.difference(&listed).collect();
    if !extra.is_empty() || !missing.is_empty() {
        problems.push(format!(
            "the package would ship {extra:?} and lack {missing:?}: fix `files` in js/package.json"
        ));
    }
    if text(packed, "version") != version {
        problems.push(format!(
            "its version is {:?}, not {version}",
            text(packed, "version")
        ));
    }
    let manifest = read_json(&pkg.join("package.json"))?;
    for (entry, target) in export_targets(&manifest) {
        if !listed.contains(target.trim_start_matches("./")) {
            problems.push(format!(
                "export {entry:?} points at {target}, which is not packed"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Every file an `exports` entry of package.json points at (`"."`, `"./element"`, …).
fn export_targets(manifest: &Value) -> Vec<(String, String)> {
    fn walk(entry: &str, value: &Value, found: &mut Vec<(String, String)>) {
        match value {
            Value::String(target) => found.push((entry.to_owned(), target.clone())),
            Value::Object(conditions) => {
                for value in conditions.values() {
                    walk(entry, value, found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    if let Some(Value::Object(exports)) = manifest.get("exports") {
        for (entry, value) in exports {
            walk(entry, value, &mut found);
        }
    }
    found
}

/// The docs.rs target in the manifest, the quick start in the crate docs, and `cargo doc`
/// with `-D warnings` for that target with and without the default features.
fn check_docs(toolbox: &Toolbox) -> XResult {
    let manifest = read(&toolbox.root.join("Cargo.toml"))?;
    let docs_rs_targets = manifest
        .lines()
        .skip_while(|line| line.trim() != "[package.metadata.docs.rs]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .find(|line| line.trim_start().starts_with("targets"))
        .unwrap_or_default();
    if !docs_rs_targets.contains(&format!("\"{DOCS_TARGET}\"")) {
        return Err(format!(
            "Cargo.toml has no [package.metadata.docs.rs] targets = [\"{DOCS_TARGET}\"]"
        ));
    }
    let lib = read(&toolbox.root.join("src/lib.rs"))?;
    if !(lib.contains("//! ## Quick start") && lib.contains("<StartConversation")) {
        return Err("the crate docs (src/lib.rs) lost the Yew quick start".into());
    }
    for features in [None, Some("--no-default-features")] {
        let mut command = toolbox.command("cargo");
        command
            .args(["doc", "--no-deps", "--quiet", "--package", CRATE])
            .args(["--target", DOCS_TARGET])
            .args(features)
            .env("RUSTDOCFLAGS", "-D warnings --cfg docsrs");
        run(&mut command)?;
    }
    Ok(())
}

/// `cargo xtask release-check`: builds the npm package, then checks everything.
pub fn release_check(toolbox: &Toolbox) -> XResult {
    let pkg = package::build(toolbox)?;
    check(toolbox, &pkg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_rust_hosts_files_are_allowed_in_the_crate() {
        for path in [
            "src/api/mod.rs",
            "LICENSE",
            "Cargo.lock",
            "examples/yew_host.rs",
        ] {
            assert!(crate_file_allowed(path), "{path}");
        }
        for path in [
            "sandbox/src/main.rs",
            "e2e/harness.mjs",
            "bench/run.mjs",
            "fuzz/Cargo.toml",
            "js/index.js",
            "examples/trunk_demo.rs",
            "static/demo.js",
            "index.html",
            "src/notes.md",
        ] {
            assert!(!crate_file_allowed(path), "{path}");
        }
    }

    #[test]
    fn the_exports_point_at_packed_files() {
        let manifest: Value = serde_json::from_str(
            r#"{"exports": {".": {"types": "./index.d.ts", "default": "./index.js"},
                "./style.css": "./nexudus-start-conversation.css"}}"#,
        )
        .unwrap();
        let mut targets: Vec<String> = export_targets(&manifest)
            .into_iter()
            .map(|(_, target)| target)
            .collect();
        targets.sort();
        assert_eq!(
            targets,
            [
                "./index.d.ts",
                "./index.js",
                "./nexudus-start-conversation.css"
            ]
        );
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let real = read_json(&root.join("js/package.json")).unwrap();
        for (entry, target) in export_targets(&real) {
            let file = target.trim_start_matches("./");
            assert!(NPM_FILES.contains(&file), "{entry} → {target}");
        }
    }

    #[test]
    fn the_repository_agrees_with_itself() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let version = crate_version(root).unwrap();
        check_versions(root, &version).unwrap();
        check_metadata(root).unwrap();
        assert!(check_versions(root, "9.9.9").is_err(), "drift must fail");
    }
}
