//! The client of the Nexudus API: every forwarded call and every ownership check goes out
//! here, with the operator's credential in place of the member's session, and nothing else
//! from the member's request (no cookies, no forwarded headers).
//!
//! Calls are spaced by [`Pacer`] because Nexudus counts "1 per 100 ms" per credential, and
//! this credential is shared by every member. A 401 renews the operator's session once and
//! retries once. Answers are kept whole (status, body, `Content-Type`, `Retry-After`) so they
//! can pass through unchanged; anything else in them is dropped.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use crate::envelope;
use crate::operator::{CredentialError, Operator, TokenEndpoint};
use crate::secret::Secret;

/// The largest upstream answer the proxy reads (lists of up to 1000 records fit).
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// Spaces requests: each waits for a slot at least `spacing` after the previous one.
pub struct Pacer {
    spacing: Duration,
    next: std::sync::Mutex<Instant>,
}

impl Pacer {
    /// A pacer with `spacing` between slots (zero: no waiting).
    pub fn new(spacing: Duration) -> Pacer {
        Pacer {
            spacing,
            next: std::sync::Mutex::new(Instant::now()),
        }
    }

    /// Waits for this request's slot.
    pub async fn wait_turn(&self) {
        if self.spacing.is_zero() {
            return;
        }
        let slot = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let slot = (*next).max(Instant::now());
            *next = slot + self.spacing;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

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
}

impl IntoResponse for UpstreamError {
    fn into_response(self) -> Response {
        match self {
            UpstreamError::Unreachable => envelope::bad_gateway(),
            UpstreamError::Timeout => envelope::gateway_timeout(),
            UpstreamError::Credential(CredentialError::Unreachable) => envelope::bad_gateway(),
            UpstreamError::Credential(CredentialError::Timeout) => envelope::gateway_timeout(),
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
    pacer: Pacer,
    operator: Operator,
}

impl Upstream {
    /// A client for `base` (no trailing slash).
    pub fn new(
        http: reqwest::Client,
        base: &str,
        spacing: Duration,
        operator: Operator,
    ) -> Upstream {
        Upstream {
            http,
            base: base.to_string(),
            pacer: Pacer::new(spacing),
            operator,
        }
    }

    /// The operator's credential (for its grant counters).
    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    fn token_endpoint(&self) -> TokenEndpoint<'_> {
        TokenEndpoint {
            http: &self.http,
            url: format!("{}/api/token", self.base),
            pacer: &self.pacer,
        }
    }

    /// Sends `method path_and_query` with an optional JSON body as the operator; on a 401,
    /// renews the operator's session once and retries once.
    pub async fn send(
        &self,
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
            .send_once(method.clone(), path_and_query, body.clone(), &token)
            .await?;
        if answer.status != StatusCode::UNAUTHORIZED {
            return Ok(answer);
        }
        match self
            .operator
            .renew_after_unauthorized(&endpoint, &token)
            .await
        {
            Ok(Some(fresh)) => self.send_once(method, path_and_query, body, &fresh).await,
            Ok(None) => Ok(answer),
            Err(e) => {
                tracing::error!(error = %e, "operator credential could not be renewed after a 401");
                Ok(answer)
            }
        }
    }

    async fn send_once(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Bytes>,
        token: &Secret,
    ) -> Result<Answer, UpstreamError> {
        self.pacer.wait_turn().await;
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
        Ok(Answer {
            status,
            content_type,
            retry_after,
            body: Bytes::from(body),
        })
    }
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

    #[tokio::test(start_paused = true)]
    async fn pacer_spaces_slots() {
        let pacer = Pacer::new(Duration::from_millis(100));
        let start = Instant::now();
        pacer.wait_turn().await;
        pacer.wait_turn().await;
        pacer.wait_turn().await;
        assert!(start.elapsed() >= Duration::from_millis(200));
        assert!(start.elapsed() < Duration::from_millis(300));
    }
}
