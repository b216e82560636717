//! Fault injection (only with `--enable-faults`).
//!
//! `POST /_sandbox/faults` takes one fault or an array of them:
//!
//! ```json
//! {"method":"POST","path":"/api/community/communitythreadfiles","count":1,"delayMs":0,
//!  "status":500,"body":"{\"Message\":\"An error has occurred.\"}",
//!  "contentType":"application/json","drop":false,"headers":{"Retry-After":"1"}}
//! ```
//!
//! For the next `count` (default 1) requests whose path equals `path` exactly (the query
//! string is ignored) and whose method equals `method` (optional: any method), the sandbox
//! first waits `delayMs`, then:
//! - with `drop: true`, closes the connection without answering;
//! - with `dropAfterHandling: true`, runs the real handler (so a create takes effect) and
//!   then closes the connection without answering: the answer is lost, as on a flaky
//!   network, which is what a client must survive without creating twice;
//! - with `failAfterHandling: true`, runs the real handler (so a create takes effect) and then
//!   answers `status` (default 500) with `body` (default live Nexudus's generic 500 body,
//!   `{"Message":"Ooops! There was a problem while running this action. Please try again
//!   later."}`), `contentType` and `headers` as below: the record exists although the answer
//!   says it failed, as after the live API's generic 500 [seen, nexudus-api.md "Failures seen in
//!   the wild": "After a 500 on a create, the record may or may not exist"]. With either
//!   of these two, a request the rate limiter refuses gets the limiter's answer and leaves the
//!   fault armed for the next one: the server never took it, so it cannot have acted;
//! - with `status` (alone), answers `status` with `body` (default empty), `contentType`
//!   (default: none for an empty body, `application/json` for a body that parses as JSON, else
//!   `text/plain`) and `headers`, instead of the real handler;
//! - with none of these, runs the real handler (a pure delay).
//!
//! Which request a fault hits can be narrowed further:
//! - `skip: N` lets the first N matching requests through untouched, so the fault hits the
//!   (N+1)th: `{"method":"POST","path":"/api/community/communitythreadfiles","skip":1,
//!   "status":500}` fails exactly the second attach (a request let through consumes nothing
//!   else: no later fault applies to it). Requests are counted before authentication and
//!   throttling, so one the limiter then refuses with a 409 counts too: with throttling on,
//!   `whenBody` is the surer aim;
//! - `whenBody: {"Name": "b.png"}` matches only requests whose JSON body has each listed
//!   property (name case-insensitive) equal to the given value (`null`: absent or null), so a
//!   fault can name the attach of one file whatever the order.
//!
//! With `fieldErrors` (see the `fault_fields` module) the answer is the API's validation
//! envelope naming those properties, with what the request sent as `AttemptedValue`:
//! `{"method":"POST","path":"/api/community/communitythreadfiles","skip":1,
//! "fieldErrors":[{"propertyName":"Name","message":"is not allowed"}]}`. It excludes `body`,
//! `contentType`, `drop` and `dropAfterHandling`; its status is 400 unless `status` says
//! otherwise (also with `failAfterHandling`).
//!
//! With `delayAfterHandling: true`, the `delayMs` wait comes after the real handler ran
//! (alone, or with `dropAfterHandling` / `failAfterHandling`): the record exists while the
//! answer is slow, so a client that gives up (cancels, times out, is torn down) meanwhile
//! must not assume nothing happened.
//!
//! For example, a conversation created but answered with the generic 500:
//!
//! ```json
//! {"method":"POST","path":"/api/community/communitythreads","failAfterHandling":true}
//! ```
//!
//! The throttled answer seen in the wild besides the documented 409 [seen, nexudus-api.md
//! "Failures seen in the wild"], HTTP 429 with no `Retry-After` and the wait only in the text,
//! is a plain status fault (or the whole limiter's answer with `--throttle-status 429`):
//!
//! ```json
//! {"method":"POST","path":"/api/community/communitythreads","status":429,
//!  "body":"{\"Message\":\"You have made too many requests. Wait 5 seconds and try again.\"}"}
//! ```
//!
//! While faults are enabled, connections are not kept alive (`Connection: close`): Chrome
//! resends a request once, silently, when a reused keep-alive connection closes without an
//! answer, which would hide a `drop` from the page under test.
//!
//! Faults are matched in the order they were added; each request consumes at most one. They
//! apply to every path except `/_sandbox/...`, before authentication and throttling, and
//! after CORS (so a preflight never consumes a fault and a faked answer carries CORS headers).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::fault_fields::{self, FieldErrorSpec};
use crate::server::ConnControl;
use crate::throttle::Refused;
use crate::{lock, AppState};

/// Longest delay a fault may ask for (5 minutes).
const MAX_DELAY_MS: u64 = 300_000;

/// One fault, as posted (camelCase).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match; none = any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Exact path to match, e.g. `/api/community/communitythreadfiles`.
    pub path: String,
    /// How many requests it applies to (remaining, when listed).
    #[serde(default = "one")]
    pub count: u32,
    /// Wait before acting.
    #[serde(default)]
    pub delay_ms: u64,
    /// Status to answer instead of the real handler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Body of that answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Content type of that answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Close the connection without answering.
    #[serde(default)]
    pub drop: bool,
    /// Run the real handler, then close the connection without answering.
    #[serde(default)]
    pub drop_after_handling: bool,
    /// Run the real handler, then answer `status` (default 500) with `body` (default the
    /// generic 500 body).
    #[serde(default)]
    pub fail_after_handling: bool,
    /// Wait `delayMs` after the real handler ran rather than before.
    #[serde(default)]
    pub delay_after_handling: bool,
    /// Extra headers of that answer.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Matching requests let through untouched before the fault applies (remaining, when
    /// listed).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skip: u32,
    /// Properties the JSON body must have, with these values, for the fault to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_body: Option<Map<String, Value>>,
    /// Answer the validation envelope with these field errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldErrorSpec>,
}

fn one() -> u32 {
    1
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl FaultSpec {
    /// Checks a posted fault; the error explains what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if !self.path.starts_with('/') {
            return Err(format!("path must start with '/': {:?}", self.path));
        }
        if let Some(m) = &self.method {
            if m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(format!("method is not an HTTP method: {m:?}"));
            }
        }
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        if self.delay_ms > MAX_DELAY_MS {
            return Err(format!("delayMs must be at most {MAX_DELAY_MS}"));
        }
        let answers_instead = self.status.is_some() || !self.field_errors.is_empty();
        if self.delay_after_handling && (self.drop || answers_instead && !self.fail_after_handling)
        {
            return Err("delayAfterHandling needs the real handler to run".into());
        }
        if [
            self.drop,
            self.drop_after_handling,
            self.fail_after_handling,
        ]
        .iter()
        .filter(|&&set| set)
        .count()
            > 1
            || ((self.drop || self.drop_after_handling) && self.status.is_some())
        {
            return Err(
                "drop, dropAfterHandling, failAfterHandling and status exclude each other (except failAfterHandling with a status)"
                    .into(),
            );
        }
        if !self.field_errors.is_empty()
            && (self.body.is_some()
                || self.content_type.is_some()
                || self.drop
                || self.drop_after_handling)
        {
            return Err(
                "fieldErrors excludes body, contentType, drop and dropAfterHandling".into(),
            );
        }
        for entry in &self.field_errors {
            entry.validate()?;
        }
        if self.when_body.as_ref().is_some_and(Map::is_empty) {
            return Err("whenBody needs at least one property".into());
        }
        if let Some(s) = self.status {
            if !(100..=599).contains(&s) {
                return Err(format!("status must be between 100 and 599: {s}"));
            }
        }
        if (self.body.is_some() || self.content_type.is_some() || !self.headers.is_empty())
            && self.status.is_none()
            && !self.fail_after_handling
            && self.field_errors.is_empty()
        {
            return Err(
                "body, contentType and headers need a status, failAfterHandling or fieldErrors"
                    .into(),
            );
        }
        if let Some(ct) = &self.content_type {
            HeaderValue::from_str(ct).map_err(|_| format!("invalid contentType: {ct:?}"))?;
        }
        for (k, v) in &self.headers {
            HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| format!("invalid header name: {k:?}"))?;
            HeaderValue::from_str(v).map_err(|_| format!("invalid value for header {k}"))?;
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.path == path
            && self
                .method
                .as_ref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }

    /// Whether the fault needs the request's body to match it or to answer.
    fn reads_body(&self) -> bool {
        self.when_body.is_some() || !self.field_errors.is_empty()
    }

    /// The fault's answer, `status` being the default one of its kind when it names none.
    fn answer(&self, status: u16, body: Option<&Map<String, Value>>) -> Response {
        if self.field_errors.is_empty() {
            return self.response(status);
        }
        let status =
            StatusCode::from_u16(self.status.unwrap_or(400)).unwrap_or(StatusCode::BAD_REQUEST);
        let mut res = fault_fields::answer(&self.field_errors, body, status);
        self.add_headers(&mut res);
        res
    }

    fn add_headers(&self, res: &mut Response) {
        for (k, v) in &self.headers {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                res.headers_mut().insert(k, v);
            }
        }
    }

    fn response(&self, status: u16) -> Response {
        let default_body = if self.fail_after_handling {
            crate::envelope::GENERIC_500_BODY
        } else {
            ""
        };
        let body = self.body.clone().unwrap_or_else(|| default_body.into());
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let content_type = match &self.content_type {
            Some(ct) => Some(ct.clone()),
            None if body.is_empty() => None,
            None if serde_json::from_str::<serde_json::Value>(&body).is_ok() => {
                Some(crate::envelope::JSON_CONTENT_TYPE.to_string())
            }
            None => Some("text/plain; charset=utf-8".to_string()),
        };
        let mut res = (status, body).into_response();
        let headers = res.headers_mut();
        headers.remove(header::CONTENT_TYPE);
        if let Some(ct) = content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
            headers.insert(header::CONTENT_TYPE, ct);
        }
        self.add_headers(&mut res);
        res
    }
}

/// The pending faults.
#[derive(Default)]
pub struct Faults {
    pending: Vec<FaultSpec>,
}

impl Faults {
    /// Adds faults at the end of the queue.
    pub fn add(&mut self, specs: Vec<FaultSpec>) {
        self.pending.extend(specs);
    }

    /// The pending faults, with their remaining counts.
    pub fn list(&self) -> Vec<FaultSpec> {
        self.pending.clone()
    }

    /// Removes every fault; returns how many there were.
    pub fn clear(&mut self) -> usize {
        std::mem::take(&mut self.pending).len()
    }

    /// Whether a pending fault for this request needs its body.
    fn reads_body(&self, method: &str, path: &str) -> bool {
        self.pending
            .iter()
            .any(|f| f.matches(method, path) && f.reads_body())
    }

    /// Consumes one use of the first fault matching the request (`body`: its JSON object,
    /// when read); a fault still skipping lets the request through and counts it.
    fn take(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Map<String, Value>>,
    ) -> Option<FaultSpec> {
        let i = self.pending.iter().position(|f| {
            f.matches(method, path)
                && f.when_body
                    .as_ref()
                    .is_none_or(|wanted| fault_fields::body_matches(wanted, body))
        })?;
        if self.pending[i].skip > 0 {
            self.pending[i].skip -= 1;
            return None;
        }
        let fault = self.pending[i].clone();
        if fault.count <= 1 {
            self.pending.remove(i);
        } else {
            self.pending[i].count -= 1;
        }
        Some(fault)
    }

    /// Puts back, first in line and for one more request, a fault taken for a request it did
    /// not apply to.
    fn give_back(&mut self, mut fault: FaultSpec) {
        fault.count = 1;
        fault.skip = 0;
        self.pending.insert(0, fault);
    }
}

/// Middleware applying the pending faults.
pub async fn inject(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    let reads_body = lock(&st.faults).reads_body(req.method().as_str(), req.uri().path());
    let (req, body) = if reads_body {
        match buffered(req, st.config.effective_body_limit()).await {
            Ok(read) => read,
            Err(answer) => return answer,
        }
    } else {
        (req, None)
    };
    let fault = lock(&st.faults).take(req.method().as_str(), req.uri().path(), body.as_ref());
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    let delay = Duration::from_millis(fault.delay_ms);
    if !fault.delay_after_handling {
        tokio::time::sleep(delay).await;
    }
    // The real handler, then the wait when it comes after.
    let handle = |req: Request| async {
        let response = next.run(req).await;
        if fault.delay_after_handling {
            tokio::time::sleep(delay).await;
        }
        response
    };
    // A failure after the server acted needs a request the server took: one the rate limiter
    // refused never reached it (live Nexudus answers those at once), so the limiter's answer
    // goes out as it is and the fault waits for the next matching request.
    if fault.drop_after_handling {
        if let Some(conn) = req.extensions().get::<ConnControl>().cloned() {
            let lost = handle(req).await;
            if lost.extensions().get::<Refused>().is_some() {
                lock(&st.faults).give_back(fault);
                return lost;
            }
            conn.kill();
            std::future::pending::<()>().await;
        }
        return (
            StatusCode::OK,
            axum::body::Body::from_stream(futures_once_error()),
        )
            .into_response();
    }
    if fault.fail_after_handling {
        let discarded = handle(req).await;
        if discarded.extensions().get::<Refused>().is_some() {
            lock(&st.faults).give_back(fault);
            return discarded;
        }
        return fault.answer(fault.status.unwrap_or(500), body.as_ref());
    }
    if fault.drop {
        if let Some(conn) = req.extensions().get::<ConnControl>() {
            conn.kill();
            // The connection task drops this request (and the socket) right away.
            std::future::pending::<()>().await;
        }
        // Without a connection handle (a router used on its own), an answer whose body fails
        // makes hyper abort the connection.
        let body = axum::body::Body::from_stream(futures_once_error());
        return (StatusCode::OK, body).into_response();
    }
    if !fault.field_errors.is_empty() {
        return fault.answer(400, body.as_ref());
    }
    match fault.status {
        Some(status) => fault.response(status),
        None => handle(req).await,
    }
}

/// Reads the whole body (at most `limit` bytes) and rebuilds the request around it; the
/// body's JSON object, if it is one, comes alongside.
#[allow(clippy::result_large_err)]
async fn buffered(
    req: Request,
    limit: u64,
) -> Result<(Request, Option<Map<String, Value>>), Response> {
    let (parts, body) = req.into_parts();
    let bytes = crate::body::read_limited(body, limit).await.map_err(|_| {
        crate::envelope::request_error(
            StatusCode::BAD_REQUEST,
            "The request body could not be read.",
        )
    })?;
    let object = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), object))
}

/// A body stream that fails at once.
fn futures_once_error(
) -> impl futures_core::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send + 'static {
    FailingStream
}

struct FailingStream;

impl futures_core::Stream for FailingStream {
    type Item = Result<axum::body::Bytes, std::io::Error>;
    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::other(
            "connection dropped by a fault",
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> FaultSpec {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn validates_and_consumes() {
        assert!(spec(r#"{"path":"x"}"#).validate().is_err());
        assert!(spec(r#"{"path":"/x","drop":true,"status":500}"#)
            .validate()
            .is_err());
        assert!(spec(r#"{"path":"/x","count":0}"#).validate().is_err());
        assert!(
            spec(r#"{"path":"/x","dropAfterHandling":true,"drop":true}"#)
                .validate()
                .is_err()
        );
        assert!(spec(r#"{"path":"/x","dropAfterHandling":true}"#)
            .validate()
            .is_ok());
        assert!(spec(r#"{"path":"/x","body":"a"}"#).validate().is_err());
        assert!(spec(r#"{"path":"/x","failAfterHandling":true}"#)
            .validate()
            .is_ok());
        assert!(
            spec(r#"{"path":"/x","failAfterHandling":true,"status":502,"body":"x"}"#)
                .validate()
                .is_ok()
        );
        assert!(
            spec(r#"{"path":"/x","failAfterHandling":true,"dropAfterHandling":true}"#)
                .validate()
                .is_err()
        );
        assert!(
            spec(r#"{"path":"/x","failAfterHandling":true,"drop":true}"#)
                .validate()
                .is_err()
        );
        assert!(
            spec(r#"{"path":"/x","dropAfterHandling":true,"status":500}"#)
                .validate()
                .is_err()
        );
        assert!(spec(r#"{"path":"/x","status":99}"#).validate().is_err());
        assert!(serde_json::from_str::<FaultSpec>(r#"{"path":"/x","sttus":1}"#).is_err());
        let mut f = Faults::default();
        f.add(vec![
            spec(r#"{"path":"/a","method":"post","count":2}"#),
            spec(r#"{"path":"/a"}"#),
        ]);
        assert!(f.take("GET", "/b", None).is_none());
        assert_eq!(f.take("GET", "/a", None).map(|s| s.method), Some(None));
        assert!(f.take("POST", "/a", None).is_some());
        assert_eq!(f.list()[0].count, 1);
        assert!(f.take("POST", "/a", None).is_some());
        assert!(f.take("POST", "/a", None).is_none());
        assert_eq!(f.clear(), 0);
    }

    #[test]
    fn skips_and_matches_bodies() {
        let mut f = Faults::default();
        f.add(vec![
            spec(r#"{"path":"/f","whenBody":{"Name":"c.png"},"status":500}"#),
            spec(r#"{"path":"/f","skip":1,"status":502}"#),
        ]);
        let body = |name: &str| serde_json::json!({ "name": name }).as_object().cloned();
        assert!(f.reads_body("POST", "/f") && !f.reads_body("POST", "/g"));
        assert!(
            f.take("POST", "/f", body("a.png").as_ref()).is_none(),
            "skipped"
        );
        assert_eq!(f.list()[1].skip, 0);
        let second = f.take("POST", "/f", body("b.png").as_ref());
        assert_eq!(second.and_then(|s| s.status), Some(502));
        let named = f.take("POST", "/f", body("c.png").as_ref());
        assert_eq!(named.and_then(|s| s.status), Some(500));
        assert!(f.list().is_empty());
    }

    #[test]
    fn validates_field_error_faults() {
        assert!(spec(r#"{"path":"/x","fieldErrors":["Tags"]}"#)
            .validate()
            .is_ok());
        assert!(
            spec(r#"{"path":"/x","fieldErrors":["Name"],"status":200,"headers":{"X-A":"1"}}"#)
                .validate()
                .is_ok()
        );
        assert!(
            spec(r#"{"path":"/x","fieldErrors":["Name"],"failAfterHandling":true}"#)
                .validate()
                .is_ok()
        );
        for bad in [
            r#"{"path":"/x","fieldErrors":["Name"],"body":"x"}"#,
            r#"{"path":"/x","fieldErrors":["Name"],"drop":true}"#,
            r#"{"path":"/x","fieldErrors":[""]}"#,
            r#"{"path":"/x","fieldErrors":["Name"],"delayAfterHandling":true}"#,
            r#"{"path":"/x","whenBody":{}}"#,
        ] {
            assert!(spec(bad).validate().is_err(), "{bad}");
        }
    }
}
