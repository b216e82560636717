//! What the panel is for, and the fields each mode shows.

use crate::api::Field;

/// What the panel is for, from the host's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Start a conversation (with an optional attachment) as `user_id` in `business_id`.
    Start {
        /// The location (`BusinessId`).
        business_id: u64,
        /// The posting account (`UserId`).
        user_id: u64,
        /// A board fixed by the host, if any.
        group_id: Option<u64>,
    },
    /// Attach a file to the existing conversation `thread_id`.
    Attach {
        /// The conversation (`CommunityThreadId`).
        thread_id: u64,
    },
}

impl Mode {
    /// The fields this mode always shows (and onto which server errors may map); the
    /// host's optional ones are added by [`super::ThreadFields::shown`].
    pub fn fields(self, attachment_chosen: bool) -> &'static [Field] {
        match self {
            Mode::Start { group_id: None, .. } if attachment_chosen => &[
                Field::Subject,
                Field::Message,
                Field::CommunityGroupId,
                Field::Attachment,
                Field::Name,
                Field::Description,
            ],
            Mode::Start { group_id: None, .. } => &[
                Field::Subject,
                Field::Message,
                Field::CommunityGroupId,
                Field::Attachment,
            ],
            Mode::Start { .. } if attachment_chosen => &[
                Field::Subject,
                Field::Message,
                Field::Attachment,
                Field::Name,
                Field::Description,
            ],
            Mode::Start { .. } => &[Field::Subject, Field::Message, Field::Attachment],
            Mode::Attach { .. } => ATTACH_FIELDS,
        }
    }
}

/// The fields the panel shows when attaching to an existing conversation.
pub const ATTACH_FIELDS: &[Field] = &[Field::Attachment, Field::Name, Field::Description];
