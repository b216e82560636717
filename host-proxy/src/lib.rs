//! `nexudus-host-proxy`: a reference host backend between the panel and Nexudus.
//!
//! `/api/community/*` takes only an administrator's credential or one holding the entity's
//! roles, and such a credential must never reach a member's browser. This server keeps the
//! operator's credential ([`config::OperatorCredential`]) and accepts from the panel only the
//! member's own session, an HS256 JWT signed by the host's login ([`claims`]). It forwards the
//! panel's calls on the same paths as Nexudus, with the member's identity forced into them
//! ([`routes`]), and hosts the files Nexudus downloads ([`uploads`]).
//!
//! Start it with [`Proxy::new`] and [`Proxy::run`] on a bound listener (the binary, the
//! integration tests and the benchmark all do).

#![forbid(unsafe_code)]
// Handlers return the ready answer (an axum `Response`) as their error, on cold paths.
#![allow(clippy::result_large_err)]

pub mod boards;
pub mod caller;
pub mod claims;
pub mod cli;
pub mod config;
pub mod content_type;
pub mod envelope;
pub mod idempotency;
pub mod limit;
pub mod metrics;
pub mod operator;
pub mod quota;
pub mod schedule;
pub mod secret;
pub mod shared;
pub mod uploads;
pub mod upstream;

mod auth;
mod body_deadline;
mod probes;
mod routes;
mod serve;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, Method};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use claims::Member;
pub use config::{Config, OperatorCredential};
pub use secret::Secret;

/// Shared state of one running proxy.
pub(crate) struct AppState {
    pub(crate) config: Config,
    pub(crate) verifier: claims::Verifier,
    pub(crate) upstream: upstream::Upstream,
    pub(crate) limit: Box<dyn limit::WriteLimits>,
    /// The shared store, when configured (for the readiness probe).
    pub(crate) redis: Option<shared::Redis>,
    pub(crate) uploads: uploads::Uploads,
    pub(crate) attach_turns: routes::ThreadTurns,
    pub(crate) keys: Box<dyn idempotency::store::KeyStore>,
    pub(crate) metrics: Arc<metrics::Metrics>,
    pub(crate) boards: boards::BoardCache,
}

/// The state stores: in this process, or shared in Redis.
struct Stores {
    limit: Box<dyn limit::WriteLimits>,
    keys: Box<dyn idempotency::store::KeyStore>,
    uploads: uploads::Backing,
}

impl Stores {
    fn new(config: &Config, redis: Option<&shared::Redis>) -> Stores {
        let Some(redis) = redis else {
            return Stores {
                limit: Box::new(limit::WriteLimit::new(config.member_writes_per_minute)),
                keys: Box::new(idempotency::store::MemoryStore::new(
                    config.idempotency_ttl,
                    config.idempotency_keys_per_member,
                )),
                uploads: uploads::Backing {
                    tickets: Box::new(uploads::tickets::InProcessTickets::default()),
                    quota: Box::new(quota::InProcessQuota::new(
                        config.member_storage_bytes_per_day,
                    )),
                    quota_counts_store: false,
                },
            };
        };
        Stores {
            limit: Box::new(shared::limit::RedisLimit::new(
                redis.clone(),
                config.member_writes_per_minute,
            )),
            keys: Box::new(shared::keys::RedisKeys::new(
                redis.clone(),
                config.idempotency_ttl,
                config.idempotency_keys_per_member,
                config.idempotency_lease,
            )),
            uploads: uploads::Backing {
                tickets: Box::new(shared::tickets::RedisTickets::new(redis.clone())),
                quota: Box::new(shared::quota::RedisQuota::new(
                    redis.clone(),
                    config.member_storage_bytes_per_day,
                    config.max_store_bytes,
                )),
                quota_counts_store: true,
            },
        }
    }
}

/// A configured proxy, ready to serve.
pub struct Proxy {
    state: Arc<AppState>,
}

impl Proxy {
    /// Builds the proxy: the HTTP client for the upstream, and the file store in
    /// `config.uploads_dir` (created if missing; files left by an earlier run are kept until
    /// they expire). The member-session key must have at least
    /// [`claims::MIN_SECRET_BYTES`] bytes.
    pub async fn new(config: Config) -> std::io::Result<Proxy> {
        if config.member_jwt_secret.expose().len() < claims::MIN_SECRET_BYTES {
            return Err(std::io::Error::other(format!(
                "MEMBER_JWT_SECRET must have at least {} bytes",
                claims::MIN_SECRET_BYTES
            )));
        }
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(config.upstream_timeout)
            .connect_timeout(config.upstream_timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| std::io::Error::other(format!("HTTP client: {e}")))?;
        let operator = operator::Operator::new(config.credential.clone());
        let redis = match &config.redis_url {
            Some(url) => Some(shared::Redis::connect(url.expose()).map_err(std::io::Error::other)?),
            None => None,
        };
        let pacer: Arc<dyn schedule::Pacer> = match &redis {
            Some(r) => Arc::new(shared::pacer::RedisPacer::new(
                r.clone(),
                config.upstream_min_spacing,
            )),
            None => Arc::new(schedule::LocalPacer::new(config.upstream_min_spacing)),
        };
        let turns = schedule::Scheduler::with_pacer(
            config.upstream_min_spacing,
            config.member_queue_depth,
            pacer,
        );
        let metrics = Arc::new(metrics::Metrics::new().map_err(std::io::Error::other)?);
        let upstream = upstream::Upstream::new(
            http.clone(),
            &config.upstream,
            Arc::new(turns),
            config.upstream_timeout,
            operator,
            metrics.clone(),
        );
        if !config.public_base_url.starts_with("https:")
            && !is_loopback_url(&config.public_base_url)
        {
            tracing::warn!(
                "--public-base-url is not https: the panel accepts plain http file URLs only on a loopback host"
            );
        }
        let rules = claims::SessionRules {
            leeway: config.jwt_leeway,
            max_lifetime: config.max_session,
            audience: config.jwt_audience.clone(),
            issuer: config.jwt_issuer.clone(),
        };
        let verifier = claims::Verifier::with_rules(&config.member_jwt_secret, rules)
            .map_err(std::io::Error::other)?;
        let stores = Stores::new(&config, redis.as_ref());
        let uploads = uploads::Uploads::open(&config, stores.uploads, http).await?;
        let state = AppState {
            verifier,
            limit: stores.limit,
            redis,
            upstream,
            uploads,
            attach_turns: routes::ThreadTurns::default(),
            keys: stores.keys,
            metrics,
            boards: boards::BoardCache::new(config.board_cache_ttl),
            config,
        };
        Ok(Proxy {
            state: Arc::new(state),
        })
    }

    /// The router with every route and layer.
    pub fn router(&self) -> Router {
        let state = self.state.clone();
        let body_limit = state.config.body_read_timeout;
        routes::router(state.clone())
            .layer(axum::middleware::from_fn(move |req, next| {
                body_deadline::limit(body_limit, req, next)
            }))
            .layer(cors_layer(&state.config))
    }

    /// How many password and refresh grants the operator's credential has made.
    pub fn grants(&self) -> (u64, u64) {
        self.state.upstream.operator().grants()
    }

    /// Serves on `listener` until `shutdown` completes, within the connection bounds (see
    /// `serve`), running the clean-up of expired files and idle counters in the background.
    pub async fn run<F>(self, listener: tokio::net::TcpListener, shutdown: F) -> std::io::Result<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let state = self.state.clone();
        let cleaner = tokio::spawn(async move {
            let every = state.config.cleanup_interval.max(Duration::from_millis(10));
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                state.uploads.clean_up().await;
                state.limit.prune(std::time::Instant::now());
                state.keys.prune(std::time::Instant::now());
            }
        });
        let app = self.router();
        let config = &self.state.config;
        let limits = serve::ConnectionLimits {
            max_connections: config.max_connections,
            header_read_timeout: config.header_read_timeout,
            idle_timeout: config.connection_idle_timeout(),
            shutdown_grace: config.shutdown_grace,
        };
        let served = serve::serve(listener, app, limits, shutdown).await;
        cleaner.abort();
        served
    }
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

/// Whether `url` is a plain http URL on a loopback host.
fn is_loopback_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// CORS for the portal's origins only (exact match): the panel's methods and headers
/// (`Idempotency-Key` among them), and `Retry-After` and `Idempotent-Replayed` exposed so it
/// can wait as told and see a replay. No origin configured: no CORS headers
/// (same-origin deployments).
fn cors_layer(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> = config
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            idempotency::key::IDEMPOTENCY_KEY,
        ])
        .expose_headers([header::RETRY_AFTER, idempotency::recorded::REPLAYED])
        .max_age(Duration::from_secs(600))
}
