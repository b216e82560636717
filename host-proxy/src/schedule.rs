//! Fair turns at the upstream: every member's calls share the operator's one credential, and
//! Nexudus counts "1 per 100 ms" per credential, so calls go out one slot at a time,
//! `--upstream-min-spacing-ms` apart. Slots go round-robin across the members that are
//! waiting (one FIFO queue per member), so a member who sends 150 reads at once waits behind
//! their own reads, not in front of everyone else's: another member's call gets one of the
//! next slots whatever the flood.
//!
//! A member's queue holds at most `--member-queue-depth` calls; past it the call is refused
//! at once ([`QueueFull`], a 429 with `Retry-After`). A call whose request was abandoned (its
//! handler future dropped: the client went away, or its deadline passed) leaves its queue at
//! once and takes no slot. The operator's own calls made for a member (ownership checks, the
//! files count) are queued as that member's; calls made for nobody (the sign-in) are queued
//! under [`OPERATOR`].
//!
//! The queues live in this process; the slots come from a [`Pacer`]: [`LocalPacer`] spaces
//! this instance's calls, and with `--redis-url` every instance claims its slots from one
//! shared clock in Redis ([`crate::shared::pacer`]), so all of them together keep to the one
//! allowance of the account. [`Turns`] is the seam for the whole scheduler.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;

/// Hands out the moments at which the next upstream call may go.
pub trait Pacer: Send + Sync {
    /// Waits until the next slot of the credential's allowance is this caller's.
    fn next_slot(&self) -> BoxFuture<'_, ()>;
}

/// Slots `spacing` apart for this process alone.
pub struct LocalPacer {
    spacing: Duration,
    next: Mutex<Option<Instant>>,
}

impl LocalPacer {
    /// Slots `spacing` apart.
    pub fn new(spacing: Duration) -> LocalPacer {
        LocalPacer {
            spacing,
            next: Mutex::new(None),
        }
    }
}

impl Pacer for LocalPacer {
    fn next_slot(&self) -> BoxFuture<'_, ()> {
        let now = Instant::now();
        let slot = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let slot = next.map_or(now, |at| at.max(now));
            *next = Some(slot + self.spacing);
            slot
        };
        Box::pin(tokio::time::sleep_until(slot))
    }
}

/// The queue of calls made for no member (the operator's sign-in).
pub const OPERATOR: u64 = 0;

/// A member's queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull {
    /// Whole seconds after which a retry may find room.
    pub retry_after_secs: u64,
}

/// Where an upstream call waits for its slot.
pub trait Turns: Send + Sync {
    /// Waits for a slot for a call made for `member`; dropping the future leaves the queue.
    fn turn(&self, member: u64) -> futures_util::future::BoxFuture<'_, Result<(), QueueFull>>;
    /// How many calls wait for a slot in this process.
    fn queued(&self) -> usize {
        0
    }
}

type Waiter = (u64, oneshot::Sender<()>);

#[derive(Default)]
struct Queues {
    by_member: HashMap<u64, VecDeque<Waiter>>,
    /// Members with waiting calls, in the order they get their next slot.
    ring: VecDeque<u64>,
    next_id: u64,
}

struct Shared {
    spacing: Duration,
    depth: usize,
    queues: Mutex<Queues>,
    wake: Notify,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queues> {
        self.queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Round-robin slots across members, in this process.
pub struct Scheduler {
    shared: Arc<Shared>,
    dispatcher: Option<tokio::task::JoinHandle<()>>,
}

impl Scheduler {
    /// Slots `spacing` apart (zero: no waiting at all), at most `depth` calls queued per
    /// member (0 is taken as 1). Must be called within a Tokio runtime when `spacing` is not
    /// zero (it starts the task that hands out the slots).
    pub fn new(spacing: Duration, depth: usize) -> Scheduler {
        Scheduler::with_pacer(spacing, depth, Arc::new(LocalPacer::new(spacing)))
    }

    /// As [`Scheduler::new`], with the slots from `pacer` (zero `spacing`: no pacing at all).
    pub fn with_pacer(spacing: Duration, depth: usize, pacer: Arc<dyn Pacer>) -> Scheduler {
        let shared = Arc::new(Shared {
            spacing,
            depth: depth.max(1),
            queues: Mutex::new(Queues::default()),
            wake: Notify::new(),
        });
        let dispatcher =
            (!spacing.is_zero()).then(|| tokio::spawn(dispatch(shared.clone(), pacer)));
        Scheduler { shared, dispatcher }
    }

    /// How many calls wait, all members together (for tests).
    pub fn queued(&self) -> usize {
        self.shared
            .lock()
            .by_member
            .values()
            .map(VecDeque::len)
            .sum()
    }

    async fn wait(&self, member: u64) -> Result<(), QueueFull> {
        if self.dispatcher.is_none() {
            return Ok(());
        }
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut queues = self.shared.lock();
            let members = queues.ring.len().max(1) as u64;
            let queue = queues.by_member.entry(member).or_default();
            if queue.len() >= self.shared.depth {
                let ahead = queue.len() as u64 * members;
                let wait = self.shared.spacing.saturating_mul(ahead as u32);
                return Err(QueueFull {
                    retry_after_secs: wait.as_millis().div_ceil(1000).max(1) as u64,
                });
            }
            let id = queues.next_id;
            queues.next_id += 1;
            let queue = queues.by_member.entry(member).or_default();
            queue.push_back((id, tx));
            if queue.len() == 1 {
                queues.ring.push_back(member);
            }
            id
        };
        let mut place = Place {
            shared: &self.shared,
            member,
            id,
            granted: false,
        };
        self.shared.wake.notify_one();
        // A closed channel means the dispatcher is gone (the proxy is shutting down).
        let _ = rx.await;
        place.granted = true;
        Ok(())
    }
}

impl Turns for Scheduler {
    fn turn(&self, member: u64) -> futures_util::future::BoxFuture<'_, Result<(), QueueFull>> {
        Box::pin(self.wait(member))
    }

    fn queued(&self) -> usize {
        Scheduler::queued(self)
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        if let Some(task) = self.dispatcher.take() {
            task.abort();
        }
    }
}

/// A queued call's place; dropping it before its slot removes it from its queue.
struct Place<'a> {
    shared: &'a Shared,
    member: u64,
    id: u64,
    granted: bool,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if self.granted {
            return;
        }
        let mut queues = self.shared.lock();
        let Some(queue) = queues.by_member.get_mut(&self.member) else {
            return;
        };
        queue.retain(|(id, _)| *id != self.id);
        if queue.is_empty() {
            queues.by_member.remove(&self.member);
            queues.ring.retain(|m| *m != self.member);
        }
    }
}

/// Hands out slots: while calls wait, waits for the pacer's next slot and gives it to the next
/// member in the ring for its oldest call. A call abandoned meanwhile (its receiver gone)
/// takes no slot.
async fn dispatch(shared: Arc<Shared>, pacer: Arc<dyn Pacer>) {
    loop {
        let notified = shared.wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if shared.lock().ring.is_empty() {
            notified.await;
            continue;
        }
        pacer.next_slot().await;
        grant_next(&shared);
    }
}

/// Grants one slot; `false` when nobody waits.
fn grant_next(shared: &Shared) -> bool {
    let mut queues = shared.lock();
    while let Some(member) = queues.ring.pop_front() {
        let Some(queue) = queues.by_member.get_mut(&member) else {
            continue;
        };
        let waiter = queue.pop_front();
        if queue.is_empty() {
            queues.by_member.remove(&member);
        } else {
            queues.ring.push_back(member);
        }
        if let Some((_, tx)) = waiter {
            if tx.send(()).is_ok() {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt as _;

    #[tokio::test(start_paused = true)]
    async fn spaces_slots_and_goes_round_robin() {
        let s = Arc::new(Scheduler::new(Duration::from_millis(100), 100));
        let start = Instant::now();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        // Member 1 queues five calls first, then member 2 one.
        for member in [1, 1, 1, 1, 1, 2] {
            let (s, order) = (s.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                s.turn(member).await.unwrap();
                order
                    .lock()
                    .unwrap()
                    .push((member, start.elapsed().as_millis()));
            }));
            tokio::task::yield_now().await;
        }
        for t in tasks {
            t.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        assert_eq!(order.len(), 6);
        // Member 2 is served second or third, not sixth.
        let pos = order.iter().position(|(m, _)| *m == 2).unwrap();
        assert!(pos <= 2, "{order:?}");
        assert!(order.last().unwrap().1 >= 500, "{order:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn caps_each_queue_and_forgets_abandoned_calls() {
        let s = Scheduler::new(Duration::from_millis(100), 2);
        s.turn(1).await.unwrap();
        let mut a = s.turn(1);
        let mut b = s.turn(1);
        assert!((&mut a).now_or_never().is_none());
        assert!((&mut b).now_or_never().is_none());
        assert_eq!(s.queued(), 2);
        assert!(matches!(s.turn(1).now_or_never(), Some(Err(_))));
        assert!(
            s.turn(2).now_or_never().is_none(),
            "another member has room"
        );
        drop(a);
        assert_eq!(s.queued(), 1, "an abandoned call leaves its queue at once");
        b.await.unwrap();
        assert_eq!(s.queued(), 0);
    }
}
