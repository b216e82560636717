//! The panel's state and rules, free of the DOM: a [`Draft`] of what the member typed,
//! the chosen [`Attachment`], the submission [`Phase`], the errors on show, client-side
//! [`FormState::validate`], and a reducer over [`Action`]s.
//!
//! Nothing the member typed or chose is ever dropped by a failure: only a successful
//! submission or an explicit "start another" clears the draft. What the server may
//! already hold is kept in [`Recovery`] (see [`recovery`]): a conversation that was
//! created, so a retry attaches only, and every write that never settled, so the retry
//! looks for it before writing again.

pub mod recovery;

pub use recovery::{Next, Recovery};

use crate::api::json::JsonView;
use crate::api::{ErrorReport, Field, NewThread, NewThreadFile, Outcome, TransportError};
use crate::config::{human_size, FileRefusal, Limits};
use crate::i18n::{Msg, Strings};

/// What the panel is for, from the host's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Start a conversation (with an optional attachment) as `user_id` in `business_id`.
    Start {
        /// The location (`BusinessId`).
        business_id: u64,
        /// The posting account (`UserId`).
        user_id: u64,
        /// A board fixed by the host, if any.
        group_id: Option<u64>,
    },
    /// Attach a file to the existing conversation `thread_id`.
    Attach {
        /// The conversation (`CommunityThreadId`).
        thread_id: u64,
    },
}

impl Mode {
    /// The fields this mode shows (and onto which server errors may map).
    pub fn fields(self, attachment_chosen: bool) -> &'static [Field] {
        match self {
            Mode::Start { group_id: None, .. } if attachment_chosen => &Field::ALL,
            Mode::Start { group_id: None, .. } => &[
                Field::Subject,
                Field::Message,
                Field::CommunityGroupId,
                Field::Attachment,
            ],
            Mode::Start { .. } if attachment_chosen => &[
                Field::Subject,
                Field::Message,
                Field::Attachment,
                Field::Name,
                Field::Description,
            ],
            Mode::Start { .. } => &[Field::Subject, Field::Message, Field::Attachment],
            Mode::Attach { .. } => ATTACH_FIELDS,
        }
    }
}

/// The fields the panel shows when attaching to an existing conversation.
pub const ATTACH_FIELDS: &[Field] = &[Field::Attachment, Field::Name, Field::Description];

/// What the member has typed so far (the part that is saved as a draft).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    /// The conversation's subject.
    pub subject: String,
    /// The opening message.
    pub message: String,
    /// The chosen board, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u64>,
    /// The attachment's display name (`Name`).
    pub name: String,
    /// The attachment's description (`Description`).
    pub description: String,
    /// A link to a file, when the member gives one instead of choosing a file.
    pub link: String,
}

impl Draft {
    /// The current text of a text field.
    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::Subject => &self.subject,
            Field::Message => &self.message,
            Field::Name => &self.name,
            Field::Description => &self.description,
            Field::Attachment => &self.link,
            Field::CommunityGroupId => "",
        }
    }

    fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Subject => self.subject = value,
            Field::Message => self.message = value,
            Field::Name => self.name = value,
            Field::Description => self.description = value,
            Field::Attachment => self.link = value,
            Field::CommunityGroupId => self.group_id = value.trim().parse().ok(),
        }
    }

    /// Reads a saved draft (as its `Serialize` wrote it); missing or odd fields
    /// stay empty.
    pub fn read(json: &impl JsonView) -> Draft {
        let text = |key: &str| {
            json.field(key)
                .and_then(|v| v.as_text())
                .unwrap_or_default()
        };
        Draft {
            subject: text("subject"),
            message: text("message"),
            group_id: json.field("groupId").and_then(|v| v.read_u64()),
            name: text("name"),
            description: text("description"),
            link: text("link"),
        }
    }

    /// Whether nothing worth saving was typed.
    pub fn is_blank(&self) -> bool {
        self.subject.trim().is_empty()
            && self.message.trim().is_empty()
            && self.name.trim().is_empty()
            && self.description.trim().is_empty()
            && self.link.trim().is_empty()
    }
}

/// A file the member chose; the file itself stays in the browser, keyed by `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// Identifies the browser-side file (a new key for every choice).
    pub key: u32,
    /// The file's name.
    pub name: String,
    /// Its MIME type, possibly empty.
    pub mime: String,
    /// Its size in bytes.
    pub size: u64,
}

impl FileMeta {
    /// Whether the browser can show it as a picture.
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

/// The attachment as chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Attachment {
    /// None.
    #[default]
    None,
    /// A file from the member's device.
    File(FileMeta),
    /// A link (the text is in [`Draft::link`]).
    Link,
}

/// Where the submission stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The member is editing (and may submit).
    Editing,
    /// The file is being read or uploaded; `percent` when the uploader reports it.
    Uploading {
        /// 0–100, when known.
        percent: Option<u8>,
    },
    /// The conversation is being created.
    Posting,
    /// The file is being attached.
    Attaching,
    /// The conversation posted without its attachment is being removed.
    Removing,
    /// Done: the conversation (and its attachment) exist.
    Done {
        /// The conversation's Id.
        thread_id: u64,
        /// The attachment's Id, when one was attached.
        file_id: Option<u64>,
    },
}

impl Phase {
    /// Whether work is in flight (inputs stay editable; submitting does not).
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            Phase::Uploading { .. } | Phase::Posting | Phase::Attaching | Phase::Removing
        )
    }
}

/// The step of a submission that an answer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reading or uploading the file.
    Upload,
    /// Creating the conversation.
    Create,
    /// Attaching the file.
    Attach,
    /// Removing the conversation after a failed attach.
    Remove,
    /// Looking for a conversation or an attachment a write that never settled may have
    /// made.
    LookUp,
}

/// A failure that is not about any one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// 401: the token is missing, expired, or lacks the role.
    Unauthorized,
    /// 404: the conversation (or endpoint) does not exist.
    NotFound,
    /// The API asked us to slow down and the quiet retries did not help.
    Throttled,
    /// The server failed; its message when it gave one.
    Server(Option<String>),
    /// An answer in no documented shape.
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// A short excerpt of the body, for diagnostics (shown as text).
        excerpt: String,
    },
    /// No answer: network, timeout or cancellation.
    Transport(TransportError),
    /// The host's uploader (or the browser reading the file) failed.
    Upload(String),
    /// The conversation that was posted without its attachment was removed.
    ConversationRemoved,
}

impl Problem {
    /// The problem a failed step shows, or `None` when it is about fields.
    pub fn from_result(result: &Result<Outcome, TransportError>) -> Option<Problem> {
        match result {
            Ok(Outcome::Invalid(_)) => None,
            Ok(Outcome::Unauthorized) => Some(Problem::Unauthorized),
            Ok(Outcome::NotFound) => Some(Problem::NotFound),
            Ok(Outcome::Throttled { .. }) => Some(Problem::Throttled),
            Ok(Outcome::ServerError { message }) => Some(Problem::Server(message.clone())),
            Ok(Outcome::Unexpected { status, excerpt }) => Some(Problem::Unexpected {
                status: *status,
                excerpt: excerpt.clone(),
            }),
            // A success where a new Id was expected is not a shape we know.
            Ok(Outcome::Created { .. } | Outcome::Succeeded) => Some(Problem::Unexpected {
                status: 200,
                excerpt: String::new(),
            }),
            Err(error) => Some(Problem::Transport(*error)),
        }
    }

    /// A stable code for the host's `onError`.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Unauthorized => "unauthorized",
            Problem::NotFound => "not-found",
            Problem::Throttled => "throttled",
            Problem::Server(_) => "server",
            Problem::Unexpected { .. } => "unexpected",
            Problem::Transport(TransportError::Network) => "network",
            Problem::Transport(TransportError::Timeout) => "timeout",
            Problem::Transport(TransportError::Cancelled) => "cancelled",
            Problem::Upload(_) => "upload",
            Problem::ConversationRemoved => "removed",
        }
    }

    /// The member-facing message.
    pub fn message(&self, strings: &Strings) -> String {
        match self {
            Problem::Unauthorized => strings.get(Msg::Unauthorized).to_owned(),
            Problem::NotFound => strings.get(Msg::NotFound).to_owned(),
            Problem::Throttled => strings.get(Msg::Throttled).to_owned(),
            Problem::Server(Some(message)) => {
                strings.fill(Msg::ServerErrorWithMessage, &[("message", message)])
            }
            Problem::Server(None) => strings.get(Msg::ServerError).to_owned(),
            // An unreadable 5xx (an empty body, a gateway's HTML page) is still the
            // server's problem, and reads as such.
            Problem::Unexpected {
                status: 500..=599, ..
            } => strings.get(Msg::ServerError).to_owned(),
            Problem::Unexpected { status, .. } => {
                strings.fill(Msg::Unexpected, &[("status", &status.to_string())])
            }
            Problem::Transport(TransportError::Network) => strings.get(Msg::Network).to_owned(),
            Problem::Transport(TransportError::Timeout) => strings.get(Msg::Timeout).to_owned(),
            Problem::Transport(TransportError::Cancelled) => strings.get(Msg::Cancelled).to_owned(),
            Problem::Upload(reason) => strings.fill(Msg::UploadFailed, &[("message", reason)]),
            Problem::ConversationRemoved => strings.get(Msg::ConversationRemoved).to_owned(),
        }
    }
}

/// The whole state of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormState {
    /// What the member typed.
    pub draft: Draft,
    /// The chosen attachment.
    pub attachment: Attachment,
    /// Whether the member is giving a link rather than choosing a file.
    pub link_mode: bool,
    /// Where the submission stands.
    pub phase: Phase,
    /// Field and form errors on show.
    pub errors: ErrorReport,
    /// A failure not tied to a field, on show until the next submission.
    pub problem: Option<Problem>,
    /// What the server may already hold from this intent.
    pub recovery: Recovery,
    /// Counts failed submissions, so the view moves focus to the summary each time.
    pub failures: u32,
    /// The browser would not keep the draft: the panel says so, and the text stays here.
    pub draft_unsaved: bool,
}

impl Default for FormState {
    fn default() -> Self {
        FormState {
            draft: Draft::default(),
            attachment: Attachment::None,
            link_mode: false,
            phase: Phase::Editing,
            errors: ErrorReport::default(),
            problem: None,
            recovery: Recovery::default(),
            failures: 0,
            draft_unsaved: false,
        }
    }
}

/// Everything that can happen to the panel.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The member changed a text field (or the board). Only that field's errors clear.
    Edit(Field, String),
    /// A saved draft (and the recovery facts saved with it) was found on load.
    RestoreDraft(Draft, Recovery),
    /// The member chose a file that passed the limits.
    ChooseFile(FileMeta),
    /// The member chose a file that the limits refuse; the message says why.
    RefuseFile(String),
    /// The member removed the chosen file.
    RemoveFile,
    /// The member switched between choosing a file and giving a link.
    ToggleLinkMode,
    /// The client-side checks failed.
    Invalid(ErrorReport),
    /// A submission started.
    Submit {
        /// Whether the file is uploaded or read first.
        upload_first: bool,
        /// Whether the conversation already exists (attach mode), so only the file is sent.
        attach_only: bool,
    },
    /// Upload progress.
    Progress {
        /// Bytes sent so far.
        loaded: f64,
        /// Bytes in all.
        total: f64,
    },
    /// The host's uploader stored the file at this URL.
    Uploaded(String),
    /// The file was read or uploaded; the conversation is being created next.
    StartPosting,
    /// The file is being attached next (attach mode, or the conversation exists).
    StartAttaching,
    /// The conversation exists (created now, or found after a lost answer).
    ThreadCreated(u64),
    /// A create (`Step::Create`), or an attach to this conversation (`Step::Attach`), is
    /// about to be sent: until settled, it may exist.
    MayExist(Step, u64),
    /// A look-up found no record from the write of this step: it did not happen.
    Absent(Step),
    /// The upload (or reading the file) failed.
    UploadFailed(String),
    /// A step ended with an answer that is not a success, or with none.
    StepFailed(Step, Result<Outcome, TransportError>),
    /// Everything was created.
    Finished {
        /// The conversation's Id.
        thread_id: u64,
        /// The attachment's Id.
        file_id: Option<u64>,
    },
    /// After a failed attach: keep the conversation without its attachment.
    KeepWithoutAttachment,
    /// After a failed attach: removing the conversation started.
    RemoveStarted,
    /// The conversation was removed.
    Removed,
    /// After a success: clear everything for another one.
    StartAnother,
    /// The browser would not keep the draft.
    DraftUnsaved,
}

impl FormState {
    /// Whether a new submission may start now.
    pub fn can_submit(&self) -> bool {
        self.phase == Phase::Editing
    }

    /// Whether an attachment is chosen (a file, or a non-empty link).
    pub fn has_attachment(&self) -> bool {
        match self.attachment {
            Attachment::File(_) => true,
            Attachment::Link => !self.draft.link.trim().is_empty(),
            Attachment::None => false,
        }
    }

    /// The checks made before any request, with the same look as server errors.
    pub fn validate(&self, mode: Mode, strings: &Strings) -> ErrorReport {
        let mut report = ErrorReport::default();
        let blank = is_blank_text;
        if matches!(mode, Mode::Start { .. }) && self.recovery.posted.is_none() {
            if blank(&self.draft.subject) {
                report.push_field(Field::Subject, strings.get(Msg::RequiredSubject));
            } else if text_length(&self.draft.subject) > MAX_SUBJECT_CHARS {
                report.push_field(
                    Field::Subject,
                    strings.fill(
                        Msg::SubjectTooLong,
                        &[("max", &MAX_SUBJECT_CHARS.to_string())],
                    ),
                );
            }
            if blank(&self.draft.message) {
                report.push_field(Field::Message, strings.get(Msg::RequiredMessage));
            }
        }
        let attach_required = matches!(mode, Mode::Attach { .. }) || self.recovery.posted.is_some();
        let link_given = self.attachment == Attachment::Link && !blank(&self.draft.link);
        if link_given && !is_http_url(&self.draft.link) {
            report.push_field(Field::Attachment, strings.get(Msg::LinkInvalid));
        } else if attach_required && !self.has_attachment() {
            report.push_field(Field::Attachment, strings.get(Msg::RequiredAttachment));
        }
        if self.has_attachment() && blank(&self.draft.name) {
            report.push_field(Field::Name, strings.get(Msg::RequiredName));
        }
        report
    }

    /// The body that creates the conversation, in start mode.
    pub fn new_thread(&self, mode: Mode) -> Option<NewThread> {
        let Mode::Start {
            business_id,
            user_id,
            group_id,
        } = mode
        else {
            return None;
        };
        Some(NewThread {
            business_id,
            user_id,
            subject: self.draft.subject.trim().to_owned(),
            message: self.draft.message.trim().to_owned(),
            community_group_id: group_id.or(self.draft.group_id),
            tags: None,
            private: None,
            instant_delivery: None,
            guests: Vec::new(),
        })
    }

    /// The body that attaches the file to `thread_id`, without `NewFileDataUrl` (the
    /// transport adds that on the JavaScript side so a file's bytes never enter wasm).
    pub fn new_thread_file(&self, thread_id: u64) -> NewThreadFile {
        let description = self.draft.description.trim();
        NewThreadFile {
            community_thread_id: thread_id,
            name: self.draft.name.trim().to_owned(),
            description: (!description.is_empty()).then(|| description.to_owned()),
            new_file_data_url: None,
        }
    }

    /// Applies one action and returns the next state.
    pub fn reduce(&self, action: Action) -> FormState {
        let mut next = self.clone();
        next.recovery.apply(&action);
        match action {
            Action::Edit(field, value) => {
                next.draft.set(field, value);
                next.errors.clear_field(field);
                if field == Field::Attachment {
                    next.attachment = Attachment::Link;
                    next.recovery.uploaded_url = None;
                }
            }
            Action::RestoreDraft(draft, recovery) => {
                if self.draft.is_blank() && self.recovery.is_empty() {
                    next.recovery = recovery;
                    if !draft.link.trim().is_empty() {
                        next.link_mode = true;
                        next.attachment = Attachment::Link;
                    }
                    next.draft = draft;
                }
            }
            Action::ChooseFile(meta) => {
                if next.draft.name.trim().is_empty() || self.name_came_from_file() {
                    next.draft.name = display_name(&meta.name);
                    next.errors.clear_field(Field::Name);
                }
                next.attachment = Attachment::File(meta);
                next.link_mode = false;
                next.recovery.uploaded_url = None;
                next.errors.clear_field(Field::Attachment);
            }
            Action::RefuseFile(message) => {
                // Shown on the field and in the summary; focus stays with the member.
                next.errors.clear_field(Field::Attachment);
                next.errors.push_field(Field::Attachment, message);
            }
            Action::RemoveFile => {
                if self.name_came_from_file() {
                    next.draft.name.clear();
                }
                next.attachment = Attachment::None;
                next.recovery.uploaded_url = None;
                next.errors.clear_field(Field::Attachment);
            }
            Action::ToggleLinkMode => {
                next.link_mode = !self.link_mode;
                next.errors.clear_field(Field::Attachment);
                next.attachment = if next.link_mode {
                    Attachment::Link
                } else {
                    Attachment::None
                };
                next.recovery.uploaded_url = None;
            }
            Action::Invalid(report) => {
                next.errors = report;
                next.problem = None;
                next.failures += 1;
            }
            Action::Submit {
                upload_first,
                attach_only,
            } => {
                if self.can_submit() {
                    next.problem = None;
                    next.errors = ErrorReport::default();
                    next.phase = if upload_first {
                        Phase::Uploading { percent: None }
                    } else if attach_only || self.recovery.posted.is_some() {
                        Phase::Attaching
                    } else {
                        Phase::Posting
                    };
                }
            }
            Action::Progress { loaded, total } => {
                if let Phase::Uploading { .. } = self.phase {
                    let percent = (total > 0.0)
                        .then(|| ((loaded / total).clamp(0.0, 1.0) * 100.0).floor() as u8);
                    next.phase = Phase::Uploading { percent };
                }
            }
            // The facts are taken in by `Recovery::apply` above.
            Action::Uploaded(_) | Action::MayExist(..) | Action::Absent(_) => {}
            Action::StartPosting => {
                if self.phase.is_busy() {
                    next.phase = Phase::Posting;
                }
            }
            Action::StartAttaching => {
                if self.phase.is_busy() {
                    next.phase = Phase::Attaching;
                }
            }
            Action::ThreadCreated(_) => {
                if self.phase.is_busy() {
                    next.phase = Phase::Attaching;
                }
            }
            Action::UploadFailed(reason) => {
                if self.phase.is_busy() {
                    next.phase = Phase::Editing;
                    next.problem = Some(Problem::Upload(reason));
                    next.failures += 1;
                }
            }
            Action::StepFailed(_, result) => {
                if !self.phase.is_busy() {
                    return next;
                }
                next.phase = Phase::Editing;
                next.failures += 1;
                next.problem = Problem::from_result(&result);
                if let Ok(Outcome::Invalid(report)) = result {
                    next.errors = report;
                }
            }
            Action::Finished { thread_id, file_id } => {
                if self.phase.is_busy() {
                    next = FormState {
                        phase: Phase::Done { thread_id, file_id },
                        failures: self.failures,
                        ..FormState::default()
                    };
                }
            }
            Action::KeepWithoutAttachment => {
                if let (Some(thread_id), Phase::Editing) = (self.recovery.posted, &self.phase) {
                    next = FormState {
                        phase: Phase::Done {
                            thread_id,
                            file_id: None,
                        },
                        failures: self.failures,
                        ..FormState::default()
                    };
                }
            }
            Action::RemoveStarted => {
                if self.recovery.posted.is_some() && self.can_submit() {
                    next.phase = Phase::Removing;
                    next.problem = None;
                }
            }
            Action::Removed => {
                if self.phase == Phase::Removing {
                    next.phase = Phase::Editing;
                    next.recovery = Recovery::default();
                    next.errors = ErrorReport::default();
                    next.problem = Some(Problem::ConversationRemoved);
                }
            }
            Action::DraftUnsaved => next.draft_unsaved = true,
            Action::StartAnother => {
                if matches!(self.phase, Phase::Done { .. }) {
                    next = FormState {
                        failures: self.failures,
                        ..FormState::default()
                    };
                }
            }
        }
        next
    }

    /// Whether the display name is still the one taken from the chosen file.
    fn name_came_from_file(&self) -> bool {
        match &self.attachment {
            Attachment::File(meta) => self.draft.name == display_name(&meta.name),
            _ => false,
        }
    }
}

/// The most characters a subject may have: the limit of the board's own form in the
/// Members Portal (the API documents none, and a longer one may be cut or refused).
pub const MAX_SUBJECT_CHARS: usize = 254;

/// A text's length as the server counts it (UTF-16 code units, like .NET strings and
/// the browser's `maxlength`), after trimming, as it is sent.
pub fn text_length(text: &str) -> usize {
    text.trim().encode_utf16().count()
}

/// The client-side message for a refused file.
pub fn refusal_message(refusal: FileRefusal, limits: &Limits, strings: &Strings) -> String {
    match refusal {
        FileRefusal::Empty => strings.get(Msg::FileEmpty).to_owned(),
        FileRefusal::TooLarge => {
            strings.fill(Msg::FileTooLarge, &[("max", &human_size(limits.max_bytes))])
        }
        FileRefusal::WrongType => {
            strings.fill(Msg::FileWrongType, &[("types", &limits.accept.join(", "))])
        }
    }
}

/// A display name from a file name: without its extension, unless that leaves nothing.
pub fn display_name(file_name: &str) -> String {
    let name = file_name.trim();
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem.trim().to_owned(),
        _ => name.to_owned(),
    }
}

/// A name for a pasted image: `image-YYYYMMDD-HHMMSS.ext`, from a UTC time in ms.
pub fn pasted_image_name(unix_ms: f64, mime: &str) -> String {
    let secs = (unix_ms / 1000.0).max(0.0) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let extension = match mime {
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        _ => "png",
    };
    format!(
        "image-{year:04}{month:02}{day:02}-{:02}{:02}{:02}.{extension}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The civil date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `text` shows nothing: only white space and invisible characters (zero-width
/// spaces and joiners, direction marks and embeddings, soft hyphens, variation
/// selectors), so a subject of them would post an invisible conversation.
pub fn is_blank_text(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || matches!(c,
                '\u{ad}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}')
    })
}

/// Whether a link is an absolute `http:` or `https:` URL.
pub fn is_http_url(link: &str) -> bool {
    let link = link.trim();
    let lower = link.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    matches!(rest, Some(host) if !host.is_empty() && !host.starts_with('/') && !link.contains(char::is_whitespace))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::FormMessage;

    const START: Mode = Mode::Start {
        business_id: 1,
        user_id: 10,
        group_id: None,
    };
    const ATTACH: Mode = Mode::Attach { thread_id: 1001 };

    fn file(key: u32, name: &str) -> FileMeta {
        FileMeta {
            key,
            name: name.into(),
            mime: "image/png".into(),
            size: 10,
        }
    }

    fn typed() -> FormState {
        FormState::default()
            .reduce(Action::Edit(Field::Subject, " Lunch ".into()))
            .reduce(Action::Edit(Field::Message, "Who is in?".into()))
            .reduce(Action::ChooseFile(file(1, "menu.png")))
    }

    fn invalid(field: Field, text: &str) -> Outcome {
        let mut report = ErrorReport::default();
        report.push_field(field, text);
        Outcome::Invalid(report)
    }

    #[test]
    fn choosing_a_file_prefills_the_name_until_the_member_edits_it() {
        let state = typed();
        assert_eq!(state.draft.name, "menu");
        let replaced = state.reduce(Action::ChooseFile(file(2, "photo.jpeg")));
        assert_eq!(replaced.draft.name, "photo");
        let edited = replaced
            .reduce(Action::Edit(Field::Name, "Our menu".into()))
            .reduce(Action::ChooseFile(file(3, "other.png")));
        assert_eq!(edited.draft.name, "Our menu");
        assert_eq!(typed().reduce(Action::RemoveFile).draft.name, "");
    }

    #[test]
    fn client_checks_name_every_missing_field() {
        let strings = Strings::default();
        let report = FormState::default().validate(START, &strings);
        let fields: Vec<_> = report.fields.iter().map(|m| m.field).collect();
        assert_eq!(fields, [Field::Subject, Field::Message]);
        let attach = FormState::default().validate(ATTACH, &strings);
        assert_eq!(attach.fields[0].field, Field::Attachment);
        let no_name = typed()
            .reduce(Action::Edit(Field::Name, " ".into()))
            .validate(START, &strings);
        assert_eq!(no_name.fields[0].field, Field::Name);
        assert!(typed().validate(START, &strings).is_empty());
    }

    #[test]
    fn text_of_only_invisible_characters_counts_as_empty() {
        let strings = Strings::default();
        let state = typed()
            .reduce(Action::Edit(
                Field::Subject,
                "\u{200b}\u{200d} \u{feff}".into(),
            ))
            .reduce(Action::Edit(Field::Message, "\u{2060}\u{ad}\n".into()));
        let fields: Vec<_> = state
            .validate(START, &strings)
            .fields
            .iter()
            .map(|m| m.field)
            .collect();
        assert_eq!(fields, [Field::Subject, Field::Message]);
        assert!(!is_blank_text("a\u{200b}"));
    }

    #[test]
    fn a_subject_over_the_portal_limit_is_caught_before_any_request() {
        let strings = Strings::default();
        let with_subject = |subject: String| {
            typed()
                .reduce(Action::Edit(Field::Subject, subject))
                .validate(START, &strings)
        };
        assert!(with_subject(format!("  {}  ", "a".repeat(254))).is_empty());
        let long = with_subject("a".repeat(255));
        assert_eq!(long.fields[0].field, Field::Subject);
        assert_eq!(
            long.fields[0].text,
            "Subject must be 254 characters or fewer"
        );
        // Counted as the server counts: an emoji is two UTF-16 units.
        assert_eq!(text_length("😀"), 2);
        assert!(!with_subject("😀".repeat(128)).is_empty());
        assert!(with_subject("é".repeat(254)).is_empty());
    }

    #[test]
    fn a_link_typed_without_the_switch_is_checked_too() {
        // A page that offers no way to upload shows the link field alone.
        let state = FormState::default().reduce(Action::Edit(Field::Attachment, "ftp://x".into()));
        let report = state.validate(ATTACH, &Strings::default());
        assert_eq!(report.fields[0].field, Field::Attachment);
        assert_eq!(
            report.fields[0].text,
            "Enter a link that starts with https://"
        );
    }

    #[test]
    fn a_bad_link_is_caught_before_any_request() {
        let state = FormState::default()
            .reduce(Action::ToggleLinkMode)
            .reduce(Action::Edit(Field::Attachment, "ftp://x".into()));
        let report = state.validate(ATTACH, &Strings::default());
        assert_eq!(report.fields[0].field, Field::Attachment);
        assert!(is_http_url("https://example.com/a.png"));
        assert!(!is_http_url("https:///a"));
        assert!(!is_http_url("javascript:alert(1)"));
    }

    #[test]
    fn the_two_steps_then_success_clears_everything() {
        let state = typed()
            .reduce(Action::Submit {
                upload_first: true,
                attach_only: false,
            })
            .reduce(Action::Progress {
                loaded: 50.0,
                total: 200.0,
            });
        assert_eq!(state.phase, Phase::Uploading { percent: Some(25) });
        let state = state
            .reduce(Action::Uploaded("https://s/u/1".into()))
            .reduce(Action::StartPosting);
        assert_eq!(state.phase, Phase::Posting);
        let state = state.reduce(Action::ThreadCreated(5001));
        assert_eq!(state.phase, Phase::Attaching);
        let done = state.reduce(Action::Finished {
            thread_id: 5001,
            file_id: Some(9),
        });
        assert_eq!(
            done.phase,
            Phase::Done {
                thread_id: 5001,
                file_id: Some(9)
            }
        );
        assert_eq!(done.draft, Draft::default());
        assert_eq!(done.attachment, Attachment::None);
    }

    #[test]
    fn a_failed_attach_keeps_the_conversation_so_a_retry_attaches_only() {
        let failed = typed()
            .reduce(Action::Submit {
                upload_first: false,
                attach_only: false,
            })
            .reduce(Action::ThreadCreated(5001))
            .reduce(Action::StepFailed(
                Step::Attach,
                Ok(invalid(Field::Name, "is too long")),
            ));
        assert_eq!(failed.phase, Phase::Editing);
        assert_eq!(failed.recovery.posted, Some(5001));
        assert_eq!(failed.draft.subject, " Lunch ");
        assert_eq!(failed.errors.for_field(Field::Name).count(), 1);
        // The retry goes straight to attaching.
        let retry = failed.reduce(Action::Submit {
            upload_first: false,
            attach_only: false,
        });
        assert_eq!(retry.phase, Phase::Attaching);
        // Or the member keeps the conversation without the file.
        let kept = failed.reduce(Action::KeepWithoutAttachment);
        assert_eq!(
            kept.phase,
            Phase::Done {
                thread_id: 5001,
                file_id: None
            }
        );
        // Or removes it, keeping every word.
        let removed = failed.reduce(Action::RemoveStarted).reduce(Action::Removed);
        assert_eq!(removed.recovery.posted, None);
        assert_eq!(removed.draft, failed.draft);
        assert_eq!(removed.problem, Some(Problem::ConversationRemoved));
    }

    #[test]
    fn a_sent_create_is_remembered_until_settled_even_when_cancelled() {
        let sent = typed()
            .reduce(Action::Submit {
                upload_first: false,
                attach_only: false,
            })
            .reduce(Action::MayExist(Step::Create, 0));
        let lost = sent.reduce(Action::StepFailed(
            Step::Create,
            Err(TransportError::Network),
        ));
        assert!(lost.recovery.thread_may_exist);
        assert_eq!(
            lost.problem,
            Some(Problem::Transport(TransportError::Network))
        );
        let created = lost
            .reduce(Action::Submit {
                upload_first: false,
                attach_only: false,
            })
            .reduce(Action::ThreadCreated(5002));
        assert!(!created.recovery.thread_may_exist);
        // Cancelled after sending: the server may have acted (issue 15, defect 1).
        let cancelled = sent.reduce(Action::StepFailed(
            Step::Create,
            Err(TransportError::Cancelled),
        ));
        assert!(cancelled.recovery.thread_may_exist);
    }

    #[test]
    fn a_server_error_or_an_unreadable_success_on_the_create_is_looked_up_before_creating() {
        let failed_with = |outcome: Outcome| {
            typed()
                .reduce(Action::Submit {
                    upload_first: false,
                    attach_only: false,
                })
                .reduce(Action::MayExist(Step::Create, 0))
                .reduce(Action::StepFailed(Step::Create, Ok(outcome)))
                .recovery
                .thread_may_exist
        };
        let generic_500 = Outcome::ServerError {
            message: Some("Ooops! There was a problem while running this action.".into()),
        };
        assert!(failed_with(generic_500));
        let unreadable_200 = Outcome::Unexpected {
            status: 200,
            excerpt: String::new(),
        };
        assert!(failed_with(unreadable_200));
        let gateway_502 = Outcome::Unexpected {
            status: 502,
            excerpt: "Bad Gateway".into(),
        };
        assert!(failed_with(gateway_502));
        // Refusals that cannot have created anything do not ask for a look-up.
        assert!(!failed_with(Outcome::Unauthorized));
        assert!(!failed_with(Outcome::Invalid(ErrorReport::default())));
        assert!(!failed_with(Outcome::Throttled {
            retry_after: std::time::Duration::from_secs(1)
        }));
    }

    #[test]
    fn editing_a_field_clears_only_its_own_errors() {
        let mut report = ErrorReport::default();
        report.push_field(Field::Subject, "a");
        report.push_field(Field::Message, "b");
        report.form.push(FormMessage::NoDetail);
        let state = typed()
            .reduce(Action::Invalid(report))
            .reduce(Action::Edit(Field::Subject, "New".into()));
        assert_eq!(state.errors.for_field(Field::Subject).count(), 0);
        assert_eq!(state.errors.for_field(Field::Message).count(), 1);
        assert_eq!(state.errors.form.len(), 1);
    }

    #[test]
    fn no_double_submit_and_late_answers_are_ignored() {
        let sending = typed().reduce(Action::Submit {
            upload_first: false,
            attach_only: false,
        });
        assert!(!sending.can_submit());
        assert_eq!(
            sending.reduce(Action::Submit {
                upload_first: false,
                attach_only: false,
            }),
            sending
        );
        let idle = typed();
        assert_eq!(
            idle.reduce(Action::StepFailed(
                Step::Create,
                Err(TransportError::Timeout)
            )),
            idle
        );
    }

    #[test]
    fn a_saved_draft_reads_back() {
        let draft = Draft {
            subject: "S".into(),
            message: "M".into(),
            group_id: Some(2),
            name: "N".into(),
            description: String::new(),
            link: "https://x.test/a".into(),
        };
        let saved = serde_json::to_value(&draft).unwrap();
        assert_eq!(Draft::read(&saved), draft);
        assert_eq!(
            Draft::read(&serde_json::json!({"subject": 5})),
            Draft::default()
        );
    }

    #[test]
    fn a_draft_is_restored_only_into_a_blank_form() {
        let saved = Draft {
            subject: "Saved".into(),
            ..Draft::default()
        };
        assert_eq!(
            FormState::default()
                .reduce(Action::RestoreDraft(saved.clone(), Recovery::default()))
                .draft,
            saved
        );
        assert_eq!(
            typed()
                .reduce(Action::RestoreDraft(saved, Recovery::default()))
                .draft
                .subject,
            " Lunch "
        );
    }

    #[test]
    fn bodies_are_trimmed_and_use_the_fixed_or_chosen_board() {
        let state = typed().reduce(Action::Edit(Field::CommunityGroupId, "2".into()));
        let body = state.new_thread(START).unwrap();
        assert_eq!(body.subject, "Lunch");
        assert_eq!(body.community_group_id, Some(2));
        let fixed = Mode::Start {
            business_id: 1,
            user_id: 10,
            group_id: Some(7),
        };
        assert_eq!(state.new_thread(fixed).unwrap().community_group_id, Some(7));
        assert_eq!(state.new_thread(ATTACH), None);
        let file = state.new_thread_file(5001);
        assert_eq!(file.name, "menu");
        assert_eq!(file.description, None);
    }

    #[test]
    fn pasted_images_get_a_dated_name() {
        // 2026-11-27T06:30:05Z
        assert_eq!(
            pasted_image_name(1_795_761_005_000.0, "image/png"),
            "image-20261127-063005.png"
        );
        assert_eq!(display_name("report.final.pdf"), "report.final");
        assert_eq!(display_name(".env"), ".env");
    }

    #[test]
    fn refusals_read_well() {
        let limits = Limits {
            max_bytes: 1024 * 1024,
            accept: vec!["image/*".into(), ".pdf".into()],
        };
        let strings = Strings::default();
        assert_eq!(
            refusal_message(FileRefusal::TooLarge, &limits, &strings),
            "The file must be smaller than 1 MB"
        );
        assert_eq!(
            refusal_message(FileRefusal::WrongType, &limits, &strings),
            "The file must be one of: image/*, .pdf"
        );
    }
}
