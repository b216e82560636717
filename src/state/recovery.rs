//! The recovery facts of one member intent, and the one rule every write follows: once a
//! request may have reached the server (sent, then cancelled, timed out, dropped, answered
//! 5xx or unreadably, or torn down by `destroy()`), the next attempt first looks whether it
//! happened (the conversation by the subject look-up, an attachment by listing the
//! conversation's files) and only then writes.
//!
//! A write is marked "may exist" *before* it is sent ([`crate::state::Report::ThreadMayExist`],
//! [`crate::state::Report::FileMayExist`]), and the mark goes only on an answer that settles
//! it: the new record's Id, a refusal that cannot have acted, or a look-up. The marks are
//! saved with the draft, so a new mount after `destroy()` or a reload looks before writing
//! too. [`Recovery::next_request`] is the DOM-free decision the runner in `submit.rs` and
//! the model-based property test share.
//!
//! Idempotency keys (the host's `idempotencyKeys`): each write gets a key before its first
//! send ([`Report::KeyMade`]), kept here per write ([`WriteKey`]) and saved with the
//! draft, so every retry, reload and remount sends the same key; a backend that honours
//! it answers a repeat with the first answer and never acts twice. A key is retired only
//! when its write is settled: created (or found by a look-up), or refused before acting.
//! A write that has a key is sent again with it rather than looked up
//! ([`Recovery::next_request`]): the backend sees what a look-up cannot (a write it is
//! still forwarding). Keys are held only while the host's `idempotencyKeys` is on; the
//! runner drops them otherwise, and the look-ups guard every repeat as before.
//!
//! Several attachments: each has facts of its own, keyed by the `Name` it is sent with
//! (what the look-up matches on; the panel keeps the names of one submission distinct,
//! see [`crate::state::FormState::duplicate_names`]). An attachment that was added is
//! never sent again; one whose attach may have acted is looked up first.

use super::{FormState, Mode, Report, Step};
use crate::api::json::JsonView;
use crate::api::{Outcome, Reply};

/// What the server may hold of one attachment of this intent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileFacts {
    /// The `Name` it is sent with.
    pub name: String,
    /// The conversation it was sent to.
    pub thread_id: u64,
    /// Its Id once added; until then an attach was sent and never settled, so the
    /// conversation's files are listed before attaching it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<u64>,
}

/// What the server may already hold from this intent. Serialized (camelCase, unset facts
/// left out) as the part of the saved draft a new mount needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recovery {
    /// The conversation this intent created whose attachments are not all added yet:
    /// retries attach to it and never create a second one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posted: Option<u64>,
    /// A create was sent and never settled: look for the conversation before creating.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub thread_may_exist: bool,
    /// The attachments that may exist or were added, by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileFacts>,
    /// The display names of the attachments of `posted` that the last run did not add,
    /// so the panel names them after a new mount too (its files are gone then).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// The idempotency key of each write not yet settled.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<WriteKey>,
    /// Where each chosen file (by its key) was uploaded, reused by retries (not saved: a
    /// new mount has no file for it).
    #[serde(skip)]
    pub uploaded: Vec<(u32, String)>,
}

/// The idempotency key one write is sent with, every time it is sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WriteKey {
    /// Which write: [`WriteKey::THREAD`] or [`WriteKey::file`].
    pub write: String,
    /// The key, a UUID v4 from the browser's `crypto.randomUUID()`.
    pub key: String,
    /// Sent again under this key: an earlier send may have acted, so a refusal of a
    /// later one settles nothing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub resent: bool,
}

impl WriteKey {
    /// The write that creates the conversation.
    pub const THREAD: &'static str = "thread";

    /// The write that attaches the attachment sent as `name` to `thread_id`.
    pub fn file(thread_id: u64, name: &str) -> String {
        format!("file:{thread_id}:{name}")
    }

    /// Whether `write` attaches the attachment sent as `name` (to any conversation).
    fn is_file(write: &str, name: &str) -> bool {
        write
            .strip_prefix("file:")
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(_, sent_as)| sent_as == name)
    }
}

/// The next request of a submission, from the recovery facts alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Look for the conversation a create that never settled may have made.
    FindThread,
    /// Create the conversation.
    CreateThread,
    /// List this conversation's files for the attachment (at this place in the list of
    /// names to send) an attach that never settled may have made.
    FindFile(u64, usize),
    /// Attach the attachment at this place to this conversation.
    AttachFile(u64, usize),
    /// Nothing more to write: done, with this conversation.
    Done(u64),
}

impl Recovery {
    /// Whether no fact needs keeping.
    pub fn is_empty(&self) -> bool {
        self.posted.is_none()
            && !self.thread_may_exist
            && self.files.is_empty()
            && self.keys.is_empty()
    }

    /// The facts of the attachment sent as `name`.
    pub fn file(&self, name: &str) -> Option<&FileFacts> {
        self.files.iter().find(|facts| facts.name == name)
    }

    /// The Id of the attachment sent as `name` to `thread_id`, once added.
    pub fn added(&self, name: &str, thread_id: u64) -> Option<u64> {
        self.file(name)
            .filter(|facts| facts.thread_id == thread_id)
            .and_then(|facts| facts.added)
    }

    /// The idempotency key of `write`, if one was made and not retired.
    pub fn key(&self, write: &str) -> Option<&str> {
        self.keys
            .iter()
            .find(|made| made.write == write)
            .map(|made| made.key.as_str())
    }

    /// Retires the key of `write`: the write is settled.
    fn retire_key(&mut self, write: &str) {
        self.keys.retain(|made| made.write != write);
    }

    /// Where the file chosen under `key` was uploaded, if it was.
    pub fn uploaded_url(&self, key: u32) -> Option<&str> {
        self.uploaded
            .iter()
            .find(|(at, _)| *at == key)
            .map(|(_, url)| url.as_str())
    }

    /// Forgets where the file under `key` was uploaded (it was replaced or removed).
    pub fn forget_upload(&mut self, key: u32) {
        self.uploaded.retain(|(at, _)| *at != key);
    }

    /// Reads the facts saved with a draft; anything odd reads as "nothing known", except
    /// a may-exist mark, which is kept unless it is plainly absent.
    pub fn read<J: JsonView>(json: &J) -> Recovery {
        fn id<J: JsonView>(json: &J, key: &str) -> Option<u64> {
            json.field(key)
                .and_then(|v| v.read_u64())
                .filter(|&id| id > 0)
        }
        let files = json
            .field("files")
            .and_then(|files| files.elements())
            .unwrap_or_default()
            .iter()
            .filter_map(|facts| {
                Some(FileFacts {
                    name: facts.field("name")?.as_text()?,
                    thread_id: id(facts, "threadId")?,
                    added: id(facts, "added"),
                })
            })
            .collect();
        Recovery {
            posted: id(json, "posted"),
            thread_may_exist: json
                .field("threadMayExist")
                .and_then(|v| v.read_flag())
                .unwrap_or(false),
            files,
            keys: json
                .field("keys")
                .and_then(|keys| keys.elements())
                .unwrap_or_default()
                .iter()
                .filter_map(|made| {
                    Some(WriteKey {
                        write: made.field("write")?.as_text()?,
                        key: made
                            .field("key")?
                            .as_text()
                            .filter(|key| sendable_key(key))?,
                        // Kept unless plainly absent, as a may-exist mark is.
                        resent: made
                            .field("resent")
                            .and_then(|v| v.read_flag())
                            .unwrap_or(false),
                    })
                })
                .collect(),
            missing: json
                .field("missing")
                .and_then(|names| names.elements())
                .unwrap_or_default()
                .iter()
                .filter_map(|name| name.as_text())
                .collect(),
            uploaded: Vec::new(),
        }
    }
}

impl Recovery {
    /// Takes in what `report` says about the server: the runner applies it to its own
    /// copy, and the reducer to the panel's, so both decide alike.
    pub fn apply(&mut self, report: &Report) {
        match report {
            Report::Uploaded(key, url) => {
                self.forget_upload(*key);
                self.uploaded.push((*key, url.clone()));
            }
            Report::KeyMade(write, key) => {
                self.retire_key(write);
                self.keys.push(WriteKey {
                    write: write.clone(),
                    key: key.clone(),
                    resent: false,
                });
            }
            Report::ThreadCreated(id) => {
                self.posted = Some(*id);
                self.thread_may_exist = false;
                self.retire_key(WriteKey::THREAD);
            }
            Report::ThreadMayExist => {
                if self.thread_may_exist {
                    self.mark_resent(WriteKey::THREAD);
                }
                self.thread_may_exist = true;
            }
            Report::ThreadAbsent => self.thread_may_exist = false,
            Report::FileMayExist(thread_id, name) => {
                let marked = self.file(name);
                if marked.is_some_and(|f| f.thread_id == *thread_id && f.added.is_none()) {
                    self.mark_resent(&WriteKey::file(*thread_id, name));
                }
                self.set_file(name, *thread_id, None)
            }
            Report::FileAdded(thread_id, name, id) => {
                self.missing.retain(|missing| missing != name);
                self.retire_key(&WriteKey::file(*thread_id, name));
                self.set_file(name, *thread_id, Some(*id))
            }
            Report::FileAbsent(name) => self.forget_file(name),
            // The mark set before sending stays unless the answer settles it: a refusal
            // that cannot have acted. A lost, cancelled, 5xx or unreadable answer may
            // hide a record, so the next attempt looks first. A refusal of a keyed
            // write's repeat that came before the backend read the key (a 401, a
            // throttle, or a 409 still in flight after the longest wait) says nothing
            // of the earlier send: its mark and key stay.
            Report::StepFailed(Step::Create, reply)
                if self.settles(reply, |write| write == WriteKey::THREAD) =>
            {
                self.thread_may_exist = false;
                self.retire_key(WriteKey::THREAD);
            }
            // The key was used for other details: the mark stays (the first attempt may
            // have acted), and the next attempt, looked up first, gets a new key.
            Report::StepFailed(Step::Create, Ok(Outcome::KeyReused)) => {
                self.retire_key(WriteKey::THREAD)
            }
            Report::FileFailed(name, reply) => {
                if !self.missing.contains(name) {
                    self.missing.push(name.clone());
                }
                let settles = self.settles(reply, |write| WriteKey::is_file(write, name));
                if settles || matches!(reply, Ok(Outcome::KeyReused)) {
                    self.keys
                        .retain(|made| !WriteKey::is_file(&made.write, name));
                }
                if settles {
                    self.forget_file(name);
                }
            }
            _ => {}
        }
    }

    /// Notes that `write` is sent again under its key: an earlier send may have acted.
    fn mark_resent(&mut self, write: &str) {
        for made in self.keys.iter_mut().filter(|made| made.write == write) {
            made.resent = true;
        }
    }

    /// Whether `reply` settles the write matching `write` as not done: a refusal that
    /// cannot have acted, unless it is a repeat's refusal from before the backend read
    /// its key (then an earlier send may still have acted).
    fn settles(&self, reply: &Reply, write: impl Fn(&str) -> bool) -> bool {
        let resent = self
            .keys
            .iter()
            .any(|made| made.resent && write(&made.write));
        let before_the_key = matches!(reply, Ok(Outcome::Unauthorized | Outcome::Throttled { .. }));
        refused(reply) && !(resent && before_the_key)
    }

    fn set_file(&mut self, name: &str, thread_id: u64, added: Option<u64>) {
        self.forget_file(name);
        self.files.push(FileFacts {
            name: name.to_owned(),
            thread_id,
            added,
        });
    }

    /// Drops the may-exist mark of `name` (an added attachment stays added).
    fn forget_file(&mut self, name: &str) {
        self.files
            .retain(|facts| facts.name != name || facts.added.is_some());
    }

    /// The next request of the submission running in `mode` that still has the
    /// attachments named `pending` to send (in order): the decision the runner
    /// (`submit.rs`) makes after every answer. Added attachments are passed over.
    pub fn next_request(&self, mode: Mode, pending: &[String]) -> Next {
        let facts = self;
        let thread_id = match (mode, facts.posted) {
            (Mode::Attach { thread_id }, _) | (Mode::Start { .. }, Some(thread_id)) => thread_id,
            // A write with a key is sent again with it: a backend that honours keys
            // answers with the first answer, or 409 while it still acts, which a look-up
            // could not see. Without a key the look-up is the guard.
            (Mode::Start { .. }, None)
                if facts.thread_may_exist && facts.key(WriteKey::THREAD).is_none() =>
            {
                return Next::FindThread
            }
            (Mode::Start { .. }, None) => return Next::CreateThread,
        };
        for (at, name) in pending.iter().enumerate() {
            match facts.file(name) {
                Some(file) if file.thread_id != thread_id => {}
                Some(file) if file.added.is_some() => continue,
                Some(_) if facts.key(&WriteKey::file(thread_id, name)).is_none() => {
                    return Next::FindFile(thread_id, at)
                }
                Some(_) => {}
                None => {}
            }
            return Next::AttachFile(thread_id, at);
        }
        Next::Done(thread_id)
    }
}

impl FormState {
    /// [`Recovery::next_request`] for this state, with every attachment to send.
    pub fn next_request(&self, mode: Mode) -> Next {
        let names: Vec<String> = self.outgoing().into_iter().map(|file| file.name).collect();
        self.recovery.next_request(mode, &names)
    }
}

/// Whether a saved key can go in a header as it is: what `crypto.randomUUID()` makes
/// (36 characters of hex digits and dashes). Anything else in storage is not sent.
pub fn sendable_key(key: &str) -> bool {
    key.len() == 36 && key.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
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
    use crate::state::{Action, Edit, FileMeta, Report, Step};

    const START: Mode = Mode::Start {
        business_id: 1,
        user_id: 10,
        group_id: None,
    };
    const SUBMIT: Action = Action::Submit {
        upload_first: false,
        attach_only: false,
    };

    fn report(state: FormState, report: Report) -> FormState {
        state.reduce(Action::Report(report))
    }

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
        let cancelled = report(
            report(state, Report::ThreadMayExist),
            Report::StepFailed(Step::Create, Err(TransportError::Cancelled)),
        );
        assert_eq!(cancelled.next_request(START), Next::FindThread);
        // The look-up settles it either way.
        let absent = report(cancelled.clone(), Report::ThreadAbsent);
        assert_eq!(absent.next_request(START), Next::CreateThread);
        let found = report(cancelled.reduce(SUBMIT), Report::ThreadCreated(5));
        assert_eq!(found.next_request(START), Next::AttachFile(5, 0));
        // A lost attach lists the files before posting again (defect 2).
        for result in [
            Err(TransportError::Timeout),
            Err(TransportError::Network),
            Ok(Outcome::ServerError { message: None }),
            Ok(Outcome::Succeeded),
        ] {
            let lost = report(
                report(found.clone(), Report::FileMayExist(5, "a".into())),
                Report::FileFailed("a".into(), result),
            );
            assert_eq!(lost.next_request(START), Next::FindFile(5, 0));
            let retry = lost.reduce(SUBMIT);
            assert_eq!(retry.next_request(START), Next::FindFile(5, 0));
            assert_eq!(
                report(retry, Report::FileAbsent("a".into())).next_request(START),
                Next::AttachFile(5, 0)
            );
        }
        // A refusal that cannot have acted settles the mark.
        let refused = report(
            report(found.clone(), Report::FileMayExist(5, "a".into())),
            Report::FileFailed("a".into(), Ok(Outcome::Unauthorized)),
        );
        assert_eq!(refused.next_request(START), Next::AttachFile(5, 0));
        // A failed look-up settles nothing.
        let unsure = report(
            cancelled,
            Report::StepFailed(Step::LookUp, Ok(Outcome::NotFound)),
        );
        assert_eq!(unsure.next_request(START), Next::FindThread);
    }

    #[test]
    fn a_key_lives_until_its_write_is_settled_and_no_longer() {
        const K: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let made = |state, write: &str| report(state, Report::KeyMade(write.into(), K.into()));
        let state = made(report(typed(), Report::ThreadMayExist), WriteKey::THREAD);
        // A lost answer and a look-up that finds nothing keep the key: the server may
        // still be acting, and the same key makes a repeat harmless.
        let lost = report(
            state.clone(),
            Report::StepFailed(Step::Create, Err(TransportError::Timeout)),
        );
        // Sent again with its key, not looked up: the backend sees what a look-up cannot.
        assert_eq!(lost.next_request(START), Next::CreateThread);
        // A repeat refused before the backend read its key (a 401) settles nothing: the
        // first send may have acted. (The first send's own 401 does settle, below.)
        let resent = report(
            report(lost.clone(), Report::ThreadMayExist),
            Report::StepFailed(Step::Create, Ok(Outcome::Unauthorized)),
        );
        assert_eq!(resent.recovery.key(WriteKey::THREAD), Some(K));
        assert!(resent.recovery.thread_may_exist);
        // A validation refusal passed the key: the key's one write did not act.
        let invalid = report(
            report(lost.clone(), Report::ThreadMayExist),
            Report::StepFailed(Step::Create, Ok(Outcome::Invalid(Default::default()))),
        );
        assert_eq!(invalid.recovery.key(WriteKey::THREAD), None);
        let absent = report(lost, Report::ThreadAbsent);
        assert_eq!(absent.recovery.key(WriteKey::THREAD), Some(K));
        assert!(!absent.recovery.is_empty(), "a live key is saved");
        // Created (or found): retired.
        let created = report(absent.clone(), Report::ThreadCreated(5));
        assert_eq!(created.recovery.key(WriteKey::THREAD), None);
        // Refused before acting: retired (an edited retry is another request).
        let refused = report(
            absent.clone(),
            Report::StepFailed(Step::Create, Ok(Outcome::Unauthorized)),
        );
        assert_eq!(refused.recovery.key(WriteKey::THREAD), None);
        // The key held for other details: retired, but the mark stays, so the next
        // attempt looks first and then goes with a new key.
        let reused = report(
            report(absent, Report::ThreadMayExist),
            Report::StepFailed(Step::Create, Ok(Outcome::KeyReused)),
        );
        assert_eq!(reused.recovery.key(WriteKey::THREAD), None);
        assert_eq!(reused.next_request(START), Next::FindThread);
        // Per write: each attachment's key is its own, and settles alone.
        let a = WriteKey::file(5, "a");
        let b = WriteKey::file(5, "x:a");
        let files = made(made(created, &a), &b);
        let files = report(files, Report::FileAdded(5, "x:a".into(), 9));
        assert_eq!(files.recovery.key(&a), Some(K));
        assert_eq!(files.recovery.key(&b), None);
        let timed_out = report(
            files.clone(),
            Report::FileFailed("a".into(), Err(TransportError::Timeout)),
        );
        assert_eq!(timed_out.recovery.key(&a), Some(K));
        let refused = report(
            files,
            Report::FileFailed("a".into(), Ok(Outcome::Unauthorized)),
        );
        assert_eq!(refused.recovery.key(&a), None);
    }

    #[test]
    fn several_files_skip_the_added_and_look_up_the_unsure() {
        let meta = |key, name: &str| FileMeta {
            key,
            name: name.into(),
            mime: "image/png".into(),
            size: 10,
            photo: None,
            refusal: None,
        };
        let state = FormState::default()
            .reduce(Action::Edit(Edit::AddFile(meta(1, "a.png"))))
            .reduce(Action::Edit(Edit::AddFile(meta(2, "a.png"))))
            .reduce(Action::Edit(Edit::AddFile(meta(3, "c.png"))));
        let names: Vec<String> = state.outgoing().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["a", "a (2)", "c"]);
        let state = report(state.reduce(SUBMIT), Report::ThreadCreated(5));
        let state = report(state, Report::FileAdded(5, "a".into(), 70));
        let state = report(state, Report::FileMayExist(5, "a (2)".into()));
        let state = report(
            state,
            Report::FileFailed("a (2)".into(), Ok(Outcome::ServerError { message: None })),
        );
        let state = report(state, Report::FileAdded(5, "c".into(), 72));
        // The retry sends only the second, after looking for it.
        assert_eq!(
            state.recovery.next_request(START, &names),
            Next::FindFile(5, 1)
        );
        assert_eq!(
            state.recovery.next_request(START, &names[2..]),
            Next::Done(5)
        );
        let absent = report(state, Report::FileAbsent("a (2)".into()));
        assert_eq!(
            absent.recovery.next_request(START, &names),
            Next::AttachFile(5, 1)
        );
        assert_eq!(absent.recovery.added("c", 5), Some(72));
        assert_eq!(absent.recovery.added("c", 6), None);
    }

    #[test]
    fn the_facts_survive_a_save_and_a_new_mount() {
        let facts = Recovery {
            posted: Some(5),
            thread_may_exist: true,
            files: vec![
                FileFacts {
                    name: "a".into(),
                    thread_id: 5,
                    added: None,
                },
                FileFacts {
                    name: "b".into(),
                    thread_id: 5,
                    added: Some(9),
                },
            ],
            missing: vec!["c".into()],
            keys: vec![WriteKey {
                write: WriteKey::file(5, "a"),
                key: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
                resent: true,
            }],
            uploaded: vec![(1, "https://s/u".into())],
        };
        let json = serde_json::to_value(&facts).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"posted": 5, "threadMayExist": true, "files": [
                {"name": "a", "threadId": 5},
                {"name": "b", "threadId": 5, "added": 9},
            ], "missing": ["c"], "keys": [
                {"write": "file:5:a", "key": "0f8fad5b-d9cb-469f-a165-70867728950e", "resent": true},
            ]})
        );
        let read = Recovery::read(&json);
        assert_eq!(read.posted, Some(5));
        assert!(read.thread_may_exist);
        assert_eq!(read.files, facts.files);
        assert_eq!(read.missing, ["c"]);
        assert_eq!(read.keys, facts.keys);
        // A saved key that is no UUID (edited storage) is never put in a header.
        let odd = serde_json::json!({"keys": [{"write": "thread", "key": "a\r\nX-Evil: 1"}]});
        assert!(Recovery::read(&odd).keys.is_empty());
        assert!(read.uploaded.is_empty());
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
