//! The Volcengine VPC face of havip (OpenAPI 2020-04-01): the HaVip operations the official
//! Volcengine SDKs call (`GET /?Action=..&Version=..` signed with HMAC-SHA256), answered in
//! the `{"ResponseMetadata", "Result"}` envelope. Order of work for each request: read it,
//! verify the signature (the credential-scope region is the caller's region), resolve
//! Action/Version, parse the parameters, call the service, render.

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
use havip_api::{Face, Incoming, Serving, SharedState};
use havip_core::{DomainError, Profile};
use havip_service::Caller;
use serde_json::{Map, Value};

use crate::actions::{Operation, VERSION};
use crate::errors::FaceError;
use crate::params::Params;
use crate::render::Meta;

/// The face's name (its `[limits.volcengine]` table in the seed).
pub const FACE: &str = "volcengine";

/// The Volcengine face, with its profile (its rules, with the seed's limits).
#[derive(Debug, Clone)]
pub struct VolcengineFace {
    profile: Arc<Profile>,
}

impl VolcengineFace {
    pub fn new(profile: Profile) -> Self {
        VolcengineFace {
            profile: Arc::new(profile),
        }
    }
}

impl Default for VolcengineFace {
    fn default() -> Self {
        VolcengineFace::new(profile::profile())
    }
}

impl Face for VolcengineFace {
    fn name(&self) -> &'static str {
        FACE
    }

    /// Volcengine's `HMAC-SHA256` authorization, an `X-Date` header, or (unsigned)
    /// `Version=2020-04-01` in the query.
    fn claims(&self, req: &Request) -> bool {
        havip_api::authorization(req).starts_with("HMAC-SHA256")
            || req.headers().contains_key("x-date")
            || havip_api::query_has(req, "Version=2020-04-01")
    }

    fn serve(&self, state: SharedState, req: Request) -> Serving {
        Box::pin(handle_with(state, self.profile.clone(), req))
    }
}

/// Serves one Volcengine request with the face's default profile.
pub async fn handle(state: SharedState, req: Request) -> Response {
    handle_with(state, Arc::new(profile::profile()), req).await
}

/// Serves one Volcengine request by the rules of `profile`.
async fn handle_with(state: SharedState, profile: Arc<Profile>, req: Request) -> Response {
    let request_id = state.service.ids().request_id();
    let incoming = match auth::read(&state, req).await {
        Ok(i) => i,
        Err(err) => {
            let meta = Meta {
                request_id,
                action: String::new(),
                version: String::new(),
                region: String::new(),
            };
            return render::error(&meta, &err.spec());
        }
    };
    let (params, body_error) = request_params(&incoming);
    let meta = Meta {
        request_id,
        action: params.raw("Action").unwrap_or_default().to_string(),
        version: params.raw("Version").unwrap_or_default().to_string(),
        region: auth::claimed_region(&incoming, &params),
    };
    match serve(&state, profile, &incoming, &params, body_error).await {
        Ok(result) => render::ok(&meta, result),
        Err(e) => {
            if matches!(e, FaceError::Unavailable) {
                tracing::warn!(action = %meta.action, "volcengine face: store unavailable");
            }
            render::error(&meta, &e.spec())
        }
    }
}

/// Parameters from the query and, for a form or JSON body, from the body too; a JSON
/// body of the wrong shape is the error answered once the signature has been checked.
fn request_params(incoming: &Incoming) -> (Params, Option<FaceError>) {
    let mut params = Params::default();
    let mut body_error = None;
    params.add_form(incoming.query.as_bytes());
    if !incoming.body.is_empty() {
        let content_type = incoming
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if content_type.starts_with("application/x-www-form-urlencoded") {
            params.add_form(&incoming.body);
        } else if content_type.starts_with("application/json") {
            body_error = params
                .add_json(&incoming.body)
                .err()
                .map(FaceError::BodyMalformed);
        }
    }
    (params, body_error)
}

async fn serve(
    state: &SharedState,
    profile: Arc<Profile>,
    incoming: &Incoming,
    params: &Params,
    body_error: Option<FaceError>,
) -> Result<Map<String, Value>, FaceError> {
    let identity = auth::authenticate(state, incoming, params).await?;
    if let Some(e) = body_error {
        return Err(e);
    }
    let action = params
        .get("Action")
        .ok_or(DomainError::MissingParameter("Action"))?;
    let version = params
        .get("Version")
        .ok_or(DomainError::MissingParameter("Version"))?;
    let op = Operation::parse(action)
        .filter(|_| version == VERSION)
        .ok_or_else(|| FaceError::InvalidActionOrVersion {
            action: action.to_string(),
            version: version.to_string(),
        })?;
    let caller = Caller::tenant(profile, identity.account, identity.region);
    let answer = actions::run(op, &state.service, &caller, params).await?;
    match serde_json::to_value(answer) {
        Ok(Value::Object(result)) => Ok(result),
        _ => Err(FaceError::Internal),
    }
}
