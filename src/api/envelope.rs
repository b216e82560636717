//! The response envelope of the Nexudus REST API, read leniently.
//!
//! Nexudus documents one envelope (`Status`, `Message`, `Value`, `WasSuccessful`,
//! `Errors: [{PropertyName, Message, AttemptedValue}]`) but answers in several shapes:
//! `Errors` null, absent or empty, `Status` disagreeing with the HTTP status, any JSON
//! in `Value` and `AttemptedValue`, extra fields. A field of an unexpected type must not
//! make the whole answer unreadable, so every field here is read by a forgiving visitor
//! that keeps what it understands and skips the rest.
//!
//! The types deserialise from any serde data format: `serde_json` natively and
//! `serde-wasm-bindgen` (over the browser's `JSON.parse`) in the widget.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A Nexudus response envelope: what a write endpoint answers, success or failure.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Envelope {
    /// The body's own status code; documented to disagree with HTTP at times.
    #[serde(rename = "Status", default, deserialize_with = "loose_i64")]
    pub status: Option<i64>,
    /// A human-readable summary, `PropertyName: message` lines on validation failures.
    #[serde(rename = "Message", default, deserialize_with = "loose_string")]
    pub message: Option<String>,
    /// The `Id` inside `Value`, when `Value` is an object that carries one.
    #[serde(rename = "Value", default, deserialize_with = "value_id")]
    pub value_id: Option<u64>,
    /// Whether the API says the operation succeeded: the one reliable success flag.
    #[serde(rename = "WasSuccessful", default, deserialize_with = "loose_bool")]
    pub was_successful: Option<bool>,
    /// Validation errors; empty when `Errors` was null, absent or not a list.
    #[serde(rename = "Errors", default, deserialize_with = "error_list")]
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

/// A scalar read from any JSON value; compound values are skipped.
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    /// A number that is not an integer an `i64` holds (kept only as "a number").
    Float,
    Str(String),
    Compound,
}

impl Scalar {
    fn into_string(self) -> Option<String> {
        match self {
            Scalar::Str(s) => Some(s),
            Scalar::Int(n) => Some(n.to_string()),
            // Printing floats would add ~10 KB of formatting code to the wasm for a
            // value no message needs.
            Scalar::Float => Some("(number)".to_owned()),
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Null | Scalar::Compound => None,
        }
    }

    fn into_u64(self) -> Option<u64> {
        match self {
            Scalar::Int(n) => u64::try_from(n).ok(),
            Scalar::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(i64::try_from(v).map_or(Scalar::Float, Scalar::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        // serde-wasm-bindgen hands non-integer JS numbers over as f64.
        if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
            Ok(Scalar::Int(v as i64))
        } else {
            Ok(Scalar::Float)
        }
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound)
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

fn loose_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(scalar(d)?.into_string())
}

fn loose_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Int(n) => Some(n),
        Scalar::Str(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn loose_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Bool(b) => Some(b),
        Scalar::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Scalar::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// Reads `Value` and keeps only its `Id` (a number or a numeric string).
fn value_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct ValueIdVisitor;
    impl<'de> Visitor<'de> for ValueIdVisitor {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<u64>, A::Error> {
            let mut id = None;
            while let Some(key) = map.next_key::<String>()? {
                if key.eq_ignore_ascii_case("Id") {
                    id = map.next_value_seed(ScalarSeed)?.into_u64();
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(id)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<u64>, D::Error> {
            d.deserialize_any(ValueIdVisitor)
        }
        fn visit_none<E>(self) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<u64>, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_any(ValueIdVisitor)
}

struct ScalarSeed;

impl<'de> de::DeserializeSeed<'de> for ScalarSeed {
    type Value = Scalar;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        scalar(d)
    }
}

/// Reads `Errors`: a list of entries, or anything else as no entries.
fn error_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ApiFieldError>, D::Error> {
    struct ListVisitor;
    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<ApiFieldError>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of errors")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = seq.next_element_seed(EntrySeed)? {
                out.extend(entry);
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(ListVisitor)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    d.deserialize_any(ListVisitor)
}

/// Reads one `Errors[]` entry; an entry that is not an object yields nothing.
struct EntrySeed;

impl<'de> de::DeserializeSeed<'de> for EntrySeed {
    type Value = Option<ApiFieldError>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Option<ApiFieldError>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an error entry")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entry = ApiFieldError::default();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(ScalarSeed)?;
            match key.to_ascii_lowercase().as_str() {
                "propertyname" => entry.property_name = value.into_string().unwrap_or_default(),
                "message" | "errormessage" => {
                    entry.message = value.into_string().unwrap_or_default()
                }
                "attemptedvalue" => {
                    entry.attempted_value = match value {
                        Scalar::Compound => Some("…".to_owned()),
                        other => other.into_string(),
                    }
                }
                _ => {}
            }
        }
        Ok(Some(entry))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn parse(json: &str) -> Envelope {
        serde_json::from_str(json).unwrap()
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
