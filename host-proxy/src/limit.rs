//! The per-member write limit.
//!
//! Nexudus allows 60 writes a minute for the whole account, and every member's writes go out
//! with the operator's one credential, so one member could use up everyone's allowance. Each
//! member (by `sub`) may therefore make at most N writes in any sliding minute (forwarded
//! `POST`/`DELETE` calls and upload requests); past that the answer is 429 with
//! `Retry-After`, before anything reaches Nexudus. A refused write is not counted.
//!
//! [`WriteLimit`] keeps the counters in this process; several instances behind a load
//! balancer share them in Redis instead ([`crate::shared::limit`]), so the limit stays per
//! member rather than per instance. [`WriteLimits`] is the seam.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use crate::shared::Unavailable;

/// The window of the limit.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Counts each member's writes; each call is atomic with respect to every other, on every
/// instance sharing the counters.
pub trait WriteLimits: Send + Sync {
    /// Counts a write of `member` now, or says how many whole seconds to wait (`Ok(Err(_))`).
    fn admit(&self, member: u64) -> BoxFuture<'_, Result<Result<(), u64>, Unavailable>>;
    /// Forgets idle counters kept in this process (a shared store expires its own).
    fn prune(&self, now: Instant);
}

impl WriteLimits for WriteLimit {
    fn admit(&self, member: u64) -> BoxFuture<'_, Result<Result<(), u64>, Unavailable>> {
        Box::pin(std::future::ready(Ok(WriteLimit::admit(
            self,
            member,
            Instant::now(),
        ))))
    }

    fn prune(&self, now: Instant) {
        WriteLimit::prune(self, now);
    }
}

/// Seconds to wait, rounded up, at least 1.
pub(crate) fn whole_seconds(wait: Duration) -> u64 {
    wait.as_millis().div_ceil(1000).max(1) as u64
}

/// Sliding-window counters of writes per member.
pub struct WriteLimit {
    per_minute: u32,
    writes: Mutex<HashMap<u64, VecDeque<Instant>>>,
}

impl WriteLimit {
    /// At most `per_minute` writes per member (0: no limit).
    pub fn new(per_minute: u32) -> WriteLimit {
        WriteLimit {
            per_minute,
            writes: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a write of `member` at `now`, or says how many whole seconds to wait.
    pub fn admit(&self, member: u64, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut all = self
            .writes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let times = all.entry(member).or_default();
        while times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() < self.per_minute as usize {
            times.push_back(now);
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        let wait = WINDOW.saturating_sub(now.saturating_duration_since(oldest));
        Err(whole_seconds(wait))
    }

    /// Forgets members with no write in the last window (run from the clean-up task, so the
    /// map does not grow with every member ever seen).
    pub fn prune(&self, now: Instant) {
        let mut all = self
            .writes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        all.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.saturating_duration_since(*t) < WINDOW)
        });
    }

    /// How many members have counters (for tests).
    pub fn tracked(&self) -> usize {
        self.writes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_member_separately() {
        let limit = WriteLimit::new(2);
        let t0 = Instant::now();
        assert_eq!(limit.admit(10, t0), Ok(()));
        assert_eq!(limit.admit(10, t0 + Duration::from_secs(10)), Ok(()));
        assert_eq!(limit.admit(10, t0 + Duration::from_secs(20)), Err(40));
        assert_eq!(limit.admit(11, t0 + Duration::from_secs(20)), Ok(()));
        assert_eq!(limit.admit(10, t0 + Duration::from_millis(59_500)), Err(1));
        assert_eq!(limit.admit(10, t0 + Duration::from_secs(60)), Ok(()));
        limit.prune(t0 + Duration::from_secs(85));
        assert_eq!(limit.tracked(), 1);
        limit.prune(t0 + Duration::from_secs(200));
        assert_eq!(limit.tracked(), 0);
        assert_eq!(WriteLimit::new(0).admit(1, t0), Ok(()));
    }
}
