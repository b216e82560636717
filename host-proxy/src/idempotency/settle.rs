//! Settling a write whose answer does not say what happened (lost, timed out, a 5xx, or a
//! success without a positive `Value.Id`): the proxy looks the record up at Nexudus, as the
//! panel does without a backend, before anything is recorded under the key.
//!
//! - a new conversation: the member's newest conversations with the same subject and opening
//!   message;
//! - an attach: the conversation's files with the same `Name` (and `Description`, when given);
//! - a delete: whether the record is gone.
//!
//! Found: the key records a success naming the record, so a replay never re-creates it. Known
//! absent: the key is freed, and a retry sends the write again. The look-up failing: unknown,
//! tried again later.

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Method, StatusCode};
use serde_json::{json, Map, Value};

use super::recorded::Recorded;
use crate::claims::Member;
use crate::envelope::JSON_CONTENT_TYPE;
use crate::AppState;

/// What a keyed write was, read from its request.
#[derive(Clone, Debug)]
pub enum Write {
    /// `POST /api/community/communitythreads`.
    Thread { subject: String, message: String },
    /// `POST /api/community/communitythreadfiles`.
    File {
        thread: u64,
        name: String,
        description: String,
    },
    /// `DELETE` of the record at this upstream path.
    Delete { path: String },
    /// A write the proxy answers itself (`POST /uploads`): never uncertain.
    Local,
}

impl Write {
    /// Reads the write from its method, path and JSON body.
    pub fn of(method: &Method, path: &str, body: &[u8]) -> Write {
        let fields: Map<String, Value> = serde_json::from_slice(body).unwrap_or_default();
        let text = |name: &str| {
            fields
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_string()
        };
        match (method, path) {
            (&Method::POST, "/api/community/communitythreads") => Write::Thread {
                subject: text("Subject"),
                message: text("Message"),
            },
            (&Method::POST, "/api/community/communitythreadfiles") => Write::File {
                thread: fields
                    .get("CommunityThreadId")
                    .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
                    .unwrap_or(0),
                name: text("Name"),
                description: text("Description"),
            },
            (&Method::DELETE, p) if p.starts_with("/api/community/") => Write::Delete {
                path: p.to_string(),
            },
            _ => Write::Local,
        }
    }
}

/// The result of a look-up.
pub enum Outcome {
    /// The write happened: record this answer.
    Happened(Recorded),
    /// The write did not happen: free the key.
    DidNot,
    /// The look-up could not tell.
    Unknown,
}

/// Looks `write` of `member` up at Nexudus.
pub async fn look_up(st: &AppState, member: Member, write: &Write) -> Outcome {
    match write {
        Write::Thread { subject, message } => {
            let path = format!(
                "/api/community/communitythreads?CommunityThread_User={}&CommunityThread_Business={}&CommunityThread_Subject={}&orderBy=CreatedOn&dir=Descending&page=1&size=5",
                member.user_id,
                member.business_id,
                form_urlencoded::byte_serialize(subject.as_bytes()).collect::<String>()
            );
            find(st, &path, "CommunityThread", |r| {
                field_u64(r, "UserId") == Some(member.user_id)
                    && field_str(r, "Subject") == Some(subject.as_str())
                    && field_str(r, "Message").is_none_or(|m| m == message)
            })
            .await
        }
        Write::File {
            thread,
            name,
            description,
        } => {
            let path = format!(
                "/api/community/communitythreadfiles?CommunityThreadFile_CommunityThread={thread}&orderBy=Id&dir=Descending&page=1&size=25"
            );
            find(st, &path, "CommunityThreadFile", |r| {
                field_u64(r, "CommunityThreadId") == Some(*thread)
                    && field_str(r, "Name") == Some(name.as_str())
                    && (description.is_empty()
                        || field_str(r, "Description") == Some(description.as_str()))
            })
            .await
        }
        Write::Delete { path } => match st.upstream.send(Method::GET, path, None).await {
            Ok(a) if a.status == StatusCode::NOT_FOUND => {
                Outcome::Happened(success("The record was successfully deleted.", Value::Null))
            }
            Ok(a) if a.status == StatusCode::OK => Outcome::DidNot,
            _ => Outcome::Unknown,
        },
        Write::Local => Outcome::Unknown,
    }
}

async fn find(st: &AppState, path: &str, entity: &str, same: impl Fn(&Value) -> bool) -> Outcome {
    let answer = match st.upstream.send(Method::GET, path, None).await {
        Ok(a) if a.status == StatusCode::OK => a,
        _ => return Outcome::Unknown,
    };
    let Some(records) = answer
        .json()
        .and_then(|v| v.get("Records").and_then(Value::as_array).cloned())
    else {
        return Outcome::Unknown;
    };
    match records
        .iter()
        .find(|r| same(r))
        .and_then(|r| field_u64(r, "Id"))
    {
        Some(id) => Outcome::Happened(success(
            &format!("{entity} was successfully created."),
            json!({ "Id": id }),
        )),
        None => Outcome::DidNot,
    }
}

/// A success envelope, as Nexudus answers a write.
fn success(message: &str, value: Value) -> Recorded {
    let body = json!({
        "Status": 200,
        "Message": message,
        "Value": value,
        "Errors": null,
        "WasSuccessful": true,
    });
    Recorded::new(
        StatusCode::OK,
        vec![(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )],
        Bytes::from(body.to_string()),
    )
}

fn field_u64(record: &Value, name: &str) -> Option<u64> {
    record.get(name).and_then(Value::as_u64)
}

fn field_str<'a>(record: &'a Value, name: &str) -> Option<&'a str> {
    record.get(name).and_then(Value::as_str).map(str::trim)
}
