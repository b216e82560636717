//! The in-memory records: seed data, threads, files, the log of what was created, and the
//! JSON state file.
//!
//! Seed: business 1 "Sandbox Coworking"; users 10 (Ada Member) and 11 (Grace Member); groups
//! 1 General (Public), 2 Events (Public), 3 Managers (Private; Grace belongs to it), 4
//! Founders circle (Restricted; Ada belongs to it); threads 1001 and 1002. New thread ids start at 5001, new file ids at 87654321.
//!
//! The state file holds threads, files (their bytes as base64) and the next ids. The
//! business, users and groups are fixed and not saved; neither are uploads nor the log of
//! created records (which covers "since start or reset").

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The one business of the sandbox.
pub const BUSINESS_ID: i64 = 1;
/// Its name.
pub const BUSINESS_NAME: &str = "Sandbox Coworking";
/// First id given to a created thread.
pub const FIRST_THREAD_ID: i64 = 5001;
/// First id given to a created file.
pub const FIRST_FILE_ID: i64 = 87_654_321;

/// A user of the business.
pub struct User {
    /// Nexudus user id.
    pub id: i64,
    /// Full name.
    pub name: &'static str,
    /// Email, used as `UpdatedBy`.
    pub email: &'static str,
}

/// The seeded users.
pub const USERS: [User; 2] = [
    User {
        id: 10,
        name: "Ada Member",
        email: "ada.member@example.com",
    },
    User {
        id: 11,
        name: "Grace Member",
        email: "grace.member@example.com",
    },
];

/// Finds a seeded user.
pub fn user(id: i64) -> Option<&'static User> {
    USERS.iter().find(|u| u.id == id)
}

/// A CommunityGroup record (a board of the Discussion Board).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    /// Record id.
    pub id: i64,
    /// Display name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
    /// 1 Restricted, 2 Public, 3 Private.
    pub group_access: u8,
    /// The business (location) it belongs to.
    pub business_id: i64,
    /// The users who belong to it (its members). Not in the record: Nexudus's board list
    /// does not name members; a host's login knows them (the proxy's `groups` claim).
    #[serde(skip)]
    pub members: &'static [i64],
}

/// The seeded groups: two public boards, a private one Grace (user 11) belongs to (3) and a
/// restricted one Ada (user 10) belongs to (4). The API lets an administrator post on any of
/// them, as live Nexudus does; who a member may post as is the host backend's check.
pub fn groups() -> Vec<Group> {
    let g = |id, name, description, group_access| Group {
        id,
        name,
        description,
        group_access,
        business_id: BUSINESS_ID,
        members: match id {
            3 => &[11],
            4 => &[10],
            _ => &[],
        },
    };
    vec![
        g(
            1,
            "General",
            "Everything about life at Sandbox Coworking.",
            2,
        ),
        g(2, "Events", "Talks, socials and workshops.", 2),
        g(3, "Managers", "For the community managers.", 3),
        g(
            4,
            "Founders circle",
            "Founders only; members join on request.",
            1,
        ),
    ]
}

/// The seeded boards `user` belongs to.
pub fn groups_of(user: i64) -> Vec<i64> {
    groups()
        .into_iter()
        .filter(|g| g.members.contains(&user))
        .map(|g| g.id)
        .collect()
}

/// A CommunityThread record (a conversation).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Thread {
    /// Record id.
    pub id: i64,
    /// The business (location).
    pub business_id: i64,
    /// The user who posted it.
    pub user_id: i64,
    /// Optional coworker.
    pub coworker_id: Option<i64>,
    /// Subject line.
    pub subject: String,
    /// Opening message.
    pub message: String,
    /// The board; none = visible to everyone who can open the board.
    pub community_group_id: Option<i64>,
    /// Comma-separated tags.
    pub tags: Option<String>,
    /// Private conversation.
    pub private: bool,
    /// Deliver notifications at once.
    pub instant_delivery: bool,
    /// Guest ids.
    pub guests: Vec<i64>,
    /// Creation time, RFC 3339.
    pub created_on: String,
    /// Last update time, RFC 3339.
    pub updated_on: String,
}

/// A CommunityThreadFile record (without its bytes).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct FileRecord {
    /// Record id.
    pub id: i64,
    /// The conversation it is attached to.
    pub community_thread_id: i64,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Content type of the stored file, null when no file is attached.
    pub file_content_type: Option<String>,
    /// Size in bytes of the stored file, null when no file is attached.
    pub file_size: Option<u64>,
    /// File name (from the URL path, else `Name`), null when no file is attached.
    pub file_name: Option<String>,
    /// Creation time, RFC 3339.
    pub created_on: String,
    /// Last update time, RFC 3339.
    pub updated_on: String,
}

/// A file record with its bytes.
#[derive(Clone, Debug)]
pub struct StoredFile {
    /// The record.
    pub record: FileRecord,
    /// The bytes, if a file is attached.
    pub content: Option<Vec<u8>>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedFile {
    record: FileRecord,
    content_base64: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedState {
    version: u32,
    next_thread_id: i64,
    next_file_id: i64,
    threads: Vec<Thread>,
    files: Vec<PersistedFile>,
}

/// All mutable records.
#[derive(Clone, Debug)]
pub struct Store {
    /// Threads by id.
    pub threads: BTreeMap<i64, Thread>,
    /// Files by id.
    pub files: BTreeMap<i64, StoredFile>,
    next_thread_id: i64,
    next_file_id: i64,
    /// Threads created since start or reset, as created.
    pub created_threads: Vec<Thread>,
    /// Files created since start or reset, as created.
    pub created_files: Vec<FileRecord>,
}

impl Store {
    /// The seed state.
    pub fn seed() -> Store {
        let thread = |id, user_id, group, subject: &str, message: &str, on: &str| Thread {
            id,
            business_id: BUSINESS_ID,
            user_id,
            coworker_id: None,
            subject: subject.to_string(),
            message: message.to_string(),
            community_group_id: Some(group),
            tags: None,
            private: false,
            instant_delivery: false,
            guests: Vec::new(),
            created_on: on.to_string(),
            updated_on: on.to_string(),
        };
        let threads = [
            thread(
                1001,
                11,
                1,
                "Welcome to the board",
                "Say hello and tell us what you are working on.",
                "2025-01-10T09:00:00Z",
            ),
            thread(
                1002,
                10,
                2,
                "Lost and found",
                "A blue umbrella was left in the kitchen.",
                "2025-01-12T14:30:00Z",
            ),
        ];
        Store {
            threads: threads.into_iter().map(|t| (t.id, t)).collect(),
            files: BTreeMap::new(),
            next_thread_id: FIRST_THREAD_ID,
            next_file_id: FIRST_FILE_ID,
            created_threads: Vec::new(),
            created_files: Vec::new(),
        }
    }

    /// Takes the next thread id.
    pub fn take_thread_id(&mut self) -> i64 {
        let id = self.next_thread_id;
        self.next_thread_id = self.next_thread_id.saturating_add(1);
        id
    }

    /// Takes the next file id.
    pub fn take_file_id(&mut self) -> i64 {
        let id = self.next_file_id;
        self.next_file_id = self.next_file_id.saturating_add(1);
        id
    }

    /// Serialises the persistent part of the state.
    pub fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        let engine = base64::engine::general_purpose::STANDARD;
        let state = PersistedState {
            version: 1,
            next_thread_id: self.next_thread_id,
            next_file_id: self.next_file_id,
            threads: self.threads.values().cloned().collect(),
            files: self
                .files
                .values()
                .map(|f| PersistedFile {
                    record: f.record.clone(),
                    content_base64: f.content.as_ref().map(|c| engine.encode(c)),
                })
                .collect(),
        };
        serde_json::to_vec_pretty(&state)
    }

    /// Restores a state saved by [`Store::to_json`].
    pub fn from_json(bytes: &[u8]) -> std::io::Result<Store> {
        let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        let state: PersistedState =
            serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
        let engine = base64::engine::general_purpose::STANDARD;
        let mut files = BTreeMap::new();
        for f in state.files {
            let content = match f.content_base64 {
                Some(b64) => Some(
                    engine
                        .decode(b64)
                        .map_err(|e| invalid(format!("file {}: {e}", f.record.id)))?,
                ),
                None => None,
            };
            files.insert(
                f.record.id,
                StoredFile {
                    record: f.record,
                    content,
                },
            );
        }
        Ok(Store {
            threads: state.threads.into_iter().map(|t| (t.id, t)).collect(),
            files,
            next_thread_id: state.next_thread_id,
            next_file_id: state.next_file_id,
            created_threads: Vec::new(),
            created_files: Vec::new(),
        })
    }

    /// Loads a state file.
    pub fn load(path: &Path) -> std::io::Result<Store> {
        let bytes = std::fs::read(path)?;
        Store::from_json(&bytes).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("state file {} is not valid: {e}", path.display()),
            )
        })
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader never sees
/// half a file.
pub async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let mut s = Store::seed();
        let id = s.take_file_id();
        s.files.insert(
            id,
            StoredFile {
                record: FileRecord {
                    id,
                    community_thread_id: 1001,
                    name: "a".into(),
                    description: None,
                    file_content_type: Some("text/plain".into()),
                    file_size: Some(3),
                    file_name: Some("a.txt".into()),
                    created_on: "2025-01-01T00:00:00Z".into(),
                    updated_on: "2025-01-01T00:00:00Z".into(),
                },
                content: Some(b"abc".to_vec()),
            },
        );
        let back = Store::from_json(&s.to_json().unwrap()).unwrap();
        assert_eq!(back.threads, s.threads);
        assert_eq!(back.files[&id].content.as_deref(), Some(&b"abc"[..]));
        assert_eq!(back.clone().take_file_id(), FIRST_FILE_ID + 1);
        assert!(user(10).is_some_and(|u| u.name == "Ada Member"));
        assert_eq!(BUSINESS_NAME, "Sandbox Coworking");
    }

    #[test]
    fn a_restricted_and_a_private_board_have_members() {
        assert_eq!(groups_of(10), [4]);
        assert_eq!(groups_of(11), [3]);
        assert!(groups_of(12).is_empty());
        let access = |id| {
            groups()
                .into_iter()
                .find(|g| g.id == id)
                .map(|g| g.group_access)
        };
        assert_eq!((access(3), access(4)), (Some(3), Some(1)));
    }
}
