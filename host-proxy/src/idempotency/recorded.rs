//! A settled answer as the key store keeps it: status, the headers the proxy passes through
//! (`Content-Type`, `Retry-After`) and a bounded body, replayed with `Idempotent-Replayed: true`.

use axum::body::Bytes;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The response header marking a replayed answer.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// A recorded answer.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Its status.
    pub status: StatusCode,
    /// The headers passed through.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Its body.
    pub body: Bytes,
}

impl Recorded {
    /// A recorded answer.
    pub fn new(status: StatusCode, headers: Vec<(HeaderName, HeaderValue)>, body: Bytes) -> Self {
        Recorded {
            status,
            headers,
            body,
        }
    }

    /// Reads `res` whole, keeping at most `max_body` bytes: a longer body (a write's answer
    /// never is) is kept as the envelope's essentials, `WasSuccessful` and `Value.Id`.
    pub async fn read(res: Response, max_body: usize) -> Recorded {
        let (parts, body) = res.into_parts();
        let headers = [header::CONTENT_TYPE, header::RETRY_AFTER]
            .into_iter()
            .filter_map(|name| parts.headers.get(&name).map(|v| (name, v.clone())))
            .collect();
        let body = axum::body::to_bytes(body, 16 * 1024 * 1024)
            .await
            .unwrap_or_default();
        let body = if body.len() <= max_body {
            body
        } else {
            let essentials = serde_json::from_slice::<Value>(&body).ok().map(|v| {
                json!({
                    "WasSuccessful": v.get("WasSuccessful").cloned().unwrap_or(Value::Null),
                    "Value": { "Id": value_id(&v) },
                })
            });
            Bytes::from(essentials.unwrap_or(Value::Null).to_string())
        };
        Recorded::new(parts.status, headers, body)
    }

    /// The record id of a create's answer (`Value.Id`), when positive.
    pub fn created_id(&self) -> Option<u64> {
        serde_json::from_slice::<Value>(&self.body)
            .ok()
            .and_then(|v| value_id(&v))
    }

    /// The answer as first given (`replayed` false) or as a replay.
    pub fn response(&self, replayed: bool) -> Response {
        let mut res = (self.status, self.body.clone()).into_response();
        let headers = res.headers_mut();
        headers.remove(header::CONTENT_TYPE);
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        if replayed {
            headers.insert(REPLAYED, HeaderValue::from_static("true"));
        }
        res
    }
}

fn value_id(v: &Value) -> Option<u64> {
    v.get("Value")
        .and_then(|inner| inner.get("Id"))
        .and_then(Value::as_u64)
        .filter(|id| *id > 0)
}
