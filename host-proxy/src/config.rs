//! Everything the proxy needs to run, gathered in one value so the binary, the tests and the
//! benchmark configure it the same way. The command line (non-secret values) and the
//! environment (secrets) are read in `main.rs`; [`Config::new`] holds the documented defaults.

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Secret;

/// The default upstream: Nexudus's REST API.
pub const DEFAULT_UPSTREAM: &str = "https://spaces.nexudus.com";
/// The default address to listen on.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8790";
/// Writes per minute and member (Nexudus allows 60 for the whole account). A conversation with
/// the most files the panel allows (10) takes 21: the create, 10 upload requests, 10 attaches;
/// 30 leaves room for a few retries.
pub const DEFAULT_MEMBER_WRITES_PER_MINUTE: u32 = 30;
/// Upstream calls one member may have waiting: the panel makes a few at once; 20 slots of
/// 110 ms are 2.2 s, well within the upstream timeout.
pub const DEFAULT_MEMBER_QUEUE_DEPTH: usize = 20;
/// Connections open at once (keep it well under the descriptor limit: every upstream call
/// and every file served needs one too).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Bytes one member may store in any 24 hours: 200 MB, eight files at the largest size.
pub const DEFAULT_MEMBER_STORAGE_BYTES_PER_DAY: u64 = 200 * 1024 * 1024;
/// Bytes the store holds at most, all members together (stored files and upload URLs not yet
/// used): 10 GB.
pub const DEFAULT_MAX_STORE_BYTES: u64 = 10 * 1024 * 1024 * 1024;
/// Seconds a business's board list is kept: short, so a board added or made restricted is
/// seen soon, long enough that a flood of creates lists the boards once.
pub const DEFAULT_BOARD_CACHE_SECONDS: u64 = 30;
/// Files one conversation may have (the most the panel's `maxFiles` allows).
pub const DEFAULT_MAX_FILES_PER_THREAD: u32 = 10;
/// Largest stored file: 25 MB, the panel's own default limit.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;
/// How long a settled `Idempotency-Key` answer is kept: a day.
pub const DEFAULT_IDEMPOTENCY_TTL_SECONDS: u64 = 86_400;
/// Live idempotency keys per member: 30 writes a minute for over an hour.
pub const DEFAULT_IDEMPOTENCY_KEYS_PER_MEMBER: usize = 2_000;
/// File types the upload store takes unless told otherwise.
pub const DEFAULT_ALLOWED_TYPES: [&str; 6] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
];

/// How the proxy authenticates to Nexudus: the operator's API credential.
#[derive(Clone, Debug)]
pub enum OperatorCredential {
    /// A fixed bearer token (`NEXUDUS_API_TOKEN`); never refreshed.
    Token(Secret),
    /// An API user (`NEXUDUS_USERNAME` + `NEXUDUS_PASSWORD`), signed in through
    /// `POST /api/token` and refreshed before expiry and once on a 401.
    Password {
        /// The API user's name.
        username: Secret,
        /// Its password.
        password: Secret,
    },
}

/// Every setting of one proxy.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base URL of the Nexudus API (no trailing slash).
    pub upstream: String,
    /// Origins of the portal pages allowed by CORS (exact match). Empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// Where uploaded files are stored (unused with a bucket).
    pub uploads_dir: PathBuf,
    /// The bucket files are stored in instead (`--store-url s3://…`).
    pub bucket: Option<crate::uploads::bucket::BucketConfig>,
    /// Public base URL of this proxy, from which the upstream downloads stored files.
    pub public_base_url: String,
    /// The operator's API credential.
    pub credential: OperatorCredential,
    /// The HS256 key the host's login signs member sessions with.
    pub member_jwt_secret: Secret,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub jwt_leeway: Duration,
    /// The longest member session: `exp` no further ahead, `exp - iat` no longer.
    pub max_session: Duration,
    /// When set, sessions must carry this `aud`.
    pub jwt_audience: Option<String>,
    /// When set, sessions must carry this `iss`.
    pub jwt_issuer: Option<String>,
    /// Writes per minute one member may make (forwarded writes and upload requests).
    pub member_writes_per_minute: u32,
    /// Files one conversation may have; an attach past it is refused (0: no limit).
    pub max_files_per_thread: u32,
    /// Largest file the upload store takes.
    pub max_upload_bytes: u64,
    /// Bytes one member may store in any 24 hours (0: no limit).
    pub member_storage_bytes_per_day: u64,
    /// Bytes the store holds at most (0: no limit).
    pub max_store_bytes: u64,
    /// Content types the upload store takes (`type/subtype` or `type/*`).
    pub allowed_types: Vec<String>,
    /// How long an issued upload URL waits for its `PUT`.
    pub upload_url_ttl: Duration,
    /// How long a stored file is kept (and downloadable).
    pub file_ttl: Duration,
    /// Longest wait for one upstream answer.
    pub upstream_timeout: Duration,
    /// Least time between two upstream requests (Nexudus: 1 per 100 ms per credential).
    pub upstream_min_spacing: Duration,
    /// Upstream calls one member may have waiting for a turn; past it, 429.
    pub member_queue_depth: usize,
    /// Connections open at once.
    pub max_connections: usize,
    /// A request head must arrive within it (also the keep-alive idle timeout).
    pub header_read_timeout: Duration,
    /// A request body must arrive within it (from the head).
    pub body_read_timeout: Duration,
    /// No byte either way for this long closes a connection (at least the upstream timeout
    /// plus 10 s, see [`Config::connection_idle_timeout`]).
    pub idle_timeout: Duration,
    /// How often expired files, unused upload URLs and idle counters are cleaned up.
    pub cleanup_interval: Duration,
    /// How long a settled `Idempotency-Key` answer is kept.
    pub idempotency_ttl: Duration,
    /// How long a key whose upstream connection was lost stays in flight (answering 409)
    /// before a look-up decides whether the write happened.
    pub idempotency_settle_window: Duration,
    /// Live idempotency keys one member may hold.
    pub idempotency_keys_per_member: usize,
    /// Longest answer body recorded under a key (longer: its `WasSuccessful` and `Value.Id`).
    pub idempotency_max_answer_bytes: usize,
    /// How long a key in flight stays claimed once its instance stops renewing it.
    pub idempotency_lease: Duration,
    /// How long requests in progress may take to finish once shutdown starts.
    pub shutdown_grace: Duration,
    /// Shared state in Redis (`None`: in this process). A secret: it may hold a password.
    pub redis_url: Option<Secret>,
    /// Log one line per request (member id, route, status, duration).
    pub log_requests: bool,
    /// How long a business's board list is kept before it is listed again.
    pub board_cache_ttl: Duration,
    /// Members may set `InstantDelivery` (the portal's form does not offer it).
    pub allow_instant_delivery: bool,
    /// Members may set `Guests` (the portal's form does not offer it).
    pub allow_guests: bool,
}

impl Config {
    /// A configuration with the documented defaults for everything but the upstream, the
    /// credential, the member-session key, the file store and its public URL.
    pub fn new(
        upstream: &str,
        credential: OperatorCredential,
        member_jwt_secret: Secret,
        uploads_dir: PathBuf,
        public_base_url: &str,
    ) -> Config {
        Config {
            upstream: upstream.trim_end_matches('/').to_string(),
            cors_origins: Vec::new(),
            uploads_dir,
            bucket: None,
            public_base_url: public_base_url.trim_end_matches('/').to_string(),
            credential,
            member_jwt_secret,
            jwt_leeway: Duration::from_secs(30),
            max_session: crate::claims::DEFAULT_MAX_SESSION,
            jwt_audience: None,
            jwt_issuer: None,
            member_writes_per_minute: DEFAULT_MEMBER_WRITES_PER_MINUTE,
            max_files_per_thread: DEFAULT_MAX_FILES_PER_THREAD,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            member_storage_bytes_per_day: DEFAULT_MEMBER_STORAGE_BYTES_PER_DAY,
            max_store_bytes: DEFAULT_MAX_STORE_BYTES,
            allowed_types: DEFAULT_ALLOWED_TYPES
                .iter()
                .map(|t| t.to_string())
                .collect(),
            upload_url_ttl: Duration::from_secs(15 * 60),
            file_ttl: Duration::from_secs(24 * 60 * 60),
            upstream_timeout: Duration::from_secs(30),
            upstream_min_spacing: Duration::from_millis(110),
            member_queue_depth: DEFAULT_MEMBER_QUEUE_DEPTH,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(120),
            idle_timeout: Duration::from_secs(60),
            cleanup_interval: Duration::from_secs(60),
            idempotency_ttl: Duration::from_secs(DEFAULT_IDEMPOTENCY_TTL_SECONDS),
            idempotency_settle_window: Duration::from_secs(35),
            idempotency_keys_per_member: DEFAULT_IDEMPOTENCY_KEYS_PER_MEMBER,
            idempotency_max_answer_bytes: 64 * 1024,
            idempotency_lease: Duration::from_secs(15),
            redis_url: None,
            shutdown_grace: Duration::from_secs(30),
            log_requests: true,
            board_cache_ttl: Duration::from_secs(DEFAULT_BOARD_CACHE_SECONDS),
            allow_instant_delivery: false,
            allow_guests: false,
        }
    }

    /// The idle timeout applied: never so short that a request waiting for the upstream is cut.
    pub fn connection_idle_timeout(&self) -> Duration {
        self.idle_timeout
            .max(self.upstream_timeout + Duration::from_secs(10))
    }

    /// Whether `content_type` is exactly `type/subtype` and an allowed type (see
    /// [`crate::content_type`]: no parameters, SVG and other active types only by an exact entry).
    pub fn allows_type(&self, content_type: &str) -> bool {
        crate::content_type::parse(content_type)
            .is_some_and(|essence| crate::content_type::allowed(&self.allowed_types, &essence))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_types_and_wildcards() {
        let mut c = Config::new(
            "http://u/",
            OperatorCredential::Token(Secret::new("t")),
            Secret::new("k"),
            PathBuf::from("x"),
            "http://p/",
        );
        assert_eq!(c.upstream, "http://u");
        assert_eq!(c.public_base_url, "http://p");
        assert!(c.allows_type("image/PNG"));
        assert!(!c.allows_type("text/plain; charset=utf-8"));
        assert!(!c.allows_type("text/html"));
        assert!(!c.allows_type("png"));
        c.allowed_types = vec!["image/*".into()];
        assert!(!c.allows_type("image/svg+xml"));
        assert!(!c.allows_type("image/png, text/html"));
        assert!(!c.allows_type("application/pdf"));
        assert!(!format!("{c:?}").contains("\"t\""));
    }
}
