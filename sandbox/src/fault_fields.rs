//! What a fault reads of a request's JSON body: `whenBody` (which requests it matches) and
//! `fieldErrors` (the validation envelope it answers, echoing what was sent).
//!
//! `fieldErrors` lets a test make the sandbox refuse any property with the API's own
//! validation envelope [doc, nexudus-api.md "The response envelope"], on the one request it
//! targets, e.g. the second attach of a conversation, or the create that sends `Tags`:
//!
//! ```json
//! {"method":"POST","path":"/api/community/communitythreads",
//!  "fieldErrors":["Tags",{"propertyName":"Private","message":"is not allowed on this board"}]}
//! ```
//!
//! Each entry is a property name (the message is then [`DEFAULT_MESSAGE`]) or
//! `{"propertyName", "message"}`. `AttemptedValue` is the request body's value of that
//! property (names matched case-insensitively; null when absent). The answer is HTTP 400
//! (or the fault's `status`) with `Message`, `Value: null`, `Errors`, `WasSuccessful: false`;
//! with a 2xx `status` the body also carries `"Status": 500`, the business-rule failure on
//! HTTP 200 seen in the wild [seen, nexudus-api.md "Failures seen in the wild"].

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::body::echo;
use crate::envelope::{self, FieldError};

/// The message of a `fieldErrors` entry given as a bare property name.
pub const DEFAULT_MESSAGE: &str = "is not valid";

/// One entry of a fault's `fieldErrors`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum FieldErrorSpec {
    /// Just the property, with [`DEFAULT_MESSAGE`].
    Name(String),
    /// The property and its message.
    Full(NamedMessage),
}

/// `{"propertyName", "message"}`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedMessage {
    /// The `PropertyName` to answer.
    pub property_name: String,
    /// Its `Message` (default [`DEFAULT_MESSAGE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl FieldErrorSpec {
    fn property(&self) -> &str {
        match self {
            FieldErrorSpec::Name(name) => name,
            FieldErrorSpec::Full(full) => &full.property_name,
        }
    }

    fn message(&self) -> &str {
        match self {
            FieldErrorSpec::Full(NamedMessage {
                message: Some(m), ..
            }) => m,
            _ => DEFAULT_MESSAGE,
        }
    }

    /// Checks a posted entry.
    pub fn validate(&self) -> Result<(), String> {
        if self.property().trim().is_empty() {
            return Err("a fieldErrors entry needs a non-empty property name".into());
        }
        Ok(())
    }
}

/// A property of a JSON object, its name matched case-insensitively (as the API binds them).
pub fn property<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.get(name).or_else(|| {
        body.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Whether `body` has every property of `wanted` with an equal value (`null` in `wanted`
/// also matches an absent property).
pub fn body_matches(wanted: &Map<String, Value>, body: Option<&Map<String, Value>>) -> bool {
    wanted.iter().all(|(name, value)| {
        let sent = body.and_then(|b| property(b, name)).unwrap_or(&Value::Null);
        sent == value
    })
}

/// The validation envelope for `specs`, echoing what `body` sent for each property.
pub fn answer(
    specs: &[FieldErrorSpec],
    body: Option<&Map<String, Value>>,
    status: StatusCode,
) -> Response {
    let errors: Vec<FieldError> = specs
        .iter()
        .map(|spec| {
            let sent = body
                .and_then(|b| property(b, spec.property()))
                .map_or(Value::Null, echo);
            FieldError::new(spec.property(), sent, spec.message())
        })
        .collect();
    let message = envelope::summary(&errors);
    let body = if status.is_success() {
        json!({
            "Status": 500, "Message": message, "Value": null, "Errors": errors,
            "WasSuccessful": false,
        })
    } else {
        json!({ "Message": message, "Value": null, "Errors": errors, "WasSuccessful": false })
    };
    envelope::json(status, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn matches_bodies_case_insensitively() {
        let body = object(json!({"name": "b.png", "CommunityThreadId": 5001}));
        assert!(body_matches(&object(json!({"Name": "b.png"})), Some(&body)));
        assert!(body_matches(
            &object(json!({"Description": null})),
            Some(&body)
        ));
        assert!(!body_matches(
            &object(json!({"Name": "a.png"})),
            Some(&body)
        ));
        assert!(!body_matches(&object(json!({"Name": "b.png"})), None));
        assert!(body_matches(&Map::new(), None));
    }

    #[test]
    fn entries_parse_from_names_or_objects() {
        let specs: Vec<FieldErrorSpec> =
            serde_json::from_value(json!(["Tags", {"propertyName": "Private", "message": "no"}]))
                .unwrap();
        assert_eq!(specs[0].property(), "Tags");
        assert_eq!(specs[0].message(), DEFAULT_MESSAGE);
        assert_eq!((specs[1].property(), specs[1].message()), ("Private", "no"));
        assert!(
            serde_json::from_value::<FieldErrorSpec>(json!({"propertyName": "A", "x": 1})).is_err()
        );
        assert!(FieldErrorSpec::Name(" ".into()).validate().is_err());
    }
}
