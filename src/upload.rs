//! Getting a chosen file to a URL the API can download (`NewFileDataUrl`): the host's
//! uploader when it gives one (its own storage, with progress and cancel), otherwise a
//! `data:` URL read by the browser. Either way the file's bytes stay in the browser's
//! memory and never pass through wasm memory.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, File, FileReader};
use yew::Callback;

/// What the host's uploader returns: the public URL of the stored file, or a reason.
pub type UploadFuture = Pin<Box<dyn Future<Output = Result<String, String>>>>;

/// Reports upload progress as `(loaded, total)` bytes.
pub type ProgressCallback = Callback<(f64, f64)>;

/// The function behind an [`Uploader`].
pub type UploadFn = dyn Fn(File, ProgressCallback, AbortSignal) -> UploadFuture;

/// The host's uploader: `upload(file, onProgress(loaded, total), signal) → url`.
#[derive(Clone)]
pub struct Uploader(pub Rc<UploadFn>);

impl PartialEq for Uploader {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Uploader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Uploader(..)")
    }
}

/// Reads `file` as a `data:` URL with the browser's `FileReader`. The result stays a
/// JavaScript string (it is put into the request body on the JavaScript side). Dropping
/// the future aborts the read and releases its listeners.
pub async fn read_as_data_url(file: &File) -> Result<JsValue, String> {
    const FAILED: &str = "the file could not be read";
    let reader = FileReader::new().map_err(|_| FAILED.to_owned())?;
    let mut guard = ReadGuard {
        reader: reader.clone(),
        listeners: Vec::new(),
    };
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let onload = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        let onerror = Closure::<dyn FnMut()>::new(move || {
            let _ = reject.call0(&JsValue::UNDEFINED);
        });
        reader.set_onload(Some(onload.as_ref().unchecked_ref()));
        reader.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        guard.listeners.push(onload);
        guard.listeners.push(onerror);
    });
    reader
        .read_as_data_url(file)
        .map_err(|_| FAILED.to_owned())?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| FAILED.to_owned())?;
    reader.result().map_err(|_| FAILED.to_owned())
}

/// Detaches the reader's listeners (and aborts an unfinished read) when dropped.
struct ReadGuard {
    reader: FileReader,
    listeners: Vec<Closure<dyn FnMut()>>,
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        self.reader.set_onload(None);
        self.reader.set_onerror(None);
        if self.reader.ready_state() == FileReader::LOADING {
            self.reader.abort();
        }
        self.listeners.clear();
    }
}
