//! Throttling, faults, CORS, the control endpoints and the state file.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::{Method, StatusCode};
use sandbox::{Config, ThrottleConfig};
use serde_json::{json, Value};

async fn assert_throttled(res: reqwest::Response) {
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(res.bytes().await.unwrap().len(), 0);
}

#[tokio::test]
async fn throttling_is_on_by_default() {
    let t = Config::default().throttle;
    assert!(t.enabled);
    assert_eq!(
        (t.writes_per_minute, t.requests_per_minute, t.min_spacing),
        (60, 120, Duration::from_millis(100))
    );
    // Two requests back to back with the defaults: the second is too soon.
    let s = start(Config {
        throttle: ThrottleConfig::default(),
        ..config()
    })
    .await;
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    let res = s
        .request(Method::GET, Some(MEMBER), GROUPS)
        .send()
        .await
        .unwrap();
    assert_throttled(res).await;
}

#[tokio::test]
async fn write_limit_answers_409_with_retry_after_and_empty_body() {
    let s = start(throttled(2, 100, 0)).await;
    let thread = json!({ "BusinessId": 1, "UserId": 10, "Subject": "s", "Message": "m" });
    assert_eq!(s.post(MEMBER, THREADS, &thread).await.0, StatusCode::OK);
    // A failed write counts too (the request reached the API).
    assert_eq!(
        s.post(MEMBER, THREADS, &json!({})).await.0,
        StatusCode::BAD_REQUEST
    );
    let res = s
        .request(Method::POST, Some(MEMBER), THREADS)
        .json(&thread)
        .send()
        .await
        .unwrap();
    assert_throttled(res).await;
    let res = s
        .request(Method::DELETE, Some(MEMBER), &format!("{THREADS}/5001"))
        .send()
        .await
        .unwrap();
    assert_throttled(res).await;
    // Reads are still allowed; other tokens are counted apart.
    assert_eq!(s.get(MEMBER, THREADS).await.0, StatusCode::OK);
    assert_eq!(s.post(ADMIN, THREADS, &thread).await.0, StatusCode::OK);
    // Only one thread was created by the member: the refused one never ran.
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["threads"].as_array().unwrap().len(), 2);
    // Reset clears the counters.
    let res = s.http.post(s.url("/_sandbox/reset")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(s.post(MEMBER, THREADS, &thread).await.0, StatusCode::OK);
}

#[tokio::test]
async fn request_limit_and_spacing() {
    let s = start(throttled(100, 3, 0)).await;
    for _ in 0..3 {
        assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    }
    let res = s
        .request(Method::GET, Some(MEMBER), GROUPS)
        .send()
        .await
        .unwrap();
    assert_throttled(res).await;

    // Spacing: a second request within the spacing is refused, one after it is admitted.
    let s = start(throttled(100, 100, 150)).await;
    let first = Instant::now();
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    let res = s
        .request(Method::GET, Some(MEMBER), GROUPS)
        .send()
        .await
        .unwrap();
    if first.elapsed() < Duration::from_millis(150) {
        assert_throttled(res).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);

    // Control endpoints and uploads are never throttled; unauthenticated requests get 401.
    let s = start(throttled(1, 1, 1000)).await;
    for _ in 0..5 {
        let res = s.http.get(s.url("/_sandbox/health")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let res = s
            .http
            .post(s.url("/uploads"))
            .bearer_auth(MEMBER)
            .json(&json!({ "fileName": "a.png" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let res = s
            .request(Method::GET, Some("unknown"), GROUPS)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // --no-throttle.
    let s = start(config()).await;
    for _ in 0..20 {
        assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    }
}

fn faults_config() -> Config {
    Config {
        enable_faults: true,
        ..config()
    }
}

async fn add_fault(s: &Server, fault: Value) {
    let res = s
        .http
        .post(s.url("/_sandbox/faults"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

#[tokio::test]
async fn faults_endpoint_is_404_unless_enabled() {
    let s = start(config()).await;
    for method in [Method::GET, Method::POST, Method::DELETE] {
        let res = s
            .http
            .request(method.clone(), s.url("/_sandbox/faults"))
            .json(&json!({ "path": "/x", "status": 500 }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method}");
    }
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
}

#[tokio::test]
async fn status_faults_replace_the_answer() {
    let s = start(faults_config()).await;
    add_fault(
        &s,
        json!({ "method": "POST", "path": FILES, "count": 2, "status": 500,
                "body": "{\"Message\":\"An error has occurred.\"}",
                "contentType": "application/json", "headers": { "X-Test": "yes" } }),
    )
    .await;
    let (_, listed) = read(s.http.get(s.url("/_sandbox/faults")).send().await.unwrap()).await;
    assert_eq!(listed["faults"][0]["count"], 2);
    assert_eq!(listed["faults"][0]["path"], FILES);

    let file = json!({ "CommunityThreadId": 1001, "Name": "x" });
    // GET on the same path does not match a POST fault.
    assert_eq!(
        s.get(MEMBER, &format!("{FILES}/1")).await.0,
        StatusCode::NOT_FOUND
    );
    for _ in 0..2 {
        let res = s
            .request(Method::POST, Some(MEMBER), FILES)
            .header("Origin", "http://127.0.0.1:5173")
            .json(&file)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()["x-test"], "yes");
        assert_eq!(res.headers()["content-type"], "application/json");
        assert_eq!(
            res.headers()["access-control-allow-origin"],
            "http://127.0.0.1:5173"
        );
        assert_eq!(
            res.text().await.unwrap(),
            "{\"Message\":\"An error has occurred.\"}"
        );
    }
    // Used up: the real handler answers, and nothing was created by the faked requests.
    assert_eq!(s.post(MEMBER, FILES, &file).await.0, StatusCode::OK);
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["files"].as_array().unwrap().len(), 1);

    // HTML body (a gateway page), and an empty body with a header; any method.
    add_fault(
        &s,
        json!([
            { "path": THREADS, "status": 502, "body": "<html><body>Bad gateway</body></html>",
              "contentType": "text/html" },
            { "path": THREADS, "status": 503, "headers": { "Retry-After": "1" } }
        ]),
    )
    .await;
    let res = s
        .request(Method::GET, Some(MEMBER), THREADS)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(res.headers()["content-type"], "text/html");
    assert!(res.text().await.unwrap().contains("Bad gateway"));
    let res = s
        .request(Method::POST, Some(MEMBER), THREADS)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()["retry-after"], "1");
    assert!(res.headers().get("content-type").is_none());
    assert_eq!(res.bytes().await.unwrap().len(), 0);
    // A fault's body without a content type: JSON if it parses, else text.
    add_fault(
        &s,
        json!({ "path": GROUPS, "status": 404, "body": "\"Not found\"" }),
    )
    .await;
    let res = s
        .request(Method::GET, Some(MEMBER), GROUPS)
        .send()
        .await
        .unwrap();
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    // Faults also apply to paths without a route (e.g. a gateway error page).
    add_fault(
        &s,
        json!({ "path": "/anything", "status": 200, "body": "ok" }),
    )
    .await;
    let res = s.http.get(s.url("/anything")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
}

#[tokio::test]
async fn delay_faults_delay_then_run_the_real_handler() {
    let s = start(faults_config()).await;
    add_fault(
        &s,
        json!({ "method": "GET", "path": GROUPS, "delayMs": 300 }),
    )
    .await;
    let started = Instant::now();
    let (status, body) = s.get(MEMBER, GROUPS).await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["TotalItems"], 4);
    assert!(took >= Duration::from_millis(300), "{took:?}");
    // Used up: fast again.
    let started = Instant::now();
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    assert!(started.elapsed() < Duration::from_millis(300));

    // Delay plus status.
    add_fault(&s, json!({ "path": GROUPS, "delayMs": 200, "status": 500 })).await;
    let started = Instant::now();
    assert_eq!(
        s.get(MEMBER, GROUPS).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn drop_after_handling_creates_the_record_but_loses_the_answer() {
    let s = start(faults_config()).await;
    add_fault(
        &s,
        json!({ "method": "POST", "path": THREADS, "dropAfterHandling": true }),
    )
    .await;
    let thread = json!({ "BusinessId": 1, "UserId": 10, "Subject": "Lost", "Message": "m" });
    let err = s
        .request(Method::POST, Some(MEMBER), THREADS)
        .json(&thread)
        .send()
        .await
        .expect_err("the answer is lost");
    assert!(err.status().is_none(), "{err:?}");
    // The conversation exists all the same, and a lookup finds it.
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["threads"].as_array().map(Vec::len), Some(1));
    let (status, list) = s
        .get(
            MEMBER,
            &format!("{THREADS}?CommunityThread_User=10&CommunityThread_Subject=Lost"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["Records"][0]["Subject"], "Lost");
}

#[tokio::test]
async fn fail_after_handling_creates_the_record_then_answers_the_generic_500() {
    let s = start(faults_config()).await;
    add_fault(
        &s,
        json!({ "method": "POST", "path": THREADS, "failAfterHandling": true }),
    )
    .await;
    let thread = json!({ "BusinessId": 1, "UserId": 10, "Subject": "Failed?", "Message": "m" });
    let res = s
        .request(Method::POST, Some(MEMBER), THREADS)
        .header("Origin", "http://127.0.0.1:5173")
        .json(&thread)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://127.0.0.1:5173"
    );
    assert_eq!(
        res.text().await.unwrap(),
        r#"{"Message":"Ooops! There was a problem while running this action. Please try again later."}"#
    );
    // The conversation was created all the same.
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["threads"].as_array().map(Vec::len), Some(1));
    assert_eq!(created["threads"][0]["Subject"], "Failed?");
    let (_, list) = s
        .get(
            MEMBER,
            &format!("{THREADS}?CommunityThread_Subject=Failed%3F"),
        )
        .await;
    assert_eq!(list["TotalItems"], 1);

    // With a status and body of its own; a refused create stays refused (validation ran).
    add_fault(
        &s,
        json!({ "method": "POST", "path": THREADS, "failAfterHandling": true, "count": 2,
                "status": 502, "body": "<html>Bad gateway</html>", "contentType": "text/html" }),
    )
    .await;
    let res = s
        .request(Method::POST, Some(MEMBER), THREADS)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(res.headers()["content-type"], "text/html");
    assert_eq!(res.text().await.unwrap(), "<html>Bad gateway</html>");
    let res = s
        .request(Method::POST, Some(MEMBER), THREADS)
        .json(&thread)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["threads"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn drop_faults_close_the_connection_without_answering() {
    let s = start(faults_config()).await;
    add_fault(
        &s,
        json!({ "method": "POST", "path": THREADS, "drop": true }),
    )
    .await;
    let thread = json!({ "BusinessId": 1, "UserId": 10, "Subject": "s", "Message": "m" });
    let err = s
        .request(Method::POST, Some(MEMBER), THREADS)
        .json(&thread)
        .send()
        .await
        .expect_err("the connection is closed without an answer");
    assert!(!err.is_status(), "{err:?}");
    assert!(err.status().is_none());
    // With faults enabled no connection is reused, so browsers cannot silently resend.
    let res = s.http.get(s.url("/_sandbox/health")).send().await.unwrap();
    assert_eq!(res.headers()["connection"], "close");
    // Nothing was created; the next request works.
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["threads"], json!([]));
    assert_eq!(s.post(MEMBER, THREADS, &thread).await.0, StatusCode::OK);

    // With a delay: it waits, then drops.
    add_fault(&s, json!({ "path": GROUPS, "drop": true, "delayMs": 200 })).await;
    let started = Instant::now();
    let res = s.request(Method::GET, Some(MEMBER), GROUPS).send().await;
    assert!(res.is_err());
    assert!(started.elapsed() >= Duration::from_millis(200));

    // On a raw socket: the peer sees EOF and no bytes.
    add_fault(&s, json!({ "path": GROUPS, "drop": true })).await;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    sock.write_all(
        format!("GET {GROUPS} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {MEMBER}\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), sock.read_to_end(&mut buf))
        .await
        .expect("closed promptly")
        .unwrap_or(0);
    assert_eq!(n, 0, "{}", String::from_utf8_lossy(&buf));
}

#[tokio::test]
async fn fault_list_clear_validation_and_scope() {
    let s = start(faults_config()).await;
    for bad in [
        json!({ "path": "no-slash", "status": 500 }),
        json!({ "path": "/x", "status": 500, "drop": true }),
        json!({ "path": "/x", "count": 0 }),
        json!({ "path": "/x", "status": 42 }),
        json!({ "path": "/x", "statsu": 500 }),
        json!({ "status": 500 }),
        json!("nonsense"),
    ] {
        let res = s
            .http
            .post(s.url("/_sandbox/faults"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: Value = res.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("invalid fault"),
            "{body}"
        );
    }
    add_fault(&s, json!({ "path": GROUPS, "status": 500, "count": 3 })).await;
    add_fault(&s, json!({ "path": "/_sandbox/health", "status": 500 })).await;
    // /_sandbox/ is never faulted.
    let res = s.http.get(s.url("/_sandbox/health")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, listed) = read(s.http.get(s.url("/_sandbox/faults")).send().await.unwrap()).await;
    assert_eq!(listed["faults"].as_array().unwrap().len(), 2);
    let (status, cleared) = read(
        s.http
            .delete(s.url("/_sandbox/faults"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cleared["cleared"], 2);
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
    // Reset clears faults too.
    add_fault(&s, json!({ "path": GROUPS, "status": 500 })).await;
    s.http.post(s.url("/_sandbox/reset")).send().await.unwrap();
    assert_eq!(s.get(MEMBER, GROUPS).await.0, StatusCode::OK);
}

#[tokio::test]
async fn cors_preflight_and_origins() {
    let s = start(config()).await;
    let preflight = |origin: &'static str, method: &'static str, path: &'static str| {
        s.http
            .request(Method::OPTIONS, s.url(path))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method)
            .header(
                "Access-Control-Request-Headers",
                "authorization,content-type",
            )
            .send()
    };
    for origin in [
        "http://localhost:8080",
        "http://127.0.0.1:5173",
        "http://[::1]:3000",
    ] {
        let res = preflight(origin, "POST", THREADS).await.unwrap();
        assert!(res.status().is_success());
        let h = res.headers();
        assert_eq!(h["access-control-allow-origin"], origin);
        let methods = h["access-control-allow-methods"].to_str().unwrap();
        for m in ["GET", "POST", "PUT", "DELETE", "OPTIONS"] {
            assert!(methods.contains(m), "{methods}");
        }
        let headers = h["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(headers.contains("authorization") && headers.contains("content-type"));
    }
    let res = preflight("http://evil.example", "POST", THREADS)
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    // The presign request (Authorization, JSON) passes the preflight.
    let res = preflight("http://localhost:8080", "POST", "/uploads")
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );
    let headers = res.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"));
    // Uploads can be PUT from another loopback origin.
    let res = preflight("http://localhost:8080", "PUT", "/uploads/abc/a.png")
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );
    // A preflight never needs a token nor consumes throttle.
    let res = s
        .request(Method::GET, Some(MEMBER), GROUPS)
        .header("Origin", "http://localhost:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://localhost:8080"
    );

    // Explicit origins replace the default.
    let s = start(Config {
        cors_origins: vec!["http://app.test:9000".into()],
        ..config()
    })
    .await;
    let res = s
        .http
        .request(Method::OPTIONS, s.url(THREADS))
        .header("Origin", "http://app.test:9000")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://app.test:9000"
    );
    let res = s
        .http
        .request(Method::OPTIONS, s.url(THREADS))
        .header("Origin", "http://localhost:8080")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    // The upload store's presign POST and PUT pass the preflight for the configured origin only.
    for (method, path) in [("POST", "/uploads"), ("PUT", "/uploads/abc/a.png")] {
        for (origin, allowed) in [
            ("http://app.test:9000", true),
            ("http://localhost:8080", false),
        ] {
            let res = s
                .http
                .request(Method::OPTIONS, s.url(path))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method)
                .header(
                    "Access-Control-Request-Headers",
                    "authorization,content-type",
                )
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success());
            assert_eq!(
                res.headers()
                    .get("access-control-allow-origin")
                    .map(|v| v.to_str().unwrap().to_string()),
                allowed.then(|| origin.to_string()),
                "{method} {path} from {origin}"
            );
        }
    }
}

#[tokio::test]
async fn health_created_and_reset() {
    let s = start(config()).await;
    let (status, health) = read(s.http.get(s.url("/_sandbox/health")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["business"]["Name"], "Sandbox Coworking");

    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created, json!({ "threads": [], "files": [] }));
    let a = s.create_thread("One").await;
    let b = s.create_thread("Two").await;
    let (_, file) = s.attach(a, "data:text/plain,x").await;
    let file_id = file["Value"]["Id"].as_i64().unwrap();
    s.delete(MEMBER, &format!("{THREADS}/{b}")).await;
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    let threads = created["threads"].as_array().unwrap();
    assert_eq!(threads.len(), 2);
    assert_eq!(threads[0]["Id"], a);
    assert_eq!(threads[0]["Subject"], "One");
    assert_eq!(threads[0]["Deleted"], false);
    assert_eq!(threads[1]["Id"], b);
    assert_eq!(threads[1]["Deleted"], true);
    assert_eq!(created["files"][0]["Id"], file_id);
    assert_eq!(created["files"][0]["CommunityThreadId"], a);
    assert_eq!(created["files"][0]["Deleted"], false);

    let (status, _) = read(s.http.post(s.url("/_sandbox/reset")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created, json!({ "threads": [], "files": [] }));
    let (_, list) = s.get(ADMIN, THREADS).await;
    assert_eq!(list["TotalItems"], 2);
    assert_eq!(
        s.get(ADMIN, &format!("{FILES}/{file_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    // Ids start again.
    assert_eq!(s.create_thread("Again").await, 5001);
    let (_, file) = s.attach(5001, "data:text/plain,x").await;
    assert_eq!(file["Value"]["Id"], 87654321);
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "sandbox-test-{}-{nanos}-{name}",
        std::process::id()
    ))
}

#[tokio::test]
async fn state_file_round_trip() {
    let path = temp_path("state.json");
    let with_state = || Config {
        state_file: Some(path.clone()),
        ..config()
    };
    let s = start(with_state()).await;
    assert!(!path.exists(), "nothing is written before a change");
    let thread = s.create_thread("Persisted").await;
    let (_, file) = s.attach(thread, "data:image/png;base64,AAEC").await;
    let file_id = file["Value"]["Id"].as_i64().unwrap();
    assert!(path.exists());
    let saved: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["threads"].as_array().unwrap().len(), 3);

    // A second sandbox on the same file sees the same records and continues the ids.
    let s2 = start(with_state()).await;
    let (status, t) = s2.get(MEMBER, &format!("{THREADS}/{thread}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t["Subject"], "Persisted");
    let (_, record) = s2.get(MEMBER, &format!("{FILES}/{file_id}")).await;
    assert_eq!(record["FileContentType"], "image/png");
    let bytes = s2
        .request(
            Method::GET,
            Some(MEMBER),
            &format!("{FILES}/{file_id}/content"),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), [0, 1, 2]);
    assert_eq!(s2.create_thread("Next").await, thread + 1);
    // "Created" covers this run only.
    let (_, created) = s2.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["threads"].as_array().unwrap().len(), 1);
    // Deletes and resets are saved too.
    s2.delete(MEMBER, &format!("{THREADS}/{thread}")).await;
    let s3 = start(with_state()).await;
    assert_eq!(
        s3.get(MEMBER, &format!("{THREADS}/{thread}")).await.0,
        StatusCode::NOT_FOUND
    );
    s3.http
        .post(s3.url("/_sandbox/reset"))
        .send()
        .await
        .unwrap();
    let s4 = start(with_state()).await;
    let (_, list) = s4.get(ADMIN, THREADS).await;
    assert_eq!(list["TotalItems"], 2);

    // A corrupt state file is an error at start, not a silent reset.
    std::fs::write(&path, b"{ not json").unwrap();
    let err = sandbox::Sandbox::new(with_state(), "127.0.0.1:1".parse().unwrap())
        .err()
        .expect("corrupt state file");
    assert!(err.to_string().contains("state file"), "{err}");
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn shuts_down_gracefully() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sandbox::serve_with_shutdown(listener, config(), async {
        let _ = rx.await;
    }));
    let http = client();
    let res = http
        .get(format!("http://{addr}/_sandbox/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    drop(http);
    tx.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap();
    assert!(result.is_ok());
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
