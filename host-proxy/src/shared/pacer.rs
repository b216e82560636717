//! The upstream pacer in Redis: one key (`pacer`) holds the next free moment of the account's
//! allowance, in microseconds of the server's clock. A script claims the next slot (at the
//! later of now and that moment) and moves it one spacing on, so two instances can never be
//! handed slots closer than the spacing; each then waits until its slot.
//!
//! Redis unreachable: this instance falls back to its own spacing, so reads keep flowing
//! (writes are refused before they queue).

use std::time::Duration;

use futures_util::future::BoxFuture;
use redis::Script;

use super::Redis;
use crate::schedule::{LocalPacer, Pacer};

/// The wait in microseconds until the claimed slot.
const CLAIM: &str = "
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], slot + tonumber(ARGV[1]), 'PX', 60000)
return slot - now
";

/// [`Pacer`] shared by every instance on one Redis.
pub struct RedisPacer {
    redis: Redis,
    spacing: Duration,
    claim: Script,
    fallback: LocalPacer,
}

impl RedisPacer {
    /// Slots `spacing` apart for all instances together.
    pub fn new(redis: Redis, spacing: Duration) -> RedisPacer {
        RedisPacer {
            redis,
            spacing,
            claim: Script::new(CLAIM),
            fallback: LocalPacer::new(spacing),
        }
    }
}

impl Pacer for RedisPacer {
    fn next_slot(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let mut call = self.claim.key(Redis::key(&["pacer"]));
            call.arg(self.spacing.as_micros() as u64);
            match self.redis.eval::<u64>("pacer", &call).await {
                Ok(wait_us) => tokio::time::sleep(Duration::from_micros(wait_us)).await,
                Err(_) => self.fallback.next_slot().await,
            }
        })
    }
}
