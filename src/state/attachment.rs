//! The attachment as chosen: a file (kept in the browser, described here) or a link, and
//! the names and messages that come from a file.

use super::FormState;
use crate::config::{human_size, FileRefusal, Limits};
use crate::i18n::{Msg, Strings};

/// A file the member chose; the file itself stays in the browser, keyed by `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// Identifies the browser-side file (a new key for every choice).
    pub key: u32,
    /// The file's name.
    pub name: String,
    /// Its MIME type, possibly empty.
    pub mime: String,
    /// Its size in bytes.
    pub size: u64,
}

impl FileMeta {
    /// Whether the browser can show it as a picture.
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

/// The attachment as chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Attachment {
    /// None.
    #[default]
    None,
    /// A file from the member's device.
    File(FileMeta),
    /// A link (the text is in [`super::Draft::link`]): the member gives a link rather
    /// than choosing a file.
    Link,
}

impl FormState {
    /// Whether the member is giving a link rather than choosing a file.
    pub fn gives_link(&self) -> bool {
        self.attachment == Attachment::Link
    }

    /// Whether the display name is still the one taken from the chosen file.
    pub(super) fn name_came_from_file(&self) -> bool {
        match &self.attachment {
            Attachment::File(meta) => self.draft.name == display_name(&meta.name),
            _ => false,
        }
    }
}

/// The client-side message for a refused file.
pub fn refusal_message(refusal: FileRefusal, limits: &Limits, strings: &Strings) -> String {
    match refusal {
        FileRefusal::Empty => strings.get(Msg::FileEmpty).to_owned(),
        FileRefusal::TooLarge => {
            strings.fill(Msg::FileTooLarge, &[("max", &human_size(limits.max_bytes))])
        }
        FileRefusal::WrongType => {
            strings.fill(Msg::FileWrongType, &[("types", &limits.accept.join(", "))])
        }
    }
}

/// A display name from a file name: without its extension, unless that leaves nothing.
pub fn display_name(file_name: &str) -> String {
    let name = file_name.trim();
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem.trim().to_owned(),
        _ => name.to_owned(),
    }
}

/// A name for a pasted image, `image-YYYYMMDD-HHMMSS.ext`, from a UTC time as ISO 8601
/// text (`2026-11-27T06:30:05.000Z`, as the browser's `Date.toISOString` gives it): the
/// browser does the calendar arithmetic, this only picks the digits.
pub fn pasted_image_name(iso_time: &str, mime: &str) -> String {
    let extension = match mime {
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        _ => "png",
    };
    let mut name = String::from("image-");
    // Year, month and day, then hours, minutes and seconds: the first 14 digits.
    for (at, digit) in iso_time
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .enumerate()
    {
        if at == 8 {
            name.push('-');
        }
        name.push(digit);
    }
    name.push('.');
    name.push_str(extension);
    name
}
