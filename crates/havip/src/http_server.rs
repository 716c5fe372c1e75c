//! The HTTP/1.1 server under every face. It accepts connections up to a cap (past it a
//! connection gets a bare 503 and is closed, so file descriptors stay bounded), and closes
//! connections that stall: a request's headers not complete within the header-read timeout
//! (counted from accept for a new connection, from its first byte for later requests), or
//! a keep-alive connection idle between requests for longer than the idle timeout. On
//! shutdown it stops accepting, lets requests in flight finish, and gives up on the
//! connections still open when the shutdown deadline passes.
//!
//! With TLS every connection is HTTPS only: its handshake holds a connection slot and must
//! finish within the header-read timeout from accept; a plain HTTP request is answered 400
//! in plain text and closed.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How long connections may take and how many there may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's headers must be complete within this.
    pub header_read_timeout: Duration,
    /// A keep-alive connection with no request for this long is closed.
    pub idle_timeout: Duration,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// After a shutdown signal, how long requests in flight may take to finish.
    pub shutdown_timeout: Duration,
}

/// Where a connection is between requests, which decides its deadline.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// No byte of the next request yet; `first` on a connection that has had no request.
    Waiting { since: Instant, first: bool },
    /// Some bytes of a request's head arrived, the first at `since`.
    ReadingHead { since: Instant },
    /// This many requests are being served (their headers are parsed): no deadline here;
    /// reading their bodies has its own.
    Serving { requests: usize },
}

/// The phase of one connection, shared by its socket and its request handler.
struct ConnectionPhase {
    phase: Mutex<Phase>,
    limits: ConnectionLimits,
    /// A read that waited while a request was served, with no deadline: woken when the
    /// request is done, so that it waits again under the idle deadline.
    parked_read: Mutex<Option<Waker>>,
}

impl ConnectionPhase {
    fn new(limits: ConnectionLimits) -> Self {
        ConnectionPhase {
            phase: Mutex::new(Phase::Waiting {
                since: Instant::now(),
                first: true,
            }),
            limits,
            parked_read: Mutex::new(None),
        }
    }

    fn park_read(&self, waker: &Waker) {
        *self.parked_read.lock().unwrap_or_else(|p| p.into_inner()) = Some(waker.clone());
    }

    fn wake_parked_read(&self) {
        let parked = self
            .parked_read
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(waker) = parked {
            waker.wake();
        }
    }

    fn update(&self, f: impl FnOnce(Phase) -> Phase) {
        // A poisoned lock holds a valid phase all the same.
        let mut phase = self.phase.lock().unwrap_or_else(|p| p.into_inner());
        *phase = f(*phase);
    }

    fn deadline(&self) -> Option<Instant> {
        let phase = *self.phase.lock().unwrap_or_else(|p| p.into_inner());
        match phase {
            Phase::Waiting { since, first: true } | Phase::ReadingHead { since } => {
                Some(since + self.limits.header_read_timeout)
            }
            Phase::Waiting {
                since,
                first: false,
            } => Some(since + self.limits.idle_timeout),
            Phase::Serving { .. } => None,
        }
    }

    fn bytes_arrived(&self) {
        self.update(|p| match p {
            Phase::Waiting { .. } => Phase::ReadingHead {
                since: Instant::now(),
            },
            other => other,
        });
    }

    fn request_started(self: &Arc<Self>) -> RequestInFlight {
        self.update(|p| match p {
            Phase::Serving { requests } => Phase::Serving {
                requests: requests + 1,
            },
            _ => Phase::Serving { requests: 1 },
        });
        RequestInFlight(self.clone())
    }
}

/// Marks a request as served when dropped (answered, or abandoned).
struct RequestInFlight(Arc<ConnectionPhase>);

impl Drop for RequestInFlight {
    fn drop(&mut self) {
        self.0.update(|p| match p {
            Phase::Serving { requests } if requests > 1 => Phase::Serving {
                requests: requests - 1,
            },
            _ => Phase::Waiting {
                since: Instant::now(),
                first: false,
            },
        });
        self.0.wake_parked_read();
    }
}

/// A socket that fails its reads once the connection's deadline has passed.
struct DeadlineIo {
    inner: TcpStream,
    phase: Arc<ConnectionPhase>,
    timer: Pin<Box<Sleep>>,
}

impl DeadlineIo {
    fn new(inner: TcpStream, phase: Arc<ConnectionPhase>) -> Self {
        DeadlineIo {
            inner,
            phase,
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
        }
    }
}

fn timed_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "connection stalled past its deadline",
    )
}

impl AsyncRead for DeadlineIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.phase.bytes_arrived();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                // Parked before the phase is read, so that a request finishing in between
                // still wakes this read (a spurious wake-up later is harmless).
                self.phase.park_read(cx.waker());
                let Some(deadline) = self.phase.deadline() else {
                    return Poll::Pending;
                };
                if Instant::now() >= deadline {
                    return Poll::Ready(Err(timed_out()));
                }
                self.timer.as_mut().reset(deadline);
                match self.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(timed_out())),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for DeadlineIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The largest read buffer of a connection, and so the largest request head.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// The answer to a connection over the cap: it cannot be told which face it wanted.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\
content-length: 33\r\nretry-after: 1\r\nconnection: close\r\n\r\ntoo many connections; try again\r\n";

async fn refuse_busy(mut stream: TcpStream) {
    let write = async {
        stream.write_all(BUSY).await.ok();
        stream.shutdown().await.ok();
    };
    tokio::time::timeout(Duration::from_secs(1), write)
        .await
        .ok();
}

/// The answer to plain HTTP on an HTTPS listener.
const PLAIN_ON_TLS: &[u8] = b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\n\
content-length: 40\r\nconnection: close\r\n\r\nthis port speaks HTTPS only; use https://\n";

/// The first byte of a TLS handshake record (a ClientHello).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

async fn refuse_plain(mut stream: TcpStream) {
    let write = async {
        stream.write_all(PLAIN_ON_TLS).await.ok();
        stream.shutdown().await.ok();
    };
    tokio::time::timeout(Duration::from_secs(1), write)
        .await
        .ok();
}

/// The TLS side of a new connection, or `None` once it has been dealt with: plain HTTP
/// answered 400, a failed handshake dropped. Its reads fail past the header-read deadline.
async fn handshake(
    stream: TcpStream,
    phase: Arc<ConnectionPhase>,
    acceptor: &TlsAcceptor,
) -> Option<tokio_rustls::server::TlsStream<DeadlineIo>> {
    let mut first = [0u8; 1];
    match stream.peek(&mut first).await {
        Ok(1..) if first[0] != TLS_HANDSHAKE_RECORD => {
            refuse_plain(stream).await;
            return None;
        }
        Ok(_) => {}
        Err(_) => return None,
    }
    acceptor
        .accept(DeadlineIo::new(stream, phase))
        .await
        .map_err(|e| tracing::debug!(error = %e, "TLS handshake failed"))
        .ok()
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains as described above;
/// HTTPS only when `tls` is given.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    // Tells handshakes still under way to give up when the shutdown begins.
    let (closing, _) = tokio::sync::watch::channel(false);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut builder = http1::Builder::new();
    builder.keep_alive(true);
    // hyper's read buffer grows to 400 KiB by default; a connection's share of memory stays
    // small (headers and a body chunk at a time), which bounds what slow bodies cost.
    builder.max_buf_size(READ_BUFFER_BYTES);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before accept: wait a
                    // moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse_busy(stream));
            continue;
        };
        stream.set_nodelay(true).ok();
        let phase = Arc::new(ConnectionPhase::new(limits));
        let app = app.clone();
        let handler = hyper::service::service_fn({
            let phase = phase.clone();
            move |req: hyper::Request<Incoming>| {
                let in_flight = phase.request_started();
                let app = app.clone();
                async move {
                    let answer = app.oneshot(req.map(axum::body::Body::new)).await;
                    drop(in_flight);
                    answer
                }
            }
        });
        match &tls {
            None => {
                let io = TokioIo::new(DeadlineIo::new(stream, phase));
                let connection = graceful.watch(builder.serve_connection(io, handler));
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    drop(slot);
                });
            }
            Some(acceptor) => {
                // Watched from now on, so that a shutdown waits for this task; a handshake
                // still under way then gives up at once.
                let watcher = graceful.watcher();
                let mut closing = closing.subscribe();
                let acceptor = acceptor.clone();
                let builder = builder.clone();
                tokio::spawn(async move {
                    let handshake = handshake(stream, phase, &acceptor);
                    // The slot is given back on each return.
                    let bounded = tokio::time::timeout(limits.header_read_timeout, handshake);
                    let tls_stream = tokio::select! {
                        done = bounded => match done {
                            Ok(Some(tls_stream)) => tls_stream,
                            Ok(None) => return,
                            Err(_) => {
                                tracing::debug!("no TLS handshake within the header-read timeout");
                                return;
                            }
                        },
                        _ = closing.wait_for(|c| *c) => return,
                    };
                    let io = TokioIo::new(tls_stream);
                    if let Err(e) = watcher.watch(builder.serve_connection(io, handler)).await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    drop(slot);
                });
            }
        }
    }
    drop(listener);
    closing.send_replace(true);
    if tokio::time::timeout(limits.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            timeout = ?limits.shutdown_timeout,
            "shutdown deadline passed: closing the connections still open"
        );
    }
}
