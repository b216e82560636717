//! Browser tests of the panel's idempotency keys (`idempotencyKeys`), with `fetch` standing in
//! for a backend that honours them (the sandbox, like live Nexudus, refuses the header in its
//! CORS answer; the end-to-end tests run the real backend): the header only when the option is
//! on, one key per write reused by every send, the 409 wait with its message, the 422 message,
//! a replayed answer read as the success it is, and the one-panel-per-`draftKey` claim.
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;

use nexudus_start_conversation::draft_claim::DraftClaim;
use nexudus_start_conversation::{
    ApiSettings, BearerToken, StartConversation, StartConversationProps, Target,
};
use support::*;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const original = window.fetch;
// Answers the POSTs in turn from `script` (a JSON list of {status, body, headers}), the last
// one again once the list is used up; any other request gets an empty board list.
export function script_fetch(script) {
  const answers = JSON.parse(script);
  window.__nscWrites = [];
  window.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (request.method === 'GET') {
      return new Response('{"Records":[]}', { status: 200, headers: { 'Content-Type': 'application/json' } });
    }
    window.__nscWrites.push({
      method: request.method,
      key: request.headers.get('Idempotency-Key'),
      body: await request.text(),
    });
    const answer = answers[Math.min(window.__nscWrites.length - 1, answers.length - 1)];
    return new Response(answer.body, {
      status: answer.status,
      headers: { 'Content-Type': 'application/json', ...(answer.headers || {}) },
    });
  };
}
export function restore_scripted_fetch() { window.fetch = original; }
export function scripted_writes() { return JSON.stringify(window.__nscWrites || []); }
"#)]
extern "C" {
    fn script_fetch(script: &str);
    fn restore_scripted_fetch();
    fn scripted_writes() -> String;
}

const CREATED: &str = r#"{"status":200,"body":"{\"WasSuccessful\":true,\"Value\":{\"Id\":77}}","headers":{"Idempotent-Replayed":"true"}}"#;
const IN_FLIGHT: &str = r#"{"status":409,"body":"{\"WasSuccessful\":false,\"Message\":\"A request with this Idempotency-Key is still being processed. Wait 1 seconds.\",\"Errors\":[]}","headers":{"Retry-After":"1"}}"#;
const OTHER_PAYLOAD: &str = r#"{"status":422,"body":"{\"WasSuccessful\":false,\"Message\":\"This Idempotency-Key was already used for a different request.\",\"Errors\":[]}"}"#;

fn props(keys: bool) -> StartConversationProps {
    yew::props!(StartConversationProps {
        api: ApiSettings {
            base_url: "https://backend.invalid".into(),
            token: BearerToken::new("t").into(),
            timeout_ms: 10_000,
            idempotency_keys: keys,
        },
        target: Target {
            business_id: Some(1),
            user_id: Some(10),
            group_id: Some(1),
            ..Target::default()
        },
    })
}

fn mount(props: StartConversationProps) -> web_sys::Element {
    let root = fresh_root();
    yew::Renderer::<StartConversation>::with_root_and_props(root.clone(), props).render();
    root
}

/// The keys the writes carried (`null` for none).
fn keys_sent() -> Vec<Option<String>> {
    let writes = js_sys::JSON::parse(&scripted_writes()).unwrap();
    js_sys::Array::from(&writes)
        .iter()
        .map(|write| {
            js_sys::Reflect::get(&write, &"key".into())
                .unwrap()
                .as_string()
        })
        .collect()
}

async fn write_and_send(root: &web_sys::Element) {
    type_into(root, "[name=Subject]", "Lunch").await;
    type_into(root, "[name=Message]", "Who is in?").await;
    click(root, "button[type=submit]").await;
}

#[wasm_bindgen_test]
async fn a_key_in_flight_waits_says_so_and_resends_the_same_key_then_the_replay_is_success() {
    script_fetch(&format!("[{IN_FLIGHT},{CREATED}]"));
    let root = mount(props(true));
    write_and_send(&root).await;
    let status = element(&root, ".nsc-status").await;
    wait_for("the waiting message", Duration::from_secs(5), || {
        text_of(&status)
            .contains("still finishing your earlier attempt")
            .then_some(())
    })
    .await;
    let done = element(&root, ".nsc-success").await;
    assert_eq!(done.get_attribute("data-thread-id").as_deref(), Some("77"));
    let keys = keys_sent();
    assert_eq!(keys.len(), 2, "{keys:?}");
    let key = keys[0].clone().expect("a key");
    assert_eq!(key.len(), 36);
    assert_eq!(key.as_bytes()[14], b'4', "a UUID v4: {key}");
    assert_eq!(keys[1].as_deref(), Some(key.as_str()), "the same key again");
    restore_scripted_fetch();
}

#[wasm_bindgen_test]
async fn other_details_under_a_key_read_as_a_clear_message_and_keep_the_text() {
    script_fetch(&format!("[{OTHER_PAYLOAD}]"));
    let root = mount(props(true));
    write_and_send(&root).await;
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    wait_for("the 422 message", Duration::from_secs(5), || {
        text_of(&summary)
            .contains("An earlier attempt with different details may already have been posted")
            .then_some(())
    })
    .await;
    let subject = element(&root, "[name=Subject]").await;
    let subject: web_sys::HtmlInputElement = wasm_bindgen::JsCast::unchecked_into(subject);
    assert_eq!(subject.value(), "Lunch");
    element(&root, "button[type=submit]:not([disabled])").await;
    restore_scripted_fetch();
}

#[wasm_bindgen_test]
async fn without_the_option_no_write_carries_a_key() {
    script_fetch(&format!("[{CREATED}]"));
    let root = mount(props(false));
    write_and_send(&root).await;
    element(&root, ".nsc-success").await;
    assert_eq!(keys_sent(), vec![None]);
    restore_scripted_fetch();
}

#[wasm_bindgen_test]
fn one_live_panel_holds_a_draft_key_until_it_goes() {
    let first = DraftClaim::take("idempotency-test");
    let second = DraftClaim::take("idempotency-test");
    assert!(first.owned());
    assert!(
        !second.owned(),
        "a second live panel must not write the draft"
    );
    drop(second);
    let third = DraftClaim::take("idempotency-test");
    assert!(!third.owned(), "a non-owner going frees nothing");
    drop(first);
    drop(third);
    assert!(DraftClaim::take("idempotency-test").owned());
    assert!(DraftClaim::take("another-key").owned());
}
