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
use havip_api::{AppState, Call, Face, Incoming, SharedState};
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

/// A request read whole: its parameters (query, and a form or JSON body), and the error
/// a JSON body of the wrong shape is, answered once the signature has been checked.
#[derive(Debug)]
pub struct VolcRequest {
    incoming: Incoming,
    params: Params,
    body_error: Option<FaceError>,
}

impl Face for VolcengineFace {
    /// The `ResponseMetadata` every answer carries.
    type Context = Meta;
    type Request = VolcRequest;
    type Identity = auth::Identity;
    type Operation = actions::Call;
    type Answer = Map<String, Value>;
    type Error = FaceError;

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

    fn begin(&self, state: &AppState, _req: &Request) -> Meta {
        Meta {
            request_id: state.service.ids().request_id(),
            action: String::new(),
            version: String::new(),
            region: String::new(),
        }
    }

    /// The request whole, then its parameters; the metadata echoes the action, version
    /// and region they name.
    async fn read(
        &self,
        state: &AppState,
        meta: &mut Meta,
        req: Request,
    ) -> Result<VolcRequest, FaceError> {
        let incoming = auth::read(state, req).await?;
        let (params, body_error) = request_params(&incoming);
        meta.action = params.raw("Action").unwrap_or_default().to_string();
        meta.version = params.raw("Version").unwrap_or_default().to_string();
        meta.region = auth::claimed_region(&incoming, &params);
        Ok(VolcRequest {
            incoming,
            params,
            body_error,
        })
    }

    /// The account of the key, and the region of the credential scope.
    async fn authenticate(
        &self,
        state: &AppState,
        _meta: &mut Meta,
        req: &VolcRequest,
    ) -> Result<auth::Identity, FaceError> {
        auth::authenticate(state, &req.incoming, &req.params).await
    }

    /// A malformed JSON body, then `Action` and `Version`, then the typed parameters.
    async fn operation(
        &self,
        _state: &AppState,
        _meta: &mut Meta,
        req: VolcRequest,
        identity: auth::Identity,
    ) -> Result<Call<actions::Call>, FaceError> {
        if let Some(e) = req.body_error {
            return Err(e);
        }
        let params = &req.params;
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
        Ok(Call {
            caller: Caller::tenant(self.profile.clone(), identity.account, identity.region),
            operation: actions::parse(op, params)?,
        })
    }

    /// The answer's `Result` fields.
    async fn call(
        &self,
        state: &SharedState,
        call: Call<actions::Call>,
    ) -> Result<Map<String, Value>, FaceError> {
        let answer = actions::run(call.operation, &state.service, &call.caller).await?;
        match serde_json::to_value(answer) {
            Ok(Value::Object(result)) => Ok(result),
            _ => Err(FaceError::Internal),
        }
    }

    fn answer(&self, meta: &Meta, result: Map<String, Value>) -> Response {
        render::ok(meta, result)
    }

    /// By the table of [`errors`].
    fn refuse(&self, meta: &Meta, error: FaceError) -> Response {
        if matches!(error, FaceError::Unavailable) {
            tracing::warn!(action = %meta.action, "volcengine face: store unavailable");
        }
        render::error(meta, &error.spec())
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
