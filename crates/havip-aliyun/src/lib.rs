//! The Alibaba Cloud VPC face (API version 2016-04-28): serves the HaVip operations so
//! that the official Alibaba SDKs (the new `alibabacloud_vpc20160428` with ACS3 or
//! `signature_algorithm='v2'`, and the legacy `aliyun-python-sdk-vpc`) work unchanged.
//!
//! A request goes: read (1 MiB limit) → merged query + form parameters → signature and
//! access key ([`auth`]) → `Action`/`Version` → `RegionId` → the operation ([`actions`]),
//! and every failure is rendered from one table ([`errors`]) in JSON or, with
//! `Format=XML`, XML ([`render`]).

pub mod actions;
pub mod answers;
pub mod auth;
pub mod errors;
pub mod params;
pub mod profile;
pub mod render;

use std::sync::Arc;

use axum::extract::Request;
use axum::response::Response;
use havip_api::{AppState, Call, Face, Incoming, SharedState};
use havip_core::Profile;
use havip_service::Caller;
use havip_signature::aliyun;

use crate::actions::Operation;
use crate::errors::FaceError;
use crate::params::Params;
use crate::render::Format;

/// The API version this face speaks.
pub const API_VERSION: &str = "2016-04-28";
/// `HostId` of error bodies when the request has no Host header.
const DEFAULT_HOST: &str = "vpc.aliyuncs.com";

/// The face's name (its `[limits.aliyun]` table in the seed).
pub const FACE: &str = "aliyun";

/// The Alibaba face, with its profile (its rules, with the seed's limits).
#[derive(Debug, Clone)]
pub struct AliyunFace {
    profile: Arc<Profile>,
}

impl AliyunFace {
    pub fn new(profile: Profile) -> Self {
        AliyunFace {
            profile: Arc::new(profile),
        }
    }
}

impl Default for AliyunFace {
    fn default() -> Self {
        AliyunFace::new(profile::profile())
    }
}

/// What every answer needs: the request id, the `Host` (for error bodies), the format,
/// and the operation once known (for the error table).
#[derive(Debug)]
pub struct Context {
    request_id: String,
    host: String,
    format: Format,
    op: Option<Operation>,
}

/// A request read whole, with its parameters (query and form body merged).
#[derive(Debug)]
pub struct AliyunRequest {
    incoming: Incoming,
    params: Params,
}

impl Face for AliyunFace {
    type Context = Context;
    type Request = AliyunRequest;
    type Identity = auth::Authenticated;
    type Operation = actions::Call;
    type Answer = serde_json::Value;
    type Error = FaceError;

    fn name(&self) -> &'static str {
        FACE
    }

    /// ACS3 (its `Authorization` or `x-acs-*` headers) or the RPC scheme's `Signature*`
    /// parameters in the query. RPC requests with every parameter in a form body carry
    /// nothing else to tell them by: the server's fallback face is this one.
    fn claims(&self, req: &Request) -> bool {
        havip_api::authorization(req).starts_with("ACS3-")
            || req.headers().contains_key("x-acs-action")
            || havip_api::query_has(req, "SignatureMethod=")
    }

    /// The format of the raw query's `Format`, until the parameters are decoded.
    fn begin(&self, state: &AppState, req: &Request) -> Context {
        Context {
            request_id: state.service.ids().request_id(),
            host: req
                .headers()
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(DEFAULT_HOST)
                .to_string(),
            format: Format::from_param(query_format(req.uri().query().unwrap_or(""))),
            op: None,
        }
    }

    /// The request whole, then its parameters (UTF-8 text), which give the format.
    async fn read(
        &self,
        state: &AppState,
        ctx: &mut Context,
        req: Request,
    ) -> Result<AliyunRequest, FaceError> {
        let incoming = auth::read(state, req).await?;
        let params = aliyun::request_params(&incoming.parts())
            .map(Params::new)
            .map_err(|_| FaceError::invalid("parameters", "they must be UTF-8 text"))?;
        ctx.format = Format::from_param(params.get("Format"));
        Ok(AliyunRequest { incoming, params })
    }

    async fn authenticate(
        &self,
        state: &AppState,
        _ctx: &mut Context,
        req: &AliyunRequest,
    ) -> Result<auth::Authenticated, FaceError> {
        auth::authenticate(state, &req.incoming).await
    }

    /// The action and version, `RegionId`, then the operation's typed parameters.
    async fn operation(
        &self,
        _state: &AppState,
        ctx: &mut Context,
        req: AliyunRequest,
        who: auth::Authenticated,
    ) -> Result<Call<actions::Call>, FaceError> {
        let op = operation(&req.incoming, &req.params, who.acs3)?;
        ctx.op = Some(op);
        let region = req.params.required("RegionId")?.to_string();
        Ok(Call {
            caller: Caller::tenant(self.profile.clone(), who.account, region),
            operation: actions::parse(op, &req.params)?,
        })
    }

    /// The response fields besides `RequestId`.
    async fn call(
        &self,
        state: &SharedState,
        call: Call<actions::Call>,
    ) -> Result<serde_json::Value, FaceError> {
        let answer = actions::run(call.operation, &state.service, &call.caller).await?;
        serde_json::to_value(answer).map_err(|_| FaceError::Internal)
    }

    fn answer(&self, ctx: &Context, fields: serde_json::Value) -> Response {
        let action = ctx.op.map_or("", Operation::as_str);
        tracing::info!(action, request_id = ctx.request_id, "aliyun ok");
        render::success(action, fields, &ctx.request_id, ctx.format)
    }

    /// By the table of [`errors`] (some rows depend on the operation).
    fn refuse(&self, ctx: &Context, err: FaceError) -> Response {
        let reply = errors::table(&err, ctx.op);
        tracing::info!(
            action = ctx.op.map_or("", Operation::as_str),
            request_id = ctx.request_id,
            status = reply.status.as_u16(),
            code = reply.code,
            detail = %err,
            "aliyun error"
        );
        render::error(&reply, &ctx.request_id, &ctx.host, ctx.format)
    }
}

/// `Format` from the raw query, for errors met before the parameters are decoded.
fn query_format(query: &str) -> Option<&str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "Format")
        .map(|(_, v)| v)
}

/// The operation and version, from signed input only: for ACS3 the `x-acs-action` and
/// `x-acs-version` headers (which ACS3 requires to be signed), for the RPC scheme the
/// `Action` and `Version` parameters (the RPC signature covers the parameters and no
/// header, so an `x-acs-action` header sent beside them is never read). Unsigned requests
/// (`--insecure-no-auth`) are read like ACS3 when they carry `x-acs-action`, else like RPC.
fn operation(incoming: &Incoming, params: &Params, acs3: bool) -> Result<Operation, FaceError> {
    let pick = |header: &str, param: &str| -> Option<String> {
        let found = if acs3 {
            incoming
                .header(header)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        } else {
            params.opt(param)
        };
        found.map(str::to_string)
    };
    let action = pick("x-acs-action", "Action")
        .ok_or_else(|| FaceError::MissingParameter("Action".into()))?;
    let version = pick("x-acs-version", "Version")
        .ok_or_else(|| FaceError::MissingParameter("Version".into()))?;
    if version != API_VERSION {
        return Err(FaceError::InvalidVersion(version));
    }
    Operation::parse(&action).ok_or(FaceError::UnknownAction(action))
}
