//! What both vector tests share: a captured request as the vector files hold it, turned
//! into the crate's own [`OwnedRequest`] that tests can alter.

use base64::Engine as _;
use havip_signature::OwnedRequest;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

/// A captured request: method, `path?query`, headers in order, body in base64.
#[derive(Deserialize)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body_b64: String,
}

impl Request {
    /// The request as received.
    pub fn owned(&self) -> OwnedRequest {
        let (path, query) = self.target.split_once('?').unwrap_or((&self.target, ""));
        let mut headers = HeaderMap::new();
        for (k, val) in &self.headers {
            headers.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(val).unwrap(),
            );
        }
        OwnedRequest {
            method: self.method.clone(),
            path: path.to_string(),
            query: query.to_string(),
            headers,
            body: base64::engine::general_purpose::STANDARD
                .decode(&self.body_b64)
                .unwrap(),
        }
    }
}
