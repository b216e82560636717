//! `/api/community/communitythreads`: create, list, read and delete conversations.
//!
//! Create (role `CommunityThread-Create`): `BusinessId`, `UserId`, `Subject` and `Message` are
//! required (blank strings count as missing); `CommunityGroupId`, `CoworkerId`, `Tags`,
//! `Private`, `InstantDelivery` and `Guests` are optional. An id naming no record gives an
//! error whose `PropertyName` is the entity (`Business`, `User`, `CommunityGroup`), as Nexudus
//! says `Country` for `CountryId`. `Subject` may have at most 254 characters, counted as .NET
//! counts them (UTF-16 code units): the limit of the board's own form in the Members Portal
//! [seen]; the API documents none. Every problem found is reported at once.
//!
//! `Tags` (a comma-separated string) may have at most 50 characters, counted the same way: the
//! limit of the same form [seen, nexudus-api.md "Limits of the board's own form"]. As with
//! `Subject`, a `[seen]` limit is enforced by default, so the panel meets the strictest API it
//! may face; `--accept-long-tags` ([`crate::Config::accept_long_tags`]) relaxes it, for a
//! deployment that finds the live API takes longer ones. Over the limit the answer is the 400
//! envelope with an error on `Tags` whose `AttemptedValue` is what was sent. `Private` must be
//! a JSON boolean (like every boolean field, see the `body` module): anything else is an error
//! on `Private`. Both are stored as sent and come back in `GET .../communitythreads/{id}` and
//! in the list. (There is no `PUT`: the sandbox implements no update, see the `updates` module.)
//!
//! List filters: `CommunityThread_User`, `CommunityThread_Subject` (exact, case-insensitive),
//! `CommunityThread_CommunityGroup`, `CommunityThread_Business` (each also with an `Id`
//! suffix). Order fields: `Id`, `CreatedOn`, `UpdatedOn`, `Subject`, `UserId`, `BusinessId`,
//! `CommunityGroupId`.
//!
//! Delete (role `CommunityThread-Delete`) also deletes the thread's files.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::body::read_json_object;
use crate::envelope::{self, now_rfc3339, FieldError};
use crate::list::{self, ListQuery};
use crate::store::{self, Thread};
use crate::{lock, AppState};

const ENTITY: &str = "CommunityThread";
/// Longest subject, in UTF-16 code units.
pub const MAX_SUBJECT: usize = 254;
/// Longest `Tags`, in UTF-16 code units.
pub const MAX_TAGS: usize = 50;

/// `POST /api/community/communitythreads`.
pub async fn create(
    State(st): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> Response {
    if let Err(denied) = caller.require("CommunityThread-Create") {
        return denied;
    }
    let mut f = match read_json_object(req, st.config.effective_body_limit()).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let business_id = f.int("BusinessId", true);
    let user_id = f.int("UserId", true);
    let subject = f.string("Subject", true);
    let message = f.string("Message", true);
    let group_id = f.int("CommunityGroupId", false);
    let coworker_id = f.int("CoworkerId", false);
    let tags = f.string("Tags", false);
    let private = f.boolean("Private");
    let instant_delivery = f.boolean("InstantDelivery");
    let guests = f.int_array("Guests");
    let mut errors = f.errors;

    if let Some(s) = &subject {
        if s.encode_utf16().count() > MAX_SUBJECT {
            errors.push(FieldError::new(
                "Subject",
                crate::body::echo(&json!(s)),
                format!("cannot be longer than {MAX_SUBJECT} characters"),
            ));
        }
    }
    if let Some(t) = tags.as_ref().filter(|_| !st.config.accept_long_tags) {
        if t.encode_utf16().count() > MAX_TAGS {
            errors.push(FieldError::new(
                "Tags",
                crate::body::echo(&json!(t)),
                format!("cannot be longer than {MAX_TAGS} characters"),
            ));
        }
    }
    if let Some(id) = business_id.filter(|id| *id != store::BUSINESS_ID) {
        errors.push(FieldError::new("Business", json!(id), "was not found"));
    }
    if let Some(id) = user_id.filter(|id| store::user(*id).is_none()) {
        errors.push(FieldError::new("User", json!(id), "was not found"));
    }
    if let Some(id) = group_id.filter(|id| !store::groups().iter().any(|g| g.id == *id)) {
        errors.push(FieldError::new(
            "CommunityGroup",
            json!(id),
            "was not found",
        ));
    }
    let (Some(business_id), Some(user_id), Some(subject), Some(message), true) =
        (business_id, user_id, subject, message, errors.is_empty())
    else {
        return envelope::validation(&errors);
    };

    let now = now_rfc3339();
    let id = {
        let mut s = lock(&st.store);
        let id = s.take_thread_id();
        let thread = Thread {
            id,
            business_id,
            user_id,
            coworker_id,
            subject,
            message,
            community_group_id: group_id,
            tags,
            private: private.unwrap_or(false),
            instant_delivery: instant_delivery.unwrap_or(false),
            guests: guests.unwrap_or_default(),
            created_on: now.clone(),
            updated_on: now,
        };
        s.created_threads.push(thread.clone());
        s.threads.insert(id, thread);
        id
    };
    st.persist().await;
    envelope::created(ENTITY, id, &caller.email)
}

/// `GET /api/community/communitythreads`.
pub async fn list(State(st): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let q = ListQuery::parse(raw.as_deref());
    let mut errors = Vec::new();
    let mut int_filter = |canonical: &str, names: &[&str]| -> Option<i64> {
        let v = q.filter(names)?;
        match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new(
                    canonical,
                    json!(v),
                    "is not a valid integer",
                ));
                None
            }
        }
    };
    let user = int_filter(
        "CommunityThread_User",
        &["communitythread_user", "communitythread_userid"],
    );
    let group = int_filter(
        "CommunityThread_CommunityGroup",
        &[
            "communitythread_communitygroup",
            "communitythread_communitygroupid",
        ],
    );
    let business = int_filter(
        "CommunityThread_Business",
        &["communitythread_business", "communitythread_businessid"],
    );
    if !errors.is_empty() {
        return envelope::validation(&errors);
    }
    let subject = q
        .filter(&["communitythread_subject"])
        .map(str::to_lowercase);

    let items: Vec<Thread> = lock(&st.store)
        .threads
        .values()
        .filter(|t| user.is_none_or(|u| t.user_id == u))
        .filter(|t| group.is_none_or(|g| t.community_group_id == Some(g)))
        .filter(|t| business.is_none_or(|b| t.business_id == b))
        .filter(|t| {
            subject
                .as_ref()
                .is_none_or(|s| t.subject.to_lowercase() == *s)
        })
        .cloned()
        .collect();

    let (field, key): (&str, fn(&Thread, &Thread) -> Ordering) = match q
        .order_by
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("createdon") => ("CreatedOn", |a, b| a.created_on.cmp(&b.created_on)),
        Some("updatedon") => ("UpdatedOn", |a, b| a.updated_on.cmp(&b.updated_on)),
        Some("subject") => ("Subject", |a, b| {
            a.subject.to_lowercase().cmp(&b.subject.to_lowercase())
        }),
        Some("user" | "userid") => ("UserId", |a, b| a.user_id.cmp(&b.user_id)),
        Some("business" | "businessid") => ("BusinessId", |a, b| a.business_id.cmp(&b.business_id)),
        Some("communitygroup" | "communitygroupid") => ("CommunityGroupId", |a, b| {
            a.community_group_id.cmp(&b.community_group_id)
        }),
        _ => ("Id", |_, _| Ordering::Equal),
    };
    let env = list::page(items, &q, field, |a, b| key(a, b).then(a.id.cmp(&b.id)));
    envelope::json(StatusCode::OK, &env)
}

/// Parses a path id; anything else (not a number, not UTF-8) is a 404.
pub fn parse_id(raw: Result<Path<String>, PathRejection>) -> Option<i64> {
    raw.ok()?.0.trim().parse::<i64>().ok()
}

/// `GET /api/community/communitythreads/{id}`.
pub async fn get_one(
    State(st): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let thread = parse_id(id).and_then(|id| lock(&st.store).threads.get(&id).cloned());
    match thread {
        Some(t) => envelope::json(StatusCode::OK, &t),
        None => envelope::not_found(),
    }
}

/// `DELETE /api/community/communitythreads/{id}`: also deletes the thread's files.
pub async fn delete(
    State(st): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    if let Err(denied) = caller.require("CommunityThread-Delete") {
        return denied;
    }
    let removed = parse_id(id).filter(|id| {
        let mut s = lock(&st.store);
        let found = s.threads.remove(id).is_some();
        if found {
            s.files.retain(|_, f| f.record.community_thread_id != *id);
        }
        found
    });
    match removed {
        Some(id) => {
            st.persist().await;
            envelope::deleted(ENTITY, id, &caller.email)
        }
        None => envelope::not_found(),
    }
}

/// A JSON value for a thread (used by the inspection endpoint).
pub fn created_entry(t: &Thread, deleted: bool) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("Deleted".into(), Value::Bool(deleted));
    }
    v
}
