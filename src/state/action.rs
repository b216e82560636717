//! Everything that can happen to the panel: the member's edits ([`Edit`]), what the
//! running submission reports ([`Report`]), and the few events that are neither.

use super::{Draft, FileMeta, Recovery, Step};
use crate::api::{ErrorReport, Field, Reply};
use crate::photo::CleanReport;
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
    /// The client-side checks of these cards (by key) failed.
    InvalidCards(Vec<(u32, ErrorReport)>),
    /// A submission started.
    Submit {
        /// Whether the file is uploaded or read first.
        upload_first: bool,
        /// Whether the conversation already exists (attach mode), so only the file is sent.
        attach_only: bool,
    },
    /// The submit waits for the photos being cleaned (the form was checked).
    WaitForPhotos,
    /// The photo chosen under this key is cleaned (or kept, or not vouched for): the
    /// cleaner's report, and why it cannot be sent, if so (over the limits once cleaned,
    /// a refused format).
    PhotoReady(u32, CleanReport, Option<String>),
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
    /// The member chose to send the photo under this key, which nothing could check, as
    /// it is.
    SendAsIs(u32),
    /// The member removed the chosen file.
    RemoveFile,
    /// The member chose one more file (several attachments): it fills the attachment
    /// if none is chosen, else gets a card of its own.
    AddFile(FileMeta),
    /// The member replaced the file of the card with this key.
    ReplaceCard(u32, FileMeta),
    /// The member removed the card with this key.
    RemoveCard(u32),
    /// The member edited the display name or description of the card with this key.
    CardText(u32, Field, String),
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
    /// The file chosen under this key is stored at this URL.
    Uploaded(u32, String),
    /// The file was read or uploaded; the conversation is being created next.
    StartPosting,
    /// The file is being attached next (attach mode, or the conversation exists).
    StartAttaching,
    /// The write named so ([`crate::state::WriteKey`]) is sent with this idempotency key,
    /// made before its first send and kept until it is settled.
    KeyMade(String, String),
    /// The backend is still working on an earlier send of this write's key (409): the
    /// runner waits as it asks and sends the same key again.
    KeyInFlight,
    /// The conversation exists (created now, or found after a lost answer).
    ThreadCreated(u64),
    /// A create is about to be sent: until settled, the conversation may exist.
    ThreadMayExist,
    /// The look-up found no conversation from an earlier create: it did not happen.
    ThreadAbsent,
    /// The attachment of this name is about to be attached to this conversation: until
    /// settled, it may exist.
    FileMayExist(u64, String),
    /// The look-up found no attachment of this name: its attach did not happen.
    FileAbsent(String),
    /// The attachment of this name was added to this conversation (now, or found by the
    /// look-up), with this Id.
    FileAdded(u64, String, u64),
    /// The attach of the attachment of this name failed with this answer (or none); the
    /// submission goes on with the others.
    FileFailed(String, Reply),
    /// The submission ended with the conversation but not every attachment.
    Incomplete,
    /// The upload (or reading the file) failed.
    UploadFailed(UploadError),
    /// A step ended with an answer that is not a success, or with none.
    StepFailed(Step, Reply),
    /// Everything was created.
    Finished {
        /// The conversation's Id.
        thread_id: u64,
        /// The first attachment's Id.
        file_id: Option<u64>,
    },
    /// The conversation was removed.
    Removed,
}
