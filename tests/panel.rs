//! Browser tests of the panel (wasm-bindgen-test in headless Chromium).
#![cfg(target_arch = "wasm32")]

mod support;

use nexudus_start_conversation::i18n::{Locale, Msg, Strings};
use nexudus_start_conversation::{
    ApiSettings, BearerToken, FileSettings, StartConversation, StartConversationProps, Target,
};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Attach mode, with the sandbox's presigned-upload store as the host's endpoint.
fn attach_props(base_url: &str, token: &str) -> StartConversationProps {
    yew::props!(StartConversationProps {
        api: api(base_url, token),
        target: Target {
            thread_id: Some(1001),
            ..Target::default()
        },
        files: FileSettings {
            upload_endpoint: Some(yew::AttrValue::from(format!("{base_url}/uploads"))),
            ..FileSettings::default()
        },
    })
}

fn start_props(base_url: &str, strings: Strings) -> StartConversationProps {
    yew::props!(StartConversationProps {
        api: api(base_url, "t"),
        target: Target {
            business_id: Some(1),
            user_id: Some(10),
            ..Target::default()
        },
        strings,
    })
}

fn api(base_url: &str, token: &str) -> ApiSettings {
    ApiSettings {
        base_url: base_url.to_owned().into(),
        token: BearerToken::new(token).into(),
        timeout_ms: 10_000,
        idempotency_keys: false,
    }
}

fn mount(props: StartConversationProps) -> web_sys::Element {
    let root = fresh_root();
    yew::Renderer::<StartConversation>::with_root_and_props(root.clone(), props).render();
    root
}

fn active_element() -> web_sys::Element {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap()
}

/// Switches the attachment to "link" and fills link and name.
async fn give_link(root: &web_sys::Element, link: &str, name: &str) {
    click(root, ".nsc-link-button").await;
    type_into(root, "input[type=url][name=NewFileDataUrl]", link).await;
    type_into(root, "[name=Name]", name).await;
}

#[wasm_bindgen_test]
async fn attach_mode_renders_a_file_input_and_the_file_fields_with_labels() {
    let root = mount(attach_props("https://api.invalid", "t"));
    let file_input = element(&root, "input[type=file][name=NewFileDataUrl]").await;
    for input in [
        file_input,
        element(&root, "[name=Name]").await,
        element(&root, "[name=Description]").await,
    ] {
        let label = find(&root, &format!("label[for=\"{}\"]", input.id()));
        assert!(label.is_some(), "{} has a label", input.id());
        assert!(input.get_attribute("aria-invalid").is_none());
    }
    assert_eq!(
        text_of(&element(&root, "button[type=submit]").await),
        "Attach file"
    );
    assert!(find(&root, "[name=Subject]").is_none());
    assert!(find(&root, ".nsc-error-summary").is_none());
}

#[wasm_bindgen_test]
async fn without_somewhere_to_put_files_only_a_link_is_offered() {
    // Live Nexudus downloads attachments from a public URL and refuses `data:` URLs, so
    // a host with no uploader and no endpoint gets no file input that would fail later.
    let root = mount(yew::props!(StartConversationProps {
        api: ApiSettings {
            base_url: "https://api.invalid".into(),
            token: BearerToken::new("t").into(),
            ..ApiSettings::default()
        },
        target: Target {
            thread_id: Some(1001),
            ..Target::default()
        },
    }));
    let link = element(&root, "input[type=url][name=NewFileDataUrl]").await;
    assert!(find(&root, "input[type=file]").is_none());
    assert!(
        find(&root, ".nsc-link-button").is_none(),
        "no switch to files"
    );
    let hint = element(&root, &format!("#{}-hint", link.id())).await;
    assert!(text_of(&hint).contains("Files can’t be uploaded from this page"));
    // A pasted file is refused with a message, and the link still works.
    paste_file(&root, "photo.png", "image/png", "png").await;
    let error = element(&root, "input[type=url][aria-invalid=true]").await;
    assert_eq!(error.id(), link.id());
    assert!(text_of(&root).contains("Files can’t be attached from this page"));
}

#[wasm_bindgen_test]
async fn the_subject_counts_down_near_its_limit_and_is_checked_before_sending() {
    stub_fetch(200, "{}", "application/json");
    let root = mount(start_props("https://api.invalid", Strings::default()));
    let subject = element(&root, "[name=Subject]").await;
    let count = element(&root, &format!("#{}-count", subject.id())).await;
    let shows = |expected: &'static str| {
        let count = count.clone();
        wait_for(expected, std::time::Duration::from_secs(5), move || {
            (text_of(&count) == expected).then_some(())
        })
    };
    type_into(&root, "[name=Subject]", "Short").await;
    shows("").await;
    type_into(&root, "[name=Subject]", &"a".repeat(250)).await;
    shows("You have 4 characters remaining").await;
    type_into(&root, "[name=Subject]", &"a".repeat(260)).await;
    shows("You have 6 characters too many").await;
    // Nothing typed is cut off, and the check runs before any request.
    let input: web_sys::HtmlInputElement = subject.dyn_into().unwrap();
    assert_eq!(input.value().len(), 260);
    type_into(&root, "[name=Message]", "Hello").await;
    click(&root, "button[type=submit]").await;
    element(&root, "[name=Subject][aria-invalid=true]").await;
    assert!(text_of(&root).contains("Subject must be 254 characters or fewer"));
    // Only the boards were read (start mode without a fixed board): nothing was posted.
    let calls = fetch_calls();
    assert!(!calls.contains("\"method\":\"POST\""), "{calls}");
    restore_fetch();
}

#[wasm_bindgen_test]
async fn start_mode_checks_required_fields_before_any_request() {
    stub_fetch(
        200,
        r#"{"Records":[{"Id":1,"Name":"General","GroupAccess":2},{"Id":3,"Name":"Managers","GroupAccess":3}]}"#,
        "application/json",
    );
    let root = mount(start_props("https://api.invalid", Strings::default()));
    // The board list loads; private boards are not offered.
    element(&root, "select[name=CommunityGroupId] option[value=\"1\"]").await;
    assert!(find(&root, "select option[value=\"3\"]").is_none());

    click(&root, "button[type=submit]").await;
    let subject = element(&root, "[name=Subject][aria-invalid=true]").await;
    element(&root, "[name=Message][aria-invalid=true]").await;
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    assert!(text_of(&summary).contains("Enter a subject"));
    assert!(active_element().class_name().contains("nsc-error-summary"));

    // Only the boards were fetched: nothing was posted.
    let calls = fetch_calls();
    assert!(!calls.contains("\"method\":\"POST\""), "{calls}");

    // Editing a field clears that field's error only.
    type_into(&root, "[name=Subject]", "Lunch").await;
    wait_for(
        "the subject's error to clear",
        std::time::Duration::from_secs(5),
        || {
            subject
                .get_attribute("aria-invalid")
                .is_none()
                .then_some(())
        },
    )
    .await;
    assert!(find(&root, "[name=Message][aria-invalid=true]").is_some());
    restore_fetch();
}

/// The board list as the host backend answers it: only the boards this member may post in,
/// each marked `MemberCanPost`; plus boards bare Nexudus would list (no marker), which the
/// old rule still judges.
const BACKEND_BOARDS: &str = r#"{"Records":[
    {"Id":1,"Name":"General","GroupAccess":2,"MemberCanPost":true},
    {"Id":4,"Name":"Designers","GroupAccess":1,"MemberCanPost":true},
    {"Id":5,"Name":"Board of directors","GroupAccess":3,"MemberCanPost":true},
    {"Id":3,"Name":"Managers","GroupAccess":3},
    {"Id":6,"Name":"Closed","GroupAccess":1,"MemberCanPost":false}]}"#;

#[wasm_bindgen_test]
async fn the_picker_offers_the_restricted_boards_the_list_marks_open_to_the_member() {
    for (strings, suffix) in [
        (Strings::default(), "(members only)"),
        (french(), "(réservé aux membres)"),
    ] {
        stub_fetch(200, BACKEND_BOARDS, "application/json");
        let root = mount(start_props("https://api.invalid", strings));
        let designers = element(&root, "select[name=CommunityGroupId] option[value=\"4\"]").await;
        assert_eq!(text_of(&designers), format!("Designers {suffix}"));
        let directors = element(&root, "select option[value=\"5\"]").await;
        assert_eq!(text_of(&directors), format!("Board of directors {suffix}"));
        assert_eq!(
            text_of(&element(&root, "select option[value=\"1\"]").await),
            "General"
        );
        // Unmarked (bare Nexudus) and refused restricted/private boards are not offered.
        assert!(find(&root, "select option[value=\"3\"]").is_none());
        assert!(find(&root, "select option[value=\"6\"]").is_none());
        restore_fetch();
    }

    // Chosen, it is the board the conversation is posted to.
    stub_fetch(200, BACKEND_BOARDS, "application/json");
    let root = mount(start_props("https://api.invalid", Strings::default()));
    element(&root, "select option[value=\"4\"]").await;
    let select: web_sys::HtmlSelectElement = element(&root, "select[name=CommunityGroupId]")
        .await
        .dyn_into()
        .unwrap();
    select.set_value("4");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    type_into(&root, "[name=Subject]", "Brief").await;
    type_into(&root, "[name=Message]", "For the designers").await;
    click(&root, "button[type=submit]").await;
    let calls = wait_for("the create", std::time::Duration::from_secs(5), || {
        let calls = fetch_calls();
        calls.contains("\"method\":\"POST\"").then_some(calls)
    })
    .await;
    // The body is a JSON string inside the calls' JSON, its quotes escaped.
    assert!(calls.contains(r#"\"CommunityGroupId\":4"#), "{calls}");
    restore_fetch();
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
    let root = mount(attach_props("https://api.invalid", "secret-token"));
    give_link(&root, "https://files.example.com/plan.pdf", "Plan").await;
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
    assert_eq!(summary.query_selector_all("a").unwrap().length(), 2);

    // A summary link focuses its field.
    let link = first_link(&summary);
    assert!(active_element().class_name().contains("nsc-error-summary"));
    link.click();
    assert_eq!(
        active_element().get_attribute("name").as_deref(),
        Some("Name")
    );

    // The draft survived.
    let kept: web_sys::HtmlTextAreaElement = description.dyn_into().unwrap();
    assert_eq!(kept.value(), "x");

    // The request carried the token in the header only, and the reference's body.
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
    assert!(
        calls.contains(r#"\"NewFileDataUrl\":\"https://files.example.com/plan.pdf\""#),
        "{calls}"
    );
    assert!(!calls.contains("secret-token\\\""), "{calls}");
    restore_fetch();
}

#[wasm_bindgen_test]
async fn an_html_gateway_page_is_a_readable_problem_not_markup() {
    stub_fetch(
        502,
        "<html><head><title>502 Bad Gateway</title></head><body><script>alert(1)</script></body></html>",
        "text/html",
    );
    let root = mount(attach_props("https://api.invalid", "t"));
    give_link(&root, "https://files.example.com/a.png", "A").await;
    click(&root, "button[type=submit]").await;
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    assert!(
        text_of(&summary).contains("The server had a problem"),
        "{}",
        text_of(&summary)
    );
    assert!(find(&root, "script").is_none());
    restore_fetch();
}

/// The French strings as a Rust host has them: the pack read into overrides.
fn french() -> Strings {
    let pack: std::collections::BTreeMap<String, String> =
        serde_json::from_str(include_str!("../locales/fr.json")).unwrap();
    Strings::with_overrides_by_key(Locale::Fr, pack).unwrap()
}

#[wasm_bindgen_test]
async fn strings_follow_the_locale_and_the_hosts_overrides() {
    stub_fetch(500, "", "text/plain");
    let french = mount(start_props("https://api.invalid", french()));
    assert_eq!(
        text_of(&element(&french, "h2").await),
        "Lancer une discussion"
    );
    assert_eq!(
        element(&french, "section")
            .await
            .get_attribute("lang")
            .as_deref(),
        Some("fr")
    );
    let custom = mount(start_props(
        "https://api.invalid",
        Strings::new(Locale::En, vec![(Msg::SubmitStart, "Publish".into())]),
    ));
    assert_eq!(
        text_of(&element(&custom, "button[type=submit]").await),
        "Publish"
    );
    restore_fetch();
}

#[wasm_bindgen_test]
async fn without_a_mode_the_panel_says_what_is_missing() {
    let root = mount(yew::props!(StartConversationProps {}));
    let alert = element(&root, "[role=alert]").await;
    assert!(text_of(&alert).contains("threadId"), "{}", text_of(&alert));
}

#[wasm_bindgen_test]
async fn against_the_sandbox_a_missing_name_then_success() {
    let root = mount(attach_props(sandbox_url(), "sandbox-admin-token"));
    choose_file(&root, "notes.txt", "text/plain", "Hello, board!").await;
    // The display name comes from the file name; emptied, it is caught before sending.
    let name: web_sys::HtmlInputElement = element(&root, "[name=Name]").await.dyn_into().unwrap();
    wait_for(
        "the prefilled name",
        std::time::Duration::from_secs(5),
        || (name.value() == "notes").then_some(()),
    )
    .await;
    type_into(&root, "[name=Name]", "").await;
    click(&root, "button[type=submit]").await;
    let name = element(&root, "[name=Name][aria-invalid=true]").await;
    assert!(name.get_attribute("aria-describedby").is_some());
    assert!(text_of(&root).contains("Enter a display name for the file"));

    type_into(&root, "[name=Name]", "Plan").await;
    click(&root, "button[type=submit]").await;
    let done = element(&root, "[data-file-id]").await;
    let id = done.get_attribute("data-file-id").unwrap();
    assert!(id.parse::<u64>().is_ok(), "{id}");
    assert_eq!(
        done.get_attribute("data-thread-id").as_deref(),
        Some("1001")
    );
}

#[wasm_bindgen_test]
async fn against_the_sandbox_an_unknown_token_is_unauthorized() {
    let root = mount(attach_props(sandbox_url(), "not-a-real-token"));
    choose_file(&root, "plan.txt", "text/plain", "hi").await;
    type_into(&root, "[name=Name]", "Plan").await;
    click(&root, "button[type=submit]").await;
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    assert!(
        text_of(&summary).contains("not allowed"),
        "{}",
        text_of(&summary)
    );
    // The member's text is still there.
    let name: web_sys::HtmlInputElement = element(&root, "[name=Name]").await.dyn_into().unwrap();
    assert_eq!(name.value(), "Plan");
}

#[wasm_bindgen_test]
async fn against_the_sandbox_a_conversation_without_an_attachment() {
    // The runner once indexed the first attachment before creating: none made it panic.
    let root = mount(yew::props!(StartConversationProps {
        api: api(sandbox_url(), "sandbox-admin-token"),
        target: Target {
            business_id: Some(1),
            user_id: Some(10),
            group_id: Some(1),
            ..Target::default()
        },
    }));
    type_into(&root, "[name=Subject]", "No file").await;
    type_into(&root, "[name=Message]", "Just words.").await;
    click(&root, "button[type=submit]").await;
    let done = element(&root, "[data-thread-id]").await;
    let id = done.get_attribute("data-thread-id").unwrap();
    assert!(id.parse::<u64>().is_ok_and(|id| id > 0), "{id}");
}
