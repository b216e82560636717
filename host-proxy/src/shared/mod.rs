//! Shared state on Redis (or Valkey) for several instances behind a load balancer
//! (`--redis-url`): the per-member write limit ([`limit`]), the storage quota ([`quota`]), the
//! upstream pacer ([`pacer`]: one allowance for the whole Nexudus account), upload tickets and
//! file records ([`tickets`]) and idempotency records ([`keys`]).
//!
//! Every operation that reads and then writes is one Lua script (Redis runs a script alone,
//! so no other instance sees a half-done change) and every key expires on its own. Times come
//! from the server (`TIME` inside the scripts), so the instances' clocks need not agree.
//!
//! Redis unreachable or slow past [`OP_TIMEOUT`]: the operation fails with [`Unavailable`];
//! writes then fail closed (a 503 in the Nexudus envelope), reads pass through (the pacer falls
//! back to this instance's own spacing, file look-ups to this instance's own records).

pub mod keys;
pub mod limit;
pub mod pacer;
pub mod quota;
pub mod tickets;

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, ScriptInvocation};

/// The longest one Redis operation may take before it counts as unavailable.
pub const OP_TIMEOUT: Duration = Duration::from_secs(2);

/// Every key this backend writes starts with it.
const PREFIX: &str = "nexudus-host-proxy";

/// Redis could not be reached, or did not answer in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the shared store (Redis) could not be reached")
    }
}

impl std::error::Error for Unavailable {}

/// A reconnecting connection to Redis, shared by every request of this instance.
#[derive(Clone)]
pub struct Redis {
    conn: ConnectionManager,
}

impl Redis {
    /// Connects lazily to `url` (`redis://host:port/db`, `rediss://` for TLS): the instance
    /// starts even while Redis is down, and `/readyz` says so.
    pub fn connect(url: &str) -> Result<Redis, String> {
        let client = redis::Client::open(url).map_err(|e| format!("--redis-url: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(OP_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| format!("--redis-url: {e}"))?;
        Ok(Redis { conn })
    }

    /// `nexudus-host-proxy:<part>:<part>...`.
    pub(crate) fn key(parts: &[&str]) -> String {
        let mut key = PREFIX.to_string();
        for part in parts {
            key.push(':');
            key.push_str(part);
        }
        key
    }

    /// Runs a script, within [`OP_TIMEOUT`].
    pub(crate) async fn eval<T: FromRedisValue>(
        &self,
        what: &'static str,
        script: &ScriptInvocation<'_>,
    ) -> Result<T, Unavailable> {
        let mut conn = self.conn.clone();
        match tokio::time::timeout(OP_TIMEOUT, script.invoke_async(&mut conn)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                tracing::warn!(operation = what, error = %e, "Redis operation failed");
                Err(Unavailable)
            }
            Err(_) => {
                tracing::warn!(operation = what, "Redis operation timed out");
                Err(Unavailable)
            }
        }
    }

    /// `GET key`, within [`OP_TIMEOUT`].
    pub(crate) async fn get(&self, key: &str) -> Result<Option<String>, Unavailable> {
        let mut conn = self.conn.clone();
        let mut cmd = redis::cmd("GET");
        cmd.arg(key);
        let get = cmd.query_async::<Option<String>>(&mut conn);
        match tokio::time::timeout(OP_TIMEOUT, get).await {
            Ok(Ok(value)) => Ok(value),
            _ => Err(Unavailable),
        }
    }

    /// Whether Redis answers a `PING` in time.
    pub async fn ping(&self) -> bool {
        let mut conn = self.conn.clone();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut conn);
        matches!(tokio::time::timeout(OP_TIMEOUT, ping).await, Ok(Ok(ref pong)) if pong == "PONG")
    }
}

/// The server's clock in milliseconds, as every script reads it first.
pub(crate) const NOW_MS: &str = "local t = redis.call('TIME')\n\
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

/// 64 random bits as hex: a unique member of a sorted set.
pub(crate) fn unique() -> String {
    let mut bytes = [0u8; 8];
    // Uniqueness matters, secrecy does not: a failed read still gives a time-based value.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        bytes = nanos.to_be_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
