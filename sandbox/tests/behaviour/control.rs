//! The sandbox itself: CORS, health, created records and reset, the state file, shutdown.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use sandbox::Config;
use serde_json::{json, Value};

use super::common::*;

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
        // Bare Nexudus does not list `Idempotency-Key` in its CORS answer, so a browser
        // refuses a write carrying it: the panel's `idempotencyKeys` is for host backends only.
        request(Method::OPTIONS, THREADS)
            .header("Origin", "http://localhost:8080")
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization,content-type,idempotency-key",
            )
            .expect("a preflight naming Idempotency-Key", StatusCode::OK)
            .header_lacks("access-control-allow-headers", "idempotency-key")
            .header_lacks("access-control-allow-headers", "*"),
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
    let file_id = s.attach_file(a, "data:text/plain,x").await;
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
    let file_id = s.attach_file(thread, "data:image/png;base64,AAEC").await;
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
