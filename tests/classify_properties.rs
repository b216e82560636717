#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the API core: whatever the server (or a gateway in front of it)
//! answers, [`classify`] returns an outcome without panicking, and a failure always
//! carries something a member can read.
//!
//! Each property runs a few hundred cases so the whole file takes a few seconds; the
//! cargo-fuzz target in `fuzz/` checks the same invariants for longer.

use std::time::Duration;

use nexudus_start_conversation::api::outcome::{
    excerpt, parse_retry_after, DEFAULT_RETRY_AFTER, MAX_LISTED_ERRORS,
};
use nexudus_start_conversation::api::{classify, Body, Field, FormMessage, Outcome};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// The longest `Unexpected` excerpt: 160 characters and an ellipsis.
const EXCERPT_MAX_CHARS: usize = 161;

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

/// The field sets the panel shows: any subset of the fields, in the panel's order.
fn shown_fields() -> impl Strategy<Value = Vec<Field>> {
    prop::sample::subsequence(Field::ALL.to_vec(), 0..=Field::ALL.len())
}

/// Property names the API uses, or might: the fields' own names and their aliases,
/// entity names, other entities, `Id` alone and the empty name.
const KNOWN_PROPERTIES: &[&str] = &[
    "Subject",
    "Message",
    "CommunityGroupId",
    "CommunityGroup",
    "NewFileDataUrl",
    "NewFileData",
    "FileData",
    "FileDataFileName",
    "Name",
    "Description",
    "CommunityThreadId",
    "CommunityThread",
    "BusinessId",
    "Guests",
    "Id",
    "",
];

/// `name` with the case of each ASCII letter flipped where `mask` has a one bit.
fn recase(name: &str, mask: u64) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if (mask >> (i % 64)) & 1 == 1 {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// Arbitrary `PropertyName`s: empty, known names in odd casing, dotted and indexed paths,
/// padded names, unicode and anything at all.
fn property_name() -> impl Strategy<Value = String> {
    let known = prop::sample::select(KNOWN_PROPERTIES);
    prop_oneof![
        Just(String::new()),
        (known.clone(), any::<u64>()).prop_map(|(name, mask)| recase(name, mask)),
        (
            known.clone(),
            prop::sample::select(&[".Length", "[0]", "[12].Name", ".", "[", "]", "Id", "id"][..]),
            any::<u64>(),
        )
            .prop_map(|(name, suffix, mask)| recase(&format!("{name}{suffix}"), mask)),
        (known, "[ \t\u{a0}\u{3000}]{0,3}", "[ \t\n]{0,3}")
            .prop_map(|(name, before, after)| format!("{before}{name}{after}")),
        "[A-Za-z0-9_.\\[\\]]{0,24}",
        "\\PC{0,24}",
        any::<String>(),
    ]
}

/// An arbitrary string with the `Message` separators (`\n`, `;`) replaced by spaces.
fn one_line() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| s.replace(['\n', ';'], " "))
}

/// Object keys: the envelope's and an entry's own keys (in their casing and others), or any.
fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(
            &[
                "Status",
                "Message",
                "Value",
                "WasSuccessful",
                "Errors",
                "Id",
                "id",
                "PropertyName",
                "propertyName",
                "AttemptedValue",
                "ErrorMessage",
                "message",
            ][..]
        )
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// Arbitrary JSON values, up to a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| {
            serde_json::Number::from_f64(f).map(Value::Number)
        }),
        prop::sample::select(&["true", "false", "TRUE", "400", " 42 ", ""][..])
            .prop_map(|s| Value::String(s.to_owned())),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((json_key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// `Retry-After` header values: absent, seconds, HTTP dates with any numbers, anything.
fn retry_after() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        "[ ]{0,2}[+]?[0-9]{1,25}[ ]{0,2}",
        http_date_like(),
        any::<String>(),
    ])
}

/// Strings shaped like IMF-fixdates, with any numbers in them (years far out of range too).
fn http_date_like() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["Sun", "Mon", "Xyz", ""][..]),
        prop_oneof![any::<u64>().prop_map(|n| n.to_string()), "[0-9]{1,3}"],
        prop::sample::select(&["Jan", "Feb", "Mar", "Nov", "Dec", "jan", "Foo"][..]),
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            (1900i64..=2200).prop_map(|n| n.to_string()),
            "[+-]?[0-9]{1,20}",
        ],
        prop_oneof![(0u64..=24, 0u64..=60, 0u64..=61), any::<(u64, u64, u64)>()],
        prop::sample::select(&["GMT", "UTC", ""][..]),
    )
        .prop_map(|(weekday, day, month, year, (h, m, s), zone)| {
            format!("{weekday}, {day} {month} {year} {h:02}:{m:02}:{s:02} {zone}")
        })
}

/// Response bodies: raw bytes, text, HTML pages and serialised JSON.
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        any::<String>().prop_map(String::into_bytes),
        (any::<String>(), any::<String>(), any::<String>()).prop_map(|(title, text, tail)| {
            format!("<html><head><TITLE>{title}</title></head><body>{text}<p>{tail}</body></html>")
                .into_bytes()
        }),
        json_value().prop_map(|v| serde_json::to_vec(&v).expect("JSON serialises")),
    ]
}

/// One `Errors[]` entry as the API might write it.
#[derive(Debug, Clone)]
struct Entry {
    property: String,
    message: String,
    attempted: Option<Value>,
    /// Spell the keys `propertyName`/`message`/`attemptedValue` instead.
    camel_keys: bool,
}

impl Entry {
    fn to_json(&self) -> Value {
        let (p, m, a) = if self.camel_keys {
            ("propertyName", "message", "attemptedValue")
        } else {
            ("PropertyName", "Message", "AttemptedValue")
        };
        let mut object = Map::new();
        object.insert(p.into(), Value::String(self.property.clone()));
        object.insert(m.into(), Value::String(self.message.clone()));
        if let Some(attempted) = &self.attempted {
            object.insert(a.into(), attempted.clone());
        }
        Value::Object(object)
    }
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        property_name(),
        prop_oneof![
            Just(String::new()),
            Just("  ".to_owned()),
            Just("is a required field".to_owned()),
            any::<String>(),
        ],
        prop::option::of(json_value()),
        any::<bool>(),
    )
        .prop_map(|(property, message, attempted, camel_keys)| Entry {
            property,
            message,
            attempted,
            camel_keys,
        })
}

/// HTTP statuses at which a refusal envelope is read as validation errors: everything
/// but 401 (unauthorised) and 409/429 (throttled), which are decided by status alone.
fn refusal_status() -> impl Strategy<Value = u16> {
    (100u16..=599).prop_filter("not 401/409/429", |s| !matches!(s, 401 | 409 | 429))
}

// ---------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------

/// What every outcome must satisfy, whatever the body was.
fn check_outcome(status: u16, retry: Option<&str>, now: u64, outcome: &Outcome) {
    match status {
        401 => assert_eq!(outcome, &Outcome::Unauthorized),
        409 | 429 => {
            let expected = match retry.map(str::trim).and_then(|r| r.parse::<u64>().ok()) {
                Some(seconds) => Some(Duration::from_secs(seconds)),
                None if retry.is_none() => Some(DEFAULT_RETRY_AFTER),
                // A date (or garbage): only the classifier's own parse says what it is.
                None => None,
            };
            match (outcome, expected) {
                (Outcome::Throttled { retry_after }, Some(expected)) => {
                    assert_eq!(*retry_after, expected)
                }
                (Outcome::Throttled { retry_after }, None) => assert_eq!(
                    *retry_after,
                    parse_retry_after(retry.unwrap_or_default(), now)
                        .unwrap_or(DEFAULT_RETRY_AFTER)
                ),
                (other, _) => panic!("{status} must be Throttled, got {other:?}"),
            }
        }
        _ => {}
    }
    // A success is only ever read from a 2xx answer.
    if outcome.is_success() {
        assert!(
            (200..300).contains(&status),
            "success {outcome:?} on HTTP {status}"
        );
    }
    if status >= 400 {
        assert!(
            !outcome.is_success(),
            "success {outcome:?} on HTTP {status}"
        );
    }
    match outcome {
        Outcome::Invalid(report) => {
            assert!(!report.is_empty(), "an empty report on HTTP {status}");
            for message in &report.fields {
                assert!(
                    !message.text.trim().is_empty(),
                    "a blank field message: {report:?}"
                );
            }
            for message in &report.form {
                if let FormMessage::Server { text, property } = message {
                    assert!(!text.trim().is_empty(), "a blank form message: {report:?}");
                    if let Some(property) = property {
                        assert!(!property.is_empty());
                    }
                }
            }
        }
        Outcome::Unexpected { excerpt, .. } => check_excerpt(excerpt),
        Outcome::ServerError {
            message: Some(message),
        } => assert!(!message.trim().is_empty(), "a blank server message"),
        _ => {}
    }
}

/// An excerpt is short, single-line, tag-free and normalised.
fn check_excerpt(excerpt: &str) {
    assert!(
        excerpt.chars().count() <= EXCERPT_MAX_CHARS,
        "excerpt of {} chars: {excerpt:?}",
        excerpt.chars().count()
    );
    assert!(!excerpt.contains('<'), "a tag in the excerpt: {excerpt:?}");
    assert!(
        !excerpt.chars().any(|c| c.is_control() || c == '\n'),
        "a control character in the excerpt: {excerpt:?}"
    );
    assert_eq!(excerpt, excerpt.trim(), "padding in the excerpt");
    assert!(!excerpt.contains("  "), "a run of spaces in the excerpt");
}

fn placed_count(outcome: &Outcome) -> usize {
    match outcome {
        Outcome::Invalid(report) => report.fields.len() + report.form.len(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any bytes, any status, any `Retry-After`: an outcome, and something to show.
    #[test]
    fn arbitrary_bytes_always_classify(
        bytes in body_bytes(),
        status in 100u16..=599,
        retry in retry_after(),
        now in prop_oneof![any::<u64>(), 0u64..=4_102_444_800],
        shown in shown_fields(),
    ) {
        let body = Body::from_bytes(&bytes);
        let outcome = classify(status, retry.as_deref(), now, &body, &shown);
        check_outcome(status, retry.as_deref(), now, &outcome);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    /// Any JSON value reads as the body kind it is, and classifies.
    #[test]
    fn arbitrary_json_always_classifies(
        value in json_value(),
        status in 100u16..=599,
        shown in shown_fields(),
    ) {
        let bytes = serde_json::to_vec(&value).expect("JSON serialises");
        let body = Body::from_bytes(&bytes);
        match (&value, &body) {
            // A field of an odd type never makes an object unreadable as an envelope.
            (Value::Object(_), Body::Envelope(_)) => {}
            (Value::String(s), Body::JsonString(read)) => prop_assert_eq!(s, read),
            (Value::Null | Value::Bool(_) | Value::Number(_) | Value::Array(_), Body::OtherJson) => {}
            (value, body) => prop_assert!(false, "{value} read as {body:?}"),
        }
        let outcome = classify(status, None, 1_700_000_000, &body, &shown);
        check_outcome(status, None, 1_700_000_000, &outcome);
    }

    /// A refusal with `Errors[]` places exactly one message per entry, on its field when
    /// the panel shows it and at form level otherwise, in the order they came.
    #[test]
    fn every_error_entry_is_placed_once_in_order(
        entries in prop::collection::vec(entry(), 1..=MAX_LISTED_ERRORS),
        status in refusal_status(),
        was_successful in prop::sample::select(vec![
            Value::Bool(false),
            Value::String("false".into()),
            Value::String("False".into()),
        ]),
        message in prop::option::of(any::<String>()),
        body_status in prop::option::of(json_value()),
        value in prop::option::of(json_value()),
        shown in shown_fields(),
    ) {
        let mut envelope = Map::new();
        envelope.insert("WasSuccessful".into(), was_successful);
        envelope.insert("Errors".into(), Value::Array(entries.iter().map(Entry::to_json).collect()));
        if let Some(message) = message {
            envelope.insert("Message".into(), Value::String(message));
        }
        if let Some(body_status) = body_status {
            envelope.insert("Status".into(), body_status);
        }
        if let Some(value) = value {
            envelope.insert("Value".into(), value);
        }
        let bytes = serde_json::to_vec(&Value::Object(envelope)).expect("JSON serialises");
        let outcome = classify(status, None, 0, &Body::from_bytes(&bytes), &shown);
        check_outcome(status, None, 0, &outcome);
        prop_assert_eq!(placed_count(&outcome), entries.len());
        let Outcome::Invalid(report) = outcome else { unreachable!() };

        // What each entry should become, in order.
        let mut expected_fields: Vec<(Field, String)> = Vec::new();
        let mut expected_form: Vec<FormMessage> = Vec::new();
        for entry in &entries {
            let property = entry.property.trim();
            let text = match entry.message.trim() {
                "" => "is not valid",
                text => text,
            };
            match Field::from_property(property, &shown) {
                Some(field) => {
                    prop_assert!(shown.contains(&field));
                    expected_fields.push((field, text.to_owned()));
                }
                None => {
                    // A name that is exactly a shown field's own is never left unplaced.
                    prop_assert!(
                        !shown.iter().any(|f| f.api_name().eq_ignore_ascii_case(property)),
                        "{property:?} names a shown field"
                    );
                    expected_form.push(FormMessage::Server {
                        property: (!property.is_empty()).then(|| property.to_owned()),
                        text: text.to_owned(),
                    });
                }
            }
        }
        for field in Field::ALL {
            let want: Vec<&str> = expected_fields
                .iter()
                .filter(|(f, _)| *f == field)
                .map(|(_, t)| t.as_str())
                .collect();
            prop_assert_eq!(report.for_field(field).collect::<Vec<_>>(), want, "field {:?}", field);
        }
        prop_assert_eq!(&report.form, &expected_form);
    }

    /// With no `Errors[]`, the `Message` summary is read: one message per `Prop: text`
    /// part, each taken from the summary, and never an empty report.
    #[test]
    fn summary_message_is_never_an_empty_report(
        lines in prop::collection::vec((prop_oneof![property_name(), one_line()], one_line()), 0..6),
        separators in prop::collection::vec(prop::sample::select(&["\n", ";", "\r\n", " ; "][..]), 6),
        errors in prop::sample::select(&["absent", "null", "[]", "{}"][..]),
        message_present in any::<bool>(),
        refusal in prop_oneof![
            // `WasSuccessful: false` on any status that is not decided by status alone
            // (404 and 5xx without errors mean "not found" and "server error").
            (100u16..=499)
                .prop_filter("validation status", |s| !matches!(s, 401 | 404 | 409 | 429))
                .prop_map(|s| (s, Some(false))),
            // No `WasSuccessful` at all: the validation statuses.
            prop::sample::select(&[400u16, 422][..]).prop_map(|s| (s, None)),
        ],
        shown in shown_fields(),
    ) {
        let (status, was_successful) = refusal;
        let lines: Vec<String> = lines
            .iter()
            .map(|(property, text)| format!("{}: {}", property.replace(['\n', ';'], " "), text))
            .collect();
        let mut message = String::new();
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                message.push_str(separators[i]);
            }
            message.push_str(line);
        }
        let mut envelope = Map::new();
        if let Some(flag) = was_successful {
            envelope.insert("WasSuccessful".into(), Value::Bool(flag));
        }
        match errors {
            "absent" => {}
            "null" => { envelope.insert("Errors".into(), Value::Null); }
            "[]" => { envelope.insert("Errors".into(), Value::Array(Vec::new())); }
            _ => { envelope.insert("Errors".into(), Value::Object(Map::new())); }
        }
        let message_sent = message_present || !lines.is_empty();
        if message_sent {
            envelope.insert("Message".into(), Value::String(message.clone()));
        }
        let bytes = serde_json::to_vec(&Value::Object(envelope)).expect("JSON serialises");
        let outcome = classify(status, None, 0, &Body::from_bytes(&bytes), &shown);
        check_outcome(status, None, 0, &outcome);
        let Outcome::Invalid(report) = &outcome else {
            return Err(TestCaseError::fail(format!("expected Invalid, got {outcome:?}")));
        };
        prop_assert!(!report.is_empty());
        if lines.is_empty() {
            prop_assert_eq!(&report.form, &vec![FormMessage::NoDetail]);
            prop_assert!(report.fields.is_empty());
        } else {
            // Every line holds a `:`, so none is blank: one message each.
            prop_assert_eq!(placed_count(&outcome), lines.len());
            for text in report.fields.iter().map(|m| m.text.as_str()).chain(
                report.form.iter().filter_map(|m| match m {
                    FormMessage::Server { text, .. } => Some(text.as_str()),
                    FormMessage::NoDetail | FormMessage::More(_) => None,
                }),
            ) {
                prop_assert!(message.contains(text), "{text:?} is not from {message:?}");
            }
        }
    }
}

/// Days since 1970-01-01 → (year, month, day), H. Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Formats Unix seconds as an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(unix: u64) -> String {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[month as usize - 1],
        secs / 3_600,
        secs / 60 % 60,
        secs % 60
    )
}

#[test]
fn http_date_helper_matches_the_rfc_example() {
    assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `Retry-After` never panics, whatever the header says or the clock reads.
    #[test]
    fn retry_after_never_panics(
        value in prop_oneof![http_date_like(), any::<String>()],
        now in any::<u64>(),
    ) {
        if let Some(wait) = parse_retry_after(&value, now) {
            // Whatever it read, it is a whole number of seconds.
            prop_assert_eq!(wait.subsec_nanos(), 0);
        }
    }

    /// Integer seconds round-trip, padded or not.
    #[test]
    fn retry_after_seconds_round_trip(
        seconds in any::<u64>(),
        pad in "[ \t]{0,2}",
        now in any::<u64>(),
    ) {
        prop_assert_eq!(
            parse_retry_after(&format!("{pad}{seconds}{pad}"), now),
            Some(Duration::from_secs(seconds))
        );
    }

    /// An HTTP date in the future is a wait of the difference; one in the past is none.
    #[test]
    fn retry_after_dates_round_trip(
        // 1970 to 2100.
        now in 0u64..=4_102_444_800,
        offset in -200_000i64..=200_000,
    ) {
        let at = now.saturating_add_signed(offset);
        let wait = parse_retry_after(&http_date(at), now);
        prop_assert_eq!(wait, Some(Duration::from_secs(at.saturating_sub(now))));
    }

    /// `excerpt` never panics and never splits a character: short, one line, tag-free.
    #[test]
    fn excerpt_is_short_single_line_and_tag_free(
        body in prop_oneof![
            any::<String>(),
            // Multi-byte characters around the cut at 160.
            prop::collection::vec(prop::sample::select(&['é', '€', '𝄞', 'x', ' ', '\n', '<', '>', '\u{0}'][..]), 150..200)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
            (any::<String>(), any::<String>())
                .prop_map(|(a, b)| format!("<html><title>{a}</title><body>{b}</body></html>")),
        ],
    ) {
        let cut = excerpt(&body);
        check_excerpt(&cut);
        // Text without markup is kept word for word, up to the cut.
        if !body.contains('<') {
            let words = body
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>();
            let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
            if words.chars().count() <= 160 {
                prop_assert_eq!(cut, words);
            } else {
                let kept: String = words.chars().take(160).collect();
                prop_assert_eq!(cut, format!("{kept}…"));
            }
        }
    }
}
