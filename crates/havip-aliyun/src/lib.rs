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
use havip_api::{AppState, Face, Incoming, Serving, SharedState};
use havip_core::Profile;
use havip_service::Caller;
use havip_signature::aliyun;

use crate::actions::{Ctx, Operation};
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

impl Face for AliyunFace {
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

    fn serve(&self, state: SharedState, req: Request) -> Serving {
        Box::pin(handle_with(state, self.profile.clone(), req))
    }
}

/// Serves one Alibaba-style request with the face's default profile.
pub async fn handle(state: SharedState, req: Request) -> Response {
    handle_with(state, Arc::new(profile::profile()), req).await
}

/// Serves one Alibaba-style request by the rules of `profile`.
async fn handle_with(state: SharedState, profile: Arc<Profile>, req: Request) -> Response {
    let request_id = state.service.ids().request_id();
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(DEFAULT_HOST)
        .to_string();
    let Outcome { format, op, result } = serve(&state, profile, req).await;
    match result {
        Ok(fields) => {
            let action = op.map_or("", Operation::as_str);
            tracing::info!(action, request_id, "aliyun ok");
            render::success(action, fields, &request_id, format)
        }
        Err(err) => {
            let reply = errors::table(&err, op);
            tracing::info!(
                action = op.map_or("", Operation::as_str),
                request_id,
                status = reply.status.as_u16(),
                code = reply.code,
                detail = %err,
                "aliyun error"
            );
            render::error(&reply, &request_id, &host, format)
        }
    }
}

/// What became of a request: the format to answer in, the operation (once known) and
/// the response fields or the error.
struct Outcome {
    format: Format,
    op: Option<Operation>,
    result: Result<serde_json::Value, FaceError>,
}

impl Outcome {
    fn failed(format: Format, op: Option<Operation>, err: FaceError) -> Outcome {
        Outcome {
            format,
            op,
            result: Err(err),
        }
    }
}

async fn serve(state: &AppState, profile: Arc<Profile>, req: Request) -> Outcome {
    let format_of_query = Format::from_param(query_format(req.uri().query().unwrap_or("")));
    let incoming = match auth::read(state, req).await {
        Ok(i) => i,
        Err(e) => return Outcome::failed(format_of_query, None, e),
    };
    let params = match aliyun::request_params(&incoming.parts()) {
        Ok(p) => Params::new(p),
        Err(_) => {
            let err = FaceError::invalid("parameters", "they must be UTF-8 text");
            return Outcome::failed(format_of_query, None, err);
        }
    };
    let format = Format::from_param(params.get("Format"));
    let who = match auth::authenticate(state, &incoming).await {
        Ok(who) => who,
        Err(e) => return Outcome::failed(format, None, e),
    };
    let op = match operation(&incoming, &params, who.acs3) {
        Ok(op) => op,
        Err(e) => return Outcome::failed(format, None, e),
    };
    let region = match params.required("RegionId") {
        Ok(r) => r.to_string(),
        Err(e) => return Outcome::failed(format, Some(op), e),
    };
    let ctx = Ctx {
        state,
        caller: Caller::tenant(profile, who.account, region),
        params: &params,
    };
    Outcome {
        format,
        op: Some(op),
        result: actions::run(op, &ctx)
            .await
            .and_then(|answer| serde_json::to_value(answer).map_err(|_| FaceError::Internal)),
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
