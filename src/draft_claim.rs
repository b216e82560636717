//! One live panel per `draftKey` in a page: the first panel mounted with a key claims it,
//! and only the claiming panel writes the saved draft (its text, its "may exist" marks, its
//! idempotency keys). A second live panel with the same key says so on the console, keeps
//! its draft in memory only, and so never overwrites the first one's marks, which would
//! let a retry after a reload create a second conversation.
//!
//! Liveness without timers: the claims are a `Set` of keys on the page's top window (the
//! document whose `sessionStorage` the panels share, same-origin frames included), added
//! when a panel mounts and removed when it goes ([`Drop`], which `destroy()` and an
//! unmount run). A reload starts with a new window, so a claim never outlives its page.
//! Two tabs never conflict: each tab has its own `sessionStorage`.

use wasm_bindgen::{JsCast, JsValue};

use crate::js_api::messages::PREFIX;

/// The claims' property on the top window: a global symbol, the same in every copy of
/// the package and every same-origin frame.
const REGISTRY: &str = "nexudus-start-conversation/draft-keys";

/// A panel's hold on its `draftKey`; released on drop.
///
/// ```no_run
/// use nexudus_start_conversation::draft_claim::DraftClaim;
/// let first = DraftClaim::take("demo");
/// let second = DraftClaim::take("demo"); // warns on the console
/// assert!(first.owned() && !second.owned());
/// drop(first); // the key is free for the next panel
/// ```
#[derive(Debug)]
pub struct DraftClaim {
    key: String,
    /// Whether this panel may write the saved draft.
    owned: bool,
    /// The set it was added to, when this panel holds the key (to remove it on drop).
    held: Option<js_sys::Set>,
}

impl DraftClaim {
    /// Claims `draft_key` for this panel; warns on the console when another live panel of
    /// this page holds it. Where no page is reachable (no window), the claim is held: there
    /// is no other panel to share the storage with.
    pub fn take(draft_key: &str) -> DraftClaim {
        let Some(claims) = registry() else {
            return DraftClaim {
                key: draft_key.to_owned(),
                owned: true,
                held: None,
            };
        };
        let key = JsValue::from_str(draft_key);
        if claims.has(&key) {
            web_sys::console::warn_1(
                &format!(
                    "{PREFIX}: another live panel on this page uses draftKey \"{draft_key}\". \
                     This panel keeps its draft in memory only and leaves that panel's saved \
                     draft alone; give each panel its own draftKey."
                )
                .into(),
            );
            return DraftClaim {
                key: draft_key.to_owned(),
                owned: false,
                held: None,
            };
        }
        claims.add(&key);
        DraftClaim {
            key: draft_key.to_owned(),
            owned: true,
            held: Some(claims),
        }
    }

    /// Whether this panel may write the saved draft: it holds the key, or there is no
    /// page to share it with.
    pub fn owned(&self) -> bool {
        self.owned
    }
}

impl Drop for DraftClaim {
    fn drop(&mut self) {
        if let Some(claims) = self.held.take() {
            claims.delete(&JsValue::from_str(&self.key));
        }
    }
}

/// The claims of this page: on the top window when it is of this origin (frames share its
/// `sessionStorage`), else on this window. Created on first use.
fn registry() -> Option<js_sys::Set> {
    let window = web_sys::window()?;
    let symbol = JsValue::from(js_sys::Symbol::for_(REGISTRY));
    // A cross-origin top window throws on any property read: then this window it is.
    let home: JsValue = window
        .top()
        .ok()
        .flatten()
        .map(JsValue::from)
        .filter(|top| js_sys::Reflect::get(top, &symbol).is_ok())
        .unwrap_or_else(|| window.into());
    // Not `dyn_into`: a set made by a frame's script is no `instanceof` this realm's Set.
    if let Some(set) = js_sys::Reflect::get(&home, &symbol)
        .ok()
        .filter(JsValue::is_object)
    {
        return Some(set.unchecked_into());
    }
    let set = js_sys::Set::new(&JsValue::UNDEFINED);
    js_sys::Reflect::set(&home, &symbol, &set).ok()?;
    Some(set)
}
