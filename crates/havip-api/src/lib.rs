//! Plumbing shared by the HTTP faces (native, Alibaba, Volcengine, Huawei, Tencent): the
//! [`Face`] pipeline each face crate implements (the server's dispatcher is a list of
//! faces), the state every face gets, the shared authentication skeleton ([`auth`]), and
//! reading a request whole within the server's limits.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub mod auth;
pub mod face;

pub use face::{serve, AnyFace, Call, Face, Serving};

pub use havip_service::{ids, Caller, Service};

/// The request's `Authorization` header, or `""` (what [`Face::claims`] looks at).
pub fn authorization(req: &axum::extract::Request) -> &str {
    req.headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Whether the raw query has a `key=value` pair that starts with `prefix` (`"Version="`,
/// `"Version=2020-04-01"`...), for [`Face::claims`].
pub fn query_has(req: &axum::extract::Request, prefix: &str) -> bool {
    req.uri()
        .query()
        .unwrap_or("")
        .split('&')
        .any(|pair| pair.starts_with(prefix))
}

/// Requests with a larger body are refused (413 or the face's own error) unread.
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub struct AppState {
    pub service: Arc<Service>,
    /// Bearer tokens accepted by the native API.
    pub admin_tokens: Vec<String>,
    /// When set, unsigned cloud requests are served as this account (local throwaway use).
    pub insecure_account: Option<String>,
    /// How request bodies are read: a deadline, and a memory budget shared by all of them.
    pub bodies: BodyLimits,
}

pub type SharedState = Arc<AppState>;

/// Why a request body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    Broken,
    /// The body did not arrive within the body-read timeout.
    TimedOut,
    /// The bodies in flight hold the whole memory budget, and none gave way in time.
    Busy,
}

/// Limits on reading request bodies. The budget is counted in bytes: a body takes its
/// declared length before its first byte is read (or, without one, each chunk as it
/// comes), and gives it back when the request is answered.
#[derive(Debug, Clone)]
pub struct BodyLimits {
    /// The whole body must arrive within this.
    pub read_timeout: Duration,
    budget: Arc<Semaphore>,
    budget_bytes: usize,
}

/// Budget held by a body read: given back when the last copy of the request is dropped.
#[derive(Debug, Default)]
struct Held(#[allow(dead_code)] Vec<OwnedSemaphorePermit>);

/// Bodies smaller than this are read without a look at the credentials first: they cost
/// less memory than the look-up does time.
pub const PRECHECK_ABOVE_BYTES: u64 = 64 * 1024;

impl BodyLimits {
    pub fn new(read_timeout: Duration, budget_bytes: usize) -> Self {
        let budget_bytes = budget_bytes.clamp(MAX_BODY_BYTES, Semaphore::MAX_PERMITS);
        BodyLimits {
            read_timeout,
            budget: Arc::new(Semaphore::new(budget_bytes)),
            budget_bytes,
        }
    }

    /// The memory all bodies in flight may hold together, in bytes.
    pub fn budget_bytes(&self) -> usize {
        self.budget_bytes
    }
}

impl Default for BodyLimits {
    /// 30 s to read a body; 64 MiB for all bodies in flight.
    fn default() -> Self {
        BodyLimits::new(Duration::from_secs(30), 64 << 20)
    }
}

/// A request read whole: what signature verification and parameter parsing need.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub method: Method,
    /// The raw path, as received (percent-encoded).
    pub path: String,
    /// The raw query, without `?`.
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The memory budget the body holds while the request is served.
    held: Arc<Held>,
}

impl Incoming {
    /// Reads the request; a body over [`MAX_BODY_BYTES`] is refused without reading it all.
    pub async fn read(
        req: axum::extract::Request,
        limits: &BodyLimits,
    ) -> Result<Incoming, BodyError> {
        let (head, body) = Incoming::split(req);
        head.read_body(body, limits).await
    }

    /// The request line and headers, with an empty body, and the body still unread: what a
    /// face can check before it spends memory on the body.
    pub fn split(req: axum::extract::Request) -> (Incoming, Body) {
        let (parts, body) = req.into_parts();
        let head = Incoming {
            method: parts.method,
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            headers: parts.headers,
            body: Bytes::new(),
            held: Arc::default(),
        };
        (head, body)
    }

    /// The length the request declares for its body (`Content-Length`), if any.
    pub fn declared_length(&self) -> Option<u64> {
        self.header(http::header::CONTENT_LENGTH.as_str())
            .and_then(|v| v.parse::<u64>().ok())
    }

    /// Whether the body may be large enough that the credentials should be looked at
    /// first: a declared length over [`PRECHECK_ABOVE_BYTES`], or none (chunked).
    pub fn body_worth_a_precheck(&self) -> bool {
        match self.declared_length() {
            Some(n) => n > PRECHECK_ABOVE_BYTES,
            // No length: a body only when one is streamed (chunked).
            None => self.headers.contains_key(http::header::TRANSFER_ENCODING),
        }
    }

    /// Reads the body within the limits: over [`MAX_BODY_BYTES`] is refused (unread when
    /// the declared length says so), past the deadline or the memory budget too.
    pub async fn read_body(
        mut self,
        body: Body,
        limits: &BodyLimits,
    ) -> Result<Incoming, BodyError> {
        let declared = self.declared_length();
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(BodyError::TooLarge);
        }
        let mut held = Vec::new();
        if let Some(n) = declared.filter(|n| *n > 0) {
            let wait = take_budget(&limits.budget, n);
            held.push(
                tokio::time::timeout(limits.read_timeout, wait)
                    .await
                    .map_err(|_| BodyError::Busy)??,
            );
        }
        let read = read_within_budget(body, declared, &limits.budget, &mut held);
        self.body = tokio::time::timeout(limits.read_timeout, read)
            .await
            .map_err(|_| BodyError::TimedOut)??;
        self.held = Arc::new(Held(held));
        Ok(self)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The view signature verifiers take.
    pub fn parts(&self) -> havip_signature::RequestParts<'_> {
        havip_signature::RequestParts {
            method: self.method.as_str(),
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }
}

/// Reads a body of at most [`MAX_BODY_BYTES`]; what arrives beyond the declared length
/// (already held) takes budget chunk by chunk, into `held`.
async fn read_within_budget(
    mut body: Body,
    declared: Option<u64>,
    budget: &Arc<Semaphore>,
    held: &mut Vec<OwnedSemaphorePermit>,
) -> Result<Bytes, BodyError> {
    let mut out = bytes::BytesMut::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if out.len() + data.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        let covered = declared.unwrap_or(0) as usize;
        if out.len() + data.len() > covered {
            let extra = (out.len() + data.len() - covered.max(out.len())) as u64;
            held.push(take_budget(budget, extra).await?);
        }
        out.extend_from_slice(&data);
    }
    Ok(out.freeze())
}

async fn take_budget(
    budget: &Arc<Semaphore>,
    bytes: u64,
) -> Result<OwnedSemaphorePermit, BodyError> {
    let n = u32::try_from(bytes).map_err(|_| BodyError::TooLarge)?;
    budget
        .clone()
        .acquire_many_owned(n)
        .await
        .map_err(|_| BodyError::Busy)
}

/// The service clock as the time type signature verification takes.
pub fn now_utc(service: &Service) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(service.now_ms()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use futures::StreamExt;
    use tokio::sync::mpsc;

    use super::*;

    /// A request whose body is fed through the returned sender, chunk by chunk.
    fn streamed(declared: Option<usize>) -> (axum::extract::Request, mpsc::Sender<Bytes>) {
        let (tx, rx) = mpsc::channel::<Bytes>(16);
        let stream = tokio_stream_of(rx).map(Ok::<_, Infallible>);
        let mut b = http::Request::builder().method("POST").uri("/?a=1");
        if let Some(n) = declared {
            b = b.header("content-length", n.to_string());
        }
        let req = b.body(Body::from_stream(stream)).expect("request");
        (req, tx)
    }

    fn tokio_stream_of(mut rx: mpsc::Receiver<Bytes>) -> impl futures::Stream<Item = Bytes> {
        futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
    }

    fn limits() -> BodyLimits {
        BodyLimits::new(Duration::from_secs(30), MAX_BODY_BYTES)
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_holds_its_budget_until_the_request_is_dropped() {
        let limits = limits();
        let (req, tx) = streamed(Some(4));
        tx.send(Bytes::from_static(b"ab")).await.expect("send");
        tx.send(Bytes::from_static(b"cd")).await.expect("send");
        drop(tx);
        let incoming = Incoming::read(req, &limits).await.expect("read");
        assert_eq!(&incoming.body[..], b"abcd");
        assert_eq!(incoming.query, "a=1");
        assert_eq!(limits.budget.available_permits(), MAX_BODY_BYTES - 4);
        let copy = incoming.clone();
        drop(incoming);
        assert_eq!(limits.budget.available_permits(), MAX_BODY_BYTES - 4);
        drop(copy);
        assert_eq!(limits.budget.available_permits(), MAX_BODY_BYTES);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_arriving_times_out_and_gives_its_budget_back() {
        let limits = limits();
        let (req, tx) = streamed(Some(10));
        tx.send(Bytes::from_static(b"abc")).await.expect("send");
        assert_eq!(
            Incoming::read(req, &limits).await.err(),
            Some(BodyError::TimedOut)
        );
        assert_eq!(limits.budget.available_permits(), MAX_BODY_BYTES);
        drop(tx);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_finds_no_budget_in_time_is_busy() {
        let limits = limits();
        let (req, tx) = streamed(Some(MAX_BODY_BYTES));
        tx.send(Bytes::from(vec![0u8; MAX_BODY_BYTES]))
            .await
            .expect("send");
        drop(tx);
        let holder = Incoming::read(req, &limits).await.expect("read");
        let (req, _tx) = streamed(Some(1));
        assert_eq!(
            Incoming::read(req, &limits).await.err(),
            Some(BodyError::Busy)
        );
        drop(holder);
        let (req, tx) = streamed(Some(1));
        tx.send(Bytes::from_static(b"x")).await.expect("send");
        drop(tx);
        assert!(Incoming::read(req, &limits).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn chunked_bodies_take_budget_as_they_come_and_stop_at_the_size_limit() {
        let limits = limits();
        let (req, tx) = streamed(None);
        tx.send(Bytes::from(vec![1u8; 1000])).await.expect("send");
        tx.send(Bytes::from(vec![2u8; 24])).await.expect("send");
        drop(tx);
        let incoming = Incoming::read(req, &limits).await.expect("read");
        assert_eq!(incoming.body.len(), 1024);
        assert_eq!(limits.budget.available_permits(), MAX_BODY_BYTES - 1024);
        drop(incoming);

        let (req, tx) = streamed(None);
        let feeder = tokio::spawn(async move {
            for _ in 0..=MAX_BODY_BYTES / 65536 {
                if tx.send(Bytes::from(vec![0u8; 65536])).await.is_err() {
                    return;
                }
            }
        });
        assert_eq!(
            Incoming::read(req, &limits).await.err(),
            Some(BodyError::TooLarge)
        );
        feeder.await.expect("feeder");
        assert_eq!(limits.budget.available_permits(), MAX_BODY_BYTES);
    }

    #[tokio::test(start_paused = true)]
    async fn a_declared_length_over_the_limit_is_refused_unread() {
        let (req, _tx) = streamed(Some(MAX_BODY_BYTES + 1));
        assert_eq!(
            Incoming::read(req, &limits()).await.err(),
            Some(BodyError::TooLarge)
        );
    }

    #[test]
    fn small_or_empty_bodies_need_no_precheck() {
        let head = |pairs: &[(&str, &str)]| {
            let mut b = http::Request::builder().method("POST").uri("/");
            for (k, v) in pairs {
                b = b.header(*k, *v);
            }
            Incoming::split(b.body(Body::empty()).expect("request")).0
        };
        assert!(!head(&[]).body_worth_a_precheck());
        assert!(!head(&[("content-length", "0")]).body_worth_a_precheck());
        assert!(!head(&[("content-length", "65536")]).body_worth_a_precheck());
        assert!(head(&[("content-length", "65537")]).body_worth_a_precheck());
        assert!(head(&[("transfer-encoding", "chunked")]).body_worth_a_precheck());
    }
}
