//! The submission: starting it (or retrying the attachment), cancelling it, and the
//! member's two other ways out after a failed attachment (keep the conversation as it
//! is, or remove it). The steps themselves run in [`crate::submit`].

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::use_chosen_file::ChosenFileHandle;
use crate::components::callbacks::make_callback;
use crate::components::start_conversation_props::StartConversationProps;
use crate::config::Created;
use crate::host_input::mode_in_effect;
use crate::i18n::Strings;
use crate::state::{Action, FormState, Mode, Phase, ThreadFields};
use crate::submit::{remove_conversation, uploads_first, HostCallbacks, Submission};
use crate::transport::{ApiClient, Cancellation};
use crate::upload::FileDelivery;

/// The last submission's cancel, and the mode it ran in.
type InFlight = Rc<RefCell<Option<(Cancellation, Mode)>>>;

/// What the panel needs of the submission.
pub struct SubmissionHandle {
    /// The mode the panel shows: the running submission's, else the host's (or what
    /// the host's settings miss).
    pub mode: Result<Mode, &'static str>,
    /// Submits the form: starts the submission, or retries the attachment.
    pub on_submit: Callback<SubmitEvent>,
    /// Cancels the running submission.
    pub on_cancel: Callback<MouseEvent>,
    /// After a failed attachment: keeps the conversation without one.
    pub on_keep: Callback<MouseEvent>,
    /// After a failed attachment: removes the conversation.
    pub on_remove_conversation: Callback<MouseEvent>,
}

/// What the submission's callbacks read, as of the last render.
struct Submitter {
    state: UseReducerHandle<FormState>,
    mode: Result<Mode, &'static str>,
    client: ApiClient,
    chosen: ChosenFileHandle,
    in_flight: InFlight,
    delivery: FileDelivery,
    fields: ThreadFields,
    host: HostCallbacks,
    strings: Strings,
}

impl Submitter {
    /// Starts the submission once the form is checked; while a photo is being cleaned,
    /// it waits for it (the panel's effect calls back when every photo is ready).
    fn start(&self) {
        let (state, strings) = (&self.state, &self.strings);
        let Ok(mode) = self.mode else {
            return;
        };
        if !state.can_submit() {
            return;
        }
        let report = state.validate(mode, self.fields, strings);
        let cards = state.validate_cards(strings);
        if !report.is_empty() || !cards.is_empty() {
            state.dispatch(Action::InvalidCards(cards));
            state.dispatch(Action::Invalid(report));
            return;
        }
        if state.photos_pending() {
            state.dispatch(Action::WaitForPhotos);
            return;
        }
        let cancel = Cancellation::default();
        *self.in_flight.borrow_mut() = Some((cancel.clone(), mode));
        let attach_mode = matches!(mode, Mode::Attach { .. });
        state.dispatch(Action::Submit {
            upload_first: uploads_first(state),
            attach_only: attach_mode,
        });
        let submission = Submission {
            client: self.client.clone(),
            mode,
            fields: self.fields,
            state: (**state).clone(),
            files: self.chosen.files(),
            delivery: self.delivery.clone(),
            cancel,
            dispatch: state.dispatcher().to_callback(),
            host: self.host.clone(),
            strings: strings.clone(),
        };
        wasm_bindgen_futures::spawn_local(submission.run());
    }

    fn cancel(&self) {
        if let Some((cancel, _)) = &*self.in_flight.borrow() {
            cancel.cancel();
        }
    }

    fn keep_without_attachment(&self) {
        let state = &self.state;
        if let (Some(thread_id), false) = (state.recovery.posted, state.phase.is_busy()) {
            // Read before the dispatch: the handle reads the state the dispatch makes,
            // a fresh form without these facts (the event said `fileIds: []`).
            let file_ids: Vec<u64> = state
                .recovery
                .files
                .iter()
                .filter(|file| file.thread_id == thread_id)
                .filter_map(|file| file.added)
                .collect();
            state.dispatch(Action::KeepWithoutAttachment);
            self.host.on_created.emit(Created {
                thread_id,
                file_id: file_ids.first().copied(),
                file_ids,
            });
        }
    }

    fn remove_conversation(&self) {
        let state = &self.state;
        let Some(thread_id) = state.recovery.posted else {
            return;
        };
        if !state.can_submit() {
            return;
        }
        state.dispatch(Action::RemoveStarted);
        wasm_bindgen_futures::spawn_local(remove_conversation(
            self.client.clone(),
            thread_id,
            state.dispatcher().to_callback(),
            self.host.on_error.clone(),
            self.strings.clone(),
        ));
    }
}

/// Runs the submissions of the panel of `state`, with the host's `props`, through
/// `client`, sending the file `chosen` holds.
#[hook]
pub fn use_submission(
    state: &UseReducerHandle<FormState>,
    props: &StartConversationProps,
    client: &ApiClient,
    chosen: &ChosenFileHandle,
) -> SubmissionHandle {
    // Held until the member is back at an editable form, so a `threadId` given
    // meanwhile never switches a submission half-way.
    let in_flight: InFlight = use_mut_ref(|| None);
    // Whether the panel is still there: once it is gone (`destroy()`, the element
    // removed, a Rust host unmounting it), the host hears nothing more from it.
    let mounted = use_mut_ref(|| true);
    {
        // Leaving the page mid-submission cancels it, silently.
        let in_flight = in_flight.clone();
        let mounted = mounted.clone();
        use_effect_with((), move |_| {
            move || {
                *mounted.borrow_mut() = false;
                if let Some((cancel, _)) = in_flight.borrow_mut().take() {
                    cancel.cancel();
                }
            }
        });
    }
    let held = (!state.can_submit())
        .then(|| in_flight.borrow().as_ref().map(|(_, mode)| *mode))
        .flatten();
    let mode = mode_in_effect(props.target.mode(), held);
    let submitter = Rc::new(Submitter {
        state: state.clone(),
        mode,
        client: client.clone(),
        chosen: chosen.clone(),
        in_flight,
        delivery: props.files.delivery(),
        fields: props.fields,
        host: while_mounted(&props.host, &mounted),
        strings: props.strings.clone(),
    });
    {
        // A submission that waited for the photos starts when the last is ready.
        let submitter = submitter.clone();
        let ready = state.phase == Phase::WaitingForPhotos && !state.photos_pending();
        use_effect_with(ready, move |ready| {
            if *ready {
                submitter.start();
            }
        });
    }
    SubmissionHandle {
        mode,
        on_submit: make_callback(&submitter, |it, event: SubmitEvent| {
            event.prevent_default();
            it.start()
        }),
        on_cancel: make_callback(&submitter, |it, _| it.cancel()),
        on_keep: make_callback(&submitter, |it, _| it.keep_without_attachment()),
        on_remove_conversation: make_callback(&submitter, |it, _| it.remove_conversation()),
    }
}

/// The host's callbacks, each called only while `mounted` holds: a submission still
/// settling after the panel went (its requests cancelled) calls none.
fn while_mounted(host: &HostCallbacks, mounted: &Rc<RefCell<bool>>) -> HostCallbacks {
    fn gate<T: 'static>(callback: &Callback<T>, mounted: &Rc<RefCell<bool>>) -> Callback<T> {
        let (callback, mounted) = (callback.clone(), mounted.clone());
        Callback::from(move |value| {
            if *mounted.borrow() {
                callback.emit(value);
            }
        })
    }
    HostCallbacks {
        on_created: gate(&host.on_created, mounted),
        on_attach_failed: gate(&host.on_attach_failed, mounted),
        on_error: gate(&host.on_error, mounted),
    }
}
