//! The client of the Nexudus API: every forwarded call and every ownership check goes out
//! here, with the operator's credential in place of the member's session, and nothing else
//! from the member's request (no cookies, no forwarded headers).
//!
//! Calls take fair turns ([`crate::schedule`]) because Nexudus counts "1 per 100 ms" per
//! credential, and this credential is shared by every member; the wait for a turn counts
//! toward the request's one deadline ([`crate::caller`]). A 401 renews the operator's session once and
//! retries once. Answers are kept whole (status, body, `Content-Type`, `Retry-After`) so they
//! can pass through unchanged; anything else in them is dropped.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use crate::caller;
use crate::envelope;
use crate::operator::{CredentialError, Operator, TokenEndpoint};
use crate::schedule::{self, QueueFull, Turns};
use crate::secret::Secret;

/// The largest upstream answer the proxy reads (lists of up to 1000 records fit).
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// An upstream answer, kept whole to pass it through.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// Its `Content-Type`, if any.
    pub content_type: Option<HeaderValue>,
    /// Its `Retry-After`, if any.
    pub retry_after: Option<HeaderValue>,
    /// The body.
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.body).into_response();
        let headers = res.headers_mut();
        headers.remove(header::CONTENT_TYPE);
        if let Some(ct) = self.content_type {
            headers.insert(header::CONTENT_TYPE, ct);
        }
        if let Some(ra) = self.retry_after {
            headers.insert(header::RETRY_AFTER, ra);
        }
        res
    }
}

/// Why there is no upstream answer.
#[derive(Debug)]
pub enum UpstreamError {
    /// Connection refused, reset, DNS failure, unreadable or oversized answer.
    Unreachable,
    /// No answer in time.
    Timeout,
    /// No operator credential could be had.
    Credential(CredentialError),
    /// The member's own queue for the upstream is full.
    Busy(QueueFull),
}

impl IntoResponse for UpstreamError {
    fn into_response(self) -> Response {
        match self {
            UpstreamError::Unreachable => envelope::bad_gateway(),
            UpstreamError::Timeout => envelope::gateway_timeout(),
            UpstreamError::Credential(CredentialError::Unreachable) => envelope::bad_gateway(),
            UpstreamError::Credential(CredentialError::Timeout) => envelope::gateway_timeout(),
            UpstreamError::Busy(full) => envelope::too_many_queued(full.retry_after_secs),
            UpstreamError::Credential(_) => {
                envelope::internal("The server could not sign in to the Nexudus API.")
            }
        }
    }
}

/// The Nexudus API as the operator.
pub struct Upstream {
    http: reqwest::Client,
    base: String,
    turns: Arc<dyn Turns>,
    timeout: Duration,
    operator: Operator,
    metrics: Arc<crate::metrics::Metrics>,
}

impl Upstream {
    /// A client for `base` (no trailing slash) whose calls wait for `turns`, each answered
    /// within `timeout` of its request's arrival.
    pub fn new(
        http: reqwest::Client,
        base: &str,
        turns: Arc<dyn Turns>,
        timeout: Duration,
        operator: Operator,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Upstream {
        Upstream {
            http,
            base: base.to_string(),
            turns,
            timeout,
            operator,
            metrics,
        }
    }

    /// How many calls wait for an upstream slot in this process.
    pub fn queued(&self) -> usize {
        self.turns.queued()
    }

    /// How long a call made for no request may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The operator's credential (for its grant counters).
    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    /// Whether the operator's credential gives a token now (a fixed token always does; an
    /// API user signs in first if it has no current session).
    pub async fn credential_usable(&self) -> bool {
        self.operator.token(&self.token_endpoint()).await.is_ok()
    }

    fn token_endpoint(&self) -> TokenEndpoint {
        TokenEndpoint {
            http: self.http.clone(),
            url: format!("{}/api/token", self.base),
            turns: self.turns.clone(),
        }
    }

    /// Sends `method path_and_query` with an optional JSON body as the operator; on a 401,
    /// renews the operator's session once and retries once. Queued as the current
    /// [`caller`]'s call, answered by its deadline or [`UpstreamError::Timeout`].
    pub async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
    ) -> Result<Answer, UpstreamError> {
        let (member, deadline) = match caller::current() {
            Some(c) => (c.member, c.deadline),
            None => (schedule::OPERATOR, Instant::now() + self.timeout),
        };
        let sent = self.send_as(member, method, path_and_query, body);
        tokio::time::timeout_at(deadline, sent)
            .await
            .unwrap_or(Err(UpstreamError::Timeout))
    }

    async fn send_as(
        &self,
        member: u64,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
    ) -> Result<Answer, UpstreamError> {
        let endpoint = self.token_endpoint();
        let token = self
            .operator
            .token(&endpoint)
            .await
            .map_err(credential_failed)?;
        let answer = self
            .send_once(member, method.clone(), path_and_query, body.clone(), &token)
            .await?;
        if answer.status != StatusCode::UNAUTHORIZED {
            return Ok(answer);
        }
        match self
            .operator
            .renew_after_unauthorized(&endpoint, &token)
            .await
        {
            Ok(Some(fresh)) => {
                self.send_once(member, method, path_and_query, body, &fresh)
                    .await
            }
            Ok(None) => Ok(answer),
            Err(e) => {
                tracing::error!(error = %e, "operator credential could not be renewed after a 401");
                Ok(answer)
            }
        }
    }

    async fn send_once(
        &self,
        member: u64,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
        token: &Secret,
    ) -> Result<Answer, UpstreamError> {
        self.turns.turn(member).await.map_err(UpstreamError::Busy)?;
        let started = std::time::Instant::now();
        let method_name = method.as_str().to_string();
        let answer = self.call(method, path_and_query, body, token).await;
        self.metrics
            .upstream_call(&method_name, started.elapsed().as_secs_f64());
        answer
    }

    async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
        token: &Secret,
    ) -> Result<Answer, UpstreamError> {
        let mut request = self
            .http
            .request(method, format!("{}{path_and_query}", self.base))
            .header(header::AUTHORIZATION, format!("Bearer {}", token.expose()))
            .header(header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let mut res = request.send().await.map_err(transport_failed)?;
        let status = res.status();
        let content_type = res.headers().get(header::CONTENT_TYPE).cloned();
        let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(transport_failed)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(UpstreamError::Unreachable);
            }
            body.extend_from_slice(&chunk);
        }
        // An upstream (or a gateway before it) that echoes the request must not hand the
        // operator's token to a member: it is cut out of everything passed on.
        let secret = token.expose();
        let keep = |v: Option<HeaderValue>| v.filter(|v| !contains(v.as_bytes(), secret));
        Ok(Answer {
            status,
            content_type: keep(content_type),
            retry_after: keep(retry_after),
            body: scrub(body, secret),
        })
    }
}

/// What replaces a secret found in an upstream answer.
pub const REDACTED: &str = "[redacted]";

fn contains(haystack: &[u8], needle: &str) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
}

/// `body` with every occurrence of `secret` replaced by [`REDACTED`].
pub fn scrub(body: Vec<u8>, secret: &str) -> Bytes {
    if !contains(&body, secret) {
        return Bytes::from(body);
    }
    tracing::warn!("the upstream's answer held the operator's token; removed");
    let needle = secret.as_bytes();
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(needle) {
            out.extend_from_slice(REDACTED.as_bytes());
            i += needle.len();
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    Bytes::from(out)
}

fn transport_failed(e: reqwest::Error) -> UpstreamError {
    if e.is_timeout() {
        UpstreamError::Timeout
    } else {
        UpstreamError::Unreachable
    }
}

fn credential_failed(e: CredentialError) -> UpstreamError {
    tracing::error!(error = %e, "no operator credential");
    UpstreamError::Credential(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_every_occurrence() {
        let body = br#"{"a":"Bearer tok-1","b":"tok-1tok-1","c":"tok"}"#.to_vec();
        assert_eq!(
            &scrub(body, "tok-1")[..],
            br#"{"a":"Bearer [redacted]","b":"[redacted][redacted]","c":"tok"}"#
        );
        assert_eq!(&scrub(b"abc".to_vec(), "")[..], b"abc");
    }
}
