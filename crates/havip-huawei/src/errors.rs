//! THE error tables of the Huawei face: every failure is a [`FaceError`], and each API
//! family turns it into its own code, HTTP status and envelope in one `match`:
//! API gateway `{"error_msg","error_code","request_id"}` (signature, project, routing —
//! the same for every family), ECS `{"error":{"code","message"}}`, Neutron
//! `{"NeutronError":{"type","message","detail"}}`, VPC v1 `{"code","message"}`.
//! Every answer carries `X-Request-Id`.

use axum::response::{IntoResponse, Response};
use havip_core::{DomainError, HaVipStatus};
use havip_service::ServiceError;
use http::{HeaderValue, StatusCode};
use serde_json::{json, Value};

/// The API family a request belongs to; it picks the error envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `PUT /v1/{project_id}/cloudservers/nics/{nic_id}`.
    Ecs,
    /// `/v2.0/ports`.
    Neutron,
    /// `/v1/{project_id}/ports`.
    VpcV1,
}

/// Why a Huawei request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaceError {
    // --- API gateway --------------------------------------------------------------
    #[error("The API does not exist or has not been published in the environment.")]
    NoSuchApi,
    #[error("the request body is larger than 1 MiB")]
    BodyTooLarge,
    #[error("the request body could not be read")]
    BodyUnreadable,
    #[error("the request is not signed")]
    Unsigned,
    #[error("the signature is not valid: {0}")]
    BadSignature(String),
    #[error("the access key is unknown or disabled")]
    UnknownAccessKey,
    #[error("X-Sdk-Date is more than 15 minutes away from the server time")]
    SignatureExpired,
    #[error("the project is not the caller's: {0}")]
    ProjectForbidden(String),

    // --- request ------------------------------------------------------------------
    #[error("{0}")]
    Malformed(String),
    #[error("Port {0} could not be found.")]
    PortNotFound(String),
    /// A delete of a port that does not exist (the VPC v1 API has its own code for it).
    #[error("Port {0} could not be found.")]
    DeletePortNotFound(String),
    /// A subnet the caller's project does not have (VPC v1 subnet show).
    #[error("Subnet {0} could not be found.")]
    SubnetNotFound(String),
    /// A server the caller's project does not have (ECS `os-interface`).
    #[error("Instance {0} could not be found.")]
    ServerNotFound(String),
    /// Deleting a NIC port, which havip does not do through the port API.
    #[error("Port {0} is a NIC port of a server (device_id is not empty); it cannot be deleted.")]
    NicPortNotDeletable(String),
    #[error(transparent)]
    Domain(DomainError),
    #[error("the store is unavailable")]
    Unavailable,
    /// An answer could not be written (a fault of the server, never of the request).
    #[error("the answer could not be written")]
    Internal,
}

impl From<ServiceError> for FaceError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Domain(d) => FaceError::Domain(d),
            ServiceError::Store(s) => {
                tracing::warn!(error = %s, "store failure in the huawei face");
                FaceError::Unavailable
            }
        }
    }
}

impl From<DomainError> for FaceError {
    fn from(e: DomainError) -> Self {
        FaceError::Domain(e)
    }
}

/// Neutron's message for a port create past the project's quota (`OverQuota`, with the
/// resources over quota as Python prints the sorted list). VIP ports are what the quota
/// counts here; the other faces call them HaVips.
const PORT_QUOTA: &str = "Quota exceeded for resources: ['port'].";

/// The API gateway's answer to `e`, for the failures the gateway owns.
pub fn gateway(e: &FaceError) -> Option<(StatusCode, &'static str, String)> {
    const IAM: &str = "Incorrect IAM authentication information";
    let row = match e {
        FaceError::NoSuchApi => (StatusCode::NOT_FOUND, "APIGW.0101", e.to_string()),
        FaceError::BodyTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "APIGW.0201",
            "API request error: the request body is larger than 1 MiB.".into(),
        ),
        FaceError::BodyUnreadable => (
            StatusCode::BAD_REQUEST,
            "APIGW.0201",
            "API request error: the request body could not be read.".into(),
        ),
        FaceError::Unsigned => (
            StatusCode::UNAUTHORIZED,
            "APIGW.0301",
            format!("{IAM}: x-auth-token not found (the request carries no SDK-HMAC-SHA256 Authorization header)"),
        ),
        FaceError::BadSignature(detail) => (
            StatusCode::UNAUTHORIZED,
            "APIGW.0301",
            format!("{IAM}: verify aksk signature fail, {detail}"),
        ),
        FaceError::UnknownAccessKey => (
            StatusCode::UNAUTHORIZED,
            "APIGW.0301",
            format!("{IAM}: Get secretKey failed (unknown or disabled access key)"),
        ),
        FaceError::SignatureExpired => (
            StatusCode::UNAUTHORIZED,
            "APIGW.0301",
            format!("{IAM}: calc ak sk signature fail:signature expired (X-Sdk-Date must be within 15 minutes of the server time)"),
        ),
        FaceError::ProjectForbidden(detail) => (
            StatusCode::FORBIDDEN,
            "APIGW.0302",
            format!("The IAM user is not authorized to access the API: {detail}"),
        ),
        FaceError::Malformed(_)
        | FaceError::PortNotFound(_)
        | FaceError::DeletePortNotFound(_)
        | FaceError::SubnetNotFound(_)
        | FaceError::ServerNotFound(_)
        | FaceError::NicPortNotDeletable(_)
        | FaceError::Domain(_)
        | FaceError::Unavailable
        | FaceError::Internal => return None,
    };
    Some(row)
}

/// The ECS answer (`{"error":{"code","message"}}`) to a failure of the NIC call.
pub fn ecs(e: &FaceError) -> (StatusCode, &'static str, String) {
    use DomainError as D;
    const BAD: StatusCode = StatusCode::BAD_REQUEST;
    match e {
        FaceError::Malformed(m) => (BAD, "Ecs.0005", format!("Invalid parameter values: {m}")),
        FaceError::Domain(D::IpMalformed(ip)) => (
            BAD,
            "Ecs.0005",
            format!("Invalid parameter values: ip_address {ip:?} is not an IPv4 address."),
        ),
        FaceError::PortNotFound(id) | FaceError::DeletePortNotFound(id) | FaceError::Domain(D::EniNotFound(id)) => (
            BAD,
            "Ecs.0307",
            format!("Failed to query the port: NIC {id} does not exist."),
        ),
        FaceError::Domain(D::SubnetNotFound(id)) | FaceError::SubnetNotFound(id) => {
            (BAD, "Ecs.0038", format!("The subnet {id} does not exist."))
        }
        FaceError::ServerNotFound(id) => (
            StatusCode::NOT_FOUND,
            "Ecs.0114",
            format!("Instance[{id}] could not be found."),
        ),
        FaceError::Domain(D::IpOutOfRange(ip)) => (
            BAD,
            "Ecs.0039",
            format!("The specified IP address {ip} does not belong to the subnet."),
        ),
        FaceError::Domain(D::DifferentSubnet) => (
            BAD,
            "Ecs.0014",
            "Incorrect VPC, subnet, or security group parameter values: subnet_id is not the subnet of the NIC.".into(),
        ),
        FaceError::Domain(D::IpInUse(ip) | D::IpReserved(ip)) => (
            BAD,
            "Ecs.0010",
            format!("The private IP address {ip} is already being used by a port that is not a VIP port. Select another IP address."),
        ),
        FaceError::Domain(D::InstanceStatus { status, .. }) => (
            BAD,
            "Ecs.0100",
            format!("The ECS status does not meet requirements: the server is {}; it must be running or stopped.", status.as_str()),
        ),
        FaceError::Domain(D::InstancesPerHaVipLimit { limit }) => (
            BAD,
            "Ecs.0213",
            format!("Failed to update the port attributes: the VIP is bound to the most NICs allowed ({limit})."),
        ),
        FaceError::Domain(D::HaVipsPerInstanceLimit { limit }) => (
            BAD,
            "Ecs.0213",
            format!("Failed to update the port attributes: the server carries the most VIPs allowed ({limit})."),
        ),
        FaceError::Domain(D::HaVipQuotaExceeded { .. }) => (
            BAD,
            "Ecs.0213",
            format!("Failed to update the port attributes: {PORT_QUOTA}"),
        ),
        FaceError::Domain(D::HaVipStatus { status, .. }) => (
            BAD,
            "Ecs.0213",
            format!("Failed to update the port attributes: the VIP is {}; wait until its change completes.", status.as_str()),
        ),
        FaceError::Domain(D::MixedTypes { .. }) => (
            BAD,
            "Ecs.0213",
            "Failed to update the port attributes: the VIP is bound to servers, not to NICs.".into(),
        ),
        FaceError::Domain(D::TwoEnisOfOneInstance) => (
            BAD,
            "Ecs.0213",
            "Failed to update the port attributes: another NIC of the same server already carries the VIP.".into(),
        ),
        FaceError::Domain(D::FreeEni) => (
            BAD,
            "Ecs.0323",
            "Failed to query the NIC attached to the ECS: the port is not attached to a server.".into(),
        ),
        FaceError::Domain(D::ServiceManagedEni) => (
            StatusCode::FORBIDDEN,
            "Ecs.0003",
            "You do not have permission to perform this operation: the NIC is managed by a cloud service.".into(),
        ),
        FaceError::NicPortNotDeletable(_) => (BAD, "Ecs.0213", e.to_string()),
        FaceError::Unavailable => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Ecs.1002",
            "A system exception occurred: the store is unavailable. Try again later.".into(),
        ),
        FaceError::Internal => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Ecs.1002",
            "A system exception occurred.".into(),
        ),
        // Every other rule, named one by one: a new rule must be given its row here.
        FaceError::Domain(
            other @ (D::MissingParameter(..)
            | D::InvalidParameter { .. }
            | D::ClientTokenMalformed
            | D::InstanceTypeMalformed(..)
            | D::NameMalformed
            | D::DescriptionMalformed
            | D::TagKeyMalformed(..)
            | D::TagValueMalformed(..)
            | D::TagKeyDuplicated(..)
            | D::TooManyTags { .. }
            | D::RegionNotFound(..)
            | D::HaVipNotFound(..)
            | D::InstanceNotFound(..)
            | D::VpcNotFound(..)
            | D::AccountNotFound(..)
            | D::AlreadyExists(..)
            | D::AlreadyAssociated
            | D::NotAssociated
            | D::UnassociateMaster
            | D::EniCarriesHaVip
            | D::EniAttached
            | D::EniIsPrimary
            | D::EipBound
            | D::MasterFollowsArp
            | D::SubnetExhausted
            | D::CidrMalformed(..)
            | D::CidrOutsideVpc
            | D::IdempotentParameterMismatch
            | D::IdempotentProcessing),
        ) => (BAD, "Ecs.0005", format!("Invalid parameter values: {other}.")),
        FaceError::NoSuchApi
        | FaceError::BodyTooLarge
        | FaceError::BodyUnreadable
        | FaceError::Unsigned
        | FaceError::BadSignature(_)
        | FaceError::UnknownAccessKey
        | FaceError::SignatureExpired
        | FaceError::ProjectForbidden(_) => gateway_row_or_internal(e),
    }
}

/// The Neutron answer (`{"NeutronError":{"type","message","detail"}}`) on `/v2.0/ports`.
pub fn neutron(e: &FaceError) -> (StatusCode, &'static str, String) {
    use DomainError as D;
    const BAD: StatusCode = StatusCode::BAD_REQUEST;
    match e {
        FaceError::Malformed(m) => (BAD, "BadRequest", format!("Bad port request: {m}")),
        FaceError::PortNotFound(_) | FaceError::DeletePortNotFound(_) => {
            (StatusCode::NOT_FOUND, "PortNotFound", e.to_string())
        }
        FaceError::SubnetNotFound(_) => (StatusCode::NOT_FOUND, "SubnetNotFound", e.to_string()),
        FaceError::ServerNotFound(_) => (StatusCode::NOT_FOUND, "NotFound", e.to_string()),
        FaceError::NicPortNotDeletable(_) => (StatusCode::CONFLICT, "PortInUse", e.to_string()),
        FaceError::Domain(D::HaVipStatus { status, .. }) => (
            StatusCode::CONFLICT,
            "PortInUse",
            match status {
                HaVipStatus::InUse => {
                    "The VIP port is still bound to NICs; unbind it first.".to_string()
                }
                other => format!(
                    "The VIP port is {}; wait until its change completes.",
                    other.as_str()
                ),
            },
        ),
        FaceError::Domain(D::EipBound) => (
            StatusCode::CONFLICT,
            "PortInUse",
            "The VIP port has an EIP bound; unbind it first.".into(),
        ),
        FaceError::Domain(D::SubnetNotFound(id)) => (
            StatusCode::NOT_FOUND,
            "NetworkNotFound",
            format!("Network {id} could not be found."),
        ),
        FaceError::Domain(D::IpInUse(ip) | D::IpReserved(ip)) => (
            StatusCode::CONFLICT,
            "IpAddressInUse",
            format!("Unable to complete operation for network. The IP address {ip} is in use."),
        ),
        FaceError::Domain(D::IpOutOfRange(ip)) => (
            BAD,
            "InvalidIpForSubnet",
            format!("IP address {ip} is not a valid IP for the specified subnet."),
        ),
        FaceError::Domain(D::SubnetExhausted) => (
            StatusCode::CONFLICT,
            "IpAddressGenerationFailure",
            "No more IP addresses available on network.".into(),
        ),
        // neutron-lib `OverQuota(Conflict)`, raised by Neutron's quota engine.
        FaceError::Domain(D::HaVipQuotaExceeded { .. }) => {
            (StatusCode::CONFLICT, "OverQuota", PORT_QUOTA.into())
        }
        FaceError::Domain(D::NameMalformed) => (
            BAD,
            "BadRequest",
            "Invalid input for name: at most 255 characters, and no control characters.".into(),
        ),
        // Every other rule, named one by one: a new rule must be given its row here.
        FaceError::Domain(
            other @ (D::MissingParameter(..)
            | D::InvalidParameter { .. }
            | D::ClientTokenMalformed
            | D::InstanceTypeMalformed(..)
            | D::DescriptionMalformed
            | D::IpMalformed(..)
            | D::TagKeyMalformed(..)
            | D::TagValueMalformed(..)
            | D::TagKeyDuplicated(..)
            | D::TooManyTags { .. }
            | D::RegionNotFound(..)
            | D::HaVipNotFound(..)
            | D::InstanceNotFound(..)
            | D::EniNotFound(..)
            | D::VpcNotFound(..)
            | D::AccountNotFound(..)
            | D::AlreadyExists(..)
            | D::InstanceStatus { .. }
            | D::AlreadyAssociated
            | D::MixedTypes { .. }
            | D::FreeEni
            | D::ServiceManagedEni
            | D::TwoEnisOfOneInstance
            | D::DifferentSubnet
            | D::NotAssociated
            | D::UnassociateMaster
            | D::EniCarriesHaVip
            | D::EniAttached
            | D::EniIsPrimary
            | D::MasterFollowsArp
            | D::InstancesPerHaVipLimit { .. }
            | D::HaVipsPerInstanceLimit { .. }
            | D::CidrMalformed(..)
            | D::CidrOutsideVpc
            | D::IdempotentParameterMismatch
            | D::IdempotentProcessing),
        ) => (BAD, "BadRequest", format!("Bad port request: {other}.")),
        FaceError::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is unavailable: the store cannot be reached. Try again later.".into(),
        ),
        // Neutron's own answer to an unexpected fault.
        FaceError::Internal => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "HTTPInternalServerError",
            "Request Failed: internal server error while processing your request.".into(),
        ),
        FaceError::NoSuchApi
        | FaceError::BodyTooLarge
        | FaceError::BodyUnreadable
        | FaceError::Unsigned
        | FaceError::BadSignature(_)
        | FaceError::UnknownAccessKey
        | FaceError::SignatureExpired
        | FaceError::ProjectForbidden(_) => gateway_row_or_internal(e),
    }
}

/// The VPC v1 answer (`{"code","message"}`) on `/v1/{project_id}/ports`.
pub fn vpc_v1(e: &FaceError) -> (StatusCode, &'static str, String) {
    use DomainError as D;
    const BAD: StatusCode = StatusCode::BAD_REQUEST;
    match e {
        FaceError::Malformed(m) => (BAD, "VPC.2500", format!("Param is invalid: {m}")),
        FaceError::PortNotFound(id) => (
            StatusCode::NOT_FOUND,
            "VPC.2502",
            format!("Port {id} not found"),
        ),
        FaceError::DeletePortNotFound(id) => (
            StatusCode::NOT_FOUND,
            "VPC.2500",
            format!("Port {id} not found"),
        ),
        FaceError::SubnetNotFound(id) => (
            StatusCode::NOT_FOUND,
            "VPC.0202",
            format!("Query resource by id {id} fail. The subnet could not be found."),
        ),
        FaceError::ServerNotFound(id) => (
            StatusCode::NOT_FOUND,
            "VPC.2500",
            format!("Instance {id} could not be found."),
        ),
        FaceError::NicPortNotDeletable(_) => {
            (BAD, "VPC.2500", "Port's device_id is not empty.".into())
        }
        FaceError::Domain(D::HaVipStatus { status, .. }) => (
            BAD,
            "VPC.2500",
            match status {
                HaVipStatus::InUse => {
                    "Port is in use: the VIP port is still bound to NICs.".to_string()
                }
                other => format!("Port is busy: the VIP port is {}.", other.as_str()),
            },
        ),
        FaceError::Domain(D::EipBound) => (
            BAD,
            "VPC.2500",
            "Port is in use: the VIP port has an EIP bound.".into(),
        ),
        FaceError::Domain(D::SubnetNotFound(id)) => (
            BAD,
            "VPC.2500",
            format!("Param is invalid: network_id {id} does not exist."),
        ),
        FaceError::Domain(D::IpInUse(ip) | D::IpReserved(ip)) => (
            StatusCode::CONFLICT,
            "VPC.0701",
            format!("IP is in use: {ip}"),
        ),
        FaceError::Domain(D::IpOutOfRange(ip)) => (
            BAD,
            "VPC.0705",
            format!("IP address {ip} is not a valid IP for the specified subnet."),
        ),
        FaceError::Domain(D::SubnetExhausted) => (
            StatusCode::CONFLICT,
            "VPC.0703",
            "No more IP addresses available on network.".into(),
        ),
        FaceError::Domain(D::HaVipQuotaExceeded { .. }) => {
            (StatusCode::CONFLICT, "VPC.2500", PORT_QUOTA.into())
        }
        // Every other rule, named one by one: a new rule must be given its row here.
        FaceError::Domain(
            other @ (D::MissingParameter(..)
            | D::InvalidParameter { .. }
            | D::ClientTokenMalformed
            | D::InstanceTypeMalformed(..)
            | D::NameMalformed
            | D::DescriptionMalformed
            | D::IpMalformed(..)
            | D::TagKeyMalformed(..)
            | D::TagValueMalformed(..)
            | D::TagKeyDuplicated(..)
            | D::TooManyTags { .. }
            | D::RegionNotFound(..)
            | D::HaVipNotFound(..)
            | D::InstanceNotFound(..)
            | D::EniNotFound(..)
            | D::VpcNotFound(..)
            | D::AccountNotFound(..)
            | D::AlreadyExists(..)
            | D::InstanceStatus { .. }
            | D::AlreadyAssociated
            | D::MixedTypes { .. }
            | D::FreeEni
            | D::ServiceManagedEni
            | D::TwoEnisOfOneInstance
            | D::DifferentSubnet
            | D::NotAssociated
            | D::UnassociateMaster
            | D::EniCarriesHaVip
            | D::EniAttached
            | D::EniIsPrimary
            | D::MasterFollowsArp
            | D::InstancesPerHaVipLimit { .. }
            | D::HaVipsPerInstanceLimit { .. }
            | D::CidrMalformed(..)
            | D::CidrOutsideVpc
            | D::IdempotentParameterMismatch
            | D::IdempotentProcessing),
        ) => (BAD, "VPC.2500", format!("Param is invalid: {other}.")),
        FaceError::Unavailable | FaceError::Internal => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "VPC.2502",
            "The system error.".into(),
        ),
        FaceError::NoSuchApi
        | FaceError::BodyTooLarge
        | FaceError::BodyUnreadable
        | FaceError::Unsigned
        | FaceError::BadSignature(_)
        | FaceError::UnknownAccessKey
        | FaceError::SignatureExpired
        | FaceError::ProjectForbidden(_) => gateway_row_or_internal(e),
    }
}

/// Gateway failures reach the family tables only through [`render`], which answers them
/// first; this keeps the family tables total.
fn gateway_row_or_internal(e: &FaceError) -> (StatusCode, &'static str, String) {
    gateway(e).unwrap_or((
        StatusCode::INTERNAL_SERVER_ERROR,
        "APIGW.0201",
        e.to_string(),
    ))
}

/// A JSON answer with `X-Request-Id`.
pub fn json_response(status: StatusCode, body: Option<&Value>, request_id: &str) -> Response {
    let mut resp = match body {
        Some(b) => (
            status,
            [(http::header::CONTENT_TYPE, "application/json;charset=UTF-8")],
            b.to_string(),
        )
            .into_response(),
        None => status.into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// The status and JSON body that answer `e` for a request of `family`.
pub fn error_body(family: Family, e: &FaceError, request_id: &str) -> (StatusCode, Value) {
    if let Some((status, code, message)) = gateway(e) {
        return (
            status,
            json!({"error_msg": message, "error_code": code, "request_id": request_id}),
        );
    }
    match family {
        Family::Ecs => {
            let (status, code, message) = ecs(e);
            (status, json!({"error": {"code": code, "message": message}}))
        }
        Family::Neutron => {
            let (status, kind, message) = neutron(e);
            (
                status,
                json!({"NeutronError": {"type": kind, "message": message, "detail": ""}}),
            )
        }
        Family::VpcV1 => {
            let (status, code, message) = vpc_v1(e);
            (status, json!({"code": code, "message": message}))
        }
    }
}

/// The answer to a failed request.
pub fn render(family: Family, e: &FaceError, request_id: &str) -> Response {
    let (status, body) = error_body(family, e, request_id);
    json_response(status, Some(&body), request_id)
}

#[cfg(test)]
mod tests;
