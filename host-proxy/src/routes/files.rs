//! `/api/community/communitythreadfiles`: attach a file to one of the member's own
//! conversations, with a file this proxy stored for that member; delete one of their files.
//!
//! A refusal is the Nexudus validation envelope (HTTP 400, `Errors[]`) naming the property at
//! fault, so the panel shows it on that field: `CommunityThread` for a conversation that is
//! not the member's (or does not exist: the member is not told which), `NewFileDataUrl` for a
//! URL this proxy did not issue to them (a `data:` URL included), and `CommunityThread` again
//! for a conversation that already has `--max-files-per-thread` files (see `file_limit`).
//!
//! A conversation may take several files, one attach each; every attach goes through every
//! check (the write limit, the URL, the ownership, the count), in that order, and attaches to
//! one conversation take turns.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use axum::Extension;
use serde_json::Value;

use super::body::{self, short};
use super::file_limit;
use super::ownership::{self, Owner};
use super::threads::{forward, parse_id};
use super::MAX_JSON_BODY;
use crate::claims::{positive_id, Member};
use crate::envelope::{self, FieldError};
use crate::uploads::Attach;
use crate::AppState;

const PATH: &str = "/api/community/communitythreadfiles";

/// The documented fields of a new thread file.
const FIELDS: [&str; 4] = ["CommunityThreadId", "Name", "Description", "NewFileDataUrl"];

/// What the member is told about a URL this proxy did not issue to them.
pub const FOREIGN_URL: &str = "must be a file uploaded through this portal";
/// An upload URL issued but never used (a bucket's store only).
pub const NOT_UPLOADED: &str = "was not uploaded; add the file again";
/// An object larger than its declared size (a bucket's store only).
pub const LARGER_THAN_DECLARED: &str =
    "is larger than the size declared for it; add the file again";
/// An object of another type than declared (a bucket's store only).
pub const OTHER_TYPE: &str = "is not of the type declared for it; add the file again";

/// `POST /api/community/communitythreadfiles`.
pub async fn create(
    State(st): State<Arc<AppState>>,
    Extension(member): Extension<Member>,
    request_body: Body,
) -> Response {
    // Past the limit the body can only be an inline file (a `data:` URL).
    let map = match body::read_object(request_body, MAX_JSON_BODY, || {
        envelope::validation(&[FieldError::new("NewFileDataUrl", Value::Null, FOREIGN_URL)])
    })
    .await
    {
        Ok(map) => map,
        Err(res) => return res,
    };
    let fields = match body::allowed_fields(map, &FIELDS) {
        Ok(fields) => fields,
        Err(res) => return res,
    };
    let mut errors = Vec::new();
    let thread_id = fields.get("CommunityThreadId").and_then(|v| match v {
        Value::String(s) => parse_id(s.trim()),
        other => positive_id(other),
    });
    if thread_id.is_none() {
        let attempted = fields
            .get("CommunityThreadId")
            .cloned()
            .unwrap_or(Value::Null);
        errors.push(FieldError::new(
            "CommunityThreadId",
            short(attempted),
            "is a required field",
        ));
    }
    let url = fields.get("NewFileDataUrl").and_then(Value::as_str);
    let issued = match url {
        Some(url) => match st.uploads.issued_file(url, member).await {
            Ok(issued) => issued,
            Err(_) => return envelope::store_unavailable(),
        },
        None => None,
    };
    if issued.is_none() {
        errors.push(FieldError::new(
            "NewFileDataUrl",
            short(url.map_or(Value::Null, Value::from)),
            FOREIGN_URL,
        ));
    }
    let (Some(thread_id), Some(issued)) = (thread_id, issued.filter(|_| errors.is_empty())) else {
        return envelope::validation(&errors);
    };
    if let Err(refused) = super::admit_write(&st, member.user_id).await {
        return refused;
    }
    // A bucket is asked only now, past the member's write limit.
    let forwarded_url = match st.uploads.attachable(issued).await {
        Ok(Attach::Accepted(forwarded)) => forwarded,
        Ok(refused) => {
            let (reason, message) = match refused {
                Attach::NotUploaded => ("not_uploaded", NOT_UPLOADED),
                Attach::LargerThanDeclared => ("larger_than_declared", LARGER_THAN_DECLARED),
                _ => ("other_type", OTHER_TYPE),
            };
            let error = FieldError::new("NewFileDataUrl", issued_url(&fields), message);
            return envelope::refused_for(reason, envelope::validation(&[error]));
        }
        Err(_) => return envelope::store_unavailable(),
    };
    let _turn = st.attach_turns.take(thread_id).await;
    match ownership::thread(&st, member, thread_id).await {
        Ok(Owner::Member) => {}
        Ok(Owner::NotTheirs) => {
            tracing::warn!(
                member = member.user_id,
                "attach to a conversation not theirs refused"
            );
            return envelope::validation(&[FieldError::new(
                "CommunityThread",
                Value::from(thread_id),
                "was not found",
            )]);
        }
        Err(res) => return res,
    }
    if let Err(res) = file_limit::check(&st, thread_id, st.config.max_files_per_thread).await {
        return res;
    }
    let mut fields = fields;
    // A bucket's URL signed afresh for Nexudus; a folder's as given.
    fields.insert("NewFileDataUrl".to_string(), Value::from(forwarded_url));
    let Ok(json) = serde_json::to_vec(&Value::Object(fields)) else {
        return envelope::internal("The request could not be prepared.");
    };
    forward(&st, Method::POST, PATH, Some(Bytes::from(json))).await
}

/// The `NewFileDataUrl` as sent, shortened for an error's `AttemptedValue`.
fn issued_url(fields: &serde_json::Map<String, Value>) -> Value {
    short(fields.get("NewFileDataUrl").cloned().unwrap_or(Value::Null))
}
