//! Content types of stored files, parsed strictly before they are matched.
//!
//! A declared type must be exactly `type/subtype`: two RFC 9110 tokens and one slash, nothing
//! else (no parameters, no spaces, no list), lowercased. So `image/png, text/html` or
//! `image/png;x=text/html` never match `image/*` and are never served back as given.
//!
//! Types a browser can run as a page or a script ([`ACTIVE_TYPES`], SVG among them) are
//! accepted only when listed exactly by `--allowed-type`, never through a wildcard: `image/*`
//! does not let `image/svg+xml` in.

/// Types that only an exact `--allowed-type` entry accepts.
pub const ACTIVE_TYPES: [&str; 5] = [
    "image/svg+xml",
    "text/html",
    "application/xhtml+xml",
    "text/xml",
    "application/xml",
];

/// `type/subtype`, lowercased, if `raw` is exactly that.
pub fn parse(raw: &str) -> Option<String> {
    let (kind, sub) = raw.split_once('/')?;
    let is_token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    (is_token(kind) && is_token(sub)).then(|| raw.to_ascii_lowercase())
}

/// A content type as a sender gave it, without parameters, lowercased: `image/png` (what a
/// `PUT`'s header or a bucket's answer is compared with the declared type by).
pub fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether the parsed type `essence` is among `allowed` (`type/subtype` or `type/*`; an
/// active type only by its exact entry).
pub fn allowed(allowed: &[String], essence: &str) -> bool {
    let Some((kind, _)) = essence.split_once('/') else {
        return false;
    };
    let active = ACTIVE_TYPES.contains(&essence);
    allowed.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        match entry.strip_suffix("/*") {
            Some(prefix) => !active && prefix == kind,
            None => entry == essence,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_type_and_subtype() {
        assert_eq!(parse("IMAGE/PNG").as_deref(), Some("image/png"));
        assert_eq!(parse("image/svg+xml").as_deref(), Some("image/svg+xml"));
        for bad in [
            "image/png, text/html",
            "image/png,text/html",
            "image/png; charset=utf-8",
            "image/png;x=text/html",
            " image/png",
            "image/png ",
            "image/",
            "/png",
            "png",
            "image/png/x",
            "",
            "text/plain\n",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn active_types_need_an_exact_entry() {
        let wild = vec!["image/*".to_string(), "text/*".to_string()];
        assert!(allowed(&wild, "image/png"));
        assert!(allowed(&wild, "text/plain"));
        assert!(!allowed(&wild, "image/svg+xml"));
        assert!(!allowed(&wild, "text/html"));
        assert!(!allowed(&wild, "application/pdf"));
        let exact = vec!["image/*".to_string(), "image/svg+xml".to_string()];
        assert!(allowed(&exact, "image/svg+xml"));
    }
}
