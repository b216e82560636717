//! Request bodies as the browser sends them, and answers as the browser reads them: no
//! JSON parser and no file bytes in the wasm.

use wasm_bindgen::JsValue;

use crate::api::json::to_js_object;
use crate::api::{Body, Envelope, NewThreadFile, TransportError};
use crate::upload::FileSource;

/// The JSON payload that attaches a file: `body` with `NewFileDataUrl` taken from `file`.
/// A `data:` URL is sent as a `Blob` of the JSON around the file's base64 pieces, so its
/// bytes are never copied into wasm memory, nor joined or re-encoded on the main thread.
pub fn file_payload(
    body: &NewThreadFile,
    file: Option<&FileSource>,
) -> Result<JsValue, TransportError> {
    let object = to_js_object(body);
    match file {
        None => js_sys::JSON::stringify(&object)
            .map(JsValue::from)
            .map_err(|_| TransportError::Network),
        Some(FileSource::Url(url)) => {
            js_sys::Reflect::set(
                &object,
                &JsValue::from_str("NewFileDataUrl"),
                &JsValue::from_str(url),
            )
            .map_err(|_| TransportError::Network)?;
            js_sys::JSON::stringify(&object)
                .map(JsValue::from)
                .map_err(|_| TransportError::Network)
        }
        Some(FileSource::Base64 { mime, parts }) => json_blob_with_data_url(&object, mime, parts),
    }
}

/// `{…object, "NewFileDataUrl": "data:<mime>;base64,<parts>"}` as a JSON `Blob`. Base64
/// needs no JSON escaping, so the pieces go in as they are.
fn json_blob_with_data_url(
    object: &JsValue,
    mime: &str,
    parts: &js_sys::Array,
) -> Result<JsValue, TransportError> {
    let stringify = |value: &JsValue| {
        js_sys::JSON::stringify(value)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or(TransportError::Network)
    };
    let json = stringify(object)?;
    let mut head = String::from("data:");
    head.push_str(mime);
    head.push_str(";base64,");
    let head = stringify(&JsValue::from_str(&head))?;
    // `{"A":1}` + `"data:…;base64,` (its closing quote dropped) → `{"A":1,"NewFileDataUrl":"data:…;base64,`
    let mut prefix = json
        .strip_suffix('}')
        .ok_or(TransportError::Network)?
        .to_owned();
    prefix.push_str(",\"NewFileDataUrl\":");
    prefix.push_str(head.strip_suffix('"').ok_or(TransportError::Network)?);
    let pieces = js_sys::Array::new();
    pieces.push(&JsValue::from_str(&prefix));
    for part in parts.iter() {
        pieces.push(&part);
    }
    pieces.push(&JsValue::from_str("\"}"));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    // A sequence of strings and byte arrays, as the Blob constructor takes.
    web_sys::Blob::new_with_str_sequence_and_options(&pieces, &options)
        .map(JsValue::from)
        .map_err(|_| TransportError::Network)
}

/// Reads a response body with the browser's `JSON.parse`, so no JSON parser is
/// compiled into the wasm.
pub fn body_from_text(text: &str) -> Body {
    if text.trim().is_empty() {
        return Body::Empty;
    }
    let Ok(value) = js_sys::JSON::parse(text) else {
        return Body::Text(text.to_owned());
    };
    if let Some(s) = value.as_string() {
        Body::JsonString(s)
    } else if value.is_object() && !js_sys::Array::is_array(&value) {
        Body::Envelope(Envelope::read(&value))
    } else {
        Body::OtherJson
    }
}
