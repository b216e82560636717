//! The error messages under a field's label (GOV.UK's error message): each message
//! prefixed with a visually hidden "Error:", in an element the field's control names in
//! `aria-describedby`.

use yew::prelude::*;

use crate::i18n::{Msg, Strings};

/// Properties of [`FieldErrors`].
#[derive(Properties, PartialEq, Clone)]
pub struct FieldErrorsProps {
    /// The element id that the control's `aria-describedby` points at.
    pub id: AttrValue,
    /// The messages, as whole sentences; nothing renders when empty.
    pub messages: Vec<String>,
    /// The strings in use (for the "Error:" prefix).
    pub strings: Strings,
}

/// A field's error messages.
#[function_component(FieldErrors)]
pub fn field_errors(props: &FieldErrorsProps) -> Html {
    if props.messages.is_empty() {
        return html! {};
    }
    let prefix = props.strings.get(Msg::ErrorPrefix);
    html! {
        <div id={props.id.clone()} class="nsc-error-message" part="error-message">
            { for props.messages.iter().map(|message| html! {
                <p>
                    <span class="nsc-visually-hidden">{ prefix }{ " " }</span>
                    { message.clone() }
                </p>
            }) }
        </div>
    }
}
