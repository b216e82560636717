//! The conversation's optional fields, which the host turns on or off ([`ThreadFields`]):
//! its tags and whether it is private; and the tags' rules.
//!
//! Tags are trimmed and lose their invisible characters; empty tags and duplicates are
//! dropped, tags being compared after Unicode normalisation (NFKC) and ignoring case, so
//! "Café" typed with a combining accent, or with a zero-width space, is "café"; a comma
//! ends a tag, so none holds one. The work is linear in what is typed or pasted: each
//! piece is folded once and looked up among the folded tags, kept sorted. Joined with commas (`"a,b,c"`, the API's form) they may be
//! at most [`MAX_TAGS_CHARS`] long, counted as the browser counts (UTF-16 code units):
//! the limit of the board's own form in the Members Portal.

use super::checks::is_invisible;
use super::{is_blank_text, Draft, FormState, Mode};
use crate::api::Field;
use crate::i18n::{Msg, Strings};

/// The most characters the tags may have, joined by commas: the portal form's limit.
pub const MAX_TAGS_CHARS: usize = 50;

/// The most characters kept typed in the tag input (its `maxlength`, and the cut of a
/// paste): 200 times what can be sent (a paste of 1000 short tags fits), and the work
/// on them is linear, so a keystroke stays fast (BENCHMARKS.md).
pub const MAX_PENDING_TAG_CHARS: usize = 10_000;

/// Which of the conversation's optional fields the panel shows, and so sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadFields {
    /// Tags (`Tags`); on by default, as in the portal's own form.
    pub tags: bool,
    /// The "make this conversation private" choice (`Private`); off by default, since
    /// who may see a private conversation is the space's to decide.
    pub private: bool,
}

impl Default for ThreadFields {
    fn default() -> Self {
        ThreadFields {
            tags: true,
            private: false,
        }
    }
}

impl ThreadFields {
    /// The fields the panel shows in `mode` (onto which server errors may map): the
    /// mode's own, and these when it starts a conversation.
    pub fn shown(self, mode: Mode, attachment_chosen: bool) -> Vec<Field> {
        let mut shown = mode.fields(attachment_chosen).to_vec();
        if matches!(mode, Mode::Start { .. }) {
            shown.extend(self.tags.then_some(Field::Tags));
            shown.extend(self.private.then_some(Field::Private));
        }
        shown
    }
}

/// What the tag input's live region says after a change of the tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagNotice {
    /// These tags were added.
    Added(Vec<String>),
    /// This tag was removed.
    Removed(String),
}

/// The length of `tags` joined by commas, in UTF-16 code units.
pub fn joined_length(tags: &[String]) -> usize {
    let commas = tags.len().saturating_sub(1);
    commas
        + tags
            .iter()
            .map(|tag| tag.encode_utf16().count())
            .sum::<usize>()
}

/// The tags `text` names: its comma-separated pieces, trimmed, without blank ones.
fn pieces(text: &str) -> impl Iterator<Item = &str> {
    text.split(',')
        .map(str::trim)
        .filter(|piece| !is_blank_text(piece))
}

/// `tag` without its invisible characters: what is kept and sent.
fn visible(tag: &str) -> String {
    tag.chars().filter(|&c| !is_invisible(c)).collect()
}

/// `tag` as tags are compared: without invisible characters, normalised (NFKC) and in
/// lower case. In wasm with the browser's `normalize` and `toLowerCase` (Rust's Unicode
/// tables would add to the package; they follow the same Unicode data), natively with
/// the `unicode-normalization` crate and Rust's own lower case.
fn folded(tag: &str) -> String {
    let tag = visible(tag);
    #[cfg(target_arch = "wasm32")]
    return String::from(
        js_sys::JsString::from(tag)
            .normalize("NFKC")
            .to_lower_case(),
    );
    #[cfg(not(target_arch = "wasm32"))]
    return unicode_normalization::UnicodeNormalization::nfkc(tag.as_str())
        .collect::<String>()
        .to_lowercase();
}

/// The folded tags, sorted for look-ups: each new piece then costs one fold and a
/// binary search, not a fold of every tag (1000 pasted tags made every keystroke of the
/// form take 180 to 330 ms).
struct Folded(Vec<String>);

impl Folded {
    fn of(tags: &[String]) -> Folded {
        // Inserted one by one rather than sorted: the tags added are few (50 characters
        // in all), and the slice sort would add 3.7 KB to the wasm.
        let mut keys = Folded(Vec::with_capacity(tags.len()));
        for tag in tags {
            keys.insert(tag);
        }
        keys
    }

    /// Takes in `tag`'s key; `false` when one like it was already there.
    fn insert(&mut self, tag: &str) -> bool {
        let key = folded(tag);
        match self.0.binary_search(&key) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, key);
                true
            }
        }
    }
}

/// Adds each tag `text` names that `tags` lacks, in order, and returns those added. At
/// the first that would take the tags past [`MAX_TAGS_CHARS`] it stops, and also returns
/// the text of that tag and those after it, so nothing typed is lost.
pub fn add_tags(tags: &mut Vec<String>, text: &str) -> (Vec<String>, Option<String>) {
    let mut added = Vec::new();
    let mut held = Folded::of(tags);
    let mut length = joined_length(tags);
    let mut pieces = pieces(text);
    while let Some(piece) = pieces.next() {
        let tag = visible(piece);
        let key = folded(&tag);
        let Err(at) = held.0.binary_search(&key) else {
            continue;
        };
        let longer = length + usize::from(!tags.is_empty()) + tag.encode_utf16().count();
        if longer > MAX_TAGS_CHARS {
            let left: Vec<&str> = std::iter::once(piece).chain(pieces).collect();
            return (added, Some(left.join(", ")));
        }
        held.0.insert(at, key);
        length = longer;
        tags.push(tag.clone());
        added.push(tag);
    }
    (added, None)
}

impl Draft {
    /// The tags to send: those added, and those still typed in the input as if added.
    pub fn tags_to_send(&self) -> Vec<String> {
        let mut tags = self.tags.clone();
        let mut held = Folded::of(&tags);
        for piece in pieces(&self.tag_text) {
            let tag = visible(piece);
            if held.insert(&tag) {
                tags.push(tag);
            }
        }
        tags
    }
}

impl FormState {
    /// Takes in the tag input's `text`: each tag before its last comma (all of them
    /// with `commit`, on Enter) is added, and the rest stays typed. A tag that would
    /// pass the limit stays typed too, with `too_long` as the field's error (the reducer
    /// has no strings).
    pub(super) fn edit_tags(&mut self, text: &str, commit: bool, too_long: String) {
        self.errors.clear_field(Field::Tags);
        let text = match text.char_indices().nth(MAX_PENDING_TAG_CHARS) {
            Some((cut, _)) => &text[..cut],
            None => text,
        };
        let (done, rest) = match text.rsplit_once(',') {
            _ if commit => (text, ""),
            Some((done, rest)) => (done, rest.trim_start()),
            None => ("", text),
        };
        let (added, left) = add_tags(&mut self.draft.tags, done);
        if !added.is_empty() {
            self.tag_notice = Some(TagNotice::Added(added));
        }
        self.draft.tag_text = match left {
            Some(left) => {
                self.errors.push_field(Field::Tags, too_long);
                [left.as_str(), rest].join(if rest.is_empty() { "" } else { ", " })
            }
            None => rest.to_owned(),
        };
    }

    /// Removes the tag at `index` (a stale index changes nothing).
    pub(super) fn remove_tag(&mut self, index: usize) {
        if index < self.draft.tags.len() {
            let removed = self.draft.tags.remove(index);
            self.tag_notice = Some(TagNotice::Removed(removed));
            self.errors.clear_field(Field::Tags);
        }
    }
}

/// The message for tags past their limit.
pub fn tags_too_long(strings: &Strings) -> String {
    strings.fill(Msg::TagsTooLong, &[("max", &MAX_TAGS_CHARS.to_string())])
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "tags_tests.rs"]
mod tests;
