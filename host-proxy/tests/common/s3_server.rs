//! A real S3-compatible server for a test: `s3s-fs` from crates.io (it checks SigV4
//! signatures, presigned URLs included), on a free loopback port, over a fresh folder with one
//! bucket, with random credentials, killed when dropped. `cargo xtask test` installs the
//! pinned version; `S3S_FS` names another binary.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nexudus_host_proxy::uploads::bucket::BucketConfig;
use nexudus_host_proxy::Secret;
use rusty_s3::actions::S3Action;

use super::{free_port, put_bytes, random_hex};

/// The bucket every test server has.
pub const BUCKET: &str = "portal-files";

/// A running server.
pub struct S3Server {
    child: Option<Child>,
    port: u16,
    root: PathBuf,
    access_key: String,
    secret_key: String,
}

fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("S3S_FS") {
        return PathBuf::from(path);
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    match cargo_home.map(|home| home.join("bin/s3s-fs")) {
        Some(path) if path.exists() => path,
        _ => PathBuf::from("s3s-fs"),
    }
}

impl S3Server {
    /// Starts a server with the bucket [`BUCKET`] and waits until it accepts connections.
    pub fn start() -> S3Server {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("s3-{}", random_hex(8)));
        std::fs::create_dir_all(root.join(BUCKET)).unwrap();
        let port = free_port();
        let access_key = format!("AK{}", random_hex(8).to_uppercase());
        let secret_key = format!("bucket-secret-{}", random_hex(16));
        let child = Command::new(binary())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", &access_key, "--secret-key", &secret_key])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}): `cargo xtask test` installs s3s-fs",
                    binary().display()
                )
            });
        let server = S3Server {
            child: Some(child),
            port,
            root,
            access_key,
            secret_key,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The secret key the server checks signatures with (to look for it where it must not be).
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The store of `s3://BUCKET/<prefix>` on this server, as the `AWS_*` variables give it.
    pub fn bucket_config(&self, prefix: &str) -> BucketConfig {
        self.bucket_config_with_secret(prefix, &self.secret_key)
    }

    /// The same with another secret key (signatures the server refuses).
    pub fn bucket_config_with_secret(&self, prefix: &str, secret: &str) -> BucketConfig {
        BucketConfig {
            endpoint: url::Url::parse(&self.endpoint()).unwrap(),
            region: "us-east-1".to_string(),
            name: BUCKET.to_string(),
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{}/", prefix.trim_matches('/'))
            },
            path_style: true,
            access_key: self.access_key.clone(),
            secret_key: Secret::new(secret),
            session_token: None,
        }
    }

    /// The `AWS_*` variables of this server, for the binary.
    pub fn env(&self) -> [(&'static str, String); 5] {
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ALLOW_HTTP", "true".to_string()),
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_ACCESS_KEY_ID", self.access_key.clone()),
            ("AWS_SECRET_ACCESS_KEY", self.secret_key.clone()),
        ]
    }

    fn admin_bucket(&self) -> (rusty_s3::Bucket, rusty_s3::Credentials) {
        let bucket = rusty_s3::Bucket::new(
            url::Url::parse(&self.endpoint()).unwrap(),
            rusty_s3::UrlStyle::Path,
            BUCKET,
            "us-east-1",
        )
        .unwrap();
        let credentials =
            rusty_s3::Credentials::new(self.access_key.clone(), self.secret_key.clone());
        (bucket, credentials)
    }

    /// Writes `object` with the operator's own credentials (what a store that checked no
    /// signed header would let a member do), returning the status.
    pub async fn admin_put(&self, object: &str, content_type: &str, bytes: Vec<u8>) -> u16 {
        let (bucket, credentials) = self.admin_bucket();
        let mut put = rusty_s3::actions::PutObject::new(&bucket, Some(&credentials), object);
        put.headers_mut()
            .insert("content-type", content_type.to_string());
        put_bytes(
            put.sign(Duration::from_secs(60)).as_str(),
            content_type,
            bytes,
        )
        .await
    }

    /// Whether `object` exists, by a signed HEAD.
    pub async fn exists(&self, object: &str) -> bool {
        let (bucket, credentials) = self.admin_bucket();
        let url = rusty_s3::actions::HeadObject::new(&bucket, Some(&credentials), object)
            .sign(Duration::from_secs(60));
        let response = nexudus_wire::testing::client()
            .head(url)
            .send()
            .await
            .unwrap();
        response.status().is_success()
    }

    /// Kills the server (the tests of an unreachable bucket).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
