//! Validation errors, placed: each server (or client-side) message on the field the
//! panel shows for it, or at form level, bounded in length and number.

use super::envelope::{ApiFieldError, Envelope};
use super::fields::Field;
use super::outcome::shorten;

/// The most server errors listed one by one; the rest are counted
/// ([`FormMessage::More`]).
pub const MAX_LISTED_ERRORS: usize = 6;

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
