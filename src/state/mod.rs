//! The panel's state and rules, free of the DOM: a [`Draft`] of what the member typed,
//! the chosen [`Attachment`], the submission [`Phase`], the errors and the [`Problem`] on
//! show, client-side [`FormState::validate`], and a reducer over [`Action`]s.
//!
//! Nothing the member typed or chose is ever dropped by a failure: only a successful
//! submission or an explicit "start another" clears the draft. What the server may
//! already hold is kept in [`Recovery`] (see [`recovery`]): a conversation that was
//! created, so a retry attaches only, and every write that never settled, so the retry
//! looks for it before writing again.
//!
//! One concern a file: [`mode`], [`draft`] (and the request bodies made of it),
//! [`attachment`], [`phase`], [`problem`], [`checks`] (before any request), [`action`],
//! `reducer` (with yew's `Reducible`), [`recovery`], and [`tags`] (the host's optional
//! fields of a conversation, and the tags' rules).

pub mod action;
pub mod attachment;
pub mod checks;
pub mod draft;
pub mod mode;
pub mod phase;
pub mod problem;
pub mod recovery;
mod reducer;
pub mod tags;

pub use action::{Action, Edit, Report};
pub use attachment::{
    display_name, pasted_image_name, refusal_message, Attachment, FileCard, FileMeta, Outgoing,
    PhotoStatus,
};
pub use checks::{is_blank_text, is_http_url, text_length, MAX_SUBJECT_CHARS};
pub use draft::Draft;
pub use mode::{Mode, ATTACH_FIELDS};
pub use phase::{Phase, Step};
pub use problem::Problem;
pub use recovery::{FileFacts, Next, Recovery, WriteKey};
pub use tags::{TagNotice, ThreadFields, MAX_TAGS_CHARS};

use crate::api::ErrorReport;

/// The whole state of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormState {
    /// What the member typed.
    pub draft: Draft,
    /// The chosen attachment (a link when the member gives one rather than a file).
    pub attachment: Attachment,
    /// The files after the first, when the host allows several (`maxFiles`).
    pub more: Vec<FileCard>,
    /// Where the submission stands.
    pub phase: Phase,
    /// Field and form errors on show.
    pub errors: ErrorReport,
    /// A failure not tied to a field, on show until the next submission.
    pub problem: Option<Problem>,
    /// What the server may already hold from this intent.
    pub recovery: Recovery,
    /// Moves focus to the error summary each time it grows by one (every failed
    /// submission): the view passes it as the summary's `focus_key`.
    pub summary_focus: u32,
    /// The browser would not keep the draft: the panel says so, and the text stays here.
    pub draft_unsaved: bool,
    /// What the tag input last announced (a tag added or removed).
    pub tag_notice: Option<TagNotice>,
}

impl Default for FormState {
    fn default() -> Self {
        FormState {
            draft: Draft::default(),
            attachment: Attachment::None,
            more: Vec::new(),
            phase: Phase::Editing,
            errors: ErrorReport::default(),
            problem: None,
            recovery: Recovery::default(),
            summary_focus: 0,
            draft_unsaved: false,
            tag_notice: None,
        }
    }
}

impl FormState {
    /// Whether a new submission may start now.
    pub fn can_submit(&self) -> bool {
        matches!(self.phase, Phase::Editing | Phase::WaitingForPhotos)
    }

    /// Whether an attachment is chosen (a file, or a non-empty link).
    pub fn has_attachment(&self) -> bool {
        match self.attachment {
            Attachment::File(_) => true,
            Attachment::Link => !self.draft.link.trim().is_empty(),
            Attachment::None => false,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod photo_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
