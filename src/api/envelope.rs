//! The response envelope of the Nexudus REST API, read leniently.
//!
//! Nexudus documents one envelope (`Status`, `Message`, `Value`, `WasSuccessful`,
//! `Errors: [{PropertyName, Message, AttemptedValue}]`) but answers in several shapes:
//! `Errors` null, absent or empty, `Status` disagreeing with the HTTP status, any JSON
//! in `Value` and `AttemptedValue`, extra fields. A field of an unexpected type must not
//! make the whole answer unreadable, so every field is read forgivingly: what is
//! understood is kept, the rest skipped.
//!
//! The reader works on any [`JsonView`]: `serde_json::Value` natively, the browser's
//! `JSON.parse` result in the widget.

use super::json::JsonView;

/// A Nexudus response envelope: what a write endpoint answers, success or failure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Envelope {
    /// The body's own status code; documented to disagree with HTTP at times.
    pub status: Option<i64>,
    /// A human-readable summary, `PropertyName: message` lines on validation failures.
    pub message: Option<String>,
    /// The `Id` inside `Value`, when `Value` is an object that carries one.
    pub value_id: Option<u64>,
    /// Whether the API says the operation succeeded: the one reliable success flag.
    pub was_successful: Option<bool>,
    /// Validation errors; empty when `Errors` was null, absent or not a list.
    pub errors: Vec<ApiFieldError>,
}

/// One entry of `Errors[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiFieldError {
    /// The property the API blames; may be empty, an entity name, dotted or indexed.
    pub property_name: String,
    /// The error text, usually a predicate such as `is a required field`.
    pub message: String,
    /// A short rendering of `AttemptedValue`; `None` for null or absent.
    pub attempted_value: Option<String>,
}

impl Envelope {
    /// Reads an envelope from a parsed JSON object. Every field is optional, and a
    /// field of an unexpected type is skipped, never fatal.
    pub fn read(json: &impl JsonView) -> Envelope {
        Envelope {
            status: json.field("Status").and_then(|v| v.read_i64()),
            message: json.field("Message").and_then(|v| v.scalar_text()),
            value_id: json
                .field("Value")
                .filter(JsonView::is_object)
                .and_then(|value| value.field_ignoring_case("Id"))
                .and_then(|id| id.read_u64())
                // `Id: 0` names no record: a success without it is unreadable.
                .filter(|&id| id > 0),
            was_successful: json.field("WasSuccessful").and_then(|v| v.read_flag()),
            errors: json
                .field("Errors")
                .and_then(|errors| errors.elements())
                .unwrap_or_default()
                .iter()
                .filter(|entry| entry.is_object())
                .map(ApiFieldError::read)
                .collect(),
        }
    }
}

impl ApiFieldError {
    /// Reads one `Errors[]` entry; key names are matched ignoring case.
    fn read(entry: &impl JsonView) -> ApiFieldError {
        let text = |key: &str| entry.field_ignoring_case(key).and_then(|v| v.scalar_text());
        ApiFieldError {
            property_name: text("PropertyName").unwrap_or_default(),
            message: text("Message")
                .or_else(|| text("ErrorMessage"))
                .unwrap_or_default(),
            attempted_value: entry
                .field_ignoring_case("AttemptedValue")
                .and_then(|value| {
                    if value.is_object() || value.elements().is_some() {
                        Some("…".to_owned())
                    } else {
                        value.scalar_text()
                    }
                }),
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn parse(json: &str) -> Envelope {
        Envelope::read(&serde_json::from_str::<serde_json::Value>(json).unwrap())
    }

    #[test]
    fn reads_the_seed_success_body() {
        let env = parse(
            r#"{"Status":200,"Message":"CommunityThreadFile was successfully created.",
                "Value":{"Id":87654321},"OpenInDialog":false,"OpenInWindow":false,
                "RedirectURL":null,"JavaScript":null,"UpdatedOn":"2025-01-15T10:30:00Z",
                "UpdatedBy":"admin@example.com","Errors":null,"WasSuccessful":true}"#,
        );
        assert_eq!(env.status, Some(200));
        assert_eq!(env.value_id, Some(87654321));
        assert_eq!(env.was_successful, Some(true));
        assert!(env.errors.is_empty());
    }

    #[test]
    fn reads_the_seed_validation_body() {
        let env = parse(
            r#"{"Message":"Name: is a required field","Value":null,
                "Errors":[{"AttemptedValue":null,"Message":"is a required field","PropertyName":"Name"}],
                "WasSuccessful":false}"#,
        );
        assert_eq!(env.was_successful, Some(false));
        assert_eq!(
            env.errors,
            vec![ApiFieldError {
                property_name: "Name".into(),
                message: "is a required field".into(),
                attempted_value: None,
            }]
        );
    }

    #[test]
    fn odd_types_are_skipped_not_fatal() {
        let env = parse(
            r#"{"Status":"400","Message":["x"],"Value":[1,2],"WasSuccessful":"false",
                "Errors":[3,{"PropertyName":"Subject","Message":"too long","AttemptedValue":{"a":1}},null],
                "Extra":{"deep":[1,{"x":null}]}}"#,
        );
        assert_eq!(env.status, Some(400));
        assert_eq!(env.message, None);
        assert_eq!(env.value_id, None);
        assert_eq!(env.was_successful, Some(false));
        assert_eq!(env.errors.len(), 1);
        assert_eq!(env.errors[0].attempted_value.as_deref(), Some("…"));
    }

    #[test]
    fn value_id_may_be_a_string_and_attempted_value_a_number() {
        let env = parse(
            r#"{"Value":{"Id":"42","Name":"x"},"Errors":[{"PropertyName":"CommunityGroupId","AttemptedValue":7,"Message":"not found"}]}"#,
        );
        assert_eq!(env.value_id, Some(42));
        assert_eq!(env.errors[0].attempted_value.as_deref(), Some("7"));
    }

    #[test]
    fn errors_object_instead_of_list_is_no_entries() {
        let env = parse(r#"{"Errors":{"Name":"bad"},"WasSuccessful":false}"#);
        assert!(env.errors.is_empty());
    }
}
