//! The messages a host reads when an option is wrong: each starts with the package name,
//! names the option and says what was expected, and a misspelt name gets a suggestion.
//! A value is described briefly (`"abc"`, `12.5`, `an object`); a secret only by its kind.
//!
//! Numbers are printed by the browser: Rust's float formatting would add ~10 KB of wasm.

/// Every message starts with the package name, so a host sees where it came from.
pub const PREFIX: &str = "nexudus-start-conversation";

/// `nexudus-start-conversation: option `name` must be EXPECTED, got GOT`.
pub fn option_message(name: &str, expected: &str, got: &str) -> String {
    format!("{PREFIX}: option `{name}` must be {expected}, got {got}")
}

/// `unknown option `x`` with a suggestion and the list of known names.
pub fn unknown_message(what: &str, unknown: &str, known: &[&str]) -> String {
    let hint = closest_name(unknown, known)
        .map(|name| format!(" (did you mean `{name}`?)"))
        .unwrap_or_default();
    format!(
        "{PREFIX}: unknown {what} `{unknown}`{hint}; expected one of: {}",
        known.join(", ")
    )
}

/// The suggestion for a misspelt option name: the known name it is closest to.
pub fn closest_name<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let unknown = unknown.to_ascii_lowercase();
    known
        .iter()
        .map(|name| (edit_distance(&unknown, &name.to_ascii_lowercase()), *name))
        .filter(|(distance, name)| *distance <= 2.max(name.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(feature = "js-api")]
pub use js::{describe, kind, type_error};

#[cfg(feature = "js-api")]
mod js {
    use js_sys::Array;
    use wasm_bindgen::JsValue;

    /// A JavaScript `TypeError` to throw.
    pub fn type_error(message: &str) -> JsValue {
        js_sys::TypeError::new(message).into()
    }

    /// A short description of a value for a message: `"abc"`, `12.5`, `true`, `null`,
    /// `an object`… Strings are cut at 60 characters.
    pub fn describe(value: &JsValue) -> String {
        if let Some(text) = value.as_string() {
            let cut: String = text.chars().take(60).collect();
            let quoted = js_sys::JSON::stringify(&JsValue::from_str(&cut))
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_else(|| format!("\"{cut}\""));
            return if cut.len() < text.len() {
                format!("{quoted}…")
            } else {
                quoted
            };
        }
        if let Some(n) = value.as_f64() {
            // The browser prints it (`NaN`, `-Infinity`, `12.5`).
            return js_sys::Number::from(n)
                .to_string_with_radix(10)
                .map(String::from)
                .unwrap_or_default();
        }
        if let Some(b) = value.as_bool() {
            return b.to_string();
        }
        match kind(value) {
            "undefined" => "undefined".into(),
            "null" => "null".into(),
            other => other.into(),
        }
    }

    /// The kind of a value, never its content (for secrets).
    pub fn kind(value: &JsValue) -> &'static str {
        if value.is_undefined() {
            "undefined"
        } else if value.is_null() {
            "null"
        } else if value.is_string() {
            "a string"
        } else if value.as_f64().is_some() {
            "a number"
        } else if value.as_bool().is_some() {
            "a boolean"
        } else if value.is_bigint() {
            "a bigint"
        } else if value.is_symbol() {
            "a symbol"
        } else if value.is_function() {
            "a function"
        } else if Array::is_array(value) {
            "an array"
        } else {
            "an object"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_option_and_suggest_a_spelling() {
        assert_eq!(
            option_message("businessId", "a positive integer", "\"abc\""),
            "nexudus-start-conversation: option `businessId` must be a positive integer, got \"abc\""
        );
        let known = ["baseUrl", "token", "businessId"];
        let message = unknown_message("option", "buisnessId", &known);
        assert!(message.contains("unknown option `buisnessId` (did you mean `businessId`?)"));
        assert!(message.ends_with("expected one of: baseUrl, token, businessId"));
        assert_eq!(closest_name("tokn", &known), Some("token"));
        assert_eq!(closest_name("zzzzzzzz", &known), None);
    }
}
