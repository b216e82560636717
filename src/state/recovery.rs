//! The recovery facts of one member intent, and the one rule every write follows: once a
//! request may have reached the server (sent, then cancelled, timed out, dropped, answered
//! 5xx or unreadably, or torn down by `destroy()`), the next attempt first looks whether it
//! happened (the conversation by the subject look-up, the attachment by listing the
//! conversation's files) and only then writes.
//!
//! A write is marked "may exist" *before* it is sent ([`crate::state::Report::MayExist`]),
//! and the mark goes only on an answer that settles it: the new record's Id, a refusal that
//! cannot have acted, or a look-up. The marks are saved with the draft, so a new mount after
//! `destroy()` or a reload looks before writing too. [`FormState::next_request`] is the
//! DOM-free decision the runner in `submit.rs` and the model-based property test share.

use super::{FormState, Mode, Report, Step};
use crate::api::json::JsonView;
use crate::api::Reply;

/// What the server may already hold from this intent. Serialized (camelCase, unset facts
/// left out) as the part of the saved draft a new mount needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recovery {
    /// The conversation this intent created whose attachment is not yet added: retries
    /// attach to it and never create a second one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posted: Option<u64>,
    /// A create was sent and never settled: look for the conversation before creating.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub thread_may_exist: bool,
    /// An attach to this conversation was sent and never settled: list its files before
    /// attaching again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_may_exist: Option<u64>,
    /// Where the current file was uploaded, reused by retries (not saved: a new mount has
    /// no file for it).
    #[serde(skip)]
    pub uploaded_url: Option<String>,
}

/// The next request of a submission, from the recovery facts alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Look for the conversation a create that never settled may have made.
    FindThread,
    /// Create the conversation.
    CreateThread,
    /// List this conversation's files for the attachment an attach that never settled
    /// may have made.
    FindFile(u64),
    /// Attach the file to this conversation.
    AttachFile(u64),
    /// Nothing more to write: done, with this conversation and no new attachment.
    Done(u64),
}

impl Recovery {
    /// Whether no fact needs keeping.
    pub fn is_empty(&self) -> bool {
        self.posted.is_none() && !self.thread_may_exist && self.file_may_exist.is_none()
    }

    /// Reads the facts saved with a draft; anything odd reads as "nothing known", except
    /// a may-exist mark, which is kept unless it is plainly absent.
    pub fn read(json: &impl JsonView) -> Recovery {
        let id = |key: &str| {
            json.field(key)
                .and_then(|v| v.read_u64())
                .filter(|&id| id > 0)
        };
        Recovery {
            posted: id("posted"),
            thread_may_exist: json
                .field("threadMayExist")
                .and_then(|v| v.read_flag())
                .unwrap_or(false),
            file_may_exist: id("fileMayExist"),
            uploaded_url: None,
        }
    }
}

impl Recovery {
    /// Takes in what `report` says about the server: the runner applies it to its own
    /// copy, and the reducer to the panel's, so both decide alike.
    pub fn apply(&mut self, report: &Report) {
        match report {
            Report::Uploaded(url) => self.uploaded_url = Some(url.clone()),
            Report::ThreadCreated(id) => {
                self.posted = Some(*id);
                self.thread_may_exist = false;
            }
            Report::MayExist(Step::Create, _) => self.thread_may_exist = true,
            Report::MayExist(Step::Attach, thread_id) => self.file_may_exist = Some(*thread_id),
            Report::Absent(Step::Create) => self.thread_may_exist = false,
            Report::Absent(Step::Attach) => self.file_may_exist = None,
            // The mark set before sending stays unless the answer settles it: a refusal
            // that cannot have acted. A lost, cancelled, 5xx or unreadable answer may
            // hide a record, so the next attempt looks first.
            Report::StepFailed(step, reply) if refused(reply) => self.apply(&Report::Absent(*step)),
            _ => {}
        }
    }

    /// The next request of the submission running in `mode`, with or without an
    /// attachment: the decision the runner (`submit.rs`) makes after every answer.
    pub fn next_request(&self, mode: Mode, has_attachment: bool) -> Next {
        let facts = self;
        let thread_id = match (mode, facts.posted) {
            (Mode::Attach { thread_id }, _) | (Mode::Start { .. }, Some(thread_id)) => thread_id,
            (Mode::Start { .. }, None) if facts.thread_may_exist => return Next::FindThread,
            (Mode::Start { .. }, None) => return Next::CreateThread,
        };
        if !has_attachment {
            Next::Done(thread_id)
        } else if facts.file_may_exist == Some(thread_id) {
            Next::FindFile(thread_id)
        } else {
            Next::AttachFile(thread_id)
        }
    }
}

impl FormState {
    /// [`Recovery::next_request`] for this state.
    pub fn next_request(&self, mode: Mode) -> Next {
        self.recovery.next_request(mode, self.has_attachment())
    }
}

/// Whether a write answered this way is settled as "not done": a refusal that cannot
/// have acted. Anything else (no answer, cancelled after sending, 5xx, an unreadable
/// success) leaves the "may exist" mark in place.
pub fn refused(reply: &Reply) -> bool {
    matches!(reply, Ok(outcome) if !outcome.may_have_acted())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::{Field, Outcome, TransportError};
    use crate::state::{Action, Edit, Report, Step};

    const START: Mode = Mode::Start {
        business_id: 1,
        user_id: 10,
        group_id: None,
    };
    const SUBMIT: Action = Action::Submit {
        upload_first: false,
        attach_only: false,
    };

    fn typed() -> FormState {
        FormState::default()
            .reduce(Action::Edit(Edit::Text(Field::Subject, "Lunch".into())))
            .reduce(Action::Edit(Edit::Text(Field::Message, "Who?".into())))
            .reduce(Action::Edit(Edit::Text(
                Field::Attachment,
                "https://x.test/a.png".into(),
            )))
            .reduce(Action::Edit(Edit::Text(Field::Name, "a".into())))
            .reduce(SUBMIT)
    }

    #[test]
    fn every_write_is_marked_before_it_is_sent_and_looked_up_after() {
        let state = typed();
        assert_eq!(state.next_request(START), Next::CreateThread);
        // Cancelled after the create was sent: the next attempt looks first (defect 1).
        let cancelled = state
            .reduce(Action::Report(Report::MayExist(Step::Create, 0)))
            .reduce(Action::Report(Report::StepFailed(
                Step::Create,
                Err(TransportError::Cancelled),
            )));
        assert_eq!(cancelled.next_request(START), Next::FindThread);
        // The look-up settles it either way.
        let absent = cancelled.reduce(Action::Report(Report::Absent(Step::Create)));
        assert_eq!(absent.next_request(START), Next::CreateThread);
        let found = cancelled
            .reduce(SUBMIT)
            .reduce(Action::Report(Report::ThreadCreated(5)));
        assert_eq!(found.next_request(START), Next::AttachFile(5));
        // A lost attach lists the files before posting again (defect 2).
        for result in [
            Err(TransportError::Timeout),
            Err(TransportError::Network),
            Ok(Outcome::ServerError { message: None }),
            Ok(Outcome::Succeeded),
        ] {
            let lost = found
                .reduce(Action::Report(Report::MayExist(Step::Attach, 5)))
                .reduce(Action::Report(Report::StepFailed(Step::Attach, result)));
            assert_eq!(lost.next_request(START), Next::FindFile(5));
            let retry = lost.reduce(SUBMIT);
            assert_eq!(retry.next_request(START), Next::FindFile(5));
            assert_eq!(
                retry
                    .reduce(Action::Report(Report::Absent(Step::Attach)))
                    .next_request(START),
                Next::AttachFile(5)
            );
        }
        // A refusal that cannot have acted settles the mark.
        let refused = found
            .reduce(Action::Report(Report::MayExist(Step::Attach, 5)))
            .reduce(Action::Report(Report::StepFailed(
                Step::Attach,
                Ok(Outcome::Unauthorized),
            )));
        assert_eq!(refused.next_request(START), Next::AttachFile(5));
        // A failed look-up settles nothing.
        let unsure = cancelled.reduce(Action::Report(Report::StepFailed(
            Step::LookUp,
            Ok(Outcome::NotFound),
        )));
        assert_eq!(unsure.next_request(START), Next::FindThread);
    }

    #[test]
    fn the_facts_survive_a_save_and_a_new_mount() {
        let facts = Recovery {
            posted: Some(5),
            thread_may_exist: true,
            file_may_exist: Some(5),
            uploaded_url: Some("https://s/u".into()),
        };
        let json = serde_json::to_value(&facts).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"posted": 5, "threadMayExist": true, "fileMayExist": 5})
        );
        let read = Recovery::read(&json);
        assert_eq!(read.posted, Some(5));
        assert!(read.thread_may_exist);
        assert_eq!(read.file_may_exist, Some(5));
        assert_eq!(read.uploaded_url, None);
        assert!(Recovery::read(&serde_json::json!({"posted": 0})).is_empty());
        let restored = FormState::default().reduce(Action::RestoreDraft(
            crate::state::Draft {
                subject: "S".into(),
                ..Default::default()
            },
            read,
        ));
        assert_eq!(restored.next_request(START), Next::Done(5));
    }
}
