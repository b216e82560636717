//! Which addresses the panel will talk to, or hand to the API: DOM-free rules over the
//! pieces the browser's `URL` parser gives (`protocol`, `hostname`).
//!
//! Plain `http:` is allowed only on a loopback host (a local proxy, the sandbox, a
//! developer's machine): anywhere else a token or a file would cross a network in clear
//! text.

use std::net::Ipv4Addr;

/// Whether a URL host (as `URL.hostname` gives it) is a loopback host: `localhost`,
/// an address in 127.0.0.0/8, or `[::1]`.
///
/// `URL.hostname` gives hosts in their canonical form (IPv4 as four decimal numbers, IPv6
/// compressed and in brackets), so `[::1]` is the IPv6 loopback's only spelling there, and
/// `Ipv6Addr` parsing (~1 KB brotli of wasm) is not linked in for it.
pub fn is_loopback_host(hostname: &str) -> bool {
    let host = hostname.trim().to_ascii_lowercase();
    host == "localhost"
        || host == "[::1]"
        || host == "::1"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether an address the panel calls (`baseUrl`, `uploadEndpoint`) or hands to the API
/// (`NewFileDataUrl`) may use this scheme and host: `https:` anywhere, `http:` only on a
/// loopback host (a local proxy or the sandbox).
pub fn base_url_scheme_allowed(protocol: &str, hostname: &str) -> bool {
    match protocol {
        "https:" => true,
        "http:" => is_loopback_host(hostname),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_loopback_in_either_spelling() {
        assert!(is_loopback_host("[::1]"));
        assert!(is_loopback_host("::1"));
        assert!(!is_loopback_host("[::2]"));
        assert!(!is_loopback_host("127.0.0.256"));
        assert!(is_loopback_host("127.12.0.3"));
        assert!(is_loopback_host("LOCALHOST"));
        assert!(!is_loopback_host("128.0.0.1"));
        assert!(!is_loopback_host("127.0.0.1.example.com"));
        assert!(!is_loopback_host("localhost.example.com"));
    }

    #[test]
    fn http_only_on_loopback() {
        assert!(base_url_scheme_allowed("https:", "spaces.nexudus.com"));
        assert!(base_url_scheme_allowed("http:", "127.0.0.1"));
        assert!(base_url_scheme_allowed("http:", "localhost"));
        assert!(base_url_scheme_allowed("http:", "[::1]"));
        assert!(!base_url_scheme_allowed("http:", "example.com"));
        assert!(!base_url_scheme_allowed("ftp:", "localhost"));
        assert!(!base_url_scheme_allowed("javascript:", ""));
    }
}
