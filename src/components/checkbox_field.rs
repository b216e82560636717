//! One checkbox in its label, with a hint and error messages (GOV.UK's single checkbox):
//! the messages above it, linked by `aria-describedby`, the box marked `aria-invalid`.
//! A view function: no component type of its own in the wasm.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::field_errors::FieldErrors;
use crate::api::Field;
use crate::i18n::Strings;

/// What the checkbox shows.
pub struct CheckboxField<'a> {
    /// The checkbox's element id; hint and error ids derive from it.
    pub id: String,
    /// Which field this is: its API name is the checkbox's `name`.
    pub field: Field,
    /// The label, beside the box.
    pub label: &'a str,
    /// Whether it is ticked.
    pub checked: bool,
    /// A hint under the label.
    pub hint: &'a str,
    /// Error messages, as whole sentences.
    pub errors: Vec<String>,
    /// The strings in use.
    pub strings: &'a Strings,
    /// Called with the new state on every change.
    pub on_change: Callback<bool>,
}

impl CheckboxField<'_> {
    /// The field: errors, the box and its label, the hint.
    pub fn view(self) -> Html {
        let hint_id = format!("{}-hint", self.id);
        let error_id = format!("{}-error", self.id);
        let has_errors = !self.errors.is_empty();
        let described_by = match has_errors {
            true => format!("{hint_id} {error_id}"),
            false => hint_id.clone(),
        };
        let on_change = self.on_change;
        let onchange = Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                on_change.emit(input.checked());
            }
        });
        html! {
            <div class={classes!("nsc-field", has_errors.then_some("nsc-field--error"))} part="field">
                <FieldErrors id={error_id} messages={self.errors} strings={self.strings.clone()} />
                <label class="nsc-checkbox">
                    <input
                        id={self.id}
                        type="checkbox"
                        name={self.field.api_name()}
                        checked={self.checked}
                        aria-invalid={has_errors.then_some("true")}
                        aria-describedby={described_by}
                        {onchange}
                    />
                    { self.label.to_owned() }
                </label>
                <div id={hint_id} class="nsc-hint nsc-checkbox__hint">{ self.hint.to_owned() }</div>
            </div>
        }
    }
}
