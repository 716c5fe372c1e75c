//! The port operations both port families offer (create, show, list, update, delete),
//! run against the service; each family supplies its rendering and success statuses.

use havip_api::ids;
use havip_service::ports::PortDeletion;
use havip_service::{Caller, Service};
use http::StatusCode;
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
    let new = port_request::create(body, ids::uuid())?;
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
    let (page, more) = q.page(ports::all(&snapshot), project);
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
