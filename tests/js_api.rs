//! The JavaScript API in a browser (`cargo test --target wasm32-unknown-unknown`): what
//! each option becomes in `StartConversationProps`, how the host's functions are called,
//! and what `mount`, `update` and `destroy` do to the page.
#![cfg(all(target_arch = "wasm32", feature = "js-api"))]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use yew::Callback;

use nexudus_start_conversation::config::Created;
use nexudus_start_conversation::i18n::{Locale, Msg};
use nexudus_start_conversation::js_api::{mount, read_options};
use nexudus_start_conversation::upload::UploadError;
use nexudus_start_conversation::{BearerToken, TokenSource};

wasm_bindgen_test_configure!(run_in_browser);

fn options(source: &str) -> JsValue {
    Function::new_no_args(&format!("return ({source});"))
        .call0(&JsValue::UNDEFINED)
        .unwrap()
}

fn global(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &name.into()).unwrap()
}

fn type_error_message(source: &str) -> String {
    let error = read_options(&options(source)).err().expect("a TypeError");
    assert!(error.is_instance_of::<js_sys::TypeError>(), "{error:?}");
    String::from(error.unchecked_into::<js_sys::Error>().message())
}

#[wasm_bindgen_test]
fn numbers_strings_limits_and_locale_map_onto_the_props() {
    let props = read_options(&options(
        r#"{ baseUrl: "http://127.0.0.1:8787/", businessId: "12", userId: 10,
             threadId: 1001, groupId: " 2 ", timeoutMs: 5000, draftKey: "d",
             conversationUrl: "/threads/{id}", locale: "fr-CA",
             strings: { submitStart: "Publier !" },
             limits: { maxBytes: "2048", accept: "image/*, .pdf" } }"#,
    ))
    .unwrap();
    assert_eq!(props.api.base_url.as_str(), "http://127.0.0.1:8787");
    assert_eq!(props.target.business_id, Some(12));
    assert_eq!(props.target.user_id, Some(10));
    assert_eq!(props.target.thread_id, Some(1001));
    assert_eq!(props.target.group_id, Some(2));
    assert_eq!(props.api.timeout_ms, 5000);
    assert_eq!(props.draft_key.as_deref(), Some("d"));
    assert_eq!(props.conversation_url.as_deref(), Some("/threads/{id}"));
    assert_eq!(props.strings.locale(), Locale::Fr);
    assert_eq!(props.strings.get(Msg::SubmitStart), "Publier !");
    // The French texts are a pack the npm entry hands over as `strings`; the wasm alone
    // names the language and shows English for what no override gives.
    assert_eq!(props.strings.get(Msg::SubmitAttach), "Attach file");
    assert_eq!(props.files.limits.max_bytes, 2048);
    assert_eq!(props.files.limits.accept, vec!["image/*", ".pdf"]);
    let props = read_options(&options(r#"{ limits: { accept: ["a/b", ".c, .d"] } }"#)).unwrap();
    assert_eq!(props.files.limits.accept, vec!["a/b", ".c", ".d"]);
    assert_eq!(
        props.files.limits.max_bytes,
        nexudus_start_conversation::config::DEFAULT_MAX_BYTES
    );
}

#[wasm_bindgen_test]
fn wrong_options_are_type_errors_that_name_them() {
    for (source, named) in [
        (r#"{ businessId: "abc" }"#, "`businessId`"),
        (r#"{ threadId: 0 }"#, "`threadId`"),
        (r#"{ baseUrl: "http://example.com" }"#, "`baseUrl`"),
        (r#"{ baseUrl: "javascript:alert(1)" }"#, "`baseUrl`"),
        (r#"{ token: "x", getToken: async () => "y" }"#, "`getToken`"),
        (r#"{ token: 42 }"#, "`token`"),
        (r#"{ strings: { nope: "x" } }"#, "`nope`"),
        (r#"{ locale: "ja" }"#, "`locale`"),
        (r#"{ limits: { maxBytes: -1 } }"#, "`limits.maxBytes`"),
        (r#"{ limits: { size: 1 } }"#, "`size`"),
        (r#"{ upload: "https://x" }"#, "`upload`"),
        (r#"{ onCreated: true }"#, "`onCreated`"),
        (
            r#"{ conversationUrl: "javascript:alert({id})" }"#,
            "`conversationUrl`",
        ),
        (r#"{ timeoutMs: 1e12 }"#, "`timeoutMs`"),
        (r#"{ buisnessId: 1 }"#, "`businessId`"),
    ] {
        let message = type_error_message(source);
        assert!(message.contains(named), "{source}: {message}");
        assert!(
            message.starts_with("nexudus-start-conversation: "),
            "{message}"
        );
    }
    // The token's value is never echoed.
    let message = type_error_message(r#"{ token: { secret: "s3cret" } }"#);
    assert!(!message.contains("s3cret"), "{message}");
}

#[wasm_bindgen_test]
async fn get_token_is_called_with_refresh_and_awaited() {
    let props = read_options(&options(
        r#"{ getToken: async ({ refresh }) => { globalThis.__nscRefresh = refresh; return refresh ? " fresh " : "cached"; } }"#,
    ))
    .unwrap();
    let TokenSource::Provider(provider) = props.api.token else {
        panic!("getToken should give a provider");
    };
    let token = provider(true).await.unwrap();
    assert_eq!(token, BearerToken::new("fresh"));
    assert_eq!(global("__nscRefresh"), JsValue::TRUE);
    assert_eq!(provider(false).await.unwrap(), BearerToken::new("cached"));

    let props = read_options(&options(r#"{ getToken: () => "" }"#)).unwrap();
    let TokenSource::Provider(provider) = props.api.token else {
        panic!("getToken should give a provider");
    };
    assert!(provider(false).await.is_err());
}

#[wasm_bindgen_test]
async fn the_uploader_gets_the_file_progress_and_signal() {
    let props = read_options(&options(
        r#"{ upload: async (file, { onProgress, signal }) => {
               globalThis.__nscUpload = { name: file.name, signal };
               onProgress(5, 10);
               return " https://storage.example/" + file.name + " ";
           } }"#,
    ))
    .unwrap();
    let uploader = props.files.uploader.expect("an uploader");
    let file =
        web_sys::File::new_with_str_sequence(&js_sys::Array::of1(&"hi".into()), "a.txt").unwrap();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let progress = {
        let seen = Rc::clone(&seen);
        Callback::from(move |step: (f64, f64)| seen.borrow_mut().push(step))
    };
    let controller = web_sys::AbortController::new().unwrap();
    let url = (uploader.0)(file, progress, controller.signal()).await;
    assert_eq!(url.as_deref(), Ok("https://storage.example/a.txt"));
    assert_eq!(*seen.borrow(), vec![(5.0, 10.0)]);
    let upload = global("__nscUpload");
    assert_eq!(Reflect::get(&upload, &"name".into()).unwrap(), "a.txt");
    assert_eq!(
        Reflect::get(&upload, &"signal".into()).unwrap(),
        JsValue::from(controller.signal())
    );

    let props = read_options(&options(
        r#"{ upload: async () => { throw new Error("quota exceeded"); } }"#,
    ))
    .unwrap();
    let file = web_sys::File::new_with_str_sequence(&js_sys::Array::new(), "b.txt").unwrap();
    let controller = web_sys::AbortController::new().unwrap();
    let failed =
        (props.files.uploader.unwrap().0)(file, Callback::noop(), controller.signal()).await;
    assert_eq!(failed, Err(UploadError::Host("quota exceeded".to_owned())));
}

#[wasm_bindgen_test]
fn callbacks_receive_plain_objects() {
    let props = read_options(&options(
        r#"{ onCreated: (created) => { globalThis.__nscCreated = created; } }"#,
    ))
    .unwrap();
    props.host.on_created.emit(Created {
        thread_id: 5001,
        file_id: None,
        file_ids: Vec::new(),
    });
    let created = global("__nscCreated");
    assert_eq!(
        Object::get_prototype_of(&created),
        Object::get_prototype_of(&Object::new().into())
    );
    assert_eq!(Reflect::get(&created, &"threadId".into()).unwrap(), 5001);
    assert_eq!(
        Reflect::get(&created, &"fileId".into()).unwrap(),
        JsValue::NULL
    );
    let file_ids = Reflect::get(&created, &"fileIds".into()).unwrap();
    assert!(js_sys::Array::is_array(&file_ids));
    assert_eq!(js_sys::Array::from(&file_ids).length(), 0);
}

fn element() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    element
}

#[wasm_bindgen_test]
fn an_element_holds_one_panel_until_it_is_destroyed() {
    let host = element();
    let handle = mount(
        host.clone().into(),
        options(r#"{ businessId: 1, userId: 10 }"#),
    )
    .unwrap();
    assert!(host.query_selector(".nsc-root").unwrap().is_some());
    let Err(again) = mount(host.clone().into(), JsValue::UNDEFINED) else {
        panic!("a second panel in one element");
    };
    assert!(again.is_instance_of::<js_sys::TypeError>());
    // Another element is free.
    let other = mount(element().into(), JsValue::UNDEFINED).unwrap();

    let unknown = handle
        .update(options(r#"{ tokn: "x" }"#))
        .expect_err("a TypeError");
    let message = String::from(unknown.unchecked_into::<js_sys::Error>().message());
    assert!(message.contains("did you mean `token`?"), "{message}");
    handle
        .update(options(r#"{ token: "t", locale: "fr" }"#))
        .unwrap();
    // A getToken replaces the token rather than clashing with it.
    handle
        .update(options(r#"{ getToken: () => "u" }"#))
        .unwrap();
    handle
        .update(options(r#"{ upload: async () => "https://x.example/f" }"#))
        .unwrap();
    handle
        .update(options(
            r#"{ uploadEndpoint: "https://x.example/uploads" }"#,
        ))
        .unwrap();

    handle.destroy();
    handle.destroy();
    assert!(handle.destroyed());
    assert!(host.query_selector(".nsc-root").unwrap().is_none());
    assert!(handle.update(options("{ locale: \"en\" }")).is_err());
    let remounted = mount(host.into(), JsValue::UNDEFINED).unwrap();
    remounted.destroy();
    other.destroy();
}

#[wasm_bindgen_test]
fn both_of_a_pair_is_a_type_error() {
    for (source, named) in [
        (
            r#"{ upload: () => "u", uploadEndpoint: "https://x.example/u" }"#,
            "`uploadEndpoint`",
        ),
        (r#"{ token: "t", getToken: () => "u" }"#, "`getToken`"),
    ] {
        let message = type_error_message(source);
        assert!(message.contains(named), "{message}");
    }
}

#[wasm_bindgen_test]
fn images_take_settings_or_false_and_name_a_wrong_key() {
    use nexudus_start_conversation::photo::ImageSettings;
    let images = |source: &str| read_options(&options(source)).unwrap().files.images;
    assert_eq!(images("{}"), Some(ImageSettings::default()));
    assert_eq!(images("{ images: false }"), None);
    assert_eq!(images("{ images: true }"), Some(ImageSettings::default()));
    assert_eq!(
        images(r#"{ images: { maxDimension: "1024", quality: 0.5, keepMetadata: true } }"#),
        ImageSettings::new(1024, 0.5, true).ok()
    );
    for (source, expected) in [
        (
            "{ images: { quality: 2 } }",
            "option `images`: `quality` must be a number from 0.3 to 1, got 2",
        ),
        (
            "{ images: { maxDimension: 100 } }",
            "option `images`: `maxDimension` must be a whole number of pixels from 320 to 8192, got 100",
        ),
        ("{ images: { maxDimensions: 100 } }", "did you mean `maxDimension`?"),
        ("{ images: \"small\" }", "option `images` must be an object"),
        ("{ images: { keepMetadata: 1 } }", "option `images.keepMetadata` must be true or false"),
    ] {
        let message = type_error_message(source);
        assert!(message.contains(expected), "{source}: {message}");
    }
}
