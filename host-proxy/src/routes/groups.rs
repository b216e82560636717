//! `GET /api/community/communitygroups`: the boards the member may post on, and only those.
//!
//! The answer is built from the business's board list ([`crate::boards`]), not forwarded: the
//! records are the upstream's, kept only when the member may post on the board (public, or
//! named in their `groups` claim), each marked `MemberCanPost: true` so the panel offers
//! restricted and private boards it could not judge on `GroupAccess` alone. Paging (`page`,
//! `size` ≤ 1000), order (`orderBy` Id, Name or GroupAccess; `dir`) and the envelope's counts
//! follow Nexudus's list and count only the kept boards, so `TotalItems` is what the member
//! can page through.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};

use crate::boards::Board;
use crate::claims::{Member, MemberGroups};
use crate::{envelope, AppState};

const DEFAULT_SIZE: usize = 25;
const MAX_SIZE: usize = 1000;

/// `GET /api/community/communitygroups`.
pub async fn list(
    State(st): State<Arc<AppState>>,
    Extension(member): Extension<Member>,
    Extension(groups): Extension<MemberGroups>,
    RawQuery(raw): RawQuery,
) -> Response {
    let boards = match st.boards.boards(&st.upstream, member.business_id).await {
        Ok(boards) => boards,
        Err(res) => return res,
    };
    let open: Vec<&Board> = boards.iter().filter(|b| b.open_to(&groups)).collect();
    envelope::json(StatusCode::OK, &page(open, raw.as_deref()))
}

/// One page of `boards` as Nexudus's list envelope, per the query's paging and order.
fn page(mut boards: Vec<&Board>, raw: Option<&str>) -> Value {
    let (mut page, mut size, mut order, mut descending): (usize, usize, &str, bool) =
        (1, DEFAULT_SIZE, "Id", false);
    for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "page" => page = value.parse().ok().filter(|n| *n >= 1).unwrap_or(1),
            "size" => {
                size = value
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .map_or(DEFAULT_SIZE, |n: usize| n.min(MAX_SIZE));
            }
            "orderby" => {
                order = match value.to_ascii_lowercase().as_str() {
                    "name" => "Name",
                    "groupaccess" => "GroupAccess",
                    _ => "Id",
                }
            }
            "dir" => {
                descending = matches!(
                    value.to_ascii_lowercase().as_str(),
                    "descending" | "desc" | "1"
                );
            }
            _ => {}
        }
    }
    let name = |b: &Board| {
        b.record
            .get("Name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase()
    };
    boards.sort_by(|a, b| {
        let by: Ordering = match order {
            "Name" => name(a).cmp(&name(b)),
            "GroupAccess" => a.access.cmp(&b.access),
            _ => Ordering::Equal,
        };
        let by = by.then(a.id.cmp(&b.id));
        if descending {
            by.reverse()
        } else {
            by
        }
    });
    let total = boards.len();
    let pages = total.div_ceil(size);
    let first = (page - 1).saturating_mul(size).min(total);
    let records: Vec<Value> = boards[first..(first + size).min(total)]
        .iter()
        .map(|b| {
            let mut record = b.record.clone();
            if let Some(fields) = record.as_object_mut() {
                fields.insert("MemberCanPost".into(), Value::Bool(true));
            }
            record
        })
        .collect();
    let shown = records.len();
    json!({
        "Records": records,
        "CurrentPage": page,
        "CurrentPageSize": size,
        "CurrentOrderField": order,
        "CurrentSortDirection": u8::from(descending),
        "FirstItem": if shown == 0 { 0 } else { first + 1 },
        "LastItem": first + shown,
        "TotalItems": total,
        "TotalPages": pages,
        "HasNextPage": page < pages,
        "HasPreviousPage": page > 1 && total > 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(id: u64, name: &str) -> Board {
        Board {
            id,
            access: Some(2),
            record: json!({"Id": id, "Name": name}),
        }
    }

    #[test]
    fn pages_and_orders_the_kept_boards() {
        let boards = [board(3, "b"), board(1, "C"), board(2, "a")];
        let refs = || boards.iter().collect::<Vec<_>>();
        let p = page(refs(), Some("size=2&page=2"));
        assert_eq!(
            p["Records"],
            json!([{"Id": 3, "Name": "b", "MemberCanPost": true}])
        );
        assert_eq!(
            (
                &p["TotalItems"],
                &p["TotalPages"],
                &p["FirstItem"],
                &p["LastItem"]
            ),
            (&json!(3), &json!(2), &json!(3), &json!(3))
        );
        assert_eq!(p["HasNextPage"], false);
        let p = page(refs(), Some("orderBy=name&dir=Descending"));
        let ids: Vec<_> = p["Records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Id"].clone())
            .collect();
        assert_eq!(ids, [json!(1), json!(3), json!(2)]);
        let p = page(refs(), Some("page=9&size=0"));
        assert_eq!(
            (p["Records"].as_array().unwrap().len(), &p["FirstItem"]),
            (0, &json!(0))
        );
        assert_eq!(p["CurrentPageSize"], 25);
    }
}
