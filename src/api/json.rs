//! A small read-only view of parsed JSON, so the readers of answers ([`super::Envelope`],
//! [`super::list`]) are written once and run on `serde_json::Value` natively (tests,
//! fuzzing) and on the browser's `JSON.parse` result in wasm, with no JSON parser or
//! serde deserializer compiled into the wasm.

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

/// One value of a JSON object the widget writes (request bodies, saved drafts, the
/// plain data given to host callbacks).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JsonField<'a> {
    /// A string.
    Text(&'a str),
    /// A whole number.
    Number(u64),
    /// A boolean.
    Flag(bool),
    /// A list of whole numbers.
    Numbers(&'a [u64]),
    /// A list of strings.
    Texts(&'a [String]),
    /// `null`.
    Null,
}

/// An object the widget writes as JSON: its fields, in order, with their JSON names.
/// One list serves both targets: `serde_json` natively (tests), a JavaScript object in
/// the browser, so no serializer is compiled into the wasm.
pub trait JsonFields {
    /// The fields to write; absent optional fields are simply not listed.
    fn json_fields(&self) -> Vec<(&'static str, JsonField<'_>)>;
}

/// The fields as a `serde_json` object (native only: tests and tools).
#[cfg(not(target_arch = "wasm32"))]
pub fn to_json_value(object: &impl JsonFields) -> serde_json::Value {
    use serde_json::Value;
    let map = object
        .json_fields()
        .into_iter()
        .map(|(name, field)| {
            let value = match field {
                JsonField::Text(text) => Value::from(text),
                JsonField::Number(n) => Value::from(n),
                JsonField::Flag(b) => Value::from(b),
                JsonField::Numbers(list) => Value::from(list.to_vec()),
                JsonField::Texts(list) => Value::from(list.to_vec()),
                JsonField::Null => Value::Null,
            };
            (name.to_owned(), value)
        })
        .collect();
    Value::Object(map)
}

/// The fields as a plain JavaScript object.
pub fn to_js_object(object: &impl JsonFields) -> wasm_bindgen::JsValue {
    use wasm_bindgen::JsValue;
    let target = js_sys::Object::new();
    for (name, field) in object.json_fields() {
        let value = match field {
            JsonField::Text(text) => JsValue::from_str(text),
            JsonField::Number(n) => JsValue::from_f64(n as f64),
            JsonField::Flag(b) => JsValue::from_bool(b),
            JsonField::Numbers(list) => list
                .iter()
                .map(|&n| JsValue::from_f64(n as f64))
                .collect::<js_sys::Array>()
                .into(),
            JsonField::Texts(list) => list
                .iter()
                .map(|text| JsValue::from_str(text))
                .collect::<js_sys::Array>()
                .into(),
            JsonField::Null => JsValue::NULL,
        };
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&target, &JsValue::from_str(name), &value);
    }
    target.into()
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
