//! Fuzzes the response classifier and the success readers: any status, any `Retry-After`,
//! any body bytes. The readers a write's success and a look-up rely on (`Value.Id`, the
//! list records' `Id`) must never yield a reference that is not a positive integer, and
//! server text must come out bounded.
//!
//! Input layout (see README.md):
//! - bytes 0..2: the HTTP status, big-endian; values of 600 and up fold into 100..=599;
//! - byte 2: the length of the `Retry-After` value, `0xFF` for no header at all, `0xFE`
//!   for an HTTP date built from the next 15 bytes (weekday, day, month, year as a
//!   big-endian i64, hour, minute, second, zone), so that any number reaches the date
//!   parser without the fuzzer having to spell it;
//! - that many bytes: the `Retry-After` value (lossy UTF-8);
//! - the rest: the response body.
//!
//! Panics (a crash for libFuzzer) when the classifier panics or breaks an invariant.

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use nexudus_start_conversation::api::list::{file_lookup, find_record, ListPage, Thread};
use nexudus_start_conversation::api::outcome::{
    excerpt, parse_retry_after, DEFAULT_RETRY_AFTER, MAX_LISTED_ERRORS, MAX_MESSAGE_CHARS,
};
use nexudus_start_conversation::api::{
    classify, Body, Envelope, Field, FormMessage, NewThreadFile, Outcome,
};

const NOW: u64 = 1_700_000_000;

/// The field sets the panel shows: the attachment form, the new-thread form, all, none.
const FIELD_SETS: [&[Field]; 4] = [
    &[Field::Attachment, Field::Name, Field::Description],
    &[Field::Subject, Field::Message, Field::CommunityGroupId],
    &Field::ALL,
    &[],
];

fuzz_target!(|data: &[u8]| {
    let Some(Input {
        status,
        retry,
        body,
    }) = Input::split(data)
    else {
        return;
    };
    let retry = retry.as_deref();

    let parsed = Body::from_bytes(body);
    for shown in FIELD_SETS {
        let outcome = classify(status, retry, NOW, &parsed, shown);
        check_outcome(status, retry, &outcome);
        check_error_entries(status, &parsed, &outcome);
    }

    check_success_readers(body);
    check_excerpt(&excerpt(&String::from_utf8_lossy(body)));
    if let Some(value) = retry {
        for now in [0, NOW, u64::MAX] {
            let wait = parse_retry_after(value, now);
            if let Ok(seconds) = value.trim().parse::<u64>() {
                assert_eq!(wait, Some(Duration::from_secs(seconds)), "{value:?}");
            }
        }
    }
});

/// One fuzz input, split.
struct Input<'a> {
    status: u16,
    /// The `Retry-After` value; `None` for no header.
    retry: Option<String>,
    body: &'a [u8],
}

/// The length byte that means "no `Retry-After` header".
const NO_HEADER: u8 = 0xFF;
/// The length byte that means "an HTTP date from the next [`DATE_BYTES`] bytes".
const DATE_HEADER: u8 = 0xFE;
const DATE_BYTES: usize = 15;

impl<'a> Input<'a> {
    /// Splits the input into status, `Retry-After` and body; `None` when too short.
    fn split(data: &'a [u8]) -> Option<Input<'a>> {
        let (&[hi, lo, len], rest) = data.split_first_chunk::<3>()?;
        let raw = u16::from_be_bytes([hi, lo]);
        let status = if raw < 600 { raw } else { 100 + raw % 500 };
        let (retry, body) = match len {
            NO_HEADER => (None, rest),
            DATE_HEADER => {
                let mut date = [0u8; DATE_BYTES];
                let used = DATE_BYTES.min(rest.len());
                date[..used].copy_from_slice(&rest[..used]);
                (Some(http_date(date)), &rest[used..])
            }
            len => {
                let (retry, body) = rest.split_at(usize::from(len).min(rest.len()));
                (Some(String::from_utf8_lossy(retry).into_owned()), body)
            }
        };
        Some(Input {
            status,
            retry,
            body,
        })
    }
}

/// An IMF-fixdate-shaped string with any numbers in it (and, now and then, a wrong name).
fn http_date(b: [u8; DATE_BYTES]) -> String {
    const WEEKDAYS: [&str; 8] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Xyz"];
    const MONTHS: [&str; 13] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "jan",
    ];
    const ZONES: [&str; 3] = ["GMT", "UTC", ""];
    let year = i64::from_be_bytes([b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10]]);
    format!(
        "{}, {:02} {} {year} {:02}:{:02}:{:02} {}",
        WEEKDAYS[usize::from(b[0]) % WEEKDAYS.len()],
        b[1],
        MONTHS[usize::from(b[2]) % MONTHS.len()],
        b[11],
        b[12],
        b[13],
        ZONES[usize::from(b[14]) % ZONES.len()],
    )
}

/// What every outcome must satisfy, whatever the body was.
fn check_outcome(status: u16, retry: Option<&str>, outcome: &Outcome) {
    match status {
        401 => assert_eq!(outcome, &Outcome::Unauthorized),
        409 | 429 => {
            let Outcome::Throttled { retry_after } = outcome else {
                panic!("HTTP {status} gave {outcome:?}, not Throttled");
            };
            match retry {
                None => assert_eq!(*retry_after, DEFAULT_RETRY_AFTER),
                Some(value) => {
                    if let Ok(seconds) = value.trim().parse::<u64>() {
                        assert_eq!(*retry_after, Duration::from_secs(seconds));
                    }
                }
            }
        }
        _ => {}
    }
    if outcome.is_success() {
        // Status 0 is the only non-HTTP status the classifier trusts a success flag on.
        assert!(
            (200..300).contains(&status) || status == 0,
            "success {outcome:?} on HTTP {status}"
        );
    }
    match outcome {
        Outcome::Invalid(report) => {
            assert!(!report.is_empty(), "an empty report on HTTP {status}");
            assert!(
                report.fields.len() + report.form.len() <= MAX_LISTED_ERRORS + 1,
                "{} messages listed",
                report.fields.len() + report.form.len()
            );
            for message in &report.fields {
                assert!(!message.text.trim().is_empty(), "blank: {report:?}");
                check_bounded(&message.text);
            }
            for message in &report.form {
                if let FormMessage::Server { text, property } = message {
                    assert!(!text.trim().is_empty(), "blank: {report:?}");
                    check_bounded(text);
                    assert!(
                        property.as_deref() != Some(""),
                        "empty property: {report:?}"
                    );
                }
            }
        }
        Outcome::Unexpected { excerpt, .. } => check_excerpt(excerpt),
        Outcome::ServerError {
            message: Some(message),
        } => {
            assert!(!message.trim().is_empty(), "a blank server message");
            check_bounded(message);
        }
        Outcome::Created { id } => assert!(*id > 0, "Created with Id {id}"),
        _ => {}
    }
}

/// `Value.Id` and list records' `Id`: a reference is a positive integer, or nothing.
fn check_success_readers(body: &[u8]) {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    if let Some(id) = Envelope::read(&json).value_id {
        assert!(id > 0, "Value.Id {id} read as a reference");
    }
    let threads = ListPage::read(&json, Thread::read);
    assert!(threads.records.iter().all(|t| t.id > 0), "{threads:?}");
    // The look-up's matcher: only a positive Id, and a record always finds itself.
    let wanted = NewThreadFile {
        community_thread_id: 1,
        name: String::new(),
        description: None,
        new_file_data_url: None,
    };
    if let Some(id) = find_record(&json, &file_lookup(&wanted).1) {
        assert!(id > 0, "the look-up found Id {id}");
    }
    for record in threads
        .records
        .iter()
        .filter(|r| !r.subject.trim().is_empty())
        .take(4)
    {
        let wanted = [("Subject", record.subject.clone(), true)];
        assert!(find_record(&json, &wanted).is_some(), "{record:?}");
    }
}

/// Server text is bounded: at most [`MAX_MESSAGE_CHARS`] characters (and an ellipsis).
fn check_bounded(text: &str) {
    assert!(
        text.chars().count() <= MAX_MESSAGE_CHARS + 1,
        "{} characters",
        text.chars().count()
    );
}

/// A refusal with `Errors[]` places exactly one message per entry.
fn check_error_entries(status: u16, body: &Body, outcome: &Outcome) {
    let Body::Envelope(envelope) = body else {
        return;
    };
    if envelope.was_successful != Some(false)
        || envelope.errors.is_empty()
        || matches!(status, 401 | 409 | 429)
    {
        return;
    }
    let Outcome::Invalid(report) = outcome else {
        panic!("a refusal with errors on HTTP {status} gave {outcome:?}");
    };
    // Each entry is listed, up to a handful; the rest are counted in one "and N more".
    let listed = envelope.errors.len().min(MAX_LISTED_ERRORS);
    let more = usize::from(envelope.errors.len() > MAX_LISTED_ERRORS);
    assert_eq!(
        report.fields.len() + report.form.len(),
        listed + more,
        "{report:?} for {:?}",
        envelope.errors
    );
    if more == 1 {
        assert_eq!(
            report.form.last(),
            Some(&FormMessage::More(envelope.errors.len() - MAX_LISTED_ERRORS))
        );
    }
}

/// An excerpt is short, single-line and tag-free.
fn check_excerpt(excerpt: &str) {
    assert!(excerpt.chars().count() <= 161, "too long: {excerpt:?}");
    assert!(!excerpt.contains('<'), "a tag: {excerpt:?}");
    assert!(
        !excerpt.chars().any(char::is_control),
        "a control character: {excerpt:?}"
    );
}
