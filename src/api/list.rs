//! The list envelope of `GET` endpoints (`Records`, `CurrentPage`, `TotalItems`, …) and
//! the records the widget reads from it: boards (CommunityGroup) and conversations
//! (CommunityThread). Unknown fields are ignored; missing ones take defaults.

use super::json::JsonView;

/// One page of a Nexudus list answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage<T> {
    /// The records on this page.
    pub records: Vec<T>,
    /// The 1-based page number.
    pub current_page: Option<u32>,
    /// How many records exist in all.
    pub total_items: Option<u64>,
    /// Whether another page follows.
    pub has_next_page: bool,
}

impl<T> ListPage<T> {
    /// Reads a list envelope, keeping the records `record` can read.
    pub fn read<J: JsonView>(json: &J, record: impl Fn(&J) -> Option<T>) -> ListPage<T> {
        ListPage {
            records: records(json, record),
            current_page: json
                .field("CurrentPage")
                .and_then(|v| v.read_u64())
                .and_then(|n| u32::try_from(n).ok()),
            total_items: json.field("TotalItems").and_then(|v| v.read_u64()),
            has_next_page: json
                .field("HasNextPage")
                .and_then(|v| v.read_flag())
                .unwrap_or(false),
        }
    }
}

/// The `Records` of a list envelope that `record` can read.
pub fn records<J: JsonView, T>(json: &J, record: impl Fn(&J) -> Option<T>) -> Vec<T> {
    json.field("Records")
        .and_then(|records| records.elements())
        .unwrap_or_default()
        .iter()
        .filter_map(record)
        .collect()
}

/// Who may post to a board, as `GroupAccess` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAccess {
    /// 1: only invited members.
    Restricted,
    /// 2: every member.
    Public,
    /// 3: members of the group only.
    Private,
    /// A value the documentation does not list.
    Other(i64),
}

impl From<i64> for GroupAccess {
    fn from(value: i64) -> Self {
        match value {
            1 => GroupAccess::Restricted,
            2 => GroupAccess::Public,
            3 => GroupAccess::Private,
            other => GroupAccess::Other(other),
        }
    }
}

/// A board (CommunityGroup).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Its Id, sent as `CommunityGroupId`.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// `GroupAccess`: 1 Restricted, 2 Public, 3 Private.
    pub group_access: Option<i64>,
    /// The location it belongs to.
    pub business_id: Option<u64>,
    /// `MemberCanPost: true`: the host backend says this member may post here (it checks the
    /// board's access against the member's session). Nexudus itself does not send it.
    pub member_can_post: bool,
}

impl Group {
    /// Reads a board record; `None` without a usable `Id`.
    pub fn read(json: &impl JsonView) -> Option<Group> {
        Some(Group {
            id: json.field("Id")?.read_u64()?,
            name: json
                .field("Name")
                .and_then(|v| v.as_text())
                .unwrap_or_default(),
            description: json.field("Description").and_then(|v| v.as_text()),
            group_access: json.field("GroupAccess").and_then(|v| v.read_i64()),
            business_id: json.field("BusinessId").and_then(|v| v.read_u64()),
            member_can_post: json
                .field("MemberCanPost")
                .and_then(|v| v.read_flag())
                .unwrap_or(false),
        })
    }

    /// The board's access level.
    pub fn access(&self) -> Option<GroupAccess> {
        self.group_access.map(GroupAccess::from)
    }

    /// Whether a member may be offered this board: public boards, boards whose access is
    /// not stated, and boards the list marks `MemberCanPost` (the host backend's list, which
    /// knows the member's boards). Other restricted and private boards need a membership
    /// the widget cannot check, so they are not offered (bare Nexudus's list).
    pub fn open_to_members(&self) -> bool {
        self.member_can_post || matches!(self.access(), None | Some(GroupAccess::Public))
    }

    /// Whether the board is open only to its members (restricted, private, or an access
    /// the documentation does not list): the picker says so beside its name.
    pub fn members_only(&self) -> bool {
        !matches!(self.access(), None | Some(GroupAccess::Public))
    }
}

/// A conversation (CommunityThread), as far as the widget needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Thread {
    /// Its Id.
    pub id: u64,
    /// Its subject.
    pub subject: String,
    /// Its opening message, when the list includes it.
    pub message: Option<String>,
    /// The account that posted it.
    pub user_id: Option<u64>,
}

impl Thread {
    /// Reads a conversation record; `None` without a usable `Id`.
    pub fn read(json: &impl JsonView) -> Option<Thread> {
        Some(Thread {
            id: json.field("Id")?.read_u64().filter(|&id| id > 0)?,
            subject: json
                .field("Subject")
                .and_then(|v| v.as_text())
                .unwrap_or_default(),
            message: json.field("Message").and_then(|v| v.as_text()),
            user_id: json.field("UserId").and_then(|v| v.read_u64()),
        })
    }
}

/// A field a look-up compares: its JSON key, the wanted text (compared trimmed), and
/// whether a record without it is another record (`true`) or may still be the one.
pub type Wanted = (&'static str, String, bool);

/// The `Id` (a positive integer) of the first record of a list answer whose fields are
/// all as `wanted`; `None` when no record is. One data-driven matcher serves both
/// look-ups, so the wasm carries one copy.
pub fn find_record<J: JsonView>(list: &J, wanted: &[Wanted]) -> Option<u64> {
    list.field("Records")?
        .elements()?
        .iter()
        .find_map(|record| {
            let id = record.field("Id")?.read_u64().filter(|&id| id > 0)?;
            wanted
                .iter()
                .all(|(key, text, required)| {
                    match record.field(key).and_then(|value| value.scalar_text()) {
                        Some(value) => value.trim() == text.trim(),
                        None => !required,
                    }
                })
                .then_some(id)
        })
}

/// The look-up of the conversation `body` creates: this member's newest conversations
/// with its subject, and the record with its subject and opening message.
pub fn thread_lookup(body: &super::NewThread) -> (String, [Wanted; 3]) {
    (
        recent_threads_path(body.user_id, &body.subject),
        [
            ("UserId", body.user_id.to_string(), false),
            ("Subject", body.subject.clone(), true),
            ("Message", body.message.clone(), false),
        ],
    )
}

/// The look-up of the attachment `body` makes: the conversation's files, newest first,
/// and the record with its name and description.
pub fn file_lookup(body: &super::NewThreadFile) -> (String, [Wanted; 3]) {
    let description = body.description.clone().unwrap_or_default();
    let described = !description.trim().is_empty();
    (
        format!(
            "/api/community/communitythreadfiles?CommunityThreadFile_CommunityThread={}&orderBy=Id&dir=Descending&page=1&size=25",
            body.community_thread_id
        ),
        [
            ("CommunityThreadId", body.community_thread_id.to_string(), false),
            ("Name", body.name.clone(), true),
            ("Description", description, described),
        ],
    )
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[usize::from(other >> 4)] as char);
                out.push(HEX[usize::from(other & 0xF)] as char);
            }
        }
    }
    out
}

/// The path of the boards list, first page, up to `size` boards.
pub fn groups_path(size: u32) -> String {
    format!("/api/community/communitygroups?page=1&size={size}")
}

/// The path that finds a member's most recent conversations with exactly `subject`,
/// newest first, with the documented `Entity_Field` filter names.
pub fn recent_threads_path(user_id: u64, subject: &str) -> String {
    format!(
        "/api/community/communitythreads?CommunityThread_User={user_id}&CommunityThread_Subject={}&orderBy=CreatedOn&dir=Descending&page=1&size=5",
        encode_query_value(subject)
    )
}

/// Among `threads`, the one that is this member's conversation with this subject and
/// opening message, if the list shows one (the newest first).
pub fn find_same_thread<'a>(
    threads: &'a [Thread],
    user_id: u64,
    subject: &str,
    message: &str,
) -> Option<&'a Thread> {
    threads.iter().find(|thread| {
        thread.user_id.is_none_or(|id| id == user_id)
            && thread.subject.trim() == subject.trim()
            && thread
                .message
                .as_deref()
                .is_none_or(|m| m.trim() == message.trim())
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_list_envelope() {
        let json: serde_json::Value = serde_json::from_str(
            r#"{"Records":[{"Id":1,"Name":"General","Description":null,"GroupAccess":2,"BusinessId":1,"Extra":true},
                           {"Id":3,"Name":"Managers","GroupAccess":3},{"Name":"no id"},7],
                "CurrentPage":1,"CurrentPageSize":25,"TotalItems":2,"TotalPages":1,"HasNextPage":false,"HasPreviousPage":false}"#,
        )
        .unwrap();
        let page = ListPage::read(&json, Group::read);
        assert_eq!(page.records.len(), 2);
        assert!(page.records[0].open_to_members());
        assert!(!page.records[1].open_to_members());
        assert_eq!(page.total_items, Some(2));
    }

    #[test]
    fn offers_restricted_and_private_boards_only_when_the_list_marks_them() {
        let json = serde_json::json!({"Records": [
            {"Id": 1, "GroupAccess": 2},
            {"Id": 2},
            {"Id": 3, "GroupAccess": 3},
            {"Id": 4, "GroupAccess": 1, "MemberCanPost": true},
            {"Id": 5, "GroupAccess": 3, "MemberCanPost": "true"},
            {"Id": 6, "GroupAccess": 1, "MemberCanPost": false},
            {"Id": 7, "GroupAccess": 1, "MemberCanPost": "yes"},
            {"Id": 8, "GroupAccess": 9, "MemberCanPost": true},
            {"Id": 9, "GroupAccess": 1, "MemberCanPost": null}
        ]});
        let offered: Vec<(u64, bool)> = records(&json, Group::read)
            .into_iter()
            .filter(Group::open_to_members)
            .map(|g| (g.id, g.members_only()))
            .collect();
        assert_eq!(
            offered,
            [(1, false), (2, false), (4, true), (5, true), (8, true)]
        );
    }

    #[test]
    fn missing_records_is_an_empty_page() {
        let page = ListPage::read(&serde_json::json!({}), Thread::read);
        assert!(page.records.is_empty());
    }

    #[test]
    fn lookup_path_encodes_the_subject() {
        assert_eq!(
            recent_threads_path(10, "Lunch & learn?"),
            "/api/community/communitythreads?CommunityThread_User=10&CommunityThread_Subject=Lunch%20%26%20learn%3F&orderBy=CreatedOn&dir=Descending&page=1&size=5"
        );
    }

    #[test]
    fn look_ups_find_the_same_record_only() {
        let json = serde_json::json!({"Records": [
            {"Id": 0, "CommunityThreadId": 5, "Name": "menu"},
            {"Id": 9, "CommunityThreadId": 5, "Name": " menu ", "Description": null},
            {"Id": 8, "CommunityThreadId": 5, "Name": "menu", "Description": "old"},
            {"Id": 7, "CommunityThreadId": 6, "Name": "other"}
        ]});
        let file = |name: &str, description: Option<&str>| crate::api::NewThreadFile {
            community_thread_id: 5,
            name: name.into(),
            description: description.map(Into::into),
            new_file_data_url: None,
        };
        let found = |body| {
            let (path, wanted) = file_lookup(&body);
            assert!(path.contains("CommunityThreadFile_CommunityThread=5&"));
            find_record(&json, &wanted)
        };
        assert_eq!(found(file("menu", None)), Some(9));
        assert_eq!(found(file("menu", Some("old"))), Some(8));
        assert_eq!(found(file("menu", Some("new"))), None);
        assert_eq!(found(file("other", None)), None, "another conversation's");
        assert_eq!(find_record(&serde_json::json!({"Records": 3}), &[]), None);

        let thread = |user_id: u64, subject: &str, message: &str| crate::api::NewThread {
            business_id: 1,
            user_id,
            subject: subject.into(),
            message: message.into(),
            community_group_id: None,
            tags: None,
            private: None,
            instant_delivery: None,
            guests: Vec::new(),
        };
        let threads = serde_json::json!({"Records": [
            {"Id": 2, "Subject": "Hi", "Message": "other", "UserId": 10},
            {"Id": 1, "Subject": "Hi", "Message": "hello", "UserId": 10},
            {"Id": 3, "Subject": "Bye"}
        ]});
        let found = |body| find_record(&threads, &thread_lookup(&body).1);
        assert_eq!(found(thread(10, "Hi", "hello")), Some(1));
        assert_eq!(found(thread(11, "Hi", "hello")), None);
        assert_eq!(
            found(thread(10, "Bye", "anything")),
            Some(3),
            "fields not listed may match"
        );
    }

    #[test]
    fn finds_the_same_thread_only() {
        let threads = vec![
            Thread {
                id: 2,
                subject: "Hi".into(),
                message: Some("other".into()),
                user_id: Some(10),
            },
            Thread {
                id: 1,
                subject: "Hi".into(),
                message: Some("hello".into()),
                user_id: Some(10),
            },
        ];
        assert_eq!(
            find_same_thread(&threads, 10, "Hi", "hello").map(|t| t.id),
            Some(1)
        );
        assert_eq!(find_same_thread(&threads, 11, "Hi", "hello"), None);
        assert_eq!(find_same_thread(&threads, 10, "Bye", "hello"), None);
    }
}
