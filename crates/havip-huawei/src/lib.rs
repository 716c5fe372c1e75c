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
pub mod lookups;
mod port_ops;
/// Public for the fuzz checks (`havip-fuzzing`) only.
#[doc(hidden)]
pub mod port_request;
mod ports;
pub mod profile;

use std::sync::Arc;

use axum::extract::Request;
use axum::response::Response;
use havip_api::{AppState, Call, Face, Incoming, SharedState};
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
    /// VPC v1 subnets, `GET /v1/{project_id}/subnets[/{subnet_id}]`.
    Subnets {
        project: String,
        subnet: Option<String>,
    },
    /// A server's NICs, `GET /v1/{project_id}/cloudservers/{server_id}/os-interface`.
    ServerInterfaces {
        project: String,
        server: String,
    },
    /// Not an API of this face (answered 404 APIGW.0101).
    Unknown,
}

impl Route {
    pub fn family(&self) -> Family {
        match self {
            Route::EcsNic { .. } | Route::ServerInterfaces { .. } | Route::Unknown => Family::Ecs,
            Route::Neutron { .. } => Family::Neutron,
            Route::VpcV1 { .. } | Route::Subnets { .. } => Family::VpcV1,
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
        ["v1", project, "cloudservers", server, "os-interface"]
            if method == Method::GET && !server.is_empty() =>
        {
            Route::ServerInterfaces {
                project: project.to_string(),
                server: server.to_string(),
            }
        }
        ["v1", project, "subnets"] if method == Method::GET => Route::Subnets {
            project: project.to_string(),
            subnet: None,
        },
        ["v1", project, "subnets", subnet] if method == Method::GET && !subnet.is_empty() => {
            Route::Subnets {
                project: project.to_string(),
                subnet: id(subnet),
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

/// What every answer needs: the request id, and the API family whose error table applies.
#[derive(Debug)]
pub struct Context {
    request_id: String,
    route: Route,
}

/// The operations of this face, typed.
#[derive(Debug)]
pub enum Operation {
    /// The ECS NIC call: bind a VIP to the NIC, or unbind every VIP from it.
    Nic { nic: String, change: ecs::NicChange },
    /// A server's NICs (ECS `os-interface`).
    ServerInterfaces(String),
    /// One VPC v1 subnet.
    Subnet { project: String, id: String },
    /// VPC v1 subnets.
    Subnets {
        project: String,
        query: lookups::SubnetQuery,
    },
    /// A port call of the Neutron or the VPC v1 family.
    Port(Box<port_ops::PortCall>),
}

impl Face for HuaweiFace {
    type Context = Context;
    type Request = Incoming;
    type Identity = String;
    type Operation = Operation;
    type Answer = Reply;
    type Error = FaceError;

    fn name(&self) -> &'static str {
        FACE
    }

    /// Neutron's `/v2.0` paths, Huawei's v1 shapes (`/v1/{project_id}/cloudservers/...`,
    /// `/v1/{project_id}/ports...`, `/v1/{project_id}/subnets...`), and anything signed
    /// with SDK-HMAC. Asked after the
    /// native face, which keeps its own `/v1` collections.
    fn claims(&self, req: &Request) -> bool {
        let auth = havip_api::authorization(req);
        let path = req.uri().path();
        let v1_shape = path.strip_prefix("/v1/").is_some_and(|rest| {
            matches!(
                rest.split('/').nth(1),
                Some("cloudservers" | "ports" | "subnets")
            )
        });
        path.starts_with("/v2.0/") || path == "/v2.0" || auth.starts_with("SDK-HMAC-") || v1_shape
    }

    /// The route, from the method and the raw path: it decides the error table.
    fn begin(&self, state: &AppState, req: &Request) -> Context {
        Context {
            request_id: state.service.ids().hex_request_id(),
            route: route(req.method(), req.uri().path()),
        }
    }

    /// A path of no API of this face is refused unread.
    async fn read(
        &self,
        state: &AppState,
        ctx: &mut Context,
        req: Request,
    ) -> Result<Incoming, FaceError> {
        if ctx.route == Route::Unknown {
            return Err(FaceError::NoSuchApi);
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
        auth::account(state, incoming).await
    }

    /// The project (from the path, or `X-Project-Id` for Neutron) must be the caller's:
    /// its region is the caller's. Then the typed call of the route.
    async fn operation(
        &self,
        state: &AppState,
        ctx: &mut Context,
        incoming: Incoming,
        account: String,
    ) -> Result<Call<Operation>, FaceError> {
        let source = match &ctx.route {
            Route::EcsNic { project, .. }
            | Route::VpcV1 { project, .. }
            | Route::Subnets { project, .. }
            | Route::ServerInterfaces { project, .. } => ProjectSource::Path(project.clone()),
            Route::Neutron { .. } | Route::Unknown => ProjectSource::Header,
        };
        let (caller, project) =
            auth::caller(state, self.profile.clone(), &incoming, &account, &source).await?;
        let (flavor, port) = match &ctx.route {
            Route::EcsNic { nic, .. } => {
                let operation = Operation::Nic {
                    nic: nic.clone(),
                    change: ecs::parse(&incoming.body)?,
                };
                return Ok(Call { caller, operation });
            }
            Route::ServerInterfaces { server, .. } => {
                let operation = Operation::ServerInterfaces(server.clone());
                return Ok(Call { caller, operation });
            }
            Route::Subnets { subnet, .. } => {
                let operation = match subnet {
                    Some(id) => Operation::Subnet {
                        project,
                        id: id.clone(),
                    },
                    None => Operation::Subnets {
                        project,
                        query: lookups::subnet_query(&incoming.query)?,
                    },
                };
                return Ok(Call { caller, operation });
            }
            Route::Neutron { port } => (&port_ops::NEUTRON, port),
            Route::VpcV1 { port, .. } => (&port_ops::VPC_V1, port),
            Route::Unknown => return Err(FaceError::NoSuchApi),
        };
        let new_id = || state.service.ids().uuid();
        let call = port_ops::parse(flavor, project, port.clone(), &incoming, new_id)?;
        Ok(Call {
            caller,
            operation: Operation::Port(Box::new(call)),
        })
    }

    async fn call(&self, state: &SharedState, call: Call<Operation>) -> Result<Reply, FaceError> {
        let service = &state.service;
        match call.operation {
            Operation::Nic { nic, change } => ecs::run(service, &call.caller, &nic, change).await,
            Operation::ServerInterfaces(server) => {
                lookups::server_interfaces(service, &call.caller, &server).await
            }
            Operation::Subnet { project, id } => {
                lookups::show_subnet(service, &call.caller, &project, &id).await
            }
            Operation::Subnets { project, query } => {
                lookups::list_subnets(service, &call.caller, &project, &query).await
            }
            Operation::Port(port) => port_ops::run(service, &call.caller, *port).await,
        }
    }

    fn answer(&self, ctx: &Context, reply: Reply) -> Response {
        errors::json_response(reply.status, reply.body.as_ref(), &ctx.request_id)
    }

    /// By the table of the route's family ([`errors`]).
    fn refuse(&self, ctx: &Context, error: FaceError) -> Response {
        errors::render(ctx.route.family(), &error, &ctx.request_id)
    }
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
        assert_eq!(
            route(&Method::GET, "/v1/p1/subnets"),
            Route::Subnets {
                project: "p1".into(),
                subnet: None
            }
        );
        assert_eq!(
            route(&Method::GET, "/v1/p1/subnets/n1"),
            Route::Subnets {
                project: "p1".into(),
                subnet: Some("n1".into())
            }
        );
        assert_eq!(route(&Method::POST, "/v1/p1/subnets"), Route::Unknown);
        assert_eq!(
            route(&Method::GET, "/v1/p1/cloudservers/s1/os-interface"),
            Route::ServerInterfaces {
                project: "p1".into(),
                server: "s1".into()
            }
        );
        assert_eq!(
            route(&Method::POST, "/v1/p1/cloudservers/s1/os-interface"),
            Route::Unknown
        );
        assert_eq!(route(&Method::GET, "/v1/p/subnets").family(), Family::VpcV1);
        assert_eq!(
            route(&Method::GET, "/v1/p/cloudservers/s/os-interface").family(),
            Family::Ecs
        );
        assert_eq!(route(&Method::GET, "/"), Route::Unknown);
        assert_eq!(route(&Method::GET, "/v1/p/ports").family(), Family::VpcV1);
    }
}
