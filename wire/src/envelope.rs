//! The error shapes of the Nexudus REST API, as its reference documents them and the panel reads
//! them: the HTTP 400 validation envelope (exactly `Message`, `Value`, `Errors`, `WasSuccessful`,
//! in that order; `Message` lists every error as `PropertyName: message`, one per line), the same
//! shape with `Errors: []` for a problem with the request as a whole, and the bare JSON string
//! `"Not found"` of a 404.
//!
//! ```
//! use axum::http::StatusCode;
//! use nexudus_wire::envelope::{validation, FieldError};
//! use serde_json::Value;
//!
//! let answer = validation(&[FieldError::new("Subject", Value::Null, "is a required field")]);
//! assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
//! ```

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// Content type of every JSON answer, as ASP.NET sends it.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// One entry of `Errors[]` (fields in the seed page's order).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct FieldError {
    /// What the client sent for the property, or null (never a secret).
    pub attempted_value: Value,
    /// The message without the property name, e.g. `is a required field`.
    pub message: String,
    /// The property (or, for references, the entity: `CommunityThread`, `User`...).
    pub property_name: String,
}

impl FieldError {
    /// A new error entry.
    pub fn new(property: &str, attempted: Value, message: impl Into<String>) -> FieldError {
        FieldError {
            attempted_value: attempted,
            message: message.into(),
            property_name: property.to_string(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorEnvelope<'a> {
    message: &'a str,
    value: Option<Value>,
    errors: &'a [FieldError],
    was_successful: bool,
}

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(JSON_CONTENT_TYPE),
            )],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `Message` of a validation failure: `PropertyName: message`, one error per line.
pub fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.property_name, e.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The error envelope with `status`: `message`, a null `Value`, `errors`, `WasSuccessful: false`.
pub fn refusal(status: StatusCode, message: &str, errors: &[FieldError]) -> Response {
    json(
        status,
        &ErrorEnvelope {
            message,
            value: None,
            errors,
            was_successful: false,
        },
    )
}

/// HTTP 400 with `Errors[]`, as Nexudus answers a validation failure.
pub fn validation(errors: &[FieldError]) -> Response {
    refusal(StatusCode::BAD_REQUEST, &summary(errors), errors)
}

/// The 400-shaped envelope for a problem with the request as a whole (`Errors: []`), with
/// `status` (400, 413, 415...).
pub fn request_error(status: StatusCode, message: &str) -> Response {
    refusal(status, message, &[])
}

/// 404 with the bare JSON string `"Not found"`, as the reference documents.
pub fn not_found() -> Response {
    json(StatusCode::NOT_FOUND, &"Not found")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use serde_json::json;

    async fn body(res: Response) -> String {
        let bytes = to_bytes(res.into_body(), 1 << 16).await.unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn validation_keeps_the_reference_field_order() {
        let errors = [
            FieldError::new("Subject", Value::Null, "is a required field"),
            FieldError::new("Message", json!(""), "is a required field"),
        ];
        let res = validation(&errors);
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(res.headers()[header::CONTENT_TYPE], JSON_CONTENT_TYPE);
        let text = futures_lite_block_on(body(res));
        assert_eq!(
            text,
            concat!(
                r#"{"Message":"Subject: is a required field\nMessage: is a required field","#,
                r#""Value":null,"Errors":[{"AttemptedValue":null,"Message":"is a required field","PropertyName":"Subject"},"#,
                r#"{"AttemptedValue":"","Message":"is a required field","PropertyName":"Message"}],"WasSuccessful":false}"#
            )
        );
    }

    #[test]
    fn request_errors_and_not_found() {
        let res = request_error(StatusCode::PAYLOAD_TOO_LARGE, "too big");
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            futures_lite_block_on(body(res)),
            r#"{"Message":"too big","Value":null,"Errors":[],"WasSuccessful":false}"#
        );
        let res = not_found();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(futures_lite_block_on(body(res)), r#""Not found""#);
    }

    /// Runs a future that never waits (a body already in memory) to its end.
    fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }
}
