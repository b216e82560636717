//! Member sessions: the HS256 JWT the host's own login signs, which the panel sends as its
//! bearer token.
//!
//! Claims: `sub` = the member's Nexudus UserId, `businessId` = their location, `exp`
//! (required and checked), optional `nbf` (checked when present). Ids may be JSON numbers or
//! strings of digits (JWT's `sub` is a string by the RFC). Only HS256 is accepted, so a token
//! signed with `none` or another algorithm is refused. The proxy trusts nothing else in the
//! request to say who the member is.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::secret::Secret;

/// The least key length accepted for `MEMBER_JWT_SECRET` (HS256's 256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// The verified identity of the member making a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// Their Nexudus UserId (`sub`).
    pub user_id: u64,
    /// Their business (`businessId`).
    pub business_id: u64,
}

#[derive(Deserialize)]
struct RawClaims {
    sub: Value,
    #[serde(rename = "businessId")]
    business_id: Value,
}

#[derive(Serialize)]
struct MintedClaims {
    sub: String,
    #[serde(rename = "businessId")]
    business_id: u64,
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
    /// `sub` or `businessId` is missing or not a positive integer.
    BadClaims,
}

/// Checks member sessions against one key.
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

impl Verifier {
    /// A verifier for `secret`, tolerating `leeway` of clock skew.
    pub fn new(secret: &Secret, leeway: Duration) -> Result<Verifier, String> {
        let mut validation = Validation::new(Algorithm::HS256);
        // `sub` is read and checked below (a number is accepted too).
        validation.set_required_spec_claims(&["exp"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = leeway.as_secs();
        let key = DecodingKey::from_secret(secret.expose().as_bytes())
            .map_err(|e| format!("unusable MEMBER_JWT_SECRET: {:?}", e.kind()))?;
        Ok(Verifier { key, validation })
    }

    /// The member a session names, if it is genuine and current.
    pub fn verify(&self, token: &str) -> Result<Member, Refusal> {
        use jsonwebtoken::errors::ErrorKind;
        let data =
            jsonwebtoken::decode::<RawClaims>(token, &self.key, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => Refusal::Expired,
                    ErrorKind::ImmatureSignature => Refusal::NotYetValid,
                    ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) => {
                        Refusal::BadClaims
                    }
                    _ => Refusal::Invalid,
                }
            })?;
        let user_id = positive_id(&data.claims.sub).ok_or(Refusal::BadClaims)?;
        let business_id = positive_id(&data.claims.business_id).ok_or(Refusal::BadClaims)?;
        Ok(Member {
            user_id,
            business_id,
        })
    }
}

/// A positive integer given as a JSON number or a string of digits.
fn positive_id(value: &Value) -> Option<u64> {
    let n = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()?
        }
        _ => return None,
    };
    (n > 0).then_some(n)
}

/// Signs a member session, as a host's login would (the `mint-session` command, tests, demo).
pub fn mint(secret: &Secret, member: Member, ttl: Duration) -> Result<Secret, String> {
    let now = unix_now();
    let claims = MintedClaims {
        sub: member.user_id.to_string(),
        business_id: member.business_id,
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
