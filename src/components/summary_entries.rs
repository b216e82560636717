//! What the error summary lists, in the order the member meets it.

use super::error_summary::SummaryEntry;
use super::file_cards::card_field_id;
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
    if let (Some(thread_id), false) = (state.recovery.posted, state.phase.is_busy()) {
        let text = attach_partial(state, thread_id, strings);
        entries.push(SummaryEntry { target: None, text });
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
    for card in &state.more {
        let prefix = field_id(Field::Attachment);
        let prefix = prefix.strip_suffix("-attachment").unwrap_or(&prefix);
        for field in [Field::Attachment, Field::Name, Field::Description] {
            entries.extend(card.errors.for_field(field).map(|message| SummaryEntry {
                target: Some(card_field_id(prefix, field, card.meta.key)),
                text: text::field_message(field, message, strings),
            }));
        }
        entries.extend(card.errors.form.iter().map(|message| SummaryEntry {
            target: Some(card_field_id(prefix, Field::Attachment, card.meta.key)),
            text: text::form_message(message, strings),
        }));
    }
    if let Some(at) = more_at {
        let more = entries.remove(at);
        entries.push(more);
    }
    entries
}

/// What is said of a conversation posted without all its attachments: how many of them
/// were added and the names of those not, from the form's files and, after a new mount
/// (whose files are gone), from the recovery facts.
fn attach_partial(state: &FormState, thread_id: u64, strings: &Strings) -> String {
    let recovery = &state.recovery;
    let (added, missing): (Vec<String>, Vec<String>) = state
        .attachment_names(thread_id)
        .into_iter()
        .partition(|name| recovery.added(name, thread_id).is_some());
    if added.len() + missing.len() > 1 {
        strings.fill(
            Msg::AttachPartial,
            &[
                ("added", &added.len().to_string()),
                ("total", &(added.len() + missing.len()).to_string()),
                ("names", &missing.join(", ")),
            ],
        )
    } else {
        strings.get(Msg::AttachFailed).to_owned()
    }
}
