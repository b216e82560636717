//! The accept loop (HTTP/1.1), graceful shutdown, and the request log.
//!
//! A hand-written loop instead of `axum::serve`: each connection gets a [`ConnControl`] in its
//! requests' extensions, through which a `drop` fault closes the socket without answering.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::Notify;
use tower::ServiceExt;

use crate::AppState;

/// Longest wait for open connections after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Lets a request close its own connection.
#[derive(Clone, Default)]
pub struct ConnControl {
    killed: Arc<Notify>,
}

impl ConnControl {
    /// Closes the connection without answering (the pending request is dropped).
    pub fn kill(&self) {
        self.killed.notify_one();
    }
}

/// Serves `app` on `listener` until `shutdown` completes.
///
/// With `keep_alive` off every answer carries `Connection: close`. The sandbox turns it off
/// when faults are enabled: Chrome silently resends a request once when a *reused* keep-alive
/// connection closes without an answer, which would hide a `drop` fault from the page.
pub async fn run<F>(
    listener: tokio::net::TcpListener,
    app: Router,
    keep_alive: bool,
    shutdown: F,
) -> std::io::Result<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little and go on.
                    eprintln!("sandbox: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let control = ConnControl::default();
        let service = {
            let control = control.clone();
            let app = app.clone();
            hyper::service::service_fn(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(control.clone());
                app.clone().oneshot(req.map(axum::body::Body::new))
            })
        };
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .keep_alive(keep_alive)
            .header_read_timeout(Duration::from_secs(30))
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            tokio::select! {
                _ = conn => {}
                () = control.killed.notified() => {}
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            eprintln!("sandbox: connections still open after {SHUTDOWN_GRACE:?}; closing");
        }
    }
    Ok(())
}

/// Logs `METHOD /path STATUS ms` to stderr (no query string, no header: never a token).
pub async fn log_request(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if !st.config.log_requests {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    eprintln!(
        "sandbox: {method} {path} {} {}ms",
        res.status().as_u16(),
        start.elapsed().as_millis()
    );
    res
}
