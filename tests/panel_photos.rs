//! Photos in the panel (wasm-bindgen-test in headless Chromium): a phone photo with GPS
//! chosen in the panel is prepared ("Preparing photo…"), a submit meanwhile waits for it,
//! and the card then says what the cleaner did while the upload takes the cleaned copy.
#![cfg(target_arch = "wasm32")]

mod support;

use js_sys::{Array, Uint8Array};
use nexudus_start_conversation::{FileSettings, StartConversation, StartConversationProps, Target};
use std::time::Duration;
use support::images::{draw_photo, with_exif};
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{DataTransfer, Element, File, FilePropertyBag, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const ENDPOINT: &str = "https://api.invalid/uploads";

/// Attach mode, uploading to [`ENDPOINT`] (every request answered by `stub_fetch`).
fn panel(images: bool) -> Element {
    let mut files = FileSettings {
        upload_endpoint: Some(ENDPOINT.into()),
        ..FileSettings::default()
    };
    if !images {
        files.images = None;
    }
    let props = yew::props!(StartConversationProps {
        api: offline_api(),
        target: Target {
            thread_id: Some(1001),
            ..Target::default()
        },
        files,
    });
    let root = fresh_root();
    yew::Renderer::<StartConversation>::with_root_and_props(root.clone(), props).render();
    root
}

/// A 3200×2400 JPEG a phone took turned (EXIF orientation 6), with its GPS position.
async fn phone_photo() -> File {
    let object = |json: &str| js_sys::JSON::parse(json).expect("test JSON");
    let jpeg: Uint8Array = JsFuture::from(draw_photo(&object(
        r#"{"width": 3200, "height": 2400, "orientation": 6}"#,
    )))
    .await
    .expect("the picture is drawn")
    .unchecked_into();
    let jpeg = with_exif(&jpeg, &object(r#"{"orientation": 6}"#));
    let options = FilePropertyBag::new();
    options.set_type("image/jpeg");
    File::new_with_u8_array_sequence_and_options(&Array::of1(&jpeg), "rooftop.jpg", &options)
        .expect("a File")
}

/// Chooses `file` in the panel's file input, as a member would.
async fn choose(root: &Element, file: &File) {
    let input: HtmlInputElement = element(root, "input[type=file]").await.unchecked_into();
    let transfer = DataTransfer::new().expect("a DataTransfer");
    transfer
        .items()
        .add_with_file(file)
        .expect("the file added");
    input.set_files(transfer.files().as_ref());
    let change = web_sys::Event::new_with_event_init_dict("change", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("an event");
    input.dispatch_event(&change).expect("dispatched");
}

fn note(root: &Element) -> Option<String> {
    find(root, ".nsc-file-card__note").map(|note| text_of(&note))
}

fn preview(root: &Element) -> Option<String> {
    find(root, ".nsc-file-card__preview").and_then(|img| img.get_attribute("src"))
}

#[wasm_bindgen_test]
async fn a_gps_photo_is_prepared_and_a_submit_waits_for_it() {
    stub_fetch(500, "{}", "application/json");
    let root = panel(true);
    let photo = phone_photo().await;
    let original_size = photo.size() as u64;
    choose(&root, &photo).await;

    let at_first = wait_for("Preparing photo…", Duration::from_secs(10), || {
        (note(&root)? == "Preparing photo…").then(|| preview(&root))
    })
    .await;
    // Still preparing (this runs in the task that saw it): the submit must wait.
    click(&root, "button[type=submit]").await;
    assert_eq!(
        fetch_calls(),
        "[]",
        "nothing is sent while the photo is prepared"
    );

    let said = wait_for("the cleaned photo's note", Duration::from_secs(20), || {
        note(&root).filter(|note| note.starts_with("location data removed · "))
    })
    .await;
    assert!(said.contains(" MB → ") || said.contains(" KB → "), "{said}");
    assert_ne!(
        preview(&root),
        at_first,
        "the preview shows the cleaned copy"
    );

    // The waiting submit went on with the cleaned copy: its size is what it asks to upload.
    let calls = wait_for("the upload request", Duration::from_secs(10), || {
        let calls = fetch_calls();
        calls.contains(ENDPOINT).then_some(calls)
    })
    .await;
    restore_fetch();
    let field = |value: &JsValue, key: &str| js_sys::Reflect::get(value, &key.into()).ok();
    let first = js_sys::JSON::parse(&calls)
        .ok()
        .and_then(|calls| field(&calls, "0"))
        .and_then(|call| field(&call, "body")?.as_string())
        .and_then(|body| js_sys::JSON::parse(&body).ok())
        .expect("the upload request's JSON body");
    let sent = field(&first, "size")
        .and_then(|n| n.as_f64())
        .expect("a size") as u64;
    assert!(sent < original_size, "{sent} < {original_size}");
    assert_eq!(
        field(&first, "fileName")
            .and_then(|n| n.as_string())
            .as_deref(),
        Some("rooftop.jpg")
    );
}

#[wasm_bindgen_test]
async fn with_images_off_a_photo_is_taken_as_it_is() {
    let root = panel(false);
    choose(&root, &phone_photo().await).await;
    element(&root, ".nsc-file-card__preview").await;
    assert_eq!(note(&root), None);
}

fn named_file(bytes: &[u8], name: &str, mime: &str) -> File {
    let options = FilePropertyBag::new();
    options.set_type(mime);
    File::new_with_u8_array_sequence_and_options(
        &Array::of1(&Uint8Array::from(bytes)),
        name,
        &options,
    )
    .expect("a File")
}

/// Issue 22: a picture nothing can vouch for waits on its card for the member's choice;
/// Post is refused meanwhile (the summary says why), and "Send as it is" lets it go.
#[wasm_bindgen_test]
async fn a_picture_nothing_vouches_for_waits_for_the_members_choice() {
    stub_fetch(500, "{}", "application/json");
    let root = panel(true);
    // A RIFF/WEBP whose first chunk runs past the end of the file.
    let mut webp = b"RIFF\x40\0\0\0WEBPVP8 \xff\xff\0\0GPS 48.8582 N".to_vec();
    webp.resize(0x48, b'x');
    choose(&root, &named_file(&webp, "odd.webp", "image/webp")).await;
    wait_for("the choice", Duration::from_secs(10), || {
        note(&root).filter(|note| note.contains("could not be checked for location data"))
    })
    .await;
    click(&root, "button[type=submit]").await;
    let summary = element(&root, ".nsc-error-summary").await;
    assert!(
        text_of(&summary).contains("Choose whether to send this photo as it is, or remove it"),
        "{}",
        text_of(&summary)
    );
    assert_eq!(
        fetch_calls(),
        "[]",
        "nothing is sent before the member chose"
    );

    click(&root, ".nsc-file-card__choice").await;
    wait_for("the note after the choice", Duration::from_secs(5), || {
        note(&root).filter(|note| note == "sent as it is, not checked for location data")
    })
    .await;
    click(&root, "button[type=submit]").await;
    wait_for("the upload request", Duration::from_secs(10), || {
        fetch_calls().contains(ENDPOINT).then_some(())
    })
    .await;
    restore_fetch();
}

/// Issue 22: a HEIC photo is refused on its card while cleaning is on, and blocks Post.
#[wasm_bindgen_test]
async fn a_heic_photo_is_refused_on_its_card_and_blocks_post() {
    stub_fetch(500, "{}", "application/json");
    let root = panel(true);
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0more bytes of a photo";
    choose(&root, &named_file(heic, "IMG_0001.HEIC", "image/heic")).await;
    let refused = "This photo’s format (HEIC or AVIF) cannot be cleaned of its location data here";
    wait_for("the refusal", Duration::from_secs(10), || {
        find(&root, ".nsc-attachment")
            .map(|field| text_of(&field))
            .filter(|text| text.contains(refused))
    })
    .await;
    click(&root, "button[type=submit]").await;
    let summary = element(&root, ".nsc-error-summary").await;
    assert!(text_of(&summary).contains(refused), "{}", text_of(&summary));
    assert_eq!(fetch_calls(), "[]");
    restore_fetch();
}
