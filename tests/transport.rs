//! Browser tests of the transport against the sandbox: token refresh on 401, quiet
//! waits on throttling, timeouts, cancellation, and no duplicate after a lost answer.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use std::time::Duration;

use nexudus_start_conversation::api::{Field, NewThread, NewThreadFile, Outcome, TransportError};
use nexudus_start_conversation::transport::{
    ApiClient, Cancellation, TokenFuture, TokenSource, THREADS_PATH, THREAD_FILES_PATH,
};
use nexudus_start_conversation::upload::{read_as_base64, FileSource};
use nexudus_start_conversation::BearerToken;
use support::*;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SHOWN: &[Field] = &[Field::Attachment, Field::Name, Field::Description];

fn file_named(name: &str) -> NewThreadFile {
    NewThreadFile {
        community_thread_id: 1001,
        name: name.into(),
        description: None,
        new_file_data_url: None,
    }
}

/// A file stored where the API can download it (live Nexudus takes only http(s) URLs).
async fn file(name: &str) -> NewThreadFile {
    NewThreadFile {
        community_thread_id: 1001,
        name: name.into(),
        description: None,
        new_file_data_url: Some(stored_file_url("hi").await),
    }
}

fn client(token: &str, timeout: Duration) -> ApiClient {
    ApiClient::new(sandbox_url(), BearerToken::new(token).into(), timeout)
}

async fn reset() {
    sandbox_call("POST", "/_sandbox/reset", None).await;
}

type Answer = Result<Outcome, TransportError>;

/// Where a scenario's token comes from.
#[derive(Clone, Copy)]
enum Tokens {
    /// A token the host gave once.
    Fixed(&'static str),
    /// A `getToken` callback: `first`, then `refreshed` when asked for a fresh one.
    Callback {
        first: &'static str,
        refreshed: &'static str,
    },
    /// A `getToken` whose promise never settles.
    Never,
}

/// The request a scenario sends.
#[derive(Clone, Copy)]
enum Call {
    /// Attach a small stored file to conversation 1001.
    Attach,
    /// `DELETE` this path.
    Delete(&'static str),
}

/// What must come back.
enum Expect {
    Is(Answer),
    Created,
    Throttled,
}

/// One request to the sandbox, after a reset, and what must come of it.
struct Scenario {
    /// What the row checks; every failure names it.
    name: &'static str,
    tokens: Tokens,
    /// A fault armed first on `POST` of the attach endpoint: the fields after method and path.
    fault: Option<&'static str>,
    call: Call,
    timeout: Duration,
    /// Cancel this long after the request starts.
    cancel_after_ms: Option<u32>,
    expect: Expect,
    /// How long the request must take, in ms.
    took_ms: Range<f64>,
    /// What the callback was asked for, in order (`true`: a fresh token).
    asked: &'static [bool],
    /// Faults still armed afterwards.
    faults_left: Option<u32>,
}

/// An attach with a fixed administrator's token and nothing in the way.
const ATTACH: Scenario = Scenario {
    name: "",
    tokens: Tokens::Fixed("sandbox-admin-token"),
    fault: None,
    call: Call::Attach,
    timeout: Duration::from_secs(10),
    cancel_after_ms: None,
    expect: Expect::Created,
    took_ms: 0.0..f64::INFINITY,
    asked: &[],
    faults_left: None,
};

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "a 401 asks the host for a fresh token once, then succeeds",
            tokens: Tokens::Callback {
                first: "sandbox-expired-token",
                refreshed: "sandbox-admin-token",
            },
            asked: &[false, true],
            ..ATTACH
        },
        Scenario {
            name: "a second 401 after the refresh is unauthorized",
            tokens: Tokens::Callback {
                first: "sandbox-expired-token",
                refreshed: "sandbox-expired-token",
            },
            expect: Expect::Is(Ok(Outcome::Unauthorized)),
            asked: &[false, true],
            ..ATTACH
        },
        Scenario {
            name: "a fixed token lacking the role is unauthorized without retry",
            tokens: Tokens::Fixed("sandbox-no-files-token"),
            expect: Expect::Is(Ok(Outcome::Unauthorized)),
            ..ATTACH
        },
        // The documented 409 with `Retry-After`, and the 429 seen in the wild with the wait
        // only in its text (a cross-origin page cannot read `Retry-After` anyway).
        Scenario {
            name: "a 409 with Retry-After is waited out, then the request succeeds",
            fault: Some(r#""count":1,"status":409,"body":"","headers":{"Retry-After":"1"}"#),
            took_ms: 950.0..f64::INFINITY,
            ..ATTACH
        },
        Scenario {
            name: "a 429 with the wait in its text is waited out, then the request succeeds",
            fault: Some(
                r#""count":1,"status":429,"body":"{\"Message\":\"Too many requests. Wait 2 seconds and try again.\"}""#,
            ),
            took_ms: 1950.0..f64::INFINITY,
            ..ATTACH
        },
        Scenario {
            name: "throttling that persists ends after three attempts",
            fault: Some(r#""count":5,"status":429,"body":"","headers":{"Retry-After":"0"}"#),
            expect: Expect::Throttled,
            faults_left: Some(2),
            ..ATTACH
        },
        Scenario {
            name: "a slow answer times out",
            fault: Some(r#""count":1,"delayMs":3000"#),
            timeout: Duration::from_millis(300),
            expect: Expect::Is(Err(TransportError::Timeout)),
            ..ATTACH
        },
        Scenario {
            name: "cancelling aborts the request in flight",
            fault: Some(r#""count":1,"delayMs":3000"#),
            cancel_after_ms: Some(150),
            expect: Expect::Is(Err(TransportError::Cancelled)),
            took_ms: 0.0..2000.0,
            ..ATTACH
        },
        Scenario {
            name: "a dropped connection is a network failure",
            fault: Some(r#""count":1,"drop":true"#),
            expect: Expect::Is(Err(TransportError::Network)),
            ..ATTACH
        },
        Scenario {
            name: "a token callback that never settles ends in a timeout",
            tokens: Tokens::Never,
            call: Call::Delete("/api/community/communitythreads/1"),
            timeout: Duration::from_millis(300),
            expect: Expect::Is(Err(TransportError::Timeout)),
            asked: &[false],
            ..ATTACH
        },
        Scenario {
            name: "a token callback that never settles ends when cancelled",
            tokens: Tokens::Never,
            call: Call::Delete("/api/community/communitythreads/1"),
            timeout: Duration::from_secs(60),
            cancel_after_ms: Some(50),
            expect: Expect::Is(Err(TransportError::Cancelled)),
            asked: &[false],
            ..ATTACH
        },
        Scenario {
            name: "a token with CR LF is no header value: refused, not thrown",
            tokens: Tokens::Fixed("sandbox-admin-token\r\nX-Evil: 1"),
            call: Call::Delete("/api/community/communitythreads/999999"),
            expect: Expect::Is(Ok(Outcome::Unauthorized)),
            ..ATTACH
        },
        Scenario {
            name: "a token beyond ASCII is no header value: refused, not thrown",
            tokens: Tokens::Fixed("tok\u{2603}en"),
            call: Call::Delete("/api/community/communitythreads/999999"),
            expect: Expect::Is(Ok(Outcome::Unauthorized)),
            ..ATTACH
        },
    ]
}

#[wasm_bindgen_test]
async fn one_request_scenarios() {
    for scenario in scenarios() {
        run(scenario).await;
    }
}

/// Runs one scenario; panics naming it when anything differs.
async fn run(scenario: Scenario) {
    let name = scenario.name;
    reset().await;
    if let Some(fault) = scenario.fault {
        arm_fault(&format!(
            r#"{{"method":"POST","path":"{THREAD_FILES_PATH}",{fault}}}"#
        ))
        .await;
    }
    let asked: Rc<RefCell<Vec<bool>>> = Rc::default();
    let api = ApiClient::new(
        sandbox_url(),
        token_source(scenario.tokens, &asked),
        scenario.timeout,
    );
    let (answer, took) = send(&api, scenario.call, scenario.cancel_after_ms).await;
    match scenario.expect {
        Expect::Is(expected) => assert_eq!(answer, expected, "{name}"),
        Expect::Created => assert!(
            matches!(answer, Ok(Outcome::Created { .. })),
            "{name}: {answer:?}"
        ),
        Expect::Throttled => assert!(
            matches!(answer, Ok(Outcome::Throttled { .. })),
            "{name}: {answer:?}"
        ),
    }
    assert!(
        scenario.took_ms.contains(&took),
        "{name}: took {took} ms, not {:?}",
        scenario.took_ms
    );
    assert_eq!(
        *asked.borrow(),
        scenario.asked,
        "{name}: the callback was asked"
    );
    if let Some(left) = scenario.faults_left {
        let pending = sandbox_call("GET", "/_sandbox/faults", None).await;
        assert!(
            pending.contains(&format!("\"remaining\":{left}"))
                || pending.contains(&format!("\"count\":{left}")),
            "{name}: {pending}"
        );
    }
}

/// Sends `call`, cancelled after `cancel_after_ms` when given; returns the answer and how
/// long the request took, in ms.
async fn send(api: &ApiClient, call: Call, cancel_after_ms: Option<u32>) -> (Answer, f64) {
    let cancel = Cancellation::default();
    let cancel_later = || {
        if let Some(ms) = cancel_after_ms {
            let cancel = cancel.clone();
            gloo_timers::callback::Timeout::new(ms, move || cancel.cancel()).forget();
        }
    };
    match call {
        Call::Attach => {
            let body = file("x").await;
            cancel_later();
            timed(api.post_json(THREAD_FILES_PATH, &body, SHOWN, &cancel)).await
        }
        Call::Delete(path) => {
            cancel_later();
            timed(api.delete(path, &cancel)).await
        }
    }
}

/// Awaits `future`; returns its output and how long it took, in ms.
async fn timed<T>(future: impl std::future::Future<Output = T>) -> (T, f64) {
    let started = js_sys::Date::now();
    let output = future.await;
    (output, js_sys::Date::now() - started)
}

/// The token source of `tokens`; a callback records in `asked` what it was asked for.
fn token_source(tokens: Tokens, asked: &Rc<RefCell<Vec<bool>>>) -> TokenSource {
    let asked = Rc::clone(asked);
    match tokens {
        Tokens::Fixed(token) => BearerToken::new(token).into(),
        Tokens::Callback { first, refreshed } => {
            TokenSource::Provider(Rc::new(move |refresh: bool| -> TokenFuture {
                asked.borrow_mut().push(refresh);
                let token = if refresh { refreshed } else { first };
                Box::pin(async move { Ok(BearerToken::new(token)) })
            }))
        }
        Tokens::Never => TokenSource::Provider(Rc::new(move |refresh: bool| -> TokenFuture {
            asked.borrow_mut().push(refresh);
            Box::pin(std::future::pending())
        })),
    }
}

#[wasm_bindgen_test]
async fn after_a_lost_answer_the_existing_conversation_is_reused_not_duplicated() {
    reset().await;
    let body = NewThread {
        business_id: 1,
        user_id: 10,
        subject: "Printer on level 2 & jammed?".into(),
        message: "It is jammed again.".into(),
        community_group_id: Some(1),
        tags: None,
        private: None,
        instant_delivery: None,
        guests: vec![],
    };
    let api = client("sandbox-admin-token", Duration::from_secs(10));
    let shown = &[Field::Subject, Field::Message];
    let cancel = Cancellation::default();
    // The sandbox creates the conversation, then drops the connection: the answer is lost.
    arm_fault(
        r#"{"method":"POST","path":"/api/community/communitythreads","dropAfterHandling":true}"#,
    )
    .await;
    let lost = api.post_json(THREADS_PATH, &body, shown, &cancel).await;
    assert_eq!(lost, Err(TransportError::Network));
    // The retry looks first, finds it, and does not create a second copy.
    let again = api.find_thread(&body, &cancel).await;
    let Ok(Some(first)) = again else {
        panic!("the retry found nothing: {again:?}");
    };
    let created = sandbox_call("GET", "/_sandbox/created", None).await;
    assert_eq!(
        created.matches("Printer on level 2").count(),
        1,
        "{created}"
    );
    assert!(created.contains(&format!("\"Id\":{first}")), "{created}");

    // When the lookup itself fails, nothing is created: a second copy is worse than a retry.
    arm_fault(
        r#"{"method":"GET","path":"/api/community/communitythreads","status":500,"body":""}"#,
    )
    .await;
    let unsure = api.find_thread(&body, &cancel).await;
    assert!(
        matches!(unsure, Err(Ok(Outcome::Unexpected { status: 500, .. }))),
        "{unsure:?}"
    );
    let created = sandbox_call("GET", "/_sandbox/created", None).await;
    assert_eq!(
        created.matches("Printer on level 2").count(),
        1,
        "{created}"
    );

    // With nothing to find, the retry does create.
    let other = NewThread {
        subject: "Another subject".into(),
        ..body
    };
    assert_eq!(api.find_thread(&other, &cancel).await, Ok(None));

    // An attach whose answer is lost is found by listing the conversation's files.
    let file = NewThreadFile {
        community_thread_id: first,
        name: "Jam photo".into(),
        description: None,
        new_file_data_url: None,
    };
    assert_eq!(api.find_file(&file, &cancel).await, Ok(None));
    arm_fault(
        r#"{"method":"POST","path":"/api/community/communitythreadfiles","dropAfterHandling":true}"#,
    )
    .await;
    let lost = api.post_thread_file(&file, None, &[], &cancel).await;
    assert_eq!(lost, Err(TransportError::Network));
    let found = api.find_file(&file, &cancel).await;
    assert!(matches!(found, Ok(Some(id)) if id > 0), "{found:?}");
}

#[wasm_bindgen(inline_js = r#"
export function patterned_file(size) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 31 + (i >> 8)) & 255;
  return new File([bytes], 'pattern.bin', { type: 'application/octet-stream' });
}
export async function same_bytes(url, file) {
  const answer = await fetch(url, { headers: { Authorization: 'Bearer sandbox-admin-token' } });
  const stored = new Uint8Array(await answer.arrayBuffer());
  const sent = new Uint8Array(await file.arrayBuffer());
  return stored.length === sent.length && stored.every((b, i) => b === sent[i]);
}
"#)]
extern "C" {
    fn patterned_file(size: u32) -> web_sys::File;
    async fn same_bytes(url: &str, file: &web_sys::File) -> wasm_bindgen::JsValue;
}

#[wasm_bindgen_test]
async fn a_file_sent_as_base64_pieces_arrives_byte_for_byte() {
    reset().await;
    // Several pieces, the last one short, so piece boundaries are exercised.
    let file = patterned_file(2 * 1024 * 1024 + 5);
    let source = read_as_base64(&file, || false).await.unwrap();
    let FileSource::Base64 { parts, .. } = &source else {
        panic!("not base64");
    };
    assert!(parts.length() > 2, "{} pieces", parts.length());
    // Only a backend known to accept `data:` URLs gets them (`inlineFiles`); live
    // Nexudus answers them with a 500, as the default sandbox does.
    let inline = ApiClient::new(
        inline_sandbox_url(),
        BearerToken::new("sandbox-admin-token").into(),
        Duration::from_secs(20),
    );
    let outcome = inline
        .post_thread_file(
            &file_named("Pattern"),
            Some(&source),
            SHOWN,
            &Cancellation::default(),
        )
        .await;
    let Ok(Outcome::Created { id }) = outcome else {
        panic!("{outcome:?}");
    };
    let url = format!(
        "{}/api/community/communitythreadfiles/{id}/content",
        inline_sandbox_url()
    );
    assert!(same_bytes(&url, &file).await.is_truthy());

    // The same request to a sandbox that behaves like live Nexudus: a generic 500, which
    // the panel reads as a server problem.
    let live = client("sandbox-admin-token", Duration::from_secs(20))
        .post_thread_file(
            &file_named("Pattern"),
            Some(&source),
            SHOWN,
            &Cancellation::default(),
        )
        .await;
    assert!(matches!(live, Ok(Outcome::ServerError { .. })), "{live:?}");
}
