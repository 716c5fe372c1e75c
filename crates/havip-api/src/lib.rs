//! Plumbing shared by the HTTP faces (native, Alibaba, Volcengine, Huawei): the state every
//! handler gets, reading a request whole with a size limit, and request ids. Each face is
//! its own crate with one entry point, `handle(state, request) -> response`.

use std::sync::Arc;

use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::{BodyExt, Limited};

pub use havip_service::{ids, Caller, Service};

/// Requests with a larger body are refused (413 or the face's own error) unread.
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub struct AppState {
    pub service: Arc<Service>,
    /// Bearer tokens accepted by the native API.
    pub admin_tokens: Vec<String>,
    /// When set, unsigned cloud requests are served as this account (local throwaway use).
    pub insecure_account: Option<String>,
}

pub type SharedState = Arc<AppState>;

/// Why a request body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    Broken,
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
}

impl Incoming {
    /// Reads the request; a body over [`MAX_BODY_BYTES`] is refused without reading it all.
    pub async fn read(req: axum::extract::Request) -> Result<Incoming, BodyError> {
        let (parts, body) = req.into_parts();
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(BodyError::TooLarge);
        }
        let body = read_limited(body).await?;
        Ok(Incoming {
            method: parts.method,
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            headers: parts.headers,
            body,
        })
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

async fn read_limited(body: Body) -> Result<Bytes, BodyError> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(BodyError::TooLarge)
        }
        Err(_) => Err(BodyError::Broken),
    }
}

/// The service clock as the time type signature verification takes.
pub fn now_utc(service: &Service) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(service.now_ms()).unwrap_or_default()
}
