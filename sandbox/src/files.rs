//! `/api/community/communitythreadfiles`: attach a file to a conversation, read, delete.
//!
//! Create (role `CommunityThreadFile-Create`): `CommunityThreadId` (required integer naming an
//! existing thread, else an error on `CommunityThread`), `Name` (required: the seed page's own
//! 400 example rejects a missing Name), `Description`, `NewFileDataUrl`, `ClearFileDataFile`.
//! The server downloads `NewFileDataUrl` (see the `fetch` module); a failed download is an
//! error on `NewFileDataUrl`. Fields are validated first, and nothing is downloaded while any
//! other field is wrong. With `ClearFileDataFile: true` the record is created without a file
//! and `NewFileDataUrl` is not fetched.
//!
//! A `data:` URI as `NewFileDataUrl` gets live Nexudus's generic 500 (not a validation error,
//! nothing created) [seen, nexudus-api.md "NewFileDataUrl"], unless `--accept-data-urls`.
//!
//! `GET /api/community/communitythreadfiles` lists records in the list envelope, filtered by
//! `CommunityThreadFile_CommunityThread` (or `…_CommunityThreadId`), ordered by `Id`,
//! `CreatedOn` or `Name` (see the `list` module): how a client finds out whether an attach
//! whose answer it lost took effect.
//!
//! Reading a file record or its bytes needs a valid token; deleting needs
//! `CommunityThreadFile-Delete`.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::body::{echo, read_json_object};
use crate::envelope::{self, now_rfc3339, FieldError};
use crate::fetch;
use crate::list::{self, ListQuery};
use crate::store::{FileRecord, StoredFile};
use crate::threads::parse_id;
use crate::{lock, AppState};

const ENTITY: &str = "CommunityThreadFile";

/// `POST /api/community/communitythreadfiles`.
pub async fn create(
    State(st): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> Response {
    if let Err(denied) = caller.require("CommunityThreadFile-Create") {
        return denied;
    }
    let mut f = match read_json_object(req, st.config.effective_body_limit()).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let thread_id = f.int("CommunityThreadId", true);
    let name = f.string("Name", true);
    let description = f.string("Description", false);
    let url = f.string("NewFileDataUrl", false);
    let clear = f.boolean("ClearFileDataFile").unwrap_or(false);
    let mut errors = f.errors;
    let thread_missing = |id: i64| !lock(&st.store).threads.contains_key(&id);
    if let Some(id) = thread_id.filter(|id| thread_missing(*id)) {
        errors.push(FieldError::new(
            "CommunityThread",
            json!(id),
            "was not found",
        ));
    }
    let (Some(thread_id), Some(name), true) = (thread_id, name, errors.is_empty()) else {
        return envelope::validation(&errors);
    };

    let url = url.filter(|u| !u.trim().is_empty() && !clear);
    if url.as_deref().is_some_and(fetch::is_data_url) && !st.config.accept_data_urls {
        return envelope::generic_500();
    }
    let fetched = match &url {
        None => None,
        Some(u) => match fetch::fetch(&st.http, &st.config, u).await {
            Ok(fetched) => Some(fetched),
            Err(message) => {
                return envelope::validation(&[FieldError::new(
                    "NewFileDataUrl",
                    echo(&Value::String(u.clone())),
                    message,
                )])
            }
        },
    };

    let now = now_rfc3339();
    let id = {
        let mut s = lock(&st.store);
        // The thread may have been deleted while the file was downloading.
        if !s.threads.contains_key(&thread_id) {
            drop(s);
            return envelope::validation(&[FieldError::new(
                "CommunityThread",
                json!(thread_id),
                "was not found",
            )]);
        }
        let id = s.take_file_id();
        let (content_type, size, file_name, content) = match fetched {
            Some(f) => (
                Some(f.content_type),
                Some(f.bytes.len() as u64),
                Some(f.file_name.unwrap_or_else(|| name.clone())),
                Some(f.bytes),
            ),
            None => (None, None, None, None),
        };
        let record = FileRecord {
            id,
            community_thread_id: thread_id,
            name,
            description,
            file_content_type: content_type,
            file_size: size,
            file_name,
            created_on: now.clone(),
            updated_on: now,
        };
        s.created_files.push(record.clone());
        s.files.insert(id, StoredFile { record, content });
        id
    };
    st.persist().await;
    envelope::created(ENTITY, id, &caller.email)
}

/// `GET /api/community/communitythreadfiles`: one page of file records.
pub async fn list(State(st): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let q = ListQuery::parse(raw.as_deref());
    let thread = q.filter(&[
        "communitythreadfile_communitythread",
        "communitythreadfile_communitythreadid",
    ]);
    let thread = match thread.map(str::parse::<i64>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            return envelope::validation(&[FieldError::new(
                "CommunityThreadFile_CommunityThread",
                json!(thread),
                "is not a valid integer",
            )])
        }
    };
    let items: Vec<FileRecord> = lock(&st.store)
        .files
        .values()
        .map(|f| f.record.clone())
        .filter(|r| thread.is_none_or(|t| r.community_thread_id == t))
        .collect();
    let order = q.order_by.as_deref().map(str::to_ascii_lowercase);
    let (field, key): (&str, fn(&FileRecord, &FileRecord) -> std::cmp::Ordering) =
        match order.as_deref() {
            Some("createdon") => ("CreatedOn", |a, b| a.created_on.cmp(&b.created_on)),
            Some("name") => ("Name", |a, b| a.name.cmp(&b.name)),
            _ => ("Id", |_, _| std::cmp::Ordering::Equal),
        };
    let env = list::page(items, &q, field, |a, b| key(a, b).then(a.id.cmp(&b.id)));
    envelope::json(StatusCode::OK, &env)
}

/// `GET /api/community/communitythreadfiles/{id}`: the record.
pub async fn get_one(
    State(st): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let record =
        parse_id(id).and_then(|id| lock(&st.store).files.get(&id).map(|f| f.record.clone()));
    match record {
        Some(r) => envelope::json(StatusCode::OK, &r),
        None => envelope::not_found(),
    }
}

/// `GET /api/community/communitythreadfiles/{id}/content`: the stored bytes.
pub async fn content(
    State(st): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let found = parse_id(id).and_then(|id| {
        let s = lock(&st.store);
        let f = s.files.get(&id)?;
        Some((f.record.file_content_type.clone(), f.content.clone()?))
    });
    let Some((content_type, bytes)) = found else {
        return envelope::not_found();
    };
    let content_type = content_type
        .and_then(|ct| HeaderValue::from_str(&ct).ok())
        .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream"));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type)],
        bytes,
    )
        .into_response()
}

/// `DELETE /api/community/communitythreadfiles/{id}`.
pub async fn delete(
    State(st): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    if let Err(denied) = caller.require("CommunityThreadFile-Delete") {
        return denied;
    }
    let removed = parse_id(id).filter(|id| lock(&st.store).files.remove(id).is_some());
    match removed {
        Some(id) => {
            st.persist().await;
            envelope::deleted(ENTITY, id, &caller.email)
        }
        None => envelope::not_found(),
    }
}

/// A JSON value for a file record (used by the inspection endpoint).
pub fn created_entry(r: &FileRecord, deleted: bool) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("Deleted".into(), Value::Bool(deleted));
    }
    v
}
