//! The native face of havip: the operator's `/v1` JSON API for inventory (accounts, keys,
//! Huawei projects, regions, VPCs, subnets, instances, ENIs), HaVips and the changes in
//! flight, with an OpenAPI document. Every route but the document needs the admin bearer
//! token; every error is `application/problem+json`; every answer has `X-Request-Id`.

pub mod auth;
pub mod dto;
mod extract;
pub mod feed;
pub mod problem;
pub mod routes;

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use havip_api::{BodyError, Incoming, SharedState};
use http::{HeaderValue, Method};
use tower::ServiceExt;

use crate::problem::NativeError;

pub use routes::{OPENAPI_JSON, ROUTES};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Answers one request to the native API.
pub async fn handle(state: SharedState, req: Request) -> Response {
    let request_id = state.service.ids().request_id();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = respond(state, req).await;
    tracing::debug!(%method, %path, status = resp.status().as_u16(), %request_id, "native API");
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    resp
}

async fn respond(state: SharedState, req: Request) -> Response {
    let public = req.method() == Method::GET && req.uri().path() == routes::PUBLIC_PATH;
    if !public && !auth::authorized(req.headers(), &state.admin_tokens) {
        return NativeError::Unauthorized.into_response();
    }
    let version = req.version();
    let incoming = match Incoming::read(req, &state.bodies).await {
        Ok(incoming) => incoming,
        Err(BodyError::TooLarge) => return NativeError::PayloadTooLarge.into_response(),
        Err(BodyError::Broken) => {
            return NativeError::InvalidBody("the body could not be read".into()).into_response()
        }
        Err(BodyError::TimedOut) => {
            return NativeError::InvalidBody("the body did not arrive in time".into())
                .into_response()
        }
        Err(BodyError::Busy) => return NativeError::Unavailable.into_response(),
    };
    let uri = if incoming.query.is_empty() {
        incoming.path.clone()
    } else {
        format!("{}?{}", incoming.path, incoming.query)
    };
    let mut rebuilt = match Request::builder()
        .method(incoming.method)
        .uri(uri)
        .version(version)
        .body(Body::from(incoming.body))
    {
        Ok(r) => r,
        Err(_) => return NativeError::RouteNotFound(incoming.path).into_response(),
    };
    *rebuilt.headers_mut() = incoming.headers;
    match routes::router(state).oneshot(rebuilt).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}
