//! The panel: start a conversation with an optional attachment, or attach a file to an
//! existing conversation. Thin over [`crate::state`] (the rules) and [`crate::submit`]
//! (the steps of a submission).

use std::cell::Cell;
use std::time::Duration;

use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, File, FilePropertyBag};
use yew::prelude::*;

use super::attachment_picker::AttachmentPicker;
use super::board_picker::BoardPicker;
use super::error_summary::{ErrorSummary, SummaryEntry};
use super::hooks::{use_boards, use_saved_draft, ChosenFile, FileSlot};
use super::success_view::SuccessView;
use super::text_field::TextField;
use crate::api::{Field, FormMessage};
use crate::config::{AttachFailed, Created, Limits, PanelError};
use crate::i18n::{Msg, Strings};
use crate::state::{
    display_name, pasted_image_name, refusal_message, Action, Attachment, Edit, FileMeta,
    FormState, Mode, Phase, MAX_SUBJECT_CHARS,
};
use crate::submit::{remove_conversation, uploads_first, HostCallbacks, Submission};
use crate::text;
use crate::transport::{ApiClient, Cancellation, TokenSource, DEFAULT_TIMEOUT};
use crate::upload::{FileDelivery, Uploader};

/// The Nexudus API's public origin, used when the host gives no `base_url`.
pub const DEFAULT_BASE_URL: &str = "https://spaces.nexudus.com";

/// Properties of [`StartConversation`]: the host page's configuration.
///
/// With `thread_id` the panel attaches a file to that conversation; without it, it
/// starts a conversation (`business_id` and `user_id` are then required).
#[derive(Properties, PartialEq, Clone)]
pub struct StartConversationProps {
    /// The API origin, such as `https://spaces.nexudus.com`, or the host's own proxy.
    #[prop_or(AttrValue::Static(DEFAULT_BASE_URL))]
    pub base_url: AttrValue,
    /// The member's bearer token, or an async callback that supplies one.
    #[prop_or_default]
    pub token: TokenSource,
    /// The location (`BusinessId`) conversations are created in.
    #[prop_or_default]
    pub business_id: Option<u64>,
    /// The account (`UserId`) that posts.
    #[prop_or_default]
    pub user_id: Option<u64>,
    /// Attach mode: the conversation to attach a file to.
    #[prop_or_default]
    pub thread_id: Option<u64>,
    /// A board fixed by the host; the board picker is then hidden.
    #[prop_or_default]
    pub group_id: Option<u64>,
    /// Limits on the attachment, checked before any request.
    #[prop_or_default]
    pub limits: Limits,
    /// The host's own uploader: `upload(file, progress, signal)` → the file's public
    /// URL. Takes precedence over `upload_endpoint`.
    #[prop_or_default]
    pub uploader: Option<Uploader>,
    /// The host's presigned-upload endpoint (absolute, or relative to the page): it
    /// answers `POST {fileName, contentType, size}` with `{uploadUrl, fileUrl}` (see
    /// [`crate::presigned`]). Without it or an `uploader`, members give a link instead
    /// of a file.
    #[prop_or_default]
    pub upload_endpoint: Option<AttrValue>,
    /// Sends chosen files inline as `data:` URLs when there is no uploader or endpoint:
    /// only for a backend known to accept them (live Nexudus answers them with a 500).
    #[prop_or_default]
    pub inline_files: bool,
    /// The visible strings: a locale's, with the host's overrides.
    #[prop_or_default]
    pub strings: Strings,
    /// Where in `sessionStorage` to keep the draft; no draft is kept without it.
    #[prop_or_default]
    pub draft_key: Option<AttrValue>,
    /// A link to a conversation, with `{id}` for its Id, shown after success.
    #[prop_or_default]
    pub conversation_url: Option<AttrValue>,
    /// How long one request may take, in milliseconds.
    #[prop_or(DEFAULT_TIMEOUT.as_millis() as u32)]
    pub timeout_ms: u32,
    /// Called after a conversation (and its attachment) was created.
    #[prop_or_default]
    pub on_created: Callback<Created>,
    /// Called when the conversation exists but the attachment failed.
    #[prop_or_default]
    pub on_attach_failed: Callback<AttachFailed>,
    /// Called on a failure that is not about one field.
    #[prop_or_default]
    pub on_error: Callback<PanelError>,
}

impl StartConversationProps {
    /// How chosen files reach the API, from the host's settings.
    pub fn delivery(&self) -> FileDelivery {
        match (&self.uploader, &self.upload_endpoint) {
            (Some(uploader), _) => FileDelivery::Uploader(uploader.clone()),
            (None, Some(endpoint)) => FileDelivery::Endpoint(endpoint.clone()),
            (None, None) if self.inline_files => FileDelivery::Inline,
            (None, None) => FileDelivery::LinksOnly,
        }
    }

    /// The mode the configuration asks for, or what is missing.
    fn mode(&self) -> Result<Mode, &'static str> {
        match (self.thread_id, self.business_id, self.user_id) {
            (Some(thread_id), _, _) => Ok(Mode::Attach { thread_id }),
            (None, Some(business_id), Some(user_id)) => Ok(Mode::Start {
                business_id,
                user_id,
                group_id: self.group_id,
            }),
            _ => Err(
                "businessId and userId (to start a conversation), or threadId (to attach a file)",
            ),
        }
    }
}

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// A number unique within the page: instance prefixes and file keys.
fn next_id() -> u32 {
    NEXT_ID.with(|next| {
        let n = next.get();
        next.set(n.wrapping_add(1));
        n
    })
}

thread_local! {
    static TOLD_FILES_ARE_OFF: Cell<bool> = const { Cell::new(false) };
}

/// Tells the host page's developer, once per page, why members can only give links.
fn tell_host_files_are_off() {
    if !TOLD_FILES_ARE_OFF.with(|told| told.replace(true)) {
        web_sys::console::info_1(
            &"nexudus-start-conversation: links only, no files: Nexudus downloads attachments \
              from a public http(s) URL and refuses data: URLs. Pass `uploadEndpoint` or \
              `upload` to take files (`inlineFiles` sends data: URLs)."
                .into(),
        );
    }
}

/// Gives a pasted image with a generic name (`image.png`) a dated one.
fn named_for_paste(file: File) -> File {
    let name = file.name();
    if !(name.is_empty() || display_name(&name).eq_ignore_ascii_case("image")) {
        return file;
    }
    let mime = file.type_();
    let options = FilePropertyBag::new();
    options.set_type(&mime);
    File::new_with_blob_sequence_and_options(
        &js_sys::Array::of1(&file),
        &pasted_image_name(&String::from(js_sys::Date::new_0().to_iso_string()), &mime),
        &options,
    )
    .unwrap_or(file)
}

/// The "start a conversation with an attachment" panel.
#[function_component(StartConversation)]
pub fn start_conversation(props: &StartConversationProps) -> Html {
    let strings = props.strings.clone();
    let state = use_reducer(FormState::default);
    let prefix = use_memo((), |_| format!("nsc{}", next_id()));
    let file_slot: FileSlot = use_mut_ref(|| None);
    // The last submission's cancel, and the mode it ran in: held until the member is
    // back at an editable form, so a `threadId` given meanwhile never switches a
    // submission half-way.
    let in_flight = use_mut_ref(|| None::<(Cancellation, Mode)>);
    let client = use_memo(
        (
            props.base_url.clone(),
            props.token.clone(),
            props.timeout_ms,
        ),
        |(base_url, token, timeout)| {
            ApiClient::new(
                base_url,
                token.clone(),
                Duration::from_millis(u64::from(*timeout)),
            )
        },
    );
    let held = (state.phase != Phase::Editing)
        .then(|| in_flight.borrow().as_ref().map(|(_, mode)| *mode))
        .flatten();
    let mode = crate::host_input::mode_in_effect(props.mode(), held);
    let boards = use_boards(match mode {
        Ok(Mode::Start { group_id: None, .. }) => Some((*client).clone()),
        _ => None,
    });
    {
        let dispatcher = state.dispatcher();
        use_saved_draft(
            props.draft_key.clone(),
            &state.draft,
            &state.recovery,
            Callback::from(move |action| dispatcher.dispatch(action)),
        );
    }
    {
        // Leaving the page mid-submission cancels it; the file and its preview go too.
        let in_flight = in_flight.clone();
        let file_slot = file_slot.clone();
        use_effect_with((), move |_| {
            move || {
                if let Some((cancel, _)) = in_flight.borrow_mut().take() {
                    cancel.cancel();
                }
                file_slot.borrow_mut().take();
            }
        });
    }
    use_effect_with(props.delivery().takes_files(), |takes_files| {
        if !takes_files {
            tell_host_files_are_off();
        }
    });
    {
        // The file is no longer needed once done, removed or replaced by a link.
        let file_slot = file_slot.clone();
        let key = match &state.attachment {
            Attachment::File(meta) => Some(meta.key),
            _ => None,
        };
        use_effect_with(key, move |key| {
            let mut slot = file_slot.borrow_mut();
            if slot.as_ref().map(|chosen| chosen.key) != *key {
                slot.take();
            }
        });
    }

    let Ok(mode) = mode else {
        let what = mode.err().unwrap_or_default();
        return html! {
            <section class="nsc-panel" part="panel" lang={strings.locale().tag()}>
                <p class="nsc-config-error" role="alert">
                    { strings.fill(Msg::NotConfigured, &[("what", what)]) }
                </p>
            </section>
        };
    };
    let attach_mode = matches!(mode, Mode::Attach { .. });
    let field_id = |field: Field| format!("{prefix}-{}", field.key());

    if let Phase::Done { thread_id, file_id } = state.phase {
        let on_again = {
            let state = state.clone();
            Callback::from(move |()| state.dispatch(Action::StartAnother))
        };
        return html! {
            <section class="nsc-panel" part="panel" lang={strings.locale().tag()}>
                <SuccessView
                    {attach_mode}
                    {thread_id}
                    {file_id}
                    conversation_url={props.conversation_url.clone()}
                    strings={strings.clone()}
                    {on_again}
                />
            </section>
        };
    }

    let busy = state.phase.is_busy();
    let recovering = state.recovery.posted.is_some();
    let takes_files = props.delivery().takes_files();
    let on_input = {
        let state = state.clone();
        Callback::from(move |(field, value): (Field, String)| {
            state.dispatch(Action::Edit(Edit::Text(field, value)))
        })
    };
    let on_file = {
        let state = state.clone();
        let file_slot = file_slot.clone();
        let limits = props.limits.clone();
        let strings = strings.clone();
        Callback::from(move |file: File| {
            if !takes_files {
                let refusal = strings.get(Msg::FilesUnavailable).to_owned();
                state.dispatch(Action::Edit(Edit::RefuseFile(refusal)));
                return;
            }
            let meta = FileMeta {
                key: next_id(),
                name: file.name(),
                mime: file.type_(),
                size: file.size().max(0.0) as u64,
            };
            match limits.check(&meta.name, &meta.mime, meta.size) {
                Ok(()) => {
                    *file_slot.borrow_mut() = Some(ChosenFile::new(meta.key, file));
                    state.dispatch(Action::Edit(Edit::ChooseFile(meta)));
                }
                Err(refusal) => state.dispatch(Action::Edit(Edit::RefuseFile(refusal_message(
                    refusal, &limits, &strings,
                )))),
            }
        })
    };
    let on_paste = {
        let on_file = on_file.clone();
        Callback::from(move |event: Event| {
            let Some(event) = event.dyn_ref::<ClipboardEvent>() else {
                return;
            };
            let file = event
                .clipboard_data()
                .and_then(|data| data.files())
                .and_then(|files| files.get(0));
            // Text pastes go to the focused field as usual; only files are taken.
            if let Some(file) = file {
                event.prevent_default();
                if !busy {
                    on_file.emit(named_for_paste(file));
                }
            }
        })
    };
    let on_remove = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(Action::Edit(Edit::RemoveFile)))
    };
    let on_toggle_link = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(Action::Edit(Edit::ToggleLinkMode)))
    };
    let onsubmit = {
        let state = state.clone();
        let client = (*client).clone();
        let file_slot = file_slot.clone();
        let in_flight = in_flight.clone();
        let delivery = props.delivery();
        let host = HostCallbacks {
            on_created: props.on_created.clone(),
            on_attach_failed: props.on_attach_failed.clone(),
            on_error: props.on_error.clone(),
        };
        let strings = strings.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if !state.can_submit() {
                return;
            }
            let report = state.validate(mode, &strings);
            if !report.is_empty() {
                state.dispatch(Action::Invalid(report));
                return;
            }
            let file = match (&state.attachment, file_slot.borrow().as_ref()) {
                (Attachment::File(meta), Some(chosen)) if chosen.key == meta.key => {
                    Some(chosen.file.clone())
                }
                _ => None,
            };
            let cancel = Cancellation::default();
            *in_flight.borrow_mut() = Some((cancel.clone(), mode));
            state.dispatch(Action::Submit {
                upload_first: uploads_first(&state),
                attach_only: attach_mode,
            });
            let dispatcher = state.dispatcher();
            let submission = Submission {
                client: client.clone(),
                mode,
                state: (*state).clone(),
                file,
                delivery: delivery.clone(),
                cancel,
                dispatch: Callback::from(move |action| dispatcher.dispatch(action)),
                host: host.clone(),
                strings: strings.clone(),
            };
            wasm_bindgen_futures::spawn_local(submission.run());
        })
    };
    let on_cancel = {
        let in_flight = in_flight.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some((cancel, _)) = &*in_flight.borrow() {
                cancel.cancel();
            }
        })
    };
    let on_keep = {
        let state = state.clone();
        let on_created = props.on_created.clone();
        Callback::from(move |_: MouseEvent| {
            if let (Some(thread_id), false) = (state.recovery.posted, state.phase.is_busy()) {
                state.dispatch(Action::KeepWithoutAttachment);
                on_created.emit(Created {
                    thread_id,
                    file_id: None,
                });
            }
        })
    };
    let on_remove_conversation = {
        let state = state.clone();
        let client = (*client).clone();
        let on_error = props.on_error.clone();
        let strings = strings.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(thread_id) = state.recovery.posted else {
                return;
            };
            if !state.can_submit() {
                return;
            }
            state.dispatch(Action::RemoveStarted);
            let dispatcher = state.dispatcher();
            wasm_bindgen_futures::spawn_local(remove_conversation(
                client.clone(),
                thread_id,
                Callback::from(move |action| dispatcher.dispatch(action)),
                on_error.clone(),
                strings.clone(),
            ));
        })
    };

    let errors_for = |field: Field| -> Vec<String> {
        state
            .errors
            .for_field(field)
            .map(|message| text::field_message(field, message, &strings))
            .collect()
    };
    let summary = summary_entries(&state, &strings, &field_id);
    let show_file_details = attach_mode || state.has_attachment() || recovering;
    let preview_url = file_slot.borrow().as_ref().and_then(|chosen| {
        chosen
            .preview
            .as_ref()
            .map(|url| AttrValue::from(url.to_string()))
    });
    let title = if attach_mode {
        strings.get(Msg::TitleAttach)
    } else {
        strings.get(Msg::TitleStart)
    };
    let submit_text = if attach_mode {
        strings.get(Msg::SubmitAttach)
    } else if recovering {
        strings.get(Msg::RetryAttach)
    } else {
        strings.get(Msg::SubmitStart)
    };

    html! {
        <section
            class="nsc-panel"
            part="panel"
            lang={strings.locale().tag()}
            aria-labelledby={format!("{prefix}-title")}
            onpaste={on_paste}
        >
            <h2 class="nsc-title" id={format!("{prefix}-title")}>{ title }</h2>
            <ErrorSummary
                entries={summary}
                focus_key={state.summary_focus}
                title={AttrValue::from(strings.get(Msg::SummaryTitle).to_owned())}
            />
            <form class="nsc-form" novalidate=true {onsubmit} aria-busy={busy.then_some("true")}>
                if !attach_mode && !recovering {
                    <TextField
                        id={field_id(Field::Subject)}
                        field={Field::Subject}
                        max_length={MAX_SUBJECT_CHARS}
                        value={state.draft.subject.clone()}
                        errors={errors_for(Field::Subject)}
                        strings={strings.clone()}
                        on_input={on_input.clone()}
                    />
                    <TextField
                        id={field_id(Field::Message)}
                        field={Field::Message}
                        multiline=true
                        value={state.draft.message.clone()}
                        errors={errors_for(Field::Message)}
                        strings={strings.clone()}
                        on_input={on_input.clone()}
                    />
                    if props.group_id.is_none() {
                        <BoardPicker
                            id={field_id(Field::CommunityGroupId)}
                            boards={boards}
                            selected={state.draft.group_id}
                            errors={errors_for(Field::CommunityGroupId)}
                            strings={strings.clone()}
                            on_change={on_input.clone()}
                        />
                    }
                }
                <AttachmentPicker
                    id={field_id(Field::Attachment)}
                    attachment={state.attachment.clone()}
                    link_mode={state.gives_link()}
                    link={state.draft.link.clone()}
                    {takes_files}
                    {preview_url}
                    errors={errors_for(Field::Attachment)}
                    limits={props.limits.clone()}
                    strings={strings.clone()}
                    {busy}
                    on_file={on_file}
                    on_remove={on_remove}
                    on_toggle_link={on_toggle_link}
                    on_input={on_input.clone()}
                />
                if show_file_details {
                    <TextField
                        id={field_id(Field::Name)}
                        field={Field::Name}
                        hint={AttrValue::from(strings.get(Msg::NameHint).to_owned())}
                        value={state.draft.name.clone()}
                        errors={errors_for(Field::Name)}
                        strings={strings.clone()}
                        on_input={on_input.clone()}
                    />
                    <TextField
                        id={field_id(Field::Description)}
                        field={Field::Description}
                        multiline=true
                        optional=true
                        value={state.draft.description.clone()}
                        errors={errors_for(Field::Description)}
                        strings={strings.clone()}
                        on_input={on_input}
                    />
                }
                { progress_view(&state.phase, state.draft_unsaved, &strings) }
                <div class="nsc-actions">
                    <button type="submit" class="nsc-button" part="submit" disabled={busy}>
                        { submit_text }
                    </button>
                    if busy && state.phase != Phase::Removing {
                        <button type="button" class="nsc-button nsc-button--secondary" part="cancel" onclick={on_cancel}>
                            { strings.get(Msg::Cancel) }
                        </button>
                    }
                    if recovering && !busy {
                        <button type="button" class="nsc-button nsc-button--secondary" onclick={on_keep}>
                            { strings.get(Msg::KeepWithoutAttachment) }
                        </button>
                        <button type="button" class="nsc-button nsc-button--secondary nsc-button--danger" onclick={on_remove_conversation}>
                            { strings.get(Msg::RemoveConversation) }
                        </button>
                    }
                </div>
            </form>
        </section>
    }
}

/// The progress bar and the polite live region that announces each step.
/// While editing, it says (quietly, once) when the draft cannot be saved.
fn progress_view(phase: &Phase, draft_unsaved: bool, strings: &Strings) -> Html {
    let (message, uploading, percent) = match phase {
        Phase::Uploading {
            percent: Some(percent),
        } => (
            strings.fill(Msg::Uploading, &[("percent", &percent.to_string())]),
            true,
            Some(*percent),
        ),
        Phase::Uploading { percent: None } => {
            (strings.get(Msg::UploadingStarted).to_owned(), true, None)
        }
        Phase::Posting => (strings.get(Msg::Posting).to_owned(), false, None),
        Phase::Attaching => (strings.get(Msg::Attaching).to_owned(), false, None),
        Phase::Removing => (strings.get(Msg::Removing).to_owned(), false, None),
        Phase::Editing if draft_unsaved => (strings.get(Msg::DraftUnsaved).to_owned(), false, None),
        Phase::Editing | Phase::Done { .. } => (String::new(), false, None),
    };
    html! {
        <div class="nsc-progress" part="progress">
            if uploading {
                // Without a reported percentage the bar is indeterminate.
                <progress
                    class="nsc-progress__bar"
                    max="100"
                    value={percent.map(|percent| percent.to_string())}
                    aria-hidden="true"
                />
            }
            <p class="nsc-status" role="status" aria-live="polite">{ message }</p>
        </div>
    }
}

/// Every problem: the failure not tied to a field first, then form-level messages,
/// then each field's messages in the panel's order, each a link to its field.
fn summary_entries(
    state: &FormState,
    strings: &Strings,
    field_id: &dyn Fn(Field) -> String,
) -> Vec<SummaryEntry> {
    let mut entries = Vec::new();
    if state.recovery.posted.is_some() && !state.phase.is_busy() {
        entries.push(SummaryEntry {
            target: None,
            text: strings.get(Msg::AttachFailed).to_owned(),
        });
    }
    entries.extend(state.problem.iter().map(|problem| SummaryEntry {
        target: None,
        text: problem.message(strings),
    }));
    entries.extend(state.errors.form.iter().map(|message| SummaryEntry {
        target: None,
        text: text::form_message(message, strings),
    }));
    // "…and N more" (always the last form message) counts every kind of message left
    // out, so it moves to the end of the list.
    let more_at =
        matches!(state.errors.form.last(), Some(FormMessage::More(_))).then(|| entries.len() - 1);
    for field in Field::ALL {
        entries.extend(state.errors.for_field(field).map(|message| SummaryEntry {
            target: Some(field_id(field)),
            text: text::field_message(field, message, strings),
        }));
    }
    if let Some(at) = more_at {
        let more = entries.remove(at);
        entries.push(more);
    }
    entries
}
