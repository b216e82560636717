//! Getting a chosen file to a URL the API can download (`NewFileDataUrl`). Nexudus
//! downloads attachments from a public http(s) address and fails a `data:` URL with a
//! generic 500, so a file needs somewhere public to live first: the host's presigned
//! upload endpoint ([`crate::presigned`]) or its own uploader. Without either, members
//! give a link; `data:` URLs are sent only when the host asks for them, for a backend
//! known to accept them. Either way the file's bytes stay in the browser's memory and
//! never pass through wasm memory.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, File, FileReader};
use yew::Callback;

use crate::presigned::PresignedError;

/// What the host's uploader returns: the public URL of the stored file, or why not
/// (its own reason is [`UploadError::Host`]).
pub type UploadFuture = Pin<Box<dyn Future<Output = Result<String, UploadError>>>>;

/// Why a chosen file did not reach an address the API can download it from. The member
/// reads it after "The file could not be uploaded:".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// The host's uploader failed; its reason (a rejection's message, say).
    #[error("{0}")]
    Host(String),
    /// The host's uploader settled without the stored file's URL.
    #[error("the uploader did not give the file's URL")]
    NoUrl,
    /// The address the uploader gave is not one the server can download from.
    #[error(
        "the uploader gave an address the server cannot download from (it must be an \
         absolute https: address)"
    )]
    NotDownloadable,
    /// The host's presigned-upload endpoint or the storage behind it failed.
    #[error(transparent)]
    Presigned(#[from] PresignedError),
    /// The browser could not read the file.
    #[error("the file could not be read")]
    Unreadable,
    /// The file is gone from the browser (the panel no longer holds it).
    #[error("the file is no longer available")]
    FileGone,
    /// The host switched files off after this one was chosen.
    #[error("this page no longer takes files; give a link instead")]
    FilesOff,
    /// The browser cannot stop an upload, so none is started.
    #[error("the browser cannot cancel uploads")]
    NoAbort,
    /// Reading was cancelled.
    #[error("cancelled")]
    Cancelled,
}

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

/// How a chosen file reaches an address the API can download it from.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum FileDelivery {
    /// No way to store files: members give a link instead. The default, since live
    /// Nexudus refuses `data:` URLs.
    #[default]
    LinksOnly,
    /// The host's own uploader.
    Uploader(Uploader),
    /// The host's presigned-upload endpoint (absolute, or relative to the page).
    Endpoint(yew::AttrValue),
    /// `data:` URLs, for a backend known to accept them (live Nexudus does not).
    Inline,
}

impl FileDelivery {
    /// Whether members may choose, drop or paste files (otherwise only a link).
    pub fn takes_files(&self) -> bool {
        !matches!(self, FileDelivery::LinksOnly)
    }
}

/// Checks that an uploader's answer is an address the API can download from: absolute,
/// `https:` (or `http:` on a loopback host, for local development), no credentials.
/// The address itself is never put in a message: a presigned one carries a signature.
pub fn downloadable_url(url: &str) -> Result<String, UploadError> {
    let parsed = web_sys::Url::new(url.trim()).map_err(|_| UploadError::NotDownloadable)?;
    let allowed = crate::address::base_url_scheme_allowed(&parsed.protocol(), &parsed.hostname())
        && parsed.username().is_empty()
        && parsed.password().is_empty();
    allowed
        .then(|| parsed.href())
        .ok_or(UploadError::NotDownloadable)
}

/// Bytes base64-encoded per read: a multiple of 3, so the pieces join into one valid
/// base64 text, and small enough that encoding one is a short task (a 25 MB file in one
/// read blocks the page for ~100 ms).
const BASE64_CHUNK_BYTES: f64 = 3.0 * 256.0 * 1024.0;

/// Where the API downloads the attachment from (`NewFileDataUrl`), kept as JavaScript
/// values so a file's bytes never enter wasm memory.
#[derive(Debug, Clone)]
pub enum FileSource {
    /// A URL: a link the member gave, or where the host's uploader stored the file.
    Url(String),
    /// A `data:` URL of the chosen file, as its MIME type and base64 pieces.
    Base64 {
        /// The file's MIME type (`application/octet-stream` when unknown).
        mime: String,
        /// The base64 text, as UTF-8 bytes (`Uint8Array`s in the browser's memory) that
        /// join into the file's encoding.
        parts: js_sys::Array,
    },
}

/// Encodes `file` as base64 pieces, one `FileReader` task per piece, so no single task
/// blocks the page. `cancelled` is checked between pieces.
pub async fn read_as_base64(
    file: &File,
    cancelled: impl Fn() -> bool,
) -> Result<FileSource, UploadError> {
    let size = file.size();
    let parts = js_sys::Array::new();
    let encoder = web_sys::TextEncoder::new().map_err(|_| UploadError::Unreadable)?;
    // Called through JavaScript so the text never crosses into wasm memory (web-sys's
    // `encode_with_input` takes a Rust `&str`).
    let encode: js_sys::Function = js_sys::Reflect::get(&encoder, &JsValue::from_str("encode"))
        .map_err(|_| UploadError::Unreadable)?
        .unchecked_into();
    let mut start = 0.0;
    while start < size {
        if cancelled() {
            return Err(UploadError::Cancelled);
        }
        let end = (start + BASE64_CHUNK_BYTES).min(size);
        let piece = file
            .slice_with_f64_and_f64(start, end)
            .map_err(|_| UploadError::Unreadable)?;
        let url: js_sys::JsString = read_as_data_url(&piece).await?.unchecked_into();
        // Drop the `data:…;base64,` head of each piece's own URL.
        let comma = url.index_of(",", 0);
        if comma < 0 {
            return Err(UploadError::Unreadable);
        }
        // Encoded to bytes now, piece by piece, so building the request body later is a
        // plain copy rather than one long text-to-bytes conversion of the whole file.
        let text = url.slice(comma as u32 + 1, url.length());
        let bytes = encode
            .call1(&encoder, &text)
            .map_err(|_| UploadError::Unreadable)?;
        parts.push(&bytes);
        start = end;
    }
    let mime = file.type_();
    let mime = if mime.is_empty() {
        "application/octet-stream".to_owned()
    } else {
        mime
    };
    Ok(FileSource::Base64 { mime, parts })
}

/// Reads `blob` as a `data:` URL with the browser's `FileReader`. The result stays a
/// JavaScript string. Dropping the future aborts the read and releases its listeners.
pub async fn read_as_data_url(blob: &web_sys::Blob) -> Result<JsValue, UploadError> {
    let reader = FileReader::new().map_err(|_| UploadError::Unreadable)?;
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
        .read_as_data_url(blob)
        .map_err(|_| UploadError::Unreadable)?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| UploadError::Unreadable)?;
    reader.result().map_err(|_| UploadError::Unreadable)
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
