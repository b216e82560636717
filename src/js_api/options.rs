//! The options of `mount` and `update`, in **one table** ([`OPTIONS`]): each option's
//! name, kind, how the custom element carries it, its default, the option it excludes,
//! its extra check and where it goes in [`StartConversationProps`](crate::StartConversationProps).
//!
//! The table drives reading ([`read_options`]), `update`'s merge (which option a new
//! value replaces, which function options keep their Rust side), the unknown-key hint,
//! and the lists `js/element.js` and the `.d.ts` files must agree with (`tests/options_table.rs`
//! fails when they drift; `NSC_WRITE_OPTION_LISTS=1 cargo test --test options_table` rewrites
//! the element's lists). Adding an option
//! is one entry here, its prop, and its docs (README, `js/index.d.ts`, `js/element.d.ts`).

use crate::config::{Limits, MAX_FILES};
use crate::i18n::{Locale, Msg, Strings};
use crate::js_api::adapters::{callback, token_provider, uploader};
use crate::js_api::messages::{
    describe, kind, option_message, type_error, unknown_message, PREFIX,
};
use crate::js_api::values::{
    accept_list, check_known_keys, get, given, is_plain_object, own_keys, read, JsResult, Kind,
    UrlRule, Value,
};
use crate::photo::{ImageSettings, ImageSettingsError};
use crate::state::ThreadFields;
use crate::transport::TokenSource;
use crate::{host_input, BearerToken, StartConversationProps as Props};
use wasm_bindgen::JsValue;
use yew::AttrValue;

/// How the custom element carries an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnElement {
    /// An observed attribute (this name), reflected as the camelCase property.
    Attribute(&'static str),
    /// An observed boolean attribute: present means `true`.
    BooleanAttribute(&'static str),
    /// A property only: functions, objects and the secret.
    Property,
    /// Set by the element itself, to dispatch this event with the data as `detail`.
    Event(&'static str),
}

/// An extra check after the kind's: `Err` holds what was expected, for the message.
pub type Check = fn(&Value) -> Result<(), &'static str>;

/// One option.
pub struct Spec {
    /// Its name, camelCase, as hosts write it.
    pub name: &'static str,
    /// What it takes.
    pub kind: Kind,
    /// How the custom element carries it.
    pub element: OnElement,
    /// Its default, as the docs say it (the value itself is the prop's default).
    pub default: &'static str,
    /// The option it cannot be given with: a new value of one removes the other in `update`.
    pub excludes: Option<&'static str>,
    /// Checks beyond the kind (a non-empty key, a range; a token's header value belongs here).
    pub check: Option<Check>,
    /// Puts the checked value into the props (objects are read key by key here).
    pub set: fn(Value, &mut Reading) -> JsResult<()>,
    /// For a function: keeps the last props' Rust side while the function is the same one.
    pub keep: Option<fn(&mut Props, &Props)>,
}

/// An integer Id option, carried by an attribute, into an `Option<u64>` of the `target` prop.
macro_rules! id_option {
    ($name:literal, $attribute:literal, $field:ident) => {
        Spec {
            name: $name,
            kind: Kind::Id,
            element: OnElement::Attribute($attribute),
            default: "none",
            excludes: None,
            check: None,
            set: |v, r| {
                r.props.target.$field = Some(v.id());
                Ok(())
            },
            keep: None,
        }
    };
}

/// A host callback option, dispatched by the custom element as this event, into a
/// `host` callback prop (kept while the function is the same one).
macro_rules! event_option {
    ($name:literal, $event:literal, $field:ident) => {
        Spec {
            name: $name,
            kind: Kind::Function,
            element: OnElement::Event($event),
            default: "none",
            excludes: None,
            check: None,
            set: |v, r| {
                r.props.host.$field = callback(v.function());
                Ok(())
            },
            keep: Some(|props, last| props.host.$field = last.host.$field.clone()),
        }
    };
}

/// The options in the order the README documents them.
pub static OPTIONS: &[Spec] = &[
    Spec {
        name: "baseUrl",
        kind: Kind::Url(UrlRule::Api),
        element: OnElement::Attribute("base-url"),
        default: "https://spaces.nexudus.com",
        excludes: None,
        check: None,
        set: |v, r| {
            r.props.api.base_url = AttrValue::from(v.text().to_owned());
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "token",
        kind: Kind::Secret,
        element: OnElement::Property,
        default: "none (the member is told they are signed out)",
        excludes: Some("getToken"),
        // A token that is no header value would make the browser throw inside the wasm.
        check: Some(|v| {
            host_input::token_is_sendable(v.text())
                .then_some(())
                .ok_or(host_input::TOKEN_RULE)
        }),
        set: |v, r| {
            r.props.api.token = TokenSource::Fixed(BearerToken::new(v.text()));
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "getToken",
        kind: Kind::Function,
        element: OnElement::Property,
        default: "none",
        excludes: Some("token"),
        check: None,
        set: |v, r| {
            r.props.api.token = token_provider(v.function());
            Ok(())
        },
        keep: Some(|props, last| props.api.token = last.api.token.clone()),
    },
    id_option!("businessId", "business-id", business_id),
    id_option!("userId", "user-id", user_id),
    id_option!("threadId", "thread-id", thread_id),
    id_option!("groupId", "group-id", group_id),
    Spec {
        name: "limits",
        kind: Kind::Object("an object { maxBytes, accept }"),
        element: OnElement::Property,
        default: "{ maxBytes: 25 MB, accept: any type }",
        excludes: None,
        check: None,
        set: |v, r| {
            r.props.files.limits = limits(&v.object())?;
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "maxFiles",
        kind: Kind::Id,
        element: OnElement::Attribute("max-files"),
        default: "1",
        excludes: None,
        check: Some(|v| {
            (1..=MAX_FILES as u64)
                .contains(&v.id())
                .then_some(())
                .ok_or("a whole number of files from 1 to 10")
        }),
        // After `limits`, which starts from the defaults.
        set: |v, r| {
            r.props.files.limits.max_files = v.id() as usize;
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "images",
        kind: Kind::Switch(
            "an object { maxDimension, quality, keepMetadata }, or false to send photos as they are",
        ),
        element: OnElement::Property,
        default: "{ maxDimension: 2560, quality: 0.85, keepMetadata: false }",
        excludes: None,
        check: None,
        set: |v, r| {
            r.props.files.images = image_settings(&v)?;
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "upload",
        kind: Kind::Function,
        element: OnElement::Property,
        default: "none",
        excludes: Some("uploadEndpoint"),
        check: None,
        set: |v, r| {
            r.props.files.uploader = Some(uploader(v.function()));
            Ok(())
        },
        keep: Some(|props, last| props.files.uploader = last.files.uploader.clone()),
    },
    Spec {
        name: "uploadEndpoint",
        kind: Kind::Url(UrlRule::Endpoint),
        element: OnElement::Attribute("upload-endpoint"),
        default: "none",
        excludes: Some("upload"),
        check: None,
        set: |v, r| {
            r.props.files.upload_endpoint = Some(AttrValue::from(v.text().to_owned()));
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "inlineFiles",
        kind: Kind::Flag,
        element: OnElement::BooleanAttribute("inline-files"),
        default: "false",
        excludes: None,
        check: None,
        set: |v, r| {
            r.props.files.inline_files = v.flag();
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "fields",
        kind: Kind::ObjectOrList(
            "an object { tags, private } of true or false, or a list of the fields to show \
             such as \"tags private\"",
        ),
        element: OnElement::Attribute("fields"),
        default: "{ tags: true, private: false }",
        excludes: None,
        check: None,
        set: |v, r| {
            r.props.fields = thread_fields(&v.object())?;
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "locale",
        kind: Kind::Text,
        element: OnElement::Attribute("locale"),
        default: "en",
        excludes: None,
        check: Some(|v| {
            Locale::parse(v.text())
                .map(drop)
                .ok_or(
                    "\"en\", \"fr\", \"de\", \"es\", \"it\", \"nl\", \"pt\" or \"pt-PT\" \
                     (a regional tag such as \"fr-CA\" works too)",
                )
        }),
        set: |v, r| {
            r.locale = Locale::parse(v.text()).unwrap_or_default();
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "strings",
        kind: Kind::Object("an object of texts by key, such as { submitStart: \"Publish\" }"),
        element: OnElement::Property,
        default: "the locale's",
        excludes: None,
        check: None,
        set: |v, r| {
            r.strings = string_overrides(&v.object())?;
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "draftKey",
        kind: Kind::Text,
        element: OnElement::Attribute("draft-key"),
        default: "none (no draft is kept)",
        excludes: None,
        check: Some(|v| non_empty(v.text())),
        set: |v, r| {
            r.props.draft_key = Some(AttrValue::from(v.text().to_owned()));
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "conversationUrl",
        kind: Kind::Url(UrlRule::LinkTemplate),
        element: OnElement::Attribute("conversation-url"),
        default: "none (no link)",
        excludes: None,
        check: None,
        set: |v, r| {
            r.props.conversation_url = Some(AttrValue::from(v.text().to_owned()));
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "timeoutMs",
        kind: Kind::Id,
        element: OnElement::Attribute("timeout-ms"),
        default: "30000",
        excludes: None,
        // A browser timer fires at once past 2³¹ ms; see `host_input::timeout_ms`.
        check: Some(|v| {
            host_input::timeout_ms(v.id())
                .map(drop)
                .ok_or("a whole number of milliseconds from 1000 to 600000")
        }),
        set: |v, r| {
            if let Some(millis) = host_input::timeout_ms(v.id()) {
                r.props.api.timeout_ms = millis;
            }
            Ok(())
        },
        keep: None,
    },
    Spec {
        name: "idempotencyKeys",
        kind: Kind::Flag,
        element: OnElement::BooleanAttribute("idempotency-keys"),
        default: "false",
        excludes: None,
        check: None,
        set: |v, r| {
            r.props.api.idempotency_keys = v.flag();
            Ok(())
        },
        keep: None,
    },
    event_option!("onCreated", "nexudus:conversation-created", on_created),
    event_option!("onAttachFailed", "nexudus:attachment-failed", on_attach_failed),
    event_option!("onError", "nexudus:error", on_error),
];

/// The keys of the `limits` option, and the element's attribute for each.
pub const LIMIT_KEYS: &[(&str, &str)] = &[("maxBytes", "max-bytes"), ("accept", "accept")];

/// The names of the conversation's optional fields, as `fields` takes them.
pub const FIELD_NAMES: &[&str] = &["tags", "private"];

/// `fields: { tags, private }`, or a list of the fields to show (`"tags private"`, the
/// element's attribute; `"none"` shows neither).
fn thread_fields(value: &JsValue) -> JsResult<ThreadFields> {
    if let Some(list) = value.as_string() {
        let mut fields = ThreadFields {
            tags: false,
            private: false,
        };
        for name in list.split(|c: char| c == ',' || c.is_whitespace()) {
            match name {
                "tags" => fields.tags = true,
                "private" => fields.private = true,
                "" | "none" => {}
                other => {
                    return Err(type_error(&unknown_message(
                        "field in option `fields`:",
                        other,
                        FIELD_NAMES,
                    )))
                }
            }
        }
        return Ok(fields);
    }
    check_known_keys(value, "key of option `fields`:", FIELD_NAMES)?;
    let mut fields = ThreadFields::default();
    for (name, on) in [("tags", &mut fields.tags), ("private", &mut fields.private)] {
        if let Some(flag) = given(value, name)? {
            *on = read(&format!("fields.{name}"), Kind::Flag, &flag)?.flag();
        }
    }
    Ok(fields)
}

fn non_empty(text: &str) -> Result<(), &'static str> {
    if text.trim().is_empty() {
        Err("a non-empty string")
    } else {
        Ok(())
    }
}

/// The options' names, in table order (the unknown-key check and its hint).
pub fn names() -> Vec<&'static str> {
    OPTIONS.iter().map(|spec| spec.name).collect()
}

/// The entry of `name`.
pub fn spec(name: &str) -> Option<&'static Spec> {
    OPTIONS.iter().find(|spec| spec.name == name)
}

/// The options while they are read: the props, and what is finished only at the end
/// (the strings need the locale, whichever comes first).
pub struct Reading {
    /// The props read so far.
    pub props: Props,
    /// The language of the shipped strings.
    pub locale: Locale,
    /// The `strings` overrides, by key.
    pub strings: Vec<(String, String)>,
}

/// Reads and checks a whole options object into the panel's properties, entry by entry
/// of [`OPTIONS`]. Throws (returns) a `TypeError` naming the option when one is wrong.
pub fn read_options(options: &JsValue) -> JsResult<Props> {
    let mut reading = Reading {
        props: yew::props!(Props {}),
        locale: Locale::default(),
        strings: Vec::new(),
    };
    if options.is_undefined() || options.is_null() {
        return Ok(reading.props);
    }
    if !is_plain_object(options) {
        return Err(type_error(&format!(
            "{PREFIX}: the options must be an object, got {}",
            kind(options)
        )));
    }
    check_known_keys(options, "option", &names())?;
    for spec in OPTIONS {
        let Some(raw) = given(options, spec.name)? else {
            continue;
        };
        if let Some(other) = spec.excludes {
            if given(options, other)?.is_some() {
                return Err(type_error(&format!(
                    "{PREFIX}: options `{}` and `{other}` cannot both be given: pass one",
                    spec.name
                )));
            }
        }
        let value = read(spec.name, spec.kind, &raw)?;
        if let Some(Err(expected)) = spec.check.map(|check| check(&value)) {
            let got = if spec.kind == Kind::Secret {
                kind(&raw).to_owned()
            } else {
                describe(&raw)
            };
            return Err(type_error(&option_message(spec.name, expected, &got)));
        }
        (spec.set)(value, &mut reading)?;
    }
    let Reading {
        mut props,
        locale,
        strings,
    } = reading;
    props.strings = Strings::with_overrides_by_key(locale, strings).map_err(|unknown| {
        let keys: Vec<&str> = Msg::ALL.iter().map(|m| m.key()).collect();
        type_error(&unknown_message(
            "key of option `strings`:",
            &unknown,
            &keys,
        ))
    })?;
    Ok(props)
}

/// `limits: { maxBytes, accept }`.
fn limits(value: &JsValue) -> JsResult<Limits> {
    let keys: Vec<&str> = LIMIT_KEYS.iter().map(|(key, _)| *key).collect();
    check_known_keys(value, "key of option `limits`:", &keys)?;
    let mut limits = Limits::default();
    // Given apart (`maxFiles`), after this option.
    if let Some(max) = given(value, "maxBytes")? {
        limits.max_bytes = read("limits.maxBytes", Kind::Id, &max)?.id();
    }
    if let Some(accept) = given(value, "accept")? {
        limits.accept = accept_list(&accept)?;
    }
    Ok(limits)
}

/// `images: { maxDimension, quality, keepMetadata }`, `true` (the defaults) or `false`
/// (off), checked by [`ImageSettings::new`].
fn image_settings(value: &Value) -> JsResult<Option<ImageSettings>> {
    let object = match value {
        Value::Object(object) => object,
        _ => return Ok(value.flag().then(ImageSettings::default)),
    };
    check_known_keys(object, "key of option `images`:", &IMAGE_KEYS)?;
    let defaults = ImageSettings::default();
    let mut max_dimension = u64::from(defaults.max_dimension());
    let mut quality = defaults.quality();
    let mut keep_metadata = defaults.keep_metadata();
    if let Some(raw) = given(object, "maxDimension")? {
        max_dimension = read("images.maxDimension", Kind::Id, &raw)?.id();
    }
    if let Some(raw) = given(object, "quality")? {
        // Not a number: NaN, which the range refuses.
        quality = raw.as_f64().unwrap_or(f64::NAN);
    }
    if let Some(raw) = given(object, "keepMetadata")? {
        keep_metadata = read("images.keepMetadata", Kind::Flag, &raw)?.flag();
    }
    ImageSettings::new(max_dimension, quality, keep_metadata)
        .map(Some)
        .map_err(|error| {
            let key = match error {
                ImageSettingsError::MaxDimension => "maxDimension",
                ImageSettingsError::Quality => "quality",
            };
            let got = get(object, key)
                .map(|raw| describe(&raw))
                .unwrap_or_default();
            type_error(&format!("{PREFIX}: option `images`: {error}, got {got}"))
        })
}

/// The keys of the `images` option.
const IMAGE_KEYS: [&str; 3] = ["maxDimension", "quality", "keepMetadata"];

/// `strings: { key: text }`; the keys are checked once the locale is known.
fn string_overrides(value: &JsValue) -> JsResult<Vec<(String, String)>> {
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
    Ok(entries)
}

/// The lists of `js/element.js` between its `OPTIONS:` markers, as the table gives them.
pub fn element_lists() -> String {
    let quote = |name: &str| {
        if name.contains('-') {
            format!("'{name}'")
        } else {
            name.to_owned()
        }
    };
    let mut attributes = String::new();
    let mut booleans = String::new();
    let mut properties = Vec::new();
    let mut events = String::new();
    for spec in OPTIONS {
        match spec.element {
            OnElement::Attribute(attribute) => {
                attributes += &format!("  {}: '{}',\n", quote(attribute), spec.name);
            }
            OnElement::BooleanAttribute(attribute) => {
                booleans += &format!("  {}: '{}',\n", quote(attribute), spec.name);
            }
            OnElement::Property => properties.push(format!("'{}'", spec.name)),
            OnElement::Event(event) => events += &format!("  {}: '{event}',\n", spec.name),
        }
    }
    for (key, attribute) in LIMIT_KEYS {
        attributes += &format!("  {}: '{key}',\n", quote(attribute));
    }
    let limit_keys: Vec<String> = LIMIT_KEYS.iter().map(|(k, _)| format!("'{k}'")).collect();
    format!(
        "/** Observed attributes and the option each sets (the `limits` keys go into `limits`). */\n\
         const ATTRIBUTES = {{\n{attributes}}};\n\n\
         /** The keys of `limits` that attributes set. */\n\
         const LIMIT_KEYS = [{}];\n\n\
         /** Observed boolean attributes (present = true) and the option each sets. */\n\
         const BOOLEAN_ATTRIBUTES = {{\n{booleans}}};\n\n\
         /** Options that are properties only (functions, objects, and the secret). */\n\
         const PROPERTIES = [{}];\n\n\
         /** The callbacks the element sets, and the event each dispatches. */\n\
         const EVENTS = {{\n{events}}};\n",
        limit_keys.join(", "),
        properties.join(", "),
    )
}
