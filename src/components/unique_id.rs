//! Ids unique within the page, for the panel's element ids and the chosen files' keys.

use std::cell::Cell;

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// A number unique within the page: instance prefixes and file keys.
pub fn next_id() -> u32 {
    NEXT_ID.with(|next| {
        let n = next.get();
        next.set(n.wrapping_add(1));
        n
    })
}
