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
//! Invariants, after every attempt:
//! - at most one conversation, and at most one copy of the attachment, per member intent;
//! - the form is never stuck: every attempt ends editable or done;
//! - "done" means the conversation (and the attachment, when one was given) exists;
//! - once the faults stop, a few more tries reach "done".

#![cfg(not(target_arch = "wasm32"))]

use nexudus_start_conversation::api::{
    ErrorReport, Field, NewThread, NewThreadFile, Outcome, TransportError,
};
use nexudus_start_conversation::state::{
    Action, Edit, FormState, Mode, Next, Phase, Recovery, Report, Step, ThreadFields,
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

/// The panel as a new mount after a teardown sees it: the saved draft and facts.
fn remount(state: &FormState) -> FormState {
    let saved = Recovery {
        uploaded_url: None,
        ..state.recovery.clone()
    };
    // The link is part of the draft, so the attachment comes back with it.
    FormState::default().reduce(Action::RestoreDraft(state.draft.clone(), saved))
}

/// One attempt, as `Submission::run` makes it, with `faults` applied to its requests in
/// order (a request past the end of the script is answered normally).
fn attempt(
    state: &mut FormState,
    mode: Mode,
    server: &mut Server,
    faults: &mut impl Iterator<Item = Fault>,
) -> End {
    let emit = |state: &mut FormState, action: Action| *state = state.reduce(action);
    emit(
        state,
        Action::Submit {
            upload_first: false,
            attach_only: matches!(mode, Mode::Attach { .. }),
        },
    );
    assert!(
        state.phase.is_busy(),
        "a submission that did not start: {state:?}"
    );
    loop {
        let next = state.next_request(mode);
        let fault = faults.next().unwrap_or(Fault::None);
        match next {
            Next::FindThread | Next::FindFile(_) => {
                emit(
                    state,
                    if matches!(next, Next::FindThread) {
                        Action::Report(Report::StartPosting)
                    } else {
                        Action::Report(Report::StartAttaching)
                    },
                );
                let found = match next {
                    Next::FindThread => server
                        .find_thread(&state.new_thread(mode, ThreadFields::default()).unwrap()),
                    Next::FindFile(thread_id) => {
                        server.find_file(&state.new_thread_file(thread_id))
                    }
                    _ => unreachable!(),
                };
                // A look-up only reads: any fault is a failed look-up, or a teardown.
                match fault {
                    Fault::None => {}
                    Fault::Teardown { .. } => return End::TornDown,
                    Fault::SlowThenCancel { .. } => {
                        emit(
                            state,
                            Action::Report(Report::StepFailed(
                                Step::LookUp,
                                Err(TransportError::Cancelled),
                            )),
                        );
                        return End::Failed;
                    }
                    Fault::ActsThenFails(lost) | Fault::FailsBeforeActing(lost) => {
                        emit(
                            state,
                            Action::Report(Report::StepFailed(Step::LookUp, lost.result())),
                        );
                        return End::Failed;
                    }
                    Fault::Refused(kind) => {
                        emit(
                            state,
                            Action::Report(Report::StepFailed(Step::LookUp, Ok(refusal(kind)))),
                        );
                        return End::Failed;
                    }
                }
                match (next, found) {
                    (Next::FindThread, Some(id)) => {
                        emit(state, Action::Report(Report::ThreadCreated(id)))
                    }
                    (Next::FindThread, None) => {
                        emit(state, Action::Report(Report::Absent(Step::Create)))
                    }
                    (Next::FindFile(thread_id), Some(id)) => {
                        emit(
                            state,
                            Action::Report(Report::Finished {
                                thread_id,
                                file_id: Some(id),
                            }),
                        );
                        return End::Done;
                    }
                    (_, None) => emit(state, Action::Report(Report::Absent(Step::Attach))),
                    _ => unreachable!(),
                }
            }
            Next::CreateThread | Next::AttachFile(_) => {
                let (step, thread_id) = match next {
                    Next::CreateThread => (Step::Create, 0),
                    Next::AttachFile(id) => (Step::Attach, id),
                    _ => unreachable!(),
                };
                emit(
                    state,
                    if step == Step::Create {
                        Action::Report(Report::StartPosting)
                    } else {
                        Action::Report(Report::StartAttaching)
                    },
                );
                emit(state, Action::Report(Report::MayExist(step, thread_id)));
                let thread_body = state.new_thread(mode, ThreadFields::default());
                let file_body = state.new_thread_file(thread_id);
                let act = |server: &mut Server| match step {
                    Step::Create => server.create_thread(thread_body.as_ref().unwrap()),
                    _ => server.attach(&file_body),
                };
                let result = match fault {
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
                        return End::TornDown;
                    }
                };
                match (step, result) {
                    (Step::Create, Ok(Outcome::Created { id })) => {
                        emit(state, Action::Report(Report::ThreadCreated(id)))
                    }
                    (Step::Attach, Ok(Outcome::Created { id })) => {
                        emit(
                            state,
                            Action::Report(Report::Finished {
                                thread_id,
                                file_id: Some(id),
                            }),
                        );
                        return End::Done;
                    }
                    (step, other) => {
                        emit(state, Action::Report(Report::StepFailed(step, other)));
                        return End::Failed;
                    }
                }
            }
            Next::Done(thread_id) => {
                emit(
                    state,
                    Action::Report(Report::Finished {
                        thread_id,
                        file_id: None,
                    }),
                );
                return End::Done;
            }
        }
    }
}

/// The member's intent: a conversation with a linked file (start mode), or a file for
/// conversation 1001 (attach mode).
fn intent(attach_mode: bool, with_file: bool) -> (Mode, FormState) {
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
    if with_file || attach_mode {
        state = state
            .reduce(Action::Edit(Edit::Text(
                Field::Attachment,
                "https://files.test/menu.png".into(),
            )))
            .reduce(Action::Edit(Edit::Text(Field::Name, "menu".into())));
    }
    (mode, state)
}

fn check(server: &Server, mode: Mode, with_file: bool) -> Result<(), TestCaseError> {
    if matches!(mode, Mode::Start { .. }) {
        prop_assert!(
            server.threads.len() <= 1,
            "two conversations: {:?}",
            server.threads.len()
        );
    } else {
        prop_assert!(server.threads.is_empty());
    }
    let mut threads: Vec<u64> = server
        .files
        .iter()
        .map(|(_, f)| f.community_thread_id)
        .collect();
    let copies = threads.len();
    threads.dedup();
    prop_assert_eq!(copies, threads.len(), "two copies of the attachment");
    if !with_file {
        prop_assert!(server.files.is_empty());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn at_most_once_and_never_stuck(
        attach_mode in any::<bool>(),
        with_file in any::<bool>(),
        faults in prop::collection::vec(fault(), 0..24),
    ) {
        let with_file = with_file || attach_mode;
        let (mode, mut state) = intent(attach_mode, with_file);
        let mut server = Server::new();
        let mut script = faults.into_iter();
        let mut done = None;
        // Faults first, then clean answers: a few clean tries must reach "done".
        for tries in 0..40 {
            match attempt(&mut state, mode, &mut server, &mut script) {
                End::Done => {
                    done = Some(tries);
                    break;
                }
                End::Failed => {
                    prop_assert_eq!(&state.phase, &Phase::Editing, "stuck after a failure");
                    prop_assert!(state.can_submit());
                }
                End::TornDown => state = remount(&state),
            }
            check(&server, mode, with_file)?;
        }
        prop_assert!(done.is_some(), "never done: {:?}", state);
        check(&server, mode, with_file)?;
        let Phase::Done { thread_id, file_id } = state.phase else {
            return Err(TestCaseError::fail(format!("not done: {state:?}")));
        };
        // Done means it exists.
        match mode {
            Mode::Start { .. } => prop_assert_eq!(server.threads.first().map(|t| t.0), Some(thread_id)),
            Mode::Attach { thread_id: id } => prop_assert_eq!(thread_id, id),
        }
        if with_file {
            prop_assert_eq!(server.files.len(), 1);
            prop_assert_eq!(file_id, server.files.first().map(|f| f.0));
        } else {
            prop_assert_eq!(file_id, None);
        }
    }
}
