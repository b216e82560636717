//! The documented rate limits, per API token.
//!
//! | requests | limits |
//! | --- | --- |
//! | POST, PUT, DELETE | 60 per minute, 5,000 per day |
//! | all | 1 per 100 ms, 120 per minute, 5,000 per hour, 200,000 per day |
//!
//! Past a limit the answer is, by default, **HTTP 409** (Nexudus's legacy choice over 429) with
//! `Retry-After: 1` and an empty body [doc, nexudus-api.md "Rate limits"]. With
//! `--throttle-status 429` it is the other shape seen in the wild [seen, "Failures seen in the
//! wild"]: **HTTP 429**, no `Retry-After`, and the wait only in the body's text:
//! `{"Message":"You have made too many requests. Wait N seconds and try again."}`, N being the
//! whole seconds until the request would be admitted (at least 1).
//!
//! Windows slide; a refused request is not counted, so a client that waits as told gets
//! through. Only authenticated `/api` requests are counted; `/_sandbox/`, `/uploads` and
//! `/api/token` are never throttled.

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
    /// How a refusal is answered (409 by default).
    pub status: ThrottleStatus,
}

/// The two shapes of a throttled answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThrottleStatus {
    /// 409, `Retry-After: 1`, empty body (the documented shape).
    #[default]
    Conflict,
    /// 429, no `Retry-After`, `{"Message":"... Wait N seconds and try again."}`.
    TooManyRequests,
}

impl ThrottleStatus {
    /// Parses `409` or `429` (the `--throttle-status` values).
    pub fn parse(s: &str) -> Result<ThrottleStatus, String> {
        match s.trim() {
            "409" => Ok(ThrottleStatus::Conflict),
            "429" => Ok(ThrottleStatus::TooManyRequests),
            other => Err(format!("expected 409 or 429, got {other:?}")),
        }
    }
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
            status: ThrottleStatus::Conflict,
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

/// If `times` (sorted) holds `limit` or more instants within `window` before `now`, how long
/// until one fewer than `limit` remain (the wait before a request is admitted again).
fn over_for(
    times: &VecDeque<Instant>,
    now: Instant,
    window: Duration,
    limit: u32,
) -> Option<Duration> {
    let first = match now.checked_sub(window) {
        Some(start) => times.partition_point(|t| *t <= start),
        None => 0,
    };
    let count = times.len() - first;
    let limit = limit as usize;
    if count < limit {
        return None;
    }
    // The oldest entries must slide out until `limit - 1` remain.
    let leaving = times.get(first + (count - limit))?;
    Some((*leaving + window).saturating_duration_since(now))
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

    /// Whether a request of `key` at `now` is within the limits: if so it is counted (`Ok`);
    /// if not, `Err` holds how long until it would be admitted.
    pub fn admit(&mut self, key: &str, is_write: bool, now: Instant) -> Result<(), Duration> {
        let c = &self.config;
        if !c.enabled {
            return Ok(());
        }
        let u = self.usage.entry(key.to_string()).or_default();
        prune(&mut u.all, now);
        prune(&mut u.writes, now);
        let spacing = u.last.and_then(|last| {
            let since = now.saturating_duration_since(last);
            (since < c.min_spacing).then(|| c.min_spacing - since)
        });
        let mut waits = vec![
            spacing,
            over_for(&u.all, now, MINUTE, c.requests_per_minute),
            over_for(&u.all, now, HOUR, c.requests_per_hour),
            over_for(&u.all, now, DAY, c.requests_per_day),
        ];
        if is_write {
            waits.push(over_for(&u.writes, now, MINUTE, c.writes_per_minute));
            waits.push(over_for(&u.writes, now, DAY, c.writes_per_day));
        }
        if let Some(wait) = waits.into_iter().flatten().max() {
            return Err(wait);
        }
        u.last = Some(now);
        u.all.push_back(now);
        if is_write {
            u.writes.push_back(now);
        }
        Ok(())
    }

    /// The answer to a refused request that should wait `wait`.
    pub fn refusal(&self, wait: Duration) -> Response {
        let mut refusal = throttled(self.config.status, wait);
        refusal.extensions_mut().insert(Refused);
        refusal
    }
}

/// Marks an answer of the limiter itself: the request never reached the API's handlers, so a
/// fault that models a failure after the server acted does not apply to it (see `faults::inject`).
#[derive(Clone, Copy, Debug)]
pub struct Refused;

/// Whole seconds to announce for `wait`: rounded up, at least 1.
fn whole_seconds(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// The throttled answer: 409, `Retry-After: 1`, empty body; or 429 with the wait in the text.
pub fn throttled(status: ThrottleStatus, wait: Duration) -> Response {
    match status {
        ThrottleStatus::Conflict => {
            let mut res = StatusCode::CONFLICT.into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            res
        }
        ThrottleStatus::TooManyRequests => crate::envelope::json(
            StatusCode::TOO_MANY_REQUESTS,
            &serde_json::json!({
                "Message": format!(
                    "You have made too many requests. Wait {} seconds and try again.",
                    whole_seconds(wait)
                )
            }),
        ),
    }
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
        assert!(t.admit("a", true, ms(0)).is_ok());
        assert_eq!(
            t.admit("a", false, ms(50)),
            Err(Duration::from_millis(50)),
            "closer than 100 ms"
        );
        assert!(
            t.admit("b", false, ms(50)).is_ok(),
            "other tokens are separate"
        );
        assert!(t.admit("a", true, ms(150)).is_ok());
        assert_eq!(
            t.admit("a", true, ms(300)),
            Err(Duration::from_millis(59_700)),
            "third write in a minute: wait until the first leaves the window"
        );
        assert!(
            t.admit("a", false, ms(300)).is_ok(),
            "a read is still allowed"
        );
        assert_eq!(
            t.admit("a", false, ms(500)),
            Err(Duration::from_millis(59_500)),
            "fourth request in a minute"
        );
        assert!(t.admit("a", true, ms(60_001)).is_ok(), "the window slid");
    }

    #[test]
    fn announced_waits_are_whole_seconds_at_least_one() {
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(50)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1000)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(59_700)), 60);
        assert_eq!(
            ThrottleStatus::parse("429"),
            Ok(ThrottleStatus::TooManyRequests)
        );
        assert_eq!(ThrottleStatus::parse("409"), Ok(ThrottleStatus::Conflict));
        assert!(ThrottleStatus::parse("503").is_err());
    }

    #[test]
    fn disabled_admits_everything() {
        let mut t = Throttle::new(ThrottleConfig {
            enabled: false,
            ..config()
        });
        let now = Instant::now();
        assert!((0..100).all(|_| t.admit("a", true, now).is_ok()));
    }
}
