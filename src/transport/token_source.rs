//! Where the bearer token comes from: a value the host gave, or its async callback.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::token::{BearerToken, TokenError};

/// A future the host's token callback returns.
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<BearerToken, TokenError>>>>;

/// Where the bearer token comes from.
#[derive(Clone)]
pub enum TokenSource {
    /// A token the host gave once (it may give a new one later through new props).
    Fixed(BearerToken),
    /// An async callback; called with `refresh: true` after a 401 to get a fresh token.
    Provider(Rc<dyn Fn(bool) -> TokenFuture>),
}

impl Default for TokenSource {
    fn default() -> Self {
        TokenSource::Fixed(BearerToken::default())
    }
}

impl PartialEq for TokenSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TokenSource::Fixed(a), TokenSource::Fixed(b)) => a == b,
            (TokenSource::Provider(a), TokenSource::Provider(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::Fixed(token) => write!(f, "Fixed({token:?})"),
            TokenSource::Provider(_) => f.write_str("Provider(..)"),
        }
    }
}

impl From<BearerToken> for TokenSource {
    fn from(token: BearerToken) -> Self {
        TokenSource::Fixed(token)
    }
}

impl yew::html::IntoPropValue<TokenSource> for BearerToken {
    fn into_prop_value(self) -> TokenSource {
        TokenSource::Fixed(self)
    }
}
