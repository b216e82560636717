//! What the member typed (the part saved as a draft), and the request bodies made of it.

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
            Field::CommunityGroupId => "",
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
        }
    }

    /// Whether nothing worth saving was typed.
    pub fn is_blank(&self) -> bool {
        self.subject.trim().is_empty()
            && self.message.trim().is_empty()
            && self.name.trim().is_empty()
            && self.description.trim().is_empty()
            && self.link.trim().is_empty()
    }
}

impl FormState {
    /// The body that creates the conversation, in start mode.
    pub fn new_thread(&self, mode: Mode) -> Option<NewThread> {
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
            tags: None,
            private: None,
            instant_delivery: None,
            guests: Vec::new(),
        })
    }
}
