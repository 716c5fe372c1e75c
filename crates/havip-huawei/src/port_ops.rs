//! The two port families, Neutron (`/v2.0/ports`) and VPC v1 (`/v1/{project_id}/ports`),
//! and the port operations both offer (create, show, list, update, delete), routed by
//! method and run against the service; each family supplies its rendering and success
//! statuses as a [`Flavor`].

use havip_api::Incoming;
use havip_service::ports::PortDeletion;
use havip_service::{Caller, Service};
use http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::errors::FaceError;
use crate::{port_request, ports, Reply};

/// How a family renders ports and answers creates.
pub struct Flavor {
    pub render: fn(&ports::Port, &str) -> Value,
    pub create_status: StatusCode,
    /// The collection path for `ports_links` (`None`: the family has no links).
    pub links_path: Option<&'static str>,
}

/// The Neutron-style port API, `/v2.0/ports[/{port_id}]` (project from `X-Project-Id`):
/// create (201), show, list with filters and `ports_links`, update, delete (204), with
/// `NeutronError` errors.
pub const NEUTRON: Flavor = Flavor {
    render: ports::neutron_json,
    create_status: StatusCode::CREATED,
    links_path: Some("/v2.0/ports"),
};

/// The Huawei-native VPC port API, `/v1/{project_id}/ports[/{port_id}]`: the same
/// semantics as the Neutron family, with VPC `Port` bodies, 200 on create and
/// `{"code","message"}` errors.
pub const VPC_V1: Flavor = Flavor {
    render: ports::v1_json,
    create_status: StatusCode::OK,
    links_path: None,
};

/// One port call of either family; `port` is the id in the path, if any.
pub async fn serve(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    project: &str,
    port: Option<&str>,
    incoming: &Incoming,
) -> Result<Reply, FaceError> {
    let (query, body) = (incoming.query.as_str(), &incoming.body[..]);
    match (&incoming.method, port) {
        (&Method::POST, None) => create(service, caller, flavor, project, body).await,
        (&Method::GET, None) => list(service, caller, flavor, project, query).await,
        (&Method::GET, Some(id)) => show(service, caller, flavor, project, id).await,
        (&Method::PUT, Some(id)) => update(service, caller, flavor, project, id, body).await,
        (&Method::DELETE, Some(id)) => delete(service, caller, id).await,
        _ => Err(FaceError::NoSuchApi),
    }
}

fn one(flavor: &Flavor, port: &ports::Port, project: &str, status: StatusCode) -> Reply {
    Reply::json(status, json!({"port": (flavor.render)(port, project)}))
}

async fn show_after(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    id: &str,
    project: &str,
    status: StatusCode,
) -> Result<Reply, FaceError> {
    let snapshot = service.port_snapshot(caller).await?;
    let port = ports::find(&snapshot, id).ok_or_else(|| FaceError::PortNotFound(id.to_string()))?;
    Ok(one(flavor, &port, project, status))
}

pub async fn create(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    project: &str,
    body: &[u8],
) -> Result<Reply, FaceError> {
    let new = port_request::create(body, service.ids().uuid())?;
    let havip = service.create_vip_port(caller, &new).await?;
    show_after(
        service,
        caller,
        flavor,
        &havip.id,
        project,
        flavor.create_status,
    )
    .await
}

pub async fn show(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    project: &str,
    id: &str,
) -> Result<Reply, FaceError> {
    show_after(service, caller, flavor, id, project, StatusCode::OK).await
}

pub async fn list(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    project: &str,
    query: &str,
) -> Result<Reply, FaceError> {
    let q = port_request::list_query(query)?;
    let snapshot = service.port_snapshot(caller).await?;
    let (page, more) = q.page(ports::all(&snapshot), project)?;
    let items: Vec<Value> = page.iter().map(|p| (flavor.render)(p, project)).collect();
    let mut body = json!({"ports": items});
    if let (Some(path), Some(limit), true, Some(last)) =
        (flavor.links_path, q.limit, more, page.last())
    {
        body["ports_links"] =
            json!([{"href": format!("{path}?limit={limit}&marker={}", last.id), "rel": "next"}]);
    }
    Ok(Reply::json(StatusCode::OK, body))
}

pub async fn update(
    service: &Service,
    caller: &Caller,
    flavor: &Flavor,
    project: &str,
    id: &str,
    body: &[u8],
) -> Result<Reply, FaceError> {
    let u = port_request::update(body)?;
    let found = service
        .update_port(
            caller,
            id,
            u.name.as_deref(),
            u.allowed_address_pairs.as_deref(),
        )
        .await?;
    if !found {
        return Err(FaceError::PortNotFound(id.to_string()));
    }
    show_after(service, caller, flavor, id, project, StatusCode::OK).await
}

pub async fn delete(service: &Service, caller: &Caller, id: &str) -> Result<Reply, FaceError> {
    match service.delete_port(caller, id).await? {
        PortDeletion::Deleted => Ok(Reply::empty(StatusCode::NO_CONTENT)),
        PortDeletion::NotFound => Err(FaceError::DeletePortNotFound(id.to_string())),
        PortDeletion::NicPort { .. } => Err(FaceError::NicPortNotDeletable(id.to_string())),
    }
}
