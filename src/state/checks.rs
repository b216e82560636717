//! The checks made before any request, with the same look as the server's errors.

use super::tags::{joined_length, tags_too_long, MAX_TAGS_CHARS};
use super::{Attachment, FormState, Mode, ThreadFields};
use crate::api::{ErrorReport, Field};
use crate::i18n::{Msg, Strings};

/// The most characters a subject may have: the limit of the board's own form in the
/// Members Portal (the API documents none, and a longer one may be cut or refused).
pub const MAX_SUBJECT_CHARS: usize = 254;

impl FormState {
    /// The checks made before any request, with the same look as server errors; the
    /// optional fields are checked when the host turned them on.
    pub fn validate(&self, mode: Mode, fields: ThreadFields, strings: &Strings) -> ErrorReport {
        let mut report = ErrorReport::default();
        let blank = is_blank_text;
        let creates = matches!(mode, Mode::Start { .. }) && self.recovery.posted.is_none();
        if creates {
            if blank(&self.draft.subject) {
                report.push_field(Field::Subject, strings.get(Msg::RequiredSubject));
            } else if text_length(&self.draft.subject) > MAX_SUBJECT_CHARS {
                report.push_field(
                    Field::Subject,
                    strings.fill(
                        Msg::SubjectTooLong,
                        &[("max", &MAX_SUBJECT_CHARS.to_string())],
                    ),
                );
            }
            if blank(&self.draft.message) {
                report.push_field(Field::Message, strings.get(Msg::RequiredMessage));
            }
        }
        let attach_required = matches!(mode, Mode::Attach { .. }) || self.recovery.posted.is_some();
        let link_given = self.attachment == Attachment::Link && !blank(&self.draft.link);
        if link_given && !is_http_url(&self.draft.link) {
            report.push_field(Field::Attachment, strings.get(Msg::LinkInvalid));
        } else if attach_required && !self.has_attachment() {
            report.push_field(Field::Attachment, strings.get(Msg::RequiredAttachment));
        }
        if let Attachment::File(meta) = &self.attachment {
            if let Some(message) = meta.blocking(strings) {
                report.push_field(Field::Attachment, message);
            }
        }
        if self.has_attachment() && blank(&self.draft.name) {
            report.push_field(Field::Name, strings.get(Msg::RequiredName));
        }
        if creates && fields.tags && joined_length(&self.draft.tags_to_send()) > MAX_TAGS_CHARS {
            report.push_field(Field::Tags, tags_too_long(strings));
        }
        report
    }

    /// The same checks for each card (several attachments): a file that can be sent (not
    /// refused, not waiting for the member's choice), a display name, and one that no
    /// attachment before it has (the look-up after a lost attach matches on it). Only the
    /// cards with errors are listed.
    pub fn validate_cards(&self, strings: &Strings) -> Vec<(u32, ErrorReport)> {
        let mut seen = vec![self.draft.name.trim()];
        let mut found = Vec::new();
        for card in &self.more {
            let name = card.name.trim();
            let mut report = ErrorReport::default();
            if let Some(message) = card.meta.blocking(strings) {
                report.push_field(Field::Attachment, message);
            }
            if is_blank_text(name) {
                report.push_field(Field::Name, strings.get(Msg::RequiredName));
            } else if seen.contains(&name) {
                report.push_field(Field::Name, strings.get(Msg::NameTaken));
            }
            seen.push(name);
            if !report.is_empty() {
                found.push((card.meta.key, report));
            }
        }
        found
    }
}

/// A text's length as the server counts it (UTF-16 code units, like .NET strings and
/// the browser's `maxlength`), after trimming, as it is sent.
pub fn text_length(text: &str) -> usize {
    text.trim().encode_utf16().count()
}

/// Whether `text` shows nothing: only white space and invisible characters (zero-width
/// spaces and joiners, direction marks and embeddings, soft hyphens, variation
/// selectors), so a subject of them would post an invisible conversation.
pub fn is_blank_text(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// Whether `c` shows nothing: zero-width spaces and joiners, direction marks and
/// embeddings, soft hyphens, variation selectors.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}')
}

/// Whether a link is an absolute `http:` or `https:` URL.
pub fn is_http_url(link: &str) -> bool {
    let link = link.trim();
    let lower = link.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    matches!(rest, Some(host) if !host.is_empty() && !host.starts_with('/') && !link.contains(char::is_whitespace))
}
