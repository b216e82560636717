//! The file a member chose, as the browser holds it: the `File` itself and, for a
//! picture, the object URL of its preview. The form state keeps only its
//! [`FileMeta`](crate::state::FileMeta); the two meet by `key`.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_file::ObjectUrl;
use wasm_bindgen::JsCast;
use web_sys::{File, FilePropertyBag};

use crate::state::{display_name, pasted_image_name};

/// The chosen file, kept in the browser, with an object URL for pictures. Dropping it
/// (replace, remove, unmount) revokes the URL: [`ObjectUrl`] releases it on `Drop`.
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

/// The slot that holds the chosen files (one unless the host allows several).
pub type FileSlot = Rc<RefCell<Vec<ChosenFile>>>;

/// Gives a pasted image with a generic name (`image.png`) a dated one.
pub fn named_for_paste(file: File) -> File {
    let name = file.name();
    if !(name.is_empty() || display_name(&name).eq_ignore_ascii_case("image")) {
        return file;
    }
    let mime = file.type_();
    let options = FilePropertyBag::new();
    options.set_type(&mime);
    File::new_with_blob_sequence_and_options(
        &js_sys::Array::of1(&file),
        &pasted_image_name(&String::from(js_sys::Date::new_0().to_iso_string()), &mime),
        &options,
    )
    .unwrap_or(file)
}
