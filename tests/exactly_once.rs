//! Model-based property test of "exactly once, never stuck" (issue 15): the submission's
//! DOM-free decisions ([`FormState::next_request`] and the reducer) driven against a model
//! server with a random fault at every request: the server acts then the answer is lost
//! or fails (network, timeout, 5xx, an unreadable success), fails before acting, refuses,
//! answers slowly while the member cancels, or the page is torn down (`destroy()`, a
//! reload) and a new mount restores the saved draft. The member keeps trying.
//!
//! The runner here mirrors `Submission::run` in `src/submit.rs` step for step: it emits
//! the same actions, in the same order, around the same requests.
//!
//! The intent has up to three attachments (a link, then files on cards of their own); the
//! runner goes on past a failed attach and ends "incomplete", and the retry sends only the
//! attachments not yet added, looking up those whose attach may have acted.
//!
//! Invariants, after every attempt:
//! - at most one conversation, and at most one copy of each attachment, per member intent;
//! - the form is never stuck: every attempt ends editable or done;
//! - "done" means the conversation (and the attachment, when one was given) exists;
//! - once the faults stop, a few more tries reach "done".

#![cfg(not(target_arch = "wasm32"))]

use nexudus_start_conversation::api::{
    ErrorReport, Field, NewThread, NewThreadFile, Outcome, TransportError,
};
use nexudus_start_conversation::state::{
    Action, Edit, FileMeta, FormState, Mode, Next, Phase, Recovery, Report, Step, ThreadFields,
};
use proptest::prelude::*;

/// How many random fault scripts the test runs (`cargo xtask test` runs it as is).
const CASES: u32 = 2048;

/// What happens to one request.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Answered normally.
    None,
    /// The server acts, then the answer is lost / a 5xx / an unreadable success.
    ActsThenFails(Lost),
    /// The server fails before acting (network down, a 5xx).
    FailsBeforeActing(Lost),
    /// A refusal that cannot have acted (400, 401, 409 throttle).
    Refused(u8),
    /// A slow answer: the member cancels; the server may or may not have acted.
    SlowThenCancel { acted: bool },
    /// The page goes (`destroy()` or a reload) while the request is out; the server may
    /// or may not act. A new mount restores the saved draft.
    Teardown { acted: bool },
}

/// How an answer is lost.
#[derive(Debug, Clone, Copy)]
enum Lost {
    Network,
    Timeout,
    ServerError,
    UnreadableSuccess,
    ZeroId,
}

impl Lost {
    fn result(self) -> Result<Outcome, TransportError> {
        match self {
            Lost::Network => Err(TransportError::Network),
            Lost::Timeout => Err(TransportError::Timeout),
            Lost::ServerError => Ok(Outcome::ServerError { message: None }),
            Lost::UnreadableSuccess => Ok(Outcome::Unexpected {
                status: 200,
                excerpt: String::new(),
            }),
            // `{"WasSuccessful":true,"Value":{"Id":0}}` reads as a success without a record.
            Lost::ZeroId => Ok(Outcome::Succeeded),
        }
    }
}

fn refusal(kind: u8) -> Outcome {
    match kind % 3 {
        0 => Outcome::Unauthorized,
        1 => Outcome::Throttled {
            retry_after: std::time::Duration::from_secs(1),
        },
        _ => Outcome::Invalid(ErrorReport::default()),
    }
}

fn fault() -> impl Strategy<Value = Fault> {
    let lost = prop_oneof![
        Just(Lost::Network),
        Just(Lost::Timeout),
        Just(Lost::ServerError),
        Just(Lost::UnreadableSuccess),
        Just(Lost::ZeroId),
    ];
    prop_oneof![
        4 => Just(Fault::None),
        2 => lost.clone().prop_map(Fault::ActsThenFails),
        1 => lost.prop_map(Fault::FailsBeforeActing),
        1 => any::<u8>().prop_map(Fault::Refused),
        1 => any::<bool>().prop_map(|acted| Fault::SlowThenCancel { acted }),
        1 => any::<bool>().prop_map(|acted| Fault::Teardown { acted }),
    ]
}

/// The model server: what exists.
#[derive(Default)]
struct Server {
    threads: Vec<(u64, NewThread)>,
    files: Vec<(u64, NewThreadFile)>,
    next_id: u64,
}

impl Server {
    fn new() -> Server {
        Server {
            // Conversation 1001 exists already (attach mode).
            next_id: 5000,
            ..Server::default()
        }
    }

    fn create_thread(&mut self, body: &NewThread) -> u64 {
        self.next_id += 1;
        self.threads.push((self.next_id, body.clone()));
        self.next_id
    }

    fn attach(&mut self, body: &NewThreadFile) -> u64 {
        self.next_id += 1;
        self.files.push((self.next_id, body.clone()));
        self.next_id
    }

    fn find_thread(&self, body: &NewThread) -> Option<u64> {
        self.threads
            .iter()
            .rev()
            .find(|(_, t)| {
                t.user_id == body.user_id && t.subject == body.subject && t.message == body.message
            })
            .map(|(id, _)| *id)
    }

    fn find_file(&self, body: &NewThreadFile) -> Option<u64> {
        self.files
            .iter()
            .rev()
            .find(|(_, f)| f.community_thread_id == body.community_thread_id && f.name == body.name)
            .map(|(id, _)| *id)
    }
}

/// How one attempt ended.
#[derive(Debug, PartialEq)]
enum End {
    Done,
    Failed,
    TornDown,
}

/// The panel as a new mount after a teardown sees it: the saved draft and facts, and the
/// member choosing the same files again.
fn remount(state: &FormState, cards: &[FileMeta]) -> FormState {
    let saved = Recovery {
        uploaded: Vec::new(),
        ..state.recovery.clone()
    };
    // The link is part of the draft, so the first attachment comes back with it.
    let mut state = FormState::default().reduce(Action::RestoreDraft(state.draft.clone(), saved));
    for meta in cards {
        state = state.reduce(Action::Edit(Edit::AddFile(meta.clone())));
    }
    state
}

/// One attempt, as `Submission::run` makes it, with `faults` applied to its requests in
/// order (a request past the end of the script is answered normally).
fn attempt(
    state: &mut FormState,
    mode: Mode,
    server: &mut Server,
    faults: &mut impl Iterator<Item = Fault>,
) -> End {
    let emit =
        |state: &mut FormState, report: Report| *state = state.reduce(Action::Report(report));
    *state = state.reduce(Action::Submit {
        upload_first: false,
        attach_only: matches!(mode, Mode::Attach { .. }),
    });
    assert!(
        state.phase.is_busy(),
        "a submission that did not start: {state:?}"
    );
    let outgoing = state.outgoing();
    let mut pending: Vec<usize> = (0..outgoing.len()).collect();
    let mut failed = 0;
    loop {
        let names: Vec<String> = pending
            .iter()
            .map(|&at| outgoing[at].name.clone())
            .collect();
        let next = state.recovery.next_request(mode, &names);
        if let Next::Done(thread_id) = next {
            if failed > 0 {
                emit(state, Report::Incomplete);
                return End::Failed;
            }
            let file_id = outgoing
                .iter()
                .find_map(|file| state.recovery.added(&file.name, thread_id));
            emit(state, Report::Finished { thread_id, file_id });
            return End::Done;
        }
        let fault = faults.next().unwrap_or(Fault::None);
        let thread_body = state.new_thread(mode, ThreadFields::default());
        match next {
            Next::FindThread | Next::FindFile(..) => {
                let found = match next {
                    Next::FindThread => {
                        emit(state, Report::StartPosting);
                        server.find_thread(thread_body.as_ref().unwrap())
                    }
                    Next::FindFile(thread_id, at) => {
                        emit(state, Report::StartAttaching);
                        server.find_file(&outgoing[pending[at]].body(thread_id))
                    }
                    _ => unreachable!(),
                };
                // A look-up only reads: any fault is a failed look-up, or a teardown.
                let failure = match fault {
                    Fault::None => None,
                    Fault::Teardown { .. } => return End::TornDown,
                    Fault::SlowThenCancel { .. } => Some(Err(TransportError::Cancelled)),
                    Fault::ActsThenFails(lost) | Fault::FailsBeforeActing(lost) => {
                        Some(lost.result())
                    }
                    Fault::Refused(kind) => Some(Ok(refusal(kind))),
                };
                if let Some(reply) = failure {
                    emit(state, Report::StepFailed(Step::LookUp, reply));
                    return End::Failed;
                }
                match (next, found) {
                    (Next::FindThread, Some(id)) => emit(state, Report::ThreadCreated(id)),
                    (Next::FindThread, None) => emit(state, Report::ThreadAbsent),
                    (Next::FindFile(thread_id, at), Some(id)) => {
                        let name = outgoing[pending[at]].name.clone();
                        emit(state, Report::FileAdded(thread_id, name, id))
                    }
                    (Next::FindFile(_, at), None) => emit(
                        state,
                        Report::FileAbsent(outgoing[pending[at]].name.clone()),
                    ),
                    _ => unreachable!(),
                }
            }
            Next::CreateThread => {
                emit(state, Report::StartPosting);
                emit(state, Report::ThreadMayExist);
                let body = thread_body.unwrap();
                let result = match write(fault, server, |server| server.create_thread(&body)) {
                    Some(result) => result,
                    None => return End::TornDown,
                };
                match result {
                    Ok(Outcome::Created { id }) => emit(state, Report::ThreadCreated(id)),
                    other => {
                        emit(state, Report::StepFailed(Step::Create, other));
                        return End::Failed;
                    }
                }
            }
            Next::AttachFile(thread_id, at) => {
                emit(state, Report::StartAttaching);
                let place = pending.remove(at);
                let file = &outgoing[place];
                emit(state, Report::FileMayExist(thread_id, file.name.clone()));
                let body = file.body(thread_id);
                let result = match write(fault, server, |server| server.attach(&body)) {
                    Some(result) => result,
                    None => return End::TornDown,
                };
                match result {
                    Ok(Outcome::Created { id }) => {
                        emit(state, Report::FileAdded(thread_id, file.name.clone(), id))
                    }
                    other => {
                        emit(state, Report::FileFailed(file.name.clone(), other));
                        failed += 1;
                    }
                }
            }
            Next::Done(_) => unreachable!(),
        }
    }
}

/// One write under `fault`: its answer, or `None` when the page was torn down.
fn write(
    fault: Fault,
    server: &mut Server,
    act: impl FnOnce(&mut Server) -> u64,
) -> Option<Result<Outcome, TransportError>> {
    Some(match fault {
        Fault::None => Ok(Outcome::Created { id: act(server) }),
        Fault::ActsThenFails(lost) => {
            act(server);
            lost.result()
        }
        Fault::FailsBeforeActing(lost) => lost.result(),
        Fault::Refused(kind) => Ok(refusal(kind)),
        Fault::SlowThenCancel { acted } => {
            if acted {
                act(server);
            }
            Err(TransportError::Cancelled)
        }
        Fault::Teardown { acted } => {
            if acted {
                act(server);
            }
            return None;
        }
    })
}

/// The member's intent: a conversation with `files` attachments (start mode), or
/// `files` (at least one) for conversation 1001 (attach mode). The first is a link, the
/// others files on cards (two of the same name, to check the names are kept distinct).
fn intent(attach_mode: bool, files: usize) -> (Mode, FormState, Vec<FileMeta>) {
    let mode = if attach_mode {
        Mode::Attach { thread_id: 1001 }
    } else {
        Mode::Start {
            business_id: 1,
            user_id: 10,
            group_id: None,
        }
    };
    let mut state = FormState::default()
        .reduce(Action::Edit(Edit::Text(Field::Subject, "Lunch".into())))
        .reduce(Action::Edit(Edit::Text(
            Field::Message,
            "Who is in?".into(),
        )));
    if files > 0 {
        state = state
            .reduce(Action::Edit(Edit::Text(
                Field::Attachment,
                "https://files.test/menu.png".into(),
            )))
            .reduce(Action::Edit(Edit::Text(Field::Name, "menu".into())));
    }
    let cards: Vec<FileMeta> = (1..files)
        .map(|key| FileMeta {
            key: key as u32,
            name: "plan.pdf".into(),
            mime: "application/pdf".into(),
            size: 100,
            photo: None,
            refusal: None,
        })
        .collect();
    for meta in &cards {
        state = state.reduce(Action::Edit(Edit::AddFile(meta.clone())));
    }
    (mode, state, cards)
}

fn check(server: &Server, mode: Mode, files: usize) -> Result<(), TestCaseError> {
    if matches!(mode, Mode::Start { .. }) {
        prop_assert!(
            server.threads.len() <= 1,
            "two conversations: {:?}",
            server.threads.len()
        );
    } else {
        prop_assert!(server.threads.is_empty());
    }
    let mut copies: Vec<(u64, &str)> = server
        .files
        .iter()
        .map(|(_, f)| (f.community_thread_id, f.name.as_str()))
        .collect();
    let sent = copies.len();
    copies.sort();
    copies.dedup();
    prop_assert_eq!(sent, copies.len(), "two copies of an attachment");
    prop_assert!(server.files.len() <= files);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn at_most_once_and_never_stuck(
        attach_mode in any::<bool>(),
        files in 0usize..=3,
        faults in prop::collection::vec(fault(), 0..24),
    ) {
        let files = if attach_mode { files.max(1) } else { files };
        let (mode, mut state, cards) = intent(attach_mode, files);
        let mut server = Server::new();
        let mut script = faults.into_iter();
        let mut done = None;
        // Faults first, then clean answers: a few clean tries must reach "done".
        for tries in 0..60 {
            match attempt(&mut state, mode, &mut server, &mut script) {
                End::Done => {
                    done = Some(tries);
                    break;
                }
                End::Failed => {
                    prop_assert_eq!(&state.phase, &Phase::Editing, "stuck after a failure");
                    prop_assert!(state.can_submit());
                }
                End::TornDown => state = remount(&state, &cards),
            }
            check(&server, mode, files)?;
        }
        prop_assert!(done.is_some(), "never done: {:?}", state);
        check(&server, mode, files)?;
        let Phase::Done { thread_id, file_id } = state.phase else {
            return Err(TestCaseError::fail(format!("not done: {state:?}")));
        };
        // Done means it exists: the conversation, and every attachment once.
        match mode {
            Mode::Start { .. } => prop_assert_eq!(server.threads.first().map(|t| t.0), Some(thread_id)),
            Mode::Attach { thread_id: id } => prop_assert_eq!(thread_id, id),
        }
        prop_assert_eq!(server.files.len(), files);
        prop_assert!(server.files.iter().all(|(_, f)| f.community_thread_id == thread_id));
        if files > 0 {
            let first = server.files.iter().find(|(_, f)| f.name == "menu").map(|f| f.0);
            prop_assert_eq!(file_id, first);
        } else {
            prop_assert_eq!(file_id, None);
        }
    }
}
