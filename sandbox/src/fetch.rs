//! Fetching `NewFileDataUrl`: the server downloads the file it names.
//!
//! Accepted:
//! - `data:` URLs only with `--accept-data-urls` ([`Config::accept_data_urls`]): live Nexudus
//!   answers a `data:` URI with a generic 500 [seen, nexudus-api.md "NewFileDataUrl"], so by
//!   default the caller answers [`crate::envelope::generic_500`] (see [`is_data_url`]). When
//!   accepted, base64 (`;base64`) or percent-encoded, as RFC 2397 and the Fetch standard read
//!   them (media type defaults to `text/plain;charset=US-ASCII`);
//! - `http://` URLs whose host is loopback (127.0.0.0/8, ::1, `localhost`, which is pinned to
//!   the loopback addresses), or any host with `--allow-remote-urls`.
//!
//! Refused (an error on `NewFileDataUrl`): other schemes, `https://` (no TLS is compiled in),
//! non-loopback hosts, redirects to non-loopback hosts (redirects are followed only between
//! allowed hosts, at most 5), non-2xx answers, connection failures, downloads slower than the
//! fetch timeout (30 s), files over `--max-file-bytes`. No proxy from the environment is used.

use std::net::{IpAddr, SocketAddr};

use base64::Engine as _;
use percent_encoding::percent_decode_str;
use reqwest::Url;

use crate::envelope::human_size;
use crate::Config;

/// A downloaded file.
#[derive(Debug)]
pub struct Fetched {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// From the `data:` URL or the Content-Type header.
    pub content_type: String,
    /// The last segment of the URL path, when there is one.
    pub file_name: Option<String>,
}

const MAX_REDIRECTS: usize = 5;

/// Whether a URL host is a loopback host.
fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Some(url::Host::Domain(d)) => {
            let d = d.strip_suffix('.').unwrap_or(d);
            d.eq_ignore_ascii_case("localhost")
        }
        None => false,
    }
}

/// The HTTP client used for downloads.
pub fn client(config: &Config) -> reqwest::Result<reqwest::Client> {
    let allow_remote = config.allow_remote_urls;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error(FetchRefusal("too many redirects"))
        } else if !allow_remote && !is_loopback_host(attempt.url()) {
            attempt.error(FetchRefusal("a redirect to a non-loopback host"))
        } else {
            attempt.follow()
        }
    });
    let loopback: [SocketAddr; 2] = [
        SocketAddr::new(IpAddr::from([127, 0, 0, 1]), 0),
        SocketAddr::new(IpAddr::from(std::net::Ipv6Addr::LOCALHOST), 0),
    ];
    reqwest::Client::builder()
        .no_proxy()
        .redirect(policy)
        .timeout(config.fetch_timeout)
        .connect_timeout(config.fetch_timeout.min(std::time::Duration::from_secs(10)))
        .resolve_to_addrs("localhost", &loopback)
        .user_agent("nexudus-sandbox")
        .build()
}

/// Why a redirect was refused.
#[derive(Debug)]
struct FetchRefusal(&'static str);

impl std::fmt::Display for FetchRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for FetchRefusal {}

/// Whether `url` is a `data:` URI (scheme case-insensitive, leading spaces ignored).
pub fn is_data_url(url: &str) -> bool {
    url.trim()
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
}

/// Downloads `url`. The error is the message of the `NewFileDataUrl` error entry.
pub async fn fetch(http: &reqwest::Client, config: &Config, url: &str) -> Result<Fetched, String> {
    let url = url.trim();
    let max = config.max_file_bytes;
    let too_large = || format!("exceeds the maximum file size of {}", human_size(max));
    if is_data_url(url) {
        return parse_data_url(url, max).map_err(|e| match e {
            DataUrlError::TooLarge => too_large(),
            DataUrlError::Invalid(why) => format!("is not a valid data: URL ({why})"),
        });
    }
    let parsed = Url::parse(url).map_err(|e| format!("is not a valid URL ({e})"))?;
    match parsed.scheme() {
        "http" => {}
        "https" => {
            return Err(
                "uses https, which the sandbox cannot fetch (no TLS): use an http:// loopback URL or a data: URL"
                    .into(),
            )
        }
        other => {
            return Err(format!(
                "must be an http:// or data: URL (the scheme '{other}' is not supported)"
            ))
        }
    }
    if !config.allow_remote_urls && !is_loopback_host(&parsed) {
        return Err(
            "must point to a loopback host (127.0.0.0/8, ::1 or localhost): the sandbox does not fetch remote URLs unless started with --allow-remote-urls"
                .into(),
        );
    }
    let mut res = http
        .get(parsed.clone())
        .send()
        .await
        .map_err(|e| describe(&e, config))?;
    let status = res.status();
    if !status.is_success() {
        return Err(format!(
            "could not be downloaded: the server answered HTTP {status}"
        ));
    }
    if res.content_length().is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let content_type = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| "application/octet-stream".to_string());
    let final_url = res.url().clone();
    let mut bytes = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| describe(&e, config))? {
        if bytes.len() as u64 + chunk.len() as u64 > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Fetched {
        bytes,
        content_type,
        file_name: file_name(&final_url),
    })
}

/// The percent-decoded last path segment, if not empty.
fn file_name(url: &Url) -> Option<String> {
    let last = url.path_segments()?.next_back()?;
    let name = percent_decode_str(last).decode_utf8_lossy().into_owned();
    (!name.trim().is_empty()).then_some(name)
}

fn describe(e: &reqwest::Error, config: &Config) -> String {
    if e.is_timeout() {
        return format!(
            "could not be downloaded within {} seconds",
            config.fetch_timeout.as_secs_f64()
        );
    }
    if e.is_redirect() {
        let why = std::error::Error::source(e)
            .map(|s| s.to_string())
            .unwrap_or_else(|| "a redirect".into());
        return format!("could not be downloaded: the sandbox does not follow {why}");
    }
    if e.is_connect() {
        let target = e
            .url()
            .map(|u| {
                format!(
                    "{}:{}",
                    u.host_str().unwrap_or("?"),
                    u.port_or_known_default().unwrap_or(0)
                )
            })
            .unwrap_or_default();
        return format!("could not be downloaded: could not connect to {target} (connection refused or unreachable)");
    }
    let mut message = format!("could not be downloaded: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}

/// Why a `data:` URL was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum DataUrlError {
    /// Decoded, it is over the size limit.
    TooLarge,
    /// Not a valid data URL.
    Invalid(&'static str),
}

/// Decodes a `data:` URL into its bytes and media type.
pub fn parse_data_url(url: &str, max: u64) -> Result<Fetched, DataUrlError> {
    let rest = url.get(5..).ok_or(DataUrlError::Invalid("too short"))?;
    let (meta, data) = rest
        .split_once(',')
        .ok_or(DataUrlError::Invalid("no comma before the data"))?;
    let mut parts: Vec<&str> = meta.split(';').map(str::trim).collect();
    let is_base64 = parts
        .last()
        .is_some_and(|p| p.eq_ignore_ascii_case("base64"));
    if is_base64 {
        parts.pop();
    }
    let media = parts.join(";");
    let content_type = if media.is_empty() {
        "text/plain;charset=US-ASCII".to_string()
    } else if media.starts_with(';') {
        format!("text/plain{media}")
    } else {
        let media = percent_decode_str(&media).decode_utf8_lossy().into_owned();
        if !media.contains('/') {
            return Err(DataUrlError::Invalid("the media type has no '/'"));
        }
        media
    };
    let bytes = if is_base64 {
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        let fits = |len: usize| (len as u64 / 4).saturating_mul(3) <= max.saturating_add(3);
        // Fast path: plain base64 as FileReader.readAsDataURL produces it.
        let plain = fits(data.len()) && !data.as_bytes().contains(&b'%');
        match plain.then(|| engine.decode(data).ok()).flatten() {
            Some(bytes) => bytes,
            None => {
                let compact = percent_decode_without_whitespace(data.as_bytes());
                if !fits(compact.len()) {
                    return Err(DataUrlError::TooLarge);
                }
                engine
                    .decode(&compact)
                    .map_err(|_| DataUrlError::Invalid("the base64 data is not valid"))?
            }
        }
    } else {
        if data.len() as u64 / 3 > max {
            return Err(DataUrlError::TooLarge);
        }
        percent_decode_str(data).collect()
    };
    if bytes.len() as u64 > max {
        return Err(DataUrlError::TooLarge);
    }
    Ok(Fetched {
        bytes,
        content_type,
        file_name: None,
    })
}

/// Percent-decodes `data` and drops ASCII whitespace, in one pass (as the Fetch standard reads
/// a base64 `data:` URL body). A `%` not followed by two hex digits is kept as is.
fn percent_decode_without_whitespace(data: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let mut b = data[i];
        i += 1;
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                data.get(i).copied().and_then(hex),
                data.get(i + 1).copied().and_then(hex),
            ) {
                b = h * 16 + l;
                i += 2;
            }
        }
        if !b.is_ascii_whitespace() {
            out.push(b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls() {
        let f = parse_data_url("data:image/png;base64,aGVsbG8=", 100).unwrap();
        assert_eq!(f.bytes, b"hello");
        assert_eq!(f.content_type, "image/png");
        let f = parse_data_url("data:;base64,aGVsbG8", 100).unwrap();
        assert_eq!(f.bytes, b"hello");
        assert_eq!(f.content_type, "text/plain;charset=US-ASCII");
        let f = parse_data_url("data:text/plain;charset=utf-8,a%20b%F0%9F%98%80", 100).unwrap();
        assert_eq!(f.bytes, "a b😀".as_bytes());
        assert_eq!(f.content_type, "text/plain;charset=utf-8");
        let f = parse_data_url("data:,x", 100).unwrap();
        assert_eq!(f.content_type, "text/plain;charset=US-ASCII");
        let f = parse_data_url("data:;charset=utf-8,x", 100).unwrap();
        assert_eq!(f.content_type, "text/plain;charset=utf-8");
        assert_eq!(
            parse_data_url("data:image/png;base64,a GVs\nbG8=", 100)
                .unwrap()
                .bytes,
            b"hello"
        );
        assert_eq!(
            parse_data_url("data:image/png;base64,@@@", 100).unwrap_err(),
            DataUrlError::Invalid("the base64 data is not valid")
        );
        assert_eq!(
            parse_data_url("data:image/png;base64", 100).unwrap_err(),
            DataUrlError::Invalid("no comma before the data")
        );
        assert_eq!(
            parse_data_url("data:image/png;base64,aGVsbG8=", 4).unwrap_err(),
            DataUrlError::TooLarge
        );
        assert_eq!(
            parse_data_url("data:text/plain,hello", 4).unwrap_err(),
            DataUrlError::TooLarge
        );
    }

    #[test]
    fn percent_decodes_base64_bodies() {
        assert_eq!(
            percent_decode_without_whitespace(b"aG%56s bG8%3D%"),
            b"aGVsbG8=%"
        );
        assert_eq!(
            parse_data_url("data:text/plain;base64,aGVs%0AbG8%3D", 100)
                .unwrap()
                .bytes,
            b"hello"
        );
    }

    #[test]
    fn loopback_hosts() {
        let ok = |u: &str| is_loopback_host(&Url::parse(u).unwrap());
        assert!(ok("http://127.0.0.1:9/a"));
        assert!(ok("http://127.200.0.1/a"));
        assert!(ok("http://[::1]:80/"));
        assert!(ok("http://LOCALHOST:80/"));
        assert!(ok("http://localhost./"));
        assert!(ok("http://[::ffff:127.0.0.1]/"));
        assert!(!ok("http://0.0.0.0/"));
        assert!(!ok("http://10.0.0.1/"));
        assert!(!ok("http://localhost.example.com/"));
        assert!(!ok("http://example.com/"));
    }

    #[test]
    fn file_names() {
        let n = |u: &str| file_name(&Url::parse(u).unwrap());
        assert_eq!(n("http://h/a/b%20c.png?x=1"), Some("b c.png".into()));
        assert_eq!(n("http://h/a/"), None);
    }
}
