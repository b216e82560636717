//! Files in an S3-compatible bucket (`--store-url s3://…`) on a real server that checks
//! signatures (`s3s-fs`), with two instances on one Redis: an upload presigned by one is `PUT`
//! to the bucket directly and attached through the other, and the sandbox downloads the same
//! bytes; the bucket refuses another type or size than signed; an attach checks the object
//! itself (missing, larger than declared, another type) and refuses URLs of another bucket,
//! prefix or member; a wrong secret or a stopped bucket makes `/readyz` 503 and attaches fail
//! closed, never naming the secret.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::redis_server::RedisServer;
use common::s3_server::S3Server;
use common::*;
use nexudus_host_proxy::{Config, Secret};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_nexudus-host-proxy");

/// A small PNG-like payload with every byte value.
fn picture() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(20_000));
    bytes
}

fn upload_request(size: usize) -> Value {
    json!({"fileName": "plan b.png", "contentType": "image/png", "size": size})
}

/// A proxy in front of `sandbox` storing in the bucket of `s3` under `prefix`.
fn bucket_config(sandbox: &str, s3: &S3Server, prefix: &str) -> Config {
    let mut config = proxy_config(sandbox);
    config.bucket = Some(s3.bucket_config(prefix));
    config
}

/// `PUT`s `bytes` of `content_type` to the upload URL `POST /uploads` issued.
async fn put(issued: &Value, content_type: &str, bytes: Vec<u8>) -> u16 {
    put_bytes(issued["uploadUrl"].as_str().unwrap(), content_type, bytes).await
}

/// The bucket's object of an issued file (from its file URL's path).
fn object_of(issued: &Value, prefix: &str) -> String {
    let url = url::Url::parse(issued["fileUrl"].as_str().unwrap()).unwrap();
    let path = url.path().to_string();
    let at = path.find(prefix).unwrap();
    path[at..].to_string()
}

fn attach(thread: i64, url: &Value) -> Value {
    json!({"CommunityThreadId": thread, "Name": "Plan", "NewFileDataUrl": url})
}

async fn ready(proxy: &Running) -> (axum::http::StatusCode, Value) {
    read(proxy.http.get(proxy.url("/readyz")).send().await.unwrap()).await
}

fn only_error(body: &Value) -> (String, String) {
    let errors = body["Errors"].as_array().expect("Errors[]");
    assert_eq!(errors.len(), 1, "{body}");
    (
        errors[0]["PropertyName"].as_str().unwrap().to_string(),
        errors[0]["Message"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn an_upload_presigned_by_one_instance_is_put_to_the_bucket_and_attached_through_the_other() {
    let redis = RedisServer::start();
    let s3 = S3Server::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut both = Vec::new();
    for _ in 0..2 {
        let mut config = bucket_config(&sandbox, &s3, "portal/uploads");
        config.redis_url = Some(Secret::new(redis.url()));
        both.push(start_proxy(config).await);
    }
    let member = session(10, 1);
    let (status, issued) = both[0]
        .post(&member, "/uploads", &upload_request(picture().len()))
        .await;
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["method"], "PUT");
    assert_eq!(issued["headers"], json!({"Content-Type": "image/png"}));
    let upload_url = issued["uploadUrl"].as_str().unwrap();
    let prefix = format!("{}/{}/portal/uploads/", s3.endpoint(), s3_server::BUCKET);
    assert!(upload_url.starts_with(&prefix), "{upload_url}");
    assert!(issued["fileUrl"].as_str().unwrap().starts_with(&prefix));
    let answer = issued.to_string();
    assert!(!answer.contains(s3.secret_key()), "no secret in {answer}");
    // The file is not there before its PUT.
    let early = client()
        .get(issued["fileUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(early.status().as_u16(), 404);

    assert_eq!(put(&issued, "image/png", picture()).await, 200);
    let got = client()
        .get(issued["fileUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.bytes().await.unwrap().to_vec(), picture());

    let thread = both[1].create_thread(&member, "With a picture").await;
    let (status, answer) = both[1]
        .post(&member, FILES, &attach(thread, &issued["fileUrl"]))
        .await;
    assert_eq!(status, 200, "{answer}");
    let file_id = answer["Value"]["Id"].as_i64().unwrap();
    let downloaded = sandbox_file(&sandbox, file_id).await;
    assert_eq!(downloaded, ("image/png".to_string(), picture()));
}

#[tokio::test]
async fn the_bucket_refuses_another_type_or_size_than_signed() {
    let s3 = S3Server::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let proxy = start_proxy(bucket_config(&sandbox, &s3, "p")).await;
    let member = session(10, 1);
    let (status, issued) = proxy.post(&member, "/uploads", &upload_request(5)).await;
    assert_eq!(status, 200, "{issued}");
    assert_eq!(put(&issued, "text/html", b"hello".to_vec()).await, 403);
    assert_eq!(
        put(&issued, "image/png", b"hello, more".to_vec()).await,
        403
    );
    assert_eq!(put(&issued, "image/png", b"hey".to_vec()).await, 403);
    assert!(!s3.exists(&object_of(&issued, "p/")).await);
    assert_eq!(put(&issued, "image/png", b"hello".to_vec()).await, 200);
}

#[tokio::test]
async fn an_attach_checks_the_object_itself() {
    let s3 = S3Server::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let proxy = start_proxy(bucket_config(&sandbox, &s3, "p")).await;
    let member = session(10, 1);
    let thread = proxy.create_thread(&member, "Checked").await;
    let five = upload_request(5);
    let issue = || proxy.post(&member, "/uploads", &five);

    // Issued, never uploaded.
    let (_, never) = issue().await;
    let (status, answer) = proxy
        .post(&member, FILES, &attach(thread, &never["fileUrl"]))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        only_error(&answer),
        (
            "NewFileDataUrl".into(),
            "was not uploaded; add the file again".into()
        )
    );

    // Larger than declared, written past the signature (a store that checks no signed
    // header would let the member do this).
    let (_, large) = issue().await;
    let object = object_of(&large, "p/");
    assert_eq!(
        s3.admin_put(&object, "image/png", vec![7; 5_000]).await,
        200
    );
    let (status, answer) = proxy
        .post(&member, FILES, &attach(thread, &large["fileUrl"]))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        only_error(&answer).1,
        "is larger than the size declared for it; add the file again"
    );

    // Another type than declared.
    let (_, html) = issue().await;
    assert_eq!(
        s3.admin_put(&object_of(&html, "p/"), "text/html", b"<b>!".to_vec())
            .await,
        200
    );
    let (status, answer) = proxy
        .post(&member, FILES, &attach(thread, &html["fileUrl"]))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        only_error(&answer).1,
        "is not of the type declared for it; add the file again"
    );

    // Each refusal is counted by its reason, for the operator's dashboard.
    let metrics = client()
        .get(proxy.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for reason in ["not_uploaded", "larger_than_declared", "other_type"] {
        let line = format!("nexudus_host_proxy_refusals_total{{reason=\"{reason}\"}} 1");
        assert!(metrics.contains(&line), "{line} in {metrics}");
    }
    assert_eq!(
        created(&sandbox).await["files"],
        json!([]),
        "nothing reached Nexudus"
    );
}

#[tokio::test]
async fn urls_of_another_bucket_prefix_host_or_member_are_refused() {
    let s3 = S3Server::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let proxy = start_proxy(bucket_config(&sandbox, &s3, "p")).await;
    let member = session(10, 1);
    let thread = proxy.create_thread(&member, "Mine").await;
    let (_, issued) = proxy.post(&member, "/uploads", &upload_request(5)).await;
    assert_eq!(put(&issued, "image/png", b"hello".to_vec()).await, 200);
    let url = issued["fileUrl"].as_str().unwrap();
    let path = url.split('?').next().unwrap();
    let foreign = [
        path.replace("/portal-files/", "/other-bucket/"),
        path.replace("/p/", "/q/"),
        path.replace("127.0.0.1", "localhost"),
        path.replace(&s3.endpoint(), "http://127.0.0.1:1"),
        "data:image/png;base64,aGVsbG8=".to_string(),
    ];
    for url in foreign {
        let (status, answer) = proxy
            .post(&member, FILES, &attach(thread, &Value::from(url.clone())))
            .await;
        assert_eq!(status, 400, "{url}: {answer}");
        assert_eq!(
            only_error(&answer),
            (
                "NewFileDataUrl".into(),
                "must be a file uploaded through this portal".into()
            ),
            "{url}"
        );
    }
    // Another member of the same business cannot attach it to their own conversation.
    let other = session(11, 1);
    let theirs = proxy.create_thread(&other, "Theirs").await;
    let (status, _) = proxy
        .post(&other, FILES, &attach(theirs, &issued["fileUrl"]))
        .await;
    assert_eq!(status, 400);
    // The URL without its signature is the member's file: Nexudus gets one signed afresh.
    let (status, answer) = proxy
        .post(&member, FILES, &attach(thread, &Value::from(path)))
        .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn the_member_quota_counts_files_in_the_bucket() {
    let s3 = S3Server::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = bucket_config(&sandbox, &s3, "p");
    config.member_storage_bytes_per_day = 12;
    let proxy = start_proxy(config).await;
    let member = session(10, 1);
    for expected in [200, 200, 400] {
        let (status, answer) = proxy.post(&member, "/uploads", &upload_request(5)).await;
        assert_eq!(status.as_u16(), expected, "{answer}");
    }
}

#[tokio::test]
async fn with_the_bucket_unusable_readyz_is_503_and_attaches_fail_closed() {
    let mut s3 = S3Server::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let wrong = {
        let mut config = proxy_config(&sandbox);
        config.bucket = Some(s3.bucket_config_with_secret("p", "not-the-secret-key"));
        start_proxy(config).await
    };
    let (status, body) = ready(&wrong).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["store"], "failing");
    assert!(!body.to_string().contains("not-the-secret-key"));
    // Signing needs no bucket, so the upload URL is issued; the attach's HEAD is refused (403),
    // which fails closed rather than passing for "not uploaded".
    let member = session(10, 1);
    let thread = wrong.create_thread(&member, "Wrong key").await;
    let (status, issued) = wrong.post(&member, "/uploads", &upload_request(5)).await;
    assert_eq!(status, 200, "{issued}");
    let (status, answer) = wrong
        .post(&member, FILES, &attach(thread, &issued["fileUrl"]))
        .await;
    assert_eq!(status, 503, "{answer}");

    let proxy = start_proxy(bucket_config(&sandbox, &s3, "p")).await;
    let (status, body) = ready(&proxy).await;
    assert_eq!(status, 200, "{body}");
    let thread = proxy.create_thread(&member, "Before the outage").await;
    let (_, issued) = proxy.post(&member, "/uploads", &upload_request(5)).await;
    assert_eq!(put(&issued, "image/png", b"hello".to_vec()).await, 200);

    s3.stop();
    let (status, body) = ready(&proxy).await;
    assert_eq!(status, 503, "{body}");
    let (status, answer) = proxy
        .post(&member, FILES, &attach(thread, &issued["fileUrl"]))
        .await;
    assert_eq!(status, 503, "{answer}");
    assert!(!answer.to_string().contains(s3.secret_key()));
}

#[tokio::test]
async fn an_expired_file_is_removed_from_the_bucket() {
    let s3 = S3Server::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = bucket_config(&sandbox, &s3, "p");
    config.file_ttl = Duration::from_secs(1);
    config.cleanup_interval = Duration::from_millis(200);
    let proxy = run_proxy(config).await;
    let member = session(10, 1);
    let (_, issued) = proxy.post(&member, "/uploads", &upload_request(5)).await;
    assert_eq!(put(&issued, "image/png", b"hello".to_vec()).await, 200);
    let object = object_of(&issued, "p/");
    let deadline = Instant::now() + Duration::from_secs(10);
    while s3.exists(&object).await {
        assert!(
            Instant::now() < deadline,
            "the expired object is still in the bucket"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_binary_takes_the_bucket_from_store_url_and_the_aws_environment() {
    let s3 = S3Server::start();
    let mut command = Command::new(BIN);
    command
        .args([
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://127.0.0.1:9",
            "--quiet",
        ])
        .args(["--store-url", "s3://portal-files/from-env"])
        .env("NEXUDUS_API_TOKEN", OPERATOR_TOKEN)
        .env("MEMBER_JWT_SECRET", JWT_SECRET)
        .stderr(Stdio::null());
    for (name, value) in s3.env() {
        command.env(name, value);
    }
    let (child, base) = start_binary(&mut command);
    let (_, ready) = read(client().get(format!("{base}/readyz")).send().await.unwrap()).await;
    drop(child);
    assert_eq!(ready["checks"]["store"], "ok", "{ready}");

    let refused = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--store-url",
            "s3://portal-files",
        ])
        .env("NEXUDUS_API_TOKEN", OPERATOR_TOKEN)
        .env("MEMBER_JWT_SECRET", JWT_SECRET)
        .env("AWS_ENDPOINT_URL", s3.endpoint())
        .env("AWS_ACCESS_KEY_ID", "AKID")
        .env("AWS_SECRET_ACCESS_KEY", s3.secret_key())
        .env_remove("AWS_ALLOW_HTTP")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("AWS_ALLOW_HTTP"), "{said}");
    assert!(!said.contains(s3.secret_key()), "{said}");
}

#[tokio::test]
async fn a_bucket_that_never_answers_stalls_no_one_and_fails_closed_in_time() {
    // Accepts connections and never answers (a hung bucket or a black-holed route).
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", hung.local_addr().unwrap());
    let held = std::thread::spawn(move || hung.incoming().take(8).collect::<Vec<_>>());
    let s3 = S3Server::start();
    let mut bucket = s3.bucket_config("p");
    bucket.endpoint = url::Url::parse(&endpoint).unwrap();
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = proxy_config(&sandbox);
    config.bucket = Some(bucket);
    config.upstream_timeout = Duration::from_secs(1);
    let proxy = start_proxy(config).await;
    let member = session(10, 1);
    let thread = proxy.create_thread(&member, "Hung bucket").await;
    let (status, issued) = proxy.post(&member, "/uploads", &upload_request(5)).await;
    assert_eq!(status, 200, "signing asks nothing of the bucket: {issued}");

    let started = Instant::now();
    let body = attach(thread, &issued["fileUrl"]);
    let attaching = proxy.post(&member, FILES, &body);
    let other = session(11, 1);
    let reading = async {
        let answer = proxy.get(&other, THREADS).await;
        (answer.0, started.elapsed())
    };
    let ((status, answer), (read_status, read_after)) = tokio::join!(attaching, reading);
    assert_eq!(status, 503, "{answer}");
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "failed closed after {took:?}"
    );
    assert_eq!(read_status, 200);
    assert!(
        read_after < Duration::from_millis(900),
        "another member waited {read_after:?}"
    );
    let (status, body) = ready(&proxy).await;
    assert_eq!(
        (status.as_u16(), &body["checks"]["store"]),
        (503, &json!("failing"))
    );
    drop(held);
}
