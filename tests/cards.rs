//! Browser tests of several attachments (`maxFiles` over 1): a card per file after the
//! first, the count limit checked before any request, Remove and Replace on a card, and
//! each card's errors (the panel's own checks and the server's) on that card's fields,
//! linked from the error summary.
#![cfg(target_arch = "wasm32")]

mod support;

use nexudus_start_conversation::config::Limits;
use nexudus_start_conversation::{
    ApiSettings, BearerToken, FileSettings, StartConversation, StartConversationProps, Target,
};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Attach mode on conversation 1001 with up to three files, uploaded to `base_url`'s
/// presigned-upload store.
fn three_files(base_url: &str) -> web_sys::Element {
    let root = fresh_root();
    let props = yew::props!(StartConversationProps {
        api: ApiSettings {
            base_url: base_url.to_owned().into(),
            token: BearerToken::new("sandbox-admin-token").into(),
            timeout_ms: 10_000,
            idempotency_keys: false,
        },
        target: Target {
            thread_id: Some(1001),
            ..Target::default()
        },
        files: FileSettings {
            upload_endpoint: Some(yew::AttrValue::from(format!("{base_url}/uploads"))),
            limits: Limits {
                max_files: 3,
                ..Limits::default()
            },
            ..FileSettings::default()
        },
    });
    yew::Renderer::<StartConversation>::with_root_and_props(root.clone(), props).render();
    root
}

fn cards(root: &web_sys::Element) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(".nsc-card").unwrap();
    (0..list.length())
        .filter_map(|at| list.item(at)?.dyn_into().ok())
        .collect()
}

/// Waits until the panel shows exactly `count` cards (the files after the first).
async fn wait_for_cards(root: &web_sys::Element, count: usize) -> Vec<web_sys::Element> {
    wait_for(
        &format!("{count} cards"),
        std::time::Duration::from_secs(5),
        || {
            let found = cards(root);
            (found.len() == count).then_some(found)
        },
    )
    .await
}

fn legend(card: &web_sys::Element) -> String {
    text_of(&card.query_selector("legend").unwrap().unwrap())
}

fn focused() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.active_element()
}

fn focused_id() -> String {
    focused().map(|element| element.id()).unwrap_or_default()
}

fn focused_class() -> String {
    focused()
        .map(|element| element.class_name())
        .unwrap_or_default()
}

fn picker_input(root: &web_sys::Element) -> web_sys::HtmlInputElement {
    find(root, "input[type=file][name=NewFileDataUrl]")
        .unwrap()
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
async fn three_files_make_two_cards_and_a_fourth_is_refused_before_any_request() {
    stub_fetch(200, "{}", "application/json");
    let root = three_files("https://api.invalid");
    choose_files(&root, &["a.txt", "b.txt", "c.txt"]).await;
    let found = wait_for_cards(&root, 2).await;
    assert_eq!(legend(&found[0]), "b.txt");
    assert_eq!(legend(&found[1]), "c.txt");
    // The first file is the form's own attachment, with its own name field.
    let name: web_sys::HtmlInputElement = element(&root, "[name=Name]").await.dyn_into().unwrap();
    assert_eq!(name.value(), "a");
    let card_name: web_sys::HtmlInputElement = found[0]
        .query_selector("[name=Name]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(card_name.value(), "b");
    // No room left: the picker is off, and a pasted fourth file is refused with a message.
    assert!(picker_input(&root).disabled());
    paste_file(&root, "d.txt", "text/plain", "d").await;
    element(&root, "[aria-invalid=true]").await;
    assert!(
        text_of(&root).contains("1 file left out: at most 3 attachments"),
        "{}",
        text_of(&root)
    );
    assert_eq!(cards(&root).len(), 2);
    // Nothing was sent.
    assert_eq!(fetch_calls(), "[]");
    restore_fetch();
}

#[wasm_bindgen_test]
async fn a_card_is_removed_and_replaced_on_its_own() {
    let root = three_files("https://api.invalid");
    choose_files(&root, &["a.txt", "b.txt", "c.txt"]).await;
    let found = wait_for_cards(&root, 2).await;
    // Remove on the first card takes only that file away, and makes room again.
    let remove: web_sys::HtmlElement = found[0]
        .query_selector(".nsc-attachment__actions button:last-child")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(text_of(&remove), "Remove");
    remove.click();
    let left = wait_for_cards(&root, 1).await;
    assert_eq!(legend(&left[0]), "c.txt");
    assert!(!picker_input(&root).disabled());

    // Replace on the card puts another file in its place, named after it.
    let replace_input = left[0].query_selector("input[type=file]").unwrap().unwrap();
    set_files(&replace_input, "z.txt", "text/plain", "z");
    wait_for(
        "the replaced card",
        std::time::Duration::from_secs(5),
        || (cards(&root).first().map(legend).as_deref() == Some("z.txt")).then_some(()),
    )
    .await;
    let card_name: web_sys::HtmlInputElement = cards(&root)[0]
        .query_selector("[name=Name]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(card_name.value(), "z");
    // The form's own file is untouched.
    let name: web_sys::HtmlInputElement = element(&root, "[name=Name]").await.dyn_into().unwrap();
    assert_eq!(name.value(), "a");
}

#[wasm_bindgen_test]
async fn a_cards_own_check_fails_on_that_card_and_the_summary_links_to_it() {
    stub_fetch(200, "{}", "application/json");
    let root = three_files("https://api.invalid");
    choose_files(&root, &["a.txt", "b.txt", "c.txt"]).await;
    wait_for_cards(&root, 2).await;
    type_into(&root, ".nsc-card:last-of-type [name=Name]", "").await;
    click(&root, "button[type=submit]").await;

    let invalid = element(&root, ".nsc-card [name=Name][aria-invalid=true]").await;
    assert_eq!(legend(&cards(&root)[1]), "c.txt");
    assert!(cards(&root)[1].contains(Some(&invalid)), "on c's card");
    assert_eq!(
        root.query_selector_all("[aria-invalid=true]")
            .unwrap()
            .length(),
        1,
        "only c's name is wrong"
    );
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    assert!(text_of(&summary).contains("Enter a display name for the file"));
    assert!(focused_class().contains("nsc-error-summary"));
    let link = first_link(&summary);
    link.click();
    assert_eq!(focused_id(), invalid.id());
    // Nothing was sent.
    assert!(!fetch_calls().contains("\"method\":\"POST\""));
    restore_fetch();
}

#[wasm_bindgen_test]
async fn against_the_sandbox_a_files_server_error_lands_on_its_card() {
    arm_fault(
        r#"{"method":"POST","path":"/api/community/communitythreadfiles","whenBody":{"Name":"card-b"},
            "fieldErrors":[{"propertyName":"Name","message":"is not allowed"}]}"#,
    )
    .await;
    let root = three_files(sandbox_url());
    choose_files(&root, &["card-a.txt", "card-b.txt", "card-c.txt"]).await;
    wait_for_cards(&root, 2).await;
    click(&root, "button[type=submit]").await;

    let invalid = element(&root, ".nsc-card [name=Name][aria-invalid=true]").await;
    let b_card = cards(&root).into_iter().next().unwrap();
    assert_eq!(legend(&b_card), "card-b.txt");
    assert!(b_card.contains(Some(&invalid)), "on b's card");
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    let text = text_of(&summary);
    assert!(text.contains("Display name is not allowed"), "{text}");
    // Focus moves to the summary; its link to the card's field focuses that field.
    wait_for(
        "focus on the summary",
        std::time::Duration::from_secs(5),
        || focused_class().contains("nsc-error-summary").then_some(()),
    )
    .await;
    let link = wait_for(
        "the summary's link to b's name",
        std::time::Duration::from_secs(5),
        || {
            let links = summary.query_selector_all("a").ok()?;
            (0..links.length())
                .filter_map(|at| links.item(at)?.dyn_into::<web_sys::HtmlElement>().ok())
                .find(|link| text_of(link).contains("not allowed"))
        },
    )
    .await;
    link.click();
    assert_eq!(focused_id(), invalid.id());
    // The other card's file was added, and says so.
    let c_card = &cards(&root)[1];
    assert!(text_of(c_card).contains("Added"), "{}", text_of(c_card));
    assert!(!text_of(&b_card).contains("Added"), "{}", text_of(&b_card));
}
