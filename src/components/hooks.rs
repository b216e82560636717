//! Small hooks of the panel: the boards list, the saved draft, and the chosen file with
//! its preview URL.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_file::ObjectUrl;
use wasm_bindgen::JsCast;
use web_sys::File;
use yew::prelude::*;

use super::board_picker::Boards;
use crate::api::json::to_js_object;
use crate::api::list::{groups_path, records, Group};
use crate::state::{Action, Draft, Recovery};
use crate::transport::{ApiClient, Cancellation, Method};

/// How many boards are read (the documented maximum page size is 1000).
const BOARDS_PAGE_SIZE: u32 = 200;

/// Fetches the boards once when `client` is given (start mode without a fixed board);
/// the request is cancelled if the panel goes away first.
#[hook]
pub fn use_boards(client: Option<ApiClient>) -> Boards {
    let boards = use_state(|| Boards::Loading);
    {
        let boards = boards.clone();
        let wanted = client.is_some();
        use_effect_with(wanted, move |_| {
            let cancel = Cancellation::default();
            if let Some(client) = client {
                let cancel = cancel.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = client
                        .fetch_json(
                            Method::GET,
                            &client.url(&groups_path(BOARDS_PAGE_SIZE)),
                            None,
                            &[],
                            &cancel,
                        )
                        .await;
                    if cancel.is_cancelled() {
                        return;
                    }
                    boards.set(match answer {
                        Ok(list) => Boards::Loaded(
                            records(&list, Group::read)
                                .into_iter()
                                .filter(Group::open_to_members)
                                .collect(),
                        ),
                        Err(_) => Boards::Failed,
                    });
                });
            }
            move || cancel.cancel()
        });
    }
    (*boards).clone()
}

fn session_storage() -> Option<web_sys::Storage> {
    // Storage may be disabled (privacy settings, sandboxed frames): then no draft.
    web_sys::window()?.session_storage().ok().flatten()
}

fn storage_key(key: &str) -> String {
    format!("nexudus-start-conversation:{key}")
}

/// Reads a saved draft and its recovery facts.
fn load_draft(key: &str) -> Option<(Draft, Recovery)> {
    let text = session_storage()?.get_item(&storage_key(key)).ok()??;
    let value = js_sys::JSON::parse(&text).ok()?;
    Some((Draft::read(&value), Recovery::read(&value)))
}

/// Saves the draft and the recovery facts (so a new mount after `destroy()` or a reload
/// looks before writing) as one object under `key`, or forgets it when there is nothing
/// to keep. Never the token, never a file. `false` when the browser refused it (a full
/// storage).
fn save_draft(key: &str, draft: &Draft, recovery: &Recovery) -> bool {
    let Some(storage) = session_storage() else {
        return true;
    };
    if draft.is_blank() && recovery.is_empty() {
        return storage.remove_item(&storage_key(key)).is_ok();
    }
    // Two plain objects merged in the browser: smaller in the wasm than serde's flatten.
    let saved = to_js_object(draft);
    if let Ok(object) = saved.clone().dyn_into::<js_sys::Object>() {
        js_sys::Object::assign(&object, &to_js_object(recovery).unchecked_into());
    }
    js_sys::JSON::stringify(&saved)
        .ok()
        .and_then(|text| text.as_string())
        .is_some_and(|text| storage.set_item(&storage_key(key), &text).is_ok())
}

/// Keeps the draft and the recovery facts in `sessionStorage` under the host's key:
/// restores them once on mount (`RestoreDraft`), then saves every change. When the
/// browser will not keep them (a full storage), it reports `DraftUnsaved`: the text then
/// stays in memory only, and the panel says so.
#[hook]
pub fn use_saved_draft(
    key: Option<AttrValue>,
    draft: &Draft,
    recovery: &Recovery,
    dispatch: Callback<Action>,
) {
    {
        let key = key.clone();
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            if let Some((draft, recovery)) = key.as_deref().and_then(load_draft) {
                dispatch.emit(Action::RestoreDraft(draft, recovery));
            }
        });
    }
    // The facts that are saved, as plain values: cheap to compare on every render.
    let facts = (
        recovery.posted,
        recovery.thread_may_exist,
        recovery.file_may_exist,
    );
    use_effect_with((key, draft.clone(), facts), move |(key, draft, facts)| {
        if let Some(key) = key {
            let facts = Recovery {
                posted: facts.0,
                thread_may_exist: facts.1,
                file_may_exist: facts.2,
                uploaded_url: None,
            };
            if !save_draft(key, draft, &facts) {
                dispatch.emit(Action::DraftUnsaved);
            }
        }
    });
}

/// The chosen file, kept in the browser, with an object URL for pictures. Dropping it
/// (replace, remove, unmount) revokes the URL.
pub struct ChosenFile {
    /// The key of the [`crate::state::FileMeta`] it belongs to.
    pub key: u32,
    /// The file.
    pub file: File,
    /// The preview URL, for pictures.
    pub preview: Option<ObjectUrl>,
}

impl ChosenFile {
    /// Keeps `file` under `key`, with a preview URL when it is a picture.
    pub fn new(key: u32, file: File) -> ChosenFile {
        let preview = file
            .type_()
            .starts_with("image/")
            .then(|| ObjectUrl::from(file.clone().unchecked_into::<web_sys::Blob>()));
        ChosenFile { key, file, preview }
    }
}

/// The slot that holds the chosen file.
pub type FileSlot = Rc<RefCell<Option<ChosenFile>>>;
