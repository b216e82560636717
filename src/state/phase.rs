//! Where a submission stands, and which of its steps an answer belongs to.

/// Where the submission stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The member is editing (and may submit).
    Editing,
    /// The member submitted while a photo was being cleaned: the submission starts once
    /// every photo is ready (the form stays editable meanwhile).
    WaitingForPhotos,
    /// The file is being read or uploaded; `percent` when the uploader reports it.
    Uploading {
        /// 0–100, when known.
        percent: Option<u8>,
    },
    /// The conversation is being created.
    Posting,
    /// The file is being attached.
    Attaching,
    /// The backend is still finishing an earlier send of the same write (its idempotency
    /// key is in flight): the panel waits, then sends the same key again.
    WaitingForServer,
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
            Phase::Uploading { .. }
                | Phase::Posting
                | Phase::Attaching
                | Phase::WaitingForServer
                | Phase::Removing
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
