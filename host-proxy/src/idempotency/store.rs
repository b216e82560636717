//! Where idempotency keys live: a small trait whose operations are each atomic, so the shared
//! store in Redis ([`crate::shared::keys`], Lua scripts) takes the place of the in-process
//! [`MemoryStore`] without changing the rule in `mod.rs`.
//!
//! A key in flight holds a lease that its instance renews while it works on the write; an
//! instance that dies (killed, its host lost) stops renewing, and once the lease has run out
//! the next request with the key is told [`Begin::Unsettled`]: the write may or may not have
//! reached Nexudus, so it is looked up before anything is sent again.
//!
//! Keys are scoped by member (user and business from the verified session): member B's key
//! `k` is another entry than member A's `k`, so nobody can see or replay another's answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use super::recorded::Recorded;
use crate::claims::Member;
use crate::shared::Unavailable;

/// SHA-256 of the request's method, path and body bytes.
pub type Fingerprint = [u8; 32];

/// What [`KeyStore::begin`] found.
#[derive(Debug)]
pub enum Begin {
    /// The key was free: it is now in flight for this request, which must forward the write
    /// and then call [`KeyStore::finish`] or [`KeyStore::release`].
    Started,
    /// The key holds a settled answer to the same request: replay it.
    Replay(Arc<Recorded>),
    /// The first request with this key is still in flight.
    InFlight,
    /// The key was used for another request (method, path or body differ).
    OtherPayload,
    /// The member holds too many live keys; the oldest expires in this many seconds.
    Full(u64),
    /// The request that claimed the key stopped renewing its lease (its instance died): the
    /// key is now this request's, which must find out whether the write happened first.
    Unsettled,
}

/// The operations of a key store. Each call is atomic with respect to every other, on every
/// instance sharing the store.
pub trait KeyStore: Send + Sync {
    /// Claims `key` of `member` for a request with `fingerprint`, or says what holds it.
    fn begin<'a>(
        &'a self,
        member: Member,
        key: &'a str,
        fingerprint: Fingerprint,
    ) -> BoxFuture<'a, Result<Begin, Unavailable>>;
    /// Records the settled answer of the request that claimed `key`.
    fn finish<'a>(&'a self, member: Member, key: &'a str, answer: Recorded) -> BoxFuture<'a, ()>;
    /// Frees `key`: the write is known not to have happened, a retry may send it again.
    fn release<'a>(&'a self, member: Member, key: &'a str) -> BoxFuture<'a, ()>;
    /// Renews the lease of a key in flight (its write is still being worked on).
    fn renew<'a>(&'a self, member: Member, key: &'a str) -> BoxFuture<'a, ()>;
    /// Forgets expired entries kept in this process.
    fn prune(&self, now: Instant);
}

impl KeyStore for MemoryStore {
    fn begin<'a>(
        &'a self,
        member: Member,
        key: &'a str,
        fingerprint: Fingerprint,
    ) -> BoxFuture<'a, Result<Begin, Unavailable>> {
        let begun = self.begin_at(member, key, fingerprint, Instant::now());
        Box::pin(std::future::ready(Ok(begun)))
    }

    fn finish<'a>(&'a self, member: Member, key: &'a str, answer: Recorded) -> BoxFuture<'a, ()> {
        self.finish_at(member, key, answer, Instant::now());
        Box::pin(std::future::ready(()))
    }

    fn release<'a>(&'a self, member: Member, key: &'a str) -> BoxFuture<'a, ()> {
        self.release_now(member, key);
        Box::pin(std::future::ready(()))
    }

    /// A process that dies takes its keys along: no lease to renew.
    fn renew<'a>(&'a self, _member: Member, _key: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(std::future::ready(()))
    }

    fn prune(&self, now: Instant) {
        self.prune_at(now);
    }
}

#[derive(Debug)]
enum State {
    InFlight,
    Settled(Arc<Recorded>),
}

#[derive(Debug)]
struct Entry {
    fingerprint: Fingerprint,
    state: State,
    expires: Instant,
}

type Scope = (u64, u64);

/// The in-process store: one map per member, bounded in entries, entries expiring after the
/// TTL (counted from the claim, and again from the settled answer).
pub struct MemoryStore {
    ttl: Duration,
    per_member: usize,
    members: Mutex<HashMap<Scope, HashMap<String, Entry>>>,
}

impl MemoryStore {
    /// A store keeping answers for `ttl`, at most `per_member` live keys per member.
    pub fn new(ttl: Duration, per_member: usize) -> MemoryStore {
        MemoryStore {
            ttl,
            per_member: per_member.max(1),
            members: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Scope, HashMap<String, Entry>>> {
        self.members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many keys are held, over all members (for tests and the benchmark).
    pub fn len(&self) -> usize {
        self.lock().values().map(HashMap::len).sum()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn scope(member: Member) -> Scope {
    (member.user_id, member.business_id)
}

impl MemoryStore {
    /// Claims `key` of `member` at `now`, or says what holds it.
    pub fn begin_at(
        &self,
        member: Member,
        key: &str,
        fingerprint: Fingerprint,
        now: Instant,
    ) -> Begin {
        let mut all = self.lock();
        let keys = all.entry(scope(member)).or_default();
        keys.retain(|_, e| e.expires > now);
        if let Some(entry) = keys.get(key) {
            if entry.fingerprint != fingerprint {
                return Begin::OtherPayload;
            }
            return match &entry.state {
                State::InFlight => Begin::InFlight,
                State::Settled(answer) => Begin::Replay(answer.clone()),
            };
        }
        if keys.len() >= self.per_member {
            let oldest = keys.values().map(|e| e.expires).min().unwrap_or(now);
            let wait = oldest.saturating_duration_since(now).as_secs().max(1);
            return Begin::Full(wait);
        }
        keys.insert(
            key.to_string(),
            Entry {
                fingerprint,
                state: State::InFlight,
                expires: now + self.ttl,
            },
        );
        Begin::Started
    }

    /// Records the settled answer at `now`.
    pub fn finish_at(&self, member: Member, key: &str, answer: Recorded, now: Instant) {
        let mut all = self.lock();
        if let Some(entry) = all.get_mut(&scope(member)).and_then(|k| k.get_mut(key)) {
            entry.state = State::Settled(Arc::new(answer));
            entry.expires = now + self.ttl;
        }
    }

    /// Frees `key`.
    pub fn release_now(&self, member: Member, key: &str) {
        let mut all = self.lock();
        if let Some(keys) = all.get_mut(&scope(member)) {
            keys.remove(key);
            if keys.is_empty() {
                all.remove(&scope(member));
            }
        }
    }

    /// Forgets entries expired at `now`.
    pub fn prune_at(&self, now: Instant) {
        let mut all = self.lock();
        all.retain(|_, keys| {
            keys.retain(|_, e| e.expires > now);
            !keys.is_empty()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    const A: Member = Member {
        user_id: 10,
        business_id: 1,
    };
    const B: Member = Member {
        user_id: 11,
        business_id: 1,
    };

    fn answer() -> Recorded {
        Recorded::new(StatusCode::OK, Vec::new(), "{}".into())
    }

    #[test]
    fn claims_replays_refuses_and_expires() {
        let store = MemoryStore::new(Duration::from_secs(60), 2);
        let t0 = Instant::now();
        assert!(matches!(
            store.begin_at(A, "k", [1; 32], t0),
            Begin::Started
        ));
        assert!(matches!(
            store.begin_at(A, "k", [1; 32], t0),
            Begin::InFlight
        ));
        assert!(matches!(
            store.begin_at(A, "k", [2; 32], t0),
            Begin::OtherPayload
        ));
        assert!(
            matches!(store.begin_at(B, "k", [2; 32], t0), Begin::Started),
            "per member"
        );
        store.finish_at(A, "k", answer(), t0);
        assert!(matches!(
            store.begin_at(A, "k", [1; 32], t0),
            Begin::Replay(_)
        ));
        assert!(matches!(
            store.begin_at(A, "j", [1; 32], t0),
            Begin::Started
        ));
        assert!(matches!(
            store.begin_at(A, "i", [1; 32], t0),
            Begin::Full(60)
        ));
        store.release_now(A, "j");
        assert!(matches!(
            store.begin_at(A, "i", [1; 32], t0),
            Begin::Started
        ));
        let later = t0 + Duration::from_secs(61);
        assert!(
            matches!(store.begin_at(A, "k", [1; 32], later), Begin::Started),
            "expired"
        );
        store.prune_at(t0 + Duration::from_secs(200));
        assert!(store.is_empty());
    }
}
