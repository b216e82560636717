//! Member sessions: the HS256 JWT the host's own login signs, which the panel sends as its
//! bearer token.
//!
//! Claims: `sub` = the member's Nexudus UserId, `businessId` = their location, `exp`
//! (required and checked), optional `nbf` (checked when present). Ids may be JSON numbers or
//! strings of digits (JWT's `sub` is a string by the RFC). Optional `groups`: the board Ids the host's login says
//! the member belongs to (a JSON array of at most [`MAX_GROUPS`] positive integers up to 2^53,
//! numbers or strings of digits); anything else in it refuses the session. Only HS256 is accepted, so a token
//! signed with `none` or another algorithm is refused. The proxy trusts nothing else in the
//! request to say who the member is.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::secret::Secret;

/// The least key length accepted for `MEMBER_JWT_SECRET` (HS256's 256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// The largest id the proxy accepts from a session or a request and sends upstream: 2^53,
/// the largest integer a JavaScript number (the panel's, and many JSON parsers') holds
/// exactly.
pub const MAX_ID: u64 = 1 << 53;

/// The default longest session (`--max-session-seconds`).
pub const DEFAULT_MAX_SESSION: Duration = Duration::from_secs(24 * 3600);

/// What a session must satisfy beyond its signature and `exp`/`nbf`.
#[derive(Clone, Debug)]
pub struct SessionRules {
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: Duration,
    /// `exp` no further ahead than this, and `exp - iat` (when `iat` is given) no longer.
    pub max_lifetime: Duration,
    /// When set, `aud` is required and must hold it; when unset, any `aud` is accepted.
    pub audience: Option<String>,
    /// When set, `iss` is required and must equal it; when unset, any `iss` is accepted.
    pub issuer: Option<String>,
}

impl SessionRules {
    /// The defaults, with `leeway`.
    pub fn new(leeway: Duration) -> SessionRules {
        SessionRules {
            leeway,
            max_lifetime: DEFAULT_MAX_SESSION,
            audience: None,
            issuer: None,
        }
    }
}

/// The verified identity of the member making a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// Their Nexudus UserId (`sub`).
    pub user_id: u64,
    /// Their business (`businessId`).
    pub business_id: u64,
}

/// The most board Ids a `groups` claim may hold.
pub const MAX_GROUPS: usize = 1000;

/// The boards a member belongs to, from the session's `groups` claim (empty without it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberGroups(pub std::sync::Arc<std::collections::BTreeSet<u64>>);

impl MemberGroups {
    /// Whether the member belongs to board `id`.
    pub fn contains(&self, id: u64) -> bool {
        self.0.contains(&id)
    }
}

#[derive(Deserialize)]
struct RawClaims {
    sub: Value,
    #[serde(rename = "businessId")]
    business_id: Value,
    // Required and checked by the validation (a missing one is `BadClaims` there).
    #[serde(default)]
    exp: Value,
    #[serde(default)]
    iat: Option<Value>,
    /// `None` when absent; `Some(Null)` when given as `null` (refused).
    #[serde(default, deserialize_with = "present")]
    groups: Option<Value>,
}

/// A claim that is present, whatever its value (`null` included).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[derive(Serialize)]
struct MintedClaims {
    sub: String,
    #[serde(rename = "businessId")]
    business_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<Vec<u64>>,
    iat: u64,
    exp: u64,
}

/// Why a session was refused. Deliberately vague towards the caller; the kind is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The signature, algorithm or format is wrong.
    Invalid,
    /// `exp` has passed.
    Expired,
    /// `nbf` is still ahead.
    NotYetValid,
    /// `sub` or `businessId` is missing or not an integer in 1..=2^53, or `groups` is not a
    /// bounded list of board Ids.
    BadClaims,
    /// `exp` is further ahead than `--max-session-seconds`, or `exp - iat` longer.
    TooLong,
    /// `aud` or `iss` is missing or not the one configured.
    WrongAudienceOrIssuer,
}

/// Checks member sessions against one key.
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
    rules: SessionRules,
}

impl Verifier {
    /// A verifier for `secret` with the default rules, tolerating `leeway` of clock skew.
    pub fn new(secret: &Secret, leeway: Duration) -> Result<Verifier, String> {
        Verifier::with_rules(secret, SessionRules::new(leeway))
    }

    /// A verifier for `secret` with `rules`.
    pub fn with_rules(secret: &Secret, rules: SessionRules) -> Result<Verifier, String> {
        let mut validation = Validation::new(Algorithm::HS256);
        // `sub` is read and checked below (a number is accepted too).
        let mut required = vec!["exp"];
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = rules.leeway.as_secs();
        match &rules.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        if let Some(iss) = &rules.issuer {
            validation.set_issuer(&[iss]);
            required.push("iss");
        }
        validation.set_required_spec_claims(&required);
        let key = DecodingKey::from_secret(secret.expose().as_bytes())
            .map_err(|e| format!("unusable MEMBER_JWT_SECRET: {:?}", e.kind()))?;
        Ok(Verifier {
            key,
            validation,
            rules,
        })
    }

    /// The member a session names, if it is genuine and current.
    pub fn verify(&self, token: &str) -> Result<Member, Refusal> {
        self.verify_session(token).map(|(member, _)| member)
    }

    /// The member a session names and the boards it says they belong to.
    pub fn verify_session(&self, token: &str) -> Result<(Member, MemberGroups), Refusal> {
        use jsonwebtoken::errors::ErrorKind;
        let data =
            jsonwebtoken::decode::<RawClaims>(token, &self.key, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => Refusal::Expired,
                    ErrorKind::ImmatureSignature => Refusal::NotYetValid,
                    ErrorKind::MissingRequiredClaim(claim)
                        if matches!(claim.as_str(), "aud" | "iss") =>
                    {
                        Refusal::WrongAudienceOrIssuer
                    }
                    ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) => {
                        Refusal::BadClaims
                    }
                    ErrorKind::InvalidAudience | ErrorKind::InvalidIssuer => {
                        Refusal::WrongAudienceOrIssuer
                    }
                    _ => Refusal::Invalid,
                }
            })?;
        self.check_lifetime(&data.claims, unix_now())?;
        let user_id = positive_id(&data.claims.sub).ok_or(Refusal::BadClaims)?;
        let business_id = positive_id(&data.claims.business_id).ok_or(Refusal::BadClaims)?;
        let groups = match &data.claims.groups {
            None => MemberGroups::default(),
            Some(value) => group_ids(value).ok_or(Refusal::BadClaims)?,
        };
        Ok((
            Member {
                user_id,
                business_id,
            },
            groups,
        ))
    }
}

impl Verifier {
    /// `exp` at most `max_lifetime` (plus the leeway) ahead of `now`; `exp - iat` at most
    /// `max_lifetime` when `iat` is given.
    fn check_lifetime(&self, claims: &RawClaims, now: u64) -> Result<(), Refusal> {
        let max = self.rules.max_lifetime.as_secs() as f64;
        let exp = claims.exp.as_f64().ok_or(Refusal::BadClaims)?;
        if exp > now as f64 + max + self.rules.leeway.as_secs() as f64 {
            return Err(Refusal::TooLong);
        }
        if let Some(iat) = &claims.iat {
            let iat = iat.as_f64().ok_or(Refusal::BadClaims)?;
            if exp - iat > max {
                return Err(Refusal::TooLong);
            }
        }
        Ok(())
    }
}

/// An id in 1..=[`MAX_ID`] given as a JSON number or a string of digits.
pub fn positive_id(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().filter(|n| (1..=MAX_ID).contains(n)),
        Value::String(s) => parse_id(s),
        _ => None,
    }
}

/// An id in 1..=[`MAX_ID`] written in digits only.
pub fn parse_id(raw: &str) -> Option<u64> {
    if raw.is_empty() || raw.len() > 20 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok().filter(|n| (1..=MAX_ID).contains(n))
}

/// A `groups` claim's board Ids: an array of at most [`MAX_GROUPS`] ids in 1..=2^53.
fn group_ids(value: &Value) -> Option<MemberGroups> {
    let items = value.as_array()?;
    if items.len() > MAX_GROUPS {
        return None;
    }
    let ids = items.iter().map(positive_id).collect::<Option<_>>()?;
    Some(MemberGroups(std::sync::Arc::new(ids)))
}

/// Signs a member session, as a host's login would (the `mint-session` command, tests, demo).
pub fn mint(secret: &Secret, member: Member, ttl: Duration) -> Result<Secret, String> {
    mint_with_groups(secret, member, None, ttl)
}

/// Signs a member session with a `groups` claim when `groups` is given.
pub fn mint_with_groups(
    secret: &Secret,
    member: Member,
    groups: Option<&[u64]>,
    ttl: Duration,
) -> Result<Secret, String> {
    let now = unix_now();
    let claims = MintedClaims {
        sub: member.user_id.to_string(),
        business_id: member.business_id,
        groups: groups.map(<[u64]>::to_vec),
        iat: now,
        exp: now.saturating_add(ttl.as_secs()),
    };
    let key = EncodingKey::from_secret(secret.expose().as_bytes())
        .map_err(|e| format!("unusable MEMBER_JWT_SECRET: {:?}", e.kind()))?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)
        .map(Secret::new)
        .map_err(|e| format!("could not sign the session: {e}"))
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    fn sign(claims: &Value, key: &str, alg: Algorithm) -> String {
        jsonwebtoken::encode(
            &Header::new(alg),
            claims,
            &EncodingKey::from_secret(key.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    fn verifier() -> Verifier {
        Verifier::new(&Secret::new(KEY), Duration::from_secs(0)).unwrap()
    }

    #[test]
    fn accepts_a_minted_session() {
        let member = Member {
            user_id: 10,
            business_id: 1,
        };
        let token = mint(&Secret::new(KEY), member, Duration::from_secs(60)).unwrap();
        assert_eq!(verifier().verify(token.expose()), Ok(member));
    }

    #[test]
    fn refuses_what_it_must() {
        let now = unix_now();
        let v = verifier();
        let ok = json!({"sub": 10, "businessId": "1", "exp": now + 60});
        assert!(v.verify(&sign(&ok, KEY, Algorithm::HS256)).is_ok());
        let expired = json!({"sub": "10", "businessId": 1, "exp": now - 10});
        assert_eq!(
            v.verify(&sign(&expired, KEY, Algorithm::HS256)),
            Err(Refusal::Expired)
        );
        let early = json!({"sub": "10", "businessId": 1, "exp": now + 60, "nbf": now + 30});
        assert_eq!(
            v.verify(&sign(&early, KEY, Algorithm::HS256)),
            Err(Refusal::NotYetValid)
        );
        let no_exp = json!({"sub": "10", "businessId": 1});
        assert_eq!(
            v.verify(&sign(&no_exp, KEY, Algorithm::HS256)),
            Err(Refusal::BadClaims)
        );
        let wrong_key = sign(&ok, "another key another key another!", Algorithm::HS256);
        assert_eq!(v.verify(&wrong_key), Err(Refusal::Invalid));
        assert_eq!(
            v.verify(&sign(&ok, KEY, Algorithm::HS384)),
            Err(Refusal::Invalid)
        );
        for bad in [json!("x"), json!(0), json!(-1), json!(""), json!(null)] {
            let c = json!({"sub": bad, "businessId": 1, "exp": now + 60});
            assert_eq!(
                v.verify(&sign(&c, KEY, Algorithm::HS256)),
                Err(Refusal::BadClaims)
            );
        }
        for too_big in [
            json!(9_007_199_254_740_993u64),
            json!("18446744073709551615"),
        ] {
            let c = json!({"sub": too_big, "businessId": 1, "exp": now + 60});
            assert_eq!(
                v.verify(&sign(&c, KEY, Algorithm::HS256)),
                Err(Refusal::BadClaims)
            );
        }
        let top = json!({"sub": 9_007_199_254_740_992u64, "businessId": 1, "exp": now + 60});
        assert!(v.verify(&sign(&top, KEY, Algorithm::HS256)).is_ok());
        for bad in [
            json!(null),
            json!(4),
            json!("4"),
            json!({"4": true}),
            json!([4, -1]),
            json!([0]),
            json!([4.5]),
            json!([4.0]),
            json!(["x"]),
            json!([""]),
            json!([[4]]),
            json!([null]),
            json!([(1u64 << 53) + 1]),
            Value::Array(vec![json!(1); MAX_GROUPS + 1]),
        ] {
            let c = json!({"sub": 10, "businessId": 1, "exp": now + 60, "groups": bad});
            assert_eq!(
                v.verify(&sign(&c, KEY, Algorithm::HS256)),
                Err(Refusal::BadClaims),
                "{bad}"
            );
        }
        let fine = json!({"sub": 10, "businessId": 1, "exp": now + 60,
            "groups": [4, "3", 1u64 << 53, 4]});
        let (_, groups) = v
            .verify_session(&sign(&fine, KEY, Algorithm::HS256))
            .unwrap();
        assert_eq!(
            groups.0.iter().copied().collect::<Vec<_>>(),
            vec![3, 4, 1 << 53]
        );
        let no_business = json!({"sub": "10", "exp": now + 60});
        assert!(v
            .verify(&sign(&no_business, KEY, Algorithm::HS256))
            .is_err());
        assert!(v.verify("not.a.jwt").is_err());
        // alg "none": a header and claims without a signature.
        let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxMCIsImJ1c2luZXNzSWQiOjEsImV4cCI6OTk5OTk5OTk5OX0.";
        assert_eq!(v.verify(none), Err(Refusal::Invalid));
    }
}
