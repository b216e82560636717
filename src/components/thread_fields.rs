//! The conversation's optional fields the host turned on, in the panel's order after
//! the board: the tag input and the private choice.

use yew::prelude::*;

use super::callbacks::make_callback;
use super::checkbox_field::CheckboxField;
use super::tag_input::TagInput;
use crate::api::Field;
use crate::i18n::{Msg, Strings};
use crate::state::tags::joined_length;
use crate::state::{Action, Edit, FormState, TagNotice, ThreadFields};

/// The fields `fields` turns on, over the panel's `state`; `field_id` and `errors_for`
/// give each field's element id and error messages, as for the other fields.
pub fn thread_fields(
    state: &UseReducerHandle<FormState>,
    fields: ThreadFields,
    field_id: &dyn Fn(Field) -> String,
    errors_for: &dyn Fn(Field) -> Vec<String>,
    strings: &Strings,
) -> Html {
    let on_edit = make_callback(state, |state, edit| state.dispatch(Action::Edit(edit)));
    let draft = &state.draft;
    let tags = fields.tags.then(|| {
        TagInput {
            id: field_id(Field::Tags),
            tags: &draft.tags,
            text: &draft.tag_text,
            length: joined_length(&draft.tags_to_send()),
            errors: errors_for(Field::Tags),
            notice: notice(state.tag_notice.as_ref(), strings),
            strings,
            on_edit: on_edit.clone(),
        }
        .view()
    });
    let private = fields.private.then(|| {
        CheckboxField {
            id: field_id(Field::Private),
            field: Field::Private,
            label: strings.get(Msg::LabelPrivate),
            checked: draft.private,
            hint: strings.get(Msg::PrivateHint),
            errors: errors_for(Field::Private),
            strings,
            on_change: on_edit.reform(Edit::SetPrivate),
        }
        .view()
    });
    html! { <>{ tags }{ private }</> }
}

/// What the tag input's live region says.
fn notice(notice: Option<&TagNotice>, strings: &Strings) -> String {
    let say = |msg, tag: &str| strings.fill(msg, &[("tag", tag)]);
    match notice {
        Some(TagNotice::Added(tags)) => tags
            .iter()
            .map(|tag| say(Msg::TagAdded, tag))
            .collect::<Vec<_>>()
            .join(". "),
        Some(TagNotice::Removed(tag)) => say(Msg::TagRemoved, tag),
        None => String::new(),
    }
}
