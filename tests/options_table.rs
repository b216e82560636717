//! The one table of options (`src/js_api/options.rs`) against what must agree with it:
//! the custom element's generated lists (`js/element.js`), the declarations
//! (`js/index.d.ts`, `js/element.d.ts`) and the READMEs. Native: it reads files only.
#![cfg(all(not(target_arch = "wasm32"), feature = "js-api"))]

use nexudus_start_conversation::js_api::options::{
    element_lists, names, spec, OnElement, LIMIT_KEYS, OPTIONS,
};
use nexudus_start_conversation::js_api::values::Kind;

use std::path::Path;

fn read_repo_file(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap()
}

#[test]
fn names_are_unique_and_exclusions_go_both_ways() {
    let names = names();
    for (i, name) in names.iter().enumerate() {
        assert!(!names[i + 1..].contains(name), "{name} twice");
    }
    for entry in OPTIONS {
        if let Some(other) = entry.excludes {
            assert_eq!(spec(other).and_then(|o| o.excludes), Some(entry.name));
        }
        assert_eq!(
            entry.keep.is_some(),
            entry.kind == Kind::Function,
            "{}: a function option keeps its Rust side while it is the same function",
            entry.name
        );
    }
}

/// `js/element.js` holds the lists the table gives, between its markers. To update
/// them: `NSC_WRITE_OPTION_LISTS=1 cargo test --test options_table`.
#[test]
fn the_element_lists_follow_the_table() {
    const START: &str = "// OPTIONS:start (generated from src/js_api/options.rs)\n";
    const END: &str = "// OPTIONS:end\n";
    let source = read_repo_file("js/element.js");
    let start = source.find(START).expect("the OPTIONS:start marker") + START.len();
    let end = source.find(END).expect("the OPTIONS:end marker");
    let expected = element_lists();
    if source[start..end] != expected {
        if std::env::var_os("NSC_WRITE_OPTION_LISTS").is_some() {
            let updated = format!("{}{expected}{}", &source[..start], &source[end..]);
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            std::fs::write(root.join("js/element.js"), updated).unwrap();
        } else {
            panic!(
                "js/element.js's option lists drifted from the table; run \
                 `NSC_WRITE_OPTION_LISTS=1 cargo test --test options_table`, or paste:\n{expected}"
            );
        }
    }
}

/// The option names the types of `mount` declare (`CommonOptions`, `TokenOptions`,
/// `UploadOptions`) are the table's.
#[test]
fn the_declarations_follow_the_table() {
    let types = read_repo_file("js/index.d.ts");
    let start = types.find("export interface CommonOptions").unwrap();
    let end = types.find("export type MountOptions").unwrap();
    let mut declared: Vec<&str> = types[start..end]
        .lines()
        .filter_map(|line| {
            let line = line
                .trim_start()
                .trim_start_matches("| ")
                .trim_start_matches("{ ");
            let (name, _) = line.split_once("?:")?;
            name.chars()
                .all(|c| c.is_ascii_alphanumeric())
                .then_some(name)
        })
        .collect();
    declared.sort_unstable();
    declared.dedup();
    let mut table = names();
    table.sort_unstable();
    assert_eq!(declared, table, "js/index.d.ts");

    let element = read_repo_file("js/element.d.ts");
    for spec in OPTIONS {
        let name = spec.name;
        match spec.element {
            OnElement::Attribute(attribute) | OnElement::BooleanAttribute(attribute) => {
                assert!(element.contains(&format!("get {name}()")), "{name}");
                assert!(element.contains(attribute), "{attribute}");
            }
            OnElement::Property => assert!(
                element.contains(&format!("  {name}: "))
                    || element.contains(&format!("set {name}(")),
                "{name}"
            ),
            OnElement::Event(event) => {
                assert!(element.contains(&format!("'{event}'")), "{event}")
            }
        }
    }
    for (key, attribute) in LIMIT_KEYS {
        assert!(element.contains(&format!("get {key}()")), "{key}");
        assert!(element.contains(attribute), "{attribute}");
    }
}

/// The READMEs name every option (and the element's attributes).
#[test]
fn the_readmes_document_every_option() {
    for readme in ["README.md", "js/README.md"] {
        let text = read_repo_file(readme);
        for spec in OPTIONS {
            assert!(
                text.contains(&format!("`{}", spec.name)),
                "{readme}: {}",
                spec.name
            );
        }
    }
    let readme = read_repo_file("README.md");
    for spec in OPTIONS {
        if let OnElement::Attribute(a) | OnElement::BooleanAttribute(a) = spec.element {
            assert!(readme.contains(&format!("`{a}`")), "README.md: {a}");
        }
    }
}
