//! Who an upstream call is made for, and by when it must be answered.
//!
//! The member gate sets it around each member request ([`scope`]), so every upstream call the
//! request's handler makes, the operator's own checks included, queues as that member's
//! ([`crate::schedule`]) and shares one deadline counted from the request's arrival
//! (`--upstream-timeout-seconds`, time spent queued included). A call made outside any
//! request (none today) queues under the operator and gets a full timeout of its own.

use tokio::time::Instant;

/// The member and the deadline of the request being served.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    /// The member's UserId.
    pub member: u64,
    /// When the request's upstream calls must have been answered.
    pub deadline: Instant,
}

tokio::task_local! {
    static CALLER: Caller;
}

/// Runs `f` on behalf of `caller`.
pub async fn scope<F: std::future::Future>(caller: Caller, f: F) -> F::Output {
    CALLER.scope(caller, f).await
}

/// The caller of the request being served, if any.
pub fn current() -> Option<Caller> {
    CALLER.try_with(|c| *c).ok()
}
