//! `POST /api/token`: OAuth-style sign-in for API users [doc, nexudus-api.md "Authentication"].
//!
//! The body is form-encoded (`Content-Type: application/x-www-form-urlencoded`):
//!
//! - `grant_type=password&username=...&password=...` (optional `client_id`): a new pair;
//! - `grant_type=refresh_token&refresh_token=...`: a new pair; the refresh token rotates (the
//!   old one then gives `invalid_grant`), and one issued with a `client_id` needs the same
//!   `client_id` again.
//!
//! `client_id` is read from the form, or else from a `client_id` header (the reference speaks
//! of "the same `client_id` header as at sign-in").
//!
//! | case | answer |
//! | --- | --- |
//! | granted | 200 `{"access_token","token_type":"bearer","expires_in":<seconds>,"refresh_token"}` |
//! | bad user name or password; unknown, expired or used refresh token; other `client_id` | 400 `{"error":"invalid_grant","error_description":...}` |
//! | not form-encoded (JSON...), `grant_type` missing or unknown | 400 `{"error":"unsupported_grant_type","error_description":...}` |
//! | a body over 16 KB | 400 `{"error":"invalid_request","error_description":...}` |
//!
//! Every answer has `Cache-Control: no-store` (RFC 6749 §5.1). No description ever contains
//! what was sent (a password, a token). The endpoint is not throttled: the documented limits
//! are per API token, and a sign-in has none. CORS is the sandbox's one layer: only the
//! `--cors-origin`s (or, without any, loopback origins) get CORS headers.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use crate::body::{read_limited, ReadError};
use crate::sessions::{Pair, Refused};
use crate::{lock, AppState};

/// Largest form body.
const MAX_FORM_BYTES: u64 = 16 * 1024;

/// The granted answer, fields in OAuth's order.
#[derive(Serialize)]
struct Granted<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_in: u64,
    refresh_token: &'a str,
}

fn no_store(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

fn oauth_error(error: &str, description: &str) -> Response {
    no_store(crate::envelope::json(
        StatusCode::BAD_REQUEST,
        &json!({ "error": error, "error_description": description }),
    ))
}

fn granted(pair: &Pair) -> Response {
    no_store(crate::envelope::json(
        StatusCode::OK,
        &Granted {
            access_token: &pair.access_token,
            token_type: "bearer",
            expires_in: pair.expires_in.as_secs(),
            refresh_token: &pair.refresh_token,
        },
    ))
}

fn refused(why: Refused) -> Response {
    let description = match why {
        Refused::BadCredentials => "The user name or password is incorrect.",
        Refused::BadRefreshToken => "The refresh token is invalid, expired or already used.",
        Refused::ClientMismatch => "The client_id is not the one the refresh token was issued to.",
    };
    oauth_error("invalid_grant", description)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// `POST /api/token`.
pub async fn create(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let unsupported = || {
        oauth_error(
            "unsupported_grant_type",
            "Send a form-encoded body (Content-Type: application/x-www-form-urlencoded) whose grant_type is password or refresh_token.",
        )
    };
    if !is_form(req.headers()) {
        return unsupported();
    }
    let header_client_id = req
        .headers()
        .get("client_id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = match read_limited(req.into_body(), MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(ReadError::TooLarge) => {
            return oauth_error("invalid_request", "The request body is too large.")
        }
        Err(_) => return oauth_error("invalid_request", "The request body could not be read."),
    };
    let field = |name: &str| {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let client_id = field("client_id")
        .or(header_client_id)
        .filter(|c| !c.is_empty());
    let now = st.config.clock.now();
    let outcome = match field("grant_type").as_deref() {
        Some("password") => {
            let username = field("username").unwrap_or_default();
            let password = field("password").unwrap_or_default();
            lock(&st.sessions).sign_in(&username, &password, client_id, now)
        }
        Some("refresh_token") => {
            let token = field("refresh_token").unwrap_or_default();
            lock(&st.sessions).refresh(&token, client_id, now)
        }
        _ => return unsupported(),
    };
    match outcome {
        Ok(pair) => granted(&pair),
        Err(why) => refused(why),
    }
}
