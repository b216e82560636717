//! Helpers for the browser tests: mount a component in a fresh element, drive inputs the
//! way a member would, wait on DOM state (never on fixed sleeps), and stand in for
//! `fetch` when a test needs a given answer.
#![allow(dead_code)]

pub mod images;

use std::time::Duration;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, EventInit, HtmlElement, HtmlInputElement, HtmlTextAreaElement};

#[wasm_bindgen(inline_js = r#"
const original = window.fetch;
export function stub_fetch(status, body, contentType) {
  window.__nscCalls = [];
  window.fetch = async (input, init) => {
    const request = new Request(input, init);
    window.__nscCalls.push({
      url: request.url,
      method: request.method,
      authorization: request.headers.get('Authorization'),
      body: await request.text(),
    });
    return new Response(body, { status, headers: { 'Content-Type': contentType } });
  };
}
export function restore_fetch() { window.fetch = original; }
export function fetch_calls() { return JSON.stringify(window.__nscCalls || []); }
export async function store_file(base, text) {
  // The sandbox's presigned-upload store, as a host's storage: where the API downloads from.
  const answer = await fetch(`${base}/uploads`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sandbox-admin-token' },
    body: JSON.stringify({ fileName: 'note.txt', contentType: 'text/plain', size: text.length }),
  });
  if (!answer.ok) throw new Error(`POST /uploads answered ${answer.status}`);
  const { uploadUrl, fileUrl } = await answer.json();
  const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: text });
  if (!put.ok) throw new Error(`PUT answered ${put.status}`);
  return fileUrl;
}
export function paste_file(target, name, type, text) {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, { type }));
  target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
}
export function set_many_files(input, names) {
  const transfer = new DataTransfer();
  for (const name of names.split('\n')) transfer.items.add(new File([name], name, { type: 'text/plain' }));
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}
export function set_files(input, name, type, text) {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, { type }));
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}
"#)]
extern "C" {
    /// Makes every `fetch` answer `status` with `body`, recording the requests.
    pub fn stub_fetch(status: u16, body: &str, content_type: &str);
    /// Puts the browser's own `fetch` back.
    pub fn restore_fetch();
    /// The requests made since `stub_fetch`, as JSON.
    pub fn fetch_calls() -> String;
    #[wasm_bindgen(catch)]
    async fn store_file(base: &str, text: &str) -> Result<JsValue, JsValue>;
    /// Pastes a file with `text` as its content onto `target`.
    #[wasm_bindgen(js_name = paste_file)]
    fn paste_file_js(target: &Element, name: &str, mime: &str, text: &str);
    /// Puts a file with `text` as its content into a file input and fires `change`.
    pub fn set_files(input: &Element, name: &str, mime: &str, text: &str);
    /// Puts several text files (`names`, one a line, each holding its own name) into a
    /// file input and fires `change`.
    pub fn set_many_files(input: &Element, names: &str);
}

/// A fresh, attached element to render into.
/// Settings for an API no one answers (`https://api.invalid`), for tests that never send.
pub fn offline_api() -> nexudus_start_conversation::ApiSettings {
    nexudus_start_conversation::ApiSettings {
        base_url: "https://api.invalid".into(),
        token: nexudus_start_conversation::BearerToken::new("t").into(),
        timeout_ms: 10_000,
        idempotency_keys: false,
    }
}

pub fn fresh_root() -> Element {
    let document = gloo_utils_document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn gloo_utils_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Waits until `probe` finds something, polling the DOM; fails after `within`.
pub async fn wait_for<T>(what: &str, within: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = js_sys::Date::now() + within.as_millis() as f64;
    loop {
        if let Some(found) = probe() {
            return found;
        }
        if js_sys::Date::now() > deadline {
            panic!("timed out after {within:?} waiting for {what}");
        }
        TimeoutFuture::new(10).await;
    }
}

/// The first element under `root` matching `selector`.
pub fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

/// Waits for an element matching `selector` under `root`.
pub async fn element(root: &Element, selector: &str) -> Element {
    wait_for(selector, Duration::from_secs(10), || find(root, selector)).await
}

/// Types `value` into the input matching `selector`, firing a bubbling `input` event.
pub async fn type_into(root: &Element, selector: &str, value: &str) {
    let input = element(root, selector).await;
    match input.dyn_ref::<HtmlInputElement>() {
        Some(field) => field.set_value(value),
        None => input
            .dyn_ref::<HtmlTextAreaElement>()
            .expect("an input or a textarea")
            .set_value(value),
    }
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

/// Chooses a file in the panel's file input, as a member would.
pub async fn choose_file(root: &Element, name: &str, mime: &str, text: &str) {
    let input = element(root, "input[type=file]").await;
    set_files(&input, name, mime, text);
}

/// Chooses several text files at once in the panel's file input.
pub async fn choose_files(root: &Element, names: &[&str]) {
    let input = element(root, "input[type=file]").await;
    set_many_files(&input, &names.join("\n"));
}

/// The first link under `within` (an error summary's, to click).
pub fn first_link(within: &Element) -> HtmlElement {
    match within.query_selector("a").ok().flatten() {
        Some(link) => link.unchecked_into(),
        None => panic!("no link in {}", text_of(within)),
    }
}

/// Clicks the element matching `selector`.
pub async fn click(root: &Element, selector: &str) {
    let target: HtmlElement = element(root, selector).await.dyn_into().unwrap();
    target.click();
}

/// The element's text with white space folded.
pub fn text_of(element: &Element) -> String {
    element
        .text_content()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sandbox's address, given by `cargo xtask test` when it builds these tests.
pub fn sandbox_url() -> &'static str {
    match option_env!("SANDBOX_URL") {
        Some(url) => url,
        None => panic!("SANDBOX_URL is not set: run the browser tests through `cargo xtask test`"),
    }
}

/// The address of an inline-files sandbox (`--accept-data-urls`), for the tests of the
/// `data:` URL path that a host turns on with `inlineFiles`.
pub fn inline_sandbox_url() -> &'static str {
    match option_env!("SANDBOX_INLINE_URL") {
        Some(url) => url,
        None => panic!(
            "SANDBOX_INLINE_URL is not set: run the browser tests through `cargo xtask test`"
        ),
    }
}

/// Stores `text` in the sandbox's upload store and returns the public URL the API
/// downloads it from (as a host's storage would give).
pub async fn stored_file_url(text: &str) -> String {
    match store_file(sandbox_url(), text).await {
        Ok(url) => url.as_string().unwrap_or_default(),
        Err(error) => panic!("storing a file in the sandbox failed: {error:?}"),
    }
}

/// Pastes a file onto the panel's first field, as a member would with Ctrl+V.
pub async fn paste_file(root: &Element, name: &str, mime: &str, text: &str) {
    let target = element(root, "input, textarea").await;
    self::paste_file_js(&target, name, mime, text);
}

/// Sends a request to one of the sandbox's own endpoints (`/_sandbox/...`) and returns
/// the answer's text.
pub async fn sandbox_call(method: &str, path: &str, json: Option<&str>) -> String {
    let url = format!("{}{}", sandbox_url(), path);
    let builder = gloo_net::http::RequestBuilder::new(&url).method(match method {
        "POST" => gloo_net::http::Method::POST,
        "DELETE" => gloo_net::http::Method::DELETE,
        _ => gloo_net::http::Method::GET,
    });
    let request = match json {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .unwrap(),
        None => builder.build().unwrap(),
    };
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status < 300, "{method} {path} answered {status}: {text}");
    text
}

/// Arms a sandbox fault for the next `count` requests to `method path`.
pub async fn arm_fault(json: &str) {
    sandbox_call("POST", "/_sandbox/faults", Some(json)).await;
}
