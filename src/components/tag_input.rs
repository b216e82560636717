//! The tag input: the tags added, each with its own remove button, then a text input
//! that adds what is typed on Enter or a comma (a pasted "a, b, c" adds three), and
//! removes the last tag on Backspace when empty. A polite live region says what was
//! added or removed; a count like the subject's says how much room is left. Label,
//! hint, error messages and `aria-describedby` as in [`super::TextField`].

use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, HtmlInputElement};
use yew::prelude::*;

use super::field_errors::FieldErrors;
use super::text_field::character_count;
use crate::api::Field;
use crate::i18n::{Msg, Strings};
use crate::state::tags::tags_too_long;
use crate::state::{Edit, MAX_TAGS_CHARS};
use crate::text;

/// Properties of [`TagInput`].
#[derive(Properties, PartialEq, Clone)]
pub struct TagInputProps {
    /// The text input's element id; hint, error, count and list ids derive from it.
    pub id: AttrValue,
    /// The tags added.
    pub tags: Vec<String>,
    /// What is typed and not yet added.
    pub text: AttrValue,
    /// The length of the tags as they would be sent (joined by commas, the typed text
    /// included), for the count.
    pub length: usize,
    /// Error messages, as whole sentences.
    #[prop_or_default]
    pub errors: Vec<String>,
    /// What the live region says: the last tag added or removed.
    #[prop_or_default]
    pub notice: AttrValue,
    /// The strings in use.
    pub strings: Strings,
    /// Called with each edit of the tags.
    pub on_edit: Callback<Edit>,
}

/// A tag input a keyboard and a screen reader can drive.
#[function_component(TagInput)]
pub fn tag_input(props: &TagInputProps) -> Html {
    let strings = &props.strings;
    let input_ref = use_node_ref();
    // The input shows the typed text again after every edit, even when the state's text
    // did not change (a comma typed into an empty input, a refused tag typed again).
    let redraw = use_force_update();
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    let count_id = format!("{}-count", props.id);
    let has_errors = !props.errors.is_empty();
    let count = character_count(props.length, MAX_TAGS_CHARS, strings);
    let described_by = [
        Some(hint_id.as_str()),
        has_errors.then_some(error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .chain([count_id.as_str()])
    .collect::<Vec<_>>()
    .join(" ");

    let edit = {
        let (on_edit, too_long) = (props.on_edit.clone(), tags_too_long(strings));
        move |text: String, commit: bool| {
            on_edit.emit(Edit::Tags {
                text,
                commit,
                too_long: too_long.clone(),
            });
            redraw.force_update();
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
        let (on_edit, last) = (props.on_edit.clone(), props.tags.len().checked_sub(1));
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
        let (on_edit, input_ref) = (props.on_edit.clone(), input_ref.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            on_edit.emit(Edit::RemoveTag(index));
            // The button goes with its tag: focus stays in the field.
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
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
            <label class="nsc-label" for={props.id.clone()}>
                { text::label(Field::Tags, strings) }
                <span class="nsc-optional">{ " " }{ strings.get(Msg::Optional) }</span>
            </label>
            <div id={hint_id} class="nsc-hint">{ strings.get(Msg::TagsHint) }</div>
            <FieldErrors id={error_id} messages={props.errors.clone()} strings={strings.clone()} />
            if !props.tags.is_empty() {
                <ul class="nsc-tags">{ for props.tags.iter().enumerate().map(chip) }</ul>
            }
            <input
                ref={input_ref}
                id={props.id.clone()}
                class="nsc-input"
                type="text"
                name={Field::Tags.api_name()}
                value={props.text.clone()}
                autocomplete="off"
                enterkeyhint="enter"
                aria-invalid={has_errors.then_some("true")}
                aria-describedby={described_by}
                {oninput}
                {onpaste}
                {onkeydown}
            />
            // Always in the page, so screen readers hear them change.
            <div id={count_id} class={classes!("nsc-hint", "nsc-count", count.as_ref().is_some_and(|(over, _)| *over).then_some("nsc-count--over"))} aria-live="polite">
                { count.map(|(_, text)| text).unwrap_or_default() }
            </div>
            <div class="nsc-visually-hidden" aria-live="polite">{ props.notice.clone() }</div>
        </div>
    }
}
