//! Helpers shared by the integration tests: a sandbox per test on 127.0.0.1:0.

#![allow(dead_code)]

pub mod exchange;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use sandbox::{Config, ThrottleConfig};

// Shared with the other server's tests (nexudus-wire); each file uses some of them.
#[allow(unused_imports)]
pub use nexudus_wire::testing::{client, start_app, FILES, GROUPS, THREADS};
use serde_json::{json, Value};

// Each test file uses some of these, as it uses some of the rest of this module.
#[allow(unused_imports)]
pub use exchange::{check, check_when, delete, get, post, request, run, timed, Exchange, Request};

pub const ADMIN: &str = "sandbox-admin-token";
pub const MEMBER: &str = "sandbox-member-token";
pub const NO_FILES: &str = "sandbox-no-files-token";
pub const EXPIRED: &str = "sandbox-expired-token";
pub const PORTAL: &str = "sandbox-portal-token";

/// Defaults, without request logs and without throttling (tests send requests back to back),
/// and with `data:` URLs accepted (`--accept-data-urls`: most tests attach small files that
/// way; `strict()` keeps the live default that refuses them).
pub fn config() -> Config {
    Config {
        accept_data_urls: true,
        ..strict()
    }
}

/// [`config`] with the fault switches (`/_sandbox/faults`) on.
pub fn with_faults() -> Config {
    Config {
        enable_faults: true,
        ..config()
    }
}

/// [`config`] with the rate limits on: writes and requests per minute, and the spacing.
pub fn throttled(writes: u32, requests: u32, spacing_ms: u64) -> Config {
    Config {
        throttle: ThrottleConfig {
            enabled: true,
            writes_per_minute: writes,
            requests_per_minute: requests,
            min_spacing: Duration::from_millis(spacing_ms),
            ..ThrottleConfig::default()
        },
        ..config()
    }
}

/// The defaults (live Nexudus's behaviour), without request logs and without throttling.
pub fn strict() -> Config {
    Config {
        log_requests: false,
        throttle: ThrottleConfig {
            enabled: false,
            ..ThrottleConfig::default()
        },
        ..Config::default()
    }
}

/// A running sandbox and a client for it.
pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
}

/// Starts a sandbox on a free loopback port; it runs until the test's runtime ends.
pub async fn start(config: Config) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = sandbox::Sandbox::new(config, listener.local_addr().unwrap()).unwrap();
    let base = sandbox.base_url().to_string();
    tokio::spawn(sandbox.run(listener, std::future::pending()));
    Server {
        base,
        http: client(),
    }
}

impl Server {
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

    /// Creates a thread as the member in group 1 and returns its id.
    pub async fn create_thread(&self, subject: &str) -> i64 {
        let thread = json!({
            "BusinessId": 1, "UserId": 10, "Subject": subject,
            "Message": "Hello", "CommunityGroupId": 1, "Guests": []
        });
        let row =
            post(MEMBER, THREADS, thread).expect(format!("creating {subject:?}"), StatusCode::OK);
        check(self, row).await.id()
    }

    /// Attaches the file at `url` to `thread` as the member; returns the new file's id.
    pub async fn attach_file(&self, thread: i64, url: &str) -> i64 {
        let row = attach(thread, url).expect(format!("attaching {url}"), StatusCode::OK);
        check(self, row).await.id()
    }

    /// Puts `bytes` into the upload store (signed in as the member) and returns the file URL.
    pub async fn upload(&self, file_name: &str, content_type: &str, bytes: Vec<u8>) -> String {
        let ticket = post(
            MEMBER,
            "/uploads",
            json!({ "fileName": file_name, "contentType": content_type, "size": bytes.len() }),
        )
        .expect(format!("a ticket for {file_name}"), StatusCode::OK);
        let ticket = check(self, ticket).await.body;
        let put = request(Method::PUT, ticket["uploadUrl"].as_str().unwrap())
            .header("Content-Type", content_type)
            .raw(bytes)
            .expect(format!("the upload of {file_name}"), StatusCode::OK);
        check(self, put).await;
        ticket["fileUrl"].as_str().unwrap().to_string()
    }
}

/// Arms `fault` (one, or a list) on a sandbox started [`with_faults`].
pub fn arm(fault: Value) -> Exchange {
    request(Method::POST, "/_sandbox/faults")
        .json(fault.clone())
        .expect(format!("arming {fault}"), StatusCode::OK)
}

/// The smallest valid thread: user 10 of business 1, with `subject` and the message "m".
pub fn new_thread(subject: &str) -> Value {
    json!({ "BusinessId": 1, "UserId": 10, "Subject": subject, "Message": "m" })
}

/// The member's request to attach the file at `url` to `thread` (named "photo").
pub fn attach(thread: i64, url: &str) -> exchange::Request {
    post(
        MEMBER,
        FILES,
        json!({ "CommunityThreadId": thread, "Name": "photo", "NewFileDataUrl": url }),
    )
}
