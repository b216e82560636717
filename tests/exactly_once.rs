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
//! With idempotency keys (the host's `idempotencyKeys`) the same runner goes through a
//! model of the host backend ([`Backend`]): every write carries its key, and the backend
//! records each key's answer and replays it, answers 409 while the first send is still in
//! flight, and 422 to other details. That run adds the slow-server fault the look-ups alone
//! cannot survive and the keyless run leaves out: the write is still in flight when the
//! panel gives up (a timeout) and acts only after the panel's next request.
//!
//! Invariants, after every attempt:
//! - at most one conversation, and at most one copy of each attachment, per member intent;
//! - the form is never stuck: every attempt ends editable or done;
//! - "done" means the conversation (and the attachment, when one was given) exists;
//! - once the faults stop, a few more tries reach "done".

#![cfg(not(target_arch = "wasm32"))]

use nexudus_start_conversation::api::{
    ErrorReport, Field, NewThread, NewThreadFile, Outcome, Reply, TransportError,
};
use nexudus_start_conversation::state::{
    Action, Edit, FileMeta, FormState, Mode, Next, Phase, Recovery, Report, Step, ThreadFields,
    WriteKey,
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
    /// The server is slow: the panel times out while the write is still in flight, and the
    /// server acts (or fails) only after the panel's next request. Only with keys: a
    /// look-up cannot see a write the server has not made yet.
    ActsLater { acted: bool },
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

fn fault(keys: bool) -> BoxedStrategy<Fault> {
    let lost = prop_oneof![
        Just(Lost::Network),
        Just(Lost::Timeout),
        Just(Lost::ServerError),
        Just(Lost::UnreadableSuccess),
        Just(Lost::ZeroId),
    ];
    let faults = prop_oneof![
        4 => Just(Fault::None),
        2 => lost.clone().prop_map(Fault::ActsThenFails),
        1 => lost.prop_map(Fault::FailsBeforeActing),
        1 => any::<u8>().prop_map(Fault::Refused),
        1 => any::<bool>().prop_map(|acted| Fault::SlowThenCancel { acted }),
        1 => any::<bool>().prop_map(|acted| Fault::Teardown { acted }),
    ];
    if keys {
        prop_oneof![
            10 => faults,
            3 => any::<bool>().prop_map(|acted| Fault::ActsLater { acted }),
        ]
        .boxed()
    } else {
        faults.boxed()
    }
}

/// One write, as the backend forwards it.
#[derive(Debug, Clone)]
enum Op {
    Thread(NewThread),
    File(NewThreadFile),
}

impl Op {
    fn act(&self, server: &mut Server) -> u64 {
        match self {
            Op::Thread(body) => server.create_thread(body),
            Op::File(body) => server.attach(body),
        }
    }

    /// What the backend compares a repeat with (its SHA-256 of method, path and body).
    fn fingerprint(&self) -> String {
        match self {
            Op::Thread(body) => format!("thread {}", serde_json::to_string(body).unwrap()),
            Op::File(body) => format!("file {}", serde_json::to_string(body).unwrap()),
        }
    }
}

/// What the backend holds of one key.
#[derive(Debug)]
enum KeyState {
    /// Forwarded, no answer yet; `acts` says whether the server will act once it does.
    InFlight { op: Op, acts: bool },
    /// The recorded answer, replayed to every repeat.
    Settled(Outcome),
}

/// The model host backend (`nexudus-host-proxy`'s key rule): its key records, and the
/// server behind it.
struct Backend {
    server: Server,
    keys: Vec<(String, String, KeyState)>,
    made: u64,
}

/// One send of a keyed write: the answer, a 409 (the key is in flight), or a teardown.
enum Sent {
    Answer(Reply),
    InFlight,
    TornDown,
}

impl Backend {
    fn new() -> Backend {
        Backend {
            server: Server::new(),
            keys: Vec::new(),
            made: 0,
        }
    }

    /// A new key, shaped as `crypto.randomUUID()` makes them.
    fn new_key(&mut self) -> String {
        self.made += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.made)
    }

    /// Time passes: every write in flight ends, acting or not (one that did not act frees
    /// its key, as the backend's look-up that finds nothing does).
    fn tick(&mut self) {
        let mut at = 0;
        while at < self.keys.len() {
            if let KeyState::InFlight { op, acts } = &self.keys[at].2 {
                if *acts {
                    let id = op.clone().act(&mut self.server);
                    self.keys[at].2 = KeyState::Settled(Outcome::Created { id });
                } else {
                    self.keys.remove(at);
                    continue;
                }
            }
            at += 1;
        }
    }

    fn record(&mut self, key: &str, op: &Op, state: KeyState) {
        self.keys.push((key.to_owned(), op.fingerprint(), state));
    }

    /// One send of a keyed write under `fault` (on its way to the backend, or its answer
    /// on the way back).
    fn send(&mut self, fault: Fault, key: &str, op: &Op) -> Sent {
        if let Some((_, sent, state)) = self.keys.iter().find(|(k, _, _)| k == key) {
            if *sent != op.fingerprint() {
                return Sent::Answer(Ok(Outcome::KeyReused));
            }
            let KeyState::Settled(answer) = state else {
                return Sent::InFlight;
            };
            // The replay (the server is not called), whose answer a fault may lose.
            let answer = answer.clone();
            return Sent::Answer(match fault {
                Fault::None => Ok(answer),
                Fault::ActsThenFails(lost) | Fault::FailsBeforeActing(lost) => lost.result(),
                // The key is read right after the session: a refusal of a repeat is one
                // from before it (a 401, a throttle), never a validation refusal.
                Fault::Refused(kind) => Ok(match kind % 2 {
                    0 => Outcome::Unauthorized,
                    _ => Outcome::Throttled {
                        retry_after: std::time::Duration::from_secs(1),
                    },
                }),
                Fault::SlowThenCancel { .. } => Err(TransportError::Cancelled),
                Fault::ActsLater { .. } => Err(TransportError::Timeout),
                Fault::Teardown { .. } => return Sent::TornDown,
            });
        }
        let acts = |backend: &mut Backend| {
            let id = op.act(&mut backend.server);
            backend.record(key, op, KeyState::Settled(Outcome::Created { id }));
            id
        };
        Sent::Answer(match fault {
            Fault::None => Ok(Outcome::Created { id: acts(self) }),
            // The backend has the server's answer (or settles a lost one by its look-up);
            // the panel's is lost.
            Fault::ActsThenFails(lost) => {
                acts(self);
                lost.result()
            }
            // Nothing happened: the key stays free.
            Fault::FailsBeforeActing(lost) => lost.result(),
            Fault::Refused(kind) => {
                let refused = refusal(kind);
                // A 401 or a throttle frees the key; a validation refusal is recorded.
                if matches!(refused, Outcome::Invalid(_)) {
                    self.record(key, op, KeyState::Settled(refused.clone()));
                }
                Ok(refused)
            }
            Fault::SlowThenCancel { acted } => {
                if acted {
                    acts(self);
                }
                Err(TransportError::Cancelled)
            }
            Fault::Teardown { acted } => {
                if acted {
                    acts(self);
                }
                return Sent::TornDown;
            }
            Fault::ActsLater { acted } => {
                let state = KeyState::InFlight {
                    op: op.clone(),
                    acts: acted,
                };
                self.record(key, op, state);
                Err(TransportError::Timeout)
            }
        })
    }
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
/// order (a request past the end of the script is answered normally). With `keys`, every
/// write gets its key before its first send and goes through the backend's key rule.
fn attempt(
    state: &mut FormState,
    mode: Mode,
    backend: &mut Backend,
    faults: &mut impl Iterator<Item = Fault>,
    keys: bool,
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
                        backend.server.find_thread(thread_body.as_ref().unwrap())
                    }
                    Next::FindFile(thread_id, at) => {
                        emit(state, Report::StartAttaching);
                        backend
                            .server
                            .find_file(&outgoing[pending[at]].body(thread_id))
                    }
                    _ => unreachable!(),
                };
                // A look-up only reads: any fault is a failed look-up, or a teardown.
                let failure = match fault {
                    Fault::None => None,
                    Fault::Teardown { .. } => return End::TornDown,
                    Fault::SlowThenCancel { .. } => Some(Err(TransportError::Cancelled)),
                    Fault::ActsLater { .. } => Some(Err(TransportError::Timeout)),
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
                let key = key_for(state, backend, keys, WriteKey::THREAD);
                emit(state, Report::ThreadMayExist);
                let op = Op::Thread(thread_body.unwrap());
                let result = match send(state, backend, fault, key.as_deref(), &op) {
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
                let key = key_for(state, backend, keys, &WriteKey::file(thread_id, &file.name));
                emit(state, Report::FileMayExist(thread_id, file.name.clone()));
                let op = Op::File(file.body(thread_id));
                let result = match send(state, backend, fault, key.as_deref(), &op) {
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

/// The key `write` goes with (as `Submission::key_for`): the one made before its first
/// send, or a new one, reported before it is sent.
fn key_for(
    state: &mut FormState,
    backend: &mut Backend,
    keys: bool,
    write: &str,
) -> Option<String> {
    if !keys {
        return None;
    }
    if let Some(key) = state.recovery.key(write) {
        return Some(key.to_owned());
    }
    let key = backend.new_key();
    *state = state.reduce(Action::Report(Report::KeyMade(
        write.to_owned(),
        key.clone(),
    )));
    Some(key)
}

/// One write under `fault`, keyed or not: its answer, or `None` when the page was torn
/// down. A 409 to its key waits (time passes: the write in flight ends) and sends the
/// same key again, as the client's policy does.
fn send(
    state: &mut FormState,
    backend: &mut Backend,
    fault: Fault,
    key: Option<&str>,
    op: &Op,
) -> Option<Reply> {
    let Some(key) = key else {
        return write(fault, &mut backend.server, |server| op.act(server));
    };
    // MAX_KEY_WAIT (60 s) of 1 s waits.
    for _ in 0..60 {
        match backend.send(fault, key, op) {
            Sent::Answer(reply) => return Some(reply),
            Sent::TornDown => return None,
            Sent::InFlight => {
                *state = state.reduce(Action::Report(Report::KeyInFlight));
                backend.tick();
            }
        }
    }
    Some(Ok(Outcome::Throttled {
        retry_after: std::time::Duration::from_secs(1),
    }))
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
        Fault::ActsLater { .. } => unreachable!("a slow server is scripted only with keys"),
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

/// One member intent under a fault script, tried until done: at most once after every
/// attempt, never stuck, and done in the end.
fn run_case(
    attach_mode: bool,
    files: usize,
    faults: Vec<Fault>,
    keys: bool,
) -> Result<(), TestCaseError> {
    let files = if attach_mode { files.max(1) } else { files };
    let (mode, mut state, cards) = intent(attach_mode, files);
    let mut backend = Backend::new();
    let mut script = faults.into_iter();
    let mut done = None;
    // Faults first, then clean answers: a few clean tries must reach "done".
    for tries in 0..60 {
        match attempt(&mut state, mode, &mut backend, &mut script, keys) {
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
        check(&backend.server, mode, files)?;
    }
    prop_assert!(done.is_some(), "never done: {:?}", state);
    // Whatever was still in flight ends too: it must not make a copy either.
    backend.tick();
    let server = &backend.server;
    check(server, mode, files)?;
    let Phase::Done { thread_id, file_id } = state.phase else {
        return Err(TestCaseError::fail(format!("not done: {state:?}")));
    };
    // Done means it exists: the conversation, and every attachment once.
    match mode {
        Mode::Start { .. } => prop_assert_eq!(server.threads.first().map(|t| t.0), Some(thread_id)),
        Mode::Attach { thread_id: id } => prop_assert_eq!(thread_id, id),
    }
    prop_assert_eq!(server.files.len(), files);
    prop_assert!(server
        .files
        .iter()
        .all(|(_, f)| f.community_thread_id == thread_id));
    if files > 0 {
        let first = server
            .files
            .iter()
            .find(|(_, f)| f.name == "menu")
            .map(|f| f.0);
        prop_assert_eq!(file_id, first);
    } else {
        prop_assert_eq!(file_id, None);
    }
    if keys {
        // Every key was retired with its write.
        prop_assert!(
            state.recovery.keys.is_empty(),
            "keys left: {:?}",
            state.recovery.keys
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn at_most_once_and_never_stuck(
        attach_mode in any::<bool>(),
        files in 0usize..=3,
        faults in prop::collection::vec(fault(false), 0..24),
    ) {
        run_case(attach_mode, files, faults, false)?;
    }

    /// Through a backend that honours keys, also when the server is still acting as the
    /// panel gives up: zero duplicates.
    #[test]
    fn with_keys_through_the_backend_zero_duplicates_also_when_the_server_is_slow(
        attach_mode in any::<bool>(),
        files in 0usize..=3,
        faults in prop::collection::vec(fault(true), 0..24),
    ) {
        run_case(attach_mode, files, faults, true)?;
    }
}
