//! The chosen file's lifecycle: taken from the picker or a paste, checked against the
//! limits, kept with its preview URL while the form names it, and let go (which
//! revokes the URL) when it is replaced, removed, turned into a link, or the panel goes.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, File};
use yew::prelude::*;

use crate::components::callbacks::make_callback;
use crate::components::chosen_file::{named_for_paste, ChosenFile, FileSlot};
use crate::components::start_conversation_props::FileSettings;
use crate::components::unique_id::next_id;
use crate::config::Limits;
use crate::i18n::{Msg, Strings};
use crate::state::{refusal_message, Action, Attachment, Edit, FileMeta, FormState};

/// What the panel needs of the chosen file.
#[derive(Clone)]
pub struct ChosenFileHandle {
    slot: FileSlot,
    /// Whether members may choose, drop or paste files (otherwise only a link).
    pub takes_files: bool,
    /// Takes a file chosen or dropped on the picker.
    pub on_file: Callback<File>,
    /// Takes a file pasted anywhere in the panel; text pastes go on as usual.
    pub on_paste: Callback<Event>,
}

impl ChosenFileHandle {
    /// The file `attachment` names, when it is still the one held.
    pub fn file_for(&self, attachment: &Attachment) -> Option<File> {
        let slot = self.slot.borrow();
        let chosen = slot.as_ref().filter(|chosen| chosen.is_for(attachment))?;
        Some(chosen.file.clone())
    }

    /// The preview URL of a chosen picture.
    pub fn preview_url(&self) -> Option<AttrValue> {
        let slot = self.slot.borrow();
        let url = slot.as_ref()?.preview.as_ref()?;
        Some(AttrValue::from(url.to_string()))
    }
}

/// What taking a file reads: the form, the slot, and the host's file settings.
struct Taker {
    state: UseReducerHandle<FormState>,
    slot: FileSlot,
    takes_files: bool,
    limits: Limits,
    strings: Strings,
}

impl Taker {
    /// Keeps `file` and tells the form, or tells the form why it was refused.
    fn take(&self, file: File) {
        let (state, strings, limits) = (&self.state, &self.strings, &self.limits);
        if !self.takes_files {
            let refusal = strings.get(Msg::FilesUnavailable).to_owned();
            state.dispatch(Action::Edit(Edit::RefuseFile(refusal)));
            return;
        }
        let meta = FileMeta {
            key: next_id(),
            name: file.name(),
            mime: file.type_(),
            size: file.size().max(0.0) as u64,
        };
        match limits.check(&meta.name, &meta.mime, meta.size) {
            Ok(()) => {
                *self.slot.borrow_mut() = Some(ChosenFile::new(meta.key, file));
                state.dispatch(Action::Edit(Edit::ChooseFile(meta)));
            }
            Err(refusal) => state.dispatch(Action::Edit(Edit::RefuseFile(refusal_message(
                refusal, limits, strings,
            )))),
        }
    }

    /// Takes the first file of a paste, unless a submission is running.
    fn take_pasted(&self, event: Event) {
        let Some(event) = event.dyn_ref::<ClipboardEvent>() else {
            return;
        };
        let file = event
            .clipboard_data()
            .and_then(|data| data.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            event.prevent_default();
            if !self.state.phase.is_busy() {
                self.take(named_for_paste(file));
            }
        }
    }
}

/// Holds the chosen file for the panel of `state`, under the host's `files` settings.
#[hook]
pub fn use_chosen_file(
    state: &UseReducerHandle<FormState>,
    files: &FileSettings,
    strings: &Strings,
) -> ChosenFileHandle {
    let slot: FileSlot = use_mut_ref(|| None);
    let takes_files = files.delivery().takes_files();
    use_effect_with(takes_files, |takes_files| {
        if !takes_files {
            tell_host_files_are_off();
        }
    });
    {
        // The file and its preview go with the panel.
        let slot = slot.clone();
        use_effect_with((), move |_| {
            move || {
                slot.borrow_mut().take();
            }
        });
    }
    {
        // The file is no longer needed once done, removed or replaced by a link.
        let slot = slot.clone();
        let key = match &state.attachment {
            Attachment::File(meta) => Some(meta.key),
            _ => None,
        };
        use_effect_with(key, move |key| {
            let mut slot = slot.borrow_mut();
            if slot.as_ref().map(|chosen| chosen.key) != *key {
                slot.take();
            }
        });
    }
    let taker = Rc::new(Taker {
        state: state.clone(),
        slot: slot.clone(),
        takes_files,
        limits: files.limits.clone(),
        strings: strings.clone(),
    });
    ChosenFileHandle {
        slot,
        takes_files,
        on_file: make_callback(&taker, |taker, file| taker.take(file)),
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
