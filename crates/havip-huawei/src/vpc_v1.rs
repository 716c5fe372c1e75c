//! The Huawei-native VPC port API, `/v1/{project_id}/ports[/{port_id}]`: the same
//! semantics as the Neutron family, with VPC `Port` bodies, 200 on create and
//! `{"code","message"}` errors.

use havip_service::{Caller, Service};
use http::{Method, StatusCode};

use crate::errors::FaceError;
use crate::port_ops::{self, Flavor};
use crate::{ports, Reply};

const FLAVOR: Flavor = Flavor {
    render: ports::v1_json,
    create_status: StatusCode::OK,
    links_path: None,
};

/// One VPC v1 port call; `port` is the id in the path, if any.
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
