//! Shared setup of the integration tests: a sandbox (the Nexudus double) and a proxy in
//! front of it, each in-process on an ephemeral loopback port, plus a recording double of
//! the upstream for what the sandbox cannot show (what reached it, with which credential).

#![allow(dead_code)]

pub mod redis_server;
pub mod s3_server;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use nexudus_host_proxy::claims::{mint, Member};
use nexudus_host_proxy::{Config, OperatorCredential, Proxy, Secret};
use reqwest::Method;
use serde_json::Value;

// Shared with the other server's tests (nexudus-wire); each file uses some of them.
#[allow(unused_imports)]
pub use nexudus_wire::testing::{client, FILES, GROUPS, THREADS};

/// The operator's token the tests give the proxy: distinctive, so a leak is easy to find.
pub const OPERATOR_TOKEN: &str = "operator-secret-token-7f3a9c";
/// The member-session key of the tests.
pub const JWT_SECRET: &str = "test-member-jwt-secret-0123456789abcdef";

/// A sandbox config: no logs, no throttling, faults on, and [`OPERATOR_TOKEN`] an admin.
pub fn sandbox_config() -> sandbox::Config {
    sandbox::Config {
        log_requests: false,
        enable_faults: true,
        throttle: sandbox::ThrottleConfig {
            enabled: false,
            ..sandbox::ThrottleConfig::default()
        },
        extra_tokens: vec![(OPERATOR_TOKEN.to_string(), sandbox::TokenSpec::Admin)],
        ..sandbox::Config::default()
    }
}

/// Starts a sandbox; returns its base URL.
pub async fn start_sandbox(config: sandbox::Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = sandbox::Sandbox::new(config, listener.local_addr().unwrap()).unwrap();
    let base = sandbox.base_url().to_string();
    tokio::spawn(sandbox.run(listener, std::future::pending()));
    base
}

/// `bytes` random bytes from the OS, as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).unwrap();
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A loopback port free a moment ago, for a server started as another process.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A fresh, empty uploads folder under cargo's temporary folder for tests.
pub fn uploads_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("uploads-{}", random_hex(8)))
}

/// A proxy config for `upstream` with the operator's fixed token and no pacing. Its
/// `public_base_url` is set by [`start_proxy`].
pub fn proxy_config(upstream: &str) -> Config {
    let mut c = Config::new(
        upstream,
        OperatorCredential::Token(Secret::new(OPERATOR_TOKEN)),
        Secret::new(JWT_SECRET),
        uploads_dir(),
        "http://unset.invalid",
    );
    c.upstream_min_spacing = Duration::ZERO;
    c.upstream_timeout = Duration::from_secs(10);
    c.log_requests = false;
    c
}

/// A running proxy.
pub struct Running {
    pub base: String,
    /// The proxy itself, when the test serves its router (`None` after [`run_proxy`]).
    pub proxy: Option<Arc<Proxy>>,
    pub uploads_dir: PathBuf,
    pub http: reqwest::Client,
}

/// Starts a proxy for `config` on a free port (its public base URL is that port's).
pub async fn start_proxy(mut config: Config) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    config.public_base_url = base.clone();
    let uploads_dir = config.uploads_dir.clone();
    let proxy = Proxy::new(config).await.unwrap();
    let proxy = Arc::new(proxy);
    let router = proxy.router();
    // The router alone (no clean-up task; `run_proxy` has it), so the test keeps a handle.
    tokio::spawn(async move { axum::serve(listener, router).await });
    Running {
        base,
        proxy: Some(proxy),
        uploads_dir,
        http: client(),
    }
}

/// Starts a proxy through [`Proxy::run`] (with its clean-up task).
pub async fn run_proxy(mut config: Config) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    config.public_base_url = base.clone();
    let uploads_dir = config.uploads_dir.clone();
    let proxy = Proxy::new(config).await.unwrap();
    tokio::spawn(proxy.run(listener, std::future::pending()));
    Running {
        base,
        proxy: None,
        uploads_dir,
        http: client(),
    }
}

/// A sandbox and a proxy in front of it with the default test settings.
pub async fn stack() -> (String, Running) {
    stack_with(|_| {}).await
}

/// A sandbox and a proxy in front of it, the proxy's test settings changed by `adjust`.
pub async fn stack_with(adjust: impl FnOnce(&mut Config)) -> (String, Running) {
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = proxy_config(&sandbox);
    adjust(&mut config);
    let proxy = start_proxy(config).await;
    (sandbox, proxy)
}

/// A member session for user `sub` of business `business_id`, valid for an hour.
pub fn session(sub: u64, business_id: u64) -> String {
    let member = Member {
        user_id: sub,
        business_id,
    };
    mint(&Secret::new(JWT_SECRET), member, Duration::from_secs(3600))
        .unwrap()
        .expose()
        .to_string()
}

/// A member session for user `sub` of business `business_id` whose `groups` claim names
/// `groups`, valid for an hour.
pub fn session_in(sub: u64, business_id: u64, groups: &[u64]) -> String {
    let member = Member {
        user_id: sub,
        business_id,
    };
    nexudus_host_proxy::claims::mint_with_groups(
        &Secret::new(JWT_SECRET),
        member,
        Some(groups),
        Duration::from_secs(3600),
    )
    .unwrap()
    .expose()
    .to_string()
}

/// A session with exactly `claims`, signed with the tests' key.
pub fn session_with_claims(claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// Status, `Retry-After` and JSON body (`Null` when empty, a string when not JSON).
pub async fn read(res: reqwest::Response) -> (StatusCode, Value) {
    let status = StatusCode::from_u16(res.status().as_u16()).unwrap();
    let text = res.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

impl Drop for Running {
    /// Removes the test's uploads folder (best effort: the proxy may still hold a file).
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.uploads_dir);
    }
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(
        &self,
        method: Method,
        token: Option<&str>,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let rb = self.http.request(method, self.url(path));
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        read(
            self.request(Method::GET, Some(token), path)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.request(Method::POST, Some(token), path)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn delete(&self, token: &str, path: &str) -> (StatusCode, Value) {
        read(
            self.request(Method::DELETE, Some(token), path)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Creates a conversation as the member behind `token` and returns its id.
    pub async fn create_thread(&self, token: &str, subject: &str) -> i64 {
        let body = serde_json::json!({
            "BusinessId": 1, "UserId": 10, "Subject": subject, "Message": "Hello",
            "CommunityGroupId": 1, "Guests": []
        });
        let (status, body) = self.post(token, THREADS, &body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["Value"]["Id"].as_i64().unwrap()
    }

    /// Uploads `bytes` through the proxy's store and returns the file URL.
    pub async fn upload(
        &self,
        token: &str,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> String {
        let (status, issued) = self
            .post(
                token,
                "/uploads",
                &serde_json::json!({"fileName": name, "contentType": content_type, "size": bytes.len()}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{issued}");
        let put = self
            .http
            .put(issued["uploadUrl"].as_str().unwrap())
            .header("Content-Type", content_type)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(put.status().as_u16(), 200);
        issued["fileUrl"].as_str().unwrap().to_string()
    }
}

/// What a recording upstream double saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path_and_query: String,
    pub authorization: Option<String>,
    pub body: String,
}

/// A recording double of the upstream: every request is recorded, then answered by `answer`.
pub struct Double {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Double {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Starts a recording double whose answers come from `answer`.
pub async fn start_double<F>(answer: F) -> Double
where
    F: Fn(&Seen) -> Response + Send + Sync + 'static,
{
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let answer = Arc::new(answer);
    let recorded = seen.clone();
    let app = axum::Router::new().fallback(move |req: Request| {
        let recorded = recorded.clone();
        let answer = answer.clone();
        async move {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20)
                .await
                .unwrap_or_default();
            let seen = Seen {
                method: parts.method.to_string(),
                path_and_query: parts
                    .uri
                    .path_and_query()
                    .map_or(String::new(), |p| p.to_string()),
                authorization: parts
                    .headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                body: String::from_utf8_lossy(&bytes).into_owned(),
            };
            recorded.lock().unwrap().push(seen.clone());
            answer(&seen)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Double { base, seen }
}

/// A JSON response.
pub fn json_response(status: u16, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}

/// Waits until `check` holds, polling every 20 ms, for at most `limit`.
pub async fn wait_until<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Arms sandbox faults.
pub async fn fault(sandbox: &str, spec: Value) {
    let res = client()
        .post(format!("{sandbox}/_sandbox/faults"))
        .json(&spec)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

/// `PUT`s `bytes` of `content_type` to `url` (a presigned upload URL), as the panel does;
/// returns the status.
pub async fn put_bytes(url: &str, content_type: &str, bytes: Vec<u8>) -> u16 {
    client()
        .put(url)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The content type and bytes of attachment `file_id` as the sandbox (Nexudus) downloaded it.
pub async fn sandbox_file(sandbox: &str, file_id: i64) -> (String, Vec<u8>) {
    let answer = client()
        .get(format!("{sandbox}{FILES}/{file_id}/content"))
        .bearer_auth(OPERATOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status().as_u16(),
        200,
        "the sandbox has file {file_id}"
    );
    let content_type = answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (content_type, answer.bytes().await.unwrap().to_vec())
}

/// What the sandbox created since start (`{threads: [...], files: [...]}`).
pub async fn created(sandbox: &str) -> Value {
    client()
        .get(format!("{sandbox}/_sandbox/created"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A child process (the binary), killed when the test ends, however it ends.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Spawns the binary as `command` describes (stdout piped, read here) and waits for its
/// listening line; returns the process and its base URL.
pub fn start_binary(command: &mut std::process::Command) -> (Child, String) {
    use std::io::BufRead as _;
    let mut child = Child(
        command
            // The test names its store; one from the developer's shell would conflict.
            .env_remove("STORE_URL")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    std::io::BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("nexudus-host-proxy listening on ")
        .unwrap()
        .to_string();
    (child, base)
}
