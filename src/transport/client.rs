//! The browser side of talking to the API: `fetch` through gloo-net, a timeout and
//! cancellation through `AbortController`, the token from the host (a value or an async
//! callback), one refresh on 401, quiet waits on throttling, and the answer read with the
//! browser's own `JSON.parse` before it goes through the DOM-free classifier in
//! [`crate::api`].
//!
//! Writes are never retried blindly after a lost answer: the runner (`submit.rs`) first
//! looks with [`ApiClient::find_thread`] or [`ApiClient::find_file`]. Nothing waits
//! forever: the host's token callback and uploader race `Cancellation::bounded`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

pub use gloo_net::http::Method;
use gloo_net::http::RequestBuilder;
use gloo_timers::callback::Timeout;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsValue;
use web_sys::AbortController;

use crate::api::json::to_js_object;
use crate::api::list::{file_lookup, find_record, thread_lookup, ListPage, Wanted};
use crate::api::{
    classify, Body, Envelope, Field, NewThread, NewThreadFile, Outcome, TransportError,
};
use crate::token::BearerToken;
use crate::upload::FileSource;

/// How long a request may take before it is abandoned, unless the host says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The spacing kept between two requests: the documented minimum is "1 per 100 ms",
/// measured by the server on arrival, so a margin absorbs network jitter.
pub const MIN_SPACING: Duration = Duration::from_millis(125);

/// How many times one request is sent while the API answers "throttled".
pub const MAX_THROTTLED_ATTEMPTS: u32 = 3;

/// The longest quiet wait on one `Retry-After`; a longer demand ends the attempts.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// The endpoint that creates conversations.
pub const THREADS_PATH: &str = "/api/community/communitythreads";

/// The endpoint that attaches files to conversations.
pub const THREAD_FILES_PATH: &str = "/api/community/communitythreadfiles";

/// A future the host's token callback returns.
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<BearerToken, String>>>>;

/// Where the bearer token comes from.
#[derive(Clone)]
pub enum TokenSource {
    /// A token the host gave once (it may give a new one later through new props).
    Fixed(BearerToken),
    /// An async callback; called with `refresh: true` after a 401 to get a fresh token.
    Provider(Rc<dyn Fn(bool) -> TokenFuture>),
}

impl Default for TokenSource {
    fn default() -> Self {
        TokenSource::Fixed(BearerToken::default())
    }
}

impl PartialEq for TokenSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TokenSource::Fixed(a), TokenSource::Fixed(b)) => a == b,
            (TokenSource::Provider(a), TokenSource::Provider(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::Fixed(token) => write!(f, "Fixed({token:?})"),
            TokenSource::Provider(_) => f.write_str("Provider(..)"),
        }
    }
}

impl From<BearerToken> for TokenSource {
    fn from(token: BearerToken) -> Self {
        TokenSource::Fixed(token)
    }
}

impl yew::html::IntoPropValue<TokenSource> for BearerToken {
    fn into_prop_value(self) -> TokenSource {
        TokenSource::Fixed(self)
    }
}

/// Cancels the requests and waits of one submission, from the UI or the host.
#[derive(Clone, Default)]
pub struct Cancellation {
    inner: Rc<CancelInner>,
}

#[derive(Default)]
struct CancelInner {
    cancelled: Cell<bool>,
    current: RefCell<Option<AbortController>>,
}

impl Cancellation {
    /// Cancels: aborts the request in flight and stops any retry or wait.
    pub fn cancel(&self) {
        self.inner.cancelled.set(true);
        if let Some(controller) = self.inner.current.borrow_mut().take() {
            controller.abort();
        }
    }

    /// Aborts `controller` too when cancelled (for work the transport does not run
    /// itself, such as the host's uploader).
    pub(crate) fn watch(&self, controller: &AbortController) {
        *self.inner.current.borrow_mut() = Some(controller.clone());
    }

    /// Stops watching the controller given to [`Cancellation::watch`].
    pub(crate) fn unwatch(&self) {
        self.inner.current.borrow_mut().take();
    }

    /// Whether [`Cancellation::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.get()
    }

    fn check(&self) -> Result<(), TransportError> {
        if self.is_cancelled() {
            Err(TransportError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Runs `work` until it ends, the member cancels, or `limit` passes with no sign of
    /// life (`activity` holds when there last was one, in ms since the epoch): a host
    /// callback that never settles cannot hold the panel.
    pub(crate) async fn bounded<T>(
        &self,
        work: impl Future<Output = T>,
        limit: Duration,
        activity: &Cell<f64>,
    ) -> Result<T, TransportError> {
        let mut work = pin!(work);
        let mut expiry = pin!(self.expiry(limit, activity));
        std::future::poll_fn(|cx| match work.as_mut().poll(cx) {
            Poll::Ready(value) => Poll::Ready(Ok(value)),
            Poll::Pending => expiry.as_mut().poll(cx).map(Err),
        })
        .await
    }

    /// Ends when cancelled, or once `limit` has passed since `activity`.
    async fn expiry(&self, limit: Duration, activity: &Cell<f64>) -> TransportError {
        loop {
            if self.is_cancelled() {
                return TransportError::Cancelled;
            }
            if js_sys::Date::now() - activity.get() >= limit.as_secs_f64() * 1000.0 {
                return TransportError::Timeout;
            }
            TimeoutFuture::new(50).await;
        }
    }

    /// Sleeps for `duration`, returning early when cancelled.
    async fn sleep(&self, duration: Duration) -> Result<(), TransportError> {
        match self.expiry(duration, &Cell::new(js_sys::Date::now())).await {
            TransportError::Timeout => Ok(()),
            error => Err(error),
        }
    }
}

/// An answer to a `GET` of a list: the page, or what went wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum ListAnswer<T> {
    /// The page as read.
    Page(ListPage<T>),
    /// A failure, classified like any other answer.
    Failed(Outcome),
}

/// A raw HTTP answer, before classification.
pub(crate) struct Answer {
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
}

impl ApiClient {
    /// A client for `base_url` (a trailing `/` is removed).
    pub fn new(base_url: &str, token: TokenSource, timeout: Duration) -> Self {
        ApiClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
            timeout,
            last_sent: Rc::new(Cell::new(0.0)),
        }
    }

    /// `POST`s `body` as JSON to `path` and classifies the answer for the `shown` fields.
    pub async fn post_json<T: serde::Serialize>(
        &self,
        path: &str,
        body: &T,
        shown: &[Field],
        cancel: &Cancellation,
    ) -> Result<Outcome, TransportError> {
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
    ) -> Result<Outcome, TransportError> {
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
    ) -> Result<Outcome, TransportError> {
        self.request(Method::POST, path, Some(payload), shown, cancel)
            .await
    }

    /// Sends `body` (if any) to an API path and classifies the answer for the `shown`
    /// fields: the one call site of every write, so the wasm carries one copy.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&JsValue>,
        shown: &[Field],
        cancel: &Cancellation,
    ) -> Result<Outcome, TransportError> {
        let answer = self
            .send_with_policy(method, &self.url(path), body, cancel)
            .await?;
        Ok(self.classify(&answer, shown))
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
    ) -> Result<JsValue, Result<Outcome, TransportError>> {
        let answer = self
            .send_with_policy(method, url, body, cancel)
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
    ) -> Result<Outcome, TransportError> {
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
    pub async fn delete(
        &self,
        path: &str,
        cancel: &Cancellation,
    ) -> Result<Outcome, TransportError> {
        self.request(Method::DELETE, path, None, &[], cancel).await
    }

    /// `GET`s one page of a list.
    pub async fn get_list<T>(
        &self,
        path: &str,
        record: fn(&JsValue) -> Option<T>,
        cancel: &Cancellation,
    ) -> Result<ListAnswer<T>, TransportError> {
        match self
            .fetch_json(Method::GET, &self.url(path), None, &[], cancel)
            .await
        {
            Ok(value) => Ok(ListAnswer::Page(ListPage::read(&value, record))),
            Err(Ok(outcome)) => Ok(ListAnswer::Failed(outcome)),
            Err(Err(error)) => Err(error),
        }
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
    ) -> Result<Option<u64>, Result<Outcome, TransportError>> {
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
    ) -> Result<Option<u64>, Result<Outcome, TransportError>> {
        let (path, wanted) = thread_lookup(body);
        self.find(&path, &wanted, cancel).await
    }

    /// Lists the conversation's files for the attachment an attach that never settled
    /// may have made (same name and description).
    pub async fn find_file(
        &self,
        body: &NewThreadFile,
        cancel: &Cancellation,
    ) -> Result<Option<u64>, Result<Outcome, TransportError>> {
        let (path, wanted) = file_lookup(body);
        self.find(&path, &wanted, cancel).await
    }

    pub(crate) fn classify(&self, answer: &Answer, shown: &[Field]) -> Outcome {
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
    async fn send_with_policy(
        &self,
        method: Method,
        url: &str,
        body: Option<&JsValue>,
        cancel: &Cancellation,
    ) -> Result<Answer, TransportError> {
        let mut refreshed = false;
        let mut throttled = 0;
        loop {
            let Some(token) = self.token(refreshed, cancel).await? else {
                return Ok(Answer {
                    status: 401,
                    retry_after: None,
                    text: String::new(),
                });
            };
            let answer = self
                .send_once(method.clone(), url, body, &token, cancel)
                .await?;
            match answer.status {
                401 if !refreshed && matches!(self.token, TokenSource::Provider(_)) => {
                    refreshed = true;
                }
                409 | 429 => {
                    throttled += 1;
                    let wait = match self.classify(&answer, &[]) {
                        Outcome::Throttled { retry_after } => retry_after,
                        _ => crate::api::outcome::DEFAULT_RETRY_AFTER,
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
        token: &BearerToken,
        cancel: &Cancellation,
    ) -> Result<Answer, TransportError> {
        self.keep_spacing(cancel).await?;
        let controller = AbortController::new().map_err(|_| TransportError::Network)?;
        *cancel.inner.current.borrow_mut() = Some(controller.clone());
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
        let builder = RequestBuilder::new(url)
            .method(method)
            .header("Authorization", &token.header_value())
            .header("Accept", "application/json")
            .abort_signal(Some(&controller.signal()));
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
        let text = response.text().await.map_err(failed)?;
        cancel.inner.current.borrow_mut().take();
        Ok(Answer {
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

/// The JSON payload that attaches a file: `body` with `NewFileDataUrl` taken from `file`.
/// A `data:` URL is sent as a `Blob` of the JSON around the file's base64 pieces, so its
/// bytes are never copied into wasm memory, nor joined or re-encoded on the main thread.
pub fn file_payload(
    body: &NewThreadFile,
    file: Option<&FileSource>,
) -> Result<JsValue, TransportError> {
    let object = to_js_object(body);
    match file {
        None => js_sys::JSON::stringify(&object)
            .map(JsValue::from)
            .map_err(|_| TransportError::Network),
        Some(FileSource::Url(url)) => {
            js_sys::Reflect::set(
                &object,
                &JsValue::from_str("NewFileDataUrl"),
                &JsValue::from_str(url),
            )
            .map_err(|_| TransportError::Network)?;
            js_sys::JSON::stringify(&object)
                .map(JsValue::from)
                .map_err(|_| TransportError::Network)
        }
        Some(FileSource::Base64 { mime, parts }) => json_blob_with_data_url(&object, mime, parts),
    }
}

/// `{…object, "NewFileDataUrl": "data:<mime>;base64,<parts>"}` as a JSON `Blob`. Base64
/// needs no JSON escaping, so the pieces go in as they are.
fn json_blob_with_data_url(
    object: &JsValue,
    mime: &str,
    parts: &js_sys::Array,
) -> Result<JsValue, TransportError> {
    let stringify = |value: &JsValue| {
        js_sys::JSON::stringify(value)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or(TransportError::Network)
    };
    let json = stringify(object)?;
    let mut head = String::from("data:");
    head.push_str(mime);
    head.push_str(";base64,");
    let head = stringify(&JsValue::from_str(&head))?;
    // `{"A":1}` + `"data:…;base64,` (its closing quote dropped) → `{"A":1,"NewFileDataUrl":"data:…;base64,`
    let mut prefix = json
        .strip_suffix('}')
        .ok_or(TransportError::Network)?
        .to_owned();
    prefix.push_str(",\"NewFileDataUrl\":");
    prefix.push_str(head.strip_suffix('"').ok_or(TransportError::Network)?);
    let pieces = js_sys::Array::new();
    pieces.push(&JsValue::from_str(&prefix));
    for part in parts.iter() {
        pieces.push(&part);
    }
    pieces.push(&JsValue::from_str("\"}"));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    // A sequence of strings and byte arrays, as the Blob constructor takes.
    web_sys::Blob::new_with_str_sequence_and_options(&pieces, &options)
        .map(JsValue::from)
        .map_err(|_| TransportError::Network)
}

/// Reads a response body with the browser's `JSON.parse`, so no JSON parser is
/// compiled into the wasm.
pub fn body_from_text(text: &str) -> Body {
    if text.trim().is_empty() {
        return Body::Empty;
    }
    let Ok(value) = js_sys::JSON::parse(text) else {
        return Body::Text(text.to_owned());
    };
    if let Some(s) = value.as_string() {
        Body::JsonString(s)
    } else if value.is_object() && !js_sys::Array::is_array(&value) {
        Body::Envelope(Envelope::read(&value))
    } else {
        Body::OtherJson
    }
}
