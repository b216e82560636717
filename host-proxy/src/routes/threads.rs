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
//! nothing reaches Nexudus.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::Value;

use super::{body, query, MAX_JSON_BODY};
use crate::claims::{positive_id, Member};
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
    // An id sent upstream is within 1..=2^53 (a larger one would be rounded by JavaScript
    // readers, and no Nexudus id is that large); a value of another type is Nexudus's to
    // refuse, as before.
    if let Some(group) = fields.get("CommunityGroupId") {
        let numeric = match group {
            Value::Number(_) => true,
            Value::String(s) => {
                !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit())
            }
            _ => false,
        };
        let valid = match group {
            Value::String(s) => parse_id(s.trim()).is_some(),
            other => positive_id(other).is_some(),
        };
        if numeric && !valid {
            return envelope::validation(&[FieldError::new(
                "CommunityGroupId",
                body::short(group.clone()),
                "is not a valid id",
            )]);
        }
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
