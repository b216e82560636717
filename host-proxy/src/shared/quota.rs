//! The storage quota in Redis: per member a sorted set (`quota:<sub>`) of the reservations of
//! the last 24 hours (`<id>:<bytes>`, scored by when), and one sorted set for the store's total
//! (`store`, the same entries scored by when they leave the store: the upload URL's expiry,
//! then the file's). Both are trimmed, summed, checked and added to in one script.

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use redis::Script;

use super::{Redis, NOW_MS};
use crate::quota::{OverQuota, Refused, Reservation, StorageQuota, WINDOW};

/// `{0, 0}` reserved; `{1, ms}` over the member's quota for `ms`; `{2, 0}` the store is full.
const RESERVE: &str = "
local function size(entry) return tonumber(string.match(entry, ':(%d+)$')) end
local window = tonumber(ARGV[1])
local per_day = tonumber(ARGV[2])
local bytes = tonumber(ARGV[3])
if per_day > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local used = 0
  for i = 1, #entries, 2 do used = used + size(entries[i]) end
  if used + bytes > per_day then
    local freed = 0
    for i = 1, #entries, 2 do
      freed = freed + size(entries[i])
      if used - freed + bytes <= per_day then
        return {1, window - (now - tonumber(entries[i + 1]))}
      end
    end
    return {1, window}
  end
end
if tonumber(ARGV[5]) > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  local total = 0
  for _, entry in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do total = total + size(entry) end
  if total + bytes > tonumber(ARGV[5]) then return {2, 0} end
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), ARGV[4])
end
if per_day > 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
end
return {0, 0}
";

/// Moves an entry's leaving time in the store's total (only if it is still there).
const KEEP: &str = "redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])\nreturn 0";

/// Removes an entry from both sets.
const RELEASE: &str =
    "redis.call('ZREM', KEYS[1], ARGV[1])\nredis.call('ZREM', KEYS[2], ARGV[1])\nreturn 0";

/// [`StorageQuota`] shared by every instance on one Redis.
pub struct RedisQuota {
    redis: Redis,
    per_day: u64,
    max_store_bytes: u64,
    reserve: Script,
    keep: Script,
    release: Script,
}

fn entry(reservation: &Reservation) -> String {
    format!("{:016x}:{}", reservation.id, reservation.bytes)
}

fn quota_key(member: u64) -> String {
    Redis::key(&["quota", &member.to_string()])
}

fn store_key() -> String {
    Redis::key(&["store"])
}

impl RedisQuota {
    /// At most `per_day` bytes per member in any 24 hours (0: no limit) and
    /// `max_store_bytes` in the store (0: no limit).
    pub fn new(redis: Redis, per_day: u64, max_store_bytes: u64) -> RedisQuota {
        RedisQuota {
            redis,
            per_day,
            max_store_bytes,
            reserve: Script::new(&format!("{NOW_MS}{RESERVE}")),
            keep: Script::new(&format!("{NOW_MS}{KEEP}")),
            release: Script::new(RELEASE),
        }
    }

    async fn reserve_now(
        &self,
        member: u64,
        bytes: u64,
        hold: Duration,
    ) -> Result<Reservation, Refused> {
        if self.per_day > 0 && bytes > self.per_day {
            return Err(Refused::OverQuota(OverQuota { wait: None }));
        }
        let id = u64::from_str_radix(&super::unique(), 16).unwrap_or_default();
        let reservation = Reservation { member, id, bytes };
        let mut call = self.reserve.key(quota_key(member));
        call.key(store_key())
            .arg(WINDOW.as_millis() as u64)
            .arg(self.per_day)
            .arg(bytes)
            .arg(entry(&reservation))
            .arg(self.max_store_bytes)
            .arg(hold.as_millis() as u64);
        let (code, wait_ms): (u8, u64) = self.redis.eval("quota reserve", &call).await?;
        match code {
            0 => Ok(reservation),
            2 => Err(Refused::StoreFull),
            _ => Err(Refused::OverQuota(OverQuota {
                wait: Some(Duration::from_millis(wait_ms)),
            })),
        }
    }
}

impl StorageQuota for RedisQuota {
    fn reserve(
        &self,
        member: u64,
        bytes: u64,
        hold: Duration,
    ) -> BoxFuture<'_, Result<Reservation, Refused>> {
        Box::pin(self.reserve_now(member, bytes, hold))
    }

    fn keep(&self, reservation: Reservation, keep: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let mut call = self.keep.key(store_key());
            call.arg(entry(&reservation)).arg(keep.as_millis() as u64);
            // Not kept: the entry leaves the total when the upload URL would have expired,
            // which undercounts the store until then; logged by `eval`.
            let _ = self.redis.eval::<i64>("quota keep", &call).await;
        })
    }

    fn release(&self, reservation: Reservation) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let mut call = self.release.key(quota_key(reservation.member));
            call.key(store_key()).arg(entry(&reservation));
            // Not released: the member's count is too high until it leaves the window.
            let _ = self.redis.eval::<i64>("quota release", &call).await;
        })
    }

    fn prune(&self, _now: Instant) {}
}
