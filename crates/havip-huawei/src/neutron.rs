//! The Neutron-style port API, `/v2.0/ports[/{port_id}]` (project from `X-Project-Id`):
//! create (201), show, list with filters and `ports_links`, update, delete (204), with
//! `NeutronError` errors.

use havip_service::{Caller, Service};
use http::{Method, StatusCode};

use crate::errors::FaceError;
use crate::port_ops::{self, Flavor};
use crate::{ports, Reply};

const FLAVOR: Flavor = Flavor {
    render: ports::neutron_json,
    create_status: StatusCode::CREATED,
    links_path: Some("/v2.0/ports"),
};

/// One Neutron port call; `port` is the id in the path, if any.
pub async fn serve(
    service: &Service,
    caller: &Caller,
    project: &str,
    method: &Method,
    port: Option<&str>,
    query: &str,
    body: &[u8],
) -> Result<Reply, FaceError> {
    match (method, port) {
        (&Method::POST, None) => port_ops::create(service, caller, &FLAVOR, project, body).await,
        (&Method::GET, None) => port_ops::list(service, caller, &FLAVOR, project, query).await,
        (&Method::GET, Some(id)) => port_ops::show(service, caller, &FLAVOR, project, id).await,
        (&Method::PUT, Some(id)) => {
            port_ops::update(service, caller, &FLAVOR, project, id, body).await
        }
        (&Method::DELETE, Some(id)) => port_ops::delete(service, caller, id).await,
        _ => Err(FaceError::NoSuchApi),
    }
}
