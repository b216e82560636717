//! The language packs (`locales/<tag>.json`) against the compiled-in English: every key of
//! [`Msg::ALL`], no other, each text with exactly the English placeholders, nothing empty.
//! `pt-PT` holds only the strings that differ from `pt` (the npm entry lays it over `pt`).

// Native only: it reads the files (a wasm test has no file system).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use nexudus_start_conversation::i18n::{Locale, Msg, COUNTED, PLURAL_FORMS};

/// The packs that must have every key.
const WHOLE: [&str; 6] = ["fr", "de", "es", "it", "nl", "pt"];
/// The packs laid over another, with some keys.
const PARTIAL: [&str; 1] = ["pt-PT"];

fn pack(tag: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("locales/{tag}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{tag}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{tag}: not an object of strings: {e}"))
}

/// The `{name}` placeholders of a template, sorted.
fn holes(text: &str) -> Vec<&str> {
    let mut holes: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(hole, _)| hole))
        .collect();
    holes.sort_unstable();
    holes
}

/// What is wrong with `pack` (empty when nothing): unknown keys, missing keys (when
/// `whole`), empty texts, placeholders other than the English ones; a plural form
/// (`key.one`) only of a counted message, with its placeholders.
fn problems(pack: &BTreeMap<String, String>, whole: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let keys: BTreeSet<&str> = Msg::ALL.iter().map(|msg| msg.key()).collect();
    for (key, text) in pack {
        let Some((base, form)) = key.split_once('.') else {
            if !keys.contains(key.as_str()) {
                problems.push(format!("extra key {key}"));
            }
            continue;
        };
        match COUNTED.iter().find(|msg| msg.key() == base) {
            Some(msg) if PLURAL_FORMS.contains(&form) => {
                if holes(text) != holes(msg.text()) {
                    problems.push(format!("{key} has placeholders {:?}", holes(text)));
                }
            }
            _ => problems.push(format!("extra key {key}")),
        }
    }
    for msg in Msg::ALL {
        let Some(text) = pack.get(msg.key()) else {
            if whole {
                problems.push(format!("missing key {}", msg.key()));
            }
            continue;
        };
        if text.trim().is_empty() {
            problems.push(format!("{} is empty", msg.key()));
        }
        if holes(text) != holes(msg.text()) {
            problems.push(format!(
                "{} has placeholders {:?}, the English {:?}",
                msg.key(),
                holes(text),
                holes(msg.text())
            ));
        }
    }
    problems
}

#[test]
fn every_pack_has_the_english_keys_and_placeholders() {
    for tag in WHOLE {
        assert_eq!(problems(&pack(tag), true), Vec::<String>::new(), "{tag}");
    }
    for tag in PARTIAL {
        assert_eq!(problems(&pack(tag), false), Vec::<String>::new(), "{tag}");
    }
}

#[test]
fn the_check_finds_a_missing_key_an_extra_key_and_a_foreign_placeholder() {
    let mut broken = pack("de");
    broken.remove("cancel");
    broken.insert("cancelAll".to_owned(), "Alle abbrechen".to_owned());
    broken.insert(
        "uploading".to_owned(),
        "Hochladen… {percentage} %".to_owned(),
    );
    broken.insert("successStart".to_owned(), " ".to_owned());
    assert_eq!(
        problems(&broken, true),
        [
            "extra key cancelAll",
            "missing key cancel",
            "uploading has placeholders [\"percentage\"], the English [\"percent\"]",
            "successStart is empty",
        ]
    );
    // Plural forms only of counted messages, only CLDR's, with the English placeholders.
    let mut forms = pack("fr");
    forms.insert("cancel.one".to_owned(), "x".to_owned());
    forms.insert("charactersLeft.single".to_owned(), "x".to_owned());
    forms.insert("charactersOver.one".to_owned(), "{n} de trop".to_owned());
    assert_eq!(
        problems(&forms, true),
        [
            "extra key cancel.one",
            "extra key charactersLeft.single",
            "charactersOver.one has placeholders [\"n\"]",
        ]
    );
    // A partial pack may leave keys out, not add them.
    let mut partial = pack("pt-PT");
    partial.insert("nope".to_owned(), "x".to_owned());
    assert_eq!(problems(&partial, false), ["extra key nope"]);
}

#[test]
fn every_pack_is_a_language_the_locale_option_accepts() {
    for tag in WHOLE.iter().chain(&PARTIAL) {
        let locale = Locale::parse(tag).unwrap_or_else(|| panic!("{tag} is not accepted"));
        assert_eq!(locale.tag(), *tag);
    }
}
