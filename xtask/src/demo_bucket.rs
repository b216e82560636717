//! The demo's local bucket (`cargo xtask demo --bucket`): s3s-fs from crates.io, which checks
//! SigV4 signatures as S3 does, over `target/demo-bucket/`, behind the CORS rule a portal's
//! bucket has for the portal's origin (`xtask/bucket-cors.mjs`, since s3s-fs has none). The
//! host backend signs for it with `--store-url s3://demo-files/uploads`; the panel PUTs to it
//! and the sandbox downloads from it, both on loopback.

use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::run::{Service, XResult};
use crate::tools::Toolbox;

/// Where the page reaches the bucket (its CORS front).
pub const DEMO_BUCKET_ADDR: &str = "127.0.0.1:8792";
/// s3s-fs itself, behind the front.
const S3_ADDR: &str = "127.0.0.1:8793";
/// The demo's bucket and the prefix of its files.
const STORE_URL: &str = "s3://demo-files/uploads";
/// The demo bucket's credentials: in this source file, so they guard nothing that matters.
const ACCESS_KEY: &str = "DEMOONLYACCESSKEY";
const SECRET_KEY: &str = "demo-only-bucket-secret-never-use-in-production";

/// The running bucket; dropping it stops both processes.
pub struct DemoBucket {
    _s3: Service,
    _front: Service,
    /// `http://127.0.0.1:8792`, for the page's `connect-src`.
    pub origin: String,
}

impl DemoBucket {
    /// `--store-url` and the `AWS_*` environment of a host backend using this bucket.
    pub fn proxy_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("STORE_URL", STORE_URL.to_string()),
            ("AWS_ENDPOINT_URL", self.origin.clone()),
            ("AWS_ALLOW_HTTP", "true".to_string()),
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_string()),
        ]
    }
}

/// Starts s3s-fs (installing it first if needed) and its CORS front for `page_origin`.
pub fn start(toolbox: &Toolbox, target_dir: &Path, page_origin: &str) -> XResult<DemoBucket> {
    toolbox.ensure_s3_server()?;
    let root = target_dir.join("demo-bucket");
    std::fs::create_dir_all(root.join("demo-files"))
        .map_err(|e| format!("could not create {}: {e}", root.display()))?;
    let (host, port) = S3_ADDR.split_once(':').ok_or("bad S3_ADDR")?;
    let s3 = Service::spawn(
        "bucket (s3s-fs)",
        toolbox
            .command(&toolbox.cargo_bin.join("s3s-fs").to_string_lossy())
            .args(["--host", host, "--port", port])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&root),
    )?;
    let started = Instant::now();
    while TcpStream::connect(S3_ADDR).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("s3s-fs did not listen on {S3_ADDR} within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (front, origin) = Service::spawn_listening(
        "bucket CORS front",
        toolbox
            .command("node")
            .arg("xtask/bucket-cors.mjs")
            .args(["--listen", DEMO_BUCKET_ADDR])
            .args(["--target", &format!("http://{S3_ADDR}")])
            .args(["--origin", page_origin]),
        Duration::from_secs(30),
    )?;
    Ok(DemoBucket {
        _s3: s3,
        _front: front,
        origin,
    })
}
