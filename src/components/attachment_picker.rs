//! The attachment: a drop zone around a real `<input type=file>` (reachable by
//! keyboard), a preview of the chosen picture (or the type, name and size of another
//! file) with Replace and Remove, and a switch to giving a link instead. When the page
//! has nowhere to put a file, only the link field shows (a file dropped on it is
//! refused with a message).
//! Pasting an image is handled by the panel, so it works anywhere inside it.

use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

use super::field_errors::FieldErrors;
use super::hooks::list_files;
use super::text_field::TextField;
use crate::api::Field;
use crate::config::Limits;
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
    /// A file replaces the chosen one (its Replace, with several allowed).
    pub on_file: Callback<File>,
    /// Files were chosen or dropped.
    pub on_files: Callback<Vec<File>>,
    /// Whether several files may be chosen (`maxFiles` over 1): the input takes
    /// several, and stays while there is room for more.
    #[prop_or_default]
    pub multiple: bool,
    /// Whether another file may be added (with several allowed).
    #[prop_or_default]
    pub room: bool,
    /// The member removed the file.
    pub on_remove: Callback<()>,
    /// The member chose to send the photo, which nothing could check, as it is.
    #[prop_or_default]
    pub on_send_as_is: Callback<u32>,
    /// Whether the chosen file is already attached (after a partial failure): it says so,
    /// like a card, and cannot be replaced.
    #[prop_or_default]
    pub added: bool,
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
    // Every hook before the link mode's early return: yew needs the same hooks each render.
    let replace_input = use_node_ref();
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
            let on_files = props.on_files.clone();
            Callback::from(move |event: DragEvent| {
                // Dropped files are refused with a message rather than opened in the tab.
                let files = list_files(event.data_transfer().and_then(|it| it.files()));
                if !files.is_empty() {
                    event.prevent_default();
                    on_files.emit(files);
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
        let on_files = props.on_files.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                let files = list_files(input.files());
                if !files.is_empty() {
                    on_files.emit(files);
                }
                // Choosing the same file again must fire `change` again.
                input.set_value("");
            }
        })
    };
    let on_replace = {
        let on_file = props.on_file.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                if let Some(file) = list_files(input.files()).into_iter().next() {
                    on_file.emit(file);
                }
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
        let on_files = props.on_files.clone();
        let busy = props.busy;
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            if busy {
                return;
            }
            let files = list_files(event.data_transfer().and_then(|it| it.files()));
            if !files.is_empty() {
                on_files.emit(files);
            }
        })
    };
    let replace = {
        let input = if props.multiple {
            replace_input.clone()
        } else {
            input.clone()
        };
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
    // With several allowed, the input stays (for more) while there is room.
    let input_hidden = chosen.is_some() && !(props.multiple && props.room);
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
    let max = strings.size(props.limits.max_bytes);

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
                    class={classes!("nsc-file-input", input_hidden.then_some("nsc-visually-hidden"))}
                    type="file"
                    name={Field::Attachment.api_name()}
                    accept={props.limits.accept_attribute()}
                    multiple={props.multiple}
                    aria-invalid={(has_errors && chosen.is_none()).then_some("true")}
                    aria-describedby={described_by.clone()}
                    tabindex={input_hidden.then_some("-1")}
                    disabled={props.busy || (props.multiple && !props.room)}
                    onchange={on_change}
                />
                if props.multiple && chosen.is_some() {
                    <input
                        ref={replace_input}
                        class="nsc-file-input nsc-visually-hidden"
                        type="file"
                        accept={props.limits.accept_attribute()}
                        tabindex="-1"
                        aria-hidden="true"
                        disabled={props.busy}
                        onchange={on_replace}
                    />
                }
                if let Some(meta) = chosen {
                    { file_card(meta, props.preview_url.as_ref(), strings, &props.on_send_as_is) }
                    if props.added {
                        <p class="nsc-hint">{ strings.get(Msg::FileAdded) }</p>
                    }
                    { file_actions(
                        props.id.to_string(),
                        Some(described_by),
                        has_errors,
                        (replace, remove),
                        (props.busy || props.added, props.busy),
                        strings,
                    ) }
                }
            </div>
            { toggle_button }
        </div>
    }
}

/// Replace and Remove under a chosen file (the form's own or a card's). Replace carries
/// the field's `id`, so the error summary's link lands on it; `disabled` is Replace's
/// and Remove's.
pub fn file_actions(
    id: String,
    described_by: Option<String>,
    invalid: bool,
    (replace, remove): (Callback<MouseEvent>, Callback<MouseEvent>),
    disabled: (bool, bool),
    strings: &Strings,
) -> Html {
    html! {
        <div class="nsc-attachment__actions">
            <button
                type="button"
                {id}
                class="nsc-button nsc-button--secondary"
                aria-describedby={described_by}
                aria-invalid={invalid.then_some("true")}
                onclick={replace}
                disabled={disabled.0}
            >
                { strings.get(Msg::Replace) }
            </button>
            <button type="button" class="nsc-button nsc-button--secondary" onclick={remove} disabled={disabled.1}>
                { strings.get(Msg::Remove) }
            </button>
        </div>
    }
}

/// A chosen file's preview (or type icon), name, type and size, what the cleaner did,
/// and, for a photo nothing could check, the button that sends it as it is (its Remove
/// is the card's own).
pub fn file_card(
    meta: &FileMeta,
    preview: Option<&AttrValue>,
    strings: &Strings,
    on_send_as_is: &Callback<u32>,
) -> Html {
    let note = meta.photo_note(strings);
    let send_as_is = {
        let (on_send_as_is, key) = (on_send_as_is.clone(), meta.key);
        Callback::from(move |_: MouseEvent| on_send_as_is.emit(key))
    };
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
            // No preview of a picture nothing vouched for, or refused: the browser may not
            // draw it, and a broken image says nothing.
            if let (true, Some(url)) = (meta.is_image() && !meta.needs_choice() && meta.refusal.is_none(), preview) {
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
                <p class="nsc-file-card__meta">{ format!("{kind} · {}", strings.size(meta.size)) }</p>
                if !note.is_empty() {
                    <p class="nsc-file-card__note" role="status">{ note }</p>
                }
                if meta.needs_choice() {
                    <button type="button" class="nsc-button nsc-button--secondary nsc-file-card__choice" onclick={send_as_is}>
                        { strings.get(Msg::SendAsIs) }
                    </button>
                }
            </div>
        </div>
    }
}
