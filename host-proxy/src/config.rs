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
/// Seconds a business's board list is kept: short, so a board added or made restricted is
/// seen soon, long enough that a flood of creates lists the boards once.
pub const DEFAULT_BOARD_CACHE_SECONDS: u64 = 30;
/// Files one conversation may have (the most the panel's `maxFiles` allows).
pub const DEFAULT_MAX_FILES_PER_THREAD: u32 = 10;
/// Largest stored file: 25 MB, the panel's own default limit.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;
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
    /// Where uploaded files are stored.
    pub uploads_dir: PathBuf,
    /// Public base URL of this proxy, from which the upstream downloads stored files.
    pub public_base_url: String,
    /// The operator's API credential.
    pub credential: OperatorCredential,
    /// The HS256 key the host's login signs member sessions with.
    pub member_jwt_secret: Secret,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub jwt_leeway: Duration,
    /// Writes per minute one member may make (forwarded writes and upload requests).
    pub member_writes_per_minute: u32,
    /// Files one conversation may have; an attach past it is refused (0: no limit).
    pub max_files_per_thread: u32,
    /// Largest file the upload store takes.
    pub max_upload_bytes: u64,
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
    /// How often expired files, unused upload URLs and idle counters are cleaned up.
    pub cleanup_interval: Duration,
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
            public_base_url: public_base_url.trim_end_matches('/').to_string(),
            credential,
            member_jwt_secret,
            jwt_leeway: Duration::from_secs(30),
            member_writes_per_minute: DEFAULT_MEMBER_WRITES_PER_MINUTE,
            max_files_per_thread: DEFAULT_MAX_FILES_PER_THREAD,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            allowed_types: DEFAULT_ALLOWED_TYPES
                .iter()
                .map(|t| t.to_string())
                .collect(),
            upload_url_ttl: Duration::from_secs(15 * 60),
            file_ttl: Duration::from_secs(24 * 60 * 60),
            upstream_timeout: Duration::from_secs(30),
            upstream_min_spacing: Duration::from_millis(110),
            cleanup_interval: Duration::from_secs(60),
            log_requests: true,
            board_cache_ttl: Duration::from_secs(DEFAULT_BOARD_CACHE_SECONDS),
            allow_instant_delivery: false,
            allow_guests: false,
        }
    }

    /// Whether `content_type` (parameters ignored, case-insensitive) is an allowed type.
    pub fn allows_type(&self, content_type: &str) -> bool {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let Some((kind, _)) = essence.split_once('/') else {
            return false;
        };
        self.allowed_types.iter().any(|allowed| {
            let allowed = allowed.trim().to_ascii_lowercase();
            match allowed.strip_suffix("/*") {
                Some(prefix) => prefix == kind,
                None => allowed == essence,
            }
        })
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
        assert!(c.allows_type("text/plain; charset=utf-8"));
        assert!(!c.allows_type("text/html"));
        assert!(!c.allows_type("png"));
        c.allowed_types = vec!["image/*".into()];
        assert!(c.allows_type("image/svg+xml"));
        assert!(!c.allows_type("application/pdf"));
        assert!(!format!("{c:?}").contains("\"t\""));
    }
}
