//! The upload store: a stand-in for a host page's own storage, in the presigned-URL shape every
//! store offers (S3, R2, GCS and Azure presigned/SAS URLs; Uppy's AwsS3 `getUploadParameters`).
//! It is not part of the Nexudus API (camelCase JSON, never throttled); it exists because a file
//! reaches Nexudus only as a fetchable URL in `NewFileDataUrl` [seen, nexudus-api.md
//! "NewFileDataUrl": a `data:` URI fails with a generic 500].
//!
//! - `POST /uploads`, as a host's own endpoint would, checks the caller's session: it needs
//!   `Authorization: Bearer <token>` with any valid, unexpired sandbox token (seeded, `--token`,
//!   the portal token, or one `/api/token` issued; no role needed), else 401
//!   (`WWW-Authenticate: Bearer`, `{"error": ...}`). Its JSON body
//!   `{"fileName":"a.png","contentType":"image/png","size":123}` needs `fileName` (a non-blank
//!   string, else 400); `contentType` and `size` are optional; a declared `size` over
//!   `--max-upload-bytes` is 413. It answers 200
//!   `{"uploadUrl","fileUrl","method":"PUT","headers":{"Content-Type":...},"key"}`: PUT the
//!   bytes to `uploadUrl` with those headers, then give `fileUrl` (absolute, and fetchable by
//!   the sandbox itself) as `NewFileDataUrl`. `Content-Type` is the declared `contentType`, or
//!   `application/octet-stream`. The key is `<random>/<file name>`, so both URLs end with the
//!   (sanitised) file name.
//! - `PUT /uploads/{key}` (no auth: the URL is the credential, as a presigned URL is) stores the
//!   raw body (at most `--max-upload-bytes`, else 413) with its Content-Type (else the declared
//!   one, else `application/octet-stream`). One time only: a second PUT answers 403. An unknown
//!   key answers 404.
//! - `GET /uploads/{key}` serves the bytes (404 before the PUT).
//!
//! CORS is the sandbox's one layer: a preflight for `POST /uploads` (with `Authorization` and
//! `Content-Type`) and for the `PUT` passes for the allowed origins. Uploads are kept in memory
//! only, and cleared by `/_sandbox/reset`.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::auth::{bearer, lookup, Lookup};
use crate::body::{declared_too_large, read_limited, ReadError};
use crate::envelope::{human_size, json};
use crate::{lock, AppState};

/// Largest JSON body of `POST /uploads`.
const MAX_REQUEST_JSON: u64 = 64 * 1024;

struct Upload {
    declared_type: Option<String>,
    stored: Option<(Bytes, String)>,
}

/// The uploads by key.
#[derive(Default)]
pub struct Uploads {
    by_key: HashMap<String, Upload>,
    counter: u64,
}

impl Uploads {
    /// Forgets every upload.
    pub fn clear(&mut self) {
        self.by_key.clear();
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    json(status, &json!({ "error": message }))
}

/// The stored name of a file called `name` (its first 120 characters, made safe).
fn sanitize(name: &str) -> String {
    nexudus_wire::file_name::sanitize(name, 120)
}

/// `POST /uploads`.
pub async fn create(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let signed_in =
        bearer(req.headers()).is_some_and(|token| matches!(lookup(&st, token), Lookup::Valid(_)));
    if !signed_in {
        let mut res = error(
            StatusCode::UNAUTHORIZED,
            "sign in first: send Authorization: Bearer with a valid, unexpired token",
        );
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return res;
    }
    let bytes = match read_limited(req.into_body(), MAX_REQUEST_JSON).await {
        Ok(b) => b,
        Err(ReadError::TooLarge) => {
            return error(StatusCode::PAYLOAD_TOO_LARGE, "request too large")
        }
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
            )
        }
    };
    let value: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => return error(StatusCode::BAD_REQUEST, &format!("invalid JSON: {e}")),
        }
    };
    let Value::Object(map) = value else {
        return error(StatusCode::BAD_REQUEST, "expected a JSON object");
    };
    let text = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
    let Some(file_name) = text("fileName").filter(|n| !n.trim().is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "fileName is required: a non-empty string",
        );
    };
    let declared_type = text("contentType").filter(|t| HeaderValue::from_str(t).is_ok());
    if let Some(size) = map.get("size") {
        match size.as_u64() {
            Some(n) if n > st.config.max_upload_bytes => {
                return error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!(
                        "the file is larger than the upload limit of {}",
                        human_size(st.config.max_upload_bytes)
                    ),
                )
            }
            Some(_) => {}
            None if size.is_null() => {}
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "size must be a non-negative integer",
                )
            }
        }
    }
    let content_type = declared_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".to_string());
    let key = {
        let mut u = lock(&st.uploads);
        u.counter += 1;
        let random = std::collections::hash_map::RandomState::new().hash_one(u.counter);
        let key = format!("{random:016x}/{}", sanitize(&file_name));
        u.by_key.insert(
            key.clone(),
            Upload {
                declared_type,
                stored: None,
            },
        );
        key
    };
    let url = format!("{}/uploads/{key}", st.public_url);
    json(
        StatusCode::OK,
        &json!({
            "uploadUrl": url,
            "fileUrl": url,
            "method": "PUT",
            "headers": { "Content-Type": content_type },
            "key": key,
        }),
    )
}

/// `PUT /uploads/{key}`.
pub async fn put(
    State(st): State<Arc<AppState>>,
    key: Result<Path<String>, PathRejection>,
    req: Request,
) -> Response {
    let Ok(Path(key)) = key else {
        return error(StatusCode::NOT_FOUND, "unknown upload key");
    };
    let limit = st.config.max_upload_bytes;
    let declared_type = {
        let u = lock(&st.uploads);
        match u.by_key.get(&key) {
            None => return error(StatusCode::NOT_FOUND, "unknown upload key"),
            Some(up) if up.stored.is_some() => {
                return error(
                    StatusCode::FORBIDDEN,
                    "this upload URL has already been used",
                )
            }
            Some(up) => up.declared_type.clone(),
        }
    };
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the upload exceeds the limit of {}", human_size(limit)),
        )
    };
    if declared_too_large(req.headers(), limit) {
        return too_large();
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(declared_type)
        .unwrap_or_else(|| "application/octet-stream".to_string());
    let bytes = match read_limited(req.into_body(), limit).await {
        Ok(b) => b,
        Err(ReadError::TooLarge) => return too_large(),
        Err(_) => return error(StatusCode::BAD_REQUEST, "the upload could not be read"),
    };
    let size = bytes.len();
    {
        let mut u = lock(&st.uploads);
        match u.by_key.get_mut(&key) {
            None => return error(StatusCode::NOT_FOUND, "unknown upload key"),
            Some(up) if up.stored.is_some() => {
                return error(
                    StatusCode::FORBIDDEN,
                    "this upload URL has already been used",
                )
            }
            Some(up) => up.stored = Some((bytes, content_type)),
        }
    }
    json(StatusCode::OK, &json!({ "key": key, "size": size }))
}

/// `GET /uploads/{key}`.
pub async fn get_one(
    State(st): State<Arc<AppState>>,
    key: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(key)) = key else {
        return error(StatusCode::NOT_FOUND, "Not found");
    };
    let stored = lock(&st.uploads)
        .by_key
        .get(&key)
        .and_then(|u| u.stored.clone());
    let Some((bytes, content_type)) = stored else {
        return error(StatusCode::NOT_FOUND, "Not found");
    };
    let ct = HeaderValue::from_str(&content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    (StatusCode::OK, [(header::CONTENT_TYPE, ct)], bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn sanitizes_names() {
        assert_eq!(sanitize("a b/c.png"), "a_b_c.png");
        assert_eq!(sanitize(""), "file");
        assert_eq!(sanitize(".."), "file");
        assert_eq!(sanitize("résumé.pdf"), "r_sum_.pdf");
    }
}
