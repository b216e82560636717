//! One classifier from an HTTP answer to what it means for the member.
//!
//! Success is judged by `WasSuccessful`, never by the HTTP status or the body's `Status`
//! alone: Nexudus documents a 400 whose body says `"Status": 500`, and clients find
//! `WasSuccessful: false` on a 200. Bodies may be JSON envelopes, bare JSON strings,
//! HTML from a gateway, or nothing. [`classify`] always returns an [`Outcome`], and a
//! failure always carries something a member can read.

use std::time::Duration;

use super::envelope::Envelope;
use super::fields::Field;
// What the classifier builds on, reachable from here too (the property tests and the
// fuzz target import them by these paths).
pub use super::report::{ErrorReport, FieldMessage, FormMessage, MAX_LISTED_ERRORS};
pub use super::retry_after::{parse_retry_after, wait_in_text, DEFAULT_RETRY_AFTER};

/// The longest excerpt of an unexpected body kept for diagnostics, in characters.
const EXCERPT_CHARS: usize = 160;

/// The longest server text shown, in characters: a server may send megabytes.
pub const MAX_MESSAGE_CHARS: usize = 300;

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// 422 to a write sent with an idempotency key: the backend holds that key for a
    /// request with other details (the member changed the text after an attempt whose
    /// answer was lost). That first attempt may have acted.
    KeyReused,
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

/// What a request came to: the API's answer, classified, or no answer at all.
pub type Reply = Result<Outcome, TransportError>;

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
            Outcome::Created { .. }
            | Outcome::Succeeded
            | Outcome::ServerError { .. }
            | Outcome::KeyReused => true,
            Outcome::Unexpected { status, .. } => *status >= 500 || *status < 300,
            Outcome::Invalid(_)
            | Outcome::Unauthorized
            | Outcome::NotFound
            | Outcome::Throttled { .. } => false,
        }
    }
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
