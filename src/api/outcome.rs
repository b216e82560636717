//! One classifier from an HTTP answer to what it means for the member.
//!
//! Success is judged by `WasSuccessful`, never by the HTTP status or the body's `Status`
//! alone: Nexudus documents a 400 whose body says `"Status": 500`, and clients find
//! `WasSuccessful: false` on a 200. Bodies may be JSON envelopes, bare JSON strings,
//! HTML from a gateway, or nothing. [`classify`] always returns an [`Outcome`], and a
//! failure always carries something a member can read.

use std::time::Duration;

use super::envelope::{ApiFieldError, Envelope};
use super::fields::Field;

/// The longest excerpt of an unexpected body kept for diagnostics, in characters.
const EXCERPT_CHARS: usize = 160;

/// The longest server text shown, in characters: a server may send megabytes.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// The most server errors listed one by one; the rest are counted
/// ([`FormMessage::More`]).
pub const MAX_LISTED_ERRORS: usize = 6;

/// How long to wait when a throttled answer carries no usable `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A response body as the transport read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A JSON object, read as an envelope.
    Envelope(Envelope),
    /// A bare JSON string, such as the documented 404 body `"Not found"`.
    JsonString(String),
    /// Any other JSON value (number, list, boolean, null).
    OtherJson,
    /// Text that is not JSON: HTML from a gateway, plain text, garbage.
    Text(String),
    /// No body at all (or only white space).
    Empty,
}

impl Body {
    /// The human-readable text the body carries: an envelope's `Message`, a bare JSON
    /// string, or plain text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Body::Envelope(envelope) => envelope.message.as_deref(),
            Body::JsonString(text) | Body::Text(text) => Some(text),
            Body::OtherJson | Body::Empty => None,
        }
    }

    /// Reads raw bytes natively with `serde_json` (the wasm build reads text with the
    /// browser's `JSON.parse` and builds the same [`Body`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_bytes(bytes: &[u8]) -> Body {
        let text = String::from_utf8_lossy(bytes);
        if text.trim().is_empty() {
            return Body::Empty;
        }
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value @ serde_json::Value::Object(_)) => Body::Envelope(Envelope::read(&value)),
            Ok(serde_json::Value::String(s)) => Body::JsonString(s),
            Ok(_) => Body::OtherJson,
            Err(_) => Body::Text(text.into_owned()),
        }
    }
}

/// What an answer from the API means.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The record was created; `id` is its new Id.
    Created {
        /// The new record's Id, from `Value.Id`.
        id: u64,
    },
    /// The operation succeeded and named no new record (a delete, for example).
    Succeeded,
    /// The API rejected the input: what to show on which field.
    Invalid(ErrorReport),
    /// 401: the token is missing, expired or unknown, **or** it lacks the role.
    /// Nexudus does not tell these apart, so neither can the member-facing message.
    Unauthorized,
    /// 404: the record or endpoint does not exist.
    NotFound,
    /// 409 (Nexudus's throttle answer, "for legacy reasons") or 429.
    Throttled {
        /// How long the server asked to wait.
        retry_after: Duration,
    },
    /// The server failed; `message` is its own text when it gave one.
    ServerError {
        /// The server's message, rendered as text if shown at all.
        message: Option<String>,
    },
    /// An answer in no documented shape.
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// A short, tag-free excerpt of the body, for diagnostics only.
        excerpt: String,
    },
}

/// A request that got no answer from the API at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The browser could not reach the server (offline, DNS, CORS, dropped connection).
    #[error("the server could not be reached")]
    Network,
    /// No answer arrived within the configured time.
    #[error("the server did not answer in time")]
    Timeout,
    /// The member (or the host page) cancelled the request.
    #[error("the request was cancelled")]
    Cancelled,
}

impl Outcome {
    /// Whether this outcome is a success of any kind.
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Created { .. } | Outcome::Succeeded)
    }

    /// Whether a write answered this way may have taken effect all the same, so that
    /// writing again could make a second copy: a server error (Nexudus's generic 500
    /// can come after the record was saved) or a success whose body could not be read.
    pub fn may_have_acted(&self) -> bool {
        match self {
            Outcome::Created { .. } | Outcome::Succeeded | Outcome::ServerError { .. } => true,
            Outcome::Unexpected { status, .. } => *status >= 500 || *status < 300,
            Outcome::Invalid(_)
            | Outcome::Unauthorized
            | Outcome::NotFound
            | Outcome::Throttled { .. } => false,
        }
    }
}

/// Validation errors, placed: on fields the panel shows, or at form level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorReport {
    /// Errors for shown fields, in the order they arrived (several per field allowed).
    pub fields: Vec<FieldMessage>,
    /// Errors that name no shown field, in the order they arrived.
    pub form: Vec<FormMessage>,
}

/// An error message that belongs to one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    /// The field it belongs to.
    pub field: Field,
    /// The message, as the server (or the client-side check) wrote it.
    pub text: String,
}

/// An error message that belongs to the form as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormMessage {
    /// A server message; `property` is the name it blamed, if any.
    Server {
        /// The `PropertyName` the server gave, when not empty.
        property: Option<String>,
        /// The server's text.
        text: String,
    },
    /// The server refused the input and said nothing about why.
    NoDetail,
    /// This many more errors were given than are listed.
    More(usize),
}

impl ErrorReport {
    /// Places `Errors[]` entries; when there are none, parses the envelope's `Message`.
    /// The result is never empty: a refusal with no detail yields [`FormMessage::NoDetail`].
    pub fn from_envelope(envelope: &Envelope, shown: &[Field]) -> ErrorReport {
        let mut report = ErrorReport::default();
        let mut more = 0;
        if envelope.errors.is_empty() {
            if let Some(message) = envelope.message.as_deref() {
                more = report.add_summary_message(message, shown);
            }
        } else {
            for error in &envelope.errors {
                if report.len() < MAX_LISTED_ERRORS {
                    report.add_api_error(error, shown);
                } else {
                    more += 1;
                }
            }
        }
        if report.is_empty() {
            report.form.push(FormMessage::NoDetail);
        }
        if more > 0 {
            report.form.push(FormMessage::More(more));
        }
        report
    }

    /// How many messages the report holds.
    fn len(&self) -> usize {
        self.fields.len() + self.form.len()
    }

    /// Whether the report holds no message at all.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.form.is_empty()
    }

    /// The messages for one field, in order.
    pub fn for_field(&self, field: Field) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(move |m| m.field == field)
            .map(|m| m.text.as_str())
    }

    /// Removes the messages of one field (the member edited it).
    pub fn clear_field(&mut self, field: Field) {
        self.fields.retain(|m| m.field != field);
    }

    /// Adds a message for a field.
    pub fn push_field(&mut self, field: Field, text: impl Into<String>) {
        self.fields.push(FieldMessage {
            field,
            text: text.into(),
        });
    }

    fn add_api_error(&mut self, error: &ApiFieldError, shown: &[Field]) {
        let text = error.message.trim();
        let property = error.property_name.trim();
        let text = if text.is_empty() {
            "is not valid"
        } else {
            text
        };
        self.place(property, text, shown);
    }

    fn place(&mut self, property: &str, text: &str, shown: &[Field]) {
        let text = shorten(text);
        match Field::from_property(property, shown) {
            Some(field) => self.push_field(field, text),
            None => self.form.push(FormMessage::Server {
                property: (!property.is_empty()).then(|| shorten(property)),
                text,
            }),
        }
    }

    /// Parses `Prop: text` lines separated by newlines or `;`. A part without a
    /// property-like prefix is kept whole at form level. Returns how many parts were
    /// past [`MAX_LISTED_ERRORS`] and left out.
    fn add_summary_message(&mut self, message: &str, shown: &[Field]) -> usize {
        let mut more = 0;
        for part in message.split(['\n', ';']) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            if self.len() >= MAX_LISTED_ERRORS {
                more += 1;
                continue;
            }
            match split_property(part) {
                Some((property, text)) => self.place(property, text, shown),
                None => self.form.push(FormMessage::Server {
                    property: None,
                    text: shorten(part),
                }),
            }
        }
        more
    }
}

/// `"Name: is required"` → `("Name", "is required")`; `None` when the part before the
/// first `:` is not a property path (letters, digits, `_`, `.`, `[`, `]`).
fn split_property(part: &str) -> Option<(&str, &str)> {
    let (head, tail) = part.split_once(':')?;
    let head = head.trim();
    let tail = tail.trim();
    let is_path = !head.is_empty()
        && head.starts_with(|c: char| c.is_ascii_alphabetic())
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'));
    (is_path && !tail.is_empty()).then_some((head, tail))
}

/// Classifies one HTTP answer. `retry_after` is the raw `Retry-After` header, and
/// `now_unix` the current time in seconds (to read a `Retry-After` given as a date).
/// `shown` lists the fields the panel currently shows.
pub fn classify(
    status: u16,
    retry_after: Option<&str>,
    now_unix: u64,
    body: &Body,
    shown: &[Field],
) -> Outcome {
    match status {
        401 => return Outcome::Unauthorized,
        409 | 429 => {
            // Nexudus documents `Retry-After`, but a cross-origin script cannot read it
            // unless the server exposes it, and throttles are also seen as a 429 with the
            // wait only in the body's text ("Wait N seconds").
            return Outcome::Throttled {
                retry_after: retry_after
                    .and_then(|value| parse_retry_after(value, now_unix))
                    .or_else(|| body.text().and_then(wait_in_text))
                    .unwrap_or(DEFAULT_RETRY_AFTER),
            };
        }
        _ => {}
    }
    match body {
        Body::Envelope(envelope) => classify_envelope(status, envelope, shown),
        Body::JsonString(text) => match status {
            404 => Outcome::NotFound,
            500..=599 => Outcome::ServerError {
                message: non_empty(text),
            },
            _ => unexpected(status, text),
        },
        Body::OtherJson => match status {
            404 => Outcome::NotFound,
            _ => unexpected(status, "(JSON that is not an envelope)"),
        },
        Body::Text(text) => match status {
            404 => Outcome::NotFound,
            _ => unexpected(status, text),
        },
        Body::Empty => match status {
            404 => Outcome::NotFound,
            _ => unexpected(status, ""),
        },
    }
}

fn classify_envelope(status: u16, envelope: &Envelope, shown: &[Field]) -> Outcome {
    let http_ok = (200..300).contains(&status);
    match envelope.was_successful {
        Some(true) if http_ok || status == 0 => match envelope.value_id {
            Some(id) => Outcome::Created { id },
            None => Outcome::Succeeded,
        },
        // A success flag on an error status is contradictory: trust neither.
        Some(true) => unexpected(status, envelope.message.as_deref().unwrap_or("")),
        Some(false) => {
            if status >= 500 && envelope.errors.is_empty() {
                Outcome::ServerError {
                    message: envelope.message.as_deref().and_then(non_empty),
                }
            } else if status == 404 && envelope.errors.is_empty() {
                Outcome::NotFound
            } else {
                Outcome::Invalid(ErrorReport::from_envelope(envelope, shown))
            }
        }
        None => match status {
            404 => Outcome::NotFound,
            500..=599 => Outcome::ServerError {
                message: envelope.message.as_deref().and_then(non_empty),
            },
            400 | 422 => Outcome::Invalid(ErrorReport::from_envelope(envelope, shown)),
            200..=299 => match envelope.value_id {
                Some(id) => Outcome::Created { id },
                None => unexpected(status, envelope.message.as_deref().unwrap_or("")),
            },
            _ => unexpected(status, envelope.message.as_deref().unwrap_or("")),
        },
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| shorten(text))
}

/// `text`, cut to [`MAX_MESSAGE_CHARS`] characters with an ellipsis when longer.
pub fn shorten(text: &str) -> String {
    cut(text.to_owned(), MAX_MESSAGE_CHARS)
}

fn unexpected(status: u16, body: &str) -> Outcome {
    Outcome::Unexpected {
        status,
        excerpt: excerpt(body),
    }
}

/// A short, tag-free, single-line excerpt: the `<title>` of an HTML page when it has
/// one, otherwise its text with tags dropped, cut to `EXCERPT_CHARS` (160) characters.
pub fn excerpt(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let source = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(start), Some(end)) => body.get(start + 7..end).unwrap_or(body),
        _ => body,
    };
    // Tags dropped, runs of white space and control characters made one space.
    let mut text = String::new();
    let mut in_tag = false;
    let mut gap = false;
    for c in source.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                gap = true;
            }
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => gap = true,
            c => {
                if gap && !text.is_empty() {
                    text.push(' ');
                }
                gap = false;
                text.push(c);
            }
        }
    }
    cut(text, EXCERPT_CHARS)
}

/// `text` cut to `max` characters, with an ellipsis when it was longer.
fn cut(text: String, max: usize) -> String {
    if text.chars().nth(max).is_none() {
        return text;
    }
    let mut short: String = text.chars().take(max).collect();
    short.push('…');
    short
}

/// How far into a throttle message the wait is looked for, in bytes.
const WAIT_SEARCH_BYTES: usize = 1_000;

/// Reads the wait out of a throttle message such as "You must wait 2 seconds before
/// accessing this url again" or "Wait 1s": the first number after the word "wait",
/// followed by a unit of seconds.
pub fn wait_in_text(text: &str) -> Option<Duration> {
    // Bytes, not `str` slices: no char-boundary panics to link into the wasm.
    let bytes = text.as_bytes();
    let head = bytes.get(..WAIT_SEARCH_BYTES).unwrap_or(bytes);
    let after = head
        .windows(4)
        .position(|w| w.eq_ignore_ascii_case(b"wait"))?
        + 4;
    let rest = head.get(after..)?;
    let start = rest.iter().position(u8::is_ascii_digit)?;
    // Only words such as "for" or "up to" may sit between "wait" and the number.
    let between = rest.get(..start)?;
    if start > 12
        || !between
            .iter()
            .all(|b| b.is_ascii_alphabetic() || *b == b' ')
    {
        return None;
    }
    let digits = rest.get(start..)?;
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end > 9 {
        return None;
    }
    let seconds = digits
        .get(..end)?
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    let unit = digits.get(end..)?.trim_ascii_start();
    let word_ends = |len: usize| !unit.get(len).is_some_and(u8::is_ascii_alphabetic);
    let is_seconds = unit.starts_with(b"sec") || (unit.first() == Some(&b's') && word_ends(1));
    is_seconds.then(|| Duration::from_secs(seconds))
}

/// Reads `Retry-After` as delay-seconds or as an HTTP date (IMF-fixdate).
pub fn parse_retry_after(value: &str, now_unix: u64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some(Duration::from_secs(at.saturating_sub(now_unix)))
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into seconds since the Unix epoch.
fn parse_http_date(value: &str) -> Option<u64> {
    let rest = value.split_once(", ")?.1;
    let mut parts = rest.split_whitespace();
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    let hour: u64 = clock.next()?.parse().ok()?;
    let minute: u64 = clock.next()?.parse().ok()?;
    let second: u64 = clock.next()?.parse().ok()?;
    // IMF-fixdate's year is four digits; a longer one would overflow the day count.
    if parts.next()? != "GMT"
        || !(0..=9_999).contains(&year)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day as i64);
    let days = u64::try_from(days).ok()?;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const ATTACH: &[Field] = &[Field::Attachment, Field::Name, Field::Description];
    const NOW: u64 = 1_700_000_000;

    fn run(status: u16, body: &str) -> Outcome {
        classify(
            status,
            None,
            NOW,
            &Body::from_bytes(body.as_bytes()),
            ATTACH,
        )
    }

    #[test]
    fn seed_success_is_created_with_its_id() {
        let body = r#"{"Status":200,"Message":"CommunityThreadFile was successfully created.","Value":{"Id":87654321},"OpenInDialog":false,"OpenInWindow":false,"RedirectURL":null,"JavaScript":null,"UpdatedOn":"2025-01-15T10:30:00Z","UpdatedBy":"admin@example.com","Errors":null,"WasSuccessful":true}"#;
        assert_eq!(run(200, body), Outcome::Created { id: 87654321 });
    }

    #[test]
    fn seed_validation_failure_lands_on_the_name_field() {
        let body = r#"{"Message":"Name: is a required field","Value":null,"Errors":[{"AttemptedValue":null,"Message":"is a required field","PropertyName":"Name"}],"WasSuccessful":false}"#;
        let Outcome::Invalid(report) = run(400, body) else {
            panic!("expected Invalid");
        };
        assert_eq!(
            report.fields,
            vec![FieldMessage {
                field: Field::Name,
                text: "is a required field".into()
            }]
        );
        assert!(report.form.is_empty());
    }

    #[test]
    fn body_status_500_on_http_400_is_still_validation() {
        let body = r#"{"Status":500,"Message":"Name: is a required field","Errors":[{"PropertyName":"Name","Message":"is a required field"}],"WasSuccessful":false}"#;
        assert!(matches!(run(400, body), Outcome::Invalid(_)));
    }

    #[test]
    fn was_successful_false_on_http_200_is_invalid() {
        let body = r#"{"Status":200,"Errors":[{"PropertyName":"Description","Message":"too long"}],"WasSuccessful":false}"#;
        let Outcome::Invalid(report) = run(200, body) else {
            panic!("expected Invalid");
        };
        assert_eq!(
            report.for_field(Field::Description).collect::<Vec<_>>(),
            ["too long"]
        );
    }

    #[test]
    fn unknown_properties_go_to_form_level_and_several_per_field_keep_order() {
        let body = r#"{"Errors":[{"PropertyName":"Name","Message":"first"},{"PropertyName":"CommunityThread","Message":"was not found"},{"PropertyName":"name","Message":"second"},{"PropertyName":"","Message":"general"}],"WasSuccessful":false}"#;
        let Outcome::Invalid(report) = run(400, body) else {
            panic!("expected Invalid");
        };
        assert_eq!(
            report.for_field(Field::Name).collect::<Vec<_>>(),
            ["first", "second"]
        );
        assert_eq!(
            report.form,
            vec![
                FormMessage::Server {
                    property: Some("CommunityThread".into()),
                    text: "was not found".into()
                },
                FormMessage::Server {
                    property: None,
                    text: "general".into()
                },
            ]
        );
    }

    #[test]
    fn a_message_naming_one_of_four_errors_does_not_hide_the_other_three() {
        // The older documented example: Message names one error, Errors lists four.
        let body = r#"{"Status":500,"Message":"Name: is a required field","Value":null,
            "Errors":[{"PropertyName":"Name","Message":"is a required field"},
                      {"PropertyName":"Description","Message":"is too long"},
                      {"PropertyName":"NewFileData","Message":"could not be downloaded"},
                      {"PropertyName":"Country","Message":"is not valid"}],
            "WasSuccessful":false}"#;
        let Outcome::Invalid(report) = run(400, body) else {
            panic!("expected Invalid");
        };
        assert_eq!(report.fields.len(), 3);
        assert_eq!(report.for_field(Field::Attachment).count(), 1);
        assert_eq!(
            report.form,
            vec![FormMessage::Server {
                property: Some("Country".into()),
                text: "is not valid".into()
            }]
        );
    }

    #[test]
    fn an_empty_200_and_a_bare_string_200_are_unexpected_not_success() {
        assert!(matches!(
            run(200, ""),
            Outcome::Unexpected { status: 200, .. }
        ));
        assert!(matches!(
            run(200, r#""ok""#),
            Outcome::Unexpected { status: 200, .. }
        ));
        assert!(matches!(
            run(200, "[1,2]"),
            Outcome::Unexpected { status: 200, .. }
        ));
    }

    #[test]
    fn message_is_parsed_when_errors_are_missing() {
        let body = r#"{"Message":"Name: is a required field\nNewFileDataUrl: could not be downloaded; Something odd happened","Errors":[],"WasSuccessful":false}"#;
        let Outcome::Invalid(report) = run(400, body) else {
            panic!("expected Invalid");
        };
        assert_eq!(report.for_field(Field::Name).count(), 1);
        assert_eq!(report.for_field(Field::Attachment).count(), 1);
        assert_eq!(
            report.form,
            vec![FormMessage::Server {
                property: None,
                text: "Something odd happened".into()
            }]
        );
    }

    #[test]
    fn refusal_without_detail_still_says_something() {
        let Outcome::Invalid(report) = run(400, r#"{"WasSuccessful":false}"#) else {
            panic!("expected Invalid");
        };
        assert_eq!(report.form, vec![FormMessage::NoDetail]);
    }

    #[test]
    fn documented_odd_shapes() {
        assert_eq!(run(404, r#""Not found""#), Outcome::NotFound);
        assert_eq!(
            run(500, r#"{"Message":"An error has occurred."}"#),
            Outcome::ServerError {
                message: Some("An error has occurred.".into())
            }
        );
        assert_eq!(run(401, ""), Outcome::Unauthorized);
        assert_eq!(
            classify(409, Some("1"), NOW, &Body::Empty, ATTACH),
            Outcome::Throttled {
                retry_after: Duration::from_secs(1)
            }
        );
        assert_eq!(
            classify(429, None, NOW, &Body::Empty, ATTACH),
            Outcome::Throttled {
                retry_after: DEFAULT_RETRY_AFTER
            }
        );
        assert_eq!(
            run(
                429,
                r#"{"Message":"You have made too many requests. Wait 3 seconds and try again."}"#
            ),
            Outcome::Throttled {
                retry_after: Duration::from_secs(3)
            }
        );
        let html = "<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1><script>x</script></body></html>";
        assert_eq!(
            run(502, html),
            Outcome::Unexpected {
                status: 502,
                excerpt: "502 Bad Gateway".into()
            }
        );
    }

    #[test]
    fn the_wait_is_read_from_a_throttle_message_when_no_header_says_it() {
        let wait = |text: &str| wait_in_text(text).map(|d| d.as_secs());
        assert_eq!(wait("Wait 5 seconds"), Some(5));
        assert_eq!(
            wait("You must wait 2 seconds before accessing this url again."),
            Some(2)
        );
        assert_eq!(wait("Please WAIT for 10 sec."), Some(10));
        assert_eq!(wait("wait 1s"), Some(1));
        assert_eq!(wait("Wait 4 minutes"), None);
        assert_eq!(wait("Wait, 3 things went wrong: 12 seconds"), None);
        assert_eq!(wait("You must wait before accessing this url again."), None);
        assert_eq!(wait("Wait 99999999999999999999999 seconds"), None);
        assert_eq!(wait("no wait here"), None);
        // A header wins over the text; the text wins over the default.
        let body = Body::Text("Wait 7 seconds".into());
        assert_eq!(
            classify(429, Some("2"), NOW, &body, ATTACH),
            Outcome::Throttled {
                retry_after: Duration::from_secs(2)
            }
        );
        assert_eq!(
            classify(409, None, NOW, &body, ATTACH),
            Outcome::Throttled {
                retry_after: Duration::from_secs(7)
            }
        );
        assert_eq!(
            classify(409, None, NOW, &Body::Text("slow down".into()), ATTACH),
            Outcome::Throttled {
                retry_after: DEFAULT_RETRY_AFTER
            }
        );
    }

    #[test]
    fn retry_after_as_http_date() {
        // 1994-11-06T08:49:37Z is 784111777.
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", 784_111_777),
            Some(Duration::from_secs(3))
        );
        assert_eq!(parse_retry_after("soon", NOW), None);
    }

    #[test]
    fn retry_after_date_with_a_huge_year_is_refused_not_a_panic() {
        // Found by tests/classify_properties.rs: the day count overflowed (a panic in
        // debug builds, a wrapped wait in release).
        assert_eq!(
            parse_retry_after("Sun, 1 Jan 584554051224 00:00:00 GMT", 0),
            None
        );
        assert_eq!(
            parse_retry_after("Sun, 1 Jan 9223372036854775807 00:00:00 GMT", 0),
            None
        );
        assert_eq!(
            parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(253_402_300_799)
        );
    }

    #[test]
    fn server_text_is_bounded_in_length_and_number() {
        let huge = "x".repeat(1_000_000);
        let outcome = classify(500, None, 0, &Body::JsonString(huge.clone()), &[]);
        let Outcome::ServerError {
            message: Some(message),
        } = outcome
        else {
            panic!("{outcome:?}");
        };
        assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS + 1);
        let errors: Vec<serde_json::Value> = (0..10_000)
            .map(|i| serde_json::json!({"PropertyName": "Subject", "Message": if i == 0 { huge.clone() } else { format!("bad {i}") }}))
            .take(10_000)
            .collect();
        let body = serde_json::json!({"WasSuccessful": false, "Errors": errors});
        let outcome = classify(
            400,
            None,
            0,
            &Body::Envelope(Envelope::read(&body)),
            &[Field::Subject],
        );
        let Outcome::Invalid(report) = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(report.fields.len(), MAX_LISTED_ERRORS);
        assert!(report
            .fields
            .iter()
            .all(|m| m.text.chars().count() <= MAX_MESSAGE_CHARS + 1));
        assert_eq!(
            report.form,
            vec![FormMessage::More(10_000 - MAX_LISTED_ERRORS)]
        );
        let lines = (0..50)
            .map(|i| format!("Subject: bad {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let report = ErrorReport::from_envelope(
            &Envelope {
                message: Some(lines),
                ..Envelope::default()
            },
            &[Field::Subject],
        );
        assert_eq!(report.fields.len(), MAX_LISTED_ERRORS);
        assert_eq!(report.form, vec![FormMessage::More(50 - MAX_LISTED_ERRORS)]);
        assert_eq!(
            shorten("é".repeat(400).as_str()).chars().count(),
            MAX_MESSAGE_CHARS + 1
        );
    }

    #[test]
    fn a_success_without_a_positive_id_is_not_a_reference() {
        for value in [
            r#"{"Id":0}"#,
            r#"{"Id":-3}"#,
            r#"{"Id":1.5}"#,
            r#"{"Id":"x"}"#,
            "null",
            "{}",
        ] {
            let body = format!(r#"{{"WasSuccessful":true,"Value":{value}}}"#);
            let outcome = classify(200, None, 0, &Body::from_bytes(body.as_bytes()), &[]);
            assert!(
                !matches!(outcome, Outcome::Created { .. }),
                "{value}: {outcome:?}"
            );
            assert!(outcome.may_have_acted(), "{value}");
        }
    }

    #[test]
    fn excerpt_is_short_and_tag_free() {
        let long = format!("<div>{}</div>", "x".repeat(1000));
        let cut = excerpt(&long);
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1);
        assert!(!cut.contains('<'));
        assert_eq!(excerpt("<p>é</p>"), "é");
    }
}
