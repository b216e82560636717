//! Browser tests of the panel (wasm-bindgen-test in headless Chromium).
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;

use nexudus_start_conversation::{BearerToken, StartConversation, StartConversationProps};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn props(base_url: &str, token: &str) -> StartConversationProps {
    yew::props!(StartConversationProps {
        base_url: base_url.to_owned(),
        token: BearerToken::new(token),
        thread_id: Some(1001),
        timeout_ms: 10_000,
    })
}

fn mount(props: StartConversationProps) -> web_sys::Element {
    let root = fresh_root();
    yew::Renderer::<StartConversation>::with_root_and_props(root.clone(), props).render();
    root
}

#[wasm_bindgen_test]
async fn renders_the_attach_fields_with_api_names_and_labels() {
    let root = mount(props("https://api.invalid", "t"));
    for name in ["NewFileDataUrl", "Name", "Description"] {
        let input = element(&root, &format!("[name=\"{name}\"]")).await;
        let id = input.id();
        let label = find(&root, &format!("label[for=\"{id}\"]"));
        assert!(label.is_some(), "{name} has a label");
        assert!(input.get_attribute("aria-invalid").is_none());
    }
    let button = element(&root, "button[type=submit]").await;
    assert_eq!(text_of(&button), "Attach file");
    assert!(find(&root, ".nsc-error-summary").is_none());
}

#[wasm_bindgen_test]
async fn an_error_envelope_highlights_the_right_fields() {
    stub_fetch(
        400,
        r#"{"Message":"Name: is a required field","Value":null,"Errors":[
            {"AttemptedValue":null,"Message":"is a required field","PropertyName":"Name"},
            {"AttemptedValue":"x","Message":"is too long","PropertyName":"description"},
            {"AttemptedValue":5,"Message":"was not found","PropertyName":"CommunityThread"}],
           "WasSuccessful":false}"#,
        "application/json",
    );
    let root = mount(props("https://api.invalid", "secret-token"));
    type_into(&root, "[name=Description]", "x").await;
    click(&root, "button[type=submit]").await;

    let name = element(&root, "[name=Name][aria-invalid=true]").await;
    let description = element(&root, "[name=Description][aria-invalid=true]").await;
    assert!(find(&root, "[name=NewFileDataUrl][aria-invalid]").is_none());

    for (input, expected) in [
        (&name, "Display name is a required field"),
        (&description, "Description is too long"),
    ] {
        let described_by = input.get_attribute("aria-describedby").unwrap();
        let error_id = described_by
            .split(' ')
            .find(|id| id.ends_with("-error"))
            .unwrap();
        let message = element(&root, &format!("[id=\"{error_id}\"]")).await;
        assert_eq!(text_of(&message), format!("Error: {expected}"));
    }

    // The summary lists all three; the one naming no field is plain text, not a link.
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    let text = text_of(&summary);
    assert!(text.contains("CommunityThread was not found"), "{text}");
    assert!(text.contains("Display name is a required field"), "{text}");
    let links = summary.query_selector_all("a").unwrap().length();
    assert_eq!(links, 2);

    // The summary took focus; the draft survived.
    let active = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    assert!(active.class_name().contains("nsc-error-summary"));
    let kept: web_sys::HtmlTextAreaElement = wasm_bindgen::JsCast::dyn_into(description).unwrap();
    assert_eq!(kept.value(), "x");

    // The request carried the token in the header and the reference's body.
    let calls = fetch_calls();
    assert!(
        calls.contains(r#""authorization":"Bearer secret-token""#),
        "{calls}"
    );
    assert!(
        calls.contains("/api/community/communitythreadfiles"),
        "{calls}"
    );
    assert!(calls.contains(r#"\"CommunityThreadId\":1001"#), "{calls}");
    restore_fetch();
}

#[wasm_bindgen_test]
async fn an_html_gateway_page_is_a_readable_problem_not_markup() {
    stub_fetch(
        502,
        "<html><head><title>502 Bad Gateway</title></head><body><script>alert(1)</script></body></html>",
        "text/html",
    );
    let root = mount(props("https://api.invalid", "t"));
    click(&root, "button[type=submit]").await;
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    assert!(text_of(&summary).contains("HTTP 502"));
    assert!(find(&root, "script").is_none());
    restore_fetch();
}

#[wasm_bindgen_test]
async fn against_the_sandbox_a_missing_name_then_success() {
    let root = mount(props(sandbox_url(), "sandbox-admin-token"));
    click(&root, "button[type=submit]").await;
    let name = element(&root, "[name=Name][aria-invalid=true]").await;
    assert!(name.get_attribute("aria-describedby").is_some());

    type_into(&root, "[name=Name]", "Plan").await;
    type_into(
        &root,
        "[name=NewFileDataUrl]",
        "data:text/plain;base64,SGVsbG8sIGJvYXJkIQ==",
    )
    .await;
    click(&root, "button[type=submit]").await;
    let id = wait_for("the new file's id", Duration::from_secs(10), || {
        find(&root, ".nsc-created-id")
    })
    .await;
    assert!(text_of(&id).parse::<u64>().is_ok());
}

#[wasm_bindgen_test]
async fn against_the_sandbox_an_unknown_token_is_unauthorized() {
    let root = mount(props(sandbox_url(), "not-a-real-token"));
    type_into(&root, "[name=Name]", "Plan").await;
    click(&root, "button[type=submit]").await;
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    assert!(
        text_of(&summary).contains("not allowed"),
        "{}",
        text_of(&summary)
    );
    // The member's text is still there.
    let name: web_sys::HtmlInputElement =
        wasm_bindgen::JsCast::dyn_into(element(&root, "[name=Name]").await).unwrap();
    assert_eq!(name.value(), "Plan");
}
