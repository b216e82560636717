//! Scenario tables: each row is one request to the sandbox and what its answer must be;
//! [`run`] sends the rows in order and every failure names its row.
//!
//! ```ignore
//! run(&s, [
//!     get(MEMBER, GROUPS).expect("the boards", StatusCode::OK).is("/TotalItems", 4),
//!     post(MEMBER, THREADS, json!({})).expect("an empty thread", StatusCode::BAD_REQUEST),
//! ]).await;
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::Server;

/// A request, before it is sent.
pub struct Request {
    method: Method,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Option<Body>,
}

enum Body {
    Json(Value),
    Raw(Vec<u8>),
}

/// A request with no token, to a path on the sandbox or to a whole URL.
pub fn request(method: Method, path: impl Into<String>) -> Request {
    Request {
        method,
        path: path.into(),
        headers: Vec::new(),
        body: None,
    }
}

/// `GET path` with `token`.
pub fn get(token: &str, path: impl Into<String>) -> Request {
    request(Method::GET, path).bearer(token)
}

/// `POST path` with `token` and a JSON body.
pub fn post(token: &str, path: impl Into<String>, body: Value) -> Request {
    request(Method::POST, path).bearer(token).json(body)
}

/// `DELETE path` with `token`.
pub fn delete(token: &str, path: impl Into<String>) -> Request {
    request(Method::DELETE, path).bearer(token)
}

impl Request {
    /// `Authorization: Bearer token`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// A JSON body (with `Content-Type: application/json`).
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(Body::Json(body));
        self
    }

    /// A body as it is, with no content type of its own.
    pub fn raw(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(Body::Raw(body.into()));
        self
    }

    /// The row: this request, named for what it checks, must be answered with `status`.
    pub fn expect(self, name: impl Into<String>, status: StatusCode) -> Exchange {
        Exchange {
            name: name.into(),
            request: self,
            status,
            checks: Vec::new(),
        }
    }
}

/// One row: a request and the answer it must get.
pub struct Exchange {
    name: String,
    request: Request,
    status: StatusCode,
    checks: Vec<Check>,
}

/// What an answer must show beyond its status. Pointers are JSON pointers into the body
/// (`/Errors/0/Message`); `""` is the whole body.
#[derive(Debug)]
enum Check {
    Is(String, Value),
    Contains(String, String),
    Starts(String, String),
    Lacks(String, String),
    NotEmpty(String),
    Present(String),
    Absent(String),
    Len(String, usize),
    Column(&'static str, Value),
    OnlyError(String, String),
    OnlyErrorContaining(String, String),
    Text(String),
    Bytes(Vec<u8>),
    TextLacks(String),
    Header(&'static str, String),
    HeaderStarts(&'static str, String),
    HeaderContains(&'static str, String),
    HeaderLacks(&'static str, String),
    NoHeader(&'static str),
}

impl Exchange {
    fn with(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    /// The value at `pointer` equals `value`.
    pub fn is(self, pointer: &str, value: impl Into<Value>) -> Self {
        self.with(Check::Is(pointer.into(), value.into()))
    }

    /// The whole JSON body equals `value`.
    pub fn body(self, value: Value) -> Self {
        self.is("", value)
    }

    /// Each `(field, value)`: the body's `field` equals `value`.
    pub fn fields(self, fields: impl IntoIterator<Item = (&'static str, Value)>) -> Self {
        fields.into_iter().fold(self, |row, (field, value)| {
            row.is(&format!("/{field}"), value)
        })
    }

    /// The string at `pointer` contains `needle`.
    pub fn contains(self, pointer: &str, needle: impl Into<String>) -> Self {
        self.with(Check::Contains(pointer.into(), needle.into()))
    }

    /// The string at `pointer` starts with `prefix`.
    pub fn starts(self, pointer: &str, prefix: impl Into<String>) -> Self {
        self.with(Check::Starts(pointer.into(), prefix.into()))
    }

    /// The string at `pointer` does not contain `needle`.
    pub fn lacks(self, pointer: &str, needle: impl Into<String>) -> Self {
        self.with(Check::Lacks(pointer.into(), needle.into()))
    }

    /// The string at `pointer` is not empty.
    pub fn not_empty(self, pointer: &str) -> Self {
        self.with(Check::NotEmpty(pointer.into()))
    }

    /// Something is at `pointer`.
    pub fn present(self, pointer: &str) -> Self {
        self.with(Check::Present(pointer.into()))
    }

    /// Nothing is at `pointer`.
    pub fn absent(self, pointer: &str) -> Self {
        self.with(Check::Absent(pointer.into()))
    }

    /// The array or object at `pointer` has `len` items.
    pub fn len(self, pointer: &str, len: usize) -> Self {
        self.with(Check::Len(pointer.into(), len))
    }

    /// `field` of every record in `Records`, in order, equals `values` (a JSON array).
    pub fn column(self, field: &'static str, values: Value) -> Self {
        self.with(Check::Column(field, values))
    }

    /// `Errors` holds exactly one error, on `property`, saying `message`.
    pub fn only_error(self, property: &str, message: impl Into<String>) -> Self {
        self.with(Check::OnlyError(property.into(), message.into()))
    }

    /// `Errors` holds exactly one error, on `property`.
    pub fn only_error_on(self, property: &str) -> Self {
        self.only_error_containing(property, "")
    }

    /// `Errors` holds exactly one error, on `property`, its message containing `needle`.
    pub fn only_error_containing(self, property: &str, needle: impl Into<String>) -> Self {
        self.with(Check::OnlyErrorContaining(property.into(), needle.into()))
    }

    /// The body, as text, is exactly `text`.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.with(Check::Text(text.into()))
    }

    /// The body is exactly `bytes`.
    pub fn bytes(self, bytes: impl Into<Vec<u8>>) -> Self {
        self.with(Check::Bytes(bytes.into()))
    }

    /// The body, as text, does not contain `needle`.
    pub fn text_lacks(self, needle: impl Into<String>) -> Self {
        self.with(Check::TextLacks(needle.into()))
    }

    pub fn header(self, name: &'static str, value: impl Into<String>) -> Self {
        self.with(Check::Header(name, value.into()))
    }

    pub fn header_starts(self, name: &'static str, prefix: impl Into<String>) -> Self {
        self.with(Check::HeaderStarts(name, prefix.into()))
    }

    pub fn header_contains(self, name: &'static str, needle: impl Into<String>) -> Self {
        self.with(Check::HeaderContains(name, needle.into()))
    }

    /// The header is there and does not contain `needle`.
    pub fn header_lacks(self, name: &'static str, needle: impl Into<String>) -> Self {
        self.with(Check::HeaderLacks(name, needle.into()))
    }

    pub fn no_header(self, name: &'static str) -> Self {
        self.with(Check::NoHeader(name))
    }
}

/// What came back: enough to check a row and to read ids from.
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
    /// The body as text (lossy where it is not UTF-8).
    pub text: String,
    /// The body as JSON; `Null` when empty, a string when not JSON.
    pub body: Value,
}

impl Answer {
    /// `Value.Id`: the id of the record the request created.
    pub fn id(&self) -> i64 {
        match self.body["Value"]["Id"].as_i64() {
            Some(id) => id,
            None => panic!("no Value.Id in {self}"),
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A file's bytes are no help in a failure message: their start is enough.
        let text: String = self.text.chars().take(2000).collect();
        let cut = if text.len() < self.text.len() {
            "…"
        } else {
            ""
        };
        write!(f, "{} {:?} {text}{cut}", self.status, self.headers)
    }
}

/// Sends every row in order, checking each answer; panics naming the first row that fails.
pub async fn run(s: &Server, rows: impl IntoIterator<Item = Exchange>) {
    for row in rows {
        check(s, row).await;
    }
}

/// Sends one row, checks its answer and returns it.
pub async fn check(s: &Server, row: Exchange) -> Answer {
    check_when(s, row, || true).await
}

/// Sends one row and returns how long its answer took, once checked.
pub async fn timed(s: &Server, row: Exchange) -> Duration {
    let started = Instant::now();
    check(s, row).await;
    started.elapsed()
}

/// Sends one row and checks its answer only if `applies()` holds once the answer is in:
/// for a row whose premise depends on timing.
pub async fn check_when(s: &Server, row: Exchange, applies: impl FnOnce() -> bool) -> Answer {
    let Exchange {
        name,
        request,
        status,
        checks,
    } = row;
    let name = format!("{name} ({} {})", request.method, request.path);
    let answer = send(s, request).await;
    if !applies() {
        return answer;
    }
    assert_eq!(answer.status, status, "{name}: status\n{answer}");
    for check in &checks {
        if let Err(problem) = verify(check, &answer) {
            panic!("{name}: {problem}\n{answer}");
        }
    }
    answer
}

async fn send(s: &Server, request: Request) -> Answer {
    // A whole URL (as the upload store gives) is taken as it is.
    let url = if request.path.starts_with("http://") {
        request.path
    } else {
        s.url(&request.path)
    };
    let mut builder = s.http.request(request.method, url);
    for (name, value) in request.headers {
        builder = builder.header(name, value);
    }
    builder = match request.body {
        Some(Body::Json(value)) => builder.json(&value),
        Some(Body::Raw(bytes)) => builder.body(bytes),
        None => builder,
    };
    let res = builder.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap().to_vec();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()))
    };
    Answer {
        status,
        headers,
        bytes,
        text,
        body,
    }
}

/// `Ok` when the answer passes `check`, else what was wrong.
fn verify(check: &Check, answer: &Answer) -> Result<(), String> {
    let at = |pointer: &str| answer.body.pointer(pointer);
    let string_at = |pointer: &str| {
        at(pointer)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("no string at {pointer:?}"))
    };
    let header = |name: &str| answer.headers.get(name).and_then(|v| v.to_str().ok());
    let holds = |ok: bool| {
        if ok {
            Ok(())
        } else {
            Err(format!("{check:?} does not hold"))
        }
    };
    match check {
        Check::Is(pointer, value) if at(pointer) != Some(value) => {
            Err(format!("{check:?} does not hold: found {:?}", at(pointer)))
        }
        Check::Is(..) => Ok(()),
        Check::Contains(pointer, needle) => holds(string_at(pointer)?.contains(needle.as_str())),
        Check::Starts(pointer, prefix) => holds(string_at(pointer)?.starts_with(prefix.as_str())),
        Check::Lacks(pointer, needle) => holds(!string_at(pointer)?.contains(needle.as_str())),
        Check::NotEmpty(pointer) => holds(!string_at(pointer)?.is_empty()),
        Check::Present(pointer) => holds(at(pointer).is_some()),
        Check::Absent(pointer) => holds(at(pointer).is_none()),
        Check::Len(pointer, len) => holds(match at(pointer) {
            Some(Value::Array(items)) => items.len() == *len,
            Some(Value::Object(fields)) => fields.len() == *len,
            _ => false,
        }),
        Check::Column(field, values) => {
            let records = at("/Records")
                .and_then(Value::as_array)
                .ok_or("no Records")?;
            let column: Vec<Value> = records.iter().map(|r| r[*field].clone()).collect();
            holds(Value::Array(column) == *values)
        }
        Check::OnlyError(property, message) => {
            holds(only_error(&answer.body)? == (property.as_str(), message.as_str()))
        }
        Check::OnlyErrorContaining(property, needle) => {
            let (got, message) = only_error(&answer.body)?;
            holds(got == property && message.contains(needle.as_str()))
        }
        Check::Text(text) => holds(answer.text == *text),
        Check::Bytes(bytes) if answer.bytes != *bytes => Err(format!(
            "the body's {} bytes are not the {} expected",
            answer.bytes.len(),
            bytes.len()
        )),
        Check::Bytes(_) => Ok(()),
        Check::TextLacks(needle) => holds(!answer.text.contains(needle.as_str())),
        Check::Header(name, value) => holds(header(name) == Some(value.as_str())),
        Check::HeaderStarts(name, prefix) => {
            holds(header(name).is_some_and(|v| v.starts_with(prefix.as_str())))
        }
        Check::HeaderContains(name, needle) => {
            holds(header(name).is_some_and(|v| v.contains(needle.as_str())))
        }
        Check::HeaderLacks(name, needle) => {
            holds(header(name).is_some_and(|v| !v.contains(needle.as_str())))
        }
        Check::NoHeader(name) => holds(answer.headers.get(*name).is_none()),
    }
}

/// The property and message of the one error in `Errors`.
fn only_error(body: &Value) -> Result<(&str, &str), String> {
    match body["Errors"].as_array().map(Vec::as_slice) {
        Some([error]) => match (error["PropertyName"].as_str(), error["Message"].as_str()) {
            (Some(property), Some(message)) => Ok((property, message)),
            _ => Err("the error lacks PropertyName or Message".into()),
        },
        _ => Err("not exactly one error in Errors".into()),
    }
}
