//! `GET /api/community/communitygroups`: the boards, restricted to the member's business
//! (the query gets `CommunityGroup_Business`, and the answer keeps only that business's
//! boards).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::query;
use crate::claims::Member;
use crate::AppState;

const PATH: &str = "/api/community/communitygroups";

/// `GET /api/community/communitygroups`.
pub async fn list(
    State(st): State<Arc<AppState>>,
    Extension(member): Extension<Member>,
    RawQuery(raw): RawQuery,
) -> Response {
    let target = query::rewrite(
        PATH,
        raw.as_deref(),
        &["page", "size", "orderby", "dir"],
        &[("CommunityGroup_Business", member.business_id)],
    );
    match st.upstream.send(Method::GET, &target, None).await {
        Ok(answer) => {
            query::keep_records(answer, &[("BusinessId", member.business_id)]).into_response()
        }
        Err(e) => e.into_response(),
    }
}
