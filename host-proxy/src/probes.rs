//! The probes of a load balancer or orchestrator: `GET /healthz` (the process answers) and
//! `GET /readyz` (it can do its work: the file store is there, Redis answers when configured,
//! and the operator's credential gives a token). Each answers `{"status": ..., "checks": ...}`
//! with 200 or 503, and names only what failed, never a secret.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::{envelope, AppState};

/// `GET /healthz`: always 200 while the process serves.
pub async fn healthz() -> Response {
    envelope::json(StatusCode::OK, &json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when every dependency is usable, 503 naming those that are not.
pub async fn readyz(State(st): State<Arc<AppState>>) -> Response {
    let store = st.uploads.ready().await;
    let redis = match &st.redis {
        Some(redis) => Some(redis.ping().await),
        None => None,
    };
    let credential = st.upstream.credential_usable().await;
    let ready = store && redis.unwrap_or(true) && credential;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |ok: bool| if ok { "ok" } else { "failing" };
    envelope::json(
        status,
        &json!({
            "status": if ready { "ready" } else { "not ready" },
            "checks": {
                "store": word(store),
                "redis": redis.map_or("not configured", word),
                "credential": word(credential),
            },
        }),
    )
}
