//! Reading a forwarded write's JSON body and keeping only the documented fields.
//!
//! Field names are matched case-insensitively (the upstream's model binder does so too, so
//! `userid` would otherwise slip past a check on `UserId`) and written back in the reference's
//! casing. Fields the reference does not document for the entity are dropped, so nothing
//! unexpected (an `Id`, another account's `CoworkerId`) reaches Nexudus as the operator.

use axum::body::Body;
use serde_json::{Map, Value};

use crate::envelope::{self, FieldError};

/// Why a body was refused (already the answer to send).
pub type Refused = axum::response::Response;

/// Reads at most `limit` bytes of JSON object; `too_large` is the answer past the limit.
pub async fn read_object(
    body: Body,
    limit: usize,
    too_large: impl FnOnce() -> Refused,
) -> Result<Map<String, Value>, Refused> {
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let is_limit = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            return Err(if is_limit {
                too_large()
            } else if crate::body_deadline::is_timeout(&e) {
                envelope::body_timeout()
            } else {
                envelope::bad_request("The request body could not be read.")
            });
        }
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(envelope::bad_request(
            "The request body must be a JSON object.",
        )),
        Err(_) => Err(envelope::bad_request("The request body is not valid JSON.")),
    }
}

/// The fields of `map` whose names match `allowed` (case-insensitively), under the allowed
/// spelling. A field given twice in different casings is refused.
pub fn allowed_fields(
    map: Map<String, Value>,
    allowed: &[&str],
) -> Result<Map<String, Value>, Refused> {
    let mut out = Map::new();
    for (name, value) in map {
        let Some(canonical) = allowed.iter().find(|a| a.eq_ignore_ascii_case(&name)) else {
            continue;
        };
        if out.insert((*canonical).to_string(), value).is_some() {
            return Err(envelope::validation(&[FieldError::new(
                canonical,
                Value::Null,
                "is given more than once",
            )]));
        }
    }
    Ok(out)
}

/// An attempted value fit to echo: long strings (a `data:` URL) are cut.
pub fn short(value: Value) -> Value {
    match value {
        Value::String(s) if s.chars().count() > 200 => {
            Value::String(s.chars().take(200).chain(std::iter::once('…')).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_documented_fields_in_their_casing() {
        let Value::Object(map) = json!({"subject": "Hi", "Id": 5, "USERID": 11}) else {
            unreachable!()
        };
        let kept = allowed_fields(map, &["Subject", "UserId"]).unwrap();
        assert_eq!(Value::Object(kept), json!({"Subject": "Hi", "UserId": 11}));
        let Value::Object(map) = json!({"Subject": "a", "subject": "b"}) else {
            unreachable!()
        };
        assert!(allowed_fields(map, &["Subject"]).is_err());
    }
}
