//! A new idempotency key: a UUID v4 from the browser's `crypto.randomUUID()`.

/// A new key, or `None` where the browser has no `crypto.randomUUID()` (an old browser,
/// or a page not served over https: it exists only in secure contexts). The write then
/// goes without a key, and the look-ups before every repeat are all that guard it.
///
/// ```no_run
/// if let Some(key) = nexudus_start_conversation::transport::new_key() {
///     assert_eq!(key.len(), 36);
/// }
/// ```
pub fn new_key() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    // `randomUUID` is missing outside secure contexts: calling it would throw.
    let has_it = js_sys::Reflect::has(&crypto, &"randomUUID".into()).unwrap_or(false);
    has_it.then(|| crypto.random_uuid())
}
