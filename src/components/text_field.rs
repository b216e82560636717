//! One labelled input with its hint and error messages, following the GOV.UK error
//! message pattern: the message sits under the label, is linked to the input by
//! `aria-describedby`, starts with a visually hidden "Error:", and the input carries
//! `aria-invalid="true"`.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::field_errors::FieldErrors;
use crate::api::Field;
use crate::i18n::{Msg, Strings};
use crate::state::text_length;
use crate::text;

/// Properties of [`TextField`].
#[derive(Properties, PartialEq, Clone)]
pub struct TextFieldProps {
    /// The element id of the input; hint and error ids derive from it.
    pub id: AttrValue,
    /// Which field this is; its API name becomes the input's `name`.
    pub field: Field,
    /// The current value.
    pub value: AttrValue,
    /// Error messages to show, as whole sentences.
    #[prop_or_default]
    pub errors: Vec<String>,
    /// Optional hint shown under the label.
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// A `<textarea>` rather than an `<input>`.
    #[prop_or_default]
    pub multiline: bool,
    /// The input's `type` (`text` unless given).
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    /// Whether to mark the label "(optional)".
    #[prop_or_default]
    pub optional: bool,
    /// Overrides the field's usual label.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    /// The strings in use.
    pub strings: Strings,
    /// A length limit (as [`text_length`] counts): near it, a count of the characters
    /// left is shown, and past it, how many are too many (GOV.UK's character count).
    /// The input itself takes any length, so nothing typed or pasted is cut off.
    #[prop_or_default]
    pub max_length: Option<usize>,
    /// `autocomplete` hint; `off` unless given.
    #[prop_or(AttrValue::Static("off"))]
    pub autocomplete: AttrValue,
    /// Called with the new value on every edit.
    pub on_input: Callback<(Field, String)>,
}

/// A labelled text input or textarea with accessible error messages.
#[function_component(TextField)]
pub fn text_field(props: &TextFieldProps) -> Html {
    let field = props.field;
    let strings = &props.strings;
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    let count_id = format!("{}-count", props.id);
    let has_errors = !props.errors.is_empty();
    let count = props
        .max_length
        .and_then(|max| character_count(text_length(&props.value), max, strings));
    let described_by: Vec<&str> = [
        props.hint.as_ref().map(|_| hint_id.as_str()),
        has_errors.then_some(error_id.as_str()),
        count.as_ref().map(|_| count_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));
    let aria_invalid = has_errors.then_some("true");

    let on_input = props.on_input.clone();
    let oninput = Callback::from(move |event: InputEvent| {
        let value = event
            .target_dyn_into::<HtmlInputElement>()
            .map(|input| input.value())
            .or_else(|| {
                event
                    .target_dyn_into::<HtmlTextAreaElement>()
                    .map(|area| area.value())
            });
        if let Some(value) = value {
            on_input.emit((field, value));
        }
    });

    let control = if props.multiline {
        html! {
            <textarea
                id={props.id.clone()}
                class="nsc-input nsc-textarea"
                name={field.api_name()}
                rows="5"
                value={props.value.clone()}
                autocomplete={props.autocomplete.clone()}
                aria-invalid={aria_invalid}
                aria-describedby={described_by}
                {oninput}
            />
        }
    } else {
        html! {
            <input
                id={props.id.clone()}
                class="nsc-input"
                type={props.input_type.clone()}
                name={field.api_name()}
                value={props.value.clone()}
                autocomplete={props.autocomplete.clone()}
                aria-invalid={aria_invalid}
                aria-describedby={described_by}
                {oninput}
            />
        }
    };

    html! {
        <div class={classes!("nsc-field", has_errors.then_some("nsc-field--error"))} part="field">
            <label class="nsc-label" for={props.id.clone()}>
                { props.label.clone().unwrap_or_else(|| AttrValue::from(text::label(field, strings).to_owned())) }
                if props.optional {
                    <span class="nsc-optional">{ " " }{ strings.get(Msg::Optional) }</span>
                }
            </label>
            if let Some(hint) = &props.hint {
                <div id={hint_id.clone()} class="nsc-hint">{ hint.clone() }</div>
            }
            <FieldErrors id={error_id.clone()} messages={props.errors.clone()} strings={props.strings.clone()} />
            { control }
            if props.max_length.is_some() {
                // Always in the page, so screen readers hear the count as it changes.
                <div id={count_id} class={classes!("nsc-hint", "nsc-count", count.as_ref().is_some_and(|(over, _)| *over).then_some("nsc-count--over"))} aria-live="polite">
                    { count.map(|(_, text)| text).unwrap_or_default() }
                </div>
            }
        </div>
    }
}

/// The count under a limited field: nothing until 80% of the limit, then the characters
/// left, or how many are too many (`true`).
pub(crate) fn character_count(
    length: usize,
    max: usize,
    strings: &Strings,
) -> Option<(bool, String)> {
    if length * 5 < max * 4 {
        return None;
    }
    Some(if length > max {
        let count = (length - max) as u64;
        (true, strings.fill_count(Msg::CharactersOver, count, &[]))
    } else {
        let count = (max - length) as u64;
        (false, strings.fill_count(Msg::CharactersLeft, count, &[]))
    })
}
