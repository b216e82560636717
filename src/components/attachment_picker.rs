//! The attachment: a drop zone around a real `<input type=file>` (reachable by
//! keyboard), a preview of the chosen picture (or the type, name and size of another
//! file) with Replace and Remove, and a switch to giving a link instead. When the page
//! has nowhere to put a file, only the link field shows (a file dropped on it is
//! refused with a message).
//! Pasting an image is handled by the panel, so it works anywhere inside it.

use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

use super::field_errors::FieldErrors;
use super::text_field::TextField;
use crate::api::Field;
use crate::config::{human_size, Limits};
use crate::i18n::{Msg, Strings};
use crate::state::{Attachment, FileMeta};

/// Properties of [`AttachmentPicker`].
#[derive(Properties, PartialEq, Clone)]
pub struct AttachmentPickerProps {
    /// The id of the control that error-summary links focus.
    pub id: AttrValue,
    /// The chosen attachment.
    pub attachment: Attachment,
    /// Whether the member gives a link rather than a file.
    pub link_mode: bool,
    /// The link, in link mode.
    pub link: AttrValue,
    /// Whether files may be chosen; otherwise only a link can be given.
    #[prop_or(true)]
    pub takes_files: bool,
    /// An object URL for the chosen picture's preview.
    #[prop_or_default]
    pub preview_url: Option<AttrValue>,
    /// Error messages, as whole sentences.
    #[prop_or_default]
    pub errors: Vec<String>,
    /// Size and type limits (for the hint and the input's `accept`).
    pub limits: Limits,
    /// The strings in use.
    pub strings: Strings,
    /// Whether work is in flight (the choice cannot change meanwhile).
    #[prop_or_default]
    pub busy: bool,
    /// A file was chosen, dropped or pasted.
    pub on_file: Callback<File>,
    /// The member removed the file.
    pub on_remove: Callback<()>,
    /// The member switched between file and link.
    pub on_toggle_link: Callback<()>,
    /// The member edited the link.
    pub on_input: Callback<(Field, String)>,
}

/// Chooses the attachment.
#[function_component(AttachmentPicker)]
pub fn attachment_picker(props: &AttachmentPickerProps) -> Html {
    let strings = &props.strings;
    let input = use_node_ref();
    let dragging = use_state(|| false);
    let has_errors = !props.errors.is_empty();
    let error_id = format!("{}-error", props.id);
    let hint_id = format!("{}-hint", props.id);

    let toggle = {
        let on_toggle = props.on_toggle_link.clone();
        Callback::from(move |_: MouseEvent| on_toggle.emit(()))
    };
    let toggle_text = if props.link_mode {
        strings.get(Msg::UseFile)
    } else {
        strings.get(Msg::UseLink)
    };
    let toggle_button = html! {
        <button type="button" class="nsc-link-button" onclick={toggle} disabled={props.busy}>
            { toggle_text }
        </button>
    };

    if props.link_mode || !props.takes_files {
        let hint = if props.takes_files {
            Msg::LinkHint
        } else {
            Msg::LinkOnlyHint
        };
        let on_drag_over = Callback::from(|event: DragEvent| event.prevent_default());
        let on_drop = {
            let on_file = props.on_file.clone();
            Callback::from(move |event: DragEvent| {
                // Dropped files are refused with a message rather than opened in the tab.
                let file = event
                    .data_transfer()
                    .and_then(|transfer| transfer.files())
                    .and_then(|files| files.get(0));
                if let Some(file) = file {
                    event.prevent_default();
                    on_file.emit(file);
                }
            })
        };
        return html! {
            <div class="nsc-attachment" part="attachment" ondragover={on_drag_over} ondrop={on_drop}>
                <TextField
                    id={props.id.clone()}
                    field={Field::Attachment}
                    input_type="url"
                    optional={!props.takes_files}
                    label={AttrValue::from(strings.get(Msg::LabelLink).to_owned())}
                    hint={AttrValue::from(strings.get(hint).to_owned())}
                    value={props.link.clone()}
                    errors={props.errors.clone()}
                    strings={strings.clone()}
                    on_input={props.on_input.clone()}
                />
                if props.takes_files {
                    { toggle_button }
                }
            </div>
        };
    }

    let on_change = {
        let on_file = props.on_file.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                if let Some(file) = input.files().and_then(|files| files.get(0)) {
                    on_file.emit(file);
                }
                // Choosing the same file again must fire `change` again.
                input.set_value("");
            }
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        let busy = props.busy;
        Callback::from(move |event: DragEvent| {
            if !busy {
                // Allows the drop.
                event.prevent_default();
                dragging.set(true);
            }
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let dragging = dragging.clone();
        let on_file = props.on_file.clone();
        let busy = props.busy;
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            if busy {
                return;
            }
            let file = event
                .data_transfer()
                .and_then(|transfer| transfer.files())
                .and_then(|files| files.get(0));
            if let Some(file) = file {
                on_file.emit(file);
            }
        })
    };
    let replace = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = input.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let remove = {
        let on_remove = props.on_remove.clone();
        Callback::from(move |_: MouseEvent| on_remove.emit(()))
    };

    let chosen = match &props.attachment {
        Attachment::File(meta) => Some(meta),
        _ => None,
    };
    // The control that carries the field's id (and so its summary link) is the file
    // input while nothing is chosen, and the Replace button once a file is.
    let input_id = if chosen.is_some() {
        format!("{}-input", props.id)
    } else {
        props.id.to_string()
    };
    let described_by = [
        Some(hint_id.as_str()),
        has_errors.then_some(error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let max = human_size(props.limits.max_bytes);

    html! {
        <div
            class={classes!(
                "nsc-field",
                "nsc-attachment",
                has_errors.then_some("nsc-field--error"),
                (*dragging).then_some("nsc-attachment--dragging"),
            )}
            part="attachment"
            ondragover={on_drag_over.clone()}
            ondragenter={on_drag_over}
            ondragleave={on_drag_leave}
            ondrop={on_drop}
        >
            <label class="nsc-label" for={input_id.clone()}>
                { strings.get(Msg::LabelAttachment) }
                <span class="nsc-optional">{ " " }{ strings.get(Msg::Optional) }</span>
            </label>
            <div id={hint_id.clone()} class="nsc-hint">
                { strings.fill(Msg::AttachmentHint, &[("max", &max)]) }
            </div>
            <FieldErrors id={error_id.clone()} messages={props.errors.clone()} strings={props.strings.clone()} />
            <div class="nsc-drop-zone" part="drop-zone">
                if *dragging {
                    <p class="nsc-drop-zone__text" aria-hidden="true">{ strings.get(Msg::DropHere) }</p>
                }
                <input
                    ref={input}
                    id={input_id}
                    class={classes!("nsc-file-input", chosen.is_some().then_some("nsc-visually-hidden"))}
                    type="file"
                    name={Field::Attachment.api_name()}
                    accept={props.limits.accept_attribute()}
                    aria-invalid={(has_errors && chosen.is_none()).then_some("true")}
                    aria-describedby={described_by.clone()}
                    tabindex={chosen.is_some().then_some("-1")}
                    disabled={props.busy}
                    onchange={on_change}
                />
                if let Some(meta) = chosen {
                    { file_card(meta, props.preview_url.as_ref(), strings) }
                    <div class="nsc-attachment__actions">
                        <button
                            type="button"
                            id={props.id.clone()}
                            class="nsc-button nsc-button--secondary"
                            aria-describedby={described_by}
                            aria-invalid={has_errors.then_some("true")}
                            onclick={replace}
                            disabled={props.busy}
                        >
                            { strings.get(Msg::Replace) }
                        </button>
                        <button
                            type="button"
                            class="nsc-button nsc-button--secondary"
                            onclick={remove}
                            disabled={props.busy}
                        >
                            { strings.get(Msg::Remove) }
                        </button>
                    </div>
                }
            </div>
            { toggle_button }
        </div>
    }
}

fn file_card(meta: &FileMeta, preview: Option<&AttrValue>, strings: &Strings) -> Html {
    let kind = if meta.mime.is_empty() {
        meta.name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_uppercase())
            .unwrap_or_default()
    } else {
        meta.mime.clone()
    };
    html! {
        <div class="nsc-file-card" part="file-card">
            if let (true, Some(url)) = (meta.is_image(), preview) {
                <img
                    class="nsc-file-card__preview"
                    src={url.clone()}
                    alt={strings.fill(Msg::PreviewAlt, &[("name", &meta.name)])}
                />
            } else {
                <span class="nsc-file-card__icon" aria-hidden="true">{ "📄" }</span>
            }
            <div class="nsc-file-card__facts">
                <p class="nsc-file-card__name">{ meta.name.clone() }</p>
                <p class="nsc-file-card__meta">{ format!("{kind} · {}", human_size(meta.size)) }</p>
            </div>
        </div>
    }
}
