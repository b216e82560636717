//! The accept loop: HTTP/1.1 connections with bounds, so that slow or idle clients cannot
//! hold the server's descriptors and stop all service.
//!
//! - At most `--max-connections` connections are open at once; past it the loop stops
//!   accepting (new connections wait in the kernel's backlog) until one closes.
//! - A request head must arrive whole within `--header-read-timeout-seconds` of the
//!   connection's opening or, on a kept-alive connection, of the previous answer: this is
//!   also the keep-alive idle timeout (hyper starts the timer when it waits for a head).
//! - A connection on which no byte moves either way for `--idle-timeout-seconds` is closed
//!   (a client that stops reading an answer, say); never less than the upstream timeout plus
//!   a margin, so a request waiting for Nexudus is not cut.
//! - Request bodies have their own deadline ([`crate::body_deadline`]).
//! - An accept error (EMFILE when the descriptors run out, ENFILE, ENOBUFS) is logged once per
//!   streak and retried after a short pause: never a spin, never a crash.
//!
//! On shutdown the loop stops accepting, idle connections close at once, and requests in
//! progress get up to [`ConnectionLimits::shutdown_grace`] (`--shutdown-grace-seconds`, 30) to
//! finish.

use std::future::Future as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};

/// The pause after an accept error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The connection bounds.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Connections open at once.
    pub max_connections: usize,
    /// A request head must arrive within it (also the keep-alive idle timeout).
    pub header_read_timeout: Duration,
    /// No byte either way for this long closes the connection.
    pub idle_timeout: Duration,
    /// The longest shutdown waits for requests in progress.
    pub shutdown_grace: Duration,
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes.
pub async fn serve<F>(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: F,
) -> std::io::Result<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    let mut failing = false;
    loop {
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match stream {
            Ok((stream, _)) => {
                failing = false;
                stream
            }
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => {
                if !failing {
                    tracing::error!(error = %e, "cannot accept connections; retrying");
                    failing = true;
                }
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(IdleIo::new(stream, limits.idle_timeout));
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in progress at shutdown were cut");
    }
    Ok(())
}

/// Errors about one connection only (the next accept may well succeed at once).
fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}

/// A stream that fails with `TimedOut` once no byte has moved either way for `idle`.
pub struct IdleIo<T> {
    inner: T,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
}

impl<T> IdleIo<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, idle: Duration) -> IdleIo<T> {
        IdleIo {
            inner,
            idle,
            timer: Box::pin(tokio::time::sleep(idle)),
        }
    }

    fn moved(&mut self) {
        self.timer.as_mut().reset(Instant::now() + self.idle);
    }

    /// While the inner stream is pending: an error once the idle time has run out.
    fn expired<R>(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<R>> {
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "connection idle",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for IdleIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.moved();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.expired(cx),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for IdleIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(result) => {
                if result.as_ref().is_ok_and(|n| *n > 0) {
                    this.moved();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.expired(cx),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Pending => this.expired(cx),
            ready => ready,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    #[tokio::test(start_paused = true)]
    async fn a_stream_with_no_traffic_times_out() {
        let (ours, mut theirs) = tokio::io::duplex(16);
        let mut io = IdleIo::new(ours, Duration::from_secs(5));
        theirs.write_all(b"x").await.unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(io.read(&mut buf).await.unwrap(), 1);
        let started = Instant::now();
        let err = io.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_secs(5));
        // A peer that stops reading: writes time out too.
        let (ours, _theirs) = tokio::io::duplex(16);
        let mut io = IdleIo::new(ours, Duration::from_secs(5));
        let err = io.write_all(&[0u8; 64]).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    }
}
