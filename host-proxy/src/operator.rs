//! The operator's API credential, which never leaves the server.
//!
//! Either a fixed token (`NEXUDUS_API_TOKEN`), sent as it is and never renewed, or an API
//! user (`NEXUDUS_USERNAME` + `NEXUDUS_PASSWORD`) signed in through `POST /api/token`
//! (`grant_type=password`). A signed-in session is renewed with `grant_type=refresh_token`
//! (the refresh token rotates) shortly before `expires_in` runs out, and once more when a
//! forwarded call meets a 401; when the refresh is refused it signs in again with the
//! password. One renewal runs at a time, as its own task: concurrent requests wait for it and
//! share its result. After a failure (refused, unreachable, timed out) no new sign-in is made
//! for a back-off that starts at [`FIRST_BACKOFF`] and doubles with each failure in a row up
//! to [`MAX_BACKOFF`]; meanwhile requests are refused with that failure at once. So a wrong
//! or hanging sign-in costs one `/api/token` call per back-off, not one per waiting request
//! (which is also how API accounts get locked).
//!
//! Every token is a [`Secret`]; an error names the status or the OAuth `error` code only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt as _, Shared};
use serde::Deserialize;
use serde_json::Value;
use tokio::time::Instant;

use crate::config::OperatorCredential;
use crate::schedule::{Turns, OPERATOR};
use crate::secret::Secret;

/// Why no credential could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialError {
    /// `POST /api/token` refused the credential (status and OAuth `error`, if any).
    Refused(u16, Option<String>),
    /// The token endpoint could not be reached.
    Unreachable,
    /// The token endpoint did not answer in time.
    Timeout,
    /// The answer was not a token.
    Unreadable,
}

impl std::fmt::Display for CredentialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialError::Refused(status, Some(code)) => {
                write!(f, "the sign-in was refused ({status}, {code})")
            }
            CredentialError::Refused(status, None) => {
                write!(f, "the sign-in was refused ({status})")
            }
            CredentialError::Unreachable => f.write_str("the token endpoint could not be reached"),
            CredentialError::Timeout => f.write_str("the token endpoint did not answer in time"),
            CredentialError::Unreadable => {
                f.write_str("the token endpoint's answer was unreadable")
            }
        }
    }
}

/// The longest a session is used before it is renewed, whatever `expires_in` says.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The wait after a first failed sign-in; it doubles with each failure in a row.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(2);
/// The longest wait between sign-ins that keep failing.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

struct Session {
    access: Secret,
    refresh: Option<Secret>,
    renew_at: Instant,
}

/// The last sign-in failed: until `until`, every request is told so without a new attempt.
struct Failure {
    error: CredentialError,
    until: Instant,
    backoff: Duration,
}

/// A sign-in under way, shared by everyone waiting for it.
type Flight = Shared<BoxFuture<'static, Result<Secret, CredentialError>>>;

#[derive(Default)]
struct State {
    session: Option<Session>,
    flight: Option<Flight>,
    failure: Option<Failure>,
}

#[derive(Default)]
struct Grants {
    password: AtomicU64,
    refresh: AtomicU64,
}

/// The credential and, for an API user, the current session.
pub struct Operator {
    credential: OperatorCredential,
    state: Arc<Mutex<State>>,
    grants: Arc<Grants>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    refresh_token: Option<String>,
}

/// Where and how to reach the token endpoint.
#[derive(Clone)]
pub struct TokenEndpoint {
    /// The HTTP client.
    pub http: reqwest::Client,
    /// `{upstream}/api/token`.
    pub url: String,
    /// The turns shared with every upstream request.
    pub turns: Arc<dyn Turns>,
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    /// The failure still in its back-off window, if any.
    fn failing(&self, now: Instant) -> Option<CredentialError> {
        self.failure
            .as_ref()
            .filter(|f| now < f.until)
            .map(|f| f.error.clone())
    }

    /// The current session's token, if it is not due for renewal.
    fn current(&self, now: Instant) -> Option<Secret> {
        self.session
            .as_ref()
            .filter(|s| now < s.renew_at)
            .map(|s| s.access.clone())
    }

    /// Records the end of a sign-in.
    fn settle(
        &mut self,
        result: Result<Session, CredentialError>,
    ) -> Result<Secret, CredentialError> {
        self.flight = None;
        match result {
            Ok(session) => {
                let access = session.access.clone();
                self.session = Some(session);
                self.failure = None;
                Ok(access)
            }
            Err(error) => {
                let backoff = self
                    .failure
                    .as_ref()
                    .map_or(FIRST_BACKOFF, |f| (f.backoff * 2).min(MAX_BACKOFF));
                tracing::error!(error = %error, backoff_s = backoff.as_secs(), "operator sign-in failed; not retried before the back-off");
                self.failure = Some(Failure {
                    error: error.clone(),
                    until: Instant::now() + backoff,
                    backoff,
                });
                Err(error)
            }
        }
    }
}

impl Operator {
    /// An operator with `credential`; an API user signs in on first use.
    pub fn new(credential: OperatorCredential) -> Operator {
        Operator {
            credential,
            state: Arc::default(),
            grants: Arc::default(),
        }
    }

    /// How many password grants and refresh grants were made (for tests and logs).
    pub fn grants(&self) -> (u64, u64) {
        (
            self.grants.password.load(Ordering::Relaxed),
            self.grants.refresh.load(Ordering::Relaxed),
        )
    }

    /// The token to send now, signing in or renewing first when needed. One sign-in runs at
    /// a time and every request waiting shares its result; after a failure, requests are
    /// refused with it at once until the back-off has passed.
    pub async fn token(&self, endpoint: &TokenEndpoint) -> Result<Secret, CredentialError> {
        if let OperatorCredential::Token(token) = &self.credential {
            return Ok(token.clone());
        }
        let flight = {
            let mut state = lock(&self.state);
            let now = Instant::now();
            if let Some(access) = state.current(now) {
                return Ok(access);
            }
            if let Some(error) = state.failing(now) {
                return Err(error);
            }
            self.join_or_start(&mut state, endpoint)
        };
        flight.await
    }

    /// After a 401 to `stale`: a renewed token to retry with, or `None` when the credential
    /// is a fixed token (nothing to renew). If another request already renewed it, that
    /// token is returned without a new grant.
    pub async fn renew_after_unauthorized(
        &self,
        endpoint: &TokenEndpoint,
        stale: &Secret,
    ) -> Result<Option<Secret>, CredentialError> {
        if let OperatorCredential::Token(_) = &self.credential {
            return Ok(None);
        }
        let flight = {
            let mut state = lock(&self.state);
            let now = Instant::now();
            if let Some(access) = state.current(now).filter(|a| a != stale) {
                return Ok(Some(access));
            }
            if let Some(error) = state.failing(now) {
                return Err(error);
            }
            self.join_or_start(&mut state, endpoint)
        };
        flight.await.map(Some)
    }

    /// The sign-in under way, or a new one. It runs as its own task, so a request that stops
    /// waiting (its deadline passed, its client went away) does not cancel it for the others.
    fn join_or_start(&self, state: &mut State, endpoint: &TokenEndpoint) -> Flight {
        if let Some(flight) = &state.flight {
            return flight.clone();
        }
        let OperatorCredential::Password { username, password } = self.credential.clone() else {
            return futures_util::future::ready(Err(CredentialError::Unreadable))
                .boxed()
                .shared();
        };
        let refresh = state.session.as_ref().and_then(|s| s.refresh.clone());
        let (shared, grants, endpoint) =
            (self.state.clone(), self.grants.clone(), endpoint.clone());
        let task = tokio::spawn(async move {
            let result = renew(&endpoint, &grants, refresh, &username, &password).await;
            lock(&shared).settle(result)
        });
        let flight = async move { task.await.unwrap_or(Err(CredentialError::Unreachable)) }
            .boxed()
            .shared();
        state.flight = Some(flight.clone());
        flight
    }
}

/// A refresh grant when there is a refresh token, else (or when it is refused) a password
/// grant.
async fn renew(
    endpoint: &TokenEndpoint,
    grants: &Grants,
    refresh: Option<Secret>,
    username: &Secret,
    password: &Secret,
) -> Result<Session, CredentialError> {
    if let Some(refresh) = refresh {
        grants.refresh.fetch_add(1, Ordering::Relaxed);
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
        ];
        match grant(endpoint, &form).await {
            Ok(session) => return Ok(session),
            Err(CredentialError::Refused(status, code)) => {
                tracing::warn!(status, code = ?code, "refresh grant refused; signing in again");
            }
            Err(other) => return Err(other),
        }
    }
    grants.password.fetch_add(1, Ordering::Relaxed);
    let form = [
        ("grant_type", "password"),
        ("username", username.expose()),
        ("password", password.expose()),
    ];
    grant(endpoint, &form).await
}

/// `POST /api/token` with a form; the session it gives.
async fn grant(
    endpoint: &TokenEndpoint,
    form: &[(&str, &str)],
) -> Result<Session, CredentialError> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    if endpoint.turns.turn(OPERATOR).await.is_err() {
        return Err(CredentialError::Unreachable);
    }
    let sent = endpoint
        .http
        .post(&endpoint.url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(body)
        .send()
        .await;
    let res = sent.map_err(|e| {
        if e.is_timeout() {
            CredentialError::Timeout
        } else {
            CredentialError::Unreachable
        }
    })?;
    let status = res.status().as_u16();
    let bytes = res.bytes().await.map_err(|_| CredentialError::Unreadable)?;
    if !(200..300).contains(&status) {
        let code = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string))
            .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_graphic()));
        return Err(CredentialError::Refused(status, code));
    }
    let answer: TokenAnswer =
        serde_json::from_slice(&bytes).map_err(|_| CredentialError::Unreadable)?;
    if answer.access_token.is_empty() {
        return Err(CredentialError::Unreadable);
    }
    // Whatever the answer says, a session is renewed at least once a day.
    let lifetime = answer
        .expires_in
        .as_ref()
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
        .map_or(Duration::from_secs(3600), Duration::from_secs)
        .min(MAX_LIFETIME);
    Ok(Session {
        access: Secret::new(answer.access_token),
        refresh: answer
            .refresh_token
            .filter(|r| !r.is_empty())
            .map(Secret::new),
        renew_at: Instant::now() + (lifetime - renewal_margin(lifetime)),
    })
}

/// How long before expiry a session is renewed: a quarter of its life, at most a minute.
fn renewal_margin(lifetime: Duration) -> Duration {
    (lifetime / 4).min(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_doubling_until_a_success() {
        let mut state = State::default();
        let refused = CredentialError::Refused(400, None);
        for expected in [2, 4, 8] {
            assert!(state.settle(Err(refused.clone())).is_err());
            let backoff = state.failure.as_ref().unwrap().backoff;
            assert_eq!(backoff, Duration::from_secs(expected));
            assert_eq!(state.failing(Instant::now()), Some(refused.clone()));
            tokio::time::advance(backoff).await;
            assert_eq!(state.failing(Instant::now()), None);
        }
        let session = Session {
            access: Secret::new("a"),
            refresh: None,
            renew_at: Instant::now() + Duration::from_secs(60),
        };
        assert!(state.settle(Ok(session)).is_ok());
        assert!(state.failure.is_none());
        assert_eq!(state.current(Instant::now()), Some(Secret::new("a")));
    }

    #[test]
    fn renews_ahead_of_expiry() {
        assert_eq!(
            renewal_margin(Duration::from_secs(3600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            renewal_margin(Duration::from_secs(4)),
            Duration::from_secs(1)
        );
        let e = CredentialError::Refused(400, Some("invalid_grant".into()));
        assert_eq!(
            e.to_string(),
            "the sign-in was refused (400, invalid_grant)"
        );
    }
}
