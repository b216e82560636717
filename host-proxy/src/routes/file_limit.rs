//! At most `--max-files-per-thread` files on one conversation (default 10, the most the
//! panel's `maxFiles` allows).
//!
//! The API keys files by conversation, so it would take any number [nexudus-api.md, "Limits of
//! the board's own form"]; the limit is this host's. The count is asked of Nexudus itself (the
//! conversation's files, `CommunityThreadFile_CommunityThread`), so a restart or a second
//! instance does not forget it; attaches to one conversation take turns in this process
//! ([`ThreadTurns`]), so two sent at once cannot both slip under it. If the upstream ignored
//! the filter, only the records naming the conversation are counted: the check would then let
//! a file too many through rather than refuse a member wrongly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::query::id_field;
use crate::envelope::{self, FieldError};
use crate::AppState;

/// One turn at a time per conversation, across this process.
#[derive(Default)]
pub struct ThreadTurns {
    by_thread: Mutex<HashMap<u64, Arc<tokio::sync::Mutex<()>>>>,
}

/// A conversation's turn; the next attach to it waits until this is dropped.
pub struct Turn<'a> {
    turns: &'a ThreadTurns,
    thread: u64,
    mutex: Arc<tokio::sync::Mutex<()>>,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl ThreadTurns {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<tokio::sync::Mutex<()>>>> {
        self.by_thread
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for conversation `thread`'s turn.
    pub async fn take(&self, thread: u64) -> Turn<'_> {
        let mutex = self.map().entry(thread).or_default().clone();
        let guard = mutex.clone().lock_owned().await;
        Turn {
            turns: self,
            thread,
            mutex,
            guard: Some(guard),
        }
    }

    /// How many conversations have a turn taken or awaited.
    #[cfg(test)]
    fn busy(&self) -> usize {
        self.map().len()
    }
}

impl Drop for Turn<'_> {
    /// Ends the turn, and forgets the conversation when nobody else holds or awaits its turn
    /// (everyone who does holds a clone, taken under the map's lock).
    fn drop(&mut self) {
        self.guard.take();
        let mut map = self.turns.map();
        if Arc::strong_count(&self.mutex) == 2 {
            map.remove(&self.thread);
        }
    }
}

/// `Ok` when `thread` has fewer than `max` files (0: no limit); otherwise the refusal, or the
/// upstream's answer when it could not tell.
pub async fn check(st: &AppState, thread: u64, max: u32) -> Result<(), Response> {
    if max == 0 {
        return Ok(());
    }
    let path = format!(
        "/api/community/communitythreadfiles?CommunityThreadFile_CommunityThread={thread}&size={max}"
    );
    let answer = st
        .upstream
        .send(Method::GET, &path, None)
        .await
        .map_err(IntoResponse::into_response)?;
    if answer.status != StatusCode::OK {
        return Err(answer.into_response());
    }
    let attached = answer
        .json()
        .and_then(|list| list.get("Records").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter(|record| id_field(record, "CommunityThreadId") == Some(thread))
        .count();
    if attached < max as usize {
        return Ok(());
    }
    tracing::info!(thread, attached, "attach past the files limit refused");
    Err(envelope::validation(&[FieldError::new(
        "CommunityThread",
        Value::from(thread),
        too_many(max),
    )]))
}

/// The refusal's message.
pub fn too_many(max: u32) -> String {
    format!("already has {max} files, the most a conversation may have here")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_one_at_a_time_and_forgotten_after() {
        use futures_util::FutureExt as _;
        let turns = ThreadTurns::default();
        let first = turns.take(5).await;
        let other = turns.take(6).await;
        assert_eq!(turns.busy(), 2);
        let second = turns.take(5);
        tokio::pin!(second);
        assert!((&mut second).now_or_never().is_none(), "5 is busy");
        drop(first);
        let second = second.await;
        assert_eq!(turns.busy(), 2, "5 is still taken");
        drop(second);
        drop(other);
        assert_eq!(turns.busy(), 0);
    }
}
