//! Upload tickets and file records in Redis: `ticket:<upload id>` (the ticket as JSON) with a
//! sorted set `tickets` of their expiry times, and `file:<key>` (the file's record as JSON,
//! expiring with the file). A ticket is taken once by one script (read, delete, unlist), so
//! two instances can never both accept a `PUT` on one URL; the clean-up of every instance
//! sweeps expired tickets with another, so each reservation is given back exactly once.

use std::time::Duration;

use futures_util::future::BoxFuture;
use redis::Script;

use super::{Redis, Unavailable, NOW_MS};
use crate::uploads::tickets::{Pending, Taken, Tickets};
use crate::uploads::FileMeta;

/// A ticket outlives its URL by this much, so the sweep can still read it.
const SWEEP_MARGIN: Duration = Duration::from_secs(24 * 3600);

/// Sets a value with a lifetime in milliseconds (and lists a ticket's expiry).
const PUT: &str = "
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if KEYS[2] then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) end
return 0
";

/// `{ticket, expired 0/1}`, or an empty array.
const TAKE: &str = "
local v = redis.call('GET', KEYS[1])
if not v then return {} end
local expires = redis.call('ZSCORE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local expired = 0
if expires and tonumber(expires) <= now then expired = 1 end
return {v, expired}
";

/// The expired tickets, taken.
const SWEEP: &str = "
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 500)
local gone = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[1] .. id
  local v = redis.call('GET', key)
  if v then
    redis.call('DEL', key)
    table.insert(gone, v)
  end
end
return gone
";

/// [`Tickets`] shared by every instance on one Redis.
pub struct RedisTickets {
    redis: Redis,
    put: Script,
    take: Script,
    sweep: Script,
}

fn ticket_key(upload_id: &str) -> String {
    Redis::key(&["ticket", upload_id])
}

fn file_key(key: &str) -> String {
    Redis::key(&["file", key])
}

fn list_key() -> String {
    Redis::key(&["tickets"])
}

impl RedisTickets {
    /// On `redis`.
    pub fn new(redis: Redis) -> RedisTickets {
        RedisTickets {
            redis,
            put: Script::new(PUT),
            take: Script::new(&format!("{NOW_MS}{TAKE}")),
            sweep: Script::new(&format!("{NOW_MS}{SWEEP}")),
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Unavailable> {
    serde_json::to_string(value).map_err(|_| Unavailable)
}

impl Tickets for RedisTickets {
    fn put<'a>(
        &'a self,
        upload_id: &'a str,
        ticket: &'a Pending,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move {
            let mut call = self.put.key(ticket_key(upload_id));
            call.key(list_key())
                .arg(json(ticket)?)
                .arg((ttl + SWEEP_MARGIN).as_millis() as u64)
                .arg(ticket.url_expires_ms)
                .arg(upload_id);
            self.redis.eval::<i64>("ticket put", &call).await.map(drop)
        })
    }

    fn take<'a>(&'a self, upload_id: &'a str) -> BoxFuture<'a, Result<Taken, Unavailable>> {
        Box::pin(async move {
            let mut call = self.take.key(ticket_key(upload_id));
            call.key(list_key()).arg(upload_id);
            let found: Vec<redis::Value> = self.redis.eval("ticket take", &call).await?;
            let (ticket, expired) = match found.as_slice() {
                [redis::Value::BulkString(v), redis::Value::Int(expired)] => (v, *expired == 1),
                _ => return Ok(Taken::Unknown),
            };
            Ok(match serde_json::from_slice::<Pending>(ticket) {
                Ok(p) if expired => Taken::Expired(p),
                Ok(p) => Taken::Current(p),
                Err(_) => Taken::Unknown,
            })
        })
    }

    fn expired(&self, _now_ms: u64) -> BoxFuture<'_, Vec<Pending>> {
        Box::pin(async move {
            let mut call = self.sweep.key(list_key());
            call.arg(ticket_key(""));
            let gone: Vec<Vec<u8>> = self
                .redis
                .eval("ticket sweep", &call)
                .await
                .unwrap_or_default();
            gone.iter()
                .filter_map(|v| serde_json::from_slice(v).ok())
                .collect()
        })
    }

    fn waiting_bytes(&self) -> u64 {
        0
    }

    fn record_file<'a>(
        &'a self,
        key: &'a str,
        meta: &'a FileMeta,
    ) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move {
            let left = meta
                .expires_at_ms
                .saturating_sub(crate::uploads::unix_millis());
            let mut call = self.put.key(file_key(key));
            call.arg(json(meta)?).arg(left.max(1));
            self.redis.eval::<i64>("file record", &call).await.map(drop)
        })
    }

    fn file<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<FileMeta>, Unavailable>> {
        Box::pin(async move {
            let found = self.redis.get(&file_key(key)).await?;
            Ok(found.and_then(|v| serde_json::from_str(&v).ok()))
        })
    }
}
