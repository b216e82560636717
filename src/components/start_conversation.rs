//! The panel. This first slice attaches a file to an existing conversation: the host
//! gives the conversation id and the token; the member gives a name, a description and
//! a link to the file.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use yew::prelude::*;

use super::error_summary::{ErrorSummary, SummaryEntry};
use super::text_field::TextField;
use crate::api::Field;
use crate::config::{AttachFailed, Created, Limits, PanelError};
use crate::i18n::Strings;
use crate::state::{Action, FormState, Phase, ATTACH_FIELDS};
use crate::text;
use crate::transport::{ApiClient, Cancellation, TokenSource, DEFAULT_TIMEOUT, THREAD_FILES_PATH};
use crate::upload::Uploader;

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
    /// The host's uploader; without one the file is sent as a `data:` URL.
    #[prop_or_default]
    pub uploader: Option<Uploader>,
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

impl Reducible for FormState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(FormState::reduce(&self, action))
    }
}

thread_local! {
    static NEXT_INSTANCE: Cell<u32> = const { Cell::new(1) };
}

/// A prefix that keeps element ids unique when a page holds several panels.
fn instance_prefix() -> String {
    let n = NEXT_INSTANCE.with(|next| {
        let n = next.get();
        next.set(n.wrapping_add(1));
        n
    });
    format!("nsc{n}")
}

/// The "start a conversation with an attachment" panel.
#[function_component(StartConversation)]
pub fn start_conversation(props: &StartConversationProps) -> Html {
    let state = use_reducer(FormState::default);
    // The submission in flight, so the member can cancel it.
    let in_flight = use_mut_ref(|| None::<Cancellation>);
    let prefix = use_memo((), |_| instance_prefix());
    let field_id = |field: Field| format!("{prefix}-{}", field.key());

    let Some(thread_id) = props.thread_id else {
        return html! {
            <section class="nsc-panel" part="panel">
                <p class="nsc-config-error" role="alert">
                    { "This panel is not set up: the page did not say which conversation to attach to." }
                </p>
            </section>
        };
    };

    let on_input = {
        let state = state.clone();
        Callback::from(move |(field, value): (Field, String)| {
            state.dispatch(Action::Edit(field, value))
        })
    };

    let onsubmit = {
        let state = state.clone();
        let client = ApiClient::new(
            &props.base_url,
            props.token.clone(),
            Duration::from_millis(props.timeout_ms.into()),
        );
        let on_created = props.on_created.clone();
        let in_flight = in_flight.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if !state.can_submit() {
                return;
            }
            let body = state.draft.to_thread_file(thread_id);
            state.dispatch(Action::Submit);
            let dispatcher = state.dispatcher();
            let client = client.clone();
            let on_created = on_created.clone();
            let cancel = Cancellation::default();
            *in_flight.borrow_mut() = Some(cancel.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = client
                    .post_json(THREAD_FILES_PATH, &body, ATTACH_FIELDS, &cancel)
                    .await;
                if let Ok(crate::api::Outcome::Created { id }) = &result {
                    on_created.emit(Created {
                        thread_id,
                        file_id: Some(*id),
                    });
                }
                dispatcher.dispatch(Action::Finished(result));
            });
        })
    };

    let on_cancel = {
        let in_flight = in_flight.clone();
        Callback::from(move |_| {
            if let Some(cancel) = in_flight.borrow_mut().take() {
                cancel.cancel();
            }
        })
    };

    if let Phase::Sent { file_id } = state.phase {
        let start_another = {
            let state = state.clone();
            Callback::from(move |_| state.dispatch(Action::StartAnother))
        };
        return html! {
            <section class="nsc-panel" part="panel">
                <div class="nsc-success" role="status" part="success">
                    <h2 class="nsc-title">{ "File attached" }</h2>
                    <p>
                        { "Your file was attached to the conversation. Its reference is " }
                        <strong class="nsc-created-id">{ file_id }</strong>{ "." }
                    </p>
                    <button type="button" class="nsc-button nsc-button--secondary" onclick={start_another}>
                        { "Attach another file" }
                    </button>
                </div>
            </section>
        };
    }

    let summary = summary_entries(&state, &field_id);
    let sending = state.phase == Phase::Sending;
    let errors_for = |field: Field| -> Vec<String> {
        state
            .errors
            .for_field(field)
            .map(|message| text::field_message(field, message))
            .collect()
    };

    html! {
        <section class="nsc-panel" part="panel" aria-labelledby={format!("{prefix}-title")}>
            <h2 class="nsc-title" id={format!("{prefix}-title")}>{ "Attach a file to the conversation" }</h2>
            <ErrorSummary entries={summary} focus_key={state.failures} />
            <form class="nsc-form" novalidate=true {onsubmit} aria-busy={sending.then_some("true")}>
                <TextField
                    id={field_id(Field::Attachment)}
                    field={Field::Attachment}
                    input_type="url"
                    hint="A public address the server can download the file from."
                    value={state.draft.file_url.clone()}
                    errors={errors_for(Field::Attachment)}
                    on_input={on_input.clone()}
                />
                <TextField
                    id={field_id(Field::Name)}
                    field={Field::Name}
                    hint="Shown to members instead of the file's own name."
                    value={state.draft.name.clone()}
                    errors={errors_for(Field::Name)}
                    on_input={on_input.clone()}
                />
                <TextField
                    id={field_id(Field::Description)}
                    field={Field::Description}
                    multiline=true
                    optional=true
                    value={state.draft.description.clone()}
                    errors={errors_for(Field::Description)}
                    on_input={on_input}
                />
                <div class="nsc-actions">
                    <button type="submit" class="nsc-button" part="submit" disabled={sending}>
                        { if sending { "Attaching…" } else { "Attach file" } }
                    </button>
                    if sending {
                        <button type="button" class="nsc-button nsc-button--secondary" onclick={on_cancel}>
                            { "Cancel" }
                        </button>
                    }
                </div>
            </form>
            <p class="nsc-status" role="status" aria-live="polite">
                { if sending { "Attaching your file…" } else { "" } }
            </p>
        </section>
    }
}

/// Every problem, form-level first, then each field's messages in the panel's order.
fn summary_entries(state: &FormState, field_id: &dyn Fn(Field) -> String) -> Vec<SummaryEntry> {
    let problem = state.problem.iter().map(|problem| SummaryEntry {
        target: None,
        text: text::problem(problem),
    });
    let form = state.errors.form.iter().map(|message| SummaryEntry {
        target: None,
        text: text::form_message(message),
    });
    let fields = ATTACH_FIELDS.iter().flat_map(|&field| {
        state
            .errors
            .for_field(field)
            .map(move |message| SummaryEntry {
                target: Some(field_id(field)),
                text: text::field_message(field, message),
            })
            .collect::<Vec<_>>()
    });
    problem.chain(form).chain(fields).collect()
}
