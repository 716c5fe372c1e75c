//! The Huawei Cloud face of havip: the ECS NIC virtual-IP call
//! (`PUT /v1/{project_id}/cloudservers/nics/{nic_id}`), the Neutron port API (`/v2.0/ports`)
//! and the VPC v1 port API (`/v1/{project_id}/ports`), signed with SDK-HMAC-SHA256, so
//! that `huaweicloudsdkecs` and `huaweicloudsdkvpc` work unchanged. A HaVip is a VIP port,
//! an ENI a NIC port; every answer carries `X-Request-Id`.

pub mod answers;
mod auth;
/// Public for the fuzz checks (`havip-fuzzing`) only.
#[doc(hidden)]
pub mod ecs;
pub mod errors;
mod port_ops;
/// Public for the fuzz checks (`havip-fuzzing`) only.
#[doc(hidden)]
pub mod port_request;
mod ports;
pub mod profile;

use std::sync::Arc;

use axum::extract::Request;
use axum::response::Response;
use havip_api::{AppState, Face, Serving, SharedState};
use havip_core::Profile;
use http::{Method, StatusCode};
use serde_json::Value;

use crate::auth::ProjectSource;
use crate::errors::{FaceError, Family};

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
}

impl Reply {
    pub fn json(status: StatusCode, body: Value) -> Self {
        Reply {
            status,
            body: Some(body),
        }
    }

    pub fn empty(status: StatusCode) -> Self {
        Reply { status, body: None }
    }

    /// A typed answer; one that cannot be written is the server's fault.
    pub fn answer(status: StatusCode, body: &impl serde::Serialize) -> Result<Self, FaceError> {
        let body = serde_json::to_value(body).map_err(|_| FaceError::Internal)?;
        Ok(Reply::json(status, body))
    }
}

/// Which API a request calls, from its method and raw path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    EcsNic {
        project: String,
        nic: String,
    },
    Neutron {
        port: Option<String>,
    },
    VpcV1 {
        project: String,
        port: Option<String>,
    },
    /// Not an API of this face (answered 404 APIGW.0101).
    Unknown,
}

impl Route {
    pub fn family(&self) -> Family {
        match self {
            Route::EcsNic { .. } | Route::Unknown => Family::Ecs,
            Route::Neutron { .. } => Family::Neutron,
            Route::VpcV1 { .. } => Family::VpcV1,
        }
    }
}

fn decode_segment(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Classifies a request; a single trailing `/` is ignored.
pub fn route(method: &Method, raw_path: &str) -> Route {
    let trimmed = raw_path.strip_suffix('/').unwrap_or(raw_path);
    let Some(segments) = trimmed
        .split('/')
        .skip(1)
        .map(decode_segment)
        .collect::<Option<Vec<String>>>()
    else {
        return Route::Unknown;
    };
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let id = |s: &str| (!s.is_empty()).then(|| s.to_string());
    match segs.as_slice() {
        ["v2.0", "ports"] => Route::Neutron { port: None },
        ["v2.0", "ports", port] if !port.is_empty() => Route::Neutron { port: id(port) },
        ["v1", project, "cloudservers", "nics", nic]
            if method == Method::PUT && !nic.is_empty() =>
        {
            Route::EcsNic {
                project: project.to_string(),
                nic: nic.to_string(),
            }
        }
        ["v1", project, "ports"] => Route::VpcV1 {
            project: project.to_string(),
            port: None,
        },
        ["v1", project, "ports", port] if !port.is_empty() => Route::VpcV1 {
            project: project.to_string(),
            port: id(port),
        },
        _ => Route::Unknown,
    }
}

/// The face's name (its `[limits.huawei]` table in the seed).
pub const FACE: &str = "huawei";

/// The Huawei face, with its profile (its rules, with the seed's limits).
#[derive(Debug, Clone)]
pub struct HuaweiFace {
    profile: Arc<Profile>,
}

impl HuaweiFace {
    pub fn new(profile: Profile) -> Self {
        HuaweiFace {
            profile: Arc::new(profile),
        }
    }
}

impl Default for HuaweiFace {
    fn default() -> Self {
        HuaweiFace::new(profile::profile())
    }
}

impl Face for HuaweiFace {
    fn name(&self) -> &'static str {
        FACE
    }

    /// Neutron's `/v2.0` paths, Huawei's v1 shapes (`/v1/{project_id}/cloudservers/...`,
    /// `/v1/{project_id}/ports...`), and anything signed with SDK-HMAC. Asked after the
    /// native face, which keeps its own `/v1` collections.
    fn claims(&self, req: &Request) -> bool {
        let auth = havip_api::authorization(req);
        let path = req.uri().path();
        let v1_shape = path
            .strip_prefix("/v1/")
            .is_some_and(|rest| matches!(rest.split('/').nth(1), Some("cloudservers" | "ports")));
        path.starts_with("/v2.0/") || path == "/v2.0" || auth.starts_with("SDK-HMAC-") || v1_shape
    }

    fn serve(&self, state: SharedState, req: Request) -> Serving {
        Box::pin(handle_with(state, self.profile.clone(), req))
    }
}

/// One Huawei request in, one answer out, with the face's default profile.
pub async fn handle(state: SharedState, req: Request) -> Response {
    handle_with(state, Arc::new(profile::profile()), req).await
}

/// One Huawei request in, one answer out, by the rules of `profile`.
async fn handle_with(state: SharedState, profile: Arc<Profile>, req: Request) -> Response {
    let request_id = state.service.ids().hex_request_id();
    let route = route(req.method(), req.uri().path());
    let family = route.family();
    match serve(&state, profile, req, route).await {
        Ok(reply) => errors::json_response(reply.status, reply.body.as_ref(), &request_id),
        Err(e) => errors::render(family, &e, &request_id),
    }
}

async fn serve(
    state: &AppState,
    profile: Arc<Profile>,
    req: Request,
    route: Route,
) -> Result<Reply, FaceError> {
    if route == Route::Unknown {
        return Err(FaceError::NoSuchApi);
    }
    let incoming = auth::read(state, req).await?;
    let account = auth::account(state, &incoming).await?;
    let source = match &route {
        Route::EcsNic { project, .. } | Route::VpcV1 { project, .. } => {
            ProjectSource::Path(project.clone())
        }
        Route::Neutron { .. } | Route::Unknown => ProjectSource::Header,
    };
    let (caller, project) = auth::caller(state, profile, &incoming, &account, &source).await?;
    let service = &state.service;
    let (flavor, port) = match &route {
        Route::EcsNic { nic, .. } => {
            return ecs::serve(service, &caller, nic, &incoming.body).await
        }
        Route::Neutron { port } => (&port_ops::NEUTRON, port),
        Route::VpcV1 { port, .. } => (&port_ops::VPC_V1, port),
        Route::Unknown => return Err(FaceError::NoSuchApi),
    };
    port_ops::serve(
        service,
        &caller,
        flavor,
        &project,
        port.as_deref(),
        &incoming,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            route(&Method::PUT, "/v1/p1/cloudservers/nics/n%201"),
            Route::EcsNic {
                project: "p1".into(),
                nic: "n 1".into()
            }
        );
        assert_eq!(
            route(&Method::GET, "/v1/p1/cloudservers/nics/n1"),
            Route::Unknown
        );
        assert_eq!(
            route(&Method::GET, "/v1/p1/cloudservers/detail"),
            Route::Unknown
        );
        assert_eq!(
            route(&Method::GET, "/v2.0/ports"),
            Route::Neutron { port: None }
        );
        assert_eq!(
            route(&Method::GET, "/v2.0/ports/"),
            Route::Neutron { port: None }
        );
        assert_eq!(
            route(&Method::DELETE, "/v2.0/ports/x"),
            Route::Neutron {
                port: Some("x".into())
            }
        );
        assert_eq!(route(&Method::GET, "/v2.0/ports/x/y"), Route::Unknown);
        assert_eq!(route(&Method::GET, "/v2.0/networks"), Route::Unknown);
        assert_eq!(
            route(&Method::POST, "/v1/p1/ports"),
            Route::VpcV1 {
                project: "p1".into(),
                port: None
            }
        );
        assert_eq!(
            route(&Method::GET, "/v1/%7Bproject_id%7D/ports/x"),
            Route::VpcV1 {
                project: "{project_id}".into(),
                port: Some("x".into())
            }
        );
        assert_eq!(route(&Method::GET, "/v1/p/ports/%FF"), Route::Unknown);
        assert_eq!(route(&Method::GET, "/"), Route::Unknown);
        assert_eq!(route(&Method::GET, "/v1/p/ports").family(), Family::VpcV1);
    }
}
