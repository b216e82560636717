//! The operator's API credential, which never leaves the server.
//!
//! Either a fixed token (`NEXUDUS_API_TOKEN`), sent as it is and never renewed, or an API
//! user (`NEXUDUS_USERNAME` + `NEXUDUS_PASSWORD`) signed in through `POST /api/token`
//! (`grant_type=password`). A signed-in session is renewed with `grant_type=refresh_token`
//! (the refresh token rotates) shortly before `expires_in` runs out, and once more when a
//! forwarded call meets a 401; when the refresh is refused it signs in again with the
//! password. One renewal runs at a time: concurrent requests wait for it and share its result.
//!
//! Every token is a [`Secret`]; an error names the status or the OAuth `error` code only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;
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

struct Session {
    access: Secret,
    refresh: Option<Secret>,
    renew_at: Instant,
}

/// The credential and, for an API user, the current session.
pub struct Operator {
    credential: OperatorCredential,
    session: Mutex<Option<Session>>,
    password_grants: AtomicU64,
    refresh_grants: AtomicU64,
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
pub struct TokenEndpoint<'a> {
    /// The HTTP client.
    pub http: &'a reqwest::Client,
    /// `{upstream}/api/token`.
    pub url: String,
    /// The turns shared with every upstream request.
    pub turns: &'a dyn Turns,
}

impl Operator {
    /// An operator with `credential`; an API user signs in on first use.
    pub fn new(credential: OperatorCredential) -> Operator {
        Operator {
            credential,
            session: Mutex::new(None),
            password_grants: AtomicU64::new(0),
            refresh_grants: AtomicU64::new(0),
        }
    }

    /// How many password grants and refresh grants were made (for tests and logs).
    pub fn grants(&self) -> (u64, u64) {
        (
            self.password_grants.load(Ordering::Relaxed),
            self.refresh_grants.load(Ordering::Relaxed),
        )
    }

    /// The token to send now, signing in or renewing first when needed.
    pub async fn token(&self, endpoint: &TokenEndpoint<'_>) -> Result<Secret, CredentialError> {
        let (username, password) = match &self.credential {
            OperatorCredential::Token(token) => return Ok(token.clone()),
            OperatorCredential::Password { username, password } => (username, password),
        };
        let mut session = self.session.lock().await;
        if let Some(current) = session.as_ref() {
            if Instant::now() < current.renew_at {
                return Ok(current.access.clone());
            }
        }
        let renewed = self
            .renew(endpoint, session.as_ref(), username, password)
            .await?;
        let access = renewed.access.clone();
        *session = Some(renewed);
        Ok(access)
    }

    /// After a 401 to `stale`: a renewed token to retry with, or `None` when the credential
    /// is a fixed token (nothing to renew). If another request already renewed it, that
    /// token is returned without a new grant.
    pub async fn renew_after_unauthorized(
        &self,
        endpoint: &TokenEndpoint<'_>,
        stale: &Secret,
    ) -> Result<Option<Secret>, CredentialError> {
        let (username, password) = match &self.credential {
            OperatorCredential::Token(_) => return Ok(None),
            OperatorCredential::Password { username, password } => (username, password),
        };
        let mut session = self.session.lock().await;
        if let Some(current) = session.as_ref() {
            if current.access != *stale && Instant::now() < current.renew_at {
                return Ok(Some(current.access.clone()));
            }
        }
        let renewed = self
            .renew(endpoint, session.as_ref(), username, password)
            .await?;
        let access = renewed.access.clone();
        *session = Some(renewed);
        Ok(Some(access))
    }

    /// A refresh grant when there is a refresh token, else (or when it is refused) a
    /// password grant.
    async fn renew(
        &self,
        endpoint: &TokenEndpoint<'_>,
        current: Option<&Session>,
        username: &Secret,
        password: &Secret,
    ) -> Result<Session, CredentialError> {
        if let Some(refresh) = current.and_then(|s| s.refresh.as_ref()) {
            self.refresh_grants.fetch_add(1, Ordering::Relaxed);
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
        self.password_grants.fetch_add(1, Ordering::Relaxed);
        let form = [
            ("grant_type", "password"),
            ("username", username.expose()),
            ("password", password.expose()),
        ];
        grant(endpoint, &form).await
    }
}

/// `POST /api/token` with a form; the session it gives.
async fn grant(
    endpoint: &TokenEndpoint<'_>,
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
