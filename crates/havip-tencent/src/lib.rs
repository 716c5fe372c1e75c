//! The Tencent Cloud VPC face of havip (API 2017-03-12): the HaVip actions the official
//! `tencentcloud-sdk-python` calls (`POST /` with a JSON body, or `GET /?<flattened
//! parameters>`, signed with TC3-HMAC-SHA256, the action, version and region in `X-TC-*`
//! headers), answered in the `{"Response": {...}}` envelope with HTTP 200, errors
//! included (docs/tencent.md).
//!
//! Order of work for each request: the method; the size (a body over 1 MiB, a GET query
//! over 32 KiB); for a large body, what its headers can prove (the key and the clock)
//! before it is read; the signature (the account is the key's); `X-TC-Action`,
//! `X-TC-Version` and `X-TC-Region`; the parameters, typed; the region's existence; the
//! service call; the answer.

pub mod actions;
pub mod auth;
pub mod errors;
pub mod params;
pub mod profile;
pub mod render;

use std::sync::Arc;

use axum::extract::Request;
use axum::response::Response;
use havip_api::{AppState, Call, Face, Incoming, SharedState};
use havip_core::{DomainError, Profile};
use havip_service::Caller;
use http::Method;

use crate::actions::{Operation, VERSION};
use crate::errors::FaceError;
use crate::render::Answer;

/// The face's name (its `[limits.tencent]` table in the seed).
pub const FACE: &str = "tencent";

/// The Tencent face, with its profile (its rules, with the seed's limits).
#[derive(Debug, Clone)]
pub struct TencentFace {
    profile: Arc<Profile>,
}

impl TencentFace {
    pub fn new(profile: Profile) -> Self {
        TencentFace {
            profile: Arc::new(profile),
        }
    }
}

impl Default for TencentFace {
    fn default() -> Self {
        TencentFace::new(profile::profile())
    }
}

/// The request id, for every answer.
#[derive(Debug)]
pub struct Context {
    request_id: String,
}

impl Face for TencentFace {
    type Context = Context;
    type Request = Incoming;
    type Identity = String;
    type Operation = actions::Call;
    type Answer = Answer;
    type Error = FaceError;

    fn name(&self) -> &'static str {
        FACE
    }

    /// Tencent's `TC3-HMAC-SHA256` authorization, or (unsigned, for `--insecure-no-auth`)
    /// an `X-TC-Action` header: no other face uses either.
    fn claims(&self, req: &Request) -> bool {
        havip_api::authorization(req).starts_with(havip_signature::tencent::ALGORITHM)
            || req.headers().contains_key("x-tc-action")
    }

    /// Tencent's request ids are lower-case UUIDs.
    fn begin(&self, state: &AppState, _req: &Request) -> Context {
        Context {
            request_id: state.service.ids().uuid(),
        }
    }

    /// The method, the size of a GET query, then the request whole.
    async fn read(
        &self,
        state: &AppState,
        _ctx: &mut Context,
        req: Request,
    ) -> Result<Incoming, FaceError> {
        let method = req.method();
        if method != Method::GET && method != Method::POST {
            return Err(FaceError::UnsupportedProtocol(method.to_string()));
        }
        let query_len = req.uri().query().map_or(0, str::len);
        if method == Method::GET && query_len > params::MAX_GET_QUERY_BYTES {
            return Err(FaceError::RequestTooLarge(
                "a GET query holds at most 32 KB",
            ));
        }
        auth::read(state, req).await
    }

    /// The account of the key that signed the request.
    async fn authenticate(
        &self,
        state: &AppState,
        _ctx: &mut Context,
        incoming: &Incoming,
    ) -> Result<String, FaceError> {
        auth::authenticate(state, incoming).await
    }

    /// `X-TC-Action` and `X-TC-Version`, `X-TC-Region`, the typed parameters, then the
    /// region's existence.
    async fn operation(
        &self,
        state: &AppState,
        _ctx: &mut Context,
        incoming: Incoming,
        account: String,
    ) -> Result<Call<actions::Call>, FaceError> {
        let op = operation(&incoming)?;
        let region = common(&incoming, "x-tc-region", "Region")?;
        let operation = actions::parse(op, params::of_request(&incoming)?)?;
        if !state.service.region_exists(&region).await? {
            return Err(DomainError::RegionNotFound(region).into());
        }
        Ok(Call {
            caller: Caller::tenant(self.profile.clone(), account, region),
            operation,
        })
    }

    async fn call(
        &self,
        state: &SharedState,
        call: Call<actions::Call>,
    ) -> Result<Answer, FaceError> {
        actions::run(call.operation, &state.service, &call.caller).await
    }

    /// In the envelope, HTTP 200.
    fn answer(&self, ctx: &Context, answer: Answer) -> Response {
        render::ok(&ctx.request_id, &answer)
    }

    /// In the envelope, HTTP 200, by the table of [`errors`].
    fn refuse(&self, ctx: &Context, error: FaceError) -> Response {
        if matches!(error, FaceError::Unavailable) {
            tracing::warn!("tencent face: service unavailable");
        }
        render::error(&ctx.request_id, &error.spec())
    }
}

/// A common parameter from its `X-TC-*` header: absent or empty is `MissingParameter`.
fn common(incoming: &Incoming, header: &str, name: &str) -> Result<String, FaceError> {
    incoming
        .header(header)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| FaceError::MissingParameter(name.to_string()))
}

/// The action of `X-TC-Action` in the version of `X-TC-Version`.
fn operation(incoming: &Incoming) -> Result<Operation, FaceError> {
    let action = common(incoming, "x-tc-action", "Action")?;
    let op = Operation::parse(&action).ok_or(FaceError::InvalidAction(action))?;
    let version = common(incoming, "x-tc-version", "Version")?;
    if version != VERSION {
        return Err(FaceError::NoSuchVersion(version));
    }
    Ok(op)
}
