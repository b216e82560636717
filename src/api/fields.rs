//! The form's fields and the one place that maps an API `PropertyName` onto them.
//!
//! Nexudus names the property it blames in several ways: the id field that was sent
//! (`CommunityGroupId`), the entity instead (`CommunityGroup`), another casing, a nested
//! or indexed path (`Guests[0]`), or nothing at all. [`Field::from_property`] is the
//! single mapping; whatever it cannot place belongs at form level, never nowhere.

/// A field of the panel that can carry an error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The conversation's subject (`Subject`).
    Subject,
    /// The opening message (`Message`).
    Message,
    /// The board the conversation is posted to (`CommunityGroupId`).
    CommunityGroupId,
    /// The attachment itself (`NewFileDataUrl`).
    Attachment,
    /// The attachment's display name (`Name`).
    Name,
    /// The attachment's description (`Description`).
    Description,
    /// The conversation's tags (`Tags`, comma-separated).
    Tags,
    /// Whether the conversation is private (`Private`).
    Private,
}

/// Property names that all mean the attachment's file, whatever the endpoint calls it.
const ATTACHMENT_ALIASES: &[&str] = &[
    "NewFileDataUrl",
    "NewFileData",
    "FileData",
    "FileDataFileName",
];

impl Field {
    /// Every field, in the order the panel shows them (and the error summary lists them).
    pub const ALL: [Field; 8] = [
        Field::Subject,
        Field::Message,
        Field::CommunityGroupId,
        Field::Tags,
        Field::Private,
        Field::Attachment,
        Field::Name,
        Field::Description,
    ];

    /// The API property this field is sent as; also the input's `name` attribute.
    pub const fn api_name(self) -> &'static str {
        match self {
            Field::Subject => "Subject",
            Field::Message => "Message",
            Field::CommunityGroupId => "CommunityGroupId",
            Field::Attachment => "NewFileDataUrl",
            Field::Name => "Name",
            Field::Description => "Description",
            Field::Tags => "Tags",
            Field::Private => "Private",
        }
    }

    /// A short, stable, lower-case key for element ids.
    pub const fn key(self) -> &'static str {
        match self {
            Field::Subject => "subject",
            Field::Message => "message",
            Field::CommunityGroupId => "group",
            Field::Attachment => "attachment",
            Field::Name => "name",
            Field::Description => "description",
            Field::Tags => "tags",
            Field::Private => "private",
        }
    }

    /// Maps an API `PropertyName` onto one of the `shown` fields.
    ///
    /// Case-insensitive; `X` and `XId` name the same field; the attachment's aliases
    /// all name [`Field::Attachment`]; a dotted or indexed name maps by its first segment.
    /// Returns `None` for an empty name or one that names no shown field: such an error
    /// belongs at form level.
    pub fn from_property(property: &str, shown: &[Field]) -> Option<Field> {
        let head = first_segment(property);
        if head.is_empty() {
            return None;
        }
        shown.iter().copied().find(|field| field.answers_to(head))
    }

    fn answers_to(self, name: &str) -> bool {
        let matches = |candidate: &str| same_ignoring_id_suffix(candidate, name);
        match self {
            Field::Attachment => ATTACHMENT_ALIASES.iter().any(|alias| matches(alias)),
            other => matches(other.api_name()),
        }
    }
}

/// The part of a property path before the first `.` or `[`, trimmed.
fn first_segment(property: &str) -> &str {
    let end = property.find(['.', '[']).unwrap_or(property.len());
    property[..end].trim()
}

/// `CommunityGroup` = `CommunityGroupId` = `communitygroupid`, but `Id` ≠ ``.
fn same_ignoring_id_suffix(a: &str, b: &str) -> bool {
    let a = strip_id(a);
    let b = strip_id(b);
    !a.is_empty() && a.eq_ignore_ascii_case(b)
}

fn strip_id(name: &str) -> &str {
    let bytes = name.as_bytes();
    if bytes.len() > 2 && bytes[bytes.len() - 2..].eq_ignore_ascii_case(b"id") {
        name.get(..name.len() - 2).unwrap_or(name)
    } else {
        name
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const EVERY: &[Field] = &Field::ALL;

    #[test]
    fn exact_and_case_insensitive_names_map() {
        assert_eq!(Field::from_property("Name", EVERY), Some(Field::Name));
        assert_eq!(Field::from_property("name", EVERY), Some(Field::Name));
        assert_eq!(
            Field::from_property(" SUBJECT ", EVERY),
            Some(Field::Subject)
        );
    }

    #[test]
    fn entity_name_and_id_name_are_the_same_field() {
        assert_eq!(
            Field::from_property("CommunityGroup", EVERY),
            Some(Field::CommunityGroupId)
        );
        assert_eq!(
            Field::from_property("communitygroupid", EVERY),
            Some(Field::CommunityGroupId)
        );
    }

    #[test]
    fn attachment_aliases_map_to_the_attachment() {
        for alias in [
            "NewFileDataUrl",
            "NewFileData",
            "FileData",
            "FileDataFileName",
            "fileDataId",
        ] {
            assert_eq!(
                Field::from_property(alias, EVERY),
                Some(Field::Attachment),
                "{alias}"
            );
        }
    }

    #[test]
    fn dotted_and_indexed_names_map_by_first_segment() {
        assert_eq!(
            Field::from_property("Subject.Length", EVERY),
            Some(Field::Subject)
        );
        assert_eq!(Field::from_property("Name[0]", EVERY), Some(Field::Name));
        assert_eq!(Field::from_property("Guests[0]", EVERY), None);
    }

    #[test]
    fn unknown_empty_and_hidden_names_go_to_form_level() {
        assert_eq!(Field::from_property("", EVERY), None);
        assert_eq!(Field::from_property("Id", EVERY), None);
        assert_eq!(Field::from_property(".Name", EVERY), None);
        assert_eq!(Field::from_property("Business", EVERY), None);
        assert_eq!(Field::from_property("CommunityThread", EVERY), None);
        assert_eq!(Field::from_property("Subject", &[Field::Name]), None);
    }
}
