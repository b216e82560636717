//! A string that must never be shown: the operator's token and password, refresh tokens,
//! the member-session key and member JWTs.
//!
//! Its `Debug` and `Display` print `[redacted]`, so a secret that ends up in a log line, an
//! error message or a `{:?}` of a struct shows nothing. The value is reachable only through
//! [`Secret::expose`], which marks every place it really leaves the program (an
//! `Authorization` header, a form body, a key for HMAC).

use std::fmt;

/// A secret string. Compare with [`Secret::expose`]; never format it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place it is sent or used.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn never_formats_its_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "hunter2");
    }
}
