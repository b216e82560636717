//! The cards of the files after the first (several attachments): each a group named by
//! its file, with the preview, Replace and Remove, its own display name and description,
//! and its own errors. Element ids end in the card's key (`…-name-7`), so the error
//! summary links to the right card.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::attachment_picker::{file_actions, file_card};
use super::field_errors::FieldErrors;
use super::hooks::list_files;
use super::text_field::TextField;
use crate::api::Field;
use crate::i18n::{Msg, Strings};
use crate::state::FileCard;
use crate::text;

/// Properties of [`FileCards`].
#[derive(Properties, PartialEq, Clone)]
pub struct FileCardsProps {
    /// The panel's id prefix; each card's ids are `{prefix}-{field}-{key}`.
    pub prefix: AttrValue,
    /// The cards, each with its preview URL and whether it was already added.
    pub cards: Vec<(FileCard, Option<AttrValue>, bool)>,
    /// The strings in use.
    pub strings: Strings,
    /// Whether work is in flight.
    #[prop_or_default]
    pub busy: bool,
    /// The member edited a card's name or description.
    pub on_text: Callback<(u32, Field, String)>,
    /// The member chose a file to replace a card's.
    pub on_replace: Callback<(u32, web_sys::File)>,
    /// The member removed a card.
    pub on_remove: Callback<u32>,
    /// The member chose to send a card's photo, which nothing could check, as it is.
    #[prop_or_default]
    pub on_send_as_is: Callback<u32>,
}

/// The id of a card's field.
pub fn card_field_id(prefix: &str, field: Field, key: u32) -> String {
    format!("{prefix}-{}-{key}", field.key())
}

/// The cards of the files after the first.
#[function_component(FileCards)]
pub fn file_cards(props: &FileCardsProps) -> Html {
    let strings = &props.strings;
    let cards = props.cards.iter().map(|(card, preview, added)| {
        let key = card.meta.key;
        let id = |field| card_field_id(&props.prefix, field, key);
        let errors = |field: Field| -> Vec<String> {
            card.errors
                .for_field(field)
                .map(|message| text::field_message(field, message, strings))
                .chain(
                    (field == Field::Attachment)
                        .then(|| card.errors.form.iter().map(|m| text::form_message(m, strings)))
                        .into_iter()
                        .flatten(),
                )
                .collect()
        };
        let on_input = {
            let on_text = props.on_text.clone();
            Callback::from(move |(field, value)| on_text.emit((key, field, value)))
        };
        let on_replace = {
            let on_replace = props.on_replace.clone();
            Callback::from(move |event: Event| {
                if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                    if let Some(file) = list_files(input.files()).into_iter().next() {
                        on_replace.emit((key, file));
                    }
                    input.set_value("");
                }
            })
        };
        // The card's own (hidden) input, found from the button: `document`'s look-up by
        // id would miss it inside the custom element's shadow root.
        let open_picker = Callback::from(|event: MouseEvent| {
            let input = event
                .target_dyn_into::<web_sys::Element>()
                .and_then(|button| button.closest(".nsc-card").ok().flatten())
                .and_then(|card| card.query_selector("input[type=file]").ok().flatten())
                .and_then(|input| input.dyn_into::<HtmlInputElement>().ok());
            if let Some(input) = input {
                input.click();
            }
        });
        let remove = {
            let on_remove = props.on_remove.clone();
            Callback::from(move |_: MouseEvent| on_remove.emit(key))
        };
        let file_errors = errors(Field::Attachment);
        let invalid = !file_errors.is_empty();
        let error_id = format!("{}-error", id(Field::Attachment));
        html! {
            <fieldset class="nsc-card" part="file-card" key={key}>
                <legend class="nsc-label">{ card.meta.name.clone() }</legend>
                <FieldErrors id={error_id.clone()} messages={file_errors} strings={strings.clone()} />
                { file_card(&card.meta, preview.as_ref(), strings, &props.on_send_as_is) }
                if *added {
                    <p class="nsc-hint">{ strings.get(Msg::FileAdded) }</p>
                }
                <input
                    class="nsc-file-input nsc-visually-hidden"
                    type="file"
                    tabindex="-1"
                    aria-hidden="true"
                    disabled={props.busy}
                    onchange={on_replace}
                />
                { file_actions(
                    id(Field::Attachment),
                    invalid.then_some(error_id),
                    invalid,
                    (open_picker, remove),
                    (props.busy || *added, props.busy),
                    strings,
                ) }
                <TextField
                    id={id(Field::Name)}
                    field={Field::Name}
                    value={card.name.clone()}
                    errors={errors(Field::Name)}
                    strings={strings.clone()}
                    on_input={on_input.clone()}
                />
                <TextField
                    id={id(Field::Description)}
                    field={Field::Description}
                    multiline=true
                    optional=true
                    value={card.description.clone()}
                    errors={errors(Field::Description)}
                    strings={strings.clone()}
                    {on_input}
                />
            </fieldset>
        }
    });
    html! { <>{ for cards }</> }
}
