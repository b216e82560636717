//! The per-member write limit in Redis: one sorted set per member (`limit:<sub>`) holding the
//! times of its writes in the last minute, trimmed, counted and added to in one script.

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use redis::Script;

use super::{Redis, Unavailable, NOW_MS};
use crate::limit::{whole_seconds, WriteLimits, WINDOW};

/// `0`: counted; otherwise the milliseconds until the oldest write leaves the window.
const ADMIT: &str = "
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(ARGV[1]) - (now - tonumber(oldest[2])))
";

/// [`WriteLimits`] shared by every instance on one Redis.
pub struct RedisLimit {
    redis: Redis,
    per_minute: u32,
    script: Script,
}

impl RedisLimit {
    /// At most `per_minute` writes per member (0: no limit).
    pub fn new(redis: Redis, per_minute: u32) -> RedisLimit {
        RedisLimit {
            redis,
            per_minute,
            script: Script::new(&format!("{NOW_MS}{ADMIT}")),
        }
    }

    async fn admit_now(&self, member: u64) -> Result<Result<(), u64>, Unavailable> {
        if self.per_minute == 0 {
            return Ok(Ok(()));
        }
        let key = Redis::key(&["limit", &member.to_string()]);
        let mut call = self.script.key(key);
        call.arg(WINDOW.as_millis() as u64)
            .arg(self.per_minute)
            .arg(super::unique());
        let wait_ms: u64 = self.redis.eval("write limit", &call).await?;
        Ok(match wait_ms {
            0 => Ok(()),
            ms => Err(whole_seconds(Duration::from_millis(ms))),
        })
    }
}

impl WriteLimits for RedisLimit {
    fn admit(&self, member: u64) -> BoxFuture<'_, Result<Result<(), u64>, Unavailable>> {
        Box::pin(self.admit_now(member))
    }

    fn prune(&self, _now: Instant) {}
}
