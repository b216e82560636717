//! Which addresses the panel will talk to, or hand to the API: DOM-free rules over the
//! pieces the browser's `URL` parser gives (`protocol`, `hostname`).
//!
//! Plain `http:` is allowed only on a loopback host (a local proxy, the sandbox, a
//! developer's machine): anywhere else a token or a file would cross a network in clear
//! text.

/// Whether a URL host (as `URL.hostname` gives it) is a loopback host: `localhost`,
/// an address in 127.0.0.0/8, or `[::1]`.
pub fn is_loopback_host(hostname: &str) -> bool {
    let host = hostname.trim().to_ascii_lowercase();
    if host == "localhost" || host == "[::1]" || host == "::1" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
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
    }
}
