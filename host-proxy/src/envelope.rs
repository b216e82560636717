//! The answers the proxy makes itself, in the shapes the panel already reads from Nexudus:
//! the 400 validation envelope (`Errors[]` with the `PropertyName` at fault, so the panel shows
//! the message on that field), the bare `"Not found"` 404, a 401 for a missing or bad member
//! session, 429 + `Retry-After` past the member's write limit, and 502/504 when Nexudus cannot
//! be reached. None of them ever echoes a token, a credential or a file's bytes.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;

pub use nexudus_wire::envelope::{
    json, not_found, refusal, validation, FieldError, JSON_CONTENT_TYPE,
};

/// Marks `res` as the proxy's own refusal for `reason` (counted by `/metrics`).
pub fn refused_for(reason: &'static str, mut res: Response) -> Response {
    res.extensions_mut().insert(crate::metrics::Refusal(reason));
    res
}

/// HTTP 400 about the request as a whole (`Errors: []`).
pub fn bad_request(message: &str) -> Response {
    nexudus_wire::envelope::request_error(StatusCode::BAD_REQUEST, message)
}

/// 401 for a missing, malformed, expired or wrongly signed member session.
pub fn unauthorized() -> Response {
    refused_for("session", {
        let mut res = json(
            StatusCode::UNAUTHORIZED,
            &json!({ "Message": "Authorization has been denied for this request." }),
        );
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        res
    })
}

/// 429 past the member's own write limit, with the wait in `Retry-After` and in the text.
pub fn too_many_writes(wait_secs: u64) -> Response {
    refused_for("write_limit", {
        too_many(
            &format!("Too many changes in a short time. Wait {wait_secs} seconds."),
            wait_secs,
        )
    })
}

/// 429 when the member already has `--member-queue-depth` calls waiting for the upstream.
pub fn too_many_queued(wait_secs: u64) -> Response {
    refused_for("queue_full", {
        too_many(
            &format!(
                "Too many requests are waiting for the Nexudus API. Wait {wait_secs} seconds."
            ),
            wait_secs,
        )
    })
}

/// A 429 with `message` and the wait in `Retry-After`.
fn too_many(message: &str, wait_secs: u64) -> Response {
    let mut res = refusal(StatusCode::TOO_MANY_REQUESTS, message, &[]);
    if let Ok(value) = HeaderValue::from_str(&wait_secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, value);
    }
    res
}

/// 408 when the request's body did not arrive within `--body-read-timeout-seconds`.
pub fn body_timeout() -> Response {
    refused_for("body_timeout", {
        refusal(
            StatusCode::REQUEST_TIMEOUT,
            "The request body did not arrive in time.",
            &[],
        )
    })
}

/// 409 + `Retry-After: 1` while the first request with the same `Idempotency-Key` is in
/// flight (Nexudus's own throttling shape, which the panel already waits on and retries).
pub fn key_in_flight() -> Response {
    refused_for("key_in_flight", {
        let mut res = refusal(
            StatusCode::CONFLICT,
            "A request with this Idempotency-Key is still being processed. Wait 1 seconds.",
            &[],
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        res
    })
}

/// 422 when an `Idempotency-Key` is sent again with another request.
pub fn key_reused() -> Response {
    refused_for("key_reused", {
        refusal(
        StatusCode::UNPROCESSABLE_ENTITY,
        "This Idempotency-Key was already used for a different request. Send a new key with the changed request.",
        &[],
    )
    })
}

/// 429 when the member holds as many live idempotency keys as the proxy keeps.
pub fn too_many_keys(wait_secs: u64) -> Response {
    refused_for("too_many_keys", {
        let message =
            format!("Too many recent requests with an Idempotency-Key. Wait {wait_secs} seconds.");
        let mut res = refusal(StatusCode::TOO_MANY_REQUESTS, &message, &[]);
        if let Ok(value) = HeaderValue::from_str(&wait_secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, value);
        }
        res
    })
}

/// 502 when Nexudus cannot be reached or answers something unreadable.
pub fn bad_gateway() -> Response {
    refusal(
        StatusCode::BAD_GATEWAY,
        "The Nexudus API could not be reached.",
        &[],
    )
}

/// 504 when Nexudus does not answer in time.
pub fn gateway_timeout() -> Response {
    refusal(
        StatusCode::GATEWAY_TIMEOUT,
        "The Nexudus API did not answer in time.",
        &[],
    )
}

/// 503 when the shared store (Redis) cannot be reached: a write fails closed rather than
/// pass a limit or an `Idempotency-Key` nobody can check. `Retry-After: 5`.
pub fn store_unavailable() -> Response {
    refused_for("store_unavailable", {
        let mut res = refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        "The service cannot take changes just now. Nothing was saved; try again in a few seconds.",
        &[],
    );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        res
    })
}

/// 500 for the proxy's own failures (a file it could not store, a credential it could not get).
pub fn internal(message: &str) -> Response {
    refusal(StatusCode::INTERNAL_SERVER_ERROR, message, &[])
}

/// An error of the upload store, camelCase like the rest of that API: `{"error": "..."}`.
pub fn upload_error(status: StatusCode, message: &str) -> Response {
    json(status, &json!({ "error": message }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_lists_every_error() {
        let res = validation(&[
            FieldError::new("NewFileDataUrl", json!("x"), "is wrong"),
            FieldError::new("CommunityThread", json!(5), "was not found"),
        ]);
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = too_many_writes(7);
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::RETRY_AFTER], "7");
    }
}
