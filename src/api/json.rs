//! JSON at the boundary with JavaScript.
//!
//! **Writing** goes through serde: every value the widget hands out derives `Serialize`
//! and becomes a JavaScript object with serde-wasm-bindgen ([`to_js_object`]), or JSON text
//! with `serde_json` natively. Serializing costs little in the wasm (no float formatting).
//!
//! **Reading** does not: a small read-only view of parsed JSON, so the readers of answers
//! ([`super::Envelope`], [`super::list`]), of the saved draft and of the presigned ticket
//! are written once and run on `serde_json::Value` natively (tests, fuzzing) and on the
//! browser's `JSON.parse` result in wasm. Measured here: `serde_wasm_bindgen::from_value`
//! through a derived `Deserialize` adds about 13.3 KB brotli to the wasm (serde's generic
//! deserializer and the float formatting its error messages link in), more than a tenth of
//! the whole package, and its errors echo values; the answers of Nexudus also need leniency
//! a derive does not give (numbers as strings, keys in any case, odd fields skipped).

/// What the readers need from a parsed JSON value.
pub trait JsonView: Sized {
    /// The value of `key` in an object (exact key), if this is an object that has it.
    fn field(&self, key: &str) -> Option<Self>;
    /// The keys of an object; empty for anything else.
    fn keys(&self) -> Vec<String>;
    /// The elements of an array; `None` for anything else.
    fn elements(&self) -> Option<Vec<Self>>;
    /// The text of a string.
    fn as_text(&self) -> Option<String>;
    /// The number, if this is a number.
    fn as_number(&self) -> Option<f64>;
    /// The boolean, if this is one.
    fn as_boolean(&self) -> Option<bool>;
    /// Whether this is an object (not an array, not null).
    fn is_object(&self) -> bool;
    /// A number printed the way JSON would print it.
    fn number_text(&self) -> Option<String>;

    /// The value of the first key that equals `key` ignoring ASCII case.
    fn field_ignoring_case(&self, key: &str) -> Option<Self> {
        self.field(key).or_else(|| {
            self.keys()
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(key))
                .and_then(|k| self.field(&k))
        })
    }

    /// A string, or the text of a number or boolean.
    fn scalar_text(&self) -> Option<String> {
        self.as_text()
            .or_else(|| self.number_text())
            .or_else(|| self.as_boolean().map(|b| b.to_string()))
    }

    /// A non-negative integer from a number or a numeric string.
    fn read_u64(&self) -> Option<u64> {
        match self.as_number() {
            Some(n) => {
                (n.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&n)).then_some(n as u64)
            }
            None => self.as_text()?.trim().parse().ok(),
        }
    }

    /// An integer from a number or a numeric string.
    fn read_i64(&self) -> Option<i64> {
        match self.as_number() {
            Some(n) => (n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER).then_some(n as i64),
            None => self.as_text()?.trim().parse().ok(),
        }
    }

    /// A boolean, or the strings `true` / `false` in any case.
    fn read_flag(&self) -> Option<bool> {
        self.as_boolean().or_else(|| {
            let text = self.as_text()?;
            if text.eq_ignore_ascii_case("true") {
                Some(true)
            } else if text.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            }
        })
    }
}

/// A value the widget hands to JavaScript (a request body before the browser's
/// `JSON.stringify`, the saved draft, a callback's argument, an event's `detail`) as a
/// plain JavaScript object, through its `#[derive(Serialize)]`: the same derive gives
/// `serde_json` natively (tests, fuzzing). `None` becomes `null` unless the field skips
/// it (`skip_serializing_if`), and maps become plain objects, as `JSON.parse` would give.
///
/// The widget's types serialize without fail: their integers are Ids read by
/// [`JsonView::read_u64`], so at most 2^53 − 1, which a JavaScript number holds exactly.
/// Were one larger, the value would be `null` rather than a rounded Id.
pub fn to_js_object(value: &impl serde::Serialize) -> wasm_bindgen::JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(wasm_bindgen::JsValue::NULL)
}

/// 2^53 − 1: the largest integer a JSON number carries exactly in a browser.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

#[cfg(not(target_arch = "wasm32"))]
impl JsonView for serde_json::Value {
    fn field(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).cloned()
    }
    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|map| map.keys().cloned().collect())
            .unwrap_or_default()
    }
    fn elements(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
    fn as_text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn as_number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn as_boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_object(&self) -> bool {
        self.is_object()
    }
    fn number_text(&self) -> Option<String> {
        self.is_number().then(|| self.to_string())
    }
}

// Built on every target so the browser code type-checks natively; only wasm calls it.
impl JsonView for wasm_bindgen::JsValue {
    fn field(&self, key: &str) -> Option<Self> {
        if !JsonView::is_object(self) {
            return None;
        }
        let key = wasm_bindgen::JsValue::from_str(key);
        if !js_sys::Reflect::has(self, &key).unwrap_or(false) {
            return None;
        }
        js_sys::Reflect::get(self, &key).ok()
    }
    fn keys(&self) -> Vec<String> {
        if !JsonView::is_object(self) {
            return Vec::new();
        }
        use wasm_bindgen::JsCast;
        js_sys::Object::keys(self.unchecked_ref::<js_sys::Object>())
            .iter()
            .filter_map(|key| key.as_string())
            .collect()
    }
    fn elements(&self) -> Option<Vec<Self>> {
        use wasm_bindgen::JsCast;
        js_sys::Array::is_array(self)
            .then(|| self.unchecked_ref::<js_sys::Array>().iter().collect())
    }
    fn as_text(&self) -> Option<String> {
        self.as_string()
    }
    fn as_number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn as_boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_object(&self) -> bool {
        self.is_object() && !js_sys::Array::is_array(self)
    }
    fn number_text(&self) -> Option<String> {
        // The browser prints the number; Rust's float printing would cost ~10 KB of wasm.
        self.as_f64().and_then(|n| {
            js_sys::Number::from(n)
                .to_string_with_radix(10)
                .ok()
                .map(String::from)
        })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_strings_and_flags_read_leniently() {
        let value = json!({"a": 7, "b": "42", "c": 1.5, "d": "TRUE", "e": -3, "Id": 9});
        assert_eq!(value.field("a").and_then(|v| v.read_u64()), Some(7));
        assert_eq!(value.field("b").and_then(|v| v.read_u64()), Some(42));
        assert_eq!(value.field("c").and_then(|v| v.read_u64()), None);
        assert_eq!(value.field("e").and_then(|v| v.read_u64()), None);
        assert_eq!(value.field("e").and_then(|v| v.read_i64()), Some(-3));
        assert_eq!(value.field("d").and_then(|v| v.read_flag()), Some(true));
        assert_eq!(
            value.field_ignoring_case("id").and_then(|v| v.read_u64()),
            Some(9)
        );
        assert_eq!(
            value.field("c").and_then(|v| v.scalar_text()).as_deref(),
            Some("1.5")
        );
        assert_eq!(json!(null).scalar_text(), None);
    }
}
