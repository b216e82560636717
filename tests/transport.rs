//! Browser tests of the transport against the sandbox: token refresh on 401, quiet
//! waits on throttling, timeouts, cancellation, and no duplicate after a lost answer.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
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

/// Attaches a small file to conversation 1001 with a fixed token.
async fn attach_as(
    token: &str,
    timeout: Duration,
    cancel: &Cancellation,
) -> Result<Outcome, TransportError> {
    client(token, timeout)
        .post_json(THREAD_FILES_PATH, &file("x").await, SHOWN, cancel)
        .await
}

async fn reset() {
    sandbox_call("POST", "/_sandbox/reset", None).await;
}

#[wasm_bindgen_test]
async fn a_401_asks_the_host_for_a_fresh_token_once_then_succeeds() {
    reset().await;
    let asked: Rc<RefCell<Vec<bool>>> = Rc::default();
    let provider = {
        let asked = Rc::clone(&asked);
        move |refresh: bool| -> TokenFuture {
            asked.borrow_mut().push(refresh);
            let token = if refresh {
                "sandbox-admin-token"
            } else {
                "sandbox-expired-token"
            };
            Box::pin(async move { Ok(BearerToken::new(token)) })
        }
    };
    let client = ApiClient::new(
        sandbox_url(),
        TokenSource::Provider(Rc::new(provider)),
        Duration::from_secs(10),
    );
    let outcome = client
        .post_json(
            THREAD_FILES_PATH,
            &file("Refreshed").await,
            SHOWN,
            &Cancellation::default(),
        )
        .await;
    assert!(
        matches!(outcome, Ok(Outcome::Created { .. })),
        "{outcome:?}"
    );
    assert_eq!(*asked.borrow(), vec![false, true]);
}

#[wasm_bindgen_test]
async fn a_second_401_after_the_refresh_is_unauthorized() {
    reset().await;
    let provider = |_refresh: bool| -> TokenFuture {
        Box::pin(async { Ok(BearerToken::new("sandbox-expired-token")) })
    };
    let client = ApiClient::new(
        sandbox_url(),
        TokenSource::Provider(Rc::new(provider)),
        Duration::from_secs(10),
    );
    let outcome = client
        .post_json(
            THREAD_FILES_PATH,
            &file("x").await,
            SHOWN,
            &Cancellation::default(),
        )
        .await;
    assert_eq!(outcome, Ok(Outcome::Unauthorized));
}

#[wasm_bindgen_test]
async fn a_fixed_token_lacking_the_role_is_unauthorized_without_retry() {
    reset().await;
    let outcome = attach_as(
        "sandbox-no-files-token",
        Duration::from_secs(10),
        &Cancellation::default(),
    )
    .await;
    assert_eq!(outcome, Ok(Outcome::Unauthorized));
}

#[wasm_bindgen_test]
async fn a_throttle_is_waited_out_then_the_request_succeeds() {
    // The documented 409 with `Retry-After`, and the 429 seen in the wild with the wait
    // only in its text (a cross-origin page cannot read `Retry-After` anyway).
    let throttles = [
        (
            r#""status":409,"body":"","headers":{"Retry-After":"1"}"#,
            950.0,
        ),
        (
            r#""status":429,"body":"{\"Message\":\"Too many requests. Wait 2 seconds and try again.\"}""#,
            1950.0,
        ),
    ];
    for (answer, least_wait) in throttles {
        reset().await;
        arm_fault(&format!(
            r#"{{"method":"POST","path":"/api/community/communitythreadfiles","count":1,{answer}}}"#
        ))
        .await;
        let body = file("After a wait").await;
        let started = js_sys::Date::now();
        let outcome = client("sandbox-admin-token", Duration::from_secs(10))
            .post_json(THREAD_FILES_PATH, &body, SHOWN, &Cancellation::default())
            .await;
        let waited = js_sys::Date::now() - started;
        assert!(
            matches!(outcome, Ok(Outcome::Created { .. })),
            "{answer}: {outcome:?}"
        );
        assert!(waited >= least_wait, "{answer}: waited only {waited} ms");
    }
}

#[wasm_bindgen_test]
async fn throttling_that_persists_ends_after_three_attempts() {
    reset().await;
    arm_fault(
        r#"{"method":"POST","path":"/api/community/communitythreadfiles","count":5,
            "status":429,"body":"","headers":{"Retry-After":"0"}}"#,
    )
    .await;
    let outcome = attach_as(
        "sandbox-admin-token",
        Duration::from_secs(10),
        &Cancellation::default(),
    )
    .await;
    assert!(
        matches!(outcome, Ok(Outcome::Throttled { .. })),
        "{outcome:?}"
    );
    let pending = sandbox_call("GET", "/_sandbox/faults", None).await;
    assert!(
        pending.contains("\"remaining\":2") || pending.contains("\"count\":2"),
        "{pending}"
    );
}

#[wasm_bindgen_test]
async fn a_slow_answer_times_out() {
    reset().await;
    arm_fault(
        r#"{"method":"POST","path":"/api/community/communitythreadfiles","count":1,"delayMs":3000}"#,
    )
    .await;
    let outcome = attach_as(
        "sandbox-admin-token",
        Duration::from_millis(300),
        &Cancellation::default(),
    )
    .await;
    assert_eq!(outcome, Err(TransportError::Timeout));
}

#[wasm_bindgen_test]
async fn cancelling_aborts_the_request_in_flight() {
    reset().await;
    arm_fault(
        r#"{"method":"POST","path":"/api/community/communitythreadfiles","count":1,"delayMs":3000}"#,
    )
    .await;
    let cancel = Cancellation::default();
    {
        let cancel = cancel.clone();
        gloo_timers::callback::Timeout::new(150, move || cancel.cancel()).forget();
    }
    let started = js_sys::Date::now();
    let outcome = attach_as("sandbox-admin-token", Duration::from_secs(10), &cancel).await;
    assert_eq!(outcome, Err(TransportError::Cancelled));
    assert!(js_sys::Date::now() - started < 2000.0);
}

#[wasm_bindgen_test]
async fn a_dropped_connection_is_a_network_failure() {
    reset().await;
    arm_fault(
        r#"{"method":"POST","path":"/api/community/communitythreadfiles","count":1,"drop":true}"#,
    )
    .await;
    let outcome = attach_as(
        "sandbox-admin-token",
        Duration::from_secs(10),
        &Cancellation::default(),
    )
    .await;
    assert_eq!(outcome, Err(TransportError::Network));
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

#[wasm_bindgen_test]
async fn a_token_callback_that_never_settles_ends_in_a_timeout_or_a_cancel() {
    let api = ApiClient::new(
        sandbox_url(),
        api_token_source_never(),
        Duration::from_millis(300),
    );
    let cancel = Cancellation::default();
    let answer = api
        .delete("/api/community/communitythreads/1", &cancel)
        .await;
    assert_eq!(answer, Err(TransportError::Timeout));
    let cancel = Cancellation::default();
    let later = cancel.clone();
    gloo_timers::callback::Timeout::new(50, move || later.cancel()).forget();
    let api = ApiClient::new(
        sandbox_url(),
        api_token_source_never(),
        Duration::from_secs(60),
    );
    let answer = api
        .delete("/api/community/communitythreads/1", &cancel)
        .await;
    assert_eq!(answer, Err(TransportError::Cancelled));
}

/// A `getToken` whose promise never settles.
fn api_token_source_never() -> TokenSource {
    TokenSource::Provider(Rc::new(|_| -> TokenFuture {
        Box::pin(std::future::pending())
    }))
}

#[wasm_bindgen_test]
async fn a_token_that_is_no_header_value_is_refused_not_thrown() {
    reset().await;
    for bad in ["sandbox-admin-token\r\nX-Evil: 1", "tok\u{2603}en"] {
        let api = client(bad, Duration::from_secs(10));
        let answer = api
            .delete(
                "/api/community/communitythreads/999999",
                &Cancellation::default(),
            )
            .await;
        assert_eq!(answer, Ok(Outcome::Unauthorized), "{bad:?}");
    }
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
