//! What the member typed (the part saved as a draft), and the request bodies made of it.

use super::tags::{add_tags, ThreadFields};
use super::{FormState, Mode};
use crate::api::json::JsonView;
use crate::api::{Field, NewThread};

/// What the member has typed so far (the part that is saved as a draft).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    /// The conversation's subject.
    pub subject: String,
    /// The opening message.
    pub message: String,
    /// The chosen board, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u64>,
    /// The attachment's display name (`Name`).
    pub name: String,
    /// The attachment's description (`Description`).
    pub description: String,
    /// A link to a file, when the member gives one instead of choosing a file.
    pub link: String,
    /// The tags added (`Tags`, sent joined by commas).
    pub tags: Vec<String>,
    /// What is typed in the tag input and not yet added.
    pub tag_text: String,
    /// Whether the conversation is to be private (`Private`).
    pub private: bool,
}

impl Draft {
    /// The current text of a text field.
    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::Subject => &self.subject,
            Field::Message => &self.message,
            Field::Name => &self.name,
            Field::Description => &self.description,
            Field::Attachment => &self.link,
            Field::Tags => &self.tag_text,
            Field::CommunityGroupId | Field::Private => "",
        }
    }

    pub(super) fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Subject => self.subject = value,
            Field::Message => self.message = value,
            Field::Name => self.name = value,
            Field::Description => self.description = value,
            Field::Attachment => self.link = value,
            Field::CommunityGroupId => self.group_id = value.trim().parse().ok(),
            Field::Tags => self.tag_text = value,
            Field::Private => self.private = value == "true",
        }
    }

    /// Reads a saved draft (as its `Serialize` wrote it); missing or odd fields
    /// stay empty.
    pub fn read(json: &impl JsonView) -> Draft {
        let text = |key: &str| {
            json.field(key)
                .and_then(|v| v.as_text())
                .unwrap_or_default()
        };
        Draft {
            subject: text("subject"),
            message: text("message"),
            group_id: json.field("groupId").and_then(|v| v.read_u64()),
            name: text("name"),
            description: text("description"),
            link: text("link"),
            tags: read_tags(json),
            tag_text: text("tagText"),
            private: json.field("private").and_then(|v| v.read_flag()) == Some(true),
        }
    }

    /// Whether nothing worth saving was typed.
    pub fn is_blank(&self) -> bool {
        self.subject.trim().is_empty()
            && self.message.trim().is_empty()
            && self.name.trim().is_empty()
            && self.description.trim().is_empty()
            && self.link.trim().is_empty()
            && self.tags.is_empty()
            && self.tag_text.trim().is_empty()
            && !self.private
    }
}

/// The saved tags, held to the tags' rules again (a saved draft is outside input).
fn read_tags(json: &impl JsonView) -> Vec<String> {
    let mut tags = Vec::new();
    for tag in json
        .field("tags")
        .and_then(|v| v.elements())
        .unwrap_or_default()
    {
        add_tags(&mut tags, &tag.as_text().unwrap_or_default());
    }
    tags
}

impl FormState {
    /// The body that creates the conversation, in start mode, with the host's optional
    /// `fields` (a field turned off is not sent).
    pub fn new_thread(&self, mode: Mode, fields: ThreadFields) -> Option<NewThread> {
        let Mode::Start {
            business_id,
            user_id,
            group_id,
        } = mode
        else {
            return None;
        };
        Some(NewThread {
            business_id,
            user_id,
            subject: self.draft.subject.trim().to_owned(),
            message: self.draft.message.trim().to_owned(),
            community_group_id: group_id.or(self.draft.group_id),
            tags: Some(self.draft.tags_to_send().join(","))
                .filter(|tags| fields.tags && !tags.is_empty()),
            private: fields.private.then_some(self.draft.private),
            instant_delivery: None,
            guests: Vec::new(),
        })
    }
}
