//! What the sandbox's and the host proxy's integration tests both use (feature `test-support`,
//! turned on by their dev-dependencies only): the API's paths, an HTTP client, and a way to
//! start a stand-in for some other host. Panics here are test failures, not input handling.

use std::time::Duration;

/// The conversations endpoint.
pub const THREADS: &str = "/api/community/communitythreads";
/// The conversation files endpoint.
pub const FILES: &str = "/api/community/communitythreadfiles";
/// The boards endpoint.
pub const GROUPS: &str = "/api/community/communitygroups";

/// A client that never uses a proxy from the environment and gives up after 20 s.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("a reqwest client with no proxy builds")
}

/// Starts a plain axum app (a test double of some other host) on a free loopback port;
/// returns its base URL.
pub async fn start_app(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}
