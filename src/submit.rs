//! One submission, step by step: get the file to a URL (the host's presigned endpoint
//! or uploader, or a `data:` URL when the host asked for one), create the conversation
//! (unless it already exists), then attach the file. Each step reports to the reducer through `dispatch`;
//! the rules of what happens next live in [`crate::state`].

use std::cell::Cell;
use std::rc::Rc;

use web_sys::{AbortController, AbortSignal, File};
use yew::Callback;

use crate::api::json::to_js_object;
use crate::api::list::{file_lookup, thread_lookup};
use crate::api::{Outcome, Reply, TransportError};
use crate::config::{AttachFailed, Created, PanelError};
use crate::i18n::Strings;
use crate::presigned::{self, PresignedError, Ticket};
use crate::state::{
    Action, Attachment, FormState, Mode, Next, Problem, Report, Step, ThreadFields,
};
use crate::text;
use crate::transport::{
    file_payload, ApiClient, Cancellation, Method, THREADS_PATH, THREAD_FILES_PATH,
};
use crate::upload::{
    downloadable_url, read_as_base64, FileDelivery, FileSource, ProgressCallback, UploadError,
    UploadFuture,
};
use wasm_bindgen::JsValue;

/// Starts an upload, given where to report progress and the signal that stops it.
type StartUpload = Box<dyn FnOnce(ProgressCallback, AbortSignal) -> UploadFuture>;

/// The host's callbacks.
#[derive(Clone, PartialEq, Default)]
pub struct HostCallbacks {
    /// A conversation (and attachment) was created.
    pub on_created: Callback<Created>,
    /// The conversation exists but the attachment failed.
    pub on_attach_failed: Callback<AttachFailed>,
    /// A failure not about one field.
    pub on_error: Callback<PanelError>,
}

/// Everything one submission needs, captured when it starts.
pub struct Submission {
    /// The API client.
    pub client: ApiClient,
    /// The panel's mode.
    pub mode: Mode,
    /// The conversation's optional fields the host turned on.
    pub fields: ThreadFields,
    /// The state when the member submitted.
    pub state: FormState,
    /// The chosen file, when the attachment is a file.
    pub file: Option<File>,
    /// How the file reaches a downloadable address.
    pub delivery: FileDelivery,
    /// Cancels this submission.
    pub cancel: Cancellation,
    /// Reports to the reducer (as [`Action::Report`]s).
    pub dispatch: Callback<Action>,
    /// The host's callbacks.
    pub host: HostCallbacks,
    /// For the messages passed to the host.
    pub strings: Strings,
}

/// Whether the submission starts by uploading or reading a file.
pub fn uploads_first(state: &FormState) -> bool {
    matches!(state.attachment, Attachment::File(_))
}

impl Submission {
    /// Runs the steps; every outcome ends in exactly one ending report (finished or
    /// failed). The runner keeps its own copy of the recovery facts, which takes in every
    /// report it makes ([`crate::state::Recovery::apply`]), and asks
    /// [`crate::state::Recovery::next_request`] what to send next: so every write is
    /// marked "may exist" before it goes, and every mark is looked up before writing.
    pub async fn run(mut self) {
        let shown = self.fields.shown(self.mode, self.state.has_attachment());
        let file_url = match self.file_url().await {
            Ok(url) => url,
            Err(report) => {
                if let Report::UploadFailed(error) = &report {
                    self.report_problem(&Problem::Upload(error.clone()));
                }
                self.dispatch.emit(Action::Report(report));
                return;
            }
        };
        loop {
            let next = self
                .state
                .recovery
                .next_request(self.mode, self.state.has_attachment());
            let (thread_id, writes) = match next {
                Next::Done(thread_id) => return self.finish(thread_id, None),
                Next::FindThread => (0, false),
                Next::CreateThread => (0, true),
                Next::FindFile(thread_id) => (thread_id, false),
                Next::AttachFile(thread_id) => (thread_id, true),
            };
            let step = if thread_id == 0 {
                self.emit(Report::StartPosting);
                Step::Create
            } else {
                self.emit(Report::StartAttaching);
                Step::Attach
            };
            let file_body = self.state.new_thread_file(thread_id);
            let thread_body = self.state.new_thread(self.mode, self.fields);
            let thread_body = thread_body.as_ref().filter(|_| step == Step::Create);
            if !writes {
                // One look-up call site for both records.
                let (path, wanted) = match thread_body {
                    Some(body) => thread_lookup(body),
                    None => file_lookup(&file_body),
                };
                match self.client.find(&path, &wanted, &self.cancel).await {
                    Ok(None) => self.emit(Report::Absent(step)),
                    Ok(Some(id)) if step == Step::Create => self.emit(Report::ThreadCreated(id)),
                    Ok(Some(id)) => return self.finish(thread_id, Some(id)),
                    Err(reply) => return self.fail(Step::LookUp, reply),
                }
                continue;
            }
            let (path, payload) = match thread_body {
                Some(body) => (
                    THREADS_PATH,
                    js_sys::JSON::stringify(&to_js_object(body))
                        .map(JsValue::from)
                        .map_err(|_| TransportError::Network),
                ),
                None => (
                    THREAD_FILES_PATH,
                    file_payload(&file_body, file_url.as_ref()),
                ),
            };
            self.emit(Report::MayExist(step, thread_id));
            let reply = match payload {
                Ok(payload) => {
                    self.client
                        .request(Method::POST, path, Some(&payload), &shown, &self.cancel)
                        .await
                }
                Err(error) => Err(error),
            };
            match reply {
                Ok(Outcome::Created { id }) if step == Step::Create => {
                    self.emit(Report::ThreadCreated(id))
                }
                Ok(Outcome::Created { id }) => return self.finish(thread_id, Some(id)),
                other => {
                    if step == Step::Attach && matches!(self.mode, Mode::Start { .. }) {
                        self.host.on_attach_failed.emit(AttachFailed {
                            thread_id,
                            messages: self.messages_of(&other),
                        });
                    }
                    return self.fail(step, other);
                }
            }
        }
    }

    /// Reports to the reducer and takes the report's facts into the runner's own copy.
    fn emit(&mut self, report: Report) {
        self.state.recovery.apply(&report);
        self.dispatch.emit(Action::Report(report));
    }

    /// Where the API downloads the attachment from.
    async fn file_url(&self) -> Result<Option<FileSource>, Report> {
        match &self.state.attachment {
            Attachment::None => Ok(None),
            Attachment::Link => {
                let link = self.state.draft.link.trim();
                Ok((!link.is_empty()).then(|| FileSource::Url(link.to_owned())))
            }
            Attachment::File(_) => {
                if let Some(url) = &self.state.recovery.uploaded_url {
                    return Ok(Some(FileSource::Url(url.clone())));
                }
                let Some(file) = &self.file else {
                    return Err(Report::UploadFailed(UploadError::FileGone));
                };
                match &self.delivery {
                    FileDelivery::Uploader(uploader) => {
                        let uploader = uploader.clone();
                        let file = file.clone();
                        self.upload(Box::new(move |progress, signal| {
                            (uploader.0)(file, progress, signal)
                        }))
                        .await
                        .map(Some)
                    }
                    FileDelivery::Endpoint(endpoint) => {
                        let (ticket, upload_url) = self.ticket(endpoint, file).await?;
                        let file = file.clone();
                        self.upload(Box::new(move |progress, signal: AbortSignal| {
                            Box::pin(async move {
                                presigned::send(&ticket, &upload_url, &file, progress, &signal)
                                    .await
                                    .map(|()| ticket.file_url)
                                    .map_err(UploadError::from)
                            })
                        }))
                        .await
                        .map(Some)
                    }
                    FileDelivery::Inline => {
                        match read_as_base64(file, || self.cancel.is_cancelled()).await {
                            _ if self.cancel.is_cancelled() => Err(Report::StepFailed(
                                Step::Upload,
                                Err(TransportError::Cancelled),
                            )),
                            Ok(source) => Ok(Some(source)),
                            Err(error) => Err(Report::UploadFailed(error)),
                        }
                    }
                    // The panel offers no file input then; a file can only be here
                    // if the host switched files off after one was chosen.
                    FileDelivery::LinksOnly => Err(Report::UploadFailed(UploadError::FilesOff)),
                }
            }
        }
    }

    /// Asks the host's presigned endpoint where to put `file`; returns the ticket and
    /// its upload address, resolved against the endpoint's.
    async fn ticket(&self, endpoint: &str, file: &File) -> Result<(Ticket, String), Report> {
        let failed = |error: PresignedError| Report::UploadFailed(error.into());
        let endpoint = resolve(endpoint, &page_address())
            .ok_or(failed(PresignedError::Address("uploadEndpoint")))?;
        let request = js_sys::JSON::stringify(&presigned::ticket_request(file))
            .map(JsValue::from)
            .map_err(|_| Report::StepFailed(Step::Upload, Err(TransportError::Network)))?;
        let json = self
            .client
            .fetch_json(
                Method::POST,
                &endpoint,
                Some(&request),
                &[crate::api::Field::Attachment],
                &self.cancel,
            )
            .await
            .map_err(|reply| Report::StepFailed(Step::Upload, reply))?;
        let ticket = Ticket::read(&json).map_err(failed)?;
        let upload_url = resolve(&ticket.upload_url, &endpoint)
            .filter(|url| url.starts_with("https:") || url.starts_with("http:"))
            .ok_or(failed(PresignedError::Address("uploadUrl")))?;
        Ok((ticket, upload_url))
    }

    /// Runs an upload with progress and cancellation; checks the address it gives.
    /// Takes the upload boxed, so one copy serves the host's uploader and the endpoint.
    async fn upload(&self, start: StartUpload) -> Result<FileSource, Report> {
        let controller =
            AbortController::new().map_err(|_| Report::UploadFailed(UploadError::NoAbort))?;
        self.cancel.watch(&controller);
        // A sign of life: the start, then each progress report. An upload that makes
        // none for `timeoutMs` (or an uploader that never settles) is stopped.
        let activity = Rc::new(Cell::new(js_sys::Date::now()));
        let progress = {
            let dispatch = self.dispatch.clone();
            let activity = Rc::clone(&activity);
            Callback::from(move |(loaded, total): (f64, f64)| {
                activity.set(js_sys::Date::now());
                dispatch.emit(Action::Report(Report::Progress { loaded, total }))
            })
        };
        let result = self
            .cancel
            .bounded(
                start(progress, controller.signal()),
                self.client.timeout(),
                &activity,
            )
            .await;
        self.cancel.unwatch();
        let url = match result {
            Err(error) => {
                controller.abort();
                return Err(Report::StepFailed(Step::Upload, Err(error)));
            }
            Ok(_) if self.cancel.is_cancelled() => {
                return Err(Report::StepFailed(
                    Step::Upload,
                    Err(TransportError::Cancelled),
                ))
            }
            Ok(Err(error)) => return Err(Report::UploadFailed(error)),
            // An empty answer is refused as any address the server cannot download.
            Ok(Ok(url)) => downloadable_url(&url).map_err(Report::UploadFailed)?,
        };
        self.dispatch
            .emit(Action::Report(Report::Uploaded(url.clone())));
        Ok(FileSource::Url(url))
    }

    fn finish(&self, thread_id: u64, file_id: Option<u64>) {
        self.dispatch
            .emit(Action::Report(Report::Finished { thread_id, file_id }));
        self.host.on_created.emit(Created { thread_id, file_id });
    }

    fn fail(&self, step: Step, reply: Reply) {
        if let Some(problem) = Problem::from_reply(&reply) {
            self.report_problem(&problem);
        }
        self.dispatch
            .emit(Action::Report(Report::StepFailed(step, reply)));
    }

    fn report_problem(&self, problem: &Problem) {
        self.host.on_error.emit(PanelError {
            code: problem.code(),
            message: problem.message(&self.strings),
        });
    }

    /// The messages a failed attach shows, for the host's `onAttachFailed`.
    fn messages_of(&self, reply: &Reply) -> Vec<String> {
        let strings = &self.strings;
        match (reply, Problem::from_reply(reply)) {
            (_, Some(problem)) => vec![problem.message(strings)],
            (Ok(Outcome::Invalid(report)), None) => report
                .fields
                .iter()
                .map(|m| text::field_message(m.field, &m.text, strings))
                .chain(report.form.iter().map(|m| text::form_message(m, strings)))
                .collect(),
            (_, None) => Vec::new(),
        }
    }
}

/// The page's own address, against which relative addresses resolve.
fn page_address() -> String {
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.base_uri().ok().flatten())
        .unwrap_or_default()
}

/// `url` resolved against `base`, as the browser's `URL` parser does.
fn resolve(url: &str, base: &str) -> Option<String> {
    web_sys::Url::new_with_base(url.trim(), base)
        .ok()
        .map(|url| url.href())
}

/// Removes a conversation that was posted without its attachment.
pub async fn remove_conversation(
    client: ApiClient,
    thread_id: u64,
    dispatch: Callback<Action>,
    on_error: Callback<PanelError>,
    strings: Strings,
) {
    let reply = client
        .request(
            Method::DELETE,
            &format!("{THREADS_PATH}/{thread_id}"),
            None,
            &[],
            &Cancellation::default(),
        )
        .await;
    match reply {
        Ok(Outcome::Succeeded | Outcome::Created { .. }) => {
            dispatch.emit(Action::Report(Report::Removed))
        }
        other => {
            if let Some(problem) = Problem::from_reply(&other) {
                on_error.emit(PanelError {
                    code: problem.code(),
                    message: problem.message(&strings),
                });
            }
            dispatch.emit(Action::Report(Report::StepFailed(Step::Remove, other)));
        }
    }
}
