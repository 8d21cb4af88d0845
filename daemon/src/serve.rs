//! The HTTP serving loop of the log server and the witness, with the limits axum's
//! `serve` does not set, so that slowly trickled requests cannot hold connections (and
//! file descriptors) for ever:
//!
//! - **connection limit**: at most `max_connections` connections are open; further
//!   ones wait in the kernel's accept queue until one closes (they are not accepted and
//!   dropped, so a legitimate client just waits);
//! - **header timeout**: a request's head (request line and headers) must arrive in
//!   full within `header_timeout` of the connection starting to wait for it, which
//!   includes the wait for the next request on a kept-alive connection;
//! - **body timeout**: a request body must arrive in full within `body_timeout` of its
//!   head (a total, not per chunk: a byte every few seconds does not keep it alive);
//! - **idle timeout**: while no request is being handled, a connection on which no byte
//!   moves either way for `idle_timeout` is closed (a client that stops reading its
//!   response).
//!
//! HTTP/1.1 only (both daemons are built with axum's `http1` feature). The listener is
//! any `axum::serve::Listener`: plain TCP, or the TLS listener of `docket-common`,
//! which completes each handshake (within its own timeout) before the connection
//! counts here. Shutdown stops accepting, lets each open
//! connection finish its request in flight, and waits for them.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::{Bytes, Frame, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};

/// Limits on incoming connections; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// Longest wait for a complete request head.
    pub header_timeout: Duration,
    /// Longest time for a complete request body, from the end of its head.
    pub body_timeout: Duration,
    /// Longest time without a byte moving while no request is being handled.
    pub idle_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
}

/// Default [`ServeLimits::header_timeout`].
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`ServeLimits::body_timeout`].
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`ServeLimits::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default [`ServeLimits::max_connections`]: well below the usual 1024 open files
/// per process, leaving room for the database and outgoing connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Largest request head read into memory (request line and headers). Every Docket
/// route fits in far less; hyper answers 431 beyond it.
const MAX_HEAD_BYTES: usize = 64 * 1024;

impl Default for ServeLimits {
    fn default() -> ServeLimits {
        ServeLimits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl ServeLimits {
    /// Checks that every limit is positive; the message names the setting.
    pub fn check(&self) -> Result<(), String> {
        for (name, value) in [
            ("header_timeout", self.header_timeout),
            ("body_timeout", self.body_timeout),
            ("idle_timeout", self.idle_timeout),
        ] {
            if value.is_zero() {
                return Err(format!("{name} must be positive"));
            }
        }
        if self.max_connections == 0 {
            return Err("max_connections must be at least 1".into());
        }
        Ok(())
    }
}

/// Serves `app` on `listener` under `limits` until `shutdown` completes, then lets the
/// open connections finish their requests in flight and returns.
pub async fn serve<L>(
    mut listener: L,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) where
    L: axum::serve::Listener,
    L::Io: Unpin,
{
    let (stop_tx, stop_rx) = watch::channel(false);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Take a permit before accepting: at the limit, new connections wait in the
        // kernel's queue instead of being accepted and dropped.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        // The listener handles accept errors itself (plain TCP or TLS, whose handshake
        // it completes before handing the connection over).
        let stream = tokio::select! {
            (stream, _) = listener.accept() => stream,
            () = &mut shutdown => break,
        };
        // Reap finished connection tasks so the set does not grow.
        while connections.try_join_next().is_some() {}
        let app = app.clone();
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let _permit = permit;
            serve_connection(stream, app, limits, &mut stop).await;
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
}

/// Per-connection bookkeeping shared by the I/O wrapper and the request service.
struct Activity {
    in_flight: AtomicUsize,
    last: Mutex<Instant>,
}

impl Activity {
    fn touch(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    fn last(&self) -> Instant {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Decrements the in-flight count when a request's handling ends, however it ends.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.touch();
    }
}

async fn serve_connection<S>(
    stream: S,
    app: Router,
    limits: ServeLimits,
    stop: &mut watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity {
        in_flight: AtomicUsize::new(0),
        last: Mutex::new(Instant::now()),
    });
    let io = TokioIo::new(IdleIo {
        inner: stream,
        activity: activity.clone(),
        idle: limits.idle_timeout,
        sleep: Box::pin(tokio::time::sleep(limits.idle_timeout)),
    });
    let body_timeout = limits.body_timeout;
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut app = app.clone();
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(activity.clone());
        let request = request.map(|body| {
            Body::new(DeadlineBody {
                inner: body,
                deadline: Box::pin(tokio::time::sleep(body_timeout)),
                limit: body_timeout,
            })
        });
        async move {
            let response = tower_service::Service::call(&mut app, request).await;
            drop(guard);
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES);
    let connection = builder.serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection closed with an error");
            }
            return;
        }
        _ = stop.wait_for(|s| *s) => {}
    }
    // Shutting down: finish the request in flight, take no new one.
    connection.as_mut().graceful_shutdown();
    if let Err(error) = connection.await {
        tracing::debug!(%error, "connection closed with an error during shutdown");
    }
}

/// The connection's stream, closed with `TimedOut` when idle too long (see the module
/// docs).
struct IdleIo<S> {
    inner: S,
    activity: Arc<Activity>,
    idle: Duration,
    sleep: Pin<Box<Sleep>>,
}

impl<S> IdleIo<S> {
    /// Called when the stream is not ready: fails once the connection has been idle
    /// (no request in flight, no byte moved) for the idle timeout; otherwise arms the
    /// timer so the task wakes up then.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        if self.activity.in_flight.load(Ordering::SeqCst) > 0 {
            return Poll::Pending;
        }
        let deadline = self.activity.last() + self.idle;
        if Instant::now() >= deadline {
            return Poll::Ready(idle_error(self.idle));
        }
        self.sleep.as_mut().reset(deadline);
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(idle_error(self.idle)),
            Poll::Pending => Poll::Pending,
        }
    }
}

fn idle_error(idle: Duration) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("connection idle for {idle:?}"),
    )
}

impl<S: AsyncRead + Unpin> AsyncRead for IdleIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.activity.touch();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => self.poll_idle(cx).map(Err),
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for IdleIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.activity.touch();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => self.poll_idle(cx).map(Err),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Pending => self.poll_idle(cx).map(Err),
            ready => ready,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body that fails once its deadline passes before it is complete.
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    limit: Duration,
}

/// The error a [`DeadlineBody`] ends with.
#[derive(Debug, thiserror::Error)]
enum BodyError {
    #[error("the request body did not arrive within {0:?}")]
    TimedOut(Duration),
    #[error(transparent)]
    Hyper(#[from] hyper::Error),
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(BodyError::from)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(BodyError::TimedOut(self.limit))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
