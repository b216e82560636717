//! Rewriting list queries and list answers so a member sees only what is theirs.
//!
//! A query keeps only the parameters the panel uses (paging, order, and the named filters),
//! drops anything that could widen the list, and gets the member's own filters appended.
//! A successful list answer is then filtered again by record field, in case the upstream
//! ignored a filter: the filter in the query is an optimisation, the one on the answer is
//! the guarantee.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use crate::envelope;
use crate::upstream::Answer;

/// `path?query` with only the `allowed` parameters of `raw` (names case-insensitive) and
/// then `forced`.
pub fn rewrite(path: &str, raw: Option<&str>, allowed: &[&str], forced: &[(&str, u64)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let lower = name.to_ascii_lowercase();
        if allowed.contains(&lower.as_str()) {
            out.append_pair(&name, &value);
        }
    }
    for (name, value) in forced {
        out.append_pair(name, &value.to_string());
    }
    format!("{path}?{}", out.finish())
}

/// `Ok` when every parameter of `raw` named in `id_params` (case-insensitively) is an id in
/// 1..=2^53; otherwise the 400 envelope naming it.
pub fn ids_within_range(raw: Option<&str>, id_params: &[&str]) -> Result<(), Response> {
    for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let lower = name.to_ascii_lowercase();
        if id_params.contains(&lower.as_str()) && crate::claims::parse_id(value.trim()).is_none() {
            return Err(envelope::bad_request(&format!("{name} is not a valid id.")));
        }
    }
    Ok(())
}

/// Keeps, in a successful list answer, only the records whose `field` is `expected` (a record
/// without it is dropped). Other answers, and bodies that are not a list envelope, pass
/// through as they are.
///
/// When records were dropped the upstream ignored the member's filters, so its counts are of
/// other members' records too: they are replaced by what this page shows ([`recount`]).
pub fn keep_records(mut answer: Answer, checks: &[(&str, u64)]) -> Answer {
    if answer.status != StatusCode::OK {
        return answer;
    }
    let Some(mut value) = answer.json() else {
        return answer;
    };
    let Some(records) = value.get_mut("Records").and_then(Value::as_array_mut) else {
        return answer;
    };
    let before = records.len();
    records.retain(|record| {
        checks
            .iter()
            .all(|(field, expected)| id_field(record, field) == Some(*expected))
    });
    if records.len() != before {
        tracing::warn!(
            dropped = before - records.len(),
            "the upstream list held records of other members; dropped"
        );
        let kept = records.len();
        recount(&mut value, kept);
        if let Ok(bytes) = serde_json::to_vec(&value) {
            answer.body = Bytes::from(bytes);
        }
    }
    answer
}

/// The list envelope's counts for a page of `kept` records that is all the member may know
/// of: one page (none when empty), no page before or after it. Other pages of an unfiltered
/// list cannot be counted without reading them, and the panel reads `Records` only.
fn recount(envelope: &mut Value, kept: usize) {
    let Some(fields) = envelope.as_object_mut() else {
        return;
    };
    let pages = usize::from(kept > 0);
    for (name, value) in [
        ("TotalItems", Value::from(kept)),
        ("TotalPages", Value::from(pages)),
        ("CurrentPage", Value::from(pages)),
        ("HasNextPage", Value::Bool(false)),
        ("HasPreviousPage", Value::Bool(false)),
        ("FirstItem", Value::from(pages)),
        ("LastItem", Value::from(kept)),
    ] {
        if fields.contains_key(name) {
            fields.insert(name.to_string(), value);
        }
    }
}

/// A record's id field as a positive integer (a JSON number or a string of digits).
pub fn id_field(record: &Value, field: &str) -> Option<u64> {
    match record.get(field)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rewrites_queries() {
        let q = rewrite(
            "/x",
            Some("CommunityThread_User=11&communitythread_subject=Hi%20there&orderBy=CreatedOn&evil=1"),
            &["communitythread_subject", "orderby"],
            &[("CommunityThread_User", 10)],
        );
        assert_eq!(
            q,
            "/x?communitythread_subject=Hi+there&orderBy=CreatedOn&CommunityThread_User=10"
        );
        assert_eq!(rewrite("/x", None, &[], &[]), "/x?");
    }

    #[test]
    fn drops_foreign_records() {
        let answer = Answer {
            status: StatusCode::OK,
            content_type: None,
            retry_after: None,
            body: Bytes::from(
                json!({"Records": [{"UserId": 10}, {"UserId": 11}, {"UserId": "10"}, {}],
                    "TotalItems": 4000, "TotalPages": 160, "HasNextPage": true, "CurrentPage": 1,
                    "HasPreviousPage": false, "CurrentPageSize": 25})
                .to_string(),
            ),
        };
        let kept = keep_records(answer, &[("UserId", 10)]).json().unwrap();
        assert_eq!(kept["Records"], json!([{"UserId": 10}, {"UserId": "10"}]));
        assert_eq!(
            (
                &kept["TotalItems"],
                &kept["TotalPages"],
                &kept["HasNextPage"]
            ),
            (&json!(2), &json!(1), &json!(false))
        );
        assert_eq!(kept["CurrentPageSize"], 25);
    }
}
