//! API users and the tokens `/api/token` issues for them.
//!
//! An API user signs in with a user name and password and gets an access token (random,
//! unguessable; valid for `--access-token-lifetime`, default an hour) and a refresh token
//! (15 days, one use: refreshing rotates it) [doc, nexudus-api.md "Authentication"]. An access
//! token carries its user's roles, exactly like a `--token` of the same roles, until it
//! expires; then it gets the expired-token 401. A refresh token given with a `client_id` only
//! refreshes with that same `client_id`.
//!
//! Seeded: `api@sandbox.test` / `sandbox-api-password`, a full administrator. Issued tokens are
//! kept in memory only; `/_sandbox/reset` keeps them (it restores records, not sessions).
//!
//! Tokens are 256 bits of SipHash output under the process's random keys (std's
//! `RandomState`), over a counter and the time: unguessable without those keys.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime};

use crate::auth::{parse_roles, TokenSpec};

/// The seeded API user's name.
pub const SEEDED_USERNAME: &str = "api@sandbox.test";
/// The seeded API user's password.
pub const SEEDED_PASSWORD: &str = "sandbox-api-password";
/// How long a refresh token lasts.
pub const REFRESH_LIFETIME: Duration = Duration::from_secs(15 * 24 * 3600);
/// How long an expired access token is still recognised as expired (rather than unknown).
const KEEP_EXPIRED: Duration = Duration::from_secs(24 * 3600);

/// A user who may sign in at `/api/token`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiUser {
    /// The user name (matched case-insensitively), also `UpdatedBy` of what the user writes.
    pub username: String,
    /// The password (never printed: see the `Debug` implementation).
    pub password: String,
    /// Administrator or roles.
    pub spec: TokenSpec,
}

impl std::fmt::Debug for ApiUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiUser")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("spec", &self.spec)
            .finish()
    }
}

/// Parses `--api-user USERNAME:PASSWORD=ROLES`: the user name ends at the first `:`, the
/// password at the last `=`; ROLES as for `--token` (`admin`, or a comma list of role names).
/// An error never contains the password.
pub fn parse_api_user_arg(arg: &str) -> Result<ApiUser, String> {
    let shape = "expected USERNAME:PASSWORD=ROLES";
    let (username, rest) = arg.split_once(':').ok_or_else(|| shape.to_string())?;
    let (password, roles) = rest.rsplit_once('=').ok_or_else(|| shape.to_string())?;
    let username = username.trim();
    if username.is_empty()
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("the user name must be non-empty and contain no spaces".into());
    }
    if password.is_empty() {
        return Err(format!("the password of {username} is empty"));
    }
    let spec = parse_roles(roles);
    if spec == TokenSpec::Expired {
        return Err(format!(
            "the roles of {username} may be admin or role names, not expired"
        ));
    }
    Ok(ApiUser {
        username: username.to_string(),
        password: password.to_string(),
        spec,
    })
}

/// An issued access token.
struct Access {
    spec: TokenSpec,
    email: String,
    expires: Instant,
}

/// An issued refresh token.
struct Refresh {
    username: String,
    client_id: Option<String>,
    expires: Instant,
}

/// What an access token is, seen at some instant.
pub enum Issued {
    /// Valid: its user's roles and name.
    Valid(TokenSpec, String),
    /// Issued here, but expired.
    Expired,
}

/// A new token pair.
pub struct Pair {
    /// The access token.
    pub access_token: String,
    /// Its lifetime.
    pub expires_in: Duration,
    /// The refresh token.
    pub refresh_token: String,
}

/// Why a grant was refused (each is an `invalid_grant`).
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Unknown user name or wrong password.
    BadCredentials,
    /// Unknown, expired or already used refresh token.
    BadRefreshToken,
    /// A `client_id` other than the one given at sign-in.
    ClientMismatch,
}

/// API users and issued tokens.
pub struct Sessions {
    users: Vec<ApiUser>,
    lifetime: Duration,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    counter: u64,
}

impl Sessions {
    /// The seeded user plus `extra` (one with the seeded user's name replaces it).
    pub fn new(extra: &[ApiUser], lifetime: Duration) -> Sessions {
        let mut users = vec![ApiUser {
            username: SEEDED_USERNAME.into(),
            password: SEEDED_PASSWORD.into(),
            spec: TokenSpec::Admin,
        }];
        for u in extra {
            users.retain(|known| !known.username.eq_ignore_ascii_case(&u.username));
            users.push(u.clone());
        }
        Sessions {
            users,
            lifetime: lifetime.max(Duration::from_secs(1)),
            access: HashMap::new(),
            refresh: HashMap::new(),
            counter: 0,
        }
    }

    fn user(&self, username: &str) -> Option<&ApiUser> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    /// `grant_type=password`.
    pub fn sign_in(
        &mut self,
        username: &str,
        password: &str,
        client_id: Option<String>,
        now: Instant,
    ) -> Result<Pair, Refused> {
        let user = self
            .user(username)
            .filter(|u| u.password == password)
            .cloned()
            .ok_or(Refused::BadCredentials)?;
        Ok(self.issue(&user, client_id, now))
    }

    /// `grant_type=refresh_token`: the old refresh token is used up.
    pub fn refresh(
        &mut self,
        refresh_token: &str,
        client_id: Option<String>,
        now: Instant,
    ) -> Result<Pair, Refused> {
        let entry = self
            .refresh
            .get(refresh_token)
            .filter(|r| r.expires > now)
            .ok_or(Refused::BadRefreshToken)?;
        if entry.client_id.is_some() && entry.client_id != client_id {
            return Err(Refused::ClientMismatch);
        }
        let Some(old) = self.refresh.remove(refresh_token) else {
            return Err(Refused::BadRefreshToken);
        };
        let user = self
            .user(&old.username)
            .cloned()
            .ok_or(Refused::BadRefreshToken)?;
        Ok(self.issue(&user, old.client_id, now))
    }

    /// What `token` is, if this issued it.
    pub fn access(&self, token: &str, now: Instant) -> Option<Issued> {
        let a = self.access.get(token)?;
        Some(if a.expires > now {
            Issued::Valid(a.spec.clone(), a.email.clone())
        } else {
            Issued::Expired
        })
    }

    fn issue(&mut self, user: &ApiUser, client_id: Option<String>, now: Instant) -> Pair {
        self.access.retain(|_, a| a.expires + KEEP_EXPIRED > now);
        self.refresh.retain(|_, r| r.expires > now);
        let access_token = self.random_token("sbx-at-");
        let refresh_token = self.random_token("sbx-rt-");
        self.access.insert(
            access_token.clone(),
            Access {
                spec: user.spec.clone(),
                email: user.username.clone(),
                expires: now + self.lifetime,
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            Refresh {
                username: user.username.clone(),
                client_id,
                expires: now + REFRESH_LIFETIME,
            },
        );
        Pair {
            access_token,
            expires_in: self.lifetime,
            refresh_token,
        }
    }

    fn random_token(&mut self, prefix: &str) -> String {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let mut out = prefix.to_string();
        for _ in 0..4 {
            self.counter += 1;
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(self.counter);
            h.write_u128(nanos);
            out.push_str(&format!("{:016x}", h.finish()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_api_user_args_without_echoing_the_password() {
        let u = parse_api_user_arg("bot@x.test:pa:ss=word=CommunityThread-Create, B-List").unwrap();
        assert_eq!(u.username, "bot@x.test");
        assert_eq!(u.password, "pa:ss=word");
        assert_eq!(
            u.spec,
            TokenSpec::Roles(vec!["CommunityThread-Create".into(), "B-List".into()])
        );
        assert_eq!(
            parse_api_user_arg("a:b=admin").unwrap().spec,
            TokenSpec::Admin
        );
        for bad in [
            "no-colon-secret",
            "a:secret-no-roles",
            ":secret=admin",
            "a:=admin",
            "a:secret=expired",
        ] {
            let err = parse_api_user_arg(bad).unwrap_err();
            assert!(!err.contains("secret"), "{err}");
        }
        assert!(!format!("{u:?}").contains("pa:ss=word"));
    }

    #[test]
    fn sign_in_refresh_rotation_and_expiry() {
        let t0 = Instant::now();
        let mut s = Sessions::new(&[], Duration::from_secs(60));
        assert_eq!(
            s.sign_in(SEEDED_USERNAME, "wrong", None, t0).err(),
            Some(Refused::BadCredentials)
        );
        let p = s
            .sign_in("API@sandbox.test", SEEDED_PASSWORD, Some("c1".into()), t0)
            .unwrap();
        assert_ne!(p.access_token, p.refresh_token);
        assert!(p.access_token.len() > 64);
        assert!(matches!(
            s.access(&p.access_token, t0),
            Some(Issued::Valid(TokenSpec::Admin, _))
        ));
        let later = t0 + Duration::from_secs(61);
        assert!(matches!(
            s.access(&p.access_token, later),
            Some(Issued::Expired)
        ));
        assert_eq!(
            s.refresh(&p.refresh_token, None, later).err(),
            Some(Refused::ClientMismatch)
        );
        let q = s
            .refresh(&p.refresh_token, Some("c1".into()), later)
            .unwrap();
        assert_ne!(q.refresh_token, p.refresh_token);
        assert_eq!(
            s.refresh(&p.refresh_token, Some("c1".into()), later).err(),
            Some(Refused::BadRefreshToken)
        );
        let expired = later + REFRESH_LIFETIME;
        assert_eq!(
            s.refresh(&q.refresh_token, Some("c1".into()), expired)
                .err(),
            Some(Refused::BadRefreshToken)
        );
    }
}
