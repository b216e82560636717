//! Where a member may post: the boards of their business, as Nexudus lists them to the
//! operator, and the portal's rule for each board's `GroupAccess`.
//!
//! The proxy posts with the operator's credential, which Nexudus lets post on any board, so
//! the portal's own rule is enforced here: a member may post on a public board (`GroupAccess`
//! 2) of their business, and on a restricted (1) or private (3) one only when their session's
//! `groups` claim names it. A board with a value the reference does not document is treated
//! like a private one (members only). A board that is not in the business's list (unknown,
//! another business's, deleted) is refused like a board the member may not post on, with the
//! same answer, so the refusal tells nothing about other businesses' boards.
//!
//! The list comes from `GET /api/community/communitygroups` as the operator, every page of
//! it, and is kept for a short time per business ([`BoardCache`]), so a flood of creates
//! does not list the boards once per create; concurrent misses of one business wait for one
//! listing. Failures are not kept. A board added or changed upstream is seen once the entry
//! expires (`--board-cache-seconds`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::time::Instant;

use crate::caller::{self, Caller};
use crate::claims::MemberGroups;
use crate::envelope;
use crate::upstream::Upstream;

/// `GroupAccess` of a public board.
pub const PUBLIC: i64 = 2;
/// The page size used to list the boards (the documented maximum).
const PAGE_SIZE: usize = 1000;
/// Pages read at most (a million boards); past it the listing is treated as broken.
const MAX_PAGES: usize = 1000;

const PATH: &str = "/api/community/communitygroups";

/// One board of a business, with its record as Nexudus answered it.
#[derive(Clone, Debug)]
pub struct Board {
    /// Its Id.
    pub id: u64,
    /// Its `GroupAccess`, if it is an integer.
    pub access: Option<i64>,
    /// The record.
    pub record: Value,
}

impl Board {
    /// Whether a member belonging to `groups` may post on this board.
    pub fn open_to(&self, groups: &MemberGroups) -> bool {
        self.access == Some(PUBLIC) || groups.contains(self.id)
    }
}

/// The boards of one business, in the order Nexudus listed them.
pub type Boards = Arc<Vec<Board>>;

type Slot = Arc<tokio::sync::Mutex<Option<(Instant, Boards)>>>;

/// The boards of each business, kept for `ttl` (in this process; several instances each
/// keep their own, which only shortens how long a change takes to be seen).
pub struct BoardCache {
    ttl: Duration,
    slots: Mutex<HashMap<u64, Slot>>,
}

impl BoardCache {
    /// An empty cache whose entries last `ttl`.
    pub fn new(ttl: Duration) -> BoardCache {
        BoardCache {
            ttl,
            slots: Mutex::default(),
        }
    }

    /// The boards of `business`, listed through `upstream` when not known or expired. The
    /// error is the answer to send (the upstream's own failure passes through).
    pub async fn boards(&self, upstream: &Upstream, business: u64) -> Result<Boards, Response> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots.entry(business).or_default().clone()
        };
        let mut entry = slot.lock().await;
        if let Some((at, boards)) = entry.as_ref() {
            if at.elapsed() < self.ttl {
                return Ok(boards.clone());
            }
        }
        // The listing serves every member of the business waiting on this entry, so it is
        // queued as nobody's ([`listing_queue`]): queued as the member whose request
        // started it, a member flooding their own queue would hold the others' list behind
        // their flood. It keeps that request's deadline.
        let deadline =
            caller::current().map_or_else(|| Instant::now() + upstream.timeout(), |c| c.deadline);
        let listing = Caller {
            member: listing_queue(business),
            deadline,
        };
        let boards = Arc::new(caller::scope(listing, list_all(upstream, business)).await?);
        *entry = Some((Instant::now(), boards.clone()));
        Ok(boards)
    }
}

/// The scheduler queue of `business`'s board listing: above every member id (at most
/// 2^53) and the operator's (0), so the listing takes turns of its own.
fn listing_queue(business: u64) -> u64 {
    (1 << 62) | business
}

/// Every board of `business`, page by page.
async fn list_all(upstream: &Upstream, business: u64) -> Result<Vec<Board>, Response> {
    let mut boards = Vec::new();
    for page in 1..=MAX_PAGES {
        let target =
            format!("{PATH}?CommunityGroup_Business={business}&page={page}&size={PAGE_SIZE}");
        let answer = upstream
            .send(Method::GET, &target, None)
            .await
            .map_err(IntoResponse::into_response)?;
        if answer.status != StatusCode::OK {
            return Err(answer.into_response());
        }
        let Some(list) = answer.json() else {
            tracing::warn!("the board list is not JSON");
            return Err(envelope::bad_gateway());
        };
        let Some(records) = list.get("Records").and_then(Value::as_array) else {
            tracing::warn!("the board list has no Records");
            return Err(envelope::bad_gateway());
        };
        let count = records.len();
        boards.extend(
            records
                .iter()
                .filter(|r| crate::routes::id_field(r, "BusinessId") == Some(business))
                .filter_map(|r| {
                    Some(Board {
                        id: crate::routes::id_field(r, "Id")?,
                        access: r.get("GroupAccess").and_then(Value::as_i64),
                        record: r.clone(),
                    })
                }),
        );
        let more = list
            .get("HasNextPage")
            .and_then(Value::as_bool)
            .unwrap_or(count >= PAGE_SIZE);
        if !more || count == 0 {
            return Ok(boards);
        }
    }
    tracing::warn!("the board list has more than {MAX_PAGES} pages");
    Err(envelope::bad_gateway())
}

/// The message of a refused board.
pub const REFUSED: &str = "You cannot post on this board.";

/// The board Id a create's `CommunityGroupId` names: an id in 1..=2^53, as a JSON number or
/// a string of digits; `None` for anything else.
pub fn board_id(value: &Value) -> Option<u64> {
    crate::claims::positive_id(value)
}

/// Whether a member belonging to `groups` may post on board `id` of `boards` (their
/// business's): a board that is not there (unknown, another business's) is refused like one
/// they may not post on.
pub fn may_post(boards: &[Board], groups: &MemberGroups, id: u64) -> bool {
    boards.iter().any(|b| b.id == id && b.open_to(groups))
}

/// The answer to a refused `CommunityGroupId` (`value` as sent): the 400 envelope on that
/// field, the same for every refused value, so it tells nothing about other businesses'
/// boards.
pub fn refusal(value: Value) -> Response {
    envelope::validation(&[envelope::FieldError::new(
        "CommunityGroupId",
        crate::routes::short(value),
        REFUSED,
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn board(id: u64, access: Option<i64>) -> Board {
        Board {
            id,
            access,
            record: json!({}),
        }
    }

    #[test]
    fn applies_the_portal_rule() {
        let boards = [
            board(1, Some(2)),
            board(3, Some(3)),
            board(4, Some(1)),
            board(5, Some(9)),
            board(6, None),
        ];
        let none = MemberGroups::default();
        let in_4 = MemberGroups(Arc::new([4, 5, 77].into()));
        assert!(may_post(&boards, &none, 1));
        assert!(may_post(&boards, &in_4, 1));
        assert!(may_post(&boards, &in_4, 4));
        assert!(may_post(&boards, &in_4, 5));
        for (id, g) in [
            (4, &none),
            (3, &none),
            (3, &in_4),
            (5, &none),
            (6, &none),
            (77, &in_4),
        ] {
            assert!(!may_post(&boards, g, id), "{id}");
        }
    }

    #[test]
    fn reads_only_ids_as_board_ids() {
        assert_eq!(board_id(&json!(4)), Some(4));
        assert_eq!(board_id(&json!("4")), Some(4));
        assert_eq!(board_id(&json!(1u64 << 53)), Some(1 << 53));
        for bad in [
            json!(0),
            json!(-4),
            json!(4.0),
            json!(4.5),
            json!(""),
            json!(" 4"),
            json!([4]),
            json!(true),
            json!((1u64 << 53) + 1),
            json!("9007199254740993"),
        ] {
            assert_eq!(board_id(&bad), None, "{bad}");
        }
    }
}
