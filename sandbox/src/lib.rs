//! A local, faithful double of the Nexudus REST API endpoints the widget uses.
//!
//! The trunk demo and every browser test run against it. It answers with the envelopes of
//! Nexudus's public reference (see `shared/reference/`): the create envelope, the 400 validation
//! envelope, the list envelope, the bare `"Not found"` 404, 401 for every authentication or role
//! problem and 409 + `Retry-After: 1` with an empty body when throttled (or 429 with the wait in
//! the text, `--throttle-status 429`).
//!
//! Tokens: seeded ones (see the `auth` module), `--token`s, and those `POST /api/token` issues
//! to API users (see the `token` and `sessions` modules).
//!
//! Besides the API (`/api/...`) it offers:
//! - an upload store standing in for a host page's own storage (`/uploads`),
//! - control endpoints for tests (`/_sandbox/health`, `/_sandbox/created`, `/_sandbox/reset`,
//!   and `/_sandbox/faults` when [`Config::enable_faults`] is set).
//!
//! Start it with [`serve`] (or [`Sandbox`] for more control); [`Config::default`] holds the
//! documented defaults of the command line.

#![forbid(unsafe_code)]

mod auth;
mod body;
mod clock;
mod control;
mod envelope;
mod fault_fields;
mod faults;
mod fetch;
mod files;
mod groups;
mod list;
mod server;
mod sessions;
mod store;
mod threads;
mod throttle;
mod token;
mod updates;
mod uploads;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::{header, HeaderValue, Method};
use axum::routing::{get, post};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use auth::{parse_token_arg, TokenSpec};
pub use clock::Clock;
pub use sessions::{parse_api_user_arg, ApiUser};
pub use throttle::{ThrottleConfig, ThrottleStatus};

/// One mebibyte, the unit of the size limits.
const MIB: u64 = 1024 * 1024;

/// Every setting of the sandbox. [`Default`] gives the documented defaults of the CLI.
#[derive(Clone, Debug)]
pub struct Config {
    /// Serve `/_sandbox/faults` (fault injection). Off by default; when off it answers 404.
    pub enable_faults: bool,
    /// Rate limits applied per API token to `/api/...` requests.
    pub throttle: ThrottleConfig,
    /// Tokens added to (or replacing, by name) the default tokens.
    pub extra_tokens: Vec<(String, TokenSpec)>,
    /// Largest file `NewFileDataUrl` may bring in, in bytes (default 25 MB).
    pub max_file_bytes: u64,
    /// Largest JSON request body, in bytes (default 40 MB). It is raised automatically so a
    /// `data:` URL of a `max_file_bytes` file (base64: 4/3 of the size) always fits.
    pub max_body_bytes: u64,
    /// Largest body one `PUT /uploads/{key}` may store, in bytes (default 64 MB).
    pub max_upload_bytes: u64,
    /// Accept a `data:` URI as `NewFileDataUrl` (off by default: live Nexudus answers a
    /// `data:` URI with its generic 500, and so does the sandbox; `--accept-data-urls`).
    pub accept_data_urls: bool,
    /// Accept a `Tags` longer than 50 characters (off by default: the board's own form allows
    /// 50 [seen, nexudus-api.md "Limits of the board's own form"], and the sandbox answers a
    /// longer one with an error on `Tags`; `--accept-long-tags`).
    pub accept_long_tags: bool,
    /// Let `NewFileDataUrl` point at non-loopback hosts (off by default: the sandbox is never
    /// an open proxy).
    pub allow_remote_urls: bool,
    /// List `Retry-After` in `Access-Control-Expose-Headers` (off by default: whether live
    /// Nexudus does is not known, and a cross-origin script must not depend on reading it
    /// [doc/open, nexudus-api.md "Who may call these endpoints"]; `--expose-retry-after`).
    pub expose_retry_after: bool,
    /// Origins allowed by CORS. Empty = any `http://127.0.0.1:*`, `http://localhost:*` or
    /// `http://[::1]:*` origin.
    pub cors_origins: Vec<String>,
    /// JSON file the state is loaded from at start (if present) and saved to on every change.
    pub state_file: Option<PathBuf>,
    /// Longest time a `NewFileDataUrl` download may take (default 30 s).
    pub fetch_timeout: Duration,
    /// Log one line per request to stderr (never any header, so never a token).
    pub log_requests: bool,
    /// API users added to (or replacing, by user name) the seeded `api@sandbox.test`, who may
    /// sign in at `/api/token` (`--api-user`).
    pub api_users: Vec<ApiUser>,
    /// Lifetime of the access tokens `/api/token` issues (default an hour;
    /// `--access-token-lifetime`). Refresh tokens last 15 days.
    pub access_token_lifetime: Duration,
    /// The clock token lifetimes are measured by; tests share one and move it forward.
    pub clock: Clock,
    /// The origin under which browsers, and the sandbox itself, reach the upload store,
    /// when it sits behind a proxy (`cargo xtask demo` serves `/uploads` on the page's
    /// origin, which a strict `connect-src 'self'` allows). Default: the sandbox's own.
    pub public_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enable_faults: false,
            throttle: ThrottleConfig::default(),
            extra_tokens: Vec::new(),
            max_file_bytes: 25 * MIB,
            max_body_bytes: 40 * MIB,
            max_upload_bytes: 64 * MIB,
            accept_data_urls: false,
            accept_long_tags: false,
            allow_remote_urls: false,
            expose_retry_after: false,
            cors_origins: Vec::new(),
            state_file: None,
            fetch_timeout: Duration::from_secs(30),
            log_requests: true,
            api_users: Vec::new(),
            access_token_lifetime: Duration::from_secs(3600),
            clock: Clock::new(),
            public_url: None,
        }
    }
}

impl Config {
    /// The JSON body limit actually applied: `max_body_bytes`, raised if needed so that a
    /// base64 `data:` URL of a `max_file_bytes` file fits with room for the other fields.
    pub fn effective_body_limit(&self) -> u64 {
        let data_url = self.max_file_bytes.saturating_mul(4).div_ceil(3);
        self.max_body_bytes.max(data_url.saturating_add(64 * 1024))
    }
}

/// Shared state of one running sandbox.
pub(crate) struct AppState {
    pub(crate) config: Config,
    /// `http://127.0.0.1:<port>`: the address actually bound, used to build upload URLs.
    pub(crate) base_url: String,
    /// Where the upload store is reached from outside ([`Config::public_url`]).
    pub(crate) public_url: String,
    pub(crate) tokens: auth::Tokens,
    pub(crate) sessions: Mutex<sessions::Sessions>,
    pub(crate) store: Mutex<store::Store>,
    pub(crate) faults: Mutex<faults::Faults>,
    pub(crate) throttle: Mutex<throttle::Throttle>,
    pub(crate) uploads: Mutex<uploads::Uploads>,
    pub(crate) http: reqwest::Client,
    /// Serialises saves of the state file so the newest state is always the one written last.
    pub(crate) save_lock: tokio::sync::Mutex<()>,
}

/// Locks a mutex, recovering the data if a previous holder panicked (it never should).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    /// Saves the state file, if one is configured. Errors are logged, not returned: the
    /// change itself has happened.
    pub(crate) async fn persist(&self) {
        let Some(path) = self.config.state_file.clone() else {
            return;
        };
        let _guard = self.save_lock.lock().await;
        let snapshot = lock(&self.store).to_json();
        match snapshot {
            Ok(bytes) => {
                if let Err(e) = store::write_atomically(&path, &bytes).await {
                    eprintln!("sandbox: could not save state to {}: {e}", path.display());
                }
            }
            Err(e) => eprintln!("sandbox: could not serialise state: {e}"),
        }
    }
}

/// A configured sandbox, ready to serve on a bound listener.
pub struct Sandbox {
    state: Arc<AppState>,
}

impl Sandbox {
    /// Builds the sandbox for a server bound to `local_addr`, loading `config.state_file` if
    /// it exists. Fails if the state file exists but cannot be read or parsed, or if the
    /// HTTP client for `NewFileDataUrl` cannot be built.
    pub fn new(config: Config, local_addr: SocketAddr) -> std::io::Result<Sandbox> {
        let store = match &config.state_file {
            Some(path) if path.exists() => store::Store::load(path)?,
            _ => store::Store::seed(),
        };
        let http = fetch::client(&config).map_err(std::io::Error::other)?;
        let tokens = auth::Tokens::with_defaults(&config.extra_tokens);
        let throttle = throttle::Throttle::new(config.throttle.clone());
        let sessions = sessions::Sessions::new(&config.api_users, config.access_token_lifetime);
        let state = AppState {
            base_url: base_url(local_addr),
            public_url: config
                .public_url
                .as_deref()
                .map(|url| url.trim_end_matches('/').to_owned())
                .unwrap_or_else(|| base_url(local_addr)),
            tokens,
            sessions: Mutex::new(sessions),
            store: Mutex::new(store),
            faults: Mutex::new(faults::Faults::default()),
            throttle: Mutex::new(throttle),
            uploads: Mutex::new(uploads::Uploads::default()),
            http,
            save_lock: tokio::sync::Mutex::new(()),
            config,
        };
        Ok(Sandbox {
            state: Arc::new(state),
        })
    }

    /// The base URL built from the bound address, e.g. `http://127.0.0.1:8787`.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// The axum router with every route and layer (CORS, faults, auth, throttle, logging).
    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Serves on `listener` until `shutdown` completes, then lets open requests finish
    /// (for at most 5 seconds). With [`Config::enable_faults`], connections are not kept alive
    /// (so a browser never silently resends a request a `drop` fault cut off).
    pub async fn run<F>(self, listener: tokio::net::TcpListener, shutdown: F) -> std::io::Result<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let app = self.router();
        let keep_alive = !self.state.config.enable_faults;
        server::run(listener, app, keep_alive, shutdown).await
    }
}

/// Serves the sandbox on an already bound listener until Ctrl-C or SIGTERM.
///
/// It does not print the `sandbox listening on ...` line; the binary does that after binding.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    serve_with_shutdown(listener, config, shutdown_signal()).await
}

/// Serves the sandbox on an already bound listener until `shutdown` completes.
pub async fn serve_with_shutdown<F>(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: F,
) -> std::io::Result<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let sandbox = Sandbox::new(config, listener.local_addr()?)?;
    sandbox.run(listener, shutdown).await
}

/// Completes on Ctrl-C, or on SIGTERM on Unix.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// `http://<ip>:<port>` for a bound address; an unspecified address (0.0.0.0, ::) is
/// reached through the loopback address of its family.
fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// Whether `origin` is a loopback http origin (`http://127.0.0.1:*`, `http://localhost:*`,
/// `http://[::1]:*`, with or without a port).
fn is_loopback_origin(origin: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| match origin.strip_prefix(prefix) {
            Some("") => true,
            Some(rest) => rest
                .strip_prefix(':')
                .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())),
            None => false,
        })
}

fn cors_layer(config: &Config) -> CorsLayer {
    let explicit = config.cors_origins.clone();
    let allow = AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        if explicit.is_empty() {
            is_loopback_origin(origin)
        } else {
            explicit.iter().any(|o| o == origin)
        }
    });
    let cors = CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600));
    // Without the flag nothing is exposed: a cross-origin page sees a 409 but not its
    // Retry-After, as it must expect from the live API.
    if config.expose_retry_after {
        cors.expose_headers([header::RETRY_AFTER])
    } else {
        cors
    }
}

/// A `PUT` handler for a route of `entity`: the role check, then 405 (see `updates`).
fn no_update(
    entity: &'static str,
    allow: &'static str,
) -> axum::routing::MethodRouter<Arc<AppState>> {
    axum::routing::put(
        move |axum::Extension(caller): axum::Extension<auth::Caller>| async move {
            updates::refuse(&caller, entity, allow)
        },
    )
}

/// Builds the full router for a shared state.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route(
            "/api/community/communitythreads",
            get(threads::list)
                .post(threads::create)
                .merge(no_update("CommunityThread", "GET,HEAD,POST")),
        )
        .route(
            "/api/community/communitythreads/{id}",
            get(threads::get_one)
                .delete(threads::delete)
                .merge(no_update("CommunityThread", "GET,HEAD,DELETE")),
        )
        .route(
            "/api/community/communitythreadfiles",
            get(files::list)
                .post(files::create)
                .merge(no_update("CommunityThreadFile", "GET,HEAD,POST")),
        )
        .route(
            "/api/community/communitythreadfiles/{id}",
            get(files::get_one)
                .delete(files::delete)
                .merge(no_update("CommunityThreadFile", "GET,HEAD,DELETE")),
        )
        .route(
            "/api/community/communitythreadfiles/{id}/content",
            get(files::content),
        )
        .route(
            "/api/community/communitygroups",
            get(groups::list).merge(no_update("CommunityGroup", "GET,HEAD")),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ));

    let other = Router::new()
        .route("/api/token", post(token::create))
        .route("/uploads", post(uploads::create))
        .route("/uploads/{*key}", get(uploads::get_one).put(uploads::put))
        .route("/_sandbox/health", get(control::health))
        .route("/_sandbox/created", get(control::created))
        .route("/_sandbox/memberships", get(control::memberships))
        .route("/_sandbox/reset", post(control::reset))
        .route(
            "/_sandbox/faults",
            get(control::list_faults)
                .post(control::add_faults)
                .delete(control::clear_faults),
        );

    Router::new()
        .merge(api)
        .merge(other)
        .fallback(envelope::route_not_found)
        .method_not_allowed_fallback(envelope::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            server::log_request,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            envelope::panic_response,
        ))
        .layer(cors_layer(&state.config))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins() {
        assert!(is_loopback_origin("http://127.0.0.1:8080"));
        assert!(is_loopback_origin("http://localhost:3000"));
        assert!(is_loopback_origin("http://[::1]:1"));
        assert!(is_loopback_origin("http://localhost"));
        assert!(!is_loopback_origin("http://localhost.evil.com:80"));
        assert!(!is_loopback_origin("http://127.0.0.1:80x"));
        assert!(!is_loopback_origin("https://localhost:3000"));
        assert!(!is_loopback_origin("http://example.com"));
    }

    #[test]
    fn body_limit_fits_a_base64_file() {
        let c = Config::default();
        assert_eq!(c.effective_body_limit(), 40 * MIB);
        let c = Config {
            max_file_bytes: 60 * MIB,
            ..Config::default()
        };
        assert!(c.effective_body_limit() >= 80 * MIB);
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("0.0.0.0:80".parse().unwrap()),
            "http://127.0.0.1:80"
        );
        assert_eq!(base_url("[::1]:5".parse().unwrap()), "http://[::1]:5");
    }
}
