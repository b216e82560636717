//! `sandbox`: serves the local Nexudus API double.
//!
//! After binding it prints exactly one line to stdout, `sandbox listening on http://<addr>`,
//! and logs everything else to stderr.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sandbox::{
    parse_api_user_arg, parse_token_arg, ApiUser, Clock, Config, Sandbox, ThrottleConfig,
    ThrottleStatus, TokenSpec,
};

/// A local double of the Nexudus REST API endpoints the widget uses.
///
/// Default tokens: sandbox-admin-token (full administrator), sandbox-member-token (user 10,
/// may create and delete threads and files and list groups), sandbox-no-files-token (may
/// create threads and list groups, not attach files), sandbox-portal-token (user 10 as an
/// ordinary member with a portal token: may read and list groups; every write under
/// /api/community/ is a missing-role 401), sandbox-expired-token (expired).
///
/// POST /api/token (form-encoded grant_type=password or refresh_token) issues tokens to API
/// users: api@sandbox.test with the password sandbox-api-password (a full administrator), and
/// any --api-user.
///
/// The upload store stands in for a host's storage: POST /uploads (with any valid bearer
/// token and {"fileName","contentType","size"}) answers {"uploadUrl","fileUrl","method":"PUT",
/// "headers"}; PUT the bytes to uploadUrl once, then send fileUrl as NewFileDataUrl.
#[derive(Parser, Debug)]
#[command(name = "sandbox", version, about, long_about)]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "IP:PORT")]
    addr: SocketAddr,

    /// Enable the /_sandbox/faults control endpoint (fault injection); otherwise it answers 404.
    #[arg(long)]
    enable_faults: bool,

    /// Disable every rate limit.
    #[arg(long)]
    no_throttle: bool,

    /// Writes (POST, PUT, DELETE) per minute and token before throttling (HTTP 409, or 429).
    #[arg(long, default_value_t = 60, value_name = "N")]
    write_limit_per_minute: u32,

    /// Requests per minute and token before throttling (HTTP 409, or 429).
    #[arg(long, default_value_t = 120, value_name = "N")]
    request_limit_per_minute: u32,

    /// Least time between two requests of one token, in milliseconds.
    #[arg(long, default_value_t = 100, value_name = "N")]
    min_spacing_ms: u64,

    /// Requests per hour and token before throttling (HTTP 409, or 429).
    #[arg(long, default_value_t = 5_000, value_name = "N")]
    request_limit_per_hour: u32,

    /// Requests per day and token before throttling (HTTP 409, or 429).
    #[arg(long, default_value_t = 200_000, value_name = "N")]
    request_limit_per_day: u32,

    /// Status of a throttled answer: 409 (Retry-After: 1, empty body, as documented) or 429 (no
    /// Retry-After; the wait only in the JSON body's text, "Wait N seconds and try again.").
    #[arg(long, default_value = "409", value_name = "409|429", value_parser = ThrottleStatus::parse)]
    throttle_status: ThrottleStatus,

    /// Writes per day and token before throttling (HTTP 409, or 429).
    #[arg(long, default_value_t = 5_000, value_name = "N")]
    write_limit_per_day: u32,

    /// Add a token (repeatable): ROLES is a comma list of role names (e.g.
    /// CommunityThread-Create,CommunityGroup-List), or `admin`, or `expired`.
    // Parsed after clap (see `into_config`), so an error never echoes the token.
    #[arg(long = "token", value_name = "TOKEN=ROLES")]
    tokens: Vec<String>,

    /// Add an API user who may sign in at POST /api/token (repeatable; the seeded one is
    /// api@sandbox.test with the password sandbox-api-password, a full administrator). ROLES
    /// as for --token: `admin`, or a comma list of role names (e.g.
    /// CommunityThread-Create,CommunityThreadFile-Create). The user name ends at the first `:`,
    /// the password at the last `=`.
    // Parsed after clap (see `into_config`), so an error never echoes the password.
    #[arg(long = "api-user", value_name = "USERNAME:PASSWORD=ROLES")]
    api_users: Vec<String>,

    /// Lifetime of the access tokens POST /api/token issues, in seconds (refresh tokens last 15
    /// days). An expired one gets the expired-token 401.
    #[arg(long, default_value_t = 3600, value_name = "SECONDS")]
    access_token_lifetime: u64,

    /// Largest file NewFileDataUrl may bring in, in bytes (default 25 MB).
    #[arg(long, default_value_t = 26_214_400, value_name = "N")]
    max_file_bytes: u64,

    /// Largest JSON request body, in bytes (default 40 MB; raised automatically to fit a base64
    /// data: URL of a --max-file-bytes file).
    #[arg(long, default_value_t = 41_943_040, value_name = "N")]
    max_body_bytes: u64,

    /// Largest body one PUT /uploads/{key} may store, in bytes (default 64 MB).
    #[arg(long, default_value_t = 67_108_864, value_name = "N")]
    max_upload_bytes: u64,

    /// Accept a data: URI as NewFileDataUrl. Off by default: live Nexudus answers one with its
    /// generic HTTP 500 ("Ooops! There was a problem..."), and so does the sandbox.
    #[arg(long)]
    accept_data_urls: bool,

    /// Accept a Tags longer than 50 characters. Off by default: the board's own form allows 50,
    /// and the sandbox answers a longer one with the 400 envelope and an error on Tags.
    #[arg(long)]
    accept_long_tags: bool,

    /// Let NewFileDataUrl point at non-loopback http hosts (off: only 127.0.0.0/8, ::1, localhost).
    #[arg(long)]
    allow_remote_urls: bool,

    /// Longest time a NewFileDataUrl download may take, in seconds.
    #[arg(long, default_value_t = 30, value_name = "N")]
    fetch_timeout_secs: u64,

    /// List Retry-After in Access-Control-Expose-Headers. Off by default, so a cross-origin
    /// page cannot read it (as it must expect from the live API).
    #[arg(long)]
    expose_retry_after: bool,

    /// The origin under which browsers and the sandbox itself reach the upload store, when
    /// a proxy serves /uploads on another origin (the demo's page). Default: the sandbox's own
    /// address. The upload store's uploadUrl and fileUrl start with it.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,

    /// Allowed CORS origin (repeatable; exact match). Default: any http://127.0.0.1:*,
    /// http://localhost:* or http://[::1]:* origin.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,

    /// JSON file to load the state from at start (if present) and save it to on every change.
    #[arg(long, value_name = "PATH")]
    state_file: Option<PathBuf>,

    /// Do not log one line per request to stderr.
    #[arg(long)]
    quiet: bool,
}

impl Cli {
    fn into_config(self) -> Result<Config, String> {
        let tokens = self
            .tokens
            .iter()
            .map(|t| parse_token_arg(t).map_err(|e| format!("invalid --token: {e}")))
            .collect::<Result<Vec<(String, TokenSpec)>, String>>()?;
        let api_users = self
            .api_users
            .iter()
            .map(|u| parse_api_user_arg(u).map_err(|e| format!("invalid --api-user: {e}")))
            .collect::<Result<Vec<ApiUser>, String>>()?;
        Ok(Config {
            enable_faults: self.enable_faults,
            throttle: ThrottleConfig {
                enabled: !self.no_throttle,
                writes_per_minute: self.write_limit_per_minute,
                writes_per_day: self.write_limit_per_day,
                requests_per_minute: self.request_limit_per_minute,
                requests_per_hour: self.request_limit_per_hour,
                requests_per_day: self.request_limit_per_day,
                min_spacing: Duration::from_millis(self.min_spacing_ms),
                status: self.throttle_status,
            },
            extra_tokens: tokens,
            max_file_bytes: self.max_file_bytes,
            max_body_bytes: self.max_body_bytes,
            max_upload_bytes: self.max_upload_bytes,
            accept_data_urls: self.accept_data_urls,
            accept_long_tags: self.accept_long_tags,
            allow_remote_urls: self.allow_remote_urls,
            expose_retry_after: self.expose_retry_after,
            cors_origins: self.cors_origins,
            state_file: self.state_file,
            public_url: self.public_url,
            fetch_timeout: Duration::from_secs(self.fetch_timeout_secs.max(1)),
            log_requests: !self.quiet,
            api_users,
            access_token_lifetime: Duration::from_secs(self.access_token_lifetime.max(1)),
            clock: Clock::new(),
        })
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let addr = cli.addr;
    let config = match cli.into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sandbox: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let sandbox = match listener
        .local_addr()
        .and_then(|local| Sandbox::new(config, local))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let printed =
        writeln!(out, "sandbox listening on {}", sandbox.base_url()).and_then(|()| out.flush());
    drop(out);
    if let Err(e) = printed {
        eprintln!("sandbox: cannot write to stdout: {e}");
    }
    match sandbox.run(listener, sandbox::shutdown_signal()).await {
        Ok(()) => {
            eprintln!("sandbox: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
        let cli = Cli::parse_from(["sandbox"]);
        let c = cli.into_config().unwrap();
        let d = Config::default();
        assert_eq!(c.max_file_bytes, d.max_file_bytes);
        assert_eq!(c.max_body_bytes, d.max_body_bytes);
        assert_eq!(c.max_upload_bytes, d.max_upload_bytes);
        assert_eq!(c.fetch_timeout, d.fetch_timeout);
        assert_eq!(c.throttle.writes_per_minute, d.throttle.writes_per_minute);
        assert_eq!(
            c.throttle.requests_per_minute,
            d.throttle.requests_per_minute
        );
        assert_eq!(c.throttle.min_spacing, d.throttle.min_spacing);
        assert_eq!(c.throttle.requests_per_hour, d.throttle.requests_per_hour);
        assert_eq!(c.throttle.requests_per_day, d.throttle.requests_per_day);
        assert_eq!(c.throttle.writes_per_day, d.throttle.writes_per_day);
        assert_eq!(c.throttle.status, d.throttle.status);
        let c = Cli::parse_from(["sandbox", "--throttle-status", "429"])
            .into_config()
            .unwrap();
        assert_eq!(c.throttle.status, ThrottleStatus::TooManyRequests);
        assert!(Cli::try_parse_from(["sandbox", "--throttle-status", "503"]).is_err());
        assert!(c.throttle.enabled && !c.enable_faults && !c.allow_remote_urls);
        assert_eq!(c.accept_data_urls, d.accept_data_urls);
        assert!(!c.accept_data_urls);
        assert!(!c.accept_long_tags && !d.accept_long_tags);
        assert!(!c.expose_retry_after && !d.expose_retry_after);
        assert_eq!(c.access_token_lifetime, d.access_token_lifetime);
        assert!(c.api_users.is_empty());
    }
}
