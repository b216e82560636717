//! `DELETE` of a conversation or a thread file: the member's own only. Anything else — a
//! record that does not exist or is somebody else's — is the `"Not found"` 404, so a member
//! cannot tell the two apart. Deletes count against the member's write limit.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use axum::Extension;

use super::ownership::{self, Owner, Record};
use super::threads::{forward, parse_id};
use crate::claims::Member;
use crate::{envelope, AppState};

/// `DELETE /api/community/communitythreads/{id}`.
pub async fn thread(
    st: State<Arc<AppState>>,
    member: Extension<Member>,
    id: Path<String>,
) -> Response {
    own(st, member, id, Record::Thread).await
}

/// `DELETE /api/community/communitythreadfiles/{id}`.
pub async fn file(
    st: State<Arc<AppState>>,
    member: Extension<Member>,
    id: Path<String>,
) -> Response {
    own(st, member, id, Record::File).await
}

async fn own(
    State(st): State<Arc<AppState>>,
    Extension(member): Extension<Member>,
    Path(id): Path<String>,
    record: Record,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return envelope::not_found();
    };
    if let Err(refused) = super::admit_write(&st, member.user_id).await {
        return refused;
    }
    match ownership::owner(&st, member, record, id).await {
        Ok(Owner::Member) => forward(&st, Method::DELETE, &record.path(id), None).await,
        Ok(Owner::NotTheirs) => {
            tracing::warn!(
                member = member.user_id,
                record = record.name(),
                "delete of a record not theirs refused"
            );
            envelope::not_found()
        }
        Err(res) => res,
    }
}
