//! The JavaScript API of the npm package: `mount(element, options)` renders the panel
//! into `element` and returns a [`PanelHandle`] with `update(partialOptions)` and
//! `destroy()`.
//!
//! Options are read one by one with `Reflect` (functions cannot go through serde) and
//! checked before anything is rendered: a wrong option throws a JavaScript `TypeError`
//! that names it and says what was expected, never a panic. The token is never echoed
//! in a message.
//!
//! The rules that need no browser (numbers, `baseUrl`, `accept`) are plain functions,
//! tested natively; the bindings need the `js-api` feature (on by default; a Rust host
//! that renders [`StartConversation`](crate::StartConversation) itself can turn it off).

/// The options `mount` and `update` accept, in the order the README documents them.
pub const OPTION_NAMES: &[&str] = &[
    "baseUrl",
    "token",
    "getToken",
    "businessId",
    "userId",
    "threadId",
    "groupId",
    "limits",
    "upload",
    "uploadEndpoint",
    "inlineFiles",
    "locale",
    "strings",
    "draftKey",
    "conversationUrl",
    "timeoutMs",
    "onCreated",
    "onAttachFailed",
    "onError",
];

/// The keys of the `limits` option.
pub const LIMIT_NAMES: &[&str] = &["maxBytes", "accept"];

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Every message starts with the package name, so a host sees where it came from.
pub const PREFIX: &str = "nexudus-start-conversation";

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

pub use crate::address::{base_url_scheme_allowed, is_loopback_host};

/// An `accept` list given as one string: `"image/*, .pdf"` → `["image/*", ".pdf"]`.
pub fn accept_from_text(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|rule| !rule.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `nexudus-start-conversation: option `name` must be EXPECTED, got GOT`.
pub fn option_message(name: &str, expected: &str, got: &str) -> String {
    format!("{PREFIX}: option `{name}` must be {expected}, got {got}")
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

#[cfg(feature = "js-api")]
pub use bindings::{mount, read_options, PanelHandle};

#[cfg(feature = "js-api")]
mod bindings {
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;
    use std::rc::Rc;

    use crate::api::json::{to_js_object, JsonFields};
    use js_sys::{Array, Function, Object, Promise, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{AbortSignal, Element, File, Url};
    use yew::{AppHandle, AttrValue, Callback};

    use super::*;
    use crate::config::Limits;
    use crate::i18n::{Locale, Strings};
    use crate::transport::{TokenFuture, TokenSource};
    use crate::upload::{ProgressCallback, UploadFuture, Uploader};
    use crate::{StartConversation, StartConversationProps};

    /// What went wrong, as the JavaScript value to throw.
    type JsResult<T> = Result<T, JsValue>;

    fn type_error(message: &str) -> JsValue {
        js_sys::TypeError::new(message).into()
    }

    /// A short description of a value for a message: `"abc"`, `12.5`, `true`, `null`,
    /// `an object`… Strings are cut at 60 characters.
    fn describe(value: &JsValue) -> String {
        if value.is_undefined() {
            return "undefined".into();
        }
        if value.is_null() {
            return "null".into();
        }
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
            return if n.is_nan() {
                "NaN".into()
            } else if n.is_infinite() {
                if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
            } else {
                // The browser prints numbers; Rust's float printing would add ~10 KB.
                js_sys::Number::from(n)
                    .to_string_with_radix(10)
                    .map(String::from)
                    .unwrap_or_default()
            };
        }
        if let Some(b) = value.as_bool() {
            return b.to_string();
        }
        kind(value).into()
    }

    /// The kind of a value, never its content (for secrets).
    fn kind(value: &JsValue) -> &'static str {
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

    fn is_plain_object(value: &JsValue) -> bool {
        value.is_object() && !value.is_function() && !Array::is_array(value)
    }

    /// `obj[key]`; a throwing getter's error is passed on.
    fn get(obj: &JsValue, key: &str) -> JsResult<JsValue> {
        Reflect::get(obj, &JsValue::from_str(key))
    }

    /// `obj[key]`, with `undefined` and `null` read as "not given".
    fn given(obj: &JsValue, key: &str) -> JsResult<Option<JsValue>> {
        let value = get(obj, key)?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }

    fn own_keys(obj: &JsValue) -> Vec<String> {
        obj.dyn_ref::<Object>()
            .map(|obj| {
                Object::keys(obj)
                    .iter()
                    .filter_map(|key| key.as_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn check_known_keys(obj: &JsValue, what: &str, known: &[&str]) -> JsResult<()> {
        match own_keys(obj)
            .into_iter()
            .find(|key| !known.contains(&key.as_str()))
        {
            Some(unknown) => Err(type_error(&unknown_message(what, &unknown, known))),
            None => Ok(()),
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

    fn string(name: &str, value: &JsValue) -> JsResult<String> {
        value
            .as_string()
            .ok_or_else(|| type_error(&option_message(name, "a string", &describe(value))))
    }

    fn function(name: &str, value: &JsValue) -> JsResult<Function> {
        value
            .dyn_ref::<Function>()
            .cloned()
            .ok_or_else(|| type_error(&option_message(name, "a function", kind(value))))
    }

    fn base_url(value: &JsValue) -> JsResult<AttrValue> {
        const EXPECTED: &str = "an absolute https: URL (http: only for localhost, \
                                127.0.0.0/8 or [::1]) without query, fragment or credentials";
        let text = string("baseUrl", value)?;
        let wrong = || type_error(&option_message("baseUrl", EXPECTED, &describe(value)));
        let url = Url::new(text.trim()).map_err(|_| wrong())?;
        if !base_url_scheme_allowed(&url.protocol(), &url.hostname())
            || !url.search().is_empty()
            || !url.hash().is_empty()
            || !url.username().is_empty()
            || !url.password().is_empty()
        {
            return Err(wrong());
        }
        Ok(AttrValue::from(url.href().trim_end_matches('/').to_owned()))
    }

    /// The presigned-upload endpoint, resolved against the page: `https:`, or `http:` on
    /// a loopback host, as for `baseUrl`.
    fn upload_endpoint(value: &JsValue) -> JsResult<AttrValue> {
        const EXPECTED: &str = "an https: URL, absolute or relative to the page (http: only \
                                for localhost, 127.0.0.0/8 or [::1]), without credentials";
        let text = string("uploadEndpoint", value)?;
        let wrong = || {
            type_error(&option_message(
                "uploadEndpoint",
                EXPECTED,
                &describe(value),
            ))
        };
        let page = web_sys::window()
            .and_then(|window| window.location().href().ok())
            .unwrap_or_default();
        let url = Url::new_with_base(text.trim(), &page).map_err(|_| wrong())?;
        if text.trim().is_empty()
            || !base_url_scheme_allowed(&url.protocol(), &url.hostname())
            || !url.username().is_empty()
            || !url.password().is_empty()
        {
            return Err(wrong());
        }
        Ok(AttrValue::from(url.href()))
    }

    fn conversation_url(value: &JsValue) -> JsResult<AttrValue> {
        let template = string("conversationUrl", value)?;
        // The link must stay a web link whatever the Id: no `javascript:` and the like.
        let base = web_sys::window()
            .and_then(|window| window.location().href().ok())
            .unwrap_or_else(|| "https://invalid.example/".into());
        let sample = template.replace("{id}", "1");
        let web_link = Url::new_with_base(&sample, &base)
            .map(|url| matches!(url.protocol().as_str(), "https:" | "http:"))
            .unwrap_or(false);
        if !web_link {
            return Err(type_error(&option_message(
                "conversationUrl",
                "an http(s) link, absolute or relative, with `{id}` for the conversation's Id",
                &describe(value),
            )));
        }
        Ok(AttrValue::from(template))
    }

    fn limits(value: &JsValue) -> JsResult<Limits> {
        if !is_plain_object(value) {
            return Err(type_error(&option_message(
                "limits",
                "an object { maxBytes, accept }",
                kind(value),
            )));
        }
        check_known_keys(value, "key of option `limits`:", LIMIT_NAMES)?;
        let mut limits = Limits::default();
        if let Some(max) = given(value, "maxBytes")? {
            limits.max_bytes = positive_integer("limits.maxBytes", &max)?;
        }
        if let Some(accept) = given(value, "accept")? {
            limits.accept = if let Some(text) = accept.as_string() {
                accept_from_text(&text)
            } else if Array::is_array(&accept) {
                let mut rules = Vec::new();
                for item in Array::from(&accept).iter() {
                    let rule = item.as_string().ok_or_else(|| {
                        type_error(&option_message(
                            "limits.accept",
                            "an array of strings or a comma-separated string",
                            &format!("an array holding {}", describe(&item)),
                        ))
                    })?;
                    rules.extend(accept_from_text(&rule));
                }
                rules
            } else {
                return Err(type_error(&option_message(
                    "limits.accept",
                    "an array of strings or a comma-separated string",
                    &describe(&accept),
                )));
            };
        }
        Ok(limits)
    }

    fn locale(value: &JsValue) -> JsResult<Locale> {
        value
            .as_string()
            .and_then(|tag| Locale::parse(&tag))
            .ok_or_else(|| {
                type_error(&option_message(
                    "locale",
                    "\"en\" or \"fr\" (a regional tag such as \"fr-CA\" works too)",
                    &describe(value),
                ))
            })
    }

    fn strings(locale: Locale, value: Option<&JsValue>) -> JsResult<Strings> {
        let Some(value) = value else {
            return Ok(Strings::new(locale, Vec::new()));
        };
        if !is_plain_object(value) {
            return Err(type_error(&option_message(
                "strings",
                "an object of texts by key, such as { submitStart: \"Publish\" }",
                kind(value),
            )));
        }
        let mut entries = Vec::new();
        for key in own_keys(value) {
            let text = get(value, &key)?;
            let text = text.as_string().ok_or_else(|| {
                type_error(&option_message(
                    &format!("strings.{key}"),
                    "a string",
                    &describe(&text),
                ))
            })?;
            entries.push((key, text));
        }
        Strings::with_overrides_by_key(locale, entries).map_err(|unknown| {
            let keys: Vec<&str> = crate::i18n::Msg::ALL.iter().map(|m| m.key()).collect();
            type_error(&unknown_message(
                "key of option `strings`:",
                &unknown,
                &keys,
            ))
        })
    }

    /// A JavaScript rejection or exception as a short reason.
    fn reason(error: &JsValue, fallback: &str) -> String {
        error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| error.as_string())
            .filter(|text| !text.trim().is_empty())
            .unwrap_or_else(|| fallback.to_owned())
    }

    /// Hands an exception thrown by a host callback back to the page as an unhandled
    /// rejection, so it shows in the console without breaking the panel.
    fn report(error: JsValue) {
        let _ = Promise::reject(&error);
    }

    /// `getToken({ refresh })` → the transport's token provider.
    fn token_provider(get_token: Function) -> TokenSource {
        TokenSource::Provider(Rc::new(move |refresh: bool| -> TokenFuture {
            let get_token = get_token.clone();
            Box::pin(async move {
                const NO_TOKEN: &str = "getToken did not give a token";
                let context = Object::new();
                Reflect::set(&context, &"refresh".into(), &refresh.into())
                    .map_err(|_| NO_TOKEN.to_owned())?;
                let answer = get_token
                    .call1(&JsValue::UNDEFINED, &context)
                    .map_err(|e| {
                        let why = reason(&e, "it threw");
                        web_sys::console::warn_1(
                            &format!("{PREFIX}: getToken failed: {why}").into(),
                        );
                        why
                    })?;
                let token = JsFuture::from(Promise::resolve(&answer))
                    .await
                    .map_err(|e| {
                        let why = reason(&e, "its promise was rejected");
                        web_sys::console::warn_1(
                            &format!("{PREFIX}: getToken failed: {why}").into(),
                        );
                        why
                    })?;
                match token.as_string().filter(|t| !t.trim().is_empty()) {
                    Some(token) => crate::host_input::token(&token).map_err(str::to_owned),
                    None => {
                        web_sys::console::warn_1(
                            &format!(
                                "{PREFIX}: getToken must resolve to a non-empty string, got {}",
                                kind(&token)
                            )
                            .into(),
                        );
                        Err(NO_TOKEN.to_owned())
                    }
                }
            })
        }))
    }

    /// Stops a progress function handed to the host once its upload is over (or the
    /// member cancelled), so a late call is a harmless no-op.
    struct Live(Rc<Cell<bool>>);

    impl Drop for Live {
        fn drop(&mut self) {
            self.0.set(false);
        }
    }

    /// `upload(file, { onProgress, signal })` → the panel's uploader.
    fn uploader(upload: Function) -> Uploader {
        Uploader(Rc::new(
            move |file: File, progress: ProgressCallback, signal: AbortSignal| -> UploadFuture {
                let upload = upload.clone();
                Box::pin(async move {
                    let live = Rc::new(Cell::new(true));
                    let _live = Live(Rc::clone(&live));
                    let on_progress = Closure::<dyn Fn(JsValue, JsValue)>::new(
                        move |loaded: JsValue, total: JsValue| {
                            if live.get() {
                                let loaded = loaded.as_f64().unwrap_or(0.0);
                                let total = total.as_f64().unwrap_or(0.0);
                                progress.emit((loaded, total));
                            }
                        },
                    )
                    .into_js_value();
                    let context = Object::new();
                    let _ = Reflect::set(&context, &"onProgress".into(), &on_progress);
                    let _ = Reflect::set(&context, &"signal".into(), &signal);
                    let answer = upload
                        .call2(&JsValue::UNDEFINED, &file, &context)
                        .map_err(|e| reason(&e, "the uploader threw"))?;
                    let url = JsFuture::from(Promise::resolve(&answer))
                        .await
                        .map_err(|e| reason(&e, "the upload failed"))?;
                    url.as_string()
                        .map(|url| url.trim().to_owned())
                        .filter(|url| !url.is_empty())
                        .ok_or_else(|| "the uploader did not give the file's URL".to_owned())
                })
            },
        ))
    }

    /// A host callback that receives plain data (`{ threadId, fileId }`…).
    fn callback<T: JsonFields + 'static>(f: Function) -> Callback<T> {
        Callback::from(move |payload: T| {
            let data = to_js_object(&payload);
            if let Err(error) = f.call1(&JsValue::UNDEFINED, &data) {
                report(error);
            }
        })
    }

    /// Reads and checks a whole options object into the panel's properties.
    pub fn read_options(options: &JsValue) -> JsResult<StartConversationProps> {
        let mut props = yew::props!(StartConversationProps {});
        if options.is_undefined() || options.is_null() {
            return Ok(props);
        }
        if !is_plain_object(options) {
            return Err(type_error(&format!(
                "{PREFIX}: the options must be an object, got {}",
                kind(options)
            )));
        }
        check_known_keys(options, "option", OPTION_NAMES)?;

        if let Some(value) = given(options, "baseUrl")? {
            props.base_url = base_url(&value)?;
        }
        match (given(options, "token")?, given(options, "getToken")?) {
            (Some(_), Some(_)) => {
                return Err(type_error(&format!(
                    "{PREFIX}: options `token` and `getToken` cannot both be given: pass the \
                     token, or a function that gets it"
                )))
            }
            (Some(token), None) => {
                let token = token.as_string().ok_or_else(|| {
                    type_error(&option_message("token", "a string", kind(&token)))
                })?;
                props.token =
                    TokenSource::Fixed(crate::host_input::token(&token).map_err(|rule| {
                        type_error(&option_message(
                            "token",
                            rule,
                            "a string with other characters",
                        ))
                    })?);
            }
            (None, Some(get_token)) => {
                props.token = token_provider(function("getToken", &get_token)?);
            }
            (None, None) => {}
        }
        for (name, field) in [
            ("businessId", &mut props.business_id),
            ("userId", &mut props.user_id),
            ("threadId", &mut props.thread_id),
            ("groupId", &mut props.group_id),
        ] {
            if let Some(value) = given(options, name)? {
                *field = Some(positive_integer(name, &value)?);
            }
        }
        if let Some(value) = given(options, "limits")? {
            props.limits = limits(&value)?;
        }
        match (given(options, "upload")?, given(options, "uploadEndpoint")?) {
            (Some(_), Some(_)) => {
                return Err(type_error(&format!(
                    "{PREFIX}: options `upload` and `uploadEndpoint` cannot both be given: \
                     pass your own uploader, or the endpoint the panel's uploader asks"
                )))
            }
            (Some(value), None) => {
                props.uploader = Some(uploader(function("upload", &value)?));
            }
            (None, Some(value)) => props.upload_endpoint = Some(upload_endpoint(&value)?),
            (None, None) => {}
        }
        if let Some(value) = given(options, "inlineFiles")? {
            props.inline_files = value.as_bool().ok_or_else(|| {
                type_error(&option_message(
                    "inlineFiles",
                    "true or false",
                    kind(&value),
                ))
            })?;
        }
        let locale = match given(options, "locale")? {
            Some(value) => locale(&value)?,
            None => Locale::default(),
        };
        props.strings = strings(locale, given(options, "strings")?.as_ref())?;
        if let Some(value) = given(options, "draftKey")? {
            let key = string("draftKey", &value)?;
            if key.trim().is_empty() {
                return Err(type_error(&option_message(
                    "draftKey",
                    "a non-empty string",
                    "an empty string",
                )));
            }
            props.draft_key = Some(AttrValue::from(key));
        }
        if let Some(value) = given(options, "conversationUrl")? {
            props.conversation_url = Some(conversation_url(&value)?);
        }
        if let Some(value) = given(options, "timeoutMs")? {
            let millis = positive_integer("timeoutMs", &value)?;
            props.timeout_ms = crate::host_input::timeout_ms(millis).ok_or_else(|| {
                type_error(&option_message(
                    "timeoutMs",
                    "a whole number of milliseconds from 1000 to 600000",
                    &describe(&value),
                ))
            })?;
        }
        if let Some(value) = given(options, "onCreated")? {
            props.on_created = callback(function("onCreated", &value)?);
        }
        if let Some(value) = given(options, "onAttachFailed")? {
            props.on_attach_failed = callback(function("onAttachFailed", &value)?);
        }
        if let Some(value) = given(options, "onError")? {
            props.on_error = callback(function("onError", &value)?);
        }
        Ok(props)
    }

    /// One mounted panel.
    struct Mounted {
        host: Element,
        container: Element,
        app: AppHandle<StartConversation>,
        /// The last full options, so `update` can merge a partial object into them.
        options: Object,
        /// What they were read into.
        props: StartConversationProps,
    }

    /// Keeps the Rust side of each function option that is still the same JavaScript
    /// function, so an update that changes only the locale does not look like a new
    /// token source, uploader or callback to the panel.
    fn keep_same_functions(
        props: &mut StartConversationProps,
        options: &JsValue,
        last_options: &JsValue,
        last: &StartConversationProps,
    ) {
        let same = |key: &str| match (get(options, key), get(last_options, key)) {
            (Ok(new), Ok(old)) => new.is_function() && new == old,
            _ => false,
        };
        if same("getToken") {
            props.token = last.token.clone();
        }
        if same("upload") {
            props.uploader = last.uploader.clone();
        }
        if same("onCreated") {
            props.on_created = last.on_created.clone();
        }
        if same("onAttachFailed") {
            props.on_attach_failed = last.on_attach_failed.clone();
        }
        if same("onError") {
            props.on_error = last.on_error.clone();
        }
    }

    thread_local! {
        static PANELS: RefCell<HashMap<u32, Mounted>> = RefCell::new(HashMap::new());
        static NEXT_PANEL: Cell<u32> = const { Cell::new(1) };
    }

    /// Renders the panel into `element` (replacing its content) and returns its handle.
    ///
    /// Throws a `TypeError` naming the option when an option is wrong, and when `element`
    /// is not an element or already holds a panel.
    #[wasm_bindgen]
    pub fn mount(element: JsValue, options: JsValue) -> JsResult<PanelHandle> {
        let host = element.dyn_into::<Element>().map_err(|other| {
            type_error(&format!(
                "{PREFIX}: mount(element, options) needs a DOM Element as `element`, got {}",
                describe(&other)
            ))
        })?;
        let occupied = PANELS.with(|panels| panels.borrow().values().any(|p| p.host == host));
        if occupied {
            return Err(type_error(&format!(
                "{PREFIX}: this element already holds a panel: call destroy() on its handle \
                 first, or update() it"
            )));
        }
        let props = read_options(&options)?;
        let copy = Object::new();
        if options.is_object() {
            Object::assign(&copy, options.unchecked_ref());
        }
        let document = host
            .owner_document()
            .ok_or_else(|| type_error(&format!("{PREFIX}: the element has no document")))?;
        let container = document.create_element("div")?;
        container.set_class_name("nsc-root");
        host.replace_children_with_node_1(&container);
        let app = yew::Renderer::<StartConversation>::with_root_and_props(
            container.clone(),
            props.clone(),
        )
        .render();
        let id = NEXT_PANEL.with(|next| {
            let id = next.get();
            next.set(id.wrapping_add(1));
            id
        });
        PANELS.with(|panels| {
            panels.borrow_mut().insert(
                id,
                Mounted {
                    host,
                    container,
                    app,
                    options: copy,
                    props,
                },
            )
        });
        Ok(PanelHandle { id })
    }

    /// The handle `mount` returns.
    #[wasm_bindgen]
    pub struct PanelHandle {
        id: u32,
    }

    #[wasm_bindgen]
    impl PanelHandle {
        /// Merges `partial` into the options and re-renders, keeping what the member typed.
        /// A key set to `undefined` or `null` goes back to its default. A new `token`
        /// replaces a `getToken` and the other way round. Throws a `TypeError` (and changes
        /// nothing) when an option is wrong.
        pub fn update(&mut self, partial: JsValue) -> JsResult<()> {
            if partial.is_undefined() || partial.is_null() {
                return Ok(());
            }
            if !is_plain_object(&partial) {
                return Err(type_error(&format!(
                    "{PREFIX}: update(options) needs an object, got {}",
                    kind(&partial)
                )));
            }
            let last = PANELS.with(|panels| {
                panels
                    .borrow()
                    .get(&self.id)
                    .map(|panel| (panel.options.clone(), panel.props.clone()))
            });
            let Some((last, last_props)) = last else {
                return Err(JsValue::from(js_sys::Error::new(&format!(
                    "{PREFIX}: this panel was destroyed"
                ))));
            };
            check_known_keys(&partial, "option", OPTION_NAMES)?;
            let merged = Object::assign(&Object::new(), &last);
            let gives = |key: &str| given(&partial, key).map(|v| v.is_some());
            let (new_token, new_getter) = (gives("token")?, gives("getToken")?);
            Object::assign(&merged, partial.unchecked_ref());
            if new_token && !new_getter {
                Reflect::delete_property(&merged, &"getToken".into())?;
            }
            if new_getter && !new_token {
                Reflect::delete_property(&merged, &"token".into())?;
            }
            let mut props = read_options(&merged)?;
            keep_same_functions(&mut props, &merged, &last, &last_props);
            // Out of the table while Yew renders, so a host callback that runs meanwhile
            // can use the API without meeting a borrowed table.
            let panel = PANELS.with(|panels| panels.borrow_mut().remove(&self.id));
            if let Some(mut panel) = panel {
                panel.options = merged;
                panel.props = props.clone();
                panel.app.update(props);
                PANELS.with(|panels| panels.borrow_mut().insert(self.id, panel));
            }
            Ok(())
        }

        /// Removes the panel: its DOM, listeners, timers, object URLs and requests in
        /// flight. Calling it again does nothing.
        pub fn destroy(&mut self) {
            let panel = PANELS.with(|panels| panels.borrow_mut().remove(&self.id));
            if let Some(panel) = panel {
                panel.app.destroy();
                // Yew keeps its delegated listeners on the element it rendered into; the
                // container goes, and them with it.
                panel.container.remove();
            }
        }

        /// Whether `destroy()` was called.
        #[wasm_bindgen(getter)]
        pub fn destroyed(&self) -> bool {
            PANELS.with(|panels| !panels.borrow().contains_key(&self.id))
        }
    }
}

/// The option mapping in a browser (`cargo test --target wasm32-unknown-unknown`): what
/// each option becomes in [`StartConversationProps`](crate::StartConversationProps), and
/// how the host's functions are called.
#[cfg(all(test, target_arch = "wasm32", feature = "js-api"))]
mod browser_tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::*;
    use yew::Callback;

    use super::read_options;
    use crate::config::Created;
    use crate::i18n::{Locale, Msg};
    use crate::transport::TokenSource;

    wasm_bindgen_test_configure!(run_in_browser);

    fn options(source: &str) -> JsValue {
        Function::new_no_args(&format!("return ({source});"))
            .call0(&JsValue::UNDEFINED)
            .unwrap()
    }

    fn global(name: &str) -> JsValue {
        Reflect::get(&js_sys::global(), &name.into()).unwrap()
    }

    fn type_error_message(source: &str) -> String {
        let error = read_options(&options(source)).err().expect("a TypeError");
        assert!(error.is_instance_of::<js_sys::TypeError>(), "{error:?}");
        String::from(error.unchecked_into::<js_sys::Error>().message())
    }

    #[wasm_bindgen_test]
    fn numbers_strings_limits_and_locale_map_onto_the_props() {
        let props = read_options(&options(
            r#"{ baseUrl: "http://127.0.0.1:8787/", businessId: "12", userId: 10,
                 threadId: 1001, groupId: " 2 ", timeoutMs: 5000, draftKey: "d",
                 conversationUrl: "/threads/{id}", locale: "fr-CA",
                 strings: { submitStart: "Publier !" },
                 limits: { maxBytes: "2048", accept: "image/*, .pdf" } }"#,
        ))
        .unwrap();
        assert_eq!(props.base_url.as_str(), "http://127.0.0.1:8787");
        assert_eq!(props.business_id, Some(12));
        assert_eq!(props.user_id, Some(10));
        assert_eq!(props.thread_id, Some(1001));
        assert_eq!(props.group_id, Some(2));
        assert_eq!(props.timeout_ms, 5000);
        assert_eq!(props.draft_key.as_deref(), Some("d"));
        assert_eq!(props.conversation_url.as_deref(), Some("/threads/{id}"));
        assert_eq!(props.strings.locale(), Locale::Fr);
        assert_eq!(props.strings.get(Msg::SubmitStart), "Publier !");
        assert_eq!(props.strings.get(Msg::SubmitAttach), "Joindre le fichier");
        assert_eq!(props.limits.max_bytes, 2048);
        assert_eq!(props.limits.accept, vec!["image/*", ".pdf"]);
        let props = read_options(&options(r#"{ limits: { accept: ["a/b", ".c, .d"] } }"#)).unwrap();
        assert_eq!(props.limits.accept, vec!["a/b", ".c", ".d"]);
        assert_eq!(props.limits.max_bytes, crate::config::DEFAULT_MAX_BYTES);
    }

    #[wasm_bindgen_test]
    fn wrong_options_are_type_errors_that_name_them() {
        for (source, named) in [
            (r#"{ businessId: "abc" }"#, "`businessId`"),
            (r#"{ threadId: 0 }"#, "`threadId`"),
            (r#"{ baseUrl: "http://example.com" }"#, "`baseUrl`"),
            (r#"{ baseUrl: "javascript:alert(1)" }"#, "`baseUrl`"),
            (r#"{ token: "x", getToken: async () => "y" }"#, "`getToken`"),
            (r#"{ token: 42 }"#, "`token`"),
            (r#"{ strings: { nope: "x" } }"#, "`nope`"),
            (r#"{ locale: "de" }"#, "`locale`"),
            (r#"{ limits: { maxBytes: -1 } }"#, "`limits.maxBytes`"),
            (r#"{ limits: { size: 1 } }"#, "`size`"),
            (r#"{ upload: "https://x" }"#, "`upload`"),
            (r#"{ onCreated: true }"#, "`onCreated`"),
            (
                r#"{ conversationUrl: "javascript:alert({id})" }"#,
                "`conversationUrl`",
            ),
            (r#"{ timeoutMs: 1e12 }"#, "`timeoutMs`"),
            (r#"{ buisnessId: 1 }"#, "`businessId`"),
        ] {
            let message = type_error_message(source);
            assert!(message.contains(named), "{source}: {message}");
            assert!(
                message.starts_with("nexudus-start-conversation: "),
                "{message}"
            );
        }
        // The token's value is never echoed.
        let message = type_error_message(r#"{ token: { secret: "s3cret" } }"#);
        assert!(!message.contains("s3cret"), "{message}");
    }

    #[wasm_bindgen_test]
    async fn get_token_is_called_with_refresh_and_awaited() {
        let props = read_options(&options(
            r#"{ getToken: async ({ refresh }) => { globalThis.__nscRefresh = refresh; return refresh ? " fresh " : "cached"; } }"#,
        ))
        .unwrap();
        let TokenSource::Provider(provider) = props.token else {
            panic!("getToken should give a provider");
        };
        let token = provider(true).await.unwrap();
        assert_eq!(token.header_value(), "Bearer fresh");
        assert_eq!(global("__nscRefresh"), JsValue::TRUE);
        assert_eq!(
            provider(false).await.unwrap().header_value(),
            "Bearer cached"
        );

        let props = read_options(&options(r#"{ getToken: () => "" }"#)).unwrap();
        let TokenSource::Provider(provider) = props.token else {
            panic!("getToken should give a provider");
        };
        assert!(provider(false).await.is_err());
    }

    #[wasm_bindgen_test]
    async fn the_uploader_gets_the_file_progress_and_signal() {
        let props = read_options(&options(
            r#"{ upload: async (file, { onProgress, signal }) => {
                   globalThis.__nscUpload = { name: file.name, signal };
                   onProgress(5, 10);
                   return " https://storage.example/" + file.name + " ";
               } }"#,
        ))
        .unwrap();
        let uploader = props.uploader.expect("an uploader");
        let file = web_sys::File::new_with_str_sequence(&js_sys::Array::of1(&"hi".into()), "a.txt")
            .unwrap();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let progress = {
            let seen = Rc::clone(&seen);
            Callback::from(move |step: (f64, f64)| seen.borrow_mut().push(step))
        };
        let controller = web_sys::AbortController::new().unwrap();
        let url = (uploader.0)(file, progress, controller.signal()).await;
        assert_eq!(url.as_deref(), Ok("https://storage.example/a.txt"));
        assert_eq!(*seen.borrow(), vec![(5.0, 10.0)]);
        let upload = global("__nscUpload");
        assert_eq!(Reflect::get(&upload, &"name".into()).unwrap(), "a.txt");
        assert_eq!(
            Reflect::get(&upload, &"signal".into()).unwrap(),
            JsValue::from(controller.signal())
        );

        let props = read_options(&options(
            r#"{ upload: async () => { throw new Error("quota exceeded"); } }"#,
        ))
        .unwrap();
        let file = web_sys::File::new_with_str_sequence(&js_sys::Array::new(), "b.txt").unwrap();
        let controller = web_sys::AbortController::new().unwrap();
        let failed = (props.uploader.unwrap().0)(file, Callback::noop(), controller.signal()).await;
        assert_eq!(failed, Err("quota exceeded".to_owned()));
    }

    #[wasm_bindgen_test]
    fn callbacks_receive_plain_objects() {
        let props = read_options(&options(
            r#"{ onCreated: (created) => { globalThis.__nscCreated = created; } }"#,
        ))
        .unwrap();
        props.on_created.emit(Created {
            thread_id: 5001,
            file_id: None,
        });
        let created = global("__nscCreated");
        assert_eq!(
            Object::get_prototype_of(&created),
            Object::get_prototype_of(&Object::new().into())
        );
        assert_eq!(Reflect::get(&created, &"threadId".into()).unwrap(), 5001);
        assert_eq!(
            Reflect::get(&created, &"fileId".into()).unwrap(),
            JsValue::NULL
        );
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
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
    fn http_only_on_loopback() {
        assert!(base_url_scheme_allowed("https:", "spaces.nexudus.com"));
        assert!(base_url_scheme_allowed("http:", "127.0.0.1"));
        assert!(base_url_scheme_allowed("http:", "127.12.0.3"));
        assert!(base_url_scheme_allowed("http:", "localhost"));
        assert!(base_url_scheme_allowed("http:", "[::1]"));
        assert!(!base_url_scheme_allowed("http:", "example.com"));
        assert!(!base_url_scheme_allowed("http:", "127.0.0.1.example.com"));
        assert!(!base_url_scheme_allowed("http:", "128.0.0.1"));
        assert!(!base_url_scheme_allowed("http:", "localhost.example.com"));
        assert!(!base_url_scheme_allowed("ftp:", "localhost"));
        assert!(!base_url_scheme_allowed("javascript:", ""));
    }

    #[test]
    fn accept_lists_split_on_commas() {
        assert_eq!(
            accept_from_text(" image/* , .pdf,,text/plain "),
            vec!["image/*", ".pdf", "text/plain"]
        );
        assert!(accept_from_text(" , ").is_empty());
    }

    #[test]
    fn messages_name_the_option_and_suggest_a_spelling() {
        assert_eq!(
            option_message("businessId", "a positive integer", "\"abc\""),
            "nexudus-start-conversation: option `businessId` must be a positive integer, got \"abc\""
        );
        let message = unknown_message("option", "buisnessId", OPTION_NAMES);
        assert!(message.contains("unknown option `buisnessId` (did you mean `businessId`?)"));
        assert_eq!(closest_name("tokn", OPTION_NAMES), Some("token"));
        assert_eq!(closest_name("zzzzzzzz", OPTION_NAMES), None);
    }
}
