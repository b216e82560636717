//! The file store's HTTP side: `POST /uploads` (member session; counts as a write) issues
//! `{uploadUrl, fileUrl, method: "PUT", headers: {"Content-Type"}}`, the shape the panel's
//! upload endpoint expects; `PUT /uploads/{id}` takes the bytes once; `GET /files/{key}/{name}`
//! serves them to whoever has the URL (Nexudus).
//!
//! A refused `POST /uploads` (too large, a type not allowed, empty) is the Nexudus 400 envelope
//! on `NewFileDataUrl`, so the panel shows it on the attachment; a refused `PUT` is
//! `{"error": "..."}` with 413 (more bytes than declared), 415 (another type), 400 (fewer) or
//! 404 (unknown, used or expired URL). Served files carry `nosniff`, a sandboxing
//! Content-Security-Policy and `Content-Disposition: attachment`, so a stored file can never
//! run as a page of this origin, nor even be shown inline.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};

use super::body;
use crate::claims::Member;
use crate::content_type;
use crate::envelope::{self, upload_error, FieldError};
use crate::uploads::{is_key, IssueError, StoreError, Upload, Uploads};
use crate::AppState;

/// `POST /uploads` with `{fileName, contentType, size}`.
pub async fn create(
    State(st): State<Arc<AppState>>,
    Extension(member): Extension<Member>,
    request_body: Body,
) -> Response {
    let map = match body::read_object(request_body, 64 * 1024, || {
        upload_error(StatusCode::PAYLOAD_TOO_LARGE, "request too large")
    })
    .await
    {
        Ok(map) => map,
        Err(res) if res.status() == StatusCode::REQUEST_TIMEOUT => return res,
        Err(_) => return upload_error(StatusCode::BAD_REQUEST, "expected a JSON object"),
    };
    let file_name = map.get("fileName").and_then(Value::as_str).unwrap_or("");
    // Exactly `type/subtype` or refused (see `content_type`): what is stored and served
    // back is this parsed type, never the text as given.
    let content_type = map
        .get("contentType")
        .and_then(Value::as_str)
        .and_then(content_type::parse)
        .unwrap_or_default();
    let size = map.get("size").and_then(Value::as_u64);
    let max = st.config.max_upload_bytes;
    let refusal = match size {
        None => Some("the file's size is missing".to_string()),
        Some(0) => Some("the file is empty".to_string()),
        Some(n) if n > max => Some(format!(
            "the file is larger than the limit of {}",
            human_size(max)
        )),
        Some(_)
            if !st.config.allows_type(&content_type)
                || HeaderValue::from_str(&content_type).is_err() =>
        {
            Some("this type of file is not accepted".to_string())
        }
        Some(_) => None,
    };
    if let Some(message) = refusal {
        return attachment_refused(file_name, message);
    }
    let size = size.unwrap_or_default();
    let essence = content_type;
    if let Err(refused) = super::admit_write(&st, member.user_id).await {
        return refused;
    }
    match st.uploads.issue(member, file_name, &essence, size).await {
        Ok(issued) => envelope::json(
            StatusCode::OK,
            &json!({
                "uploadUrl": issued.upload_url,
                "fileUrl": issued.file_url,
                "method": "PUT",
                "headers": { "Content-Type": essence },
            }),
        ),
        Err(IssueError::OverQuota(over)) => {
            tracing::info!(
                member = member.user_id,
                "upload past the member's daily quota refused"
            );
            let limit = human_size(st.config.member_storage_bytes_per_day);
            let message = match over.wait {
                None => format!("the file is larger than the {limit} one member may upload a day"),
                Some(wait) => format!(
                    "you have uploaded the {limit} allowed in 24 hours; try again in {}",
                    human_wait(wait)
                ),
            };
            envelope::refused_for("storage_quota", attachment_refused(file_name, message))
        }
        Err(IssueError::StoreFull) => {
            tracing::warn!("upload refused: the file store is full (--max-store-bytes)");
            envelope::refused_for(
                "store_full",
                attachment_refused(
                    file_name,
                    "the server cannot take more files just now; try again later".to_string(),
                ),
            )
        }
        Err(IssueError::Unavailable) => envelope::store_unavailable(),
        Err(IssueError::Io(e)) => {
            tracing::error!(error = %e, "could not issue an upload URL");
            upload_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the upload could not be prepared",
            )
        }
    }
}

/// `PUT /uploads/{id}`: the bytes, once, of the declared type and size.
pub async fn put(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    request_body: Body,
) -> Response {
    let unknown = || upload_error(StatusCode::NOT_FOUND, "unknown or already used upload URL");
    if !is_key(&id) {
        return unknown();
    }
    let pending = match st.uploads.take(&id).await {
        Ok(Some(pending)) => pending,
        Ok(None) => return unknown(),
        Err(_) => {
            return upload_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the upload cannot be taken just now; try again in a few seconds",
            )
        }
    };
    let (declared_type, declared_size) = Uploads::declared(&pending);
    if let Some(sent) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        if content_type::essence(sent) != declared_type {
            return upload_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the Content-Type differs from the one declared",
            );
        }
    }
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if length.is_some_and(|n| n > declared_size) {
        return upload_error(StatusCode::PAYLOAD_TOO_LARGE, "larger than declared");
    }
    let upload = Upload { body: request_body };
    match st.uploads.store(pending, upload).await {
        Ok(file_url) => envelope::json(StatusCode::OK, &json!({ "fileUrl": file_url })),
        Err(StoreError::TooLarge) => {
            upload_error(StatusCode::PAYLOAD_TOO_LARGE, "larger than declared")
        }
        Err(StoreError::TooShort) => upload_error(StatusCode::BAD_REQUEST, "shorter than declared"),
        Err(StoreError::TimedOut) => upload_error(
            StatusCode::REQUEST_TIMEOUT,
            "the upload did not arrive in time",
        ),
        Err(StoreError::Read) => {
            upload_error(StatusCode::BAD_REQUEST, "the upload could not be read")
        }
        Err(StoreError::Io(e)) => {
            tracing::error!(error = %e, "could not store an upload");
            upload_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the file could not be stored",
            )
        }
    }
}

/// `GET /files/{key}/{name}`: the stored bytes, for the upstream to download.
pub async fn get_file(
    State(st): State<Arc<AppState>>,
    Path((key, name)): Path<(String, String)>,
) -> Response {
    if !is_key(&key) {
        return envelope::not_found();
    }
    let Some((meta, path)) = st.uploads.find(&key, &name).await else {
        return envelope::not_found();
    };
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(_) => return envelope::not_found(),
    };
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    let content_type = HeaderValue::from_str(&meta.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_LENGTH, HeaderValue::from(meta.size)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
            (header::CONTENT_DISPOSITION, attachment(&meta.file_name)),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// The 400 envelope on `NewFileDataUrl`, which the panel shows on the attachment.
fn attachment_refused(file_name: &str, message: String) -> Response {
    envelope::validation(&[FieldError::new(
        "NewFileDataUrl",
        Value::from(file_name.chars().take(200).collect::<String>()),
        message,
    )])
}

/// `3 hours`, `25 minutes`: a wait as a member reads it (rounded up).
fn human_wait(wait: std::time::Duration) -> String {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    match minutes {
        1 => "a minute".to_string(),
        m if m < 120 => format!("{m} minutes"),
        m => format!("{} hours", m.div_ceil(60)),
    }
}

/// `attachment; filename="<name>"`: a browser that opens a file URL downloads it instead of
/// showing it. Stored names keep only `[A-Za-z0-9._-]`, so they need no escaping.
fn attachment(file_name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// `25 MB`, `512 KB`, `300 bytes`: a limit as a member reads it.
fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}
