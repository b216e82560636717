//! `GET /api/community/communitygroups` (role `CommunityGroup-List`): the boards to pick from.
//!
//! The list envelope with `page`, `size` (default 25, at most 1000), `orderBy` (`Id`, `Name`,
//! `GroupAccess`) and `dir`. Records: `Id`, `Name`, `Description`, `GroupAccess`
//! (1 Restricted, 2 Public, 3 Private), `BusinessId`.

use std::cmp::Ordering;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

use crate::auth::Caller;
use crate::envelope;
use crate::list::{self, ListQuery};
use crate::store::{self, Group};

/// `GET /api/community/communitygroups`.
pub async fn list(Extension(caller): Extension<Caller>, RawQuery(raw): RawQuery) -> Response {
    if let Err(denied) = caller.require("CommunityGroup-List") {
        return denied;
    }
    let q = ListQuery::parse(raw.as_deref());
    let (field, key): (&str, fn(&Group, &Group) -> Ordering) = match q
        .order_by
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("name") => ("Name", |a, b| {
            a.name.to_lowercase().cmp(&b.name.to_lowercase())
        }),
        Some("groupaccess") => ("GroupAccess", |a, b| a.group_access.cmp(&b.group_access)),
        _ => ("Id", |_, _| Ordering::Equal),
    };
    let env = list::page(store::groups(), &q, field, |a, b| {
        key(a, b).then(a.id.cmp(&b.id))
    });
    envelope::json(StatusCode::OK, &env)
}
