//! What the error summary lists, in the order the member meets it.

use super::error_summary::SummaryEntry;
use crate::api::{Field, FormMessage};
use crate::i18n::{Msg, Strings};
use crate::state::FormState;
use crate::text;

/// Every problem: the failure not tied to a field first, then form-level messages,
/// then each field's messages in the panel's order, each a link to its field.
pub fn summary_entries(
    state: &FormState,
    strings: &Strings,
    field_id: &dyn Fn(Field) -> String,
) -> Vec<SummaryEntry> {
    let mut entries = Vec::new();
    if state.recovery.posted.is_some() && !state.phase.is_busy() {
        entries.push(SummaryEntry {
            target: None,
            text: strings.get(Msg::AttachFailed).to_owned(),
        });
    }
    entries.extend(state.problem.iter().map(|problem| SummaryEntry {
        target: None,
        text: problem.message(strings),
    }));
    entries.extend(state.errors.form.iter().map(|message| SummaryEntry {
        target: None,
        text: text::form_message(message, strings),
    }));
    // "…and N more" (always the last form message) counts every kind of message left
    // out, so it moves to the end of the list.
    let more_at =
        matches!(state.errors.form.last(), Some(FormMessage::More(_))).then(|| entries.len() - 1);
    for field in Field::ALL {
        entries.extend(state.errors.for_field(field).map(|message| SummaryEntry {
            target: Some(field_id(field)),
            text: text::field_message(field, message, strings),
        }));
    }
    if let Some(at) = more_at {
        let more = entries.remove(at);
        entries.push(more);
    }
    entries
}
