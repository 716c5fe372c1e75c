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
use havip_api::{AppState, BodyError, Call, Face, Incoming, SharedState};
use havip_core::{Limits, Profile, TextRule};
use http::{HeaderValue, Method};
use tower::ServiceExt;

use crate::problem::NativeError;

pub use routes::{OPENAPI_JSON, ROUTES};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The face's name.
pub const FACE: &str = "native";

/// First path segments under `/v1/` that belong to the native API.
pub const COLLECTIONS: &[&str] = &[
    "openapi.json",
    "accounts",
    "access-keys",
    "huawei-projects",
    "regions",
    "vpcs",
    "subnets",
    "instances",
    "enis",
    "havips",
    "operations",
    "seed",
    "dataplane",
    "events",
];

/// The operator's rules with `limits` and `reserved_tag_prefixes` (the widest limits and
/// every reserved prefix of the faces the server runs: what the operator makes must be
/// valid through every face): names of 1–128 and descriptions of 1–255 characters,
/// neither starting with `http://` or `https://`; every status shown.
pub fn profile(limits: Limits, reserved_tag_prefixes: Vec<String>) -> Profile {
    let urlless = |max| TextRule {
        no_url_prefix: true,
        ..TextRule::length(1, max)
    };
    Profile {
        name: urlless(128),
        description: urlless(255),
        reserved_tag_prefixes,
        ..Profile::plain(limits)
    }
}

/// The native face: the operator's API.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeFace;

/// What every answer needs: the request id; the method and path, for the log.
#[derive(Debug)]
pub struct Context {
    request_id: String,
    method: Method,
    path: String,
}

/// A request read whole, with its HTTP version (to hand it on to the routes as it came).
#[derive(Debug)]
pub struct NativeRequest {
    incoming: Incoming,
    version: http::Version,
}

impl NativeRequest {
    /// Whether the request is the one route anyone may call (the OpenAPI document).
    fn is_public(method: &Method, path: &str) -> bool {
        method == Method::GET && path == routes::PUBLIC_PATH
    }
}

impl Face for NativeFace {
    type Context = Context;
    type Request = NativeRequest;
    type Identity = ();
    /// The request, for the routes of [`routes::router`]: the native API's typed
    /// operations are its routes, each with its own extractors.
    type Operation = Request;
    type Answer = Response;
    type Error = NativeError;

    fn name(&self) -> &'static str {
        FACE
    }

    /// `/v1` and the paths under it, except what has the shape of Huawei's v1 API
    /// (`/v1/{project_id}/cloudservers/...`, `/v1/{project_id}/ports...`,
    /// `/v1/{project_id}/subnets...`) and is not the
    /// operator's (a collection of this API, or the admin bearer token), and except
    /// requests signed with Huawei's SDK-HMAC scheme.
    fn claims(&self, req: &Request) -> bool {
        let auth = havip_api::authorization(req);
        let path = req.uri().path();
        if auth.starts_with("SDK-HMAC-") {
            return false;
        }
        if path == "/v1" {
            return true;
        }
        let Some(rest) = path.strip_prefix("/v1/") else {
            return false;
        };
        let mut segs = rest.split('/');
        let first = segs.next().unwrap_or("");
        let second = segs.next().unwrap_or("");
        let huawei_shape = matches!(second, "cloudservers" | "ports" | "subnets");
        !huawei_shape || COLLECTIONS.contains(&first) || auth.starts_with("Bearer ")
    }

    fn begin(&self, state: &AppState, req: &Request) -> Context {
        Context {
            request_id: state.service.ids().request_id(),
            method: req.method().clone(),
            path: req.uri().path().to_string(),
        }
    }

    /// The admin token first (a request without it costs no memory), then the body.
    async fn read(
        &self,
        state: &AppState,
        ctx: &mut Context,
        req: Request,
    ) -> Result<NativeRequest, NativeError> {
        let public = NativeRequest::is_public(&ctx.method, &ctx.path);
        if !public && !auth::authorized(req.headers(), &state.admin_tokens) {
            return Err(NativeError::Unauthorized);
        }
        let version = req.version();
        let incoming = Incoming::read(req, &state.bodies)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge => NativeError::PayloadTooLarge,
                BodyError::Broken => NativeError::InvalidBody("the body could not be read".into()),
                BodyError::TimedOut => {
                    NativeError::InvalidBody("the body did not arrive in time".into())
                }
                BodyError::Busy => NativeError::Unavailable,
            })?;
        Ok(NativeRequest { incoming, version })
    }

    /// The admin bearer token (every route but the OpenAPI document).
    async fn authenticate(
        &self,
        state: &AppState,
        _ctx: &mut Context,
        req: &NativeRequest,
    ) -> Result<(), NativeError> {
        let incoming = &req.incoming;
        let public = NativeRequest::is_public(&incoming.method, &incoming.path);
        if public || auth::authorized(&incoming.headers, &state.admin_tokens) {
            Ok(())
        } else {
            Err(NativeError::Unauthorized)
        }
    }

    /// The request rebuilt for the routes, as the operator.
    async fn operation(
        &self,
        state: &AppState,
        _ctx: &mut Context,
        req: NativeRequest,
        _who: (),
    ) -> Result<Call<Request>, NativeError> {
        let NativeRequest { incoming, version } = req;
        let uri = if incoming.query.is_empty() {
            incoming.path.clone()
        } else {
            format!("{}?{}", incoming.path, incoming.query)
        };
        let mut rebuilt = Request::builder()
            .method(incoming.method)
            .uri(uri)
            .version(version)
            .body(Body::from(incoming.body))
            .map_err(|_| NativeError::RouteNotFound(incoming.path))?;
        *rebuilt.headers_mut() = incoming.headers;
        Ok(Call {
            caller: state.service.operator(),
            operation: rebuilt,
        })
    }

    /// The route's own answer (the routes act as [`havip_api::Service::operator`]).
    async fn call(
        &self,
        state: &SharedState,
        call: Call<Request>,
    ) -> Result<Response, NativeError> {
        match routes::router(state.clone()).oneshot(call.operation).await {
            Ok(resp) => Ok(resp),
            Err(never) => match never {},
        }
    }

    fn answer(&self, ctx: &Context, resp: Response) -> Response {
        with_request_id(ctx, resp)
    }

    /// As `application/problem+json` ([`problem`]).
    fn refuse(&self, ctx: &Context, error: NativeError) -> Response {
        with_request_id(ctx, error.into_response())
    }
}

/// Answers one request to the native API.
pub async fn handle(state: SharedState, req: Request) -> Response {
    havip_api::serve(NativeFace, state, req).await
}

/// Every answer carries `X-Request-Id`.
fn with_request_id(ctx: &Context, mut resp: Response) -> Response {
    let Context {
        request_id,
        method,
        path,
    } = ctx;
    tracing::debug!(%method, %path, status = resp.status().as_u16(), %request_id, "native API");
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    resp
}
