//! `/_sandbox/...`: endpoints for tests and the demo (not part of the Nexudus API; never
//! throttled, no auth, camelCase JSON).
//!
//! - `GET /_sandbox/health` → 200 `{"status":"ok", ...}` with the seeded business and users.
//! - `GET /_sandbox/created` → `{"threads":[...],"files":[...]}`: every thread and file
//!   created since start or reset, as created, each with `"Deleted"` telling whether it has
//!   been deleted since; so a test can assert that no conversation was created twice.
//! - `POST /_sandbox/reset` → back to the seed state; also clears faults, throttle counters
//!   and uploads (and saves the state file, if any). Tokens issued by `/api/token` stay valid:
//!   reset restores records, not sign-ins.
//! - `GET|POST|DELETE /_sandbox/faults` → list, add, clear faults (see the `faults` module);
//!   404 unless started with `--enable-faults`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::envelope::{json, not_found};
use crate::faults::FaultSpec;
use crate::store::{self, Store};
use crate::{files, lock, threads, AppState};

/// `GET /_sandbox/health`.
pub async fn health() -> Response {
    let users: Vec<_> = store::USERS
        .iter()
        .map(|u| json!({ "Id": u.id, "FullName": u.name, "Email": u.email }))
        .collect();
    json(
        StatusCode::OK,
        &json!({
            "status": "ok",
            "business": { "Id": store::BUSINESS_ID, "Name": store::BUSINESS_NAME },
            "users": users,
        }),
    )
}

/// `GET /_sandbox/memberships?user=N`: the boards seeded user N belongs to
/// (`{"groups": [4]}`), for a stand-in login that puts them in a member's session.
pub async fn memberships(axum::extract::RawQuery(raw): axum::extract::RawQuery) -> Response {
    let user = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "user")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let groups = user.map(crate::store::groups_of).unwrap_or_default();
    json(StatusCode::OK, &json!({ "groups": groups }))
}

/// `GET /_sandbox/created`.
pub async fn created(State(st): State<Arc<AppState>>) -> Response {
    let s = lock(&st.store);
    let threads: Vec<_> = s
        .created_threads
        .iter()
        .map(|t| threads::created_entry(t, !s.threads.contains_key(&t.id)))
        .collect();
    let files: Vec<_> = s
        .created_files
        .iter()
        .map(|f| files::created_entry(f, !s.files.contains_key(&f.id)))
        .collect();
    drop(s);
    json(
        StatusCode::OK,
        &json!({ "threads": threads, "files": files }),
    )
}

/// `POST /_sandbox/reset`.
pub async fn reset(State(st): State<Arc<AppState>>) -> Response {
    *lock(&st.store) = Store::seed();
    lock(&st.faults).clear();
    lock(&st.throttle).clear();
    lock(&st.uploads).clear();
    st.persist().await;
    json(StatusCode::OK, &json!({ "reset": true }))
}

/// `GET /_sandbox/faults`.
pub async fn list_faults(State(st): State<Arc<AppState>>) -> Response {
    if !st.config.enable_faults {
        return not_found();
    }
    let pending = lock(&st.faults).list();
    json(StatusCode::OK, &json!({ "faults": pending }))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<FaultSpec>),
    One(Box<FaultSpec>),
}

/// `POST /_sandbox/faults`.
pub async fn add_faults(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    if !st.config.enable_faults {
        return not_found();
    }
    let bad = |message: String| json(StatusCode::BAD_REQUEST, &json!({ "error": message }));
    let specs = match serde_json::from_slice::<OneOrMany>(&body) {
        Ok(OneOrMany::Many(v)) => v,
        Ok(OneOrMany::One(f)) => vec![*f],
        Err(_) => {
            // Parse again as a single fault for a precise message.
            let why = serde_json::from_slice::<FaultSpec>(&body)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "expected a fault object or an array of them".into());
            return bad(format!("invalid fault: {why}"));
        }
    };
    if let Some(e) = specs.iter().find_map(|f| f.validate().err()) {
        return bad(format!("invalid fault: {e}"));
    }
    let added = specs.len();
    lock(&st.faults).add(specs);
    let pending = lock(&st.faults).list();
    json(
        StatusCode::OK,
        &json!({ "added": added, "faults": pending }),
    )
}

/// `DELETE /_sandbox/faults`.
pub async fn clear_faults(State(st): State<Arc<AppState>>) -> Response {
    if !st.config.enable_faults {
        return not_found();
    }
    let cleared = lock(&st.faults).clear();
    json(StatusCode::OK, &json!({ "cleared": cleared }))
}
