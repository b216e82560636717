//! The `Idempotency-Key` request header and the request's fingerprint.
//!
//! A key is 1 to [`MAX_KEY_LEN`] visible ASCII characters (a UUID has 36; the draft
//! recommends one), sent once. The fingerprint is SHA-256 over the method, the path (with its
//! query) and the body bytes exactly as received, each part length-prefixed so that no two
//! requests share one by moving bytes between parts.

use axum::http::{HeaderMap, HeaderName, Method};
use sha2::{Digest, Sha256};

use super::store::Fingerprint;

/// The request header.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// Why a key is refused (the message the member gets in the 400 envelope).
#[derive(Debug, PartialEq)]
pub struct BadKey(pub &'static str);

/// The request's key: `Ok(None)` without the header.
pub fn parse(headers: &HeaderMap) -> Result<Option<String>, BadKey> {
    let mut values = headers.get_all(&IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(BadKey("Send one Idempotency-Key header, not several."));
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_KEY_LEN {
        return Err(BadKey("The Idempotency-Key must have 1 to 255 characters."));
    }
    if !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(BadKey(
            "The Idempotency-Key may hold only visible ASCII characters.",
        ));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

/// SHA-256 of the method, path-and-query and body.
pub fn fingerprint(method: &Method, path_and_query: &str, body: &[u8]) -> Fingerprint {
    let mut hash = Sha256::new();
    for part in [method.as_str().as_bytes(), path_and_query.as_bytes(), body] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(values: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(IDEMPOTENCY_KEY, HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    #[test]
    fn validates_keys() {
        assert_eq!(parse(&HeaderMap::new()), Ok(None));
        assert_eq!(
            parse(&with(&[b"6f1c0e3a-1b2c-4d5e-8f90-123456789abc"])),
            Ok(Some("6f1c0e3a-1b2c-4d5e-8f90-123456789abc".into()))
        );
        assert!(parse(&with(&[b""])).is_err());
        assert!(parse(&with(&[b"a b"])).is_err());
        assert!(parse(&with(&[b"caf\xc3\xa9"])).is_err());
        assert!(parse(&with(&[&[b'k'; 256]])).is_err());
        assert!(parse(&with(&[&[b'k'; 255]])).is_ok());
        assert!(parse(&with(&[b"a", b"b"])).is_err());
    }

    #[test]
    fn fingerprints_every_part() {
        let f = fingerprint(&Method::POST, "/a", b"{}");
        assert_eq!(f, fingerprint(&Method::POST, "/a", b"{}"));
        assert_ne!(f, fingerprint(&Method::POST, "/a", b"{ }"));
        assert_ne!(f, fingerprint(&Method::DELETE, "/a", b"{}"));
        assert_ne!(f, fingerprint(&Method::POST, "/a{", b"}"));
    }
}
