//! The draft and its recovery facts, kept in `sessionStorage` across reloads.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::api::json::to_js_object;
use crate::draft_claim::DraftClaim;
use crate::state::{Action, Draft, Recovery};

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
    // Held while the panel lives with this key; a second live panel with the same key
    // reads the draft but never writes it (see `crate::draft_claim`).
    let claim = use_memo(key.clone(), |key| key.as_deref().map(DraftClaim::take));
    let owned = claim.as_ref().as_ref().is_none_or(DraftClaim::owned);
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
        recovery.files.clone(),
        recovery.missing.clone(),
        recovery.keys.clone(),
    );
    use_effect_with((key, draft.clone(), facts), move |(key, draft, facts)| {
        if let Some(key) = key.as_ref().filter(|_| owned) {
            let facts = Recovery {
                posted: facts.0,
                thread_may_exist: facts.1,
                files: facts.2.clone(),
                missing: facts.3.clone(),
                keys: facts.4.clone(),
                uploaded: Vec::new(),
            };
            if !save_draft(key, draft, &facts) {
                dispatch.emit(Action::DraftUnsaved);
            }
        }
    });
}
