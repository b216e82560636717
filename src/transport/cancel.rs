//! Cancelling one submission's requests and waits, and bounding the host's callbacks so
//! none can hold the panel.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use gloo_timers::future::TimeoutFuture;
use web_sys::AbortController;

use crate::api::TransportError;

/// Cancels the requests and waits of one submission, from the UI or the host.
#[derive(Clone, Default)]
pub struct Cancellation {
    inner: Rc<CancelInner>,
}

#[derive(Default)]
struct CancelInner {
    cancelled: Cell<bool>,
    current: RefCell<Vec<AbortController>>,
}

/// A controller [`Cancellation::watch`] aborts on cancel, until this drops.
pub(crate) struct Watched {
    inner: Rc<CancelInner>,
    controller: AbortController,
}

impl Drop for Watched {
    fn drop(&mut self) {
        let controller = &self.controller;
        self.inner
            .current
            .borrow_mut()
            .retain(|held| held != controller);
    }
}

impl Cancellation {
    /// Cancels: aborts the request in flight and stops any retry or wait.
    pub fn cancel(&self) {
        self.inner.cancelled.set(true);
        for controller in self.inner.current.borrow_mut().drain(..) {
            controller.abort();
        }
    }

    /// Aborts `controller` too when cancelled (for work the transport does not run
    /// itself, such as the host's uploader). Several may be watched at once (uploads
    /// run two at a time).
    /// Watching ends when the returned guard drops, on every path out of the work.
    pub(crate) fn watch(&self, controller: &AbortController) -> Watched {
        self.inner.current.borrow_mut().push(controller.clone());
        Watched {
            inner: Rc::clone(&self.inner),
            controller: controller.clone(),
        }
    }

    /// Whether [`Cancellation::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.get()
    }

    pub(super) fn check(&self) -> Result<(), TransportError> {
        if self.is_cancelled() {
            Err(TransportError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Runs `work` until it ends, the member cancels, or `limit` passes with no sign of
    /// life (`activity` holds when there last was one, in ms since the epoch): a host
    /// callback that never settles cannot hold the panel.
    pub(crate) async fn bounded<T>(
        &self,
        work: impl Future<Output = T>,
        limit: Duration,
        activity: &Cell<f64>,
    ) -> Result<T, TransportError> {
        let mut work = pin!(work);
        let mut expiry = pin!(self.expiry(limit, activity));
        std::future::poll_fn(|cx| match work.as_mut().poll(cx) {
            Poll::Ready(value) => Poll::Ready(Ok(value)),
            Poll::Pending => expiry.as_mut().poll(cx).map(Err),
        })
        .await
    }

    /// Ends when cancelled, or once `limit` has passed since `activity`.
    async fn expiry(&self, limit: Duration, activity: &Cell<f64>) -> TransportError {
        loop {
            if self.is_cancelled() {
                return TransportError::Cancelled;
            }
            if js_sys::Date::now() - activity.get() >= limit.as_secs_f64() * 1000.0 {
                return TransportError::Timeout;
            }
            TimeoutFuture::new(50).await;
        }
    }

    /// Sleeps for `duration`, returning early when cancelled.
    pub(super) async fn sleep(&self, duration: Duration) -> Result<(), TransportError> {
        match self.expiry(duration, &Cell::new(js_sys::Date::now())).await {
            TransportError::Timeout => Ok(()),
            error => Err(error),
        }
    }
}
