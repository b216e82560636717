//! The chosen files' lifecycle: taken from the picker, a drop or a paste, checked against
//! the limits (size, type, and how many the host allows), a photo cleaned (its cleaned
//! copy takes the original's place), kept with their preview URLs while the form names
//! them, and let go (which revokes the URL) when replaced, removed, turned into a link,
//! or the panel goes.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, File, FileList};
use yew::prelude::*;

use crate::components::callbacks::make_callback;
use crate::components::chosen_file::{named_for_paste, ChosenFile, FileSlot};
use crate::components::start_conversation_props::FileSettings;
use crate::components::unique_id::next_id;
use crate::config::Limits;
use crate::i18n::{Msg, Strings};
use crate::photo::{clean_photo, CleanAction, ImageSettings};
use crate::state::{refusal_message, Action, Attachment, Edit, FileMeta, FormState, PhotoStatus};

/// The most of a file the cleaner reads (100 MB, as `READ_CEILING` in
/// `js/clean-image-work.js`): a picture over it cannot be vouched for, and is refused
/// (the size limit applies to the cleaned copy, which may be far smaller than the chosen
/// photo).
const READ_CEILING: u64 = 100 * 1024 * 1024;

/// Whether the cleaner looks at a file of this MIME type: every picture but SVG (a
/// drawing, not a photo), and a file the browser could not type (the cleaner reads its
/// first bytes); other files go as they are, without loading it.
fn goes_through_cleaner(mime: &str) -> bool {
    (mime.starts_with("image/") && mime != "image/svg+xml")
        || mime.is_empty()
        || mime == "application/octet-stream"
}

/// What the panel needs of the chosen files.
#[derive(Clone)]
pub struct ChosenFileHandle {
    slot: FileSlot,
    /// Whether members may choose, drop or paste files (otherwise only a link).
    pub takes_files: bool,
    /// Takes a file chosen as the form's own attachment (its Replace).
    pub on_file: Callback<File>,
    /// Takes the files chosen or dropped on the picker: the first replaces the chosen
    /// one when only one is allowed, else they are added up to the limit.
    pub on_files: Callback<Vec<File>>,
    /// Takes the file that replaces the card with this key.
    pub on_replace_card: Callback<(u32, File)>,
    /// Takes files pasted anywhere in the panel; text pastes go on as usual.
    pub on_paste: Callback<Event>,
}

impl ChosenFileHandle {
    /// Every file held, by key, for a submission.
    pub fn files(&self) -> Vec<(u32, File)> {
        let slot = self.slot.borrow();
        slot.iter()
            .map(|chosen| (chosen.key, chosen.file.clone()))
            .collect()
    }

    /// The preview URL of the chosen picture under `key`.
    pub fn preview_url(&self, key: u32) -> Option<AttrValue> {
        let slot = self.slot.borrow();
        let chosen = slot.iter().find(|chosen| chosen.key == key)?;
        Some(AttrValue::from(chosen.preview.as_ref()?.to_string()))
    }
}

/// The files of a `FileList` (an input's, a drop's or a paste's).
pub fn list_files(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|at| list.get(at)).collect()
}

/// What taking a file reads: the form, the slot, and the host's file settings.
struct Taker {
    state: UseReducerHandle<FormState>,
    slot: FileSlot,
    takes_files: bool,
    limits: Limits,
    images: Option<ImageSettings>,
    strings: Strings,
}

impl Taker {
    /// Checks `file` against the limits (a picture's size once cleaned, when the cleaner
    /// answers) and returns its facts; a refused file is kept too, with its refusal, so
    /// that it blocks the submission until removed or replaced (posting without it would
    /// publish the conversation without what the member meant to attach).
    fn keep(&self, file: File) -> Option<FileMeta> {
        let (state, strings, limits) = (&self.state, &self.strings, &self.limits);
        if !self.takes_files {
            let refusal = strings.get(Msg::FilesUnavailable).to_owned();
            state.dispatch(Action::Edit(Edit::RefuseFile(refusal)));
            return None;
        }
        let mime = file.type_();
        let cleaning = self.images.filter(|_| goes_through_cleaner(&mime));
        let mut meta = FileMeta {
            key: next_id(),
            name: file.name(),
            mime,
            size: file.size().max(0.0) as u64,
            photo: cleaning.map(|_| PhotoStatus::Preparing),
            refusal: None,
        };
        // A picture to clean is measured again once cleaned; here only what is read.
        let checked_size = match cleaning {
            Some(_) if meta.size <= READ_CEILING => meta.size.min(limits.max_bytes),
            _ => meta.size,
        };
        if let Err(refusal) = limits.check(&meta.name, &meta.mime, checked_size) {
            meta.photo = None;
            meta.refusal = Some(refusal_message(refusal, limits, strings));
            return Some(meta);
        }
        self.slot
            .borrow_mut()
            .push(ChosenFile::new(meta.key, file.clone()));
        if let Some(settings) = cleaning {
            self.clean(&meta, file, settings);
        }
        Some(meta)
    }

    /// Cleans the photo chosen under `key` in the background: the cleaned copy takes its
    /// place in the slot (and its preview), and the form gets the report. A result for a
    /// file no longer in the slot (replaced, removed, the panel gone) is dropped.
    fn clean(&self, meta: &FileMeta, file: File, settings: ImageSettings) {
        let slot = self.slot.clone();
        let dispatch = self.state.dispatcher();
        let (key, name, mime) = (meta.key, meta.name.clone(), meta.mime.clone());
        let (limits, strings) = (self.limits.clone(), self.strings.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let cleaned = clean_photo(&file, &settings).await;
            {
                let mut slot = slot.borrow_mut();
                let Some(chosen) = slot.iter_mut().find(|chosen| chosen.key == key) else {
                    return;
                };
                if cleaned.report.action == CleanAction::Cleaned {
                    *chosen = ChosenFile::new(key, cleaned.file);
                }
            }
            let report = cleaned.report;
            let refusal = if report.action == CleanAction::Refused {
                Some(strings.get(Msg::PhotoFormatRefused).to_owned())
            } else {
                // The limits apply to what is sent: the cleaned copy.
                limits
                    .check(&name, &mime, report.bytes_after)
                    .err()
                    .map(|refusal| refusal_message(refusal, &limits, &strings))
            };
            dispatch.dispatch(Action::PhotoReady(key, report, refusal));
        });
    }

    /// Keeps `file` as the form's own attachment (choosing or replacing it).
    fn take(&self, file: File) {
        if let Some(meta) = self.keep(file) {
            self.state.dispatch(Action::Edit(Edit::ChooseFile(meta)));
        }
    }

    /// Takes several files: with one allowed, the first replaces the chosen one (as
    /// ever); else each is added while there is room, and those left out are named by
    /// count (nothing already chosen is dropped).
    fn take_many(&self, files: Vec<File>) {
        let max = self.limits.max_files.max(1);
        if max == 1 {
            if let Some(file) = files.into_iter().next() {
                self.take(file);
            }
            return;
        }
        let room = max.saturating_sub(self.state.file_count());
        let left_out = files.len().saturating_sub(room);
        for file in files.into_iter().take(room) {
            if let Some(meta) = self.keep(file) {
                self.state.dispatch(Action::Edit(Edit::AddFile(meta)));
            }
        }
        if left_out > 0 {
            let message = self.strings.fill_count(
                Msg::FilesLeftOut,
                left_out as u64,
                &[("max", &max.to_string())],
            );
            self.state.dispatch(Action::Edit(Edit::RefuseFile(message)));
        }
    }

    /// Replaces the file of the card under `key`.
    fn replace_card(&self, key: u32, file: File) {
        if let Some(meta) = self.keep(file) {
            self.state
                .dispatch(Action::Edit(Edit::ReplaceCard(key, meta)));
        }
    }

    /// Takes the files of a paste, unless a submission is running.
    fn take_pasted(&self, event: Event) {
        let Some(event) = event.dyn_ref::<ClipboardEvent>() else {
            return;
        };
        let files = list_files(event.clipboard_data().and_then(|data| data.files()));
        if !files.is_empty() {
            event.prevent_default();
            if !self.state.phase.is_busy() {
                self.take_many(files.into_iter().map(named_for_paste).collect());
            }
        }
    }
}

/// Holds the chosen files for the panel of `state`, under the host's `files` settings.
#[hook]
pub fn use_chosen_file(
    state: &UseReducerHandle<FormState>,
    files: &FileSettings,
    strings: &Strings,
) -> ChosenFileHandle {
    let slot: FileSlot = use_mut_ref(Vec::new);
    let takes_files = files.delivery().takes_files();
    use_effect_with(takes_files, |takes_files| {
        if !takes_files {
            tell_host_files_are_off();
        }
    });
    {
        // The files and their previews go with the panel.
        let slot = slot.clone();
        use_effect_with((), move |_| {
            move || {
                slot.borrow_mut().clear();
            }
        });
    }
    {
        // A file is no longer needed once done, removed or replaced.
        let slot = slot.clone();
        let first = match &state.attachment {
            Attachment::File(meta) => Some(meta.key),
            _ => None,
        };
        let keys: Vec<u32> = first
            .into_iter()
            .chain(state.more.iter().map(|card| card.meta.key))
            .collect();
        use_effect_with(keys, move |keys| {
            slot.borrow_mut()
                .retain(|chosen| keys.contains(&chosen.key));
        });
    }
    let taker = Rc::new(Taker {
        state: state.clone(),
        slot: slot.clone(),
        takes_files,
        limits: files.limits.clone(),
        images: files.images,
        strings: strings.clone(),
    });
    ChosenFileHandle {
        slot,
        takes_files,
        on_file: make_callback(&taker, |taker, file| taker.take(file)),
        on_files: make_callback(&taker, |taker, files| taker.take_many(files)),
        on_replace_card: make_callback(&taker, |taker, (key, file)| taker.replace_card(key, file)),
        on_paste: make_callback(&taker, |taker, event| taker.take_pasted(event)),
    }
}

thread_local! {
    static TOLD_FILES_ARE_OFF: Cell<bool> = const { Cell::new(false) };
}

/// Tells the host page's developer, once per page, why members can only give links.
fn tell_host_files_are_off() {
    if !TOLD_FILES_ARE_OFF.with(|told| told.replace(true)) {
        web_sys::console::info_1(
            &"nexudus-start-conversation: links only, no files: Nexudus downloads attachments \
              from a public http(s) URL and refuses data: URLs. Pass `uploadEndpoint` or \
              `upload` to take files (`inlineFiles` sends data: URLs)."
                .into(),
        );
    }
}
