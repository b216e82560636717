//! Idempotency records in Redis: one hash per member and key
//! (`idem:<sub>:<business>:<key>`: `fp` the request's fingerprint, `lease` while in flight,
//! `head` and `body` once settled) expiring with the TTL, and one sorted set per member
//! (`idem-keys:<sub>:<business>`) of its live keys by expiry, for the per-member cap. Claiming
//! is one script: of two requests with one key, on any instances, exactly one is told to go.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use futures_util::future::BoxFuture;
use redis::Script;
use serde::{Deserialize, Serialize};

use super::{Redis, Unavailable, NOW_MS};
use crate::claims::Member;
use crate::idempotency::recorded::Recorded;
use crate::idempotency::store::{Begin, Fingerprint, KeyStore};

const BEGIN: &str = "
local e = redis.call('HMGET', KEYS[1], 'fp', 'lease', 'head', 'body')
if e[1] then
  if e[1] ~= ARGV[1] then return {'other'} end
  if e[3] then return {'replay', e[3], e[4]} end
  if tonumber(e[2] or '0') > now then return {'inflight'} end
  redis.call('HSET', KEYS[1], 'lease', now + tonumber(ARGV[4]))
  return {'unsettled'}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {'full', tostring(math.max(1, math.ceil((tonumber(oldest[2]) - now) / 1000)))}
end
redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'lease', now + tonumber(ARGV[4]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {'started'}
";

const FINISH: &str = "
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'head', ARGV[1], 'body', ARGV[2])
redis.call('HDEL', KEYS[1], 'lease')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
";

const RELEASE: &str = "
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 0
";

const RENEW: &str = "
if redis.call('HEXISTS', KEYS[1], 'lease') == 1 then
  redis.call('HSET', KEYS[1], 'lease', now + tonumber(ARGV[1]))
end
return 0
";

/// A recorded answer's status and headers, stored beside its body.
#[derive(Serialize, Deserialize)]
struct Head {
    status: u16,
    headers: Vec<(String, String)>,
}

/// [`KeyStore`] shared by every instance on one Redis.
pub struct RedisKeys {
    redis: Redis,
    ttl: Duration,
    per_member: usize,
    lease: Duration,
    begin: Script,
    finish: Script,
    release: Script,
    renew: Script,
}

fn keys(member: Member, key: &str) -> (String, String) {
    let (sub, business) = (member.user_id.to_string(), member.business_id.to_string());
    (
        Redis::key(&["idem", &sub, &business, key]),
        Redis::key(&["idem-keys", &sub, &business]),
    )
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisKeys {
    /// Answers kept for `ttl`, at most `per_member` live keys per member, a key in flight
    /// held for `lease` past its last renewal.
    pub fn new(redis: Redis, ttl: Duration, per_member: usize, lease: Duration) -> RedisKeys {
        RedisKeys {
            redis,
            ttl,
            per_member: per_member.max(1),
            lease,
            begin: Script::new(&format!("{NOW_MS}{BEGIN}")),
            finish: Script::new(&format!("{NOW_MS}{FINISH}")),
            release: Script::new(RELEASE),
            renew: Script::new(&format!("{NOW_MS}{RENEW}")),
        }
    }

    async fn begin_now(
        &self,
        member: Member,
        key: &str,
        fingerprint: Fingerprint,
    ) -> Result<Begin, Unavailable> {
        let (entry, index) = keys(member, key);
        let fp: String = fingerprint.iter().map(|b| format!("{b:02x}")).collect();
        let mut call = self.begin.key(entry);
        call.key(index)
            .arg(fp)
            .arg(millis(self.ttl))
            .arg(self.per_member)
            .arg(millis(self.lease))
            .arg(key);
        let found: Vec<Vec<u8>> = self.redis.eval("idempotency begin", &call).await?;
        Ok(match found.as_slice() {
            [what] if what == b"started" => Begin::Started,
            [what] if what == b"inflight" => Begin::InFlight,
            [what] if what == b"unsettled" => Begin::Unsettled,
            [what, wait] if what == b"full" => Begin::Full(
                std::str::from_utf8(wait)
                    .ok()
                    .and_then(|w| w.parse().ok())
                    .unwrap_or(1),
            ),
            [what, head, body] if what == b"replay" => match recorded(head, body) {
                Some(answer) => Begin::Replay(Arc::new(answer)),
                None => Begin::OtherPayload,
            },
            _ => Begin::OtherPayload,
        })
    }
}

fn recorded(head: &[u8], body: &[u8]) -> Option<Recorded> {
    let head: Head = serde_json::from_slice(head).ok()?;
    let headers = head
        .headers
        .iter()
        .filter_map(|(n, v)| {
            Some((
                HeaderName::from_bytes(n.as_bytes()).ok()?,
                HeaderValue::from_str(v).ok()?,
            ))
        })
        .collect();
    Some(Recorded::new(
        StatusCode::from_u16(head.status).ok()?,
        headers,
        Bytes::copy_from_slice(body),
    ))
}

impl KeyStore for RedisKeys {
    fn begin<'a>(
        &'a self,
        member: Member,
        key: &'a str,
        fingerprint: Fingerprint,
    ) -> BoxFuture<'a, Result<Begin, Unavailable>> {
        Box::pin(self.begin_now(member, key, fingerprint))
    }

    fn finish<'a>(&'a self, member: Member, key: &'a str, answer: Recorded) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let head = Head {
                status: answer.status.as_u16(),
                headers: answer
                    .headers
                    .iter()
                    .filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_string())))
                    .collect(),
            };
            let Ok(head) = serde_json::to_string(&head) else {
                return;
            };
            let (entry, index) = keys(member, key);
            let mut call = self.finish.key(entry);
            call.key(index)
                .arg(head)
                .arg(answer.body.as_ref())
                .arg(millis(self.ttl))
                .arg(key);
            if self
                .redis
                .eval::<i64>("idempotency finish", &call)
                .await
                .is_err()
            {
                // The lease runs out, and the next request with the key looks the write up.
                tracing::warn!(
                    member = member.user_id,
                    "a settled answer could not be recorded"
                );
            }
        })
    }

    fn release<'a>(&'a self, member: Member, key: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let (entry, index) = keys(member, key);
            let mut call = self.release.key(entry);
            call.key(index).arg(key);
            // Not freed: the lease runs out and the next request looks the write up.
            let _ = self.redis.eval::<i64>("idempotency release", &call).await;
        })
    }

    fn renew<'a>(&'a self, member: Member, key: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let (entry, _) = keys(member, key);
            let mut call = self.renew.key(entry);
            call.arg(millis(self.lease));
            let _ = self.redis.eval::<i64>("idempotency renew", &call).await;
        })
    }

    fn prune(&self, _now: Instant) {}
}
