//! Renders the panel's first frame to HTML with yew's `ssr`: `js/frames.js`.
//!
//! The npm package paints this markup (`js/paint.js`) while its .wasm loads, then the live
//! panel takes over. It is the component's own first render for the options a host gives
//! most often, one variant per thing that changes it: the mode (a fixed board, the board
//! picker, or attaching to a conversation) and whether members add files or links. Hosts
//! with other options (strings, limits, fields, a language pack, a saved draft…) get no
//! early paint, as before.
//!
//! `cargo run -p nexudus-prerender` rewrites `js/frames.js`; a test fails when the file is
//! not what the component renders now, so it never drifts from the component.
//!
//! Before writing, it checks what the JavaScript side relies on, and fails otherwise: the
//! ids a host gives do not change the markup, nor does how files are sent (an endpoint or
//! inline) or whether photos are cleaned.

use nexudus_start_conversation::i18n::{Msg, Strings};
use nexudus_start_conversation::photo::ImageSettings;
use nexudus_start_conversation::{FileSettings, StartConversation, StartConversationProps, Target};
use yew::{AttrValue, ServerRenderer};

/// The id prefix the frames carry; `js/paint.js` gives each painted frame its own. Live
/// panels count from 1 (`components/unique_id.rs`), so it never meets theirs.
const SHELL_PREFIX: &str = "nsc0-";

#[derive(Clone, Copy)]
enum Mode {
    /// `businessId`, `userId` and `groupId`.
    Start,
    /// `businessId` and `userId`: the member picks the board.
    Board,
    /// `threadId`.
    Attach,
}

#[derive(Clone, Copy, PartialEq)]
enum Files {
    /// No way to send a file: members give a link.
    Link,
    /// An upload endpoint (or an uploader).
    Endpoint,
    /// Files inline as `data:` URLs.
    Inline,
}

fn target(mode: Mode, ids: u64) -> Target {
    let (business_id, user_id) = (Some(ids), Some(ids * 10));
    match mode {
        Mode::Start => Target {
            business_id,
            user_id,
            group_id: Some(ids + 1),
            thread_id: None,
        },
        Mode::Board => Target {
            business_id,
            user_id,
            group_id: None,
            thread_id: None,
        },
        Mode::Attach => Target {
            thread_id: Some(ids * 1000),
            ..Target::default()
        },
    }
}

fn files(files: Files, images: bool) -> FileSettings {
    FileSettings {
        upload_endpoint: (files == Files::Endpoint).then(|| AttrValue::from("/uploads")),
        inline_files: files == Files::Inline,
        images: images.then(ImageSettings::default),
        ..FileSettings::default()
    }
}

/// The first frame for these settings, its id prefix made [`SHELL_PREFIX`].
async fn render(mode: Mode, ids: u64, delivery: Files, images: bool) -> Result<String, String> {
    // The props are built on the renderer's thread: they are not `Send`.
    let html = ServerRenderer::<StartConversation>::with_props(move || {
        yew::props!(StartConversationProps {
            target: target(mode, ids),
            files: files(delivery, images),
        })
    })
    .hydratable(false)
    .render()
    .await;
    let start = html.find("id=\"nsc").ok_or("the panel rendered no id")? + "id=\"".len();
    let end = html[start..].find('-').ok_or("an id without a prefix")? + start + 1;
    Ok(html.replace(&html[start..end], SHELL_PREFIX))
}

/// Each variant's key (as `js/paint.js` computes it) and its markup.
pub async fn variants() -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (mode, mode_key) in [
        (Mode::Start, "start"),
        (Mode::Board, "board"),
        (Mode::Attach, "attach"),
    ] {
        for (delivery, files_key) in [(Files::Link, "link"), (Files::Endpoint, "file")] {
            let html = render(mode, 1, delivery, true).await?;
            let key = format!("{mode_key} {files_key}");
            // What js/paint.js leaves out of its key must not change the frame.
            if render(mode, 7, delivery, true).await? != html {
                return Err(format!("{key}: the ids change the markup"));
            }
            if render(mode, 1, delivery, false).await? != html {
                return Err(format!("{key}: `images: false` changes the markup"));
            }
            if delivery == Files::Endpoint && render(mode, 1, Files::Inline, true).await? != html {
                return Err(format!("{key}: inline files change the markup"));
            }
            out.push((key, html));
        }
    }
    Ok(out)
}

/// The path of the generated module, from this crate's folder.
pub const MODULE_PATH: &str = "../js/frames.js";

/// The ES module `js/paint.js` imports: `FRAMES`, the markup by variant, and `BUSY`, the
/// component's own English progress line for a Post pressed in a frame, by mode.
pub fn module(frames: Vec<(String, String)>) -> String {
    let object: serde_json::Map<String, serde_json::Value> = frames
        .into_iter()
        .map(|(key, html)| (key, html.into()))
        .collect();
    let english = Strings::default();
    let busy = serde_json::json!({
        "start": english.get(Msg::Posting),
        "attach": english.get(Msg::Attaching),
    });
    format!(
        "// Generated by `cargo run -p nexudus-prerender` (prerender/src/lib.rs): the panel's\n\
         // first frame for each variant of js/paint.js, rendered by the component itself, and\n\
         // its progress line for a Post pressed in a frame.\n\
         export const FRAMES = {};\n\
         export const BUSY = {busy};\n",
        serde_json::Value::Object(object)
    )
}
