//! `cargo xtask package`: the npm package in `pkg/`.
//!
//! 1. The wasm: `cargo rustc --release --lib --crate-type cdylib --features small-allocator`
//!    for wasm32 (the library stays an rlib for Rust hosts; a cdylib named on the command
//!    line keeps LTO, which a `["cdylib", "rlib"]` crate type would lose; the feature puts
//!    in Talc as the allocator).
//! 2. `wasm-bindgen --target web` (ES module glue that finds the .wasm with
//!    `new URL(…, import.meta.url)`: CDNs, plain ES module pages and bundlers alike).
//! 3. `wasm-opt -Oz --low-memory-unused` (npm's binaryen) and esbuild's minifier for the
//!    JavaScript.
//! 4. The hand-written entry points and declarations from `js/`, the panel's CSS (minified),
//!    the CSS as a module for the custom element's shadow root, `package.json` (its version
//!    must equal Cargo.toml's), the npm README, LICENSE and CHANGELOG.md.
//!
//! `npm pack pkg/` then gives the tarball ([`pack`]).

use std::fs;
use std::path::{Path, PathBuf};

use crate::run::{capture, run, XResult};
use crate::target_dir;
use crate::tools::Toolbox;

/// The package folder, from the repository root.
pub const PKG_DIR: &str = "pkg";
/// The base name of the glue and the wasm (`….js`, `…_bg.wasm`), as trunk names them for
/// the demo too, so `js/index.js` imports the same file in both.
const OUT_NAME: &str = "nexudus-start-conversation";
/// The crate whose library is packaged.
pub const CRATE: &str = "nexudus-start-conversation";

/// Builds the package into `pkg/` and prints its sizes; returns the folder.
pub fn build(toolbox: &Toolbox) -> XResult<PathBuf> {
    toolbox.ensure_for_package()?;
    let root = &toolbox.root;
    let pkg = root.join(PKG_DIR);
    let work = target_dir(toolbox).join("npm-package");

    eprintln!("xtask: building the wasm (release, LTO)…");
    run(toolbox.command("cargo").args([
        "rustc",
        "--quiet",
        "--release",
        "--package",
        CRATE,
        "--target",
        "wasm32-unknown-unknown",
        "--lib",
        "--crate-type",
        "cdylib",
        // Talc, smaller than the default allocator (Cargo.toml, BENCHMARKS.md).
        "--features",
        "small-allocator",
    ]))?;
    let wasm =
        target_dir(toolbox).join("wasm32-unknown-unknown/release/nexudus_start_conversation.wasm");

    reset_dir(&pkg)?;
    bindgen_and_shrink(toolbox, &wasm, OUT_NAME, &work, &pkg)?;

    // The entry points, minified one by one (no bundling: each keeps its relative imports,
    // so the files stay separately cacheable and the element optional). They keep their
    // names (the element's class shows in the console and in `customElements.get(…).name`).
    let js = root.join("js");
    // frames.js is the prerendered first frames (prerender/), painted by paint.js before
    // the .wasm loads.
    for name in [
        "index.js",
        "element.js",
        "language.js",
        "paint.js",
        "early-frame.js",
        "frames.js",
    ] {
        minify(toolbox, &js.join(name), &pkg.join(name), true)?;
    }
    run(toolbox
        .command("node")
        .arg(js.join("build-style.mjs"))
        .arg(&pkg))?;

    // The CSS minified as for the shadow root's copy (style.js): 223 bytes less brotli.
    run(toolbox
        .command("esbuild")
        .arg(root.join("static/nexudus-start-conversation.css"))
        .args(["--minify", "--log-level=warning", "--legal-comments=none"])
        .arg(format!(
            "--outfile={}",
            pkg.join("nexudus-start-conversation.css").display()
        )))?;
    copy_locales(root, &pkg)?;
    copy(&js.join("element.d.ts"), &pkg.join("element.d.ts"))?;
    copy(&js.join("paint.d.ts"), &pkg.join("paint.d.ts"))?;
    copy(&js.join("README.md"), &pkg.join("README.md"))?;
    copy(&root.join("LICENSE"), &pkg.join("LICENSE"))?;
    copy(&root.join("CHANGELOG.md"), &pkg.join("CHANGELOG.md"))?;
    write_index_types(root, &pkg)?;
    write_package_json(root, &pkg)?;

    run(toolbox.command("node").arg(js.join("sizes.mjs")).arg(&pkg))?;
    eprintln!("xtask: the package is in {}", pkg.display());
    Ok(pkg)
}

/// The language packs (`locales/<tag>.json`) into `pkg/locales/`, where `index.js` fetches
/// the one in use, compacted; none of them is loaded before the first paint.
fn copy_locales(root: &Path, pkg: &Path) -> XResult {
    let from = root.join("locales");
    let to = pkg.join("locales");
    fs::create_dir_all(&to).map_err(|e| format!("could not create {}: {e}", to.display()))?;
    let entries =
        fs::read_dir(&from).map_err(|e| format!("could not read {}: {e}", from.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("could not read {}: {e}", from.display()))?
            .path();
        if path.extension().is_some_and(|ext| ext == "json") {
            if let Some(name) = path.file_name() {
                // Compact: the source keeps one string a line for review.
                let pack: serde_json::Value = serde_json::from_str(&read(&path)?)
                    .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
                write(&to.join(name), &pack.to_string())?;
            }
        }
    }
    Ok(())
}

/// `npm pack` of `pkg/` into `target/npm/`; returns the tarball.
pub fn pack(toolbox: &Toolbox, pkg: &Path) -> XResult<PathBuf> {
    let out = target_dir(toolbox).join("npm");
    reset_dir(&out)?;
    let name = capture(
        toolbox
            .command("npm")
            .current_dir(pkg)
            .args(["pack", "--silent", "--pack-destination"])
            .arg(&out),
    )
    .ok_or("`npm pack` failed")?;
    let tarball = out.join(name.trim());
    if !tarball.is_file() {
        return Err(format!("`npm pack` did not write {}", tarball.display()));
    }
    eprintln!("xtask: packed {}", tarball.display());
    Ok(tarball)
}

/// The consumer fixtures of the end-to-end tests, each with its own lockfile.
pub const FIXTURES: &[&str] = &[
    "e2e/fixtures/plain-html",
    "e2e/fixtures/vite",
    "e2e/fixtures/types",
];

/// Installs the fixtures' own packages from their lockfiles (`npm ci` when needed), then
/// the packed tarball with `--no-save`, so the committed manifests and lockfiles never
/// name a tarball whose bytes change with every build.
pub fn install_in_fixtures(toolbox: &Toolbox, tarball: &Path) -> XResult {
    for dir in FIXTURES {
        toolbox.ensure_npm(dir)?;
        let folder = toolbox.root.join(dir);
        let installed = folder.join("node_modules").join(CRATE);
        if installed.exists() {
            fs::remove_dir_all(&installed)
                .map_err(|e| format!("could not remove {}: {e}", installed.display()))?;
        }
        run(toolbox
            .command("npm")
            .current_dir(&folder)
            .args(["install", "--no-save", "--no-audit", "--no-fund"])
            .arg(tarball))?;
        if !installed.join("package.json").is_file() {
            return Err(format!("the tarball did not install into {dir}"));
        }
    }
    Ok(())
}

/// `vite build` of the Vite fixture (into its `dist/`).
pub fn build_vite_fixture(toolbox: &Toolbox) -> XResult {
    let folder = toolbox.root.join("e2e/fixtures/vite");
    run(toolbox.command("node").current_dir(&folder).args([
        "node_modules/vite/bin/vite.js",
        "build",
        "--logLevel",
        "warn",
    ]))
}

/// Empties `dir`, creating it if needed.
pub fn reset_dir(dir: &Path) -> XResult {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("could not clear {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))
}

fn copy(from: &Path, to: &Path) -> XResult {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("could not copy {} to {}: {e}", from.display(), to.display()))
}

fn read(path: &Path) -> XResult<String> {
    fs::read_to_string(path).map_err(|e| format!("could not read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> XResult {
    fs::write(path, text).map_err(|e| format!("could not write {}: {e}", path.display()))
}

/// The steps every wasm we ship or compare goes through: `wasm-bindgen --target web` into
/// `work`, then `wasm-opt -Oz --low-memory-unused` and esbuild's minifier (the glue's helpers need no names)
/// into `out` as `NAME_bg.wasm` and `NAME.js`, with the snippets that ship ([`snippets`])
/// minified into `out/snippets/`.
pub fn bindgen_and_shrink(
    toolbox: &Toolbox,
    wasm: &Path,
    name: &str,
    work: &Path,
    out: &Path,
) -> XResult {
    reset_dir(work)?;
    run(toolbox
        .command("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            name,
            "--out-dir",
        ])
        .arg(work)
        .arg(wasm))?;
    eprintln!("xtask: wasm-opt -Oz…");
    // `--low-memory-unused`: addresses below 1024 are never used, so constant offsets fold
    // into loads and stores (479 bytes less brotli). Rust's wasm32 output puts the 1 MB
    // stack first, growing down towards 0: the low 1 KB is reached only by a stack overflow.
    run(toolbox
        .command("wasm-opt")
        .args(["-Oz", "--low-memory-unused"])
        .arg(work.join(format!("{name}_bg.wasm")))
        .arg("-o")
        .arg(out.join(format!("{name}_bg.wasm"))))?;
    let glue = work.join(format!("{name}.js"));
    minify(toolbox, &glue, &out.join(format!("{name}.js")), false)?;
    let found = snippets(work, &read(&glue)?)?;
    for snippet in found.imported.iter().chain(&found.lazy) {
        let target = out.join(snippet);
        if let Some(folder) = target.parent() {
            fs::create_dir_all(folder)
                .map_err(|e| format!("could not create {}: {e}", folder.display()))?;
        }
        minify(toolbox, &work.join(snippet), &target, false)?;
    }
    Ok(())
}

/// The wasm-bindgen snippets that ship, as paths relative to the glue: the files of
/// `#[wasm_bindgen(module = "/js/…")]`, which wasm-bindgen writes under
/// `snippets/<crate>-<hash of name and version>/` whether or not anything calls them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Snippets {
    /// Those the glue imports: they load with it (and count in the size guard).
    pub imported: Vec<String>,
    /// Those an imported one loads with a literal `import('./…')`, when it needs them (the
    /// photo cleaner, when a photo is chosen).
    pub lazy: Vec<String>,
}

/// The snippets the glue (its text) imports, and what those load lazily, read from `dir`
/// (wasm-bindgen's output, or the package).
pub fn snippets(dir: &Path, glue: &str) -> XResult<Snippets> {
    let imported = imported_snippets(glue);
    let mut lazy = std::collections::BTreeSet::new();
    for snippet in &imported {
        let folder = snippet.rsplit_once('/').map_or("", |(folder, _)| folder);
        for path in lazy_imports(&read(&dir.join(snippet))?) {
            lazy.insert(format!("{folder}/{path}"));
        }
    }
    Ok(Snippets {
        imported,
        lazy: lazy.into_iter().collect(),
    })
}

/// The snippets `glue` imports: `… from "./snippets/…"`.
fn imported_snippets(glue: &str) -> Vec<String> {
    let found: std::collections::BTreeSet<String> = glue
        .split("./snippets/")
        .skip(1)
        .filter_map(|rest| {
            let end = rest.find(['\'', '"'])?;
            Some(format!("snippets/{}", &rest[..end]))
        })
        .collect();
    found.into_iter().collect()
}

/// The files of this folder a module imports statically (`import … from "./name.js"`,
/// `export … from "./name.js"`, `import "./name.js"`): they load before it runs. Snippets
/// (`./snippets/…`) are left to [`snippets`]; a dynamic `import("./…")` loads later.
pub fn static_imports(module: &str) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    for quote in ['"', '\''] {
        let marker = format!("{quote}./");
        for (at, _) in module.match_indices(&marker) {
            let before = module[..at].trim_end();
            if !(before.ends_with("from") || before.ends_with("import")) {
                continue;
            }
            let rest = &module[at + marker.len()..];
            if let Some(end) = rest.find(quote) {
                let path = &rest[..end];
                if !path.contains(['/', '$']) {
                    found.insert(path.to_owned());
                }
            }
        }
    }
    found.into_iter().collect()
}

/// The files a module loads with a literal `import('./name.js')`, relative to it.
fn lazy_imports(module: &str) -> Vec<String> {
    module
        .split("import(")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start();
            let quote = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '\'' | '"' | '`'))?;
            let path = &rest[1..];
            let path = &path[..path.find(quote)?];
            path.strip_prefix("./")
                .filter(|p| !p.contains(['/', '$']))
                .map(str::to_owned)
        })
        .collect()
}

fn minify(toolbox: &Toolbox, source: &Path, out: &Path, keep_names: bool) -> XResult {
    let mut command = toolbox.command("esbuild");
    command.arg(source).args([
        "--minify",
        "--format=esm",
        "--log-level=warning",
        "--legal-comments=none",
    ]);
    if keep_names {
        command.arg("--keep-names");
    }
    run(command.arg(format!("--outfile={}", out.display())))
}

/// The `[package]` version of the root Cargo.toml.
pub fn crate_version(root: &Path) -> XResult<String> {
    let manifest = read(&root.join("Cargo.toml"))?;
    crate::versions::manifest_value(&manifest, "version")
        .ok_or_else(|| "no version in the [package] of Cargo.toml".to_owned())
}

/// `js/package.json`, whose version must be the crate's (`cargo xtask release-check` checks
/// the snippets too).
fn write_package_json(root: &Path, pkg: &Path) -> XResult {
    let template = read(&root.join("js/package.json"))?;
    let version = crate_version(root)?;
    if !template.contains(&format!("\"version\": \"{version}\"")) {
        return Err(format!(
            "js/package.json must say \"version\": \"{version}\", the version in Cargo.toml"
        ));
    }
    write(&pkg.join("package.json"), &template)
}

/// The keys of the overridable strings, read from the `messages!` table of src/i18n.rs
/// (`TitleStart = "titleStart" { … }`).
fn string_keys(root: &Path) -> XResult<Vec<String>> {
    let source = read(&root.join("src/i18n.rs"))?;
    let keys: Vec<String> = source
        .lines()
        .filter_map(|line| {
            let (variant, rest) = line.trim().split_once(" = \"")?;
            let (key, tail) = rest.split_once('"')?;
            let is_entry = variant
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
                && variant.chars().all(|c| c.is_ascii_alphanumeric())
                && key.chars().all(|c| c.is_ascii_alphanumeric())
                && tail.trim_start().starts_with('{');
            is_entry.then(|| key.to_owned())
        })
        .collect();
    if keys.len() < 10 {
        return Err(format!(
            "found only {} string keys in src/i18n.rs; has the messages! table changed shape?",
            keys.len()
        ));
    }
    Ok(keys)
}

/// `js/index.d.ts` with `StringKey` as the union of the real keys.
fn write_index_types(root: &Path, pkg: &Path) -> XResult {
    let source = read(&root.join("js/index.d.ts"))?;
    let marker = " /* STRING_KEYS: filled in from src/i18n.rs by `cargo xtask package` */ string";
    if !source.contains(marker) {
        return Err("js/index.d.ts lost its STRING_KEYS marker".into());
    }
    let union = string_keys(root)?
        .iter()
        .map(|key| format!("\n  | '{key}'"))
        .collect::<String>();
    write(&pkg.join("index.d.ts"), &source.replacen(marker, &union, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_snippets_the_glue_imports_and_what_they_load_later() {
        let glue = r#"import{cleanImage as a}from"./snippets/nsc-0123/js/clean-image.js";
            import { x } from './snippets/nsc-0123/inline0.js';
            import{cleanImage as b}from"./snippets/nsc-0123/js/clean-image.js";"#;
        assert_eq!(
            imported_snippets(glue),
            [
                "snippets/nsc-0123/inline0.js",
                "snippets/nsc-0123/js/clean-image.js"
            ]
        );
        assert!(imported_snippets("import*as w from'./x_bg.wasm';").is_empty());
        let entry = r#"export function c(f,o){return import("./clean-image-work.js").then(m=>m.c(f,o))}
            import( './b.js' ); import(url); import(`./${name}.js`); import("../up.js")"#;
        assert_eq!(lazy_imports(entry), ["clean-image-work.js", "b.js"]);
    }

    #[test]
    fn finds_what_a_module_imports_before_it_runs() {
        let module = r#"import{paint as a}from"./paint.js";import c from './style.js';
            export{x}from"./language.js"; import "./side.js"; const l=()=>import("./index.js");
            import{y}from"./snippets/nsc-0123/js/clean-image.js"; const s="./not-an-import.js";"#;
        assert_eq!(
            static_imports(module),
            ["language.js", "paint.js", "side.js", "style.js"]
        );
    }

    #[test]
    fn reads_the_crate_version_and_the_string_keys() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let version = crate_version(root).unwrap();
        assert!(version.split('.').count() == 3, "{version}");
        let keys = string_keys(root).unwrap();
        assert!(keys.iter().any(|k| k == "submitStart"), "{keys:?}");
        assert!(keys.iter().all(|k| !k.is_empty()));
    }
}
