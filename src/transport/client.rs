//! The requests: every call to the API (and to the host's upload endpoint) goes through
//! [`ApiClient::request`] or [`ApiClient::fetch_json`], with one retry policy (a token
//! refresh on 401, quiet waits on throttling) and the documented spacing between requests.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

pub use gloo_net::http::Method;
use gloo_net::http::RequestBuilder;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsValue;
use web_sys::AbortController;
use yew::Callback;

use super::payload::{body_from_text, file_payload};
use super::{Cancellation, TokenSource};
use super::{
    MAX_KEY_WAIT, MAX_RETRY_AFTER, MAX_THROTTLED_ATTEMPTS, MIN_SPACING, THREAD_FILES_PATH,
};
use crate::api::json::to_js_object;
use crate::api::list::{file_lookup, find_record, thread_lookup, Wanted};
use crate::api::{classify, Field, NewThread, NewThreadFile, Outcome, Reply, TransportError};
use crate::token::BearerToken;
use crate::upload::FileSource;

/// The transport's raw HTTP answer: status, `Retry-After` and body text, before
/// [`classify`] says what it means.
pub(crate) struct RawAnswer {
    /// The HTTP status.
    pub status: u16,
    retry_after: Option<String>,
    /// The body as text.
    pub text: String,
}

/// What every request needs: where the API is, the token, how long to wait.
#[derive(Clone)]
pub struct ApiClient {
    base_url: String,
    token: TokenSource,
    timeout: Duration,
    /// When the last request was sent (ms since the epoch), shared by clones so the
    /// documented spacing holds across every request of the panel.
    last_sent: Rc<Cell<f64>>,
    /// Set when writes go with an `Idempotency-Key` (the host's `idempotencyKeys`).
    keys: Option<KeySettings>,
}

/// How a client that sends idempotency keys reports its waits.
#[derive(Clone, Default)]
struct KeySettings {
    /// Told each time a key is answered "in flight", before the wait.
    waiting: Option<Callback<()>>,
}

impl ApiClient {
    /// A client for `base_url` (a trailing `/` is removed).
    pub fn new(base_url: &str, token: TokenSource, timeout: Duration) -> Self {
        ApiClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
            timeout,
            last_sent: Rc::new(Cell::new(0.0)),
            keys: None,
        }
    }

    /// This client, sending the `Idempotency-Key` of each keyed write when `on`.
    pub fn with_idempotency_keys(mut self, on: bool) -> Self {
        self.keys = on.then(KeySettings::default);
        self
    }

    /// `POST`s `body` as JSON to `path` and classifies the answer for the `shown` fields.
    pub async fn post_json<T: serde::Serialize>(
        &self,
        path: &str,
        body: &T,
        shown: &[Field],
        cancel: &Cancellation,
    ) -> Reply {
        self.post_object(path, &to_js_object(body), shown, cancel)
            .await
    }

    /// Attaches a file: `body` with `NewFileDataUrl` taken from `file`.
    pub async fn post_thread_file(
        &self,
        body: &NewThreadFile,
        file: Option<&FileSource>,
        shown: &[Field],
        cancel: &Cancellation,
    ) -> Reply {
        let payload = file_payload(body, file)?;
        self.post_payload(THREAD_FILES_PATH, &payload, shown, cancel)
            .await
    }

    /// `POST`s a JSON payload (text or `Blob`) to an API path and classifies the answer.
    pub async fn post_payload(
        &self,
        path: &str,
        payload: &JsValue,
        shown: &[Field],
        cancel: &Cancellation,
    ) -> Reply {
        self.request(Method::POST, path, Some(payload), shown, None, cancel)
            .await
    }

    /// Sends `body` (if any) to an API path and classifies the answer for the `shown`
    /// fields: the one call site of every write, so the wasm carries one copy. With a
    /// `key` (only when the host turned `idempotencyKeys` on) it goes as the
    /// `Idempotency-Key` header of every send; a 422 to it is [`Outcome::KeyReused`].
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&JsValue>,
        shown: &[Field],
        key: Option<&str>,
        cancel: &Cancellation,
    ) -> Reply {
        let answer = self
            .send_with_policy(method, &self.url(path), body, key, cancel)
            .await?;
        if key.is_some() && answer.status == 422 {
            return Ok(Outcome::KeyReused);
        }
        Ok(self.classify(&answer, shown))
    }

    /// Whether writes go with an `Idempotency-Key` (the host's `idempotencyKeys`).
    pub fn sends_keys(&self) -> bool {
        self.keys.is_some()
    }

    /// This client, telling `waiting` each time the backend answers that a key is still
    /// in flight (before it waits and sends the same key again).
    pub fn reporting_key_waits(mut self, waiting: Callback<()>) -> Self {
        if let Some(keys) = &mut self.keys {
            keys.waiting = Some(waiting);
        }
        self
    }

    /// Sends `body` (if any) to `url` and reads the JSON object of a 2xx answer: the
    /// object, or the failed answer classified for the `shown` fields. The one call site
    /// of every read: boards, look-ups, the presigned-upload ticket.
    pub async fn fetch_json(
        &self,
        method: Method,
        url: &str,
        body: Option<&JsValue>,
        shown: &[Field],
        cancel: &Cancellation,
    ) -> Result<JsValue, Reply> {
        let answer = self
            .send_with_policy(method, url, body, None, cancel)
            .await
            .map_err(Err)?;
        if (200..300).contains(&answer.status) {
            if let Some(value) = js_sys::JSON::parse(&answer.text)
                .ok()
                .filter(JsValue::is_object)
            {
                return Ok(value);
            }
        }
        Err(Ok(self.classify(&answer, shown)))
    }

    async fn post_object(
        &self,
        path: &str,
        object: &JsValue,
        shown: &[Field],
        cancel: &Cancellation,
    ) -> Reply {
        // Serialising our own request types cannot fail; were it ever to, report it as a
        // failure to send rather than panic.
        let json = js_sys::JSON::stringify(object).map_err(|_| TransportError::Network)?;
        self.post_payload(path, &json.into(), shown, cancel).await
    }

    /// The address of an API path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// `DELETE`s the record at `path`.
    pub async fn delete(&self, path: &str, cancel: &Cancellation) -> Reply {
        self.request(Method::DELETE, path, None, &[], None, cancel)
            .await
    }

    /// How long one request (or a host callback) may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// `GET`s a list at `path` and finds the record as `wanted` in it: its Id, `None`
    /// when the list shows none, or the failed answer (nothing is then known). One copy
    /// serves both look-ups of a write that never settled.
    pub async fn find(
        &self,
        path: &str,
        wanted: &[Wanted],
        cancel: &Cancellation,
    ) -> Result<Option<u64>, Reply> {
        let list = self
            .fetch_json(Method::GET, &self.url(path), None, &[], cancel)
            .await?;
        Ok(find_record(&list, wanted))
    }

    /// Looks for the conversation a create that never settled may have made.
    pub async fn find_thread(
        &self,
        body: &NewThread,
        cancel: &Cancellation,
    ) -> Result<Option<u64>, Reply> {
        let (path, wanted) = thread_lookup(body);
        self.find(&path, &wanted, cancel).await
    }

    /// Lists the conversation's files for the attachment an attach that never settled
    /// may have made (same name and description).
    pub async fn find_file(
        &self,
        body: &NewThreadFile,
        cancel: &Cancellation,
    ) -> Result<Option<u64>, Reply> {
        let (path, wanted) = file_lookup(body);
        self.find(&path, &wanted, cancel).await
    }

    pub(crate) fn classify(&self, answer: &RawAnswer, shown: &[Field]) -> Outcome {
        let now_unix = (js_sys::Date::now() / 1000.0) as u64;
        classify(
            answer.status,
            answer.retry_after.as_deref(),
            now_unix,
            &body_from_text(&answer.text),
            shown,
        )
    }

    /// Sends with the retry policy: one token refresh on 401 (when the host gave a
    /// callback), quiet waits on 409/429 up to [`MAX_THROTTLED_ATTEMPTS`], and the
    /// documented spacing between requests. A lost answer is returned, never retried.
    /// A keyed write answered 409 (its key in flight at the backend) waits as asked, at
    /// most [`MAX_RETRY_AFTER`] a time and [`MAX_KEY_WAIT`] in all, and is sent again
    /// with the same key: the backend then replays the first answer.
    async fn send_with_policy(
        &self,
        method: Method,
        url: &str,
        body: Option<&JsValue>,
        key: Option<&str>,
        cancel: &Cancellation,
    ) -> Result<RawAnswer, TransportError> {
        let mut refreshed = false;
        let mut throttled = 0;
        let mut key_waited = Duration::ZERO;
        loop {
            let Some(token) = self.token(refreshed, cancel).await? else {
                return Ok(RawAnswer {
                    status: 401,
                    retry_after: None,
                    text: String::new(),
                });
            };
            let answer = self
                .send_once(method.clone(), url, body, key, &token, cancel)
                .await?;
            match answer.status {
                401 if !refreshed && matches!(self.token, TokenSource::Provider(_)) => {
                    refreshed = true;
                }
                409 if key.is_some() && key_waited < MAX_KEY_WAIT => {
                    let wait = match self.classify(&answer, &[]) {
                        Outcome::Throttled { retry_after } => retry_after,
                        _ => crate::api::retry_after::DEFAULT_RETRY_AFTER,
                    }
                    .clamp(MIN_SPACING, MAX_RETRY_AFTER);
                    key_waited += wait;
                    if let Some(waiting) = self.keys.as_ref().and_then(|keys| keys.waiting.as_ref())
                    {
                        waiting.emit(());
                    }
                    cancel.sleep(wait).await?;
                }
                409 | 429 => {
                    throttled += 1;
                    let wait = match self.classify(&answer, &[]) {
                        Outcome::Throttled { retry_after } => retry_after,
                        _ => crate::api::retry_after::DEFAULT_RETRY_AFTER,
                    };
                    if throttled >= MAX_THROTTLED_ATTEMPTS || wait > MAX_RETRY_AFTER {
                        return Ok(answer);
                    }
                    cancel.sleep(wait).await?;
                }
                _ => return Ok(answer),
            }
        }
    }

    /// The token to send; `None` when the host's callback could not give one.
    async fn token(
        &self,
        refresh: bool,
        cancel: &Cancellation,
    ) -> Result<Option<BearerToken>, TransportError> {
        let token = match &self.token {
            TokenSource::Fixed(token) => Some(token.clone()),
            TokenSource::Provider(provider) => {
                let asked = Cell::new(js_sys::Date::now());
                cancel
                    .bounded(provider(refresh), self.timeout, &asked)
                    .await?
                    .ok()
            }
        };
        cancel.check()?;
        // A token that is no header value would make the browser throw: it is no token.
        Ok(token.filter(BearerToken::is_sendable))
    }

    async fn send_once(
        &self,
        method: Method,
        url: &str,
        body: Option<&JsValue>,
        key: Option<&str>,
        token: &BearerToken,
        cancel: &Cancellation,
    ) -> Result<RawAnswer, TransportError> {
        self.keep_spacing(cancel).await?;
        let controller = AbortController::new().map_err(|_| TransportError::Network)?;
        let _watched = cancel.watch(&controller);
        let timed_out = Rc::new(Cell::new(false));
        let _timer = {
            let controller = controller.clone();
            let timed_out = Rc::clone(&timed_out);
            // A browser timer past 2³¹ ms fires at once.
            let millis = self.timeout.as_millis().min(i32::MAX as u128) as u32;
            Timeout::new(millis, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let failed = |_| {
            if cancel.is_cancelled() {
                TransportError::Cancelled
            } else if timed_out.get() {
                TransportError::Timeout
            } else {
                TransportError::Network
            }
        };
        let mut builder = RequestBuilder::new(url)
            .method(method)
            .header("Authorization", &token.header_value())
            .header("Accept", "application/json")
            .abort_signal(Some(&controller.signal()));
        // Only when the host said its backend honours it: a bare Nexudus origin's CORS
        // answer does not list the header, and the browser would refuse the request.
        if let (Some(key), true) = (key, self.sends_keys()) {
            builder = builder.header("Idempotency-Key", key);
        }
        let request = match body {
            Some(json) => builder
                .header("Content-Type", "application/json")
                .body(json.clone()),
            None => builder.build(),
        }
        .map_err(failed)?;
        self.last_sent.set(js_sys::Date::now());
        let response = request.send().await.map_err(failed)?;
        let status = response.status();
        let retry_after = response.headers().get("Retry-After");
        // Blanked before anything reads it, so no cut of 300 characters can split it.
        let text = token.blank_out(&response.text().await.map_err(failed)?);
        Ok(RawAnswer {
            status,
            retry_after,
            text,
        })
    }

    async fn keep_spacing(&self, cancel: &Cancellation) -> Result<(), TransportError> {
        let since = js_sys::Date::now() - self.last_sent.get();
        let spacing = MIN_SPACING.as_millis() as f64;
        if since < spacing {
            cancel
                .sleep(Duration::from_millis((spacing - since).ceil() as u64))
                .await?;
        }
        cancel.check()
    }
}
