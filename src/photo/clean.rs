//! The call into `js/clean-image.js`. It ships as a wasm-bindgen snippet beside the glue
//! (the trunk demo, the npm package's `snippets/`, the custom element), imported by the
//! glue itself, so no host configures anything for it. That entry is a few lines: it loads
//! the cleaner, `js/clean-image-work.js`, when a photo is first chosen.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

use super::report::{CleanReport, KeptReason};
use super::settings::ImageSettings;
use crate::api::json::{to_js_object, JsonView};

#[wasm_bindgen(module = "/js/clean-image.js")]
extern "C" {
    /// `cleanImage(file, options)` → `Promise<{ file, report }>`; it never rejects.
    #[wasm_bindgen(js_name = cleanImage, catch)]
    fn clean_image(file: &File, options: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

// wasm-bindgen writes every file a crate names in `module = "…"` into the same
// `snippets/` folder, whether or not the glue imports it. The cleaner is named here, and
// never called from Rust, so that it lies beside its entry, whose `import('./…')` finds it
// in every build (trunk, the test runner, the npm package); the glue does not import it.
#[wasm_bindgen(module = "/js/clean-image-work.js")]
extern "C" {
    #[allow(dead_code)]
    #[wasm_bindgen(js_name = cleanImage)]
    fn loaded_by_the_entry_only();
}

/// The file to upload and what was done to it.
#[derive(Debug, Clone)]
pub struct CleanedPhoto {
    /// A cleaned copy (same name and type), or the chosen file itself.
    pub file: File,
    /// What happened, for the card's note.
    pub report: CleanReport,
}

/// Cleans a chosen picture before its upload: its metadata stripped from the bytes (JPEG,
/// PNG, WebP, GIF), and a JPEG, PNG or WebP re-encoded within `settings`' maximum
/// dimension where it is too big or carries metadata; a file that carries none comes
/// back as it is, one nothing can vouch for as [`CleanAction::Unverified`](super::CleanAction),
/// HEIC/AVIF as refused. Never fails: when the cleaner itself fails (it did not load,
/// say), the original comes back unverified with [`KeptReason::DecodeFailed`], for the
/// member to decide.
///
/// It takes as long as the browser needs to decode and encode (about a second for a
/// 24-megapixel photo, off the main thread); dropping the future drops the result.
pub async fn clean_photo(file: &File, settings: &ImageSettings) -> CleanedPhoto {
    let answer = match clean_image(file, &to_js_object(settings)) {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    answer
        .and_then(|answer| {
            let cleaned = answer.field("file")?.dyn_into::<File>().ok()?;
            let report = CleanReport::read(&answer.field("report")?)?;
            Some(CleanedPhoto {
                file: cleaned,
                report,
            })
        })
        .unwrap_or_else(|| CleanedPhoto {
            file: file.clone(),
            report: CleanReport::unverified(file.size() as u64, KeptReason::DecodeFailed),
        })
}
