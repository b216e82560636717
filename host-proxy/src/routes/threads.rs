//! `/api/community/communitythreads`: start a conversation as the member, look up the
//! member's own conversations, delete one of them.
//!
//! On create, `UserId` and `BusinessId` come from the verified session whatever the body
//! says (nobody posts as somebody else), and the other documented fields pass through as
//! sent: Nexudus checks their types (a `Private` that is not a boolean is its error on
//! `Private`). One check is the proxy's own: `Tags` (a comma-separated string) may have at most
//! 50 characters, counted in UTF-16 code units as a browser's `maxlength` counts them, the
//! limit of the portal's own form [seen, nexudus-api.md "Limits of the board's own form"],
//! which the API is not documented to enforce. Past it: the 400 envelope on `Tags`, and
//! nothing reaches Nexudus. The board must be one the member may post on ([`crate::boards`]),
//! and `InstantDelivery` and `Guests`, which the portal's form never offers members, are
//! refused unless the operator allows them (their neutral values, `false`, `[]` and `null`,
//! are dropped, so a client sending the defaults keeps working).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::Value;

use super::{body, query, MAX_JSON_BODY};
use crate::claims::{Member, MemberGroups};
use crate::envelope::{self, FieldError};
use crate::idempotency::UpstreamLost;
use crate::upstream::UpstreamError;
use crate::AppState;

const PATH: &str = "/api/community/communitythreads";

/// Longest `Tags`, in UTF-16 code units (the portal form's limit).
pub const MAX_TAGS: usize = 50;

/// The documented fields of a new conversation a member may set. `CoworkerId` names an
/// account, like `UserId`, so it is not among them.
const MEMBER_FIELDS: [&str; 7] = [
    "Subject",
    "Message",
    "CommunityGroupId",
    "Tags",
    "Private",
    "InstantDelivery",
    "Guests",
];

/// The list filters whose values are ids sent upstream.
const ID_FILTERS: [&str; 2] = [
    "communitythread_communitygroup",
    "communitythread_communitygroupid",
];

/// `POST /api/community/communitythreads`.
pub async fn create(
    State(st): State<Arc<AppState>>,
    Extension(member): Extension<Member>,
    Extension(groups): Extension<MemberGroups>,
    request_body: Body,
) -> Response {
    let map = match body::read_object(request_body, MAX_JSON_BODY, || {
        envelope::bad_request("The request body is too large.")
    })
    .await
    {
        Ok(map) => map,
        Err(res) => return res,
    };
    let mut fields = match body::allowed_fields(map, &MEMBER_FIELDS) {
        Ok(fields) => fields,
        Err(res) => return res,
    };
    if let Some(Value::String(tags)) = fields.get("Tags") {
        if tags.encode_utf16().count() > MAX_TAGS {
            return envelope::validation(&[FieldError::new(
                "Tags",
                body::short(Value::from(tags.as_str())),
                format!("cannot be longer than {MAX_TAGS} characters"),
            )]);
        }
    }
    if let Err(res) = beyond_the_form(&mut fields, &st.config) {
        return res;
    }
    if let Some(board) = fields.get("CommunityGroupId").filter(|v| !v.is_null()) {
        let board = board.clone();
        // A value that is no id is refused before the boards are listed.
        let Some(id) = crate::boards::board_id(&board) else {
            return crate::boards::refusal(board);
        };
        let boards = match st.boards.boards(&st.upstream, member.business_id).await {
            Ok(boards) => boards,
            Err(res) => return res,
        };
        if !crate::boards::may_post(&boards, &groups, id) {
            tracing::info!(
                member = member.user_id,
                "a board not open to the member refused"
            );
            return crate::boards::refusal(board);
        }
        fields.insert("CommunityGroupId".into(), Value::from(id));
    }
    fields.insert("BusinessId".into(), Value::from(member.business_id));
    fields.insert("UserId".into(), Value::from(member.user_id));
    let Ok(json) = serde_json::to_vec(&Value::Object(fields)) else {
        return envelope::internal("The request could not be prepared.");
    };
    if let Err(refused) = super::admit_write(&st, member.user_id).await {
        return refused;
    }
    forward(&st, Method::POST, PATH, Some(Bytes::from(json))).await
}

/// Drops `InstantDelivery` and `Guests` at their neutral values, and refuses them otherwise
/// unless `config` allows them.
fn beyond_the_form(
    fields: &mut serde_json::Map<String, Value>,
    config: &crate::Config,
) -> Result<(), Response> {
    for (name, allowed) in [
        ("InstantDelivery", config.allow_instant_delivery),
        ("Guests", config.allow_guests),
    ] {
        let Some(value) = fields.get(name) else {
            continue;
        };
        let neutral = match value {
            Value::Null | Value::Bool(false) => true,
            Value::Array(items) => items.is_empty(),
            _ => false,
        };
        if neutral && !allowed {
            fields.remove(name);
        } else if !allowed {
            return Err(envelope::validation(&[FieldError::new(
                name,
                body::short(value.clone()),
                "cannot be set by members here",
            )]));
        }
    }
    Ok(())
}

/// `GET /api/community/communitythreads`: only the member's own conversations in their
/// business (the panel's lookup after a lost answer).
pub async fn list(
    State(st): State<Arc<AppState>>,
    Extension(member): Extension<Member>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(refused) = query::ids_within_range(raw.as_deref(), &ID_FILTERS) {
        return refused;
    }
    let target = query::rewrite(
        PATH,
        raw.as_deref(),
        &[
            "communitythread_subject",
            "communitythread_communitygroup",
            "communitythread_communitygroupid",
            "orderby",
            "dir",
            "page",
            "size",
        ],
        &[
            ("CommunityThread_User", member.user_id),
            ("CommunityThread_Business", member.business_id),
        ],
    );
    match st.upstream.send(Method::GET, &target, None).await {
        Ok(answer) => query::keep_records(
            answer,
            &[
                ("UserId", member.user_id),
                ("BusinessId", member.business_id),
            ],
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}

pub use crate::claims::parse_id;

/// Sends to the upstream and passes its answer through. A write whose connection was lost or
/// timed out is marked [`UpstreamLost`]: Nexudus may have acted on it.
pub async fn forward(st: &AppState, method: Method, path: &str, body: Option<Bytes>) -> Response {
    match st.upstream.send(method, path, body).await {
        Ok(answer) => answer.into_response(),
        Err(e) => {
            let lost = matches!(e, UpstreamError::Unreachable | UpstreamError::Timeout);
            let mut res = e.into_response();
            if lost {
                res.extensions_mut().insert(UpstreamLost);
            }
            res
        }
    }
}
