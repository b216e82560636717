//! How long a throttled answer asks to wait: `Retry-After` (delay-seconds or an HTTP
//! date) or, when a cross-origin page cannot read that header, the wait in the text.

use std::time::Duration;

/// How long to wait when a throttled answer carries no usable `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// How far into a throttle message the wait is looked for, in bytes.
const WAIT_SEARCH_BYTES: usize = 1_000;

/// Reads the wait out of a throttle message such as "You must wait 2 seconds before
/// accessing this url again" or "Wait 1s": the first number after the word "wait",
/// followed by a unit of seconds.
pub fn wait_in_text(text: &str) -> Option<Duration> {
    // Bytes, not `str` slices: no char-boundary panics to link into the wasm.
    let bytes = text.as_bytes();
    let head = bytes.get(..WAIT_SEARCH_BYTES).unwrap_or(bytes);
    let after = head
        .windows(4)
        .position(|w| w.eq_ignore_ascii_case(b"wait"))?
        + 4;
    let rest = head.get(after..)?;
    let start = rest.iter().position(u8::is_ascii_digit)?;
    // Only words such as "for" or "up to" may sit between "wait" and the number.
    let between = rest.get(..start)?;
    if start > 12
        || !between
            .iter()
            .all(|b| b.is_ascii_alphabetic() || *b == b' ')
    {
        return None;
    }
    let digits = rest.get(start..)?;
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end > 9 {
        return None;
    }
    let seconds = digits
        .get(..end)?
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    let unit = digits.get(end..)?.trim_ascii_start();
    let word_ends = |len: usize| !unit.get(len).is_some_and(u8::is_ascii_alphabetic);
    let is_seconds = unit.starts_with(b"sec") || (unit.first() == Some(&b's') && word_ends(1));
    is_seconds.then(|| Duration::from_secs(seconds))
}

/// Reads `Retry-After` as delay-seconds or as an HTTP date (IMF-fixdate).
pub fn parse_retry_after(value: &str, now_unix: u64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some(Duration::from_secs(at.saturating_sub(now_unix)))
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into seconds since the Unix epoch.
fn parse_http_date(value: &str) -> Option<u64> {
    let rest = value.split_once(", ")?.1;
    let mut parts = rest.split_whitespace();
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    let hour: u64 = clock.next()?.parse().ok()?;
    let minute: u64 = clock.next()?.parse().ok()?;
    let second: u64 = clock.next()?.parse().ok()?;
    // IMF-fixdate's year is four digits; a longer one would overflow the day count.
    if parts.next()? != "GMT"
        || !(0..=9_999).contains(&year)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day as i64);
    let days = u64::try_from(days).ok()?;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn retry_after_as_http_date() {
        // 1994-11-06T08:49:37Z is 784111777.
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", 784_111_777),
            Some(Duration::from_secs(3))
        );
        assert_eq!(parse_retry_after("soon", 1_700_000_000), None);
    }

    #[test]
    fn retry_after_date_with_a_huge_year_is_refused_not_a_panic() {
        // Found by tests/classify_properties.rs: the day count overflowed (a panic in
        // debug builds, a wrapped wait in release).
        assert_eq!(
            parse_retry_after("Sun, 1 Jan 584554051224 00:00:00 GMT", 0),
            None
        );
        assert_eq!(
            parse_retry_after("Sun, 1 Jan 9223372036854775807 00:00:00 GMT", 0),
            None
        );
        assert_eq!(
            parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(253_402_300_799)
        );
    }
}
