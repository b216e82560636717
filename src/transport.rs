//! The browser side of talking to the API: `fetch` through gloo-net, a timeout through
//! `AbortController`, and the answer read with the browser's own `JSON.parse` before it
//! goes through the DOM-free classifier in [`crate::api`].

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use gloo_net::http::Request;
use gloo_timers::callback::Timeout;
use serde::Serialize;
use wasm_bindgen::JsValue;
use web_sys::AbortController;

use crate::api::{classify, Body, Envelope, Field, Outcome, TransportError};
use crate::token::BearerToken;

/// How long a request may take before it is abandoned, unless the host says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What every request needs: where the API is, the token, and how long to wait.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiClient {
    /// The API origin (and optional path prefix), without a trailing slash.
    pub base_url: String,
    /// The bearer token.
    pub token: BearerToken,
    /// How long one request may take.
    pub timeout: Duration,
}

impl ApiClient {
    /// A client for `base_url` (a trailing `/` is removed).
    pub fn new(base_url: &str, token: BearerToken, timeout: Duration) -> Self {
        ApiClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
            timeout,
        }
    }

    /// `POST`s `body` as JSON to `path` and classifies the answer for the `shown` fields.
    pub async fn post_json<T: Serialize>(
        &self,
        path: &str,
        body: &T,
        shown: &[Field],
    ) -> Result<Outcome, TransportError> {
        // Serialising our own request types cannot fail; treat it as a network failure
        // rather than panicking if it ever did.
        let json = serde_wasm_bindgen::to_value(body)
            .ok()
            .and_then(|value| js_sys::JSON::stringify(&value).ok())
            .ok_or(TransportError::Network)?;
        let controller = AbortController::new().map_err(|_| TransportError::Network)?;
        let timed_out = Rc::new(Cell::new(false));
        let _timer = {
            let controller = controller.clone();
            let timed_out = Rc::clone(&timed_out);
            let millis = u32::try_from(self.timeout.as_millis()).unwrap_or(u32::MAX);
            Timeout::new(millis, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let failed = |_| {
            if timed_out.get() {
                TransportError::Timeout
            } else {
                TransportError::Network
            }
        };
        let url = format!("{}{}", self.base_url, path);
        let request = Request::post(&url)
            .header("Authorization", &self.token.header_value())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .abort_signal(Some(&controller.signal()))
            .body(JsValue::from(json))
            .map_err(failed)?;
        let response = request.send().await.map_err(failed)?;
        let status = response.status();
        let retry_after = response.headers().get("Retry-After");
        let text = response.text().await.map_err(failed)?;
        let now_unix = (js_sys::Date::now() / 1000.0) as u64;
        Ok(classify(
            status,
            retry_after.as_deref(),
            now_unix,
            &body_from_text(&text),
            shown,
        ))
    }
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
        serde_wasm_bindgen::from_value::<Envelope>(value)
            .map(Body::Envelope)
            .unwrap_or(Body::OtherJson)
    } else {
        Body::OtherJson
    }
}
