//! The host's functions as the panel's Rust types: `getToken` as a token provider,
//! `upload` as an uploader, `onCreated`/`onAttachFailed`/`onError` as callbacks.
//!
//! Every argument handed to them is a `#[derive(Serialize)]` type made into a plain
//! JavaScript object by serde-wasm-bindgen (the `AbortSignal` and the progress function
//! pass through as they are, with `serde_wasm_bindgen::preserve`). A host function that
//! throws never breaks the panel: its error comes back as the operation's failure, or as
//! an unhandled rejection the console shows.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, File};
use yew::Callback;

use super::messages::{kind, PREFIX};
use crate::api::json::to_js_object;
use crate::token::TokenError;
use crate::transport::{TokenFuture, TokenSource};
use crate::upload::{ProgressCallback, UploadError, UploadFuture, Uploader};

/// The argument of `getToken`.
#[derive(Serialize)]
struct TokenRequest {
    /// Whether the last token was refused (a 401): the host should not give a cached one.
    refresh: bool,
}

/// The second argument of `upload(file, context)`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UploadContext {
    /// `onProgress(loaded, total)`.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    on_progress: JsValue,
    /// Aborted when the member cancels or the panel goes.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    signal: AbortSignal,
}

/// A JavaScript rejection or exception as a short reason.
fn reason(error: &JsValue, fallback: &str) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| fallback.to_owned())
}

/// Hands an exception thrown by a host callback back to the page as an unhandled
/// rejection, so it shows in the console without breaking the panel.
fn report(error: JsValue) {
    let _ = Promise::reject(&error);
}

fn warn(message: &str) {
    web_sys::console::warn_1(&format!("{PREFIX}: {message}").into());
}

/// `getToken({ refresh })` → the transport's token provider.
pub fn token_provider(get_token: Function) -> TokenSource {
    TokenSource::Provider(Rc::new(move |refresh: bool| -> TokenFuture {
        let get_token = get_token.clone();
        Box::pin(async move {
            let context = to_js_object(&TokenRequest { refresh });
            let answer = get_token
                .call1(&JsValue::UNDEFINED, &context)
                .map_err(|e| failed_token(reason(&e, "it threw")))?;
            let token = JsFuture::from(Promise::resolve(&answer))
                .await
                .map_err(|e| failed_token(reason(&e, "its promise was rejected")))?;
            match token.as_string().filter(|t| !t.trim().is_empty()) {
                Some(token) => crate::host_input::token(&token).map_err(|_| TokenError::NotAToken),
                None => {
                    warn(&format!(
                        "getToken must resolve to a non-empty string, got {}",
                        kind(&token)
                    ));
                    Err(TokenError::NotAToken)
                }
            }
        })
    }))
}

/// `getToken` failed for `why`: the console says so, and the request goes unauthorized.
fn failed_token(why: String) -> TokenError {
    warn(&format!("getToken failed: {why}"));
    TokenError::Host(why)
}

/// Stops a progress function handed to the host once its upload is over (or the
/// member cancelled), so a late call is a harmless no-op.
struct Live(Rc<Cell<bool>>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// `upload(file, { onProgress, signal })` → the panel's uploader.
pub fn uploader(upload: Function) -> Uploader {
    Uploader(Rc::new(
        move |file: File, progress: ProgressCallback, signal: AbortSignal| -> UploadFuture {
            let upload = upload.clone();
            Box::pin(async move {
                let live = Rc::new(Cell::new(true));
                let _live = Live(Rc::clone(&live));
                let on_progress = Closure::<dyn Fn(JsValue, JsValue)>::new(
                    move |loaded: JsValue, total: JsValue| {
                        if live.get() {
                            let loaded = loaded.as_f64().unwrap_or(0.0);
                            let total = total.as_f64().unwrap_or(0.0);
                            progress.emit((loaded, total));
                        }
                    },
                )
                .into_js_value();
                let context = to_js_object(&UploadContext {
                    on_progress,
                    signal,
                });
                let answer = upload
                    .call2(&JsValue::UNDEFINED, &file, &context)
                    .map_err(|e| UploadError::Host(reason(&e, "the uploader threw")))?;
                let url = JsFuture::from(Promise::resolve(&answer))
                    .await
                    .map_err(|e| UploadError::Host(reason(&e, "the upload failed")))?;
                url.as_string()
                    .map(|url| url.trim().to_owned())
                    .filter(|url| !url.is_empty())
                    .ok_or(UploadError::NoUrl)
            })
        },
    ))
}

/// A host callback that receives plain data (`{ threadId, fileId }`…).
pub fn callback<T: Serialize + 'static>(f: Function) -> Callback<T> {
    Callback::from(move |payload: T| {
        if let Err(error) = f.call1(&JsValue::UNDEFINED, &to_js_object(&payload)) {
            report(error);
        }
    })
}
