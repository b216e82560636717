//! One version everywhere, and no placeholder addresses: the release check's rules that need
//! nothing but the files' text (so they are tested here, on drifted copies).
//!
//! The version of record is the `[package]` version of the root Cargo.toml. These must agree
//! with it:
//! - `js/package.json`'s `version` (copied into the npm package as is);
//! - every `nexudus-start-conversation@X.Y.Z` (CDN snippets) in the READMEs;
//! - every `nexudus-start-conversation = { version = "X.Y" … }` (Cargo snippets) in the README
//!   and the crate docs: the requirement must select this version (`0.1` or `0.1.0` for 0.1.0);
//! - the newest release heading of CHANGELOG.md (`## [X.Y.Z] - date`, under `## [Unreleased]`).

use serde_json::Value;

use crate::run::XResult;

/// The package name as it appears in the snippets.
const NAME: &str = "nexudus-start-conversation";

/// The files whose snippets name the version, from the repository root.
pub const SNIPPET_FILES: &[&str] = &["README.md", "js/README.md", "src/lib.rs"];

/// The versions a text names for the package: `(line number, what it says)`, both the CDN
/// form (`NAME@1.2.3`) and the Cargo form (`NAME = { version = "1.2" …` or `NAME = "1.2"`).
pub fn snippet_versions(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let cdn = format!("{NAME}@");
        for (at, _) in line.match_indices(&cdn) {
            let rest = &line[at + cdn.len()..];
            let version: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
                .collect();
            found.push((index + 1, version));
        }
        // Doc comments hold snippets too (`//! nexudus-start-conversation = …`).
        let code = line
            .trim_start()
            .trim_start_matches('/')
            .trim_start_matches('!');
        let Some(rest) = code.trim_start().strip_prefix(NAME) else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let rest = match rest.strip_prefix('{') {
            Some(table) => match table.split_once("version") {
                Some((_, after)) => after.trim_start().trim_start_matches('=').trim_start(),
                None => continue,
            },
            None => rest,
        };
        if let Some(quoted) = rest.strip_prefix('"') {
            if let Some((requirement, _)) = quoted.split_once('"') {
                found.push((index + 1, requirement.to_owned()));
            }
        }
    }
    found
}

/// Whether a snippet's version selects `version`: equal, or a Cargo requirement made of its
/// leading parts (at least major.minor, so `0.1` for 0.1.0 but not `0` or `0.2`).
pub fn names_version(snippet: &str, version: &str) -> bool {
    let snippet = snippet.trim_start_matches(['^', '=']);
    if snippet == version {
        return true;
    }
    let wanted: Vec<&str> = version.split('.').collect();
    let given: Vec<&str> = snippet.split('.').collect();
    given.len() >= 2 && given.len() < wanted.len() && wanted.starts_with(&given)
}

/// The newest release heading of a Keep a Changelog file (skipping `[Unreleased]`).
pub fn changelog_version(text: &str) -> XResult<String> {
    if !text.lines().any(|line| line.trim() == "## [Unreleased]") {
        return Err("CHANGELOG.md has no `## [Unreleased]` section".into());
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("## ["))
        .filter_map(|rest| rest.split_once(']').map(|(version, _)| version))
        .find(|version| *version != "Unreleased")
        .map(str::to_owned)
        .ok_or_else(|| "CHANGELOG.md has no release heading `## [x.y.z] - date`".into())
}

/// A value of a `[package]` key of a Cargo.toml (simple `key = "value"` lines only).
pub fn manifest_value(manifest: &str, key: &str) -> Option<String> {
    manifest
        .lines()
        .skip_while(|line| line.trim() != "[package]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .find_map(|line| {
            let (name, value) = line.split_once('=')?;
            (name.trim() == key).then(|| value.trim().trim_matches('"').to_owned())
        })
}

/// Why an address in a manifest is a placeholder rather than a real one, if it is.
pub fn placeholder_reason(address: &str) -> Option<&'static str> {
    let lower = address.to_ascii_lowercase();
    let host = lower
        .strip_prefix("git+")
        .unwrap_or(&lower)
        .strip_prefix("https://")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    let Some(host) = host else {
        return Some("it is not an https:// address");
    };
    let reserved = ["example.com", "example.org", "example.net", "example"];
    let reserved_tlds = [".invalid", ".test", ".localhost", ".example", ".local"];
    if host.is_empty()
        || host == "localhost"
        || reserved
            .iter()
            .any(|name| host == *name || host.ends_with(&format!(".{name}")))
        || reserved_tlds.iter().any(|tld| host.ends_with(tld))
        || host.parse::<std::net::Ipv4Addr>().is_ok()
    {
        return Some("its host is reserved for examples or local use");
    }
    let markers = ["todo", "tbd", "fixme", "xxx", "your-", "<", ">", "{", "}"];
    if markers.iter().any(|marker| lower.contains(marker)) {
        return Some("it holds a placeholder marker");
    }
    None
}

/// The addresses of the npm manifest: `repository`, `homepage`, `bugs` (a string, or an
/// object's `url`), with the key they came from.
pub fn npm_addresses(package: &Value) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    for key in ["repository", "homepage", "bugs"] {
        match package.get(key) {
            Some(Value::String(url)) => found.push((key, url.clone())),
            Some(Value::Object(fields)) => match fields.get("url") {
                Some(Value::String(url)) => found.push((key, url.clone())),
                _ if key == "bugs" && fields.contains_key("email") => {}
                _ => found.push((key, String::new())),
            },
            Some(_) => found.push((key, String::new())),
            None => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cdn_and_cargo_snippets() {
        let text = "<script src=\"https://cdn.jsdelivr.net/npm/nexudus-start-conversation@0.1.0/element.js\">\n\
                    nexudus-start-conversation = { version = \"0.1\", default-features = false }\n\
                    //! nexudus-start-conversation = \"0.2.0\"\n\
                    nexudus-start-conversation-fuzz = \"9\"\n\
                    import 'nexudus-start-conversation/element';";
        let found = snippet_versions(text);
        assert_eq!(
            found,
            vec![
                (1, "0.1.0".to_owned()),
                (2, "0.1".to_owned()),
                (3, "0.2.0".to_owned())
            ]
        );
    }

    #[test]
    fn a_requirement_must_select_the_version() {
        assert!(names_version("0.1.0", "0.1.0"));
        assert!(names_version("0.1", "0.1.0"));
        assert!(names_version("^0.1", "0.1.0"));
        assert!(names_version("=0.1.0", "0.1.0"));
        assert!(!names_version("0.2", "0.1.0"), "drifted minor");
        assert!(!names_version("0.1.1", "0.1.0"), "drifted patch");
        assert!(!names_version("0", "0.1.0"), "too loose to say");
        assert!(!names_version("", "0.1.0"));
    }

    #[test]
    fn the_newest_changelog_release_is_found() {
        let text = "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2027-01-01\n\n## [0.1.0] - 2026-12-01\n";
        assert_eq!(changelog_version(text).as_deref(), Ok("0.2.0"));
        assert!(changelog_version("## [0.1.0] - 2026-12-01\n").is_err());
        assert!(changelog_version("## [Unreleased]\n").is_err());
    }

    #[test]
    fn reads_package_keys_only() {
        let manifest =
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\n\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(
            manifest_value(manifest, "version").as_deref(),
            Some("0.1.0")
        );
        assert_eq!(manifest_value(manifest, "repository"), None);
    }

    #[test]
    fn placeholders_are_told_from_real_addresses() {
        for fake in [
            "https://example.invalid/nexudus-start-conversation",
            "https://github.com/TODO/nexudus-start-conversation",
            "https://www.example.com/x",
            "http://github.com/someone/x",
            "https://cdn.example/x",
            "https://localhost/x",
            "git://github.com/someone/x.git",
            "",
        ] {
            assert!(placeholder_reason(fake).is_some(), "{fake}");
        }
        for real in [
            "https://docs.rs/nexudus-start-conversation",
            "https://github.com/someone/nexudus-start-conversation",
            "git+https://github.com/someone/nexudus-start-conversation.git",
        ] {
            assert_eq!(placeholder_reason(real), None, "{real}");
        }
    }

    #[test]
    fn npm_addresses_come_as_strings_or_objects() {
        let package: Value = serde_json::from_str(
            r#"{"repository": {"type": "git", "url": "https://example.invalid/x"},
                "homepage": "https://example.com", "bugs": {"email": "a@b.c"}}"#,
        )
        .unwrap();
        let found = npm_addresses(&package);
        assert_eq!(
            found,
            vec![
                ("repository", "https://example.invalid/x".to_owned()),
                ("homepage", "https://example.com".to_owned())
            ]
        );
    }
}
