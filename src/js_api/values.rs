//! One option's value, read by its kind (integer Id, string, secret, URL, boolean,
//! function, object, object or boolean) and checked before anything is rendered: a wrong value is a
//! `TypeError` naming the option, never a panic.
//!
//! Options are read with `Reflect` rather than `serde_wasm_bindgen::from_value`: measured
//! here, a derived `Deserialize` for them adds about 13.3 KB brotli to the wasm (serde's
//! generic deserializer and the float formatting its errors link in), its errors echo
//! values (a token among them) and name no option, and `deny_unknown_fields` is inert with
//! it, so the unknown-key check would stay anyway. Functions need no special path here.
//!
//! The rules that need no browser (numbers, `accept` lists) are plain functions, tested
//! natively.

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A JavaScript number as a positive safe integer (`1`, `1001`), else `None`.
pub fn positive_integer_from_number(n: f64) -> Option<u64> {
    (n.is_finite() && n.fract() == 0.0 && n >= 1.0 && n <= MAX_SAFE_INTEGER as f64)
        .then_some(n as u64)
}

/// A numeric string as a positive safe integer (`"1001"`, `" 7 "`), else `None`. Only
/// decimal digits: no sign, exponent, fraction or hexadecimal.
pub fn positive_integer_from_text(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u64>()
        .ok()
        .filter(|&n| (1..=MAX_SAFE_INTEGER).contains(&n))
}

/// An `accept` list given as one string: `"image/*, .pdf"` → `["image/*", ".pdf"]`.
pub fn accept_from_text(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|rule| !rule.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(feature = "js-api")]
pub use js::*;

#[cfg(feature = "js-api")]
mod js {
    use js_sys::{Array, Function, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::Url;

    use super::*;
    use crate::address::base_url_scheme_allowed;
    use crate::js_api::messages::{describe, kind, option_message, type_error, unknown_message};

    /// What went wrong, as the JavaScript value to throw.
    pub type JsResult<T> = Result<T, JsValue>;

    /// What an option takes; it decides how the value is read and checked.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Kind {
        /// A positive integer, as a number or a string of digits.
        Id,
        /// A string.
        Text,
        /// A string never echoed in a message (the token).
        Secret,
        /// A string checked as an address by its rule.
        Url(UrlRule),
        /// `true` or `false`.
        Flag,
        /// A function (kept as is: a host's callback, uploader or token provider).
        Function,
        /// A plain object, read key by key by its option; the text says which keys.
        Object(&'static str),
        /// A plain object, or a string (a list, as an attribute carries it), read by its
        /// option; the text says which.
        ObjectOrList(&'static str),
        /// Settings that can be switched off: a plain object (as [`Kind::Object`]) or
        /// `true`/`false` (on with the defaults, off).
        Switch(&'static str),
    }

    /// The address rules of [`Kind::Url`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum UrlRule {
        /// An absolute `https:` origin or proxy (`http:` on loopback), without query,
        /// fragment or credentials; the trailing `/` goes.
        Api,
        /// `https:` (or loopback `http:`), absolute or relative to the page, without
        /// credentials; resolved against the page.
        Endpoint,
        /// A web link, absolute or relative, with `{id}` for an Id.
        LinkTemplate,
    }

    /// A value read by its [`Kind`].
    #[derive(Debug, Clone)]
    pub enum Value {
        /// [`Kind::Id`].
        Id(u64),
        /// [`Kind::Text`], [`Kind::Secret`] and [`Kind::Url`] (normalised).
        Text(String),
        /// [`Kind::Flag`], and [`Kind::Switch`] given as a boolean.
        Flag(bool),
        /// [`Kind::Function`].
        Function(Function),
        /// [`Kind::Object`] and [`Kind::Switch`]: a plain object; [`Kind::ObjectOrList`]:
        /// one or a string.
        Object(JsValue),
    }

    impl Value {
        /// The Id (0 for another kind, which the table never asks for).
        pub fn id(&self) -> u64 {
            match self {
                Value::Id(id) => *id,
                _ => 0,
            }
        }
        /// The text (empty for another kind).
        pub fn text(&self) -> &str {
            match self {
                Value::Text(text) => text,
                _ => "",
            }
        }
        /// The flag (false for another kind).
        pub fn flag(&self) -> bool {
            matches!(self, Value::Flag(true))
        }
        /// The function (`undefined` for another kind, which the table never asks for;
        /// no `new Function` is linked in for it).
        pub fn function(&self) -> Function {
            match self {
                Value::Function(f) => f.clone(),
                _ => JsValue::UNDEFINED.unchecked_into(),
            }
        }
        /// The object (`undefined` for another kind).
        pub fn object(&self) -> JsValue {
            match self {
                Value::Object(object) => object.clone(),
                _ => JsValue::UNDEFINED,
            }
        }
    }

    /// Reads `value` (given: neither `undefined` nor `null`) as option `name` of `kind`.
    pub fn read(name: &str, kind_of: Kind, value: &JsValue) -> JsResult<Value> {
        let wrong = |expected: &str| type_error(&option_message(name, expected, &describe(value)));
        match kind_of {
            Kind::Id => positive_integer(name, value).map(Value::Id),
            Kind::Text => value
                .as_string()
                .map(Value::Text)
                .ok_or_else(|| wrong("a string")),
            Kind::Secret => value
                .as_string()
                .map(Value::Text)
                .ok_or_else(|| type_error(&option_message(name, "a string", kind(value)))),
            Kind::Url(rule) => {
                let text = value.as_string().ok_or_else(|| wrong("a string"))?;
                url(rule, &text)
                    .map(Value::Text)
                    .ok_or_else(|| wrong(rule.expected()))
            }
            Kind::Flag => value
                .as_bool()
                .map(Value::Flag)
                .ok_or_else(|| type_error(&option_message(name, "true or false", kind(value)))),
            Kind::Function => value
                .dyn_ref::<Function>()
                .cloned()
                .map(Value::Function)
                .ok_or_else(|| type_error(&option_message(name, "a function", kind(value)))),
            Kind::Switch(_) if value.as_bool().is_some() => Ok(Value::Flag(value.is_truthy())),
            Kind::Object(expected) | Kind::ObjectOrList(expected) | Kind::Switch(expected) => {
                let list = matches!(kind_of, Kind::ObjectOrList(_)) && value.is_string();
                if list || is_plain_object(value) {
                    Ok(Value::Object(value.clone()))
                } else {
                    Err(type_error(&option_message(name, expected, kind(value))))
                }
            }
        }
    }

    impl UrlRule {
        /// What the rule expects, for a message.
        pub fn expected(self) -> &'static str {
            match self {
                UrlRule::Api => {
                    "an absolute https: URL (http: only for localhost, 127.0.0.0/8 or [::1]) \
                     without query, fragment or credentials"
                }
                UrlRule::Endpoint => {
                    "an https: URL, absolute or relative to the page (http: only for \
                     localhost, 127.0.0.0/8 or [::1]), without credentials"
                }
                UrlRule::LinkTemplate => {
                    "an http(s) link, absolute or relative, with `{id}` for the \
                     conversation's Id"
                }
            }
        }
    }

    fn page() -> Option<String> {
        web_sys::window().and_then(|window| window.location().href().ok())
    }

    /// The address under `rule`, normalised, or `None` when it breaks the rule.
    fn url(rule: UrlRule, text: &str) -> Option<String> {
        let text = text.trim();
        let no_credentials = |url: &Url| url.username().is_empty() && url.password().is_empty();
        match rule {
            UrlRule::Api => {
                let url = Url::new(text).ok()?;
                (base_url_scheme_allowed(&url.protocol(), &url.hostname())
                    && url.search().is_empty()
                    && url.hash().is_empty()
                    && no_credentials(&url))
                .then(|| url.href().trim_end_matches('/').to_owned())
            }
            UrlRule::Endpoint => {
                let url = Url::new_with_base(text, &page().unwrap_or_default()).ok()?;
                (!text.is_empty()
                    && base_url_scheme_allowed(&url.protocol(), &url.hostname())
                    && no_credentials(&url))
                .then(|| url.href())
            }
            UrlRule::LinkTemplate => {
                // The link must stay a web link whatever the Id: no `javascript:` and the like.
                let base = page().unwrap_or_else(|| "https://invalid.example/".into());
                let sample = Url::new_with_base(&text.replace("{id}", "1"), &base).ok()?;
                matches!(sample.protocol().as_str(), "https:" | "http:").then(|| text.to_owned())
            }
        }
    }

    fn positive_integer(name: &str, value: &JsValue) -> JsResult<u64> {
        let parsed = match value.as_f64() {
            Some(n) => positive_integer_from_number(n),
            None => value
                .as_string()
                .and_then(|s| positive_integer_from_text(&s)),
        };
        parsed.ok_or_else(|| {
            type_error(&option_message(
                name,
                "a positive integer (a number or a string of digits)",
                &describe(value),
            ))
        })
    }

    /// A plain object: not a function, an array or a primitive.
    pub fn is_plain_object(value: &JsValue) -> bool {
        value.is_object() && !value.is_function() && !Array::is_array(value)
    }

    /// `obj[key]`; a throwing getter's error is passed on.
    pub fn get(obj: &JsValue, key: &str) -> JsResult<JsValue> {
        Reflect::get(obj, &JsValue::from_str(key))
    }

    /// `obj[key]`, with `undefined` and `null` read as "not given".
    pub fn given(obj: &JsValue, key: &str) -> JsResult<Option<JsValue>> {
        let value = get(obj, key)?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }

    /// The own enumerable string keys of an object.
    pub fn own_keys(obj: &JsValue) -> Vec<String> {
        obj.dyn_ref::<Object>()
            .map(|obj| {
                Object::keys(obj)
                    .iter()
                    .filter_map(|key| key.as_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A `TypeError` for the first key of `obj` not in `known`, with a suggestion.
    pub fn check_known_keys(obj: &JsValue, what: &str, known: &[&str]) -> JsResult<()> {
        match own_keys(obj)
            .into_iter()
            .find(|key| !known.contains(&key.as_str()))
        {
            Some(unknown) => Err(type_error(&unknown_message(what, &unknown, known))),
            None => Ok(()),
        }
    }

    /// The `accept` of `limits`: an array of strings or one comma-separated string.
    pub fn accept_list(accept: &JsValue) -> JsResult<Vec<String>> {
        const EXPECTED: &str = "an array of strings or a comma-separated string";
        if let Some(text) = accept.as_string() {
            return Ok(accept_from_text(&text));
        }
        if !Array::is_array(accept) {
            return Err(type_error(&option_message(
                "limits.accept",
                EXPECTED,
                &describe(accept),
            )));
        }
        let mut rules = Vec::new();
        for item in Array::from(accept).iter() {
            let rule = item.as_string().ok_or_else(|| {
                type_error(&option_message(
                    "limits.accept",
                    EXPECTED,
                    &format!("an array holding {}", describe(&item)),
                ))
            })?;
            rules.extend(accept_from_text(&rule));
        }
        Ok(rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_from_numbers_and_digit_strings() {
        assert_eq!(positive_integer_from_number(1001.0), Some(1001));
        assert_eq!(positive_integer_from_number(0.0), None);
        assert_eq!(positive_integer_from_number(-1.0), None);
        assert_eq!(positive_integer_from_number(1.5), None);
        assert_eq!(positive_integer_from_number(f64::NAN), None);
        assert_eq!(positive_integer_from_number(f64::INFINITY), None);
        assert_eq!(positive_integer_from_number(2f64.powi(53)), None);
        assert_eq!(
            positive_integer_from_number(MAX_SAFE_INTEGER as f64),
            Some(MAX_SAFE_INTEGER)
        );
        assert_eq!(positive_integer_from_text(" 42 "), Some(42));
        for bad in [
            "",
            "abc",
            "-1",
            "+1",
            "1.0",
            "1e3",
            "0x10",
            "0",
            "9007199254740992",
        ] {
            assert_eq!(positive_integer_from_text(bad), None, "{bad}");
        }
    }

    #[test]
    fn accept_lists_split_on_commas() {
        assert_eq!(
            accept_from_text(" image/* , .pdf,,text/plain "),
            vec!["image/*", ".pdf", "text/plain"]
        );
        assert!(accept_from_text(" , ").is_empty());
    }
}
