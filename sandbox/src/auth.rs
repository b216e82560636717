//! Bearer tokens, roles, and the 401 answers.
//!
//! Nexudus answers **401** both for "not authenticated" and for "authenticated but lacks the
//! role"; it documents no 403 and no 401 body. The sandbox therefore always answers 401, with
//! these deterministic bodies so clients meet several shapes:
//!
//! | case | body | `WWW-Authenticate` |
//! | --- | --- | --- |
//! | no `Authorization` header | empty | `Bearer` |
//! | header present but not `Bearer <token>` | an HTML page (`text/html`) | `Bearer` |
//! | unknown token | `{"Message":"Authorization has been denied for this request."}` | `Bearer error="invalid_token"` |
//! | expired token (seeded, or issued by `/api/token` and past its lifetime) | the same JSON | `Bearer error="invalid_token", error_description="The access token expired"` |
//! | valid token, missing role | the full envelope (`Status` 401, `WasSuccessful` false, `Errors` null) naming the role | none |
//!
//! Seeded tokens: `sandbox-admin-token` (a full administrator), `sandbox-member-token` (user 10
//! with the create/delete roles), `sandbox-no-files-token` (user 11, no file roles),
//! `sandbox-expired-token`, and `sandbox-portal-token`: user 10 as an ordinary customer would
//! hold a Members Portal token, with no admin role, so every write under `/api/community/` gets
//! the missing-role 401, as the live API refuses a member's portal token there [doc/seen,
//! nexudus-api.md "Who may call these endpoints"]. It may read threads and files, and list
//! boards (it holds `CommunityGroup-List`, the one role the sandbox asks for a read).
//!
//! Reading threads and files needs a valid token but no particular role: the reference names
//! no role for those reads, and the default member token (whose roles are fixed) must be able
//! to look for an existing conversation.
//!
//! The token is never logged, and never echoed in a body.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::envelope::{self, JSON_CONTENT_TYPE};
use crate::sessions::Issued;
use crate::{lock, AppState};

/// What a token may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSpec {
    /// A full unrestricted administrator.
    Admin,
    /// A user with these roles (e.g. `CommunityThread-Create`).
    Roles(Vec<String>),
    /// A token that has expired.
    Expired,
}

/// Parses a `--token TOKEN=ROLES` argument. `ROLES` is a comma list of role names, or
/// `admin`, or `expired` (either word wins over role names in the list). An empty list gives
/// a valid token without roles.
pub fn parse_token_arg(arg: &str) -> Result<(String, TokenSpec), String> {
    let (token, roles) = arg
        .split_once('=')
        .ok_or_else(|| format!("expected TOKEN=ROLES, got {:?}", redact(arg)))?;
    let token = token.trim();
    if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the token must be non-empty and contain no spaces".into());
    }
    Ok((token.to_string(), parse_roles(roles)))
}

/// Parses a ROLES list: a comma list of role names, or `admin`, or `expired` (either word
/// wins over role names in the list). An empty list gives no roles.
pub fn parse_roles(roles: &str) -> TokenSpec {
    let roles: Vec<String> = roles
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    if roles.iter().any(|r| r.eq_ignore_ascii_case("expired")) {
        TokenSpec::Expired
    } else if roles.iter().any(|r| r.eq_ignore_ascii_case("admin")) {
        TokenSpec::Admin
    } else {
        TokenSpec::Roles(roles)
    }
}

/// Describes an argument by its length only, so an error never prints a token.
fn redact(arg: &str) -> String {
    format!("<{} characters>", arg.chars().count())
}

/// A known token.
#[derive(Clone, Debug)]
struct TokenEntry {
    spec: TokenSpec,
    /// `UpdatedBy` of what this token writes.
    email: String,
}

/// The token table.
pub struct Tokens {
    by_token: HashMap<String, TokenEntry>,
}

impl Tokens {
    /// The default tokens plus `extra` (an extra token with a default token's name replaces it).
    pub fn with_defaults(extra: &[(String, TokenSpec)]) -> Tokens {
        let roles = |rs: &[&str]| TokenSpec::Roles(rs.iter().map(|r| r.to_string()).collect());
        let mut by_token = HashMap::new();
        let mut add = |t: &str, spec: TokenSpec, email: &str| {
            by_token.insert(
                t.to_string(),
                TokenEntry {
                    spec,
                    email: email.to_string(),
                },
            );
        };
        add("sandbox-admin-token", TokenSpec::Admin, "admin@example.com");
        add(
            "sandbox-member-token",
            roles(&[
                "CommunityThread-Create",
                "CommunityThreadFile-Create",
                "CommunityThread-Delete",
                "CommunityThreadFile-Delete",
                "CommunityGroup-List",
            ]),
            "ada.member@example.com",
        );
        add(
            "sandbox-no-files-token",
            roles(&["CommunityThread-Create", "CommunityGroup-List"]),
            "grace.member@example.com",
        );
        add(
            "sandbox-portal-token",
            roles(&["CommunityGroup-List"]),
            "ada.member@example.com",
        );
        add(
            "sandbox-expired-token",
            TokenSpec::Expired,
            "ada.member@example.com",
        );
        for (token, spec) in extra {
            let email = match spec {
                TokenSpec::Admin => "admin@example.com",
                _ => "api.user@example.com",
            };
            add(token, spec.clone(), email);
        }
        Tokens { by_token }
    }
}

/// What a bearer token is: a seeded or `--token` token, or one `/api/token` issued.
pub(crate) enum Lookup {
    /// Not a token of this sandbox.
    Unknown,
    /// Expired (a seeded expired token, or an issued one past its lifetime).
    Expired,
    /// Valid, with its caller.
    Valid(Caller),
}

/// Looks `token` up, at the sandbox clock's now.
pub(crate) fn lookup(st: &AppState, token: &str) -> Lookup {
    let (spec, email) = match st.tokens.by_token.get(token) {
        Some(entry) => (entry.spec.clone(), entry.email.clone()),
        None => match lock(&st.sessions).access(token, st.config.clock.now()) {
            None => return Lookup::Unknown,
            Some(Issued::Expired) => return Lookup::Expired,
            Some(Issued::Valid(spec, email)) => (spec, email),
        },
    };
    let (admin, roles) = match spec {
        TokenSpec::Expired => return Lookup::Expired,
        TokenSpec::Admin => (true, Vec::new()),
        TokenSpec::Roles(r) => (false, r),
    };
    Lookup::Valid(Caller {
        admin,
        roles,
        email,
    })
}

/// The token of an `Authorization: Bearer <token>` header, if the request has one.
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
}

/// The authenticated caller of an `/api` request.
#[derive(Clone, Debug)]
pub struct Caller {
    admin: bool,
    roles: Vec<String>,
    /// `UpdatedBy` of what the caller writes.
    pub email: String,
}

impl Caller {
    /// `Ok` if the caller is an administrator or has `role`; otherwise the 401 answer.
    #[allow(clippy::result_large_err)]
    pub fn require(&self, role: &str) -> Result<(), Response> {
        if self.admin || self.roles.iter().any(|r| r.eq_ignore_ascii_case(role)) {
            Ok(())
        } else {
            Err(missing_role(role))
        }
    }
}

const DENIED: &str = "Authorization has been denied for this request.";

fn missing_role(role: &str) -> Response {
    envelope::refusal(
        StatusCode::UNAUTHORIZED,
        format!("{DENIED} The {role} role is required."),
    )
}

fn unauthorized(
    challenge: &'static str,
    content_type: Option<&'static str>,
    body: String,
) -> Response {
    let mut res = (StatusCode::UNAUTHORIZED, body).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    match content_type {
        Some(ct) => headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct)),
        None => headers.remove(header::CONTENT_TYPE),
    };
    res
}

fn denied_json(challenge: &'static str) -> Response {
    unauthorized(
        challenge,
        Some(JSON_CONTENT_TYPE),
        format!("{{\"Message\":\"{DENIED}\"}}"),
    )
}

const EXPIRED_CHALLENGE: &str =
    "Bearer error=\"invalid_token\", error_description=\"The access token expired\"";

const HTML_401: &str = "<!DOCTYPE html>\n<html><head><title>401 - Unauthorized</title></head>\
<body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1></body></html>\n";

/// Middleware for `/api` routes: authenticates the bearer token (401 otherwise), applies the
/// per-token throttle (409 otherwise) and hands the [`Caller`] to the handler.
pub async fn authenticate(
    State(st): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    if req.headers().get(header::AUTHORIZATION).is_none() {
        return unauthorized("Bearer", None, String::new());
    }
    let Some(token) = bearer(req.headers()).map(str::to_string) else {
        return unauthorized(
            "Bearer",
            Some("text/html; charset=utf-8"),
            HTML_401.to_string(),
        );
    };
    let caller = match lookup(&st, &token) {
        Lookup::Unknown => return denied_json("Bearer error=\"invalid_token\""),
        Lookup::Expired => return denied_json(EXPIRED_CHALLENGE),
        Lookup::Valid(caller) => caller,
    };
    let is_write = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::DELETE | Method::PATCH
    );
    {
        let mut throttle = lock(&st.throttle);
        if let Err(wait) = throttle.admit(&token, is_write, std::time::Instant::now()) {
            return throttle.refusal(wait);
        }
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_token_args() {
        assert_eq!(
            parse_token_arg("t=admin").unwrap(),
            ("t".into(), TokenSpec::Admin)
        );
        assert_eq!(
            parse_token_arg("t=expired").unwrap(),
            ("t".into(), TokenSpec::Expired)
        );
        assert_eq!(
            parse_token_arg("t=A-Create, B-List").unwrap(),
            (
                "t".into(),
                TokenSpec::Roles(vec!["A-Create".into(), "B-List".into()])
            )
        );
        assert_eq!(
            parse_token_arg("t=").unwrap(),
            ("t".into(), TokenSpec::Roles(vec![]))
        );
        let err = parse_token_arg("secret-token").unwrap_err();
        assert!(!err.contains("secret"));
        assert!(parse_token_arg("=admin").is_err());
    }
}
