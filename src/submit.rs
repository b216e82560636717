//! One submission, step by step: get the file to a URL (the host's presigned endpoint
//! or uploader, or a `data:` URL when the host asked for one), create the conversation
//! (unless it already exists), then attach the file. Each step reports to the reducer through `dispatch`;
//! the rules of what happens next live in [`crate::state`].

use std::cell::{Cell, RefCell};
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
    Action, Attachment, FormState, Mode, Next, Outgoing, Problem, Report, Step, ThreadFields,
    WriteKey,
};
use crate::text;
use crate::transport::{
    file_payload, new_key, ApiClient, Cancellation, Method, THREADS_PATH, THREAD_FILES_PATH,
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
    /// The chosen files, by key.
    pub files: Vec<(u32, File)>,
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

/// Where one attachment is downloaded from (none: no attachment), or why not.
type SourceResult = Result<Option<FileSource>, Report>;

/// Whether the submission starts by uploading or reading a file.
pub fn uploads_first(state: &FormState) -> bool {
    matches!(state.attachment, Attachment::File(_))
}

impl Submission {
    /// Runs the steps; every outcome ends in exactly one ending report (finished,
    /// incomplete or failed). The runner keeps its own copy of the recovery facts, which
    /// takes in every report it makes ([`crate::state::Recovery::apply`]), and asks
    /// [`crate::state::Recovery::next_request`] what to send next: so every write is
    /// marked "may exist" before it goes, and every mark is looked up before writing.
    /// Files upload two at a time first; the attaches then go one after another (the
    /// client keeps the API's spacing), and one failing does not stop the others.
    pub async fn run(mut self) {
        if !self.client.sends_keys() {
            // Saved while the host had keys on: without the header they guard nothing,
            // so the look-ups decide again.
            self.state.recovery.keys.clear();
        }
        let dispatch = self.dispatch.clone();
        self.client = self
            .client
            .clone()
            .reporting_key_waits(Callback::from(move |()| {
                dispatch.emit(Action::Report(Report::KeyInFlight))
            }));
        let shown = &self.fields.shown(self.mode, self.state.has_attachment());
        let outgoing = self.state.outgoing();
        let sources = match self.sources(&outgoing).await {
            Ok(sources) => sources,
            Err(report) => {
                // One event for this ending too, a Cancel or a timeout during the upload
                // included (it said nothing).
                let problem = match &report {
                    Report::UploadFailed(error) => Some(Problem::Upload(error.clone())),
                    Report::StepFailed(_, reply) => Problem::from_reply(reply),
                    _ => None,
                };
                if let Some(problem) = problem {
                    self.report_problem(&problem);
                }
                self.dispatch.emit(Action::Report(report));
                return;
            }
        };
        // The attachments not yet tried in this run, as places in `outgoing`.
        let mut pending: Vec<usize> = (0..outgoing.len()).collect();
        let mut failed: Vec<(usize, Reply)> = Vec::new();
        loop {
            let names: Vec<String> = pending
                .iter()
                .map(|&at| outgoing[at].name.clone())
                .collect();
            let next = self.state.recovery.next_request(self.mode, &names);
            let (thread_id, at) = match next {
                Next::Done(thread_id) => return self.end(thread_id, &outgoing, &failed),
                Next::FindThread | Next::CreateThread => (0, 0),
                Next::FindFile(thread_id, at) | Next::AttachFile(thread_id, at) => (thread_id, at),
            };
            // No file while the conversation is created or looked up without attachments.
            let file = pending.get(at).map(|&place| &outgoing[place]);
            let file_body = file.map(|file| file.body(thread_id));
            let thread_body = self.state.new_thread(self.mode, self.fields);
            let thread_body = thread_body.as_ref().filter(|_| thread_id == 0);
            if thread_body.is_some() {
                self.emit(Report::StartPosting);
            } else {
                self.emit(Report::StartAttaching);
            }
            if matches!(next, Next::FindThread | Next::FindFile(..)) {
                // One look-up call site for both records.
                let (path, wanted) = match (thread_body, &file_body) {
                    (Some(body), _) => thread_lookup(body),
                    (None, Some(file_body)) => file_lookup(file_body),
                    (None, None) => return self.end(thread_id, &outgoing, &failed),
                };
                let name = || file.map(|file| file.name.clone()).unwrap_or_default();
                match self.client.find(&path, &wanted, &self.cancel).await {
                    Ok(None) if thread_body.is_some() => self.emit(Report::ThreadAbsent),
                    Ok(None) => self.emit(Report::FileAbsent(name())),
                    Ok(Some(id)) if thread_body.is_some() => self.emit(Report::ThreadCreated(id)),
                    Ok(Some(id)) => self.emit(Report::FileAdded(thread_id, name(), id)),
                    Err(reply) if thread_body.is_none() => {
                        // The conversation exists: the ending says which files it holds.
                        // The look-up settles nothing, so its mark stays.
                        self.dispatch.emit(Action::Report(Report::StepFailed(
                            Step::LookUp,
                            reply.clone(),
                        )));
                        failed.extend(pending.drain(..).map(|place| (place, reply.clone())));
                        return self.end(thread_id, &outgoing, &failed);
                    }
                    Err(reply) => return self.fail(Step::LookUp, reply),
                }
                continue;
            }
            let Some(body) = thread_body else {
                let Some(file_body) = file_body else {
                    return self.end(thread_id, &outgoing, &failed);
                };
                let place = pending.remove(at);
                let name = outgoing[place].name.clone();
                let key = self.key_for(&WriteKey::file(thread_id, &name));
                self.emit(Report::FileMayExist(thread_id, name.clone()));
                let reply = match file_payload(&file_body, sources[place].as_ref()) {
                    Ok(payload) => {
                        let path = THREAD_FILES_PATH;
                        let key = key.as_deref();
                        self.client
                            .request(Method::POST, path, Some(&payload), shown, key, &self.cancel)
                            .await
                    }
                    Err(error) => Err(error),
                };
                match reply {
                    Ok(Outcome::Created { id }) => {
                        self.emit(Report::FileAdded(thread_id, name, id))
                    }
                    other => {
                        self.emit(Report::FileFailed(name, other.clone()));
                        failed.push((place, other.clone()));
                        if self.cancel.is_cancelled() {
                            // One Cancel (or the panel going) ends the run here: the files
                            // not yet tried are missing too, and the host hears it once.
                            failed.extend(pending.drain(..).map(|place| (place, other.clone())));
                            return self.end(thread_id, &outgoing, &failed);
                        }
                    }
                }
                continue;
            };
            let key = self.key_for(WriteKey::THREAD);
            self.emit(Report::ThreadMayExist);
            let reply = match js_sys::JSON::stringify(&to_js_object(body)) {
                Ok(payload) => {
                    let payload = JsValue::from(payload);
                    self.client
                        .request(
                            Method::POST,
                            THREADS_PATH,
                            Some(&payload),
                            shown,
                            key.as_deref(),
                            &self.cancel,
                        )
                        .await
                }
                Err(_) => Err(TransportError::Network),
            };
            match reply {
                Ok(Outcome::Created { id }) => self.emit(Report::ThreadCreated(id)),
                other => return self.fail(Step::Create, other),
            }
        }
    }

    /// The end of a run that reached the conversation: done when every attachment is
    /// added, else incomplete. The host hears it once: `onCreated`, or (a conversation
    /// started here) `onAttachFailed` with the Ids that exist and the names that do not,
    /// or (attach mode) `onError` with the first failure's problem.
    fn end(&self, thread_id: u64, outgoing: &[Outgoing], failed: &[(usize, Reply)]) {
        let recovery = &self.state.recovery;
        let file_ids: Vec<u64> = outgoing
            .iter()
            .filter_map(|file| recovery.added(&file.name, thread_id))
            .collect();
        if failed.is_empty() {
            let file_id = file_ids.first().copied();
            self.dispatch
                .emit(Action::Report(Report::Finished { thread_id, file_id }));
            return self.host.on_created.emit(Created {
                thread_id,
                file_id,
                file_ids,
            });
        }
        if matches!(self.mode, Mode::Start { .. }) {
            let mut messages: Vec<String> = Vec::new();
            for message in failed.iter().flat_map(|(_, reply)| self.messages_of(reply)) {
                if !messages.contains(&message) {
                    messages.push(message);
                }
            }
            self.host.on_attach_failed.emit(AttachFailed {
                thread_id,
                messages,
                file_ids,
                missing: failed
                    .iter()
                    .map(|(at, _)| outgoing[*at].name.clone())
                    .collect(),
            });
        } else if let Some(problem) = failed
            .iter()
            .find_map(|(_, reply)| Problem::from_reply(reply))
        {
            self.report_problem(&problem);
        }
        self.dispatch.emit(Action::Report(Report::Incomplete));
    }

    /// The idempotency key `write` goes with: the one made before its first send (kept in
    /// the recovery facts, so also after a reload), or a new one, reported (and so saved)
    /// before this first send. None when the host did not turn `idempotencyKeys` on.
    fn key_for(&mut self, write: &str) -> Option<String> {
        if !self.client.sends_keys() {
            return None;
        }
        if let Some(key) = self.state.recovery.key(write) {
            return Some(key.to_owned());
        }
        let key = new_key()?;
        self.emit(Report::KeyMade(write.to_owned(), key.clone()));
        Some(key)
    }

    /// Reports to the reducer and takes the report's facts into the runner's own copy.
    fn emit(&mut self, report: Report) {
        self.state.recovery.apply(&report);
        self.dispatch.emit(Action::Report(report));
    }

    /// Where the API downloads each attachment from (in the order of `outgoing`): the
    /// link, a URL an earlier attempt uploaded to, or a new upload, two at a time (two
    /// keeps the page responsive and the host's endpoint unhurried, and still overlaps
    /// one upload's latency with another's bytes).
    async fn sources(&mut self, outgoing: &[Outgoing]) -> Result<Vec<Option<FileSource>>, Report> {
        let results: RefCell<Vec<Option<SourceResult>>> = RefCell::new(vec![None; outgoing.len()]);
        let next = Cell::new(0);
        let progress = Rc::new(RefCell::new(vec![(0.0, 0.0); outgoing.len()]));
        let worker = || async {
            while next.get() < outgoing.len() {
                let at = next.get();
                next.set(at + 1);
                let source = self.source(&outgoing[at], at, &progress).await;
                if source.is_err() {
                    // The others stop at their next file.
                    next.set(outgoing.len());
                }
                results.borrow_mut()[at] = Some(source);
            }
        };
        // Two workers: `join` of two is much smaller in the wasm
        // than `join_all`.
        futures::future::join(worker(), worker()).await;
        // Every file stored is kept in the facts, also when another failed: a retry
        // reuses it rather than uploading it again.
        let mut sources = Vec::new();
        let mut failure = None;
        for (at, result) in results.into_inner().into_iter().enumerate() {
            match result {
                Some(Ok(source)) => {
                    if let (Some(key), Some(FileSource::Url(url))) = (outgoing[at].key, &source) {
                        if self.state.recovery.uploaded_url(key).is_none() {
                            self.emit(Report::Uploaded(key, url.clone()));
                        }
                    }
                    sources.push(source);
                }
                Some(Err(report)) => failure = failure.or(Some(report)),
                // A file is left only after another failed.
                None => {}
            }
        }
        match failure {
            Some(report) => Err(report),
            None if sources.len() == outgoing.len() => Ok(sources),
            None => Err(Report::UploadFailed(UploadError::FileGone)),
        }
    }

    /// Where the API downloads one attachment from; `at` is its place for the progress.
    async fn source(
        &self,
        file: &Outgoing,
        at: usize,
        progress: &Rc<RefCell<Vec<(f64, f64)>>>,
    ) -> Result<Option<FileSource>, Report> {
        let Some(key) = file.key else {
            let link = self.state.draft.link.trim();
            return Ok((!link.is_empty()).then(|| FileSource::Url(link.to_owned())));
        };
        if let Some(url) = self.state.recovery.uploaded_url(key) {
            return Ok(Some(FileSource::Url(url.to_owned())));
        }
        let Some((_, file)) = self.files.iter().find(|(held, _)| *held == key) else {
            return Err(Report::UploadFailed(UploadError::FileGone));
        };
        match &self.delivery {
            FileDelivery::Uploader(uploader) => {
                let uploader = uploader.clone();
                let file = file.clone();
                self.upload(
                    Box::new(move |progress, signal| (uploader.0)(file, progress, signal)),
                    at,
                    progress,
                )
                .await
                .map(Some)
            }
            FileDelivery::Endpoint(endpoint) => {
                let (ticket, upload_url) = self.ticket(endpoint, file).await?;
                let file = file.clone();
                self.upload(
                    Box::new(move |progress, signal: AbortSignal| {
                        Box::pin(async move {
                            presigned::send(&ticket, &upload_url, &file, progress, &signal)
                                .await
                                .map(|()| ticket.file_url)
                                .map_err(UploadError::from)
                        })
                    }),
                    at,
                    progress,
                )
                .await
                .map(Some)
            }
            FileDelivery::Inline => match read_as_base64(file, || self.cancel.is_cancelled()).await
            {
                _ if self.cancel.is_cancelled() => Err(Report::StepFailed(
                    Step::Upload,
                    Err(TransportError::Cancelled),
                )),
                Ok(source) => Ok(Some(source)),
                Err(error) => Err(Report::UploadFailed(error)),
            },
            // The panel offers no file input then; a file can only be here
            // if the host switched files off after one was chosen.
            FileDelivery::LinksOnly => Err(Report::UploadFailed(UploadError::FilesOff)),
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
        // Both addresses are checked before a byte leaves: the bytes go to `uploadUrl`
        // (never in the clear to another machine), and `fileUrl` must be one Nexudus
        // can download, or the upload would be wasted.
        let upload_url = resolve(&ticket.upload_url, &endpoint)
            .and_then(|url| downloadable_url(&url).ok())
            .ok_or(failed(PresignedError::Address(
                "uploadUrl (https:, or http: on a loopback host only)",
            )))?;
        downloadable_url(&ticket.file_url).map_err(|_| {
            failed(PresignedError::Address(
                "fileUrl (an absolute https: address, or http: on a loopback host only)",
            ))
        })?;
        Ok((ticket, upload_url))
    }

    /// Runs an upload with progress and cancellation; checks the address it gives.
    /// Takes the upload boxed, so one copy serves the host's uploader and the endpoint.
    /// `at` is the file's place in `totals`, the bytes sent and in all of every file,
    /// whose sums the progress bar shows.
    async fn upload(
        &self,
        start: StartUpload,
        at: usize,
        totals: &Rc<RefCell<Vec<(f64, f64)>>>,
    ) -> Result<FileSource, Report> {
        let controller =
            AbortController::new().map_err(|_| Report::UploadFailed(UploadError::NoAbort))?;
        let watched = self.cancel.watch(&controller);
        // A sign of life: the start, then each progress report. An upload that makes
        // none for `timeoutMs` (or an uploader that never settles) is stopped.
        let activity = Rc::new(Cell::new(js_sys::Date::now()));
        let progress = {
            let dispatch = self.dispatch.clone();
            let activity = Rc::clone(&activity);
            let totals = Rc::clone(totals);
            Callback::from(move |(loaded, total): (f64, f64)| {
                activity.set(js_sys::Date::now());
                let mut totals = totals.borrow_mut();
                totals[at] = (loaded, total);
                let (loaded, total) = totals.iter().fold((0.0, 0.0), |(l, t), (loaded, total)| {
                    (l + loaded, t + total)
                });
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
        drop(watched);
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
        Ok(FileSource::Url(url))
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
    // A removal is idempotent by itself (a second DELETE finds nothing): its key, made
    // here, is kept for this removal's sends only (its token refresh and waits).
    let key = client.sends_keys().then(new_key).flatten();
    let reply = client
        .request(
            Method::DELETE,
            &format!("{THREADS_PATH}/{thread_id}"),
            None,
            &[],
            key.as_deref(),
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
