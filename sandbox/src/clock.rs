//! The sandbox's clock for token lifetimes, which tests can move forward.
//!
//! Access tokens from `/api/token` expire (after `--access-token-lifetime`, default an hour)
//! and refresh tokens after 15 days [doc, nexudus-api.md "Authentication"]. Tests of expiry
//! must not sleep: they share a [`Clock`] with the sandbox (through [`crate::Config::clock`])
//! and [`Clock::advance`] it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::lock;

/// Real time plus an offset that only grows. Clones share the offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<Mutex<Duration>>,
}

impl Clock {
    /// A clock showing real time.
    pub fn new() -> Clock {
        Clock::default()
    }

    /// Now, as this clock shows it.
    pub fn now(&self) -> Instant {
        let offset = *lock(&self.offset);
        Instant::now() + offset
    }

    /// Moves this clock (and every clone) forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut offset = lock(&self.offset);
        *offset = offset.saturating_add(by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_offset() {
        let a = Clock::new();
        let b = a.clone();
        let before = b.now();
        a.advance(Duration::from_secs(3600));
        assert!(b.now() >= before + Duration::from_secs(3600));
    }
}
