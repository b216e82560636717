//! The response shapes of the Nexudus REST API, as its reference documents them.
//!
//! - Create/delete success: the seed page's 200 envelope, fields in the page's order.
//! - Validation failure (HTTP 400): exactly `Message`, `Value`, `Errors`, `WasSuccessful`, in that
//!   order; `Message` lists every error as `PropertyName: message`, one per line.
//! - Request-level failures (bad Content-Type, malformed JSON, body too large): the same 400
//!   shape with `Errors: []`, the explanation in `Message` (status 400, 413 or 415).
//! - 404: the bare JSON string `"Not found"`.
//! - The generic 500 ([`GENERIC_500_BODY`]): what live Nexudus answers when an action fails
//!   inside (a `data:` `NewFileDataUrl` among others) [seen, nexudus-api.md "Failures seen in
//!   the wild"]. Not a validation error: no `Errors`, no `WasSuccessful`.
//! - Lists: `Records` plus the paging fields.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

pub use nexudus_wire::envelope::{
    json, not_found, request_error, summary, validation, FieldError, JSON_CONTENT_TYPE,
};

/// The envelope with every documented field, as a success (and a missing-role 401) has it.
#[derive(Serialize)]
struct FullEnvelope {
    #[serde(rename = "Status")]
    status: u16,
    #[serde(rename = "Message")]
    message: String,
    #[serde(rename = "Value")]
    value: Value,
    #[serde(rename = "OpenInDialog")]
    open_in_dialog: bool,
    #[serde(rename = "OpenInWindow")]
    open_in_window: bool,
    #[serde(rename = "RedirectURL")]
    redirect_url: Option<String>,
    #[serde(rename = "JavaScript")]
    javascript: Option<String>,
    #[serde(rename = "UpdatedOn", skip_serializing_if = "Option::is_none")]
    updated_on: Option<String>,
    #[serde(rename = "UpdatedBy", skip_serializing_if = "Option::is_none")]
    updated_by: Option<String>,
    #[serde(rename = "Errors")]
    errors: Option<Vec<FieldError>>,
    #[serde(rename = "WasSuccessful")]
    was_successful: bool,
}

fn success(message: String, id: i64, by: &str) -> Response {
    json(
        StatusCode::OK,
        &FullEnvelope {
            status: 200,
            message,
            value: serde_json::json!({ "Id": id }),
            open_in_dialog: false,
            open_in_window: false,
            redirect_url: None,
            javascript: None,
            updated_on: Some(now_rfc3339()),
            updated_by: Some(by.to_string()),
            errors: None,
            was_successful: true,
        },
    )
}

/// A refusal in the full envelope (`Value`, `Errors` null; no `UpdatedOn`/`UpdatedBy`),
/// with `status` both as the HTTP status and in the body.
pub fn refusal(status: StatusCode, message: String) -> Response {
    json(
        status,
        &FullEnvelope {
            status: status.as_u16(),
            message,
            value: Value::Null,
            open_in_dialog: false,
            open_in_window: false,
            redirect_url: None,
            javascript: None,
            updated_on: None,
            updated_by: None,
            errors: None,
            was_successful: false,
        },
    )
}

/// `{"Status":200,"Message":"<Entity> was successfully created.","Value":{"Id":id},...}`.
pub fn created(entity: &str, id: i64, by: &str) -> Response {
    success(format!("{entity} was successfully created."), id, by)
}

/// `{"Status":200,"Message":"<Entity> was successfully deleted.","Value":{"Id":id},...}`.
pub fn deleted(entity: &str, id: i64, by: &str) -> Response {
    success(format!("{entity} was successfully deleted."), id, by)
}

/// Fallback for unknown routes.
pub async fn route_not_found() -> Response {
    not_found()
}

/// Fallback for a known route called with another method (axum adds the `Allow` header).
pub async fn method_not_allowed(method: Method) -> Response {
    method_not_allowed_response(&method)
}

/// The 405 body (without the `Allow` header).
pub fn method_not_allowed_response(method: &Method) -> Response {
    json(
        StatusCode::METHOD_NOT_ALLOWED,
        &serde_json::json!({
            "Message": format!("The requested resource does not support http method '{method}'.")
        }),
    )
}

/// The body of live Nexudus's generic 500 ("Ooops! ..."), byte for byte. Also the default body
/// of a `failAfterHandling` fault.
pub const GENERIC_500_BODY: &str = r#"{"Message":"Ooops! There was a problem while running this action. Please try again later."}"#;

/// HTTP 500 with [`GENERIC_500_BODY`].
pub fn generic_500() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )],
        GENERIC_500_BODY,
    )
        .into_response()
}

/// What a handler panic turns into (none is expected): Nexudus's documented 500 body.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    json(
        StatusCode::INTERNAL_SERVER_ERROR,
        &serde_json::json!({ "Message": "An error has occurred." }),
    )
}

/// The list envelope of `GET` collection endpoints.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEnvelope<T: Serialize> {
    /// The records of this page.
    pub records: Vec<T>,
    /// 1-based page number.
    pub current_page: u64,
    /// Page size used.
    pub current_page_size: u64,
    /// Field the records are ordered by.
    pub current_order_field: String,
    /// 0 = ascending, 1 = descending.
    pub current_sort_direction: u8,
    /// 1-based index of the first record of the page (0 for an empty page).
    pub first_item: u64,
    /// 1-based index of the last record of the page (0 for an empty page).
    pub last_item: u64,
    /// Records matching the filters, over all pages.
    pub total_items: u64,
    /// Number of pages.
    pub total_pages: u64,
    /// Whether a later page exists.
    pub has_next_page: bool,
    /// Whether an earlier page exists.
    pub has_previous_page: bool,
}

/// Now as RFC 3339 UTC with whole seconds, like the reference's `2025-01-15T10:30:00Z`.
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// A time as RFC 3339 UTC with whole seconds.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A byte count as the size messages show it: `25 MB`, `512 KB` or `1000 bytes`.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_736_937_000);
        assert_eq!(rfc3339(t), "2025-01-15T10:30:00Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn generic_500_body_is_json_with_only_a_message() {
        let v: Value = serde_json::from_str(GENERIC_500_BODY).unwrap();
        assert_eq!(
            v,
            serde_json::json!({ "Message": "Ooops! There was a problem while running this action. Please try again later." })
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(25 * 1024 * 1024), "25 MB");
        assert_eq!(human_size(2048), "2 KB");
        assert_eq!(human_size(1000), "1000 bytes");
    }

    #[test]
    fn validation_message_lists_every_error() {
        let errors = [
            FieldError::new("Subject", Value::Null, "is a required field"),
            FieldError::new("User", serde_json::json!(99), "was not found"),
        ];
        assert_eq!(
            summary(&errors),
            "Subject: is a required field\nUser: was not found"
        );
    }
}
