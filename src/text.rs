//! Member-facing text built from [`Strings`]. Server messages are shown as text, never
//! as HTML.

use crate::api::{Field, FormMessage};
use crate::i18n::{Msg, Strings};

/// The label of a field as the member sees it (the private choice: its name, for
/// error messages; its checkbox says "Make this conversation private").
pub fn label(field: Field, strings: &Strings) -> &str {
    strings.get(match field {
        Field::Subject => Msg::LabelSubject,
        Field::Message => Msg::LabelMessage,
        Field::CommunityGroupId => Msg::LabelBoard,
        Field::Attachment => Msg::LabelAttachment,
        Field::Name => Msg::LabelName,
        Field::Description => Msg::LabelDescription,
        Field::Tags => Msg::LabelTags,
        Field::Private => Msg::FieldPrivate,
    })
}

/// A field message as a whole sentence: the API's predicates (`is a required field`)
/// read after the field's label; anything else stands as written.
pub fn field_message(field: Field, text: &str, strings: &Strings) -> String {
    let text = text.trim();
    if starts_lowercase(text) {
        strings.fill(
            Msg::FieldSentence,
            &[("label", label(field, strings)), ("text", text)],
        )
    } else {
        text.to_owned()
    }
}

/// A form-level message for the error summary.
pub fn form_message(message: &FormMessage, strings: &Strings) -> String {
    match message {
        FormMessage::Server {
            property: Some(property),
            text,
        } if starts_lowercase(text) => strings.fill(
            Msg::FieldSentence,
            &[("label", property.as_str()), ("text", text.trim())],
        ),
        FormMessage::Server { text, .. } => text.trim().to_owned(),
        FormMessage::NoDetail => strings.get(Msg::NoDetail).to_owned(),
        FormMessage::More(count) => strings.fill_count(Msg::MoreErrors, *count as u64, &[]),
    }
}

fn starts_lowercase(text: &str) -> bool {
    text.trim_start().starts_with(|c: char| c.is_lowercase())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn predicates_read_after_the_label() {
        let en = Strings::default();
        assert_eq!(
            field_message(Field::Name, "is a required field", &en),
            "Display name is a required field"
        );
        assert_eq!(field_message(Field::Name, "Too long.", &en), "Too long.");
        let fr = crate::i18n::french();
        assert_eq!(
            field_message(Field::Subject, "is a required field", &fr),
            "Sujet : is a required field"
        );
    }

    #[test]
    fn form_messages_name_the_property() {
        let en = Strings::default();
        let message = FormMessage::Server {
            property: Some("CommunityThread".into()),
            text: "was not found".into(),
        };
        assert_eq!(form_message(&message, &en), "CommunityThread was not found");
        assert_eq!(
            form_message(&FormMessage::NoDetail, &en),
            en.get(Msg::NoDetail)
        );
    }
}
