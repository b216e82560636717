//! The attachment as chosen: a file (kept in the browser, described here) or a link, and
//! the names and messages that come from a file.

use super::FormState;
use crate::api::{ErrorReport, Field, NewThreadFile};
use crate::config::{FileRefusal, Limits};
use crate::i18n::{Msg, Strings};
use crate::photo::{CleanAction, CleanReport};

/// A file the member chose; the file itself stays in the browser, keyed by `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// Identifies the browser-side file (a new key for every choice).
    pub key: u32,
    /// The file's name.
    pub name: String,
    /// Its MIME type, possibly empty.
    pub mime: String,
    /// Its size in bytes (the cleaned copy's, once a photo is cleaned).
    pub size: u64,
    /// For a picture the cleaner takes (with cleaning on): where it stands.
    pub photo: Option<PhotoStatus>,
    /// Why it cannot be sent (empty, over the limits once cleaned, a format the cleaner
    /// refuses), as its card says: it blocks the submission until removed or replaced.
    pub refusal: Option<String>,
}

/// A chosen photo on its way through the cleaner (`crate::photo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoStatus {
    /// Being cleaned: it cannot be sent yet.
    Preparing,
    /// Cleaned, kept as it was, or sent unchecked by the member's choice: what the
    /// cleaner reported.
    Ready(CleanReport),
    /// Nothing could vouch for it: the member chooses to send it as it is (it becomes
    /// `Ready`) or to remove it; until then it blocks the submission.
    NeedsChoice(CleanReport),
}

impl FileMeta {
    /// Whether the browser can show it as a picture.
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }

    /// Whether it is a photo still being cleaned.
    pub fn is_preparing(&self) -> bool {
        self.photo == Some(PhotoStatus::Preparing)
    }

    /// Whether it waits for the member's choice (send unchecked, or remove).
    pub fn needs_choice(&self) -> bool {
        matches!(self.photo, Some(PhotoStatus::NeedsChoice(_)))
    }

    /// Why it cannot be sent as things stand: its refusal, or the choice it waits for.
    pub fn blocking(&self, strings: &Strings) -> Option<String> {
        self.refusal.clone().or_else(|| {
            self.needs_choice()
                .then(|| strings.get(Msg::PhotoChoose).to_owned())
        })
    }

    /// What its card says of the photo: "Preparing photo…", then what the cleaner did
    /// ("location data removed · 4.2 MB → 922 KB"), or that it was not checked; empty
    /// for a photo kept as it was or refused.
    pub fn photo_note(&self, strings: &Strings) -> String {
        match &self.photo {
            Some(PhotoStatus::Preparing) => strings.get(Msg::PhotoPreparing).to_owned(),
            Some(PhotoStatus::NeedsChoice(_)) => strings.get(Msg::PhotoUnverified).to_owned(),
            Some(PhotoStatus::Ready(report)) if report.action == CleanAction::Unverified => {
                strings.get(Msg::PhotoSentAsIs).to_owned()
            }
            Some(PhotoStatus::Ready(report)) => report.note(strings).unwrap_or_default(),
            None => String::new(),
        }
    }
}

/// A file after the first (several attachments), with its own display name,
/// description and errors. The first file is the form's own [`Attachment`], named by
/// the draft's `name` and `description` as ever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCard {
    /// The file.
    pub meta: FileMeta,
    /// Its display name (`Name`).
    pub name: String,
    /// Its description (`Description`).
    pub description: String,
    /// The errors on its fields (`Name`, `Description`, `NewFileDataUrl`).
    pub errors: ErrorReport,
}

/// One attachment as it is sent: which chosen file (none for a link), and its body's
/// name and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The key of the chosen file, or `None` for the link.
    pub key: Option<u32>,
    /// The `Name` sent (trimmed).
    pub name: String,
    /// The `Description` sent, when given.
    pub description: Option<String>,
}

impl Outgoing {
    /// The body that attaches it to `thread_id`, without `NewFileDataUrl` (the
    /// transport adds that on the JavaScript side so a file's bytes never enter wasm).
    pub fn body(&self, thread_id: u64) -> NewThreadFile {
        NewThreadFile {
            community_thread_id: thread_id,
            name: self.name.clone(),
            description: self.description.clone(),
            new_file_data_url: None,
        }
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

    /// Every attachment to send, in the order shown: the form's own (a file or a
    /// link), then the cards.
    pub fn outgoing(&self) -> Vec<Outgoing> {
        let trimmed = |text: &str| {
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_owned())
        };
        let first = self.has_attachment().then(|| Outgoing {
            key: match &self.attachment {
                Attachment::File(meta) => Some(meta.key),
                _ => None,
            },
            name: self.draft.name.trim().to_owned(),
            description: trimmed(&self.draft.description),
        });
        first
            .into_iter()
            .chain(self.more.iter().map(|card| Outgoing {
                key: Some(card.meta.key),
                name: card.name.trim().to_owned(),
                description: trimmed(&card.description),
            }))
            .collect()
    }

    /// The chosen files, the form's own first, then the cards'.
    pub fn chosen_files(&self) -> impl Iterator<Item = &FileMeta> {
        let first = match &self.attachment {
            Attachment::File(meta) => Some(meta),
            _ => None,
        };
        first
            .into_iter()
            .chain(self.more.iter().map(|card| &card.meta))
    }

    /// Whether a chosen photo is still being cleaned (a submission waits for it).
    pub fn photos_pending(&self) -> bool {
        self.chosen_files().any(FileMeta::is_preparing)
    }

    /// The chosen file under `key`, the form's own or a card's.
    fn file_mut(&mut self, key: u32) -> Option<&mut FileMeta> {
        let first = match &mut self.attachment {
            Attachment::File(meta) => Some(meta),
            _ => None,
        };
        first
            .into_iter()
            .chain(self.more.iter_mut().map(|card| &mut card.meta))
            .find(|meta| meta.key == key)
    }

    /// The errors shown for the file under `key`: the form's own, or its card's.
    pub(super) fn errors_of_file(&mut self, key: u32) -> Option<&mut ErrorReport> {
        match &self.attachment {
            Attachment::File(meta) if meta.key == key => Some(&mut self.errors),
            _ => self
                .more
                .iter_mut()
                .find(|card| card.meta.key == key)
                .map(|card| &mut card.errors),
        }
    }

    /// Takes in the cleaner's report on the photo chosen under `key`: its size becomes
    /// the cleaned copy's, and `refusal` (over the limits once cleaned, a refused
    /// format) is shown on its card. A report for a file no longer chosen (replaced or
    /// removed meanwhile) or not waiting for one changes nothing.
    pub(super) fn photo_ready(&mut self, key: u32, report: CleanReport, refusal: Option<String>) {
        let Some(meta) = self.file_mut(key).filter(|meta| meta.is_preparing()) else {
            return;
        };
        meta.size = report.bytes_after;
        meta.photo = Some(if report.action == CleanAction::Unverified {
            PhotoStatus::NeedsChoice(report)
        } else {
            PhotoStatus::Ready(report)
        });
        meta.refusal = refusal.clone();
        if let (Some(message), Some(errors)) = (refusal, self.errors_of_file(key)) {
            errors.clear_field(Field::Attachment);
            errors.push_field(Field::Attachment, message);
        }
    }

    /// The member chose to send the photo under `key` unchecked.
    pub(super) fn send_as_is(&mut self, key: u32) {
        let Some(meta) = self.file_mut(key) else {
            return;
        };
        if let Some(PhotoStatus::NeedsChoice(report)) = meta.photo {
            meta.photo = Some(PhotoStatus::Ready(report));
            if let Some(errors) = self.errors_of_file(key) {
                errors.clear_field(Field::Attachment);
            }
        }
    }

    /// The display names of this intent's attachments of `thread_id`: those of the form,
    /// then those the recovery facts know (after a new mount, whose files are gone).
    pub fn attachment_names(&self, thread_id: u64) -> Vec<String> {
        let mut names: Vec<String> = self.outgoing().into_iter().map(|file| file.name).collect();
        let known = self
            .recovery
            .files
            .iter()
            .filter(|facts| facts.thread_id == thread_id)
            .map(|facts| &facts.name)
            .chain(&self.recovery.missing);
        for name in known {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// How many files are chosen (a link counts as one).
    pub fn file_count(&self) -> usize {
        usize::from(self.attachment != Attachment::None) + self.more.len()
    }

    /// A display name for a new file, distinct from the names already in the form:
    /// `photo`, then `photo (2)`, `photo (3)`… The look-up after a lost attach matches
    /// on the name, so two attachments of one submission must not share one.
    pub(super) fn fresh_name(&self, file_name: &str) -> String {
        let base = display_name(file_name);
        let taken = |name: &str| {
            self.draft.name.trim() == name && self.attachment != Attachment::None
                || self.more.iter().any(|card| card.name.trim() == name)
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        name
    }

    /// The names that more than one attachment of the form is sent with.
    pub fn duplicate_names(&self) -> Vec<String> {
        let names: Vec<String> = self.outgoing().into_iter().map(|file| file.name).collect();
        let mut duplicates: Vec<String> = names
            .iter()
            .enumerate()
            .filter(|(at, name)| names[..*at].contains(name))
            .map(|(_, name)| name.clone())
            .collect();
        duplicates.dedup();
        duplicates
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
        FileRefusal::TooLarge => strings.fill(
            Msg::FileTooLarge,
            &[("max", &strings.size(limits.max_bytes))],
        ),
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
