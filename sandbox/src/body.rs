//! Reading a JSON request body and its fields, collecting validation errors.
//!
//! - The Content-Type must be JSON (`application/json`, `text/json` or `*/*+json`, any
//!   parameters): otherwise 415 with the envelope.
//! - Over the body limit: 413 with the envelope. Not valid JSON, empty, or not an object: 400
//!   with the envelope (`Errors: []`, the reason in `Message`).
//! - Property names match case-insensitively (as ASP.NET model binding does); unknown
//!   properties are ignored.
//! - Types are strict: an integer field takes a JSON integer, a string field a JSON string, a
//!   boolean field `true`/`false`; `null` counts as absent. A wrong type gives an `Errors[]`
//!   entry on that property whose `AttemptedValue` is what was sent.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use crate::envelope::{self, human_size, FieldError};

/// How long a client may take to send its body.
const BODY_TIMEOUT: Duration = Duration::from_secs(60);

/// Longest `AttemptedValue` string echoed back in full; longer ones (a `data:` URL of a whole
/// file) are cut, with a note of their length.
const MAX_ECHO_CHARS: usize = 2048;

/// Whether the Content-Type header names JSON.
pub fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

/// Reads a whole body of at most `limit` bytes. Errors are the answers to send.
pub async fn read_limited(body: Body, limit: u64) -> Result<axum::body::Bytes, ReadError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Err(_) => Err(ReadError::Timeout),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            let too_large = e
                .into_inner()
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            Err(if too_large {
                ReadError::TooLarge
            } else {
                ReadError::Broken
            })
        }
    }
}

/// Why a body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Over the limit.
    TooLarge,
    /// The client was too slow.
    Timeout,
    /// The connection failed while reading.
    Broken,
}

/// Whether the declared Content-Length is over `limit`.
pub fn declared_too_large(headers: &HeaderMap, limit: u64) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > limit)
}

/// Reads an API request's JSON object body (Content-Type checked, size limited).
#[allow(clippy::result_large_err)]
pub async fn read_json_object(req: Request, limit: u64) -> Result<Fields, Response> {
    if !is_json_content_type(req.headers()) {
        let got = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let message = match got {
            Some(ct) => format!(
                "The request entity's media type '{ct}' is not supported for this resource: send Content-Type: application/json."
            ),
            None => "The request has no Content-Type: send Content-Type: application/json with a JSON object.".to_string(),
        };
        return Err(envelope::request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &message,
        ));
    }
    let too_large = || {
        envelope::request_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "The request body exceeds the limit of {}.",
                human_size(limit)
            ),
        )
    };
    if declared_too_large(req.headers(), limit) {
        return Err(too_large());
    }
    let bytes = match read_limited(req.into_body(), limit).await {
        Ok(b) => b,
        Err(ReadError::TooLarge) => return Err(too_large()),
        Err(ReadError::Timeout) => {
            return Err(envelope::request_error(
                StatusCode::REQUEST_TIMEOUT,
                "The request body was not received in time.",
            ))
        }
        Err(ReadError::Broken) => {
            return Err(envelope::request_error(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            ))
        }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(envelope::request_error(
            StatusCode::BAD_REQUEST,
            "The request body is empty: send a JSON object.",
        ));
    }
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        envelope::request_error(
            StatusCode::BAD_REQUEST,
            &format!("The request body is not valid JSON: {e}."),
        )
    })?;
    match value {
        Value::Object(map) => Ok(Fields::new(map)),
        _ => Err(envelope::request_error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object.",
        )),
    }
}

/// Cuts a long string for `AttemptedValue`.
pub fn echo(v: &Value) -> Value {
    match v {
        Value::String(s) if s.chars().count() > MAX_ECHO_CHARS => {
            let head: String = s.chars().take(MAX_ECHO_CHARS).collect();
            Value::String(format!("{head}... ({} characters)", s.chars().count()))
        }
        other => other.clone(),
    }
}

/// The properties of a JSON object body, and the errors found reading them.
pub struct Fields {
    map: Map<String, Value>,
    /// Errors found so far, in the order the fields were read.
    pub errors: Vec<FieldError>,
}

impl Fields {
    /// Wraps an object.
    pub fn new(map: Map<String, Value>) -> Fields {
        Fields {
            map,
            errors: Vec::new(),
        }
    }

    /// The value of a property (case-insensitive name), `null` counting as absent.
    fn raw(&self, name: &str) -> Option<&Value> {
        self.map
            .get(name)
            .or_else(|| {
                self.map
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .filter(|v| !v.is_null())
    }

    fn error(&mut self, name: &str, attempted: Value, message: &str) {
        self.errors
            .push(FieldError::new(name, echo(&attempted), message));
    }

    fn required(&mut self, name: &str, attempted: Value) {
        self.error(name, attempted, "is a required field");
    }

    /// An integer property.
    pub fn int(&mut self, name: &str, required: bool) -> Option<i64> {
        match self.raw(name).cloned() {
            None => {
                if required {
                    self.required(name, Value::Null);
                }
                None
            }
            Some(v) => match v.as_i64() {
                Some(n) => Some(n),
                None => {
                    self.error(name, v, "is not a valid integer");
                    None
                }
            },
        }
    }

    /// A string property; when `required`, a blank string counts as missing.
    pub fn string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.raw(name).cloned() {
            None => {
                if required {
                    self.required(name, Value::Null);
                }
                None
            }
            Some(Value::String(s)) => {
                if required && s.trim().is_empty() {
                    self.required(name, Value::String(s));
                    None
                } else {
                    Some(s)
                }
            }
            Some(v) => {
                self.error(name, v, "is not a valid string");
                None
            }
        }
    }

    /// An optional boolean property.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.raw(name).cloned() {
            None => None,
            Some(Value::Bool(b)) => Some(b),
            Some(v) => {
                self.error(name, v, "is not a valid boolean (true or false)");
                None
            }
        }
    }

    /// An optional array of integers.
    pub fn int_array(&mut self, name: &str) -> Option<Vec<i64>> {
        match self.raw(name).cloned() {
            None => None,
            Some(Value::Array(items)) => {
                let ints: Option<Vec<i64>> = items.iter().map(Value::as_i64).collect();
                if ints.is_none() {
                    self.error(
                        name,
                        Value::Array(items),
                        "is not a valid array of integers",
                    );
                }
                ints
            }
            Some(v) => {
                self.error(name, v, "is not a valid array of integers");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Fields {
        match v {
            Value::Object(m) => Fields::new(m),
            _ => unreachable!(),
        }
    }

    #[test]
    fn reads_typed_fields() {
        let mut f = fields(json!({
            "communitythreadid": 5, "Name": "  ", "Private": "yes", "Guests": [1, "x"],
            "Tags": null, "BusinessId": 1.5
        }));
        assert_eq!(f.int("CommunityThreadId", true), Some(5));
        assert_eq!(f.string("Name", true), None);
        assert_eq!(f.boolean("Private"), None);
        assert_eq!(f.int_array("Guests"), None);
        assert_eq!(f.string("Tags", false), None);
        assert_eq!(f.int("BusinessId", true), None);
        assert_eq!(f.int("UserId", true), None);
        let names: Vec<_> = f.errors.iter().map(|e| e.property_name.as_str()).collect();
        assert_eq!(names, ["Name", "Private", "Guests", "BusinessId", "UserId"]);
        assert_eq!(f.errors[0].attempted_value, json!("  "));
        assert_eq!(f.errors[4].attempted_value, Value::Null);
    }

    #[test]
    fn cuts_long_echoes() {
        let long = "a".repeat(5000);
        let Value::String(s) = echo(&json!(long)) else {
            unreachable!()
        };
        assert!(s.ends_with("... (5000 characters)"));
    }
}
