//! Throttling, faults, CORS, the control endpoints and the state file.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::{Method, StatusCode};
use sandbox::{Config, ThrottleConfig};
use serde_json::{json, Value};

/// `request` answered as throttled: 409, `Retry-After: 1` and an empty body.
fn too_soon(request: Request, what: &str) -> Exchange {
    request
        .expect(what, StatusCode::CONFLICT)
        .header("retry-after", "1")
        .text("")
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
    run(
        &s,
        [
            get(MEMBER, GROUPS).expect("a first request", StatusCode::OK),
            too_soon(get(MEMBER, GROUPS), "a second request back to back"),
        ],
    )
    .await;
}

#[tokio::test]
async fn write_limit_answers_409_with_retry_after_and_empty_body() {
    let s = start(throttled(2, 100, 0)).await;
    let thread = json!({ "BusinessId": 1, "UserId": 10, "Subject": "s", "Message": "m" });
    run(
        &s,
        [
            post(MEMBER, THREADS, thread.clone()).expect("a first write", StatusCode::OK),
            // A failed write counts too (the request reached the API).
            post(MEMBER, THREADS, json!({})).expect("a failed write", StatusCode::BAD_REQUEST),
            too_soon(post(MEMBER, THREADS, thread.clone()), "a third write"),
            too_soon(
                delete(MEMBER, format!("{THREADS}/5001")),
                "a delete is a write",
            ),
            // Reads are still allowed; other tokens are counted apart.
            get(MEMBER, THREADS).expect("a read", StatusCode::OK),
            post(ADMIN, THREADS, thread.clone()).expect("another token's write", StatusCode::OK),
            // Only one thread was created by the member: the refused one never ran.
            get(ADMIN, "/_sandbox/created")
                .expect("what was created", StatusCode::OK)
                .len("/threads", 2),
            // Reset clears the counters.
            request(Method::POST, "/_sandbox/reset").expect("a reset", StatusCode::OK),
            post(MEMBER, THREADS, thread).expect("a write after the reset", StatusCode::OK),
        ],
    )
    .await;
}

#[tokio::test]
async fn request_limit_and_spacing() {
    let s = start(throttled(100, 3, 0)).await;
    let mut rows: Vec<Exchange> = (1..=3)
        .map(|n| get(MEMBER, GROUPS).expect(format!("request {n} of 3 a minute"), StatusCode::OK))
        .collect();
    rows.push(too_soon(
        get(MEMBER, GROUPS),
        "a fourth request in the minute",
    ));
    run(&s, rows).await;

    // Spacing: a second request within the spacing is refused, one after it is admitted.
    let s = start(throttled(100, 100, 150)).await;
    let first = Instant::now();
    run(
        &s,
        [get(MEMBER, GROUPS).expect("a first request", StatusCode::OK)],
    )
    .await;
    check_when(
        &s,
        too_soon(get(MEMBER, GROUPS), "a request within the spacing"),
        || first.elapsed() < Duration::from_millis(150),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    run(
        &s,
        [get(MEMBER, GROUPS).expect("a request after the spacing", StatusCode::OK)],
    )
    .await;

    // Control endpoints and uploads are never throttled; unauthenticated requests get 401.
    let s = start(throttled(1, 1, 1000)).await;
    let rows = (1..=5).flat_map(|n| {
        [
            request(Method::GET, "/_sandbox/health")
                .expect(format!("health check {n}"), StatusCode::OK),
            request(Method::POST, "/uploads")
                .bearer(MEMBER)
                .json(json!({ "fileName": "a.png" }))
                .expect(format!("presigning {n}"), StatusCode::OK),
            get("unknown", GROUPS)
                .expect(format!("an unknown token {n}"), StatusCode::UNAUTHORIZED),
        ]
    });
    run(&s, rows).await;
    // --no-throttle.
    let s = start(config()).await;
    run(
        &s,
        (1..=20).map(|n| get(MEMBER, GROUPS).expect(format!("request {n}"), StatusCode::OK)),
    )
    .await;
}

fn faults_config() -> Config {
    Config {
        enable_faults: true,
        ..config()
    }
}

/// Arms `fault` (one, or a list).
fn arm(fault: Value) -> Exchange {
    request(Method::POST, "/_sandbox/faults")
        .json(fault.clone())
        .expect(format!("arming {fault}"), StatusCode::OK)
}

#[tokio::test]
async fn faults_endpoint_is_404_unless_enabled() {
    let s = start(config()).await;
    let mut rows: Vec<Exchange> = [Method::GET, Method::POST, Method::DELETE]
        .map(|method| {
            request(method, "/_sandbox/faults")
                .json(json!({ "path": "/x", "status": 500 }))
                .expect("the faults endpoint, not enabled", StatusCode::NOT_FOUND)
        })
        .into();
    rows.push(get(MEMBER, GROUPS).expect("the API as usual", StatusCode::OK));
    run(&s, rows).await;
}

#[tokio::test]
async fn status_faults_replace_the_answer() {
    let s = start(faults_config()).await;
    let file = json!({ "CommunityThreadId": 1001, "Name": "x" });
    let faulted = |n: u32| {
        post(MEMBER, FILES, file.clone())
            .header("Origin", "http://127.0.0.1:5173")
            .expect(
                format!("faulted POST {n}"),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
            .header("x-test", "yes")
            .header("content-type", "application/json")
            .header("access-control-allow-origin", "http://127.0.0.1:5173")
            .text("{\"Message\":\"An error has occurred.\"}")
    };
    run(
        &s,
        [
            arm(
                json!({ "method": "POST", "path": FILES, "count": 2, "status": 500,
                        "body": "{\"Message\":\"An error has occurred.\"}",
                        "contentType": "application/json", "headers": { "X-Test": "yes" } }),
            ),
            request(Method::GET, "/_sandbox/faults")
                .expect("the armed fault", StatusCode::OK)
                .is("/faults/0/count", 2)
                .is("/faults/0/path", FILES),
            // GET on the same path does not match a POST fault.
            get(MEMBER, format!("{FILES}/1"))
                .expect("a GET on the faulted path", StatusCode::NOT_FOUND),
            faulted(1),
            faulted(2),
            // Used up: the real handler answers, and nothing was created by the faked requests.
            post(MEMBER, FILES, file.clone()).expect("the fault used up", StatusCode::OK),
            get(ADMIN, "/_sandbox/created")
                .expect("only the real request created", StatusCode::OK)
                .len("/files", 1),
            // HTML body (a gateway page), and an empty body with a header; any method.
            arm(json!([
                { "path": THREADS, "status": 502, "body": "<html><body>Bad gateway</body></html>",
                  "contentType": "text/html" },
                { "path": THREADS, "status": 503, "headers": { "Retry-After": "1" } }
            ])),
            get(MEMBER, THREADS)
                .expect("a gateway page", StatusCode::BAD_GATEWAY)
                .header("content-type", "text/html")
                .contains("", "Bad gateway"),
            post(MEMBER, THREADS, json!({}))
                .expect(
                    "an empty answer with a header",
                    StatusCode::SERVICE_UNAVAILABLE,
                )
                .header("retry-after", "1")
                .no_header("content-type")
                .text(""),
            // A fault's body without a content type: JSON if it parses, else text.
            arm(json!({ "path": GROUPS, "status": 404, "body": "\"Not found\"" })),
            get(MEMBER, GROUPS)
                .expect("a JSON body without a type", StatusCode::NOT_FOUND)
                .header_starts("content-type", "application/json"),
            // Faults also apply to paths without a route (e.g. a gateway error page).
            arm(json!({ "path": "/anything", "status": 200, "body": "ok" })),
            request(Method::GET, "/anything")
                .expect("a text body on a path without a route", StatusCode::OK)
                .header_starts("content-type", "text/plain"),
        ],
    )
    .await;
}

#[tokio::test]
async fn delay_faults_delay_then_run_the_real_handler() {
    let s = start(faults_config()).await;
    run(
        &s,
        [arm(
            json!({ "method": "GET", "path": GROUPS, "delayMs": 300 }),
        )],
    )
    .await;
    let delayed = get(MEMBER, GROUPS)
        .expect("a delayed answer", StatusCode::OK)
        .is("/TotalItems", 4);
    let took = timed(&s, delayed).await;
    assert!(took >= Duration::from_millis(300), "{took:?}");
    // Used up: fast again.
    let took = timed(
        &s,
        get(MEMBER, GROUPS).expect("the delay used up", StatusCode::OK),
    )
    .await;
    assert!(took < Duration::from_millis(300), "{took:?}");

    // Delay plus status.
    run(
        &s,
        [arm(
            json!({ "path": GROUPS, "delayMs": 200, "status": 500 }),
        )],
    )
    .await;
    let took = timed(
        &s,
        get(MEMBER, GROUPS).expect("a delay, then a status", StatusCode::INTERNAL_SERVER_ERROR),
    )
    .await;
    assert!(took >= Duration::from_millis(200), "{took:?}");
}

#[tokio::test]
async fn drop_after_handling_creates_the_record_but_loses_the_answer() {
    let s = start(faults_config()).await;
    run(
        &s,
        [arm(
            json!({ "method": "POST", "path": THREADS, "dropAfterHandling": true }),
        )],
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
    run(
        &s,
        [
            get(ADMIN, "/_sandbox/created")
                .expect("the conversation was created", StatusCode::OK)
                .len("/threads", 1),
            get(
                MEMBER,
                format!("{THREADS}?CommunityThread_User=10&CommunityThread_Subject=Lost"),
            )
            .expect("a lookup finds it", StatusCode::OK)
            .is("/Records/0/Subject", "Lost"),
        ],
    )
    .await;
}

#[tokio::test]
async fn fail_after_handling_creates_the_record_then_answers_the_generic_500() {
    let s = start(faults_config()).await;
    let thread = json!({ "BusinessId": 1, "UserId": 10, "Subject": "Failed?", "Message": "m" });
    run(&s, [
        arm(json!({ "method": "POST", "path": THREADS, "failAfterHandling": true })),
        post(MEMBER, THREADS, thread.clone())
            .header("Origin", "http://127.0.0.1:5173")
            .expect("a create that fails after it ran", StatusCode::INTERNAL_SERVER_ERROR)
            .header_starts("content-type", "application/json")
            .header("access-control-allow-origin", "http://127.0.0.1:5173")
            .text(r#"{"Message":"Ooops! There was a problem while running this action. Please try again later."}"#),
        // The conversation was created all the same.
        get(ADMIN, "/_sandbox/created")
            .expect("the conversation was created", StatusCode::OK)
            .len("/threads", 1)
            .is("/threads/0/Subject", "Failed?"),
        get(MEMBER, format!("{THREADS}?CommunityThread_Subject=Failed%3F"))
            .expect("a lookup finds it", StatusCode::OK)
            .is("/TotalItems", 1),
        // With a status and body of its own; a refused create stays refused (validation ran).
        arm(json!({ "method": "POST", "path": THREADS, "failAfterHandling": true, "count": 2,
                    "status": 502, "body": "<html>Bad gateway</html>", "contentType": "text/html" })),
        post(MEMBER, THREADS, json!({}))
            .expect("an invalid create that fails after", StatusCode::BAD_GATEWAY)
            .header("content-type", "text/html")
            .text("<html>Bad gateway</html>"),
        post(MEMBER, THREADS, thread)
            .expect("a valid create that fails after", StatusCode::BAD_GATEWAY),
        get(ADMIN, "/_sandbox/created")
            .expect("only the valid one was created", StatusCode::OK)
            .len("/threads", 2),
    ])
    .await;
}

#[tokio::test]
async fn drop_faults_close_the_connection_without_answering() {
    let s = start(faults_config()).await;
    run(
        &s,
        [arm(
            json!({ "method": "POST", "path": THREADS, "drop": true }),
        )],
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
    run(
        &s,
        [
            // With faults enabled no connection is reused, so browsers cannot silently resend.
            request(Method::GET, "/_sandbox/health")
                .expect("no connection is reused", StatusCode::OK)
                .header("connection", "close"),
            // Nothing was created; the next request works.
            get(ADMIN, "/_sandbox/created")
                .expect("nothing was created", StatusCode::OK)
                .is("/threads", json!([])),
            post(MEMBER, THREADS, thread).expect("the fault used up", StatusCode::OK),
            // With a delay: it waits, then drops.
            arm(json!({ "path": GROUPS, "drop": true, "delayMs": 200 })),
        ],
    )
    .await;
    let started = Instant::now();
    let res = s.request(Method::GET, Some(MEMBER), GROUPS).send().await;
    assert!(res.is_err());
    assert!(started.elapsed() >= Duration::from_millis(200));

    // On a raw socket: the peer sees EOF and no bytes.
    run(&s, [arm(json!({ "path": GROUPS, "drop": true }))]).await;
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
    let mut rows: Vec<Exchange> = [
        json!({ "path": "no-slash", "status": 500 }),
        json!({ "path": "/x", "status": 500, "drop": true }),
        json!({ "path": "/x", "count": 0 }),
        json!({ "path": "/x", "status": 42 }),
        json!({ "path": "/x", "statsu": 500 }),
        json!({ "status": 500 }),
        json!("nonsense"),
    ]
    .into_iter()
    .map(|bad| {
        request(Method::POST, "/_sandbox/faults")
            .json(bad.clone())
            .expect(format!("the fault {bad}"), StatusCode::BAD_REQUEST)
            .contains("/error", "invalid fault")
    })
    .collect();
    rows.extend([
        arm(json!({ "path": GROUPS, "status": 500, "count": 3 })),
        arm(json!({ "path": "/_sandbox/health", "status": 500 })),
        // /_sandbox/ is never faulted.
        request(Method::GET, "/_sandbox/health")
            .expect("the control endpoints are never faulted", StatusCode::OK),
        request(Method::GET, "/_sandbox/faults")
            .expect("the armed faults", StatusCode::OK)
            .len("/faults", 2),
        request(Method::DELETE, "/_sandbox/faults")
            .expect("clearing the faults", StatusCode::OK)
            .is("/cleared", 2),
        get(MEMBER, GROUPS).expect("after clearing", StatusCode::OK),
        // Reset clears faults too.
        arm(json!({ "path": GROUPS, "status": 500 })),
        request(Method::POST, "/_sandbox/reset").expect("a reset", StatusCode::OK),
        get(MEMBER, GROUPS).expect("after the reset", StatusCode::OK),
    ]);
    run(&s, rows).await;
}

/// An `OPTIONS` preflight from `origin` for `method path`, asking for the two headers the
/// panel sends.
fn preflight(origin: &str, method: &str, path: &str) -> Request {
    request(Method::OPTIONS, path)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
}

#[tokio::test]
async fn cors_preflight_and_origins() {
    let s = start(config()).await;
    let allowed = |origin: &str, method: &str, path: &str| {
        preflight(origin, method, path)
            .expect(format!("{method} from {origin}"), StatusCode::OK)
            .header("access-control-allow-origin", origin)
    };
    let mut rows: Vec<Exchange> = [
        "http://localhost:8080",
        "http://127.0.0.1:5173",
        "http://[::1]:3000",
    ]
    .map(|origin| {
        ["GET", "POST", "PUT", "DELETE", "OPTIONS"]
            .into_iter()
            .fold(allowed(origin, "POST", THREADS), |row, method| {
                row.header_contains("access-control-allow-methods", method)
            })
            .header_contains("access-control-allow-headers", "authorization")
            .header_contains("access-control-allow-headers", "content-type")
    })
    .into();
    rows.extend([
        preflight("http://evil.example", "POST", THREADS)
            .expect("a preflight from another origin", StatusCode::OK)
            .no_header("access-control-allow-origin"),
        // The presign request (Authorization, JSON) passes the preflight.
        allowed("http://localhost:8080", "POST", "/uploads")
            .header_contains("access-control-allow-headers", "authorization")
            .header_contains("access-control-allow-headers", "content-type"),
        // Uploads can be PUT from another loopback origin.
        allowed("http://localhost:8080", "PUT", "/uploads/abc/a.png"),
        // A preflight never needs a token nor consumes throttle.
        get(MEMBER, GROUPS)
            .header("Origin", "http://localhost:8080")
            .expect("a request from a loopback origin", StatusCode::OK)
            .header("access-control-allow-origin", "http://localhost:8080"),
    ]);
    run(&s, rows).await;

    // Explicit origins replace the default.
    let s = start(Config {
        cors_origins: vec!["http://app.test:9000".into()],
        ..config()
    })
    .await;
    let mut rows = vec![
        request(Method::OPTIONS, THREADS)
            .header("Origin", "http://app.test:9000")
            .header("Access-Control-Request-Method", "POST")
            .expect("the configured origin", StatusCode::OK)
            .header("access-control-allow-origin", "http://app.test:9000"),
        request(Method::OPTIONS, THREADS)
            .header("Origin", "http://localhost:8080")
            .header("Access-Control-Request-Method", "POST")
            .expect("a default origin, no longer allowed", StatusCode::OK)
            .no_header("access-control-allow-origin"),
    ];
    // The upload store's presign POST and PUT pass the preflight for the configured origin only.
    for (method, path) in [("POST", "/uploads"), ("PUT", "/uploads/abc/a.png")] {
        rows.push(allowed("http://app.test:9000", method, path));
        rows.push(
            preflight("http://localhost:8080", method, path)
                .expect(
                    format!("{method} from an origin not configured"),
                    StatusCode::OK,
                )
                .no_header("access-control-allow-origin"),
        );
    }
    run(&s, rows).await;
}

#[tokio::test]
async fn health_created_and_reset() {
    let s = start(config()).await;
    let nothing_created = || {
        get(ADMIN, "/_sandbox/created")
            .expect("nothing created", StatusCode::OK)
            .body(json!({ "threads": [], "files": [] }))
    };
    run(
        &s,
        [
            request(Method::GET, "/_sandbox/health")
                .expect("the health check", StatusCode::OK)
                .is("/status", "ok")
                .is("/business/Name", "Sandbox Coworking"),
            nothing_created(),
        ],
    )
    .await;
    let a = s.create_thread("One").await;
    let b = s.create_thread("Two").await;
    let file_id = check(
        &s,
        attach(a, "data:text/plain,x").expect("a file", StatusCode::OK),
    )
    .await
    .id();
    run(
        &s,
        [
            delete(MEMBER, format!("{THREADS}/{b}")).expect("deleting one", StatusCode::OK),
            get(ADMIN, "/_sandbox/created")
                .expect("what was created, and deleted", StatusCode::OK)
                .len("/threads", 2)
                .is("/threads/0/Id", a)
                .is("/threads/0/Subject", "One")
                .is("/threads/0/Deleted", false)
                .is("/threads/1/Id", b)
                .is("/threads/1/Deleted", true)
                .is("/files/0/Id", file_id)
                .is("/files/0/CommunityThreadId", a)
                .is("/files/0/Deleted", false),
            request(Method::POST, "/_sandbox/reset").expect("a reset", StatusCode::OK),
            nothing_created(),
            get(ADMIN, THREADS)
                .expect("the seed threads", StatusCode::OK)
                .is("/TotalItems", 2),
            get(ADMIN, format!("{FILES}/{file_id}"))
                .expect("the file is gone", StatusCode::NOT_FOUND),
        ],
    )
    .await;
    // Ids start again.
    assert_eq!(s.create_thread("Again").await, 5001);
    run(
        &s,
        [attach(5001, "data:text/plain,x")
            .expect("the first file after a reset", StatusCode::OK)
            .is("/Value/Id", 87654321)],
    )
    .await;
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
    let file_id = check(
        &s,
        attach(thread, "data:image/png;base64,AAEC").expect("a file", StatusCode::OK),
    )
    .await
    .id();
    assert!(path.exists());
    let saved: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["threads"].as_array().unwrap().len(), 3);

    // A second sandbox on the same file sees the same records and continues the ids.
    let s2 = start(with_state()).await;
    run(
        &s2,
        [
            get(MEMBER, format!("{THREADS}/{thread}"))
                .expect("the saved thread", StatusCode::OK)
                .is("/Subject", "Persisted"),
            get(MEMBER, format!("{FILES}/{file_id}"))
                .expect("the saved file", StatusCode::OK)
                .is("/FileContentType", "image/png"),
            get(MEMBER, format!("{FILES}/{file_id}/content"))
                .expect("the saved bytes", StatusCode::OK)
                .bytes([0, 1, 2]),
        ],
    )
    .await;
    assert_eq!(s2.create_thread("Next").await, thread + 1);
    run(
        &s2,
        [
            // "Created" covers this run only.
            get(ADMIN, "/_sandbox/created")
                .expect("created in this run", StatusCode::OK)
                .len("/threads", 1),
            // Deletes and resets are saved too.
            delete(MEMBER, format!("{THREADS}/{thread}"))
                .expect("deleting the saved thread", StatusCode::OK),
        ],
    )
    .await;
    let s3 = start(with_state()).await;
    run(
        &s3,
        [
            get(MEMBER, format!("{THREADS}/{thread}"))
                .expect("the deleted thread", StatusCode::NOT_FOUND),
            request(Method::POST, "/_sandbox/reset").expect("a reset", StatusCode::OK),
        ],
    )
    .await;
    let s4 = start(with_state()).await;
    run(
        &s4,
        [get(ADMIN, THREADS)
            .expect("the seed threads after the saved reset", StatusCode::OK)
            .is("/TotalItems", 2)],
    )
    .await;

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
