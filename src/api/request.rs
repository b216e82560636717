//! Request bodies, with exactly the field names and casing of the Nexudus reference.
//! Absent optional fields are left out of the JSON rather than sent as `null`.

use serde::Serialize;

/// The body of `POST /api/community/communitythreadfiles` (the seed reference page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewThreadFile {
    /// The conversation the file is attached to.
    pub community_thread_id: u64,
    /// The display name. Listed as optional, but the page's own 400 example rejects a
    /// missing `Name`, so it is always sent.
    pub name: String,
    /// An optional description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A URL the server downloads the file from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_file_data_url: Option<String>,
}

/// The body of `POST /api/community/communitythreads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewThread {
    /// The location (business) the conversation belongs to.
    pub business_id: u64,
    /// The account that posts it.
    pub user_id: u64,
    /// The subject line.
    pub subject: String,
    /// The opening message.
    pub message: String,
    /// The board (group); none means visible to everyone who can open the board.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub community_group_id: Option<u64>,
    /// Comma-separated tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Whether the conversation is private.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// Whether members are notified at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instant_delivery: Option<bool>,
    /// Invited guests. Older documentation lists it as required, so an empty list is sent.
    pub guests: Vec<u64>,
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn thread_file_body_matches_the_reference() {
        let body = NewThreadFile {
            community_thread_id: 1001,
            name: "Floor plan".into(),
            description: None,
            new_file_data_url: Some("https://example.com/plan.png".into()),
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"CommunityThreadId":1001,"Name":"Floor plan","NewFileDataUrl":"https://example.com/plan.png"}"#
        );
    }

    #[test]
    fn thread_body_matches_the_reference() {
        let body = NewThread {
            business_id: 1,
            user_id: 10,
            subject: "Hello".into(),
            message: "World".into(),
            community_group_id: Some(2),
            tags: None,
            private: None,
            instant_delivery: Some(true),
            guests: vec![],
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"BusinessId":1,"UserId":10,"Subject":"Hello","Message":"World","CommunityGroupId":2,"InstantDelivery":true,"Guests":[]}"#
        );
    }
}
