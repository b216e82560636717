//! The documented rate limits, per API token.
//!
//! | requests | limits |
//! | --- | --- |
//! | POST, PUT, DELETE | 60 per minute, 5,000 per day |
//! | all | 1 per 100 ms, 120 per minute, 5,000 per hour, 200,000 per day |
//!
//! Past a limit the answer is **HTTP 409** (Nexudus's legacy choice over 429) with
//! `Retry-After: 1` and an empty body. Windows slide; a refused request is not counted, so a
//! client that waits as told gets through. Only authenticated `/api` requests are counted;
//! `/_sandbox/` and `/uploads` are never throttled.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Limits; [`Default`] = the documented values.
#[derive(Clone, Debug)]
pub struct ThrottleConfig {
    /// Throttling on (default) or off (`--no-throttle`).
    pub enabled: bool,
    /// Writes (POST, PUT, DELETE) per minute (60).
    pub writes_per_minute: u32,
    /// Writes per day (5,000).
    pub writes_per_day: u32,
    /// Requests per minute (120).
    pub requests_per_minute: u32,
    /// Requests per hour (5,000).
    pub requests_per_hour: u32,
    /// Requests per day (200,000).
    pub requests_per_day: u32,
    /// Least time between two requests of one token (100 ms).
    pub min_spacing: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            enabled: true,
            writes_per_minute: 60,
            writes_per_day: 5_000,
            requests_per_minute: 120,
            requests_per_hour: 5_000,
            requests_per_day: 200_000,
            min_spacing: Duration::from_millis(100),
        }
    }
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

#[derive(Default)]
struct Usage {
    last: Option<Instant>,
    /// Admitted requests of the last day, oldest first.
    all: VecDeque<Instant>,
    /// Admitted writes of the last day, oldest first.
    writes: VecDeque<Instant>,
}

/// Counts in `times` (sorted) the instants within `window` before `now`.
fn count_since(times: &VecDeque<Instant>, now: Instant, window: Duration) -> usize {
    match now.checked_sub(window) {
        Some(start) => times.len() - times.partition_point(|t| *t <= start),
        None => times.len(),
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    if let Some(start) = now.checked_sub(DAY) {
        while times.front().is_some_and(|t| *t <= start) {
            times.pop_front();
        }
    }
}

/// Per-token usage.
pub struct Throttle {
    config: ThrottleConfig,
    usage: HashMap<String, Usage>,
}

impl Throttle {
    /// A throttle with no usage yet.
    pub fn new(config: ThrottleConfig) -> Throttle {
        Throttle {
            config,
            usage: HashMap::new(),
        }
    }

    /// Forgets all usage (used by `/_sandbox/reset`).
    pub fn clear(&mut self) {
        self.usage.clear();
    }

    /// Whether a request of `key` at `now` is within the limits; if so it is counted.
    pub fn admit(&mut self, key: &str, is_write: bool, now: Instant) -> bool {
        let c = &self.config;
        if !c.enabled {
            return true;
        }
        let u = self.usage.entry(key.to_string()).or_default();
        prune(&mut u.all, now);
        prune(&mut u.writes, now);
        let too_soon = u
            .last
            .is_some_and(|last| now.saturating_duration_since(last) < c.min_spacing);
        let over = |times: &VecDeque<Instant>, window, limit: u32| {
            count_since(times, now, window) >= limit as usize
        };
        let refused = too_soon
            || over(&u.all, MINUTE, c.requests_per_minute)
            || over(&u.all, HOUR, c.requests_per_hour)
            || over(&u.all, DAY, c.requests_per_day)
            || (is_write
                && (over(&u.writes, MINUTE, c.writes_per_minute)
                    || over(&u.writes, DAY, c.writes_per_day)));
        if refused {
            return false;
        }
        u.last = Some(now);
        u.all.push_back(now);
        if is_write {
            u.writes.push_back(now);
        }
        true
    }
}

/// The throttled answer: 409, `Retry-After: 1`, empty body.
pub fn throttled() -> Response {
    let mut res = StatusCode::CONFLICT.into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ThrottleConfig {
        ThrottleConfig {
            writes_per_minute: 2,
            requests_per_minute: 3,
            min_spacing: Duration::from_millis(100),
            ..ThrottleConfig::default()
        }
    }

    #[test]
    fn spacing_and_minute_limits() {
        let mut t = Throttle::new(config());
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        assert!(t.admit("a", true, ms(0)));
        assert!(!t.admit("a", false, ms(50)), "closer than 100 ms");
        assert!(t.admit("b", false, ms(50)), "other tokens are separate");
        assert!(t.admit("a", true, ms(150)));
        assert!(!t.admit("a", true, ms(300)), "third write in a minute");
        assert!(t.admit("a", false, ms(300)), "a read is still allowed");
        assert!(!t.admit("a", false, ms(500)), "fourth request in a minute");
        assert!(t.admit("a", true, ms(60_001)), "the window slid");
    }

    #[test]
    fn disabled_admits_everything() {
        let mut t = Throttle::new(ThrottleConfig {
            enabled: false,
            ..config()
        });
        let now = Instant::now();
        assert!((0..100).all(|_| t.admit("a", true, now)));
    }
}
