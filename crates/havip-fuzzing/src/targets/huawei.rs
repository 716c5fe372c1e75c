//! Checks of the Huawei face's request parsers: port create/update bodies and the list
//! query (Neutron and VPC v1), and the ECS NIC body; each refusal is a 4xx in every
//! family's error table.

use havip_huawei::ecs;
use havip_huawei::errors::{self, FaceError};
use havip_huawei::port_request;

use crate::request;

/// A port request: the body of a create or update, and the query of a list.
pub fn huawei_ports(data: &[u8]) {
    let req = request::parse(data);
    let refusals = [
        port_request::create(&req.body, "port-fuzz".into()).err(),
        port_request::update(&req.body).err(),
        port_request::list_query(&req.query).err(),
    ];
    for e in refusals.into_iter().flatten() {
        for (family, status) in [
            ("neutron", errors::neutron(&e).0),
            ("vpc v1", errors::vpc_v1(&e).0),
        ] {
            assert!(
                status.is_client_error(),
                "{e:?} answers {status} ({family})"
            );
        }
    }
}

/// The body of `PUT /v1/{project_id}/cloudservers/nics/{nic_id}`, as it comes.
pub fn huawei_nic(data: &[u8]) {
    if let Err(e) = ecs::parse(data) {
        refused_4xx(&e, errors::ecs(&e).0);
    }
}

fn refused_4xx(e: &FaceError, status: http::StatusCode) {
    assert!(status.is_client_error(), "{e:?} answers {status}");
}
