//! The names stored files get: what a member's file was called, made safe for a path and a URL.

/// Keeps ASCII letters, digits, `.`, `_` and `-` of the first `max_chars` characters of `name`
/// and turns every other character into `_`; a name of nothing but dots and underscores (empty,
/// `..`) becomes `file`, so no name can climb out of its folder.
///
/// ```
/// use nexudus_wire::file_name::sanitize;
/// assert_eq!(sanitize("a b/c.png", 100), "a_b_c.png");
/// assert_eq!(sanitize("../..", 100), "file");
/// ```
pub fn sanitize(name: &str, max_chars: usize) -> String {
    let cleaned: String = name
        .chars()
        .take(max_chars)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.chars().all(|c| c == '.' || c == '_') {
        "file".to_string()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn names_are_cleaned_and_cut() {
        assert_eq!(sanitize("a b/c.png", 100), "a_b_c.png");
        assert_eq!(sanitize("", 100), "file");
        assert_eq!(sanitize("..", 100), "file");
        assert_eq!(sanitize("../", 100), "file");
        assert_eq!(sanitize("résumé.pdf", 100), "r_sum_.pdf");
        assert_eq!(sanitize(&"x".repeat(300), 120).len(), 120);
    }
}
