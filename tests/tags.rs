//! Browser tests of the conversation's optional fields: the tag input driven by keys
//! (Enter, comma, Backspace, a paste, each tag's remove button) and its live region, the
//! private choice, what is sent, where server errors land, and the `fields` option.
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;

use nexudus_start_conversation::{StartConversation, StartConversationProps, Target, ThreadFields};
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function press(target, key) {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
}
export function paste_text(target, text) {
  const transfer = new DataTransfer();
  transfer.setData('text/plain', text);
  target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
}
"#)]
extern "C" {
    /// Presses `key` in `target` (a `keydown` as the browser sends it).
    fn press(target: &Element, key: &str);
    /// Pastes `text` into `target`.
    fn paste_text(target: &Element, text: &str);
}

const BOTH: ThreadFields = ThreadFields {
    tags: true,
    private: true,
};

fn mount(fields: ThreadFields) -> Element {
    let root = fresh_root();
    let props = yew::props!(StartConversationProps {
        api: offline_api(),
        target: Target {
            business_id: Some(1),
            user_id: Some(10),
            group_id: Some(2),
            ..Target::default()
        },
        fields,
    });
    yew::Renderer::<StartConversation>::with_root_and_props(root.clone(), props).render();
    root
}

/// The tags shown, in order.
fn shown_tags(root: &Element) -> Vec<String> {
    let items = root.query_selector_all(".nsc-tag").unwrap();
    (0..items.length())
        .filter_map(|i| items.get(i)?.first_child()?.text_content())
        .collect()
}

/// Waits until the tags shown are `expected`.
async fn tags_are(root: &Element, expected: &[&str]) {
    let what = format!("the tags {expected:?}");
    wait_for(&what, Duration::from_secs(5), || {
        (shown_tags(root) == expected).then_some(())
    })
    .await;
}

/// Waits until the live region says `expected`.
async fn announced(root: &Element, expected: &str) {
    let region = element(root, ".nsc-tag-notice").await;
    wait_for(expected, Duration::from_secs(5), || {
        (text_of(&region) == expected).then_some(())
    })
    .await;
}

async fn tag_input(root: &Element) -> HtmlInputElement {
    element(root, "input[name=Tags]").await.dyn_into().unwrap()
}

#[wasm_bindgen_test]
async fn enter_and_comma_add_backspace_and_buttons_remove_and_each_is_announced() {
    let root = mount(BOTH);
    let input = tag_input(&root).await;
    let label = element(&root, &format!("label[for=\"{}\"]", input.id())).await;
    assert_eq!(text_of(&label), "Tags (optional)");
    let described_by = input.get_attribute("aria-describedby").unwrap();
    let hint = element(
        &root,
        &format!("#{}", described_by.split(' ').next().unwrap()),
    )
    .await;
    assert_eq!(text_of(&hint), "Press Enter or comma to add a tag");

    type_into(&root, "input[name=Tags]", " events ").await;
    press(&input, "Enter");
    tags_are(&root, &["events"]).await;
    announced(&root, "Tag events added").await;
    assert_eq!(input.value(), "");

    type_into(&root, "input[name=Tags]", "food,").await;
    tags_are(&root, &["events", "food"]).await;
    announced(&root, "Tag food added").await;
    wait_for("the input to empty", Duration::from_secs(5), || {
        input.value().is_empty().then_some(())
    })
    .await;

    // A duplicate in another case is not added again, and the input empties.
    type_into(&root, "input[name=Tags]", "FOOD,").await;
    wait_for("the input to empty", Duration::from_secs(5), || {
        input.value().is_empty().then_some(())
    })
    .await;
    assert_eq!(shown_tags(&root), ["events", "food"]);

    press(&input, "Backspace");
    tags_are(&root, &["events"]).await;
    announced(&root, "Tag food removed").await;

    let remove = element(&root, "button[aria-label=\"Remove tag events\"]").await;
    remove.unchecked_ref::<web_sys::HtmlElement>().click();
    tags_are(&root, &[]).await;
    announced(&root, "Tag events removed").await;
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .unwrap();
    assert_eq!(active.id(), input.id(), "focus stays in the field");
}

#[wasm_bindgen_test]
async fn a_pasted_list_adds_each_tag_and_the_limit_is_refused_inline() {
    let root = mount(BOTH);
    let input = tag_input(&root).await;
    paste_text(&input, "a, b,, c");
    tags_are(&root, &["a", "b", "c"]).await;
    announced(&root, "Tag a added. Tag b added. Tag c added").await;

    // "a,b,c" is 5; 46 more with the comma would be 51.
    let long = "x".repeat(45);
    type_into(&root, "input[name=Tags]", &format!("{long},")).await;
    element(&root, "input[name=Tags][aria-invalid=true]").await;
    let error_id = format!("{}-error", input.id());
    let error = element(&root, &format!("#{error_id}")).await;
    assert_eq!(
        text_of(&error),
        "Error: Tags must be 50 characters or fewer, commas included"
    );
    assert!(input
        .get_attribute("aria-describedby")
        .unwrap()
        .contains(&error_id));
    assert_eq!(input.value(), long, "the refused tag stays typed");
    assert_eq!(shown_tags(&root), ["a", "b", "c"]);
    let count = element(&root, &format!("#{}-count", input.id())).await;
    assert_eq!(text_of(&count), "You have 1 character too many");
}

#[wasm_bindgen_test]
async fn tags_and_private_are_sent_and_their_server_errors_land_on_them() {
    stub_fetch(
        400,
        r#"{"Message":"Tags: is not allowed","Value":null,"Errors":[
            {"AttemptedValue":"events,food","Message":"is not allowed","PropertyName":"Tags"},
            {"AttemptedValue":true,"Message":"is not allowed on this board","PropertyName":"Private"}],
           "WasSuccessful":false}"#,
        "application/json",
    );
    let root = mount(BOTH);
    type_into(&root, "[name=Subject]", "Lunch").await;
    type_into(&root, "[name=Message]", "Tacos?").await;
    let input = tag_input(&root).await;
    paste_text(&input, "events, food");
    tags_are(&root, &["events", "food"]).await;
    click(&root, "input[name=Private]").await;
    click(&root, "button[type=submit]").await;

    let tags = element(&root, "input[name=Tags][aria-invalid=true]").await;
    let private = element(&root, "input[name=Private][aria-invalid=true]").await;
    let summary = element(&root, ".nsc-error-summary [role=alert]").await;
    let text = text_of(&summary);
    assert!(text.contains("Tags is not allowed"), "{text}");
    assert!(
        text.contains("Private conversation is not allowed on this board"),
        "{text}"
    );
    for field in [&tags, &private] {
        assert!(
            find(&summary, &format!("a[href=\"#{}\"]", field.id())).is_some(),
            "{}",
            field.id()
        );
    }
    let calls = fetch_calls();
    assert!(calls.contains(r#"\"Tags\":\"events,food\""#), "{calls}");
    assert!(calls.contains(r#"\"Private\":true"#), "{calls}");
    restore_fetch();
}

#[wasm_bindgen_test]
async fn fields_the_host_turned_off_are_neither_shown_nor_sent() {
    stub_fetch(400, r#"{"Message":"no","Errors":[]}"#, "application/json");
    let root = mount(ThreadFields {
        tags: false,
        private: false,
    });
    type_into(&root, "[name=Subject]", "Lunch").await;
    type_into(&root, "[name=Message]", "Tacos?").await;
    assert!(find(&root, "[name=Tags]").is_none());
    assert!(find(&root, "[name=Private]").is_none());
    click(&root, "button[type=submit]").await;
    element(&root, ".nsc-error-summary").await;
    let calls = fetch_calls();
    assert!(calls.contains("Subject"), "{calls}");
    assert!(
        !calls.contains("Tags") && !calls.contains("Private"),
        "{calls}"
    );
    restore_fetch();

    // By default: tags, and no private choice.
    let root = mount(ThreadFields::default());
    tag_input(&root).await;
    assert!(find(&root, "[name=Private]").is_none());
}

#[cfg(feature = "js-api")]
mod option {
    use js_sys::Function;
    use nexudus_start_conversation::js_api::read_options;
    use nexudus_start_conversation::ThreadFields;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::*;

    fn fields(source: &str) -> Result<ThreadFields, String> {
        let options = Function::new_no_args(&format!("return ({{ fields: {source} }});"))
            .call0(&JsValue::UNDEFINED)
            .unwrap();
        read_options(&options)
            .map(|props| props.fields)
            .map_err(|error| String::from(error.unchecked_into::<js_sys::Error>().message()))
    }

    const fn on(tags: bool, private: bool) -> ThreadFields {
        ThreadFields { tags, private }
    }

    #[wasm_bindgen_test]
    fn fields_take_an_object_or_a_list_of_names() {
        assert_eq!(fields("undefined"), Ok(on(true, false)));
        assert_eq!(fields("{ private: true }"), Ok(on(true, true)));
        assert_eq!(fields("{ tags: false }"), Ok(on(false, false)));
        assert_eq!(fields(r#""private""#), Ok(on(false, true)));
        assert_eq!(fields(r#""tags, private""#), Ok(on(true, true)));
        assert_eq!(fields(r#""none""#), Ok(on(false, false)));
    }

    #[wasm_bindgen_test]
    fn wrong_fields_are_type_errors_that_name_them() {
        for (source, named) in [
            ("{ tag: true }", "did you mean `tags`?"),
            (r#"{ private: "yes" }"#, "`fields.private`"),
            ("3", "`fields`"),
            ("[\"tags\"]", "`fields`"),
            (r#""tags privat""#, "did you mean `private`?"),
        ] {
            let message = fields(source).expect_err(source);
            assert!(message.contains(named), "{source}: {message}");
        }
    }
}
