//! The command line. Flags carry only non-secret settings (a flag shows up in process lists);
//! the secrets come from the environment and are read in [`secrets_from_env`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, OperatorCredential};
use crate::secret::Secret;
use crate::uploads::bucket::BucketConfig;

const ENVIRONMENT: &str = "\
Environment (secrets, never flags):
  NEXUDUS_API_TOKEN      the operator's API bearer token, sent as it is; or
  NEXUDUS_USERNAME       an API user, signed in through POST /api/token (password grant),
  NEXUDUS_PASSWORD         renewed by refresh token before expiry and once on a 401
  MEMBER_JWT_SECRET      the HS256 key (at least 32 bytes) the host's login signs member
                           sessions with: claims sub (Nexudus UserId), businessId, exp,
                           nbf?, iat?, aud? and iss? (checked when --jwt-audience and
                           --jwt-issuer are set), groups? (the board Ids the member
                           belongs to)

The panel's baseUrl points at this server and its bearer token is the member's session.";

/// A reference host backend for the Nexudus start-conversation panel: keeps the Nexudus API
/// credential on the server, posts as the signed-in member only, and hosts the files Nexudus
/// downloads.
#[derive(Parser, Debug)]
#[command(name = "nexudus-host-proxy", version, about, after_help = ENVIRONMENT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands besides serving.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print a member session (an HS256 JWT signed with MEMBER_JWT_SECRET) to stdout. A
    /// stand-in for the host's own login, for demos and tests.
    MintSession {
        /// The member's Nexudus UserId (the `sub` claim).
        #[arg(long, value_name = "USER_ID")]
        sub: u64,
        /// The member's business (the `businessId` claim).
        #[arg(long, value_name = "ID")]
        business_id: u64,
        /// The boards the member belongs to (the `groups` claim), comma-separated Ids, e.g.
        /// `--groups 3,4`; without it the session has no `groups` claim.
        #[arg(long, value_name = "IDS", value_delimiter = ',')]
        groups: Option<Vec<u64>>,
        /// How long the session lasts.
        #[arg(long, default_value_t = 3600, value_name = "N")]
        ttl_seconds: u64,
    },
}

/// How log lines are written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The serving flags.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = crate::config::DEFAULT_LISTEN, value_name = "IP:PORT")]
    pub listen: SocketAddr,

    /// Base URL of the Nexudus API (the demo and tests point it at the sandbox).
    #[arg(long, default_value = crate::config::DEFAULT_UPSTREAM, value_name = "URL")]
    pub upstream: String,

    /// An origin of the portal's pages allowed by CORS (repeatable; exact match, e.g.
    /// https://portal.example.com). None: no CORS headers, for a same-origin deployment.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,

    /// Folder of the uploaded files (created if missing). The same as
    /// `--store-url file:///DIR`.
    #[arg(long, default_value = "host-proxy-uploads", value_name = "DIR")]
    pub uploads_dir: PathBuf,

    /// Where the files are stored: `file:///path` (a folder, as --uploads-dir) or
    /// `s3://bucket/prefix`, an S3-compatible bucket configured from the standard AWS_*
    /// environment (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    /// AWS_SESSION_TOKEN; AWS_ALLOW_HTTP=true for a local http:// endpoint). With a bucket the
    /// browser uploads to it with a presigned PUT and Nexudus downloads with a presigned GET.
    #[arg(
        long,
        env = "STORE_URL",
        value_name = "URL",
        conflicts_with = "uploads_dir"
    )]
    pub store_url: Option<String>,

    /// Public base URL of this server, from which Nexudus downloads stored files and to which
    /// the browser uploads them. Default: http://<listen address>.
    #[arg(long, value_name = "URL")]
    pub public_base_url: Option<String>,

    /// Writes (forwarded POST/DELETE and upload requests) per minute and member before 429.
    /// Nexudus allows 60 a minute for the whole account. 0: no limit.
    #[arg(long, default_value_t = crate::config::DEFAULT_MEMBER_WRITES_PER_MINUTE, value_name = "N")]
    pub member_writes_per_minute: u32,

    /// Files one conversation may have (the panel's maxFiles allows up to 10); an attach past
    /// it is refused with the 400 envelope on CommunityThread. 0: no limit.
    #[arg(long, default_value_t = crate::config::DEFAULT_MAX_FILES_PER_THREAD, value_name = "N")]
    pub max_files_per_thread: u32,

    /// Largest uploaded file, in bytes (default 25 MB).
    #[arg(long, default_value_t = crate::config::DEFAULT_MAX_UPLOAD_BYTES, value_name = "N")]
    pub max_upload_bytes: u64,

    /// Bytes one member may store in any sliding 24 hours, counted by the declared size when
    /// the upload URL is issued and given back if it is never used (default 200 MB). Past
    /// it, the upload is refused on the attachment. 0: no limit.
    #[arg(long, default_value_t = crate::config::DEFAULT_MEMBER_STORAGE_BYTES_PER_DAY, value_name = "N")]
    pub member_storage_bytes_per_day: u64,

    /// Bytes the file store holds at most, all members together (stored files and upload
    /// URLs not yet used; default 10 GB). Past it, uploads are refused until files expire.
    /// 0: no limit.
    #[arg(long, default_value_t = crate::config::DEFAULT_MAX_STORE_BYTES, value_name = "N")]
    pub max_store_bytes: u64,

    /// A content type the store accepts (repeatable; `type/*` allowed). Default: image/png,
    /// image/jpeg, image/gif, image/webp, application/pdf, text/plain.
    #[arg(long = "allowed-type", value_name = "TYPE")]
    pub allowed_types: Vec<String>,

    /// How long an upload URL waits for its PUT, in seconds.
    #[arg(long, default_value_t = 900, value_name = "N")]
    pub upload_url_ttl_seconds: u64,

    /// How long a stored file is kept and served, in seconds (Nexudus downloads it when the
    /// file is attached).
    #[arg(long, default_value_t = 86_400, value_name = "N")]
    pub file_ttl_seconds: u64,

    /// Longest wait for the Nexudus API's answers to one request, in seconds, counted from the
    /// request's arrival (time queued for a turn included).
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub upstream_timeout_seconds: u64,

    /// Least time between two requests to the Nexudus API, in milliseconds (Nexudus allows
    /// one per 100 ms per credential, and every member shares the operator's).
    #[arg(long, default_value_t = 110, value_name = "N")]
    pub upstream_min_spacing_ms: u64,

    /// Upstream calls one member may have waiting for their turn (turns go round-robin
    /// across members); past it the answer is 429 with Retry-After.
    #[arg(long, default_value_t = crate::config::DEFAULT_MEMBER_QUEUE_DEPTH, value_name = "N")]
    pub member_queue_depth: usize,

    /// Connections open at once; past it new ones wait to be accepted. Keep it well under
    /// the descriptor limit (`ulimit -n`).
    #[arg(long, default_value_t = crate::config::DEFAULT_MAX_CONNECTIONS, value_name = "N")]
    pub max_connections: usize,

    /// A request head must arrive whole within this many seconds of the connection's opening
    /// or of the previous answer on a kept-alive connection (so also the keep-alive idle
    /// timeout).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub header_read_timeout_seconds: u64,

    /// A request body must arrive whole within this many seconds of its head; past it, 408.
    #[arg(long, default_value_t = 120, value_name = "N")]
    pub body_read_timeout_seconds: u64,

    /// A connection on which no byte moves either way for this many seconds is closed (at
    /// least the upstream timeout plus 10 s).
    #[arg(long, default_value_t = 60, value_name = "N")]
    pub idle_timeout_seconds: u64,
    /// How long the answer to a write sent with an Idempotency-Key is kept for replay, in
    /// seconds.
    #[arg(long, default_value_t = crate::config::DEFAULT_IDEMPOTENCY_TTL_SECONDS, value_name = "N")]
    pub idempotency_ttl_seconds: u64,

    /// How long a keyed write whose Nexudus connection was lost or timed out stays in flight
    /// (answering 409) before a look-up decides whether it happened, in seconds. Default: the
    /// upstream timeout plus 5.
    #[arg(long, value_name = "N")]
    pub idempotency_settle_seconds: Option<u64>,

    /// Shared state for several instances: Redis or Valkey (`redis://host:6379/0`,
    /// `rediss://` for TLS). Holds the member limits, the storage quota, the upstream pacer,
    /// upload tickets and idempotency records. Without it, all of these live in this process
    /// (one instance). A URL with a password belongs in the REDIS_URL environment variable,
    /// not on the command line.
    #[arg(long, env = "REDIS_URL", value_name = "URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// How long a keyed write in flight stays claimed after its instance stops renewing it
    /// (the instance died), in seconds; then the next request with the key looks it up.
    #[arg(long, default_value_t = 15, value_name = "N")]
    pub idempotency_lease_seconds: u64,

    /// Live Idempotency-Keys one member may hold; past it, keyed writes get 429.
    #[arg(long, default_value_t = crate::config::DEFAULT_IDEMPOTENCY_KEYS_PER_MEMBER, value_name = "N")]
    pub idempotency_keys_per_member: usize,

    /// Clock skew tolerated on a member session's exp and nbf, in seconds.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub jwt_leeway_seconds: u64,

    /// The longest member session accepted, in seconds: a session whose exp is further ahead,
    /// or whose exp - iat is longer, is refused.
    #[arg(long, default_value_t = 86_400, value_name = "N")]
    pub max_session_seconds: u64,

    /// When set, a member session must carry this audience (aud); when unset, any aud is
    /// accepted.
    #[arg(long, value_name = "AUD")]
    pub jwt_audience: Option<String>,

    /// When set, a member session must carry this issuer (iss); when unset, any iss is
    /// accepted.
    #[arg(long, value_name = "ISS")]
    pub jwt_issuer: Option<String>,

    /// How long a business's board list (which decides where members may post) is kept
    /// before it is listed again, in seconds.
    #[arg(long, default_value_t = crate::config::DEFAULT_BOARD_CACHE_SECONDS, value_name = "N")]
    pub board_cache_seconds: u64,

    /// Let members set InstantDelivery on a new conversation (the portal's form does not
    /// offer it; without this flag a true value is refused with the 400 envelope).
    #[arg(long)]
    pub allow_instant_delivery: bool,

    /// Let members invite Guests to a new conversation (the portal's form does not offer
    /// it; without this flag a non-empty list is refused with the 400 envelope).
    #[arg(long)]
    pub allow_guests: bool,

    /// Log only warnings and errors (no line per request).
    #[arg(long)]
    pub quiet: bool,

    /// Log lines as `text` (human-readable) or `json` (one object per line, for a log
    /// collector).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// On SIGTERM (or Ctrl-C): stop accepting, and give requests in progress this many seconds
    /// to finish before they are cut.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub shutdown_grace_seconds: u64,
}

const DAY: u64 = 24 * 3600;

/// The secrets, read from the environment.
pub struct Secrets {
    /// The operator's credential.
    pub credential: OperatorCredential,
    /// The member-session key.
    pub member_jwt_secret: Secret,
}

/// Reads one variable; `None` when unset or empty. The value is never printed.
pub fn secret_var(name: &str) -> Option<Secret> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Secret::new)
}

/// Reads the secrets; the errors name variables, never values.
pub fn secrets_from_env() -> Result<Secrets, String> {
    let member_jwt_secret =
        secret_var("MEMBER_JWT_SECRET").ok_or("MEMBER_JWT_SECRET is not set")?;
    let token = secret_var("NEXUDUS_API_TOKEN");
    let username = secret_var("NEXUDUS_USERNAME");
    let password = secret_var("NEXUDUS_PASSWORD");
    let credential = match (token, username, password) {
        (Some(token), None, None) => OperatorCredential::Token(token),
        (None, Some(username), Some(password)) => {
            OperatorCredential::Password { username, password }
        }
        (Some(_), _, _) => {
            return Err(
                "set either NEXUDUS_API_TOKEN or NEXUDUS_USERNAME + NEXUDUS_PASSWORD, not both"
                    .into(),
            )
        }
        (None, Some(_), None) | (None, None, Some(_)) => {
            return Err("NEXUDUS_USERNAME and NEXUDUS_PASSWORD go together".into())
        }
        (None, None, None) => {
            return Err("set NEXUDUS_API_TOKEN, or NEXUDUS_USERNAME and NEXUDUS_PASSWORD".into())
        }
    };
    Ok(Secrets {
        credential,
        member_jwt_secret,
    })
}

/// A bound address as a client reaches it: an unspecified IP (0.0.0.0, ::) becomes loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(v6) if v6.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

/// An http(s) base URL without a trailing slash, or an error naming `flag`.
fn base_url(flag: &str, value: &str) -> Result<String, String> {
    let parsed = url::Url::parse(value).map_err(|e| format!("{flag}: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("{flag} must be an http or https URL"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!("{flag} must not have a query or fragment"));
    }
    Ok(value.trim_end_matches('/').to_string())
}

/// `file:///path` (a folder) or `s3://bucket/prefix` (a bucket, from the `AWS_*` variables
/// `env` gives).
fn store_location(
    value: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(PathBuf, Option<BucketConfig>), String> {
    let url = url::Url::parse(value).map_err(|e| format!("--store-url: {e}"))?;
    match url.scheme() {
        "file" => {
            let dir = url
                .to_file_path()
                .map_err(|()| "--store-url: file:// needs an absolute path (file:///srv/files)")?;
            Ok((dir, None))
        }
        "s3" => Ok((PathBuf::new(), Some(BucketConfig::from_url(&url, env)?))),
        other => Err(format!(
            "--store-url: {other}:// is not supported; use file:///path or s3://bucket/prefix"
        )),
    }
}

impl ServeArgs {
    /// The configuration for these flags and `secrets`, for a server bound to `bound`.
    pub fn into_config(self, secrets: Secrets, bound: SocketAddr) -> Result<Config, String> {
        let upstream = base_url("--upstream", &self.upstream)?;
        let public = match &self.public_base_url {
            Some(url) => base_url("--public-base-url", url)?,
            None => format!("http://{}", reachable(bound)),
        };
        for origin in &self.cors_origins {
            base_url("--cors-origin", origin)?;
        }
        let (uploads_dir, bucket) = match self.store_url.as_deref().map(str::trim) {
            None | Some("") => (self.uploads_dir, None),
            Some(url) => store_location(url, |name| std::env::var(name).ok())?,
        };
        let mut config = Config::new(
            &upstream,
            secrets.credential,
            secrets.member_jwt_secret,
            uploads_dir,
            &public,
        );
        config.bucket = bucket;
        config.cors_origins = self.cors_origins;
        config.member_writes_per_minute = self.member_writes_per_minute;
        config.max_files_per_thread = self.max_files_per_thread;
        config.max_upload_bytes = self.max_upload_bytes;
        config.member_storage_bytes_per_day = self.member_storage_bytes_per_day;
        config.max_store_bytes = self.max_store_bytes;
        if !self.allowed_types.is_empty() {
            config.allowed_types = self.allowed_types;
        }
        // Bounded so that no setting can overflow a clock computation.
        let secs = |n: u64, max: u64| Duration::from_secs(n.clamp(1, max));
        config.upload_url_ttl = secs(self.upload_url_ttl_seconds, 7 * DAY);
        config.file_ttl = secs(self.file_ttl_seconds, 365 * DAY);
        config.cleanup_interval = config.file_ttl.min(Duration::from_secs(60));
        config.upstream_timeout = secs(self.upstream_timeout_seconds, 3600);
        config.upstream_min_spacing =
            Duration::from_millis(self.upstream_min_spacing_ms.min(60_000));
        config.member_queue_depth = self.member_queue_depth.clamp(1, 10_000);
        config.max_connections = self.max_connections.clamp(1, 1_000_000);
        config.header_read_timeout = secs(self.header_read_timeout_seconds, 3600);
        config.body_read_timeout = secs(self.body_read_timeout_seconds, 24 * 3600);
        config.idle_timeout = secs(self.idle_timeout_seconds, 24 * 3600);
        config.jwt_leeway = Duration::from_secs(self.jwt_leeway_seconds.min(3600));
        config.max_session = secs(self.max_session_seconds, 365 * DAY);
        config.jwt_audience = self.jwt_audience.filter(|a| !a.is_empty());
        config.jwt_issuer = self.jwt_issuer.filter(|i| !i.is_empty());
        config.idempotency_ttl = secs(self.idempotency_ttl_seconds, 30 * DAY);
        config.idempotency_settle_window = match self.idempotency_settle_seconds {
            Some(n) => secs(n, 3600),
            None => config.upstream_timeout + Duration::from_secs(5),
        };
        config.idempotency_keys_per_member = self.idempotency_keys_per_member.clamp(1, 1_000_000);
        config.idempotency_lease = secs(self.idempotency_lease_seconds.max(1), 3600);
        config.redis_url = self
            .redis_url
            .filter(|url| !url.trim().is_empty())
            .map(|url| Secret::new(url.trim()));
        config.shutdown_grace = Duration::from_secs(self.shutdown_grace_seconds.min(3600));
        config.log_requests = !self.quiet;
        config.board_cache_ttl = secs(self.board_cache_seconds, 3600);
        config.allow_instant_delivery = self.allow_instant_delivery;
        config.allow_guests = self.allow_guests;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_ALLOWED_TYPES;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
        let cli = Cli::parse_from(["nexudus-host-proxy", "--cors-origin", "http://a:1"]);
        let secrets = Secrets {
            credential: OperatorCredential::Token(Secret::new("t")),
            member_jwt_secret: Secret::new("k"),
        };
        let c = cli
            .serve
            .into_config(secrets, "0.0.0.0:8791".parse().unwrap())
            .unwrap();
        assert_eq!(c.upstream, "https://spaces.nexudus.com");
        assert_eq!(c.public_base_url, "http://127.0.0.1:8791");
        assert_eq!(c.allowed_types.len(), DEFAULT_ALLOWED_TYPES.len());
        assert_eq!(c.max_files_per_thread, 10);
        assert_eq!(c.member_writes_per_minute, 30);
        assert_eq!(c.board_cache_ttl, Duration::from_secs(30));
        assert!(!c.allow_instant_delivery && !c.allow_guests);
        assert!(base_url("--upstream", "ftp://x").is_err());
        let both = [
            "nexudus-host-proxy",
            "--uploads-dir",
            "/a",
            "--store-url",
            "file:///b",
        ];
        assert!(Cli::try_parse_from(both).is_err(), "one store, not two");
        let none = |_: &str| None;
        let (dir, bucket) = store_location("file:///srv/files", none).unwrap();
        assert_eq!((dir, bucket.is_none()), (PathBuf::from("/srv/files"), true));
        assert!(store_location("gs://b", none)
            .unwrap_err()
            .contains("not supported"));
        assert!(store_location("file://elsewhere/srv", none).is_err());
        let env = |name: &str| match name {
            "AWS_ACCESS_KEY_ID" => Some("AKID".to_string()),
            "AWS_SECRET_ACCESS_KEY" => Some("s".to_string()),
            _ => None,
        };
        let (_, bucket) = store_location("s3://files/portal", env).unwrap();
        assert_eq!(bucket.map(|b| b.prefix), Some("portal/".to_string()));
        assert!(base_url("--upstream", "http://x/?a=1").is_err());
    }
}
