//! The gate in front of every member route: the request's `Authorization: Bearer <jwt>` must
//! be a current member session signed with `MEMBER_JWT_SECRET`, or the answer is 401 and
//! nothing reaches Nexudus. The verified [`Member`] is handed to the handler (and to the
//! request log); the JWT itself goes no further.
//!
//! Also here: the one log line per request (member id, route template, status, duration),
//! which never holds a header, a query, a body or a path parameter.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use crate::caller::{self, Caller};
use crate::claims::Member;
use crate::{envelope, AppState};

/// Middleware: verifies the member session and inserts the [`Member`].
pub async fn require_member(
    State(st): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    // Of two Authorization headers, which one a proxy or cache in front of this one read is
    // anyone's guess: refuse rather than pick.
    if req.headers().get_all(header::AUTHORIZATION).iter().count() > 1 {
        tracing::info!("request with more than one Authorization header refused");
        return envelope::bad_request("The request has more than one Authorization header.");
    }
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        tracing::info!("request without a member session refused");
        return envelope::unauthorized();
    };
    let (member, groups) = match st.verifier.verify_session(token) {
        Ok(session) => session,
        Err(refusal) => {
            tracing::info!(reason = ?refusal, "member session refused");
            return envelope::unauthorized();
        }
    };
    req.extensions_mut().insert(member);
    req.extensions_mut().insert(groups);
    let caller = Caller {
        member: member.user_id,
        deadline: tokio::time::Instant::now() + st.config.upstream_timeout,
    };
    let mut res = caller::scope(caller, next.run(req)).await;
    res.extensions_mut().insert(member);
    res
}

/// Middleware: one log line per request.
pub async fn log_request(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if !st.config.log_requests {
        return next.run(req).await;
    }
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_string(), |p| p.as_str().to_string());
    let res = next.run(req).await;
    let member = res.extensions().get::<Member>().map(|m| m.user_id);
    tracing::info!(
        member = %member.map_or_else(|| "-".to_string(), |id| id.to_string()),
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    res
}
