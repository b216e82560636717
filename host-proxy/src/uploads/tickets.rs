//! Where upload URLs not yet used (tickets) wait for their `PUT`, and where file records are
//! shared: [`InProcessTickets`] in this process; [`crate::shared::tickets::RedisTickets`] for
//! several instances, so a URL issued by one can be used on another and a file stored through
//! one is found by all.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::FileMeta;
use crate::quota::Reservation;
use crate::shared::Unavailable;

/// An upload URL issued and not yet used.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    /// The file's key (its URL).
    pub key: String,
    /// What the file will be.
    pub meta: FileMeta,
    /// When the upload URL expires (milliseconds since the Unix epoch).
    pub url_expires_ms: u64,
    /// Its bytes in the member's quota.
    pub reservation: Reservation,
}

/// What [`Tickets::take`] found.
#[derive(Debug)]
pub enum Taken {
    /// The ticket, now used.
    Current(Pending),
    /// The ticket had expired (its reservation is to be released).
    Expired(Pending),
    /// No such ticket.
    Unknown,
}

/// The ticket store's operations, each atomic: a ticket is taken once, on whichever instance.
pub trait Tickets: Send + Sync {
    /// Keeps `ticket` under `upload_id` until `ttl` has passed.
    fn put<'a>(
        &'a self,
        upload_id: &'a str,
        ticket: &'a Pending,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Unavailable>>;
    /// Takes the ticket for its one use.
    fn take<'a>(&'a self, upload_id: &'a str) -> BoxFuture<'a, Result<Taken, Unavailable>>;
    /// Takes every ticket past its time (their reservations are to be released).
    fn expired(&self, now_ms: u64) -> BoxFuture<'_, Vec<Pending>>;
    /// Bytes of the tickets waiting in this process (a shared store counts them in Redis).
    fn waiting_bytes(&self) -> u64;
    /// Shares the record of a stored file (kept until it expires).
    fn record_file<'a>(
        &'a self,
        key: &'a str,
        meta: &'a FileMeta,
    ) -> BoxFuture<'a, Result<(), Unavailable>>;
    /// The shared record of file `key` (`Ok(None)`: none shared, or not kept here).
    fn file<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<FileMeta>, Unavailable>>;
}

/// Tickets in this process; file records stay in the store's own index.
#[derive(Default)]
pub struct InProcessTickets {
    pending: Mutex<HashMap<String, Pending>>,
}

impl InProcessTickets {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Tickets for InProcessTickets {
    fn put<'a>(
        &'a self,
        upload_id: &'a str,
        ticket: &'a Pending,
        _ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Unavailable>> {
        self.lock().insert(upload_id.to_string(), ticket.clone());
        Box::pin(std::future::ready(Ok(())))
    }

    fn take<'a>(&'a self, upload_id: &'a str) -> BoxFuture<'a, Result<Taken, Unavailable>> {
        let taken = match self.lock().remove(upload_id) {
            Some(p) if super::unix_millis() < p.url_expires_ms => Taken::Current(p),
            Some(p) => Taken::Expired(p),
            None => Taken::Unknown,
        };
        Box::pin(std::future::ready(Ok(taken)))
    }

    fn expired(&self, now_ms: u64) -> BoxFuture<'_, Vec<Pending>> {
        let mut pending = self.lock();
        let ids: Vec<String> = pending
            .iter()
            .filter(|(_, p)| p.url_expires_ms <= now_ms)
            .map(|(id, _)| id.clone())
            .collect();
        let gone = ids.iter().filter_map(|id| pending.remove(id)).collect();
        Box::pin(std::future::ready(gone))
    }

    fn waiting_bytes(&self) -> u64 {
        self.lock().values().map(|p| p.meta.size).sum()
    }

    fn record_file<'a>(
        &'a self,
        _key: &'a str,
        _meta: &'a FileMeta,
    ) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(std::future::ready(Ok(())))
    }

    fn file<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<Option<FileMeta>, Unavailable>> {
        Box::pin(std::future::ready(Ok(None)))
    }
}
