//! The per-member storage quota: the bytes a member may have issued upload URLs for in any
//! sliding 24 hours (`--member-storage-bytes-per-day`, default 200 MB).
//!
//! A file is counted at `POST /uploads` by its declared size, which the `PUT` cannot exceed:
//! so a refusal comes before any byte is sent, and lands on the attachment (the 400 envelope
//! on `NewFileDataUrl`, where the panel shows it) while the member can still pick a smaller
//! file. The count is released when the upload URL is never used (it expires) or its `PUT`
//! fails, so only files actually stored (or still uploading) use the quota.
//!
//! [`InProcessQuota`] keeps the counters in this process; several instances share them in
//! Redis instead ([`crate::shared::quota`], which also counts the store's total for all of
//! them). [`StorageQuota`] is the seam.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::shared::Unavailable;

/// The window of the quota.
pub const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// A reservation of bytes against a member's quota, to release if the file is never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// The member.
    pub member: u64,
    /// Its id among that member's reservations.
    pub id: u64,
    /// The bytes reserved.
    #[serde(default)]
    pub bytes: u64,
}

/// Why no bytes were reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The member's quota would be exceeded.
    OverQuota(OverQuota),
    /// The store as a whole would pass `--max-store-bytes` (counted by a shared store; the
    /// in-process store counts its own files).
    StoreFull,
    /// The shared store could not be reached.
    Unavailable,
}

impl From<Unavailable> for Refused {
    fn from(_: Unavailable) -> Refused {
        Refused::Unavailable
    }
}

/// The member's quota would be exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverQuota {
    /// How long until enough of the window has passed for this file (`None`: the file alone
    /// is larger than the quota).
    pub wait: Option<Duration>,
}

/// Counts the bytes each member stores over a sliding 24 hours; each call is atomic with
/// respect to every other, on every instance sharing the counts.
pub trait StorageQuota: Send + Sync {
    /// Counts `bytes` for `member` now (held in the store's total for `hold`), or refuses.
    fn reserve(
        &self,
        member: u64,
        bytes: u64,
        hold: Duration,
    ) -> BoxFuture<'_, Result<Reservation, Refused>>;
    /// The reservation's file was stored: it stays in the store's total for `keep`.
    fn keep(&self, reservation: Reservation, keep: Duration) -> BoxFuture<'_, ()>;
    /// Gives back a reservation whose file was never stored.
    fn release(&self, reservation: Reservation) -> BoxFuture<'_, ()>;
    /// Forgets counts kept in this process that are older than the window.
    fn prune(&self, now: Instant);
}

impl StorageQuota for InProcessQuota {
    fn reserve(
        &self,
        member: u64,
        bytes: u64,
        _hold: Duration,
    ) -> BoxFuture<'_, Result<Reservation, Refused>> {
        let result = self
            .reserve_at(member, bytes, Instant::now())
            .map_err(Refused::OverQuota);
        Box::pin(std::future::ready(result))
    }

    fn keep(&self, _reservation: Reservation, _keep: Duration) -> BoxFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }

    fn release(&self, reservation: Reservation) -> BoxFuture<'_, ()> {
        self.release_now(reservation);
        Box::pin(std::future::ready(()))
    }

    fn prune(&self, now: Instant) {
        self.prune_at(now);
    }
}

/// One member's counts in the window: when, the reservation's id, how many bytes.
type Counts = VecDeque<(Instant, u64, u64)>;

/// [`StorageQuota`] in this process.
pub struct InProcessQuota {
    per_day: u64,
    next_id: Mutex<u64>,
    counts: Mutex<HashMap<u64, Counts>>,
}

impl InProcessQuota {
    /// At most `per_day` bytes per member in any 24 hours (0: no limit).
    pub fn new(per_day: u64) -> InProcessQuota {
        InProcessQuota {
            per_day,
            next_id: Mutex::new(0),
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Counts>> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl InProcessQuota {
    /// Counts `bytes` for `member` at `now`, or refuses when it would pass the quota.
    pub fn reserve_at(
        &self,
        member: u64,
        bytes: u64,
        now: Instant,
    ) -> Result<Reservation, OverQuota> {
        let id = {
            let mut next = self
                .next_id
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            *next += 1;
            *next
        };
        if self.per_day == 0 {
            return Ok(Reservation { member, id, bytes });
        }
        if bytes > self.per_day {
            return Err(OverQuota { wait: None });
        }
        let mut counts = self.counts();
        let entries = counts.entry(member).or_default();
        entries.retain(|(at, _, _)| now.saturating_duration_since(*at) < WINDOW);
        let used: u64 = entries.iter().map(|(_, _, b)| *b).sum();
        if used.saturating_add(bytes) <= self.per_day {
            entries.push_back((now, id, bytes));
            return Ok(Reservation { member, id, bytes });
        }
        // The oldest counts leave the window first: wait until enough of them have.
        let mut freed = 0u64;
        let mut wait = WINDOW;
        for (at, _, b) in entries.iter() {
            freed += b;
            if used - freed + bytes <= self.per_day {
                wait = WINDOW.saturating_sub(now.saturating_duration_since(*at));
                break;
            }
        }
        Err(OverQuota { wait: Some(wait) })
    }

    /// Gives back a reservation whose file was never stored.
    pub fn release_now(&self, reservation: Reservation) {
        let mut counts = self.counts();
        if let Some(entries) = counts.get_mut(&reservation.member) {
            entries.retain(|(_, id, _)| *id != reservation.id);
            if entries.is_empty() {
                counts.remove(&reservation.member);
            }
        }
    }

    /// Forgets counts older than the window.
    pub fn prune_at(&self, now: Instant) {
        self.counts().retain(|_, entries| {
            entries.retain(|(at, _, _)| now.saturating_duration_since(*at) < WINDOW);
            !entries.is_empty()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_sliding_day_per_member() {
        let q = InProcessQuota::new(1000);
        let t0 = Instant::now();
        let a = q.reserve_at(1, 600, t0).unwrap();
        q.reserve_at(1, 300, t0 + Duration::from_secs(3600))
            .unwrap();
        let refused = q
            .reserve_at(1, 200, t0 + Duration::from_secs(7200))
            .unwrap_err();
        assert_eq!(refused.wait, Some(Duration::from_secs(22 * 3600)));
        assert!(q.reserve_at(2, 1000, t0).is_ok(), "another member");
        assert_eq!(q.reserve_at(1, 1001, t0).unwrap_err().wait, None);
        q.release_now(a);
        assert!(q.reserve_at(1, 200, t0 + Duration::from_secs(7200)).is_ok());
        assert!(q
            .reserve_at(1, 600, t0 + WINDOW + Duration::from_secs(3600))
            .is_ok());
        q.prune_at(t0 + 3 * WINDOW);
        assert!(q.counts().is_empty());
        assert!(InProcessQuota::new(0).reserve_at(1, u64::MAX, t0).is_ok());
    }
}
