//! Whose is this record? Asked of Nexudus itself (as the operator) before the proxy attaches
//! to or deletes a record for a member: a conversation is the member's when its `UserId` is
//! their `sub` and its `BusinessId` their `businessId`; a file is theirs when its conversation
//! is.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::query::id_field;
use crate::claims::Member;
use crate::AppState;

/// The answer about one record.
pub enum Owner {
    /// The record exists and is the member's.
    Member,
    /// The record does not exist, or is somebody else's (the member is not told which).
    NotTheirs,
}

/// A kind of record a member may own.
#[derive(Clone, Copy)]
pub enum Record {
    /// A conversation.
    Thread,
    /// A file attached to a conversation.
    File,
}

impl Record {
    /// The record's path at Nexudus.
    pub fn path(self, id: u64) -> String {
        match self {
            Record::Thread => format!("/api/community/communitythreads/{id}"),
            Record::File => format!("/api/community/communitythreadfiles/{id}"),
        }
    }

    /// For the logs.
    pub fn name(self) -> &'static str {
        match self {
            Record::Thread => "conversation",
            Record::File => "file",
        }
    }
}

/// Whether record `id` of this kind is the member's.
pub async fn owner(
    st: &AppState,
    member: Member,
    record: Record,
    id: u64,
) -> Result<Owner, Response> {
    match record {
        Record::Thread => thread(st, member, id).await,
        Record::File => thread_file(st, member, id).await,
    }
}

/// Whether thread `id` is the member's. An upstream failure (throttled, unreachable, 5xx...)
/// is returned as the response to pass on.
pub async fn thread(st: &AppState, member: Member, id: u64) -> Result<Owner, Response> {
    let Some(record) = fetch(st, &Record::Thread.path(id)).await? else {
        return Ok(Owner::NotTheirs);
    };
    let theirs = id_field(&record, "UserId") == Some(member.user_id)
        && id_field(&record, "BusinessId") == Some(member.business_id);
    Ok(if theirs {
        Owner::Member
    } else {
        Owner::NotTheirs
    })
}

/// Whether thread file `id` is the member's (through its thread).
pub async fn thread_file(st: &AppState, member: Member, id: u64) -> Result<Owner, Response> {
    let Some(record) = fetch(st, &Record::File.path(id)).await? else {
        return Ok(Owner::NotTheirs);
    };
    match id_field(&record, "CommunityThreadId") {
        Some(thread_id) => thread(st, member, thread_id).await,
        None => Ok(Owner::NotTheirs),
    }
}

/// The record at `path`, `None` for a 404 (or a 200 that is not a record).
async fn fetch(st: &AppState, path: &str) -> Result<Option<Value>, Response> {
    let answer = st
        .upstream
        .send(Method::GET, path, None)
        .await
        .map_err(IntoResponse::into_response)?;
    match answer.status {
        StatusCode::OK => Ok(answer.json().map(unwrap_value).filter(Value::is_object)),
        StatusCode::NOT_FOUND => Ok(None),
        _ => Err(answer.into_response()),
    }
}

/// A record, bare or inside an envelope's `Value`.
fn unwrap_value(v: Value) -> Value {
    match v.get("Value") {
        Some(inner) if inner.is_object() && v.get("Id").is_none() => inner.clone(),
        _ => v,
    }
}
