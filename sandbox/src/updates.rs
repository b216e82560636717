//! `PUT` under `/api/community/`: the sandbox implements no update, but the role check comes
//! first, as for every write.
//!
//! The live API answers a caller without the entity's role with 401 before anything else
//! [doc, nexudus-api.md "Authentication" and "Who may call these endpoints"], so a member's
//! portal token gets the missing-role 401 (naming `<Entity>-Update`) for a `PUT` as for a
//! `POST` or `DELETE`. A caller holding the role (an administrator) gets the 405 every other
//! unsupported method gets.

use axum::http::{header, HeaderValue, Method};
use axum::response::Response;

use crate::auth::Caller;

/// Answers a `PUT` on a route of `entity` whose supported methods are `allow`.
pub fn refuse(caller: &Caller, entity: &str, allow: &'static str) -> Response {
    if let Err(denied) = caller.require(&format!("{entity}-Update")) {
        return denied;
    }
    let mut res = crate::envelope::method_not_allowed_response(&Method::PUT);
    res.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    res
}
