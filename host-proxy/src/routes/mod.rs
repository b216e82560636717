//! The routes, on the same paths as Nexudus so the panel's `baseUrl` simply points here.
//!
//! | route | what the proxy does |
//! | --- | --- |
//! | `GET /api/community/communitygroups` | the boards of the member's business they may post on, marked `MemberCanPost` |
//! | `GET /api/community/communitythreads` | forwarded, forced to the member's own threads |
//! | `POST /api/community/communitythreads` | `UserId`/`BusinessId` set from the session; only on a board the member may post on; `Tags` within the portal form's 50 characters; `InstantDelivery`/`Guests` only when allowed |
//! | `POST /api/community/communitythreadfiles` | only onto the member's own thread, only with a file of this proxy, at most `--max-files-per-thread` per thread |
//! | `DELETE /api/community/communitythreads/{id}`, `.../communitythreadfiles/{id}` | the member's own only |
//! | `POST /uploads`, `PUT /uploads/{id}`, `GET /files/{key}/{name}` | the file store |
//! | `GET /healthz`, `GET /readyz` | the probes (see `probes`) |
//! | `GET /metrics` | Prometheus text (see [`crate::metrics`]) |
//! | anything else | 404 `"Not found"` |
//!
//! Every write may carry an `Idempotency-Key` (see [`crate::idempotency`]).
//!
//! Upstream answers pass through unchanged (status, body, `Content-Type`, `Retry-After`),
//! except that successful lists lose the records that are not the member's.

mod body;
mod delete;
mod file_limit;
mod files;
mod groups;
mod ownership;
mod query;
mod threads;
mod uploads;

use std::sync::Arc;

use axum::routing::{delete, get, post, put};
use axum::Router;

use crate::{auth, envelope, AppState};

pub(crate) use body::short;
pub(crate) use file_limit::ThreadTurns;
pub(crate) use query::id_field;

/// The largest JSON body of a forwarded write. Conversations are text; a file is attached by
/// URL, never inline.
pub(crate) const MAX_JSON_BODY: usize = 1024 * 1024;

/// Counts a write of `member` against its limit: the 429 past it, the 503 when the shared
/// store cannot be reached (writes fail closed).
pub(crate) async fn admit_write(
    st: &AppState,
    member: u64,
) -> Result<(), axum::response::Response> {
    match st.limit.admit(member).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(wait)) => Err(envelope::too_many_writes(wait)),
        Err(crate::shared::Unavailable) => Err(envelope::store_unavailable()),
    }
}

/// Builds every route.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let member = Router::new()
        .route("/api/community/communitygroups", get(groups::list))
        .route(
            "/api/community/communitythreads",
            get(threads::list).post(threads::create),
        )
        .route(
            "/api/community/communitythreads/{id}",
            delete(delete::thread),
        )
        .route("/api/community/communitythreadfiles", post(files::create))
        .route(
            "/api/community/communitythreadfiles/{id}",
            delete(delete::file),
        )
        .route("/uploads", post(uploads::create))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::idempotency::guard,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_member,
        ));
    // The upload URL and the file key are the capabilities here: no session.
    let open = Router::new()
        .route("/uploads/{id}", put(uploads::put))
        .route("/files/{key}/{name}", get(uploads::get_file))
        .route("/healthz", get(crate::probes::healthz))
        .route("/readyz", get(crate::probes::readyz))
        .route("/metrics", get(crate::metrics::serve));
    Router::new()
        .merge(member)
        .merge(open)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::log_request,
        ))
        .fallback(|| async { envelope::not_found() })
        .method_not_allowed_fallback(|| async { envelope::not_found() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::count,
        ))
        .with_state(state)
}
