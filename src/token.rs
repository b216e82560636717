//! The bearer token the host page supplies. It is a secret: it goes into the
//! `Authorization` header and nowhere else, and its `Debug` output is redacted.

use std::fmt;
use std::rc::Rc;

/// A bearer token for the Nexudus API.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct BearerToken(Rc<str>);

impl BearerToken {
    /// Wraps a token string (surrounding white space is removed).
    pub fn new(token: &str) -> Self {
        BearerToken(Rc::from(token.trim()))
    }

    /// Whether no token was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether it can go into a header: not empty, visible Latin-1 only (see
    /// [`crate::host_input`]); the browser throws on anything else.
    pub fn is_sendable(&self) -> bool {
        crate::host_input::token_is_sendable(&self.0)
    }

    /// `text` (a server's answer) with every occurrence of this token blanked out, as it
    /// stands and as JSON may escape it (`\"`, `\\`, `\/`), before any of it is read or
    /// cut: a server that echoes the member's token shows `[hidden]` instead. A token of
    /// fewer than 4 bytes is left to be (blanking it would blank ordinary words).
    ///
    /// ```
    /// # use nexudus_start_conversation::BearerToken;
    /// let token = BearerToken::new("s3cret-token");
    /// assert_eq!(token.blank_out("bad token s3cret-token"), "bad token [hidden]");
    /// ```
    pub fn blank_out(&self, text: &str) -> String {
        let secret: &str = &self.0;
        if secret.len() < 4 {
            return text.to_owned();
        }
        let escaped = secret.replace('\\', "\\\\").replace('"', "\\\"");
        let mut text = text.to_owned();
        for form in [
            secret.to_owned(),
            escaped.clone(),
            escaped.replace('/', "\\/"),
        ] {
            if text.contains(form.as_str()) {
                text = text.replace(form.as_str(), "[hidden]");
            }
        }
        text
    }

    /// The `Authorization` header value. Crate-private: only the transport sees it.
    pub(crate) fn header_value(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

/// Why the host's token callback gave no token; the request then goes as unauthorized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The callback failed (it threw, or its promise was rejected): its reason.
    #[error("{0}")]
    Host(String),
    /// It gave no text, or text that cannot go into a header (see
    /// [`crate::host_input::TOKEN_RULE`]).
    #[error("the token must be {}", crate::host_input::TOKEN_RULE)]
    NotAToken,
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn blanks_every_occurrence_also_escaped_as_json() {
        // Issue 22, defect 7.
        let token = BearerToken::new("ab/c\"d-9876");
        let echoed =
            r#"{"Message":"token ab\/c\"d-9876 refused; ab/c"d-9876 again; ab/c\"d-9876"}"#;
        let blanked = token.blank_out(echoed);
        assert!(!blanked.contains("9876"), "{blanked}");
        assert_eq!(blanked.matches("[hidden]").count(), 3);
        assert_eq!(BearerToken::new("abc").blank_out("abc"), "abc");
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = BearerToken::new("s3cret");
        assert!(!format!("{token:?}").contains("s3cret"));
        assert_eq!(token.header_value(), "Bearer s3cret");
    }
}
