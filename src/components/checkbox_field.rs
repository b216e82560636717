//! One checkbox with its label, hint and error messages (GOV.UK's single checkbox): the
//! messages above it, linked by `aria-describedby`, the box marked `aria-invalid`.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::field_errors::FieldErrors;
use crate::api::Field;
use crate::i18n::Strings;
use crate::text;

/// Properties of [`CheckboxField`].
#[derive(Properties, PartialEq, Clone)]
pub struct CheckboxFieldProps {
    /// The checkbox's element id; hint and error ids derive from it.
    pub id: AttrValue,
    /// Which field this is; its API name becomes the checkbox's `name`.
    pub field: Field,
    /// Whether it is ticked.
    pub checked: bool,
    /// A hint under the label.
    pub hint: AttrValue,
    /// Error messages, as whole sentences.
    #[prop_or_default]
    pub errors: Vec<String>,
    /// The strings in use.
    pub strings: Strings,
    /// Called with the new state on every change.
    pub on_change: Callback<bool>,
}

/// A labelled checkbox with accessible error messages.
#[function_component(CheckboxField)]
pub fn checkbox_field(props: &CheckboxFieldProps) -> Html {
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    let has_errors = !props.errors.is_empty();
    let described_by = if has_errors {
        format!("{hint_id} {error_id}")
    } else {
        hint_id.clone()
    };
    let on_change = props.on_change.clone();
    let onchange = Callback::from(move |event: Event| {
        if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
            on_change.emit(input.checked());
        }
    });
    html! {
        <div class={classes!("nsc-field", has_errors.then_some("nsc-field--error"))} part="field">
            <FieldErrors id={error_id} messages={props.errors.clone()} strings={props.strings.clone()} />
            <div class="nsc-checkbox">
                <input
                    id={props.id.clone()}
                    class="nsc-checkbox__input"
                    type="checkbox"
                    name={props.field.api_name()}
                    checked={props.checked}
                    aria-invalid={has_errors.then_some("true")}
                    aria-describedby={described_by}
                    {onchange}
                />
                <label class="nsc-checkbox__label" for={props.id.clone()}>
                    { text::label(props.field, &props.strings) }
                </label>
            </div>
            <div id={hint_id} class="nsc-hint nsc-checkbox__hint">{ props.hint.clone() }</div>
        </div>
    }
}
