//! The tag input: the tags added, each with its own remove button, then a text input
//! that adds what is typed on Enter or a comma (a pasted "a, b, c" adds three), and
//! removes the last tag on Backspace when empty. A polite live region says what was
//! added or removed; a count like the subject's says how much room is left. Label,
//! hint, error messages and `aria-describedby` as in [`super::TextField`].
//!
//! A view function rather than a component: it renders in the panel's own tree, so the
//! input shows the state's text again after every edit (a comma typed into an empty
//! input, a refused tag typed again), and it adds no component type to the wasm.

use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, HtmlInputElement};
use yew::prelude::*;

use super::error_summary::focus_field;
use super::field_errors::FieldErrors;
use super::text_field::character_count;
use crate::api::Field;
use crate::i18n::{Msg, Strings};
use crate::state::tags::{tags_too_long, MAX_PENDING_TAG_CHARS};
use crate::state::{Edit, MAX_TAGS_CHARS};
use crate::text;

/// What the tag input shows.
pub struct TagInput<'a> {
    /// The text input's element id; hint, error and count ids derive from it.
    pub id: String,
    /// The tags added.
    pub tags: &'a [String],
    /// What is typed and not yet added.
    pub text: &'a str,
    /// The length of the tags as they would be sent (joined by commas, the typed text
    /// included), for the count.
    pub length: usize,
    /// Error messages, as whole sentences.
    pub errors: Vec<String>,
    /// What the live region says: the last tags added or removed.
    pub notice: String,
    /// The strings in use.
    pub strings: &'a Strings,
    /// Called with each edit of the tags.
    pub on_edit: Callback<Edit>,
}

impl TagInput<'_> {
    /// The field: label, hint, errors, the tags, the input, the count and the live region.
    pub fn view(self) -> Html {
        let TagInput { id, strings, .. } = self;
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let count_id = format!("{id}-count");
        let has_errors = !self.errors.is_empty();
        let count = character_count(self.length, MAX_TAGS_CHARS, strings);
        let described_by = match has_errors {
            true => format!("{hint_id} {error_id} {count_id}"),
            false => format!("{hint_id} {count_id}"),
        };
        let edit = {
            let (on_edit, too_long) = (self.on_edit.clone(), tags_too_long(strings));
            move |text: String, commit: bool| {
                on_edit.emit(Edit::Tags {
                    text,
                    commit,
                    too_long: too_long.clone(),
                })
            }
        };
        let oninput = {
            let edit = edit.clone();
            Callback::from(move |event: InputEvent| {
                if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                    edit(input.value(), false);
                }
            })
        };
        let onpaste = {
            let edit = edit.clone();
            Callback::from(move |event: Event| {
                let pasted = event
                    .dyn_ref::<ClipboardEvent>()
                    .and_then(ClipboardEvent::clipboard_data)
                    .and_then(|data| data.get_data("text").ok())
                    .unwrap_or_default();
                let input = event.target_dyn_into::<HtmlInputElement>();
                if let (true, Some(input)) = (pasted.contains(','), input) {
                    event.prevent_default();
                    edit(format!("{}{pasted}", input.value()), true);
                }
            })
        };
        let onkeydown = {
            let (on_edit, last) = (self.on_edit.clone(), self.tags.len().checked_sub(1));
            Callback::from(move |event: KeyboardEvent| {
                let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                    return;
                };
                let value = input.value();
                match event.key().as_str() {
                    _ if event.is_composing() => {}
                    // Enter in an empty input submits the form, as in any other field.
                    "Enter" if !value.trim().is_empty() => {
                        event.prevent_default();
                        edit(value, true);
                    }
                    "Backspace" if value.is_empty() => {
                        if let Some(last) = last {
                            on_edit.emit(Edit::RemoveTag(last));
                        }
                    }
                    _ => {}
                }
            })
        };
        let chip = |(index, tag): (usize, &String)| {
            let (on_edit, input_id) = (self.on_edit.clone(), id.clone());
            let onclick = Callback::from(move |event: MouseEvent| {
                on_edit.emit(Edit::RemoveTag(index));
                // The button goes with its tag: focus moves to the input.
                focus_field(&event, &input_id);
            });
            html! {
                <li class="nsc-tag">
                    { tag.clone() }
                    <button type="button" class="nsc-tag__remove" aria-label={strings.fill(Msg::RemoveTag, &[("tag", tag)])} {onclick}>
                        { "×" }
                    </button>
                </li>
            }
        };

        html! {
            <div class={classes!("nsc-field", has_errors.then_some("nsc-field--error"))} part="field">
                <label class="nsc-label" for={id.clone()}>
                    { text::label(Field::Tags, strings) }
                    <span class="nsc-optional">{ " " }{ strings.get(Msg::Optional) }</span>
                </label>
                <div id={hint_id} class="nsc-hint">{ strings.get(Msg::TagsHint) }</div>
                <FieldErrors id={error_id} messages={self.errors} strings={strings.clone()} />
                if !self.tags.is_empty() {
                    <ul class="nsc-tags">{ for self.tags.iter().enumerate().map(chip) }</ul>
                }
                <input
                    id={id}
                    class="nsc-input"
                    type="text"
                    name={Field::Tags.api_name()}
                    value={self.text.to_owned()}
                    autocomplete="off"
                    maxlength={MAX_PENDING_TAG_CHARS.to_string()}
                    aria-invalid={has_errors.then_some("true")}
                    aria-describedby={described_by}
                    {oninput}
                    {onpaste}
                    {onkeydown}
                />
                // Both always in the page, so screen readers hear them change.
                <div id={count_id} class={classes!("nsc-hint", "nsc-count", count.as_ref().is_some_and(|(over, _)| *over).then_some("nsc-count--over"))} aria-live="polite">
                    { count.map(|(_, text)| text).unwrap_or_default() }
                </div>
                <div class="nsc-visually-hidden nsc-tag-notice" aria-live="polite">{ self.notice }</div>
            </div>
        }
    }
}
