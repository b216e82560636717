//! The Nexudus endpoints: envelopes, validation, auth, lists, files and fetched URLs.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod attachments;
mod envelopes;
mod records;

/// Whether `s` is a UTC time as Nexudus writes it: `2025-01-15T10:30:00Z`.
fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && s.chars()
            .enumerate()
            .all(|(i, c)| [4, 7, 10, 13, 16, 19].contains(&i) || c.is_ascii_digit())
}

/// Standard base64, as a `data:` URL carries it.
fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
