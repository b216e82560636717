//! Everything that can happen to the panel: the member's edits ([`Edit`]), what the
//! running submission reports ([`Report`]), and the few events that are neither.

use super::{Draft, FileMeta, Recovery, Step};
use crate::api::{ErrorReport, Field, Reply};
use crate::upload::UploadError;

/// Everything that can happen to the panel.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The member edited the form (taken at any time: inputs stay editable while a
    /// submission runs).
    Edit(Edit),
    /// The running submission reports a step (ignored unless one is in flight, so a
    /// late report changes nothing).
    Report(Report),
    /// A saved draft (and the recovery facts saved with it) was found on load.
    RestoreDraft(Draft, Recovery),
    /// The client-side checks failed.
    Invalid(ErrorReport),
    /// A submission started.
    Submit {
        /// Whether the file is uploaded or read first.
        upload_first: bool,
        /// Whether the conversation already exists (attach mode), so only the file is sent.
        attach_only: bool,
    },
    /// After a failed attach: keep the conversation without its attachment.
    KeepWithoutAttachment,
    /// After a failed attach: removing the conversation started.
    RemoveStarted,
    /// After a success: clear everything for another one.
    StartAnother,
    /// The browser would not keep the draft.
    DraftUnsaved,
}

/// An edit by the member.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// The member changed a text field (or the board). Only that field's errors clear.
    Text(Field, String),
    /// The member chose a file that passed the limits.
    ChooseFile(FileMeta),
    /// The member chose a file that the limits refuse; the message says why.
    RefuseFile(String),
    /// The member removed the chosen file.
    RemoveFile,
    /// The member switched between choosing a file and giving a link.
    ToggleLinkMode,
    /// The tag input's text changed (`commit: false`), or Enter was pressed in it
    /// (`commit: true`): see [`FormState::edit_tags`](super::FormState).
    Tags {
        /// The input's whole text.
        text: String,
        /// Whether the text after the last comma is added too.
        commit: bool,
        /// The message shown when a tag would take the tags past their limit.
        too_long: String,
    },
    /// The member removed the tag at this index.
    RemoveTag(usize),
    /// The member ticked or cleared "make this conversation private".
    SetPrivate(bool),
}

/// A step of the running submission, as its runner (`submit.rs`) reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
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
    UploadFailed(UploadError),
    /// A step ended with an answer that is not a success, or with none.
    StepFailed(Step, Reply),
    /// Everything was created.
    Finished {
        /// The conversation's Id.
        thread_id: u64,
        /// The attachment's Id.
        file_id: Option<u64>,
    },
    /// The conversation was removed.
    Removed,
}
