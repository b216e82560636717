//! The rules for what the host page hands the panel, free of the DOM so they are tested
//! natively: a token must be a valid HTTP header value, `timeoutMs` has a range, and a
//! mode-changing option waits for the submission that is running. The JavaScript API
//! (`mount`, `update`) and the transport both apply them, so a host mistake is refused at
//! the door (a `TypeError`, or an `unauthorized` failure for a token from `getToken`)
//! and never becomes a throw inside the wasm.

use crate::state::Mode;
use crate::token::BearerToken;

/// The shortest `timeoutMs` taken: a request needs some time.
pub const MIN_TIMEOUT_MS: u64 = 1_000;

/// The longest `timeoutMs` taken (10 minutes): a browser timer fires at once past 2³¹ ms,
/// and a wait longer than this is no longer a timeout.
pub const MAX_TIMEOUT_MS: u64 = 600_000;

/// What a token must be, for the `TypeError` of `mount` and `update`.
pub const TOKEN_RULE: &str = "a valid header value (visible Latin-1 characters only)";

/// Whether `c` may stand in an `Authorization` header value as the panel sends it: a
/// visible Latin-1 character or a space. The browser refuses CR, LF, NUL and anything
/// past U+00FF; control characters are refused too.
fn header_char(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{ff}')
}

/// Whether `value` can stand as a request header's value (an upload ticket's `headers`):
/// every character a visible Latin-1 character or a space.
pub fn header_value_is_sendable(value: &str) -> bool {
    value.chars().all(header_char)
}

/// Whether `token` (as given, before trimming) can be sent: not empty, and every
/// character a visible Latin-1 character or a space.
pub fn token_is_sendable(token: &str) -> bool {
    let token = token.trim();
    !token.is_empty() && token.chars().all(header_char)
}

/// A token from the host, or why it cannot be one.
pub fn token(text: &str) -> Result<BearerToken, &'static str> {
    if token_is_sendable(text) {
        Ok(BearerToken::new(text))
    } else {
        Err(TOKEN_RULE)
    }
}

/// `timeoutMs` when it is in range ([`MIN_TIMEOUT_MS`] to [`MAX_TIMEOUT_MS`]).
pub fn timeout_ms(millis: u64) -> Option<u32> {
    (MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS)
        .contains(&millis)
        .then_some(millis as u32)
}

/// The mode the panel shows and submits in: while a submission runs (and on the screen
/// that reports its end), the mode it started in; a `threadId`, `businessId`, `userId`
/// or `groupId` given meanwhile takes effect once the member is back at an editable
/// form. So a submission never switches mode half-way.
pub fn mode_in_effect(
    requested: Result<Mode, &'static str>,
    running: Option<Mode>,
) -> Result<Mode, &'static str> {
    running.map_or(requested, Ok)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn a_token_must_be_a_header_value() {
        assert!(token_is_sendable(" abc.DEF-123_~+/= "));
        assert!(token_is_sendable("caf\u{e9}"));
        for bad in [
            "",
            "  ",
            "a\r\nX-Evil: 1",
            "a\nb",
            "a\0b",
            "a\tb",
            "\u{7f}",
            "\u{85}",
            "\u{100}",
            "to\u{2028}ken",
            "😀",
        ] {
            assert!(!token_is_sendable(bad), "{bad:?}");
            assert_eq!(token(bad), Err(TOKEN_RULE));
        }
        assert_eq!(
            token(" t ").map(|t| t.header_value()),
            Ok("Bearer t".into())
        );
    }

    #[test]
    fn timeout_has_a_sane_range() {
        assert_eq!(timeout_ms(30_000), Some(30_000));
        assert_eq!(timeout_ms(1_000), Some(1_000));
        assert_eq!(timeout_ms(600_000), Some(600_000));
        for bad in [0, 1, 999, 600_001, 1 << 31, u64::MAX] {
            assert_eq!(timeout_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_running_mode_holds_until_the_submission_ends() {
        let start = Mode::Start {
            business_id: 1,
            user_id: 10,
            group_id: None,
        };
        let attach = Mode::Attach { thread_id: 7 };
        assert_eq!(mode_in_effect(Ok(attach), Some(start)), Ok(start));
        assert_eq!(mode_in_effect(Err("x"), Some(start)), Ok(start));
        assert_eq!(mode_in_effect(Ok(attach), None), Ok(attach));
    }
}
