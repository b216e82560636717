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

/// Whether thread `id` is the member's. An upstream failure (throttled, unreachable, 5xx...)
/// is returned as the response to pass on.
pub async fn thread(st: &AppState, member: Member, id: u64) -> Result<Owner, Response> {
    let Some(record) = fetch(st, &format!("/api/community/communitythreads/{id}")).await? else {
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
    let Some(record) = fetch(st, &format!("/api/community/communitythreadfiles/{id}")).await?
    else {
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
