//! Idempotency keys (draft-ietf-httpapi-idempotency-key-header): a member's write sent with
//! `Idempotency-Key: <key>` happens at most once, however often it is sent again.
//!
//! For every member write (`POST`/`DELETE` forwarded to Nexudus, and `POST /uploads`), keyed
//! per member ([`store`]):
//! - first request: the key is recorded in flight, the write forwarded, and its final status,
//!   body, `Content-Type` and `Retry-After` recorded. The write runs in its own task, so it
//!   completes and is recorded even when the client goes away;
//! - the same key and the same fingerprint ([`key::fingerprint`], SHA-256 of method, path and
//!   body bytes): the recorded answer again, with `Idempotent-Replayed: true`, without calling
//!   Nexudus and without counting against the member's write limit;
//! - the same key while the first is in flight: 409 with `Retry-After: 1`; the same key with
//!   another request: 422. Both in the Nexudus envelope;
//! - a key whose first request's instance died (its lease, renewed while the write is worked
//!   on, ran out after `--idempotency-lease-seconds`): the write is looked up first
//!   ([`settle`]), then replayed as found, or sent when it did not happen;
//! - the key store unreachable (Redis down): 503, nothing sent;
//! - an answer that does not say what happened is settled by a look-up first ([`settle`]):
//!   a 5xx or a success without a positive `Value.Id` at once; a lost or timed-out upstream
//!   connection (Nexudus may still be working) after `--idempotency-settle-seconds`, the key
//!   answering 409 meanwhile. A write refused before acting (401, or throttled: 409/429)
//!   frees the key: nothing happened.
//!
//! Without the header, nothing changes.

pub mod key;
pub mod recorded;
pub(crate) mod settle;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Extension;

use crate::caller::{self, Caller};
use crate::claims::Member;
use crate::{envelope, AppState};
use recorded::Recorded;
use settle::{Outcome, Write};
use store::Begin;

/// Marks a response whose upstream connection was lost or timed out after the write was sent.
#[derive(Clone, Copy, Debug)]
pub struct UpstreamLost;

/// Look-ups tried before the key records the uncertain answer as it was.
const SETTLE_ATTEMPTS: u32 = 5;

/// Middleware on the member routes: applies the key rule to writes that carry one.
pub(crate) async fn guard(
    State(st): State<Arc<AppState>>,
    Extension(member): Extension<Member>,
    req: Request,
    next: Next,
) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::DELETE) {
        return next.run(req).await;
    }
    let key = match key::parse(req.headers()) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(req).await,
        Err(bad) => return envelope::bad_request(bad.0),
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::routes::MAX_JSON_BODY).await else {
        return envelope::bad_request("The request body is too large.");
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_string(), |p| p.to_string());
    let fingerprint = key::fingerprint(&parts.method, &path, &bytes);
    let write = Write::of(&parts.method, parts.uri.path(), &bytes);
    match st.keys.begin(member, &key, fingerprint).await {
        Ok(Begin::Started) => {}
        Ok(Begin::Replay(answer)) => return answer.response(true),
        Ok(Begin::InFlight) => return envelope::key_in_flight(),
        Ok(Begin::OtherPayload) => return envelope::key_reused(),
        Ok(Begin::Full(wait)) => return envelope::too_many_keys(wait),
        Ok(Begin::Unsettled) => {
            if let Some(answer) = settle_first(&st, member, &key, &write).await {
                return answer;
            }
        }
        Err(_) => return envelope::store_unavailable(),
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    let keyed = Keyed { member, key, write };
    let task = spawn_keyed(caller::current(), keyed.clone().run(st.clone(), req, next));
    match task.await {
        Ok(res) => res,
        Err(_) => {
            // The write's task failed: nobody knows whether it reached Nexudus, so the key
            // stays in flight until a look-up can tell.
            settle_later(st, keyed, None);
            envelope::internal("The request could not be completed.")
        }
    }
}

/// A key whose first request's instance died: looks the write up before sending it again.
/// `None`: it did not happen, send it; otherwise the answer (the record found, or 409 while
/// nobody can tell, the key kept for a later retry).
async fn settle_first(
    st: &Arc<AppState>,
    member: Member,
    key: &str,
    write: &Write,
) -> Option<Response> {
    if matches!(write, Write::Local) {
        // Answered by the proxy itself (an upload URL): nothing reached Nexudus, so the
        // request is simply made again.
        return None;
    }
    // The look-up may take longer than a lease: held meanwhile, so no other retry claims the
    // key and sends the write while this one looks.
    let _lease = Lease::hold(st, member, key);
    match settle::look_up(st, member, write).await {
        Outcome::Happened(found) => {
            st.keys.finish(member, key, found.clone()).await;
            Some(found.response(true))
        }
        Outcome::DidNot => None,
        Outcome::Unknown => Some(envelope::key_in_flight()),
    }
}

/// Renews the lease of a key in flight until dropped, so that only an instance that dies
/// lets it run out.
struct Lease(tokio::task::JoinHandle<()>);

impl Lease {
    fn hold(st: &Arc<AppState>, member: Member, key: &str) -> Lease {
        let (st, key) = (st.clone(), key.to_string());
        let every = (st.config.idempotency_lease / 3).max(Duration::from_millis(50));
        Lease(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                st.keys.renew(member, &key).await;
            }
        }))
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Spawns keyed work: the one place it leaves the request's task. The request's
/// [`caller`] (its member's upstream queue and its deadline) goes along, since a task-local
/// does not cross `tokio::spawn`.
fn spawn_keyed<F>(caller: Option<Caller>, work: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    match caller {
        Some(caller) => tokio::spawn(caller::scope(caller, work)),
        None => tokio::spawn(work),
    }
}

#[derive(Clone)]
struct Keyed {
    member: Member,
    key: String,
    write: Write,
}

impl Keyed {
    async fn run(self, st: Arc<AppState>, req: Request, next: Next) -> Response {
        let lease = Lease::hold(&st, self.member, &self.key);
        let res = next.run(req).await;
        let lost = res.extensions().get::<UpstreamLost>().is_some();
        let answer = Recorded::read(res, st.config.idempotency_max_answer_bytes).await;
        let status = answer.status;
        let creates = matches!(self.write, Write::Thread { .. } | Write::File { .. });
        if matches!(self.write, Write::Local) {
            self.finish(&st, answer.clone()).await;
        } else if matches!(
            status,
            StatusCode::UNAUTHORIZED | StatusCode::CONFLICT | StatusCode::TOO_MANY_REQUESTS
        ) {
            // Refused before acting (a session to renew; throttled by Nexudus or by the write
            // limit): nothing happened, and the same request may be sent again.
            st.keys.release(self.member, &self.key).await;
        } else if lost {
            settle_later(st, self, Some(answer.clone()));
        } else if status.is_server_error()
            || (creates && answer.created_id().is_none() && status.is_success())
        {
            match settle::look_up(&st, self.member, &self.write).await {
                Outcome::Happened(found) => {
                    self.finish(&st, found.clone()).await;
                    return found.response(false);
                }
                Outcome::DidNot => st.keys.release(self.member, &self.key).await,
                Outcome::Unknown => settle_later(st, self, Some(answer.clone())),
            }
        } else {
            self.finish(&st, answer.clone()).await;
        }
        drop(lease);
        answer.response(false)
    }

    async fn finish(&self, st: &AppState, answer: Recorded) {
        st.keys.finish(self.member, &self.key, answer).await;
    }
}

/// Keeps the key in flight for the settle window, then lets look-ups decide; after
/// [`SETTLE_ATTEMPTS`] that cannot tell, records `answer` (or frees the key without one).
fn settle_later(st: Arc<AppState>, keyed: Keyed, answer: Option<Recorded>) {
    let work = async move {
        let _lease = Lease::hold(&st, keyed.member, &keyed.key);
        let mut wait = st.config.idempotency_settle_window;
        for _ in 0..SETTLE_ATTEMPTS {
            tokio::time::sleep(wait).await;
            // Each look-up queues as the member's, with a deadline of its own: the request
            // that started the write has long been answered.
            let caller = Caller {
                member: keyed.member.user_id,
                deadline: tokio::time::Instant::now() + st.config.upstream_timeout,
            };
            let looked = caller::scope(caller, settle::look_up(&st, keyed.member, &keyed.write));
            match looked.await {
                Outcome::Happened(found) => return keyed.finish(&st, found).await,
                Outcome::DidNot => return st.keys.release(keyed.member, &keyed.key).await,
                Outcome::Unknown => wait = (wait * 2).min(Duration::from_secs(300)),
            }
        }
        tracing::warn!(
            member = keyed.member.user_id,
            "an uncertain write could not be looked up; its key keeps the answer as it was"
        );
        match answer {
            Some(answer) => keyed.finish(&st, answer).await,
            None => st.keys.release(keyed.member, &keyed.key).await,
        }
    };
    drop(spawn_keyed(None, work));
}
