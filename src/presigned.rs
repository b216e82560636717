//! The built-in presigned upload (`uploadEndpoint`), in the shape every object store
//! hands out uploads (S3, R2, GCS and Azure presigned URLs, Uppy's AwsS3
//! `getUploadParameters`), so a host page needs no JavaScript of its own to let members
//! attach files:
//!
//! 1. `POST {endpoint}` with `{"fileName", "contentType", "size"}` and the member's
//!    bearer token (the same one the API calls carry): the host's backend checks the
//!    session and answers `{"uploadUrl", "fileUrl", "method"?, "headers"?}`.
//! 2. The file's bytes go to `uploadUrl` (`PUT` unless `method` says `POST`) with
//!    `headers`, through `XMLHttpRequest`, which reports upload progress (fetch does not)
//!    and stops on the submission's abort signal.
//! 3. `fileUrl`, where Nexudus downloads the file, becomes `NewFileDataUrl`.
//!
//! Reading the endpoint's answer ([`Ticket::read`]) is DOM-free and tested natively.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, File, ProgressEvent, XmlHttpRequest};

use crate::api::json::JsonView;
use crate::host_input::header_value_is_sendable;
use crate::upload::ProgressCallback;

/// The most extra headers an endpoint may ask the upload to carry.
const MAX_HEADERS: usize = 20;

/// What the host's endpoint answered: where to send the bytes, and where Nexudus will
/// download them from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Where the bytes go (may be relative to the endpoint's address).
    pub upload_url: String,
    /// The public address of the stored file, sent as `NewFileDataUrl`.
    pub file_url: String,
    /// `PUT` or `POST`.
    pub method: &'static str,
    /// Headers the upload must carry, such as a signed `Content-Type`.
    pub headers: Vec<(String, String)>,
}

/// Why the endpoint's answer cannot be used, or the upload failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresignedError {
    /// The answer lacks a required address.
    #[error("the upload endpoint's answer has no `{0}`")]
    Missing(&'static str),
    /// The answer asks for a method other than `PUT` or `POST`.
    #[error("the upload endpoint asked for an upload method other than PUT or POST")]
    Method,
    /// The answer's headers are not an object of strings, or too many.
    #[error("the upload endpoint's `headers` must be an object of at most {MAX_HEADERS} texts")]
    Headers,
    /// A header's value cannot be sent (its value is never shown: it may be a signature).
    #[error(
        "the upload endpoint's header `{0}` has a value that cannot be sent (a line break, a \
         control character or a character past U+00FF)"
    )]
    HeaderValue(String),
    /// The browser refused to set a header (a name it forbids pages to set, say).
    #[error("the browser refused to send the upload header `{0}`")]
    HeaderRefused(String),
    /// An address in the answer is not one the panel may use.
    #[error("the upload endpoint gave an address that cannot be used: {0}")]
    Address(&'static str),
    /// The storage answered the upload with a failure.
    #[error("the storage refused the file (HTTP {0})")]
    Refused(u16),
    /// The storage could not be reached.
    #[error("the storage could not be reached")]
    Unreachable,
    /// The upload was cancelled.
    #[error("cancelled")]
    Cancelled,
}

impl Ticket {
    /// Reads the endpoint's JSON answer.
    pub fn read(json: &impl JsonView) -> Result<Ticket, PresignedError> {
        let text = |key: &'static str| {
            json.field(key)
                .and_then(|v| v.as_text())
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .ok_or(PresignedError::Missing(key))
        };
        let upload_url = text("uploadUrl")?;
        let file_url = text("fileUrl")?;
        let method = match json.field("method").map(|m| m.as_text()) {
            None => "PUT",
            Some(Some(m)) if m.eq_ignore_ascii_case("PUT") => "PUT",
            Some(Some(m)) if m.eq_ignore_ascii_case("POST") => "POST",
            Some(_) => return Err(PresignedError::Method),
        };
        let headers = match json.field("headers") {
            None => Vec::new(),
            Some(object) if object.is_object() => {
                let keys = object.keys();
                if keys.len() > MAX_HEADERS {
                    return Err(PresignedError::Headers);
                }
                keys.into_iter()
                    .map(|key| {
                        let value = object.field(&key).and_then(|v| v.as_text());
                        match value {
                            None => Err(PresignedError::Headers),
                            Some(value) if !header_value_is_sendable(&value) => {
                                Err(PresignedError::HeaderValue(key))
                            }
                            Some(value) => Ok((key, value)),
                        }
                    })
                    .collect::<Result<_, _>>()?
            }
            Some(_) => return Err(PresignedError::Headers),
        };
        Ok(Ticket {
            upload_url,
            file_url,
            method,
            headers,
        })
    }
}

/// The request body that asks the endpoint for a ticket.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketRequest {
    /// The file's name.
    pub file_name: String,
    /// Its MIME type ([`content_type`]).
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
}

/// The request body that asks the endpoint for a ticket, for `file`.
pub fn ticket_request(file: &File) -> JsValue {
    crate::api::json::to_js_object(&TicketRequest {
        file_name: file.name(),
        content_type: content_type(file),
        // A browser's file size is a whole number of bytes.
        size: file.size() as u64,
    })
}

/// The file's MIME type, or `application/octet-stream` when the browser has none.
pub fn content_type(file: &File) -> String {
    let mime = file.type_();
    if mime.is_empty() {
        "application/octet-stream".to_owned()
    } else {
        mime
    }
}

/// Sends `file` to `upload_url` (already resolved to an absolute address) as the ticket
/// says, reporting progress, until done or until `signal` aborts.
pub async fn send(
    ticket: &Ticket,
    upload_url: &str,
    file: &File,
    progress: ProgressCallback,
    signal: &AbortSignal,
) -> Result<(), PresignedError> {
    let xhr = XmlHttpRequest::new().map_err(|_| PresignedError::Unreachable)?;
    xhr.open(ticket.method, upload_url)
        .map_err(|_| PresignedError::Address("the upload address"))?;
    for (name, value) in &ticket.headers {
        // The browser refuses headers a page may not set (`Host`, `Cookie`…).
        xhr.set_request_header(name, value)
            .map_err(|_| PresignedError::HeaderRefused(name.clone()))?;
    }
    if !ticket
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        let _ = xhr.set_request_header("Content-Type", &content_type(file));
    }
    let guard = XhrGuard::new(xhr.clone(), signal.clone(), progress);
    let done = guard.finished();
    if signal.aborted() {
        return Err(PresignedError::Cancelled);
    }
    xhr.send_with_opt_blob(Some(file))
        .map_err(|_| PresignedError::Unreachable)?;
    let status = done.await?;
    drop(guard);
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(PresignedError::Refused(status))
    }
}

type Settle = Rc<RefCell<Option<Result<u16, PresignedError>>>>;

/// Holds the request's listeners; on drop detaches them and aborts an unfinished upload
/// (a destroyed panel leaves nothing running).
struct XhrGuard {
    xhr: XmlHttpRequest,
    signal: AbortSignal,
    result: Settle,
    wake: Rc<RefCell<Option<js_sys::Function>>>,
    _listeners: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl XhrGuard {
    fn new(xhr: XmlHttpRequest, signal: AbortSignal, progress: ProgressCallback) -> XhrGuard {
        let result: Settle = Rc::default();
        let wake: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
        let settle = |outcome: fn(&XmlHttpRequest) -> Result<u16, PresignedError>| {
            let (xhr, result, wake) = (xhr.clone(), result.clone(), wake.clone());
            Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
                if result.borrow().is_none() {
                    *result.borrow_mut() = Some(outcome(&xhr));
                }
                if let Some(resolve) = wake.borrow_mut().take() {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            })
        };
        let on_load = settle(|xhr| xhr.status().map_err(|_| PresignedError::Unreachable));
        let on_error = settle(|_| Err(PresignedError::Unreachable));
        let on_abort = settle(|_| Err(PresignedError::Cancelled));
        let on_progress = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            if let Some(event) = event.dyn_ref::<ProgressEvent>() {
                let total = if event.length_computable() {
                    event.total()
                } else {
                    0.0
                };
                progress.emit((event.loaded(), total));
            }
        });
        let stop = {
            let xhr = xhr.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
                let _ = xhr.abort();
            })
        };
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        xhr.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        signal.set_onabort(Some(stop.as_ref().unchecked_ref()));
        XhrGuard {
            xhr,
            signal,
            result,
            wake,
            _listeners: vec![on_load, on_error, on_abort, on_progress, stop],
        }
    }

    /// Resolves with the HTTP status once the request ends.
    fn finished(&self) -> impl std::future::Future<Output = Result<u16, PresignedError>> {
        let (result, wake) = (self.result.clone(), self.wake.clone());
        async move {
            if result.borrow().is_none() {
                let promise = js_sys::Promise::new(&mut |resolve, _| {
                    *wake.borrow_mut() = Some(resolve);
                });
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            }
            result
                .borrow_mut()
                .take()
                .unwrap_or(Err(PresignedError::Unreachable))
        }
    }
}

impl Drop for XhrGuard {
    fn drop(&mut self) {
        self.signal.set_onabort(None);
        self.xhr.set_onload(None);
        self.xhr.set_onerror(None);
        self.xhr.set_onabort(None);
        if let Ok(upload) = self.xhr.upload() {
            upload.set_onprogress(None);
        }
        if self.xhr.ready_state() != XmlHttpRequest::DONE {
            let _ = self.xhr.abort();
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_presigned_shape_with_and_without_its_options() {
        let plain = Ticket::read(&json!({
            "uploadUrl": "https://bucket.example/k?sig=1",
            "fileUrl": " https://cdn.example/k ",
        }))
        .unwrap();
        assert_eq!(plain.method, "PUT");
        assert_eq!(plain.file_url, "https://cdn.example/k");
        assert!(plain.headers.is_empty());
        let full = Ticket::read(&json!({
            "uploadUrl": "/uploads/k",
            "fileUrl": "https://cdn.example/k",
            "method": "post",
            "headers": {"Content-Type": "image/png", "x-amz-acl": "public-read"},
        }))
        .unwrap();
        assert_eq!(full.method, "POST");
        assert_eq!(
            full.headers,
            [
                ("Content-Type".to_owned(), "image/png".to_owned()),
                ("x-amz-acl".to_owned(), "public-read".to_owned())
            ]
        );
    }

    #[test]
    fn refuses_answers_it_cannot_act_on() {
        let read = |value: serde_json::Value| Ticket::read(&value).unwrap_err();
        assert_eq!(
            read(json!({"uploadUrl": "https://a", "publicUrl": "https://b"})),
            PresignedError::Missing("fileUrl")
        );
        assert_eq!(
            read(json!({"uploadUrl": "", "fileUrl": "https://b"})),
            PresignedError::Missing("uploadUrl")
        );
        assert_eq!(
            read(json!({"uploadUrl": 3, "fileUrl": "https://b"})),
            PresignedError::Missing("uploadUrl")
        );
        let with = |extra: serde_json::Value| {
            let mut value = json!({"uploadUrl": "https://a", "fileUrl": "https://b"});
            if let (Some(object), Some(more)) = (value.as_object_mut(), extra.as_object()) {
                object.extend(more.clone());
            }
            Ticket::read(&value).unwrap_err()
        };
        assert_eq!(with(json!({"method": "DELETE"})), PresignedError::Method);
        assert_eq!(with(json!({"method": 1})), PresignedError::Method);
        assert_eq!(with(json!({"headers": ["a"]})), PresignedError::Headers);
        assert_eq!(with(json!({"headers": {"a": 1}})), PresignedError::Headers);
        let many: serde_json::Map<_, _> = (0..21).map(|i| (format!("x-{i}"), json!("v"))).collect();
        assert_eq!(with(json!({ "headers": many })), PresignedError::Headers);
    }

    #[test]
    fn a_header_value_with_a_line_break_is_named_as_such() {
        // Issue 22, defect 11: it was reported as "must be an object of at most 20 texts".
        let error = Ticket::read(&json!({
            "uploadUrl": "https://a", "fileUrl": "https://b",
            "headers": {"x-amz-meta-note": "one\r\nInjected: two"},
        }))
        .unwrap_err();
        assert_eq!(error, PresignedError::HeaderValue("x-amz-meta-note".into()));
        let message = error.to_string();
        assert!(message.contains("`x-amz-meta-note`") && message.contains("line break"));
        assert!(!message.contains("Injected"), "the value is never shown");
        assert!(!message.contains("at most"));
    }
}
