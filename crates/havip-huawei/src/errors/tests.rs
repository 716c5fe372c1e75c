//! One test per row of each error table.

use super::*;
use havip_core::error::Action;
use havip_core::{InstanceStatus, MemberKind};

const BAD: StatusCode = StatusCode::BAD_REQUEST;

fn ip() -> std::net::Ipv4Addr {
    "192.168.1.100".parse().unwrap()
}

fn d(e: DomainError) -> FaceError {
    FaceError::Domain(e)
}

fn gw(e: FaceError) -> (StatusCode, &'static str) {
    let (s, c, _) = gateway(&e).unwrap();
    (s, c)
}

// --- gateway ---------------------------------------------------------------------------

#[test]
fn gateway_no_such_api() {
    assert_eq!(
        gw(FaceError::NoSuchApi),
        (StatusCode::NOT_FOUND, "APIGW.0101")
    );
}
#[test]
fn gateway_body_too_large() {
    assert_eq!(
        gw(FaceError::BodyTooLarge),
        (StatusCode::PAYLOAD_TOO_LARGE, "APIGW.0201")
    );
}
#[test]
fn gateway_body_unreadable() {
    assert_eq!(gw(FaceError::BodyUnreadable), (BAD, "APIGW.0201"));
}
#[test]
fn gateway_unsigned() {
    assert_eq!(
        gw(FaceError::Unsigned),
        (StatusCode::UNAUTHORIZED, "APIGW.0301")
    );
}
#[test]
fn gateway_bad_signature_keeps_the_canonical_request() {
    let e = FaceError::BadSignature("canonicalRequest:PUT|/x/".into());
    let (s, c, m) = gateway(&e).unwrap();
    assert_eq!((s, c), (StatusCode::UNAUTHORIZED, "APIGW.0301"));
    assert!(m.contains("verify aksk signature fail") && m.contains("PUT|/x/"));
}
#[test]
fn gateway_unknown_key() {
    assert_eq!(
        gw(FaceError::UnknownAccessKey),
        (StatusCode::UNAUTHORIZED, "APIGW.0301")
    );
}
#[test]
fn gateway_expired() {
    assert_eq!(
        gw(FaceError::SignatureExpired),
        (StatusCode::UNAUTHORIZED, "APIGW.0301")
    );
}
#[test]
fn gateway_project() {
    assert_eq!(
        gw(FaceError::ProjectForbidden("p".into())),
        (StatusCode::FORBIDDEN, "APIGW.0302")
    );
}
#[test]
fn gateway_envelope_wins_in_every_family() {
    for family in [Family::Ecs, Family::Neutron, Family::VpcV1] {
        let (s, body) = error_body(family, &FaceError::Unsigned, "rid");
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error_code"], "APIGW.0301");
        assert_eq!(body["request_id"], "rid");
        assert!(body["error_msg"].is_string());
    }
    assert!(gateway(&FaceError::Unavailable).is_none());
    assert!(gateway(&FaceError::Internal).is_none());
}

#[test]
fn internal_faults_in_every_family() {
    let (s, c, _) = ecs(&FaceError::Internal);
    assert_eq!((s, c), (StatusCode::INTERNAL_SERVER_ERROR, "Ecs.1002"));
    let (s, c, m) = neutron(&FaceError::Internal);
    assert_eq!(
        (s, c),
        (StatusCode::INTERNAL_SERVER_ERROR, "HTTPInternalServerError")
    );
    assert_eq!(
        m,
        "Request Failed: internal server error while processing your request."
    );
    let (s, c, _) = vpc_v1(&FaceError::Internal);
    assert_eq!((s, c), (StatusCode::INTERNAL_SERVER_ERROR, "VPC.2502"));
}

// --- ECS -------------------------------------------------------------------------------

fn ecs_row(e: FaceError) -> (StatusCode, &'static str) {
    let (s, c, _) = ecs(&e);
    (s, c)
}

#[test]
fn ecs_envelope() {
    let (s, body) = error_body(Family::Ecs, &FaceError::Malformed("x".into()), "rid");
    assert_eq!(s, BAD);
    assert_eq!(body["error"]["code"], "Ecs.0005");
    assert!(body["error"]["message"].is_string());
}
#[test]
fn ecs_malformed() {
    assert_eq!(ecs_row(FaceError::Malformed("x".into())), (BAD, "Ecs.0005"));
    assert_eq!(
        ecs_row(d(DomainError::IpMalformed("1.2".into()))),
        (BAD, "Ecs.0005")
    );
}
#[test]
fn ecs_unknown_nic() {
    assert_eq!(
        ecs_row(d(DomainError::EniNotFound("n".into()))),
        (BAD, "Ecs.0307")
    );
    assert_eq!(
        ecs_row(FaceError::PortNotFound("n".into())),
        (BAD, "Ecs.0307")
    );
}
#[test]
fn ecs_unknown_subnet() {
    assert_eq!(
        ecs_row(d(DomainError::SubnetNotFound("s".into()))),
        (BAD, "Ecs.0038")
    );
}
#[test]
fn ecs_ip_outside_subnet() {
    assert_eq!(
        ecs_row(d(DomainError::IpOutOfRange(ip()))),
        (BAD, "Ecs.0039")
    );
}
#[test]
fn ecs_other_subnet() {
    assert_eq!(ecs_row(d(DomainError::DifferentSubnet)), (BAD, "Ecs.0014"));
}
#[test]
fn ecs_ip_used() {
    assert_eq!(ecs_row(d(DomainError::IpInUse(ip()))), (BAD, "Ecs.0010"));
    assert_eq!(ecs_row(d(DomainError::IpReserved(ip()))), (BAD, "Ecs.0010"));
}
#[test]
fn ecs_instance_status() {
    let e = d(DomainError::InstanceStatus {
        status: InstanceStatus::Pending,
        via_eni: true,
    });
    assert_eq!(ecs_row(e), (BAD, "Ecs.0100"));
}
#[test]
fn ecs_limits() {
    assert_eq!(
        ecs_row(d(DomainError::InstancesPerHaVipLimit { limit: 10 })),
        (BAD, "Ecs.0213")
    );
    assert_eq!(
        ecs_row(d(DomainError::HaVipsPerInstanceLimit { limit: 8 })),
        (BAD, "Ecs.0213")
    );
}
#[test]
fn ecs_vip_busy_or_incompatible() {
    let busy = d(DomainError::HaVipStatus {
        status: HaVipStatus::Associating,
        action: Action::Associate,
    });
    assert_eq!(ecs_row(busy), (BAD, "Ecs.0213"));
    let mixed = d(DomainError::MixedTypes {
        carried: MemberKind::EcsInstance,
    });
    assert_eq!(ecs_row(mixed), (BAD, "Ecs.0213"));
    assert_eq!(
        ecs_row(d(DomainError::TwoEnisOfOneInstance)),
        (BAD, "Ecs.0213")
    );
    assert_eq!(
        ecs_row(FaceError::NicPortNotDeletable("n".into())),
        (BAD, "Ecs.0213")
    );
}
#[test]
fn ecs_free_nic() {
    assert_eq!(ecs_row(d(DomainError::FreeEni)), (BAD, "Ecs.0323"));
}
#[test]
fn ecs_service_managed_nic() {
    assert_eq!(
        ecs_row(d(DomainError::ServiceManagedEni)),
        (StatusCode::FORBIDDEN, "Ecs.0003")
    );
}
#[test]
fn ecs_unavailable() {
    assert_eq!(
        ecs_row(FaceError::Unavailable),
        (StatusCode::INTERNAL_SERVER_ERROR, "Ecs.1002")
    );
}
#[test]
fn ecs_lookups() {
    assert_eq!(
        ecs_row(FaceError::ServerNotFound("s".into())),
        (StatusCode::NOT_FOUND, "Ecs.0114")
    );
    assert_eq!(
        ecs_row(FaceError::SubnetNotFound("n".into())),
        (BAD, "Ecs.0038")
    );
}
#[test]
fn ecs_other_domain_errors() {
    assert_eq!(ecs_row(d(DomainError::NameMalformed)), (BAD, "Ecs.0005"));
}

// --- Neutron ---------------------------------------------------------------------------

fn neutron_row(e: FaceError) -> (StatusCode, &'static str) {
    let (s, t, _) = neutron(&e);
    (s, t)
}

#[test]
fn neutron_envelope() {
    let (s, body) = error_body(Family::Neutron, &FaceError::PortNotFound("p".into()), "rid");
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["NeutronError"]["type"], "PortNotFound");
    assert_eq!(
        body["NeutronError"]["message"],
        "Port p could not be found."
    );
    assert_eq!(body["NeutronError"]["detail"], "");
}
#[test]
fn neutron_bad_request() {
    assert_eq!(
        neutron_row(FaceError::Malformed("x".into())),
        (BAD, "BadRequest")
    );
    assert_eq!(
        neutron_row(d(DomainError::NameMalformed)),
        (BAD, "BadRequest")
    );
    assert_eq!(
        neutron_row(d(DomainError::IpMalformed("x".into()))),
        (BAD, "BadRequest")
    );
}
#[test]
fn neutron_port_not_found() {
    assert_eq!(
        neutron_row(FaceError::PortNotFound("p".into())),
        (StatusCode::NOT_FOUND, "PortNotFound")
    );
    assert_eq!(
        neutron_row(FaceError::DeletePortNotFound("p".into())),
        (StatusCode::NOT_FOUND, "PortNotFound")
    );
}
#[test]
fn neutron_port_in_use() {
    let bound = d(DomainError::HaVipStatus {
        status: HaVipStatus::InUse,
        action: Action::Delete,
    });
    assert_eq!(neutron_row(bound), (StatusCode::CONFLICT, "PortInUse"));
    let busy = d(DomainError::HaVipStatus {
        status: HaVipStatus::Unassociating,
        action: Action::Modify,
    });
    assert_eq!(neutron_row(busy), (StatusCode::CONFLICT, "PortInUse"));
    assert_eq!(
        neutron_row(d(DomainError::EipBound)),
        (StatusCode::CONFLICT, "PortInUse")
    );
    assert_eq!(
        neutron_row(FaceError::NicPortNotDeletable("n".into())),
        (StatusCode::CONFLICT, "PortInUse")
    );
}
#[test]
fn neutron_network_not_found() {
    assert_eq!(
        neutron_row(d(DomainError::SubnetNotFound("s".into()))),
        (StatusCode::NOT_FOUND, "NetworkNotFound")
    );
}
#[test]
fn neutron_ip_in_use() {
    assert_eq!(
        neutron_row(d(DomainError::IpInUse(ip()))),
        (StatusCode::CONFLICT, "IpAddressInUse")
    );
    assert_eq!(
        neutron_row(d(DomainError::IpReserved(ip()))),
        (StatusCode::CONFLICT, "IpAddressInUse")
    );
}
#[test]
fn neutron_ip_outside_subnet() {
    assert_eq!(
        neutron_row(d(DomainError::IpOutOfRange(ip()))),
        (BAD, "InvalidIpForSubnet")
    );
}
#[test]
fn neutron_subnet_full() {
    assert_eq!(
        neutron_row(d(DomainError::SubnetExhausted)),
        (StatusCode::CONFLICT, "IpAddressGenerationFailure")
    );
}
#[test]
fn neutron_unavailable() {
    assert_eq!(
        neutron_row(FaceError::Unavailable),
        (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable")
    );
}

// --- VPC v1 ----------------------------------------------------------------------------

fn v1_row(e: FaceError) -> (StatusCode, &'static str) {
    let (s, c, _) = vpc_v1(&e);
    (s, c)
}

#[test]
fn v1_envelope() {
    let (s, body) = error_body(Family::VpcV1, &FaceError::PortNotFound("p".into()), "rid");
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "VPC.2502");
    assert_eq!(body["message"], "Port p not found");
}
#[test]
fn v1_param_invalid() {
    assert_eq!(v1_row(FaceError::Malformed("x".into())), (BAD, "VPC.2500"));
    assert_eq!(v1_row(d(DomainError::NameMalformed)), (BAD, "VPC.2500"));
    assert_eq!(
        v1_row(d(DomainError::SubnetNotFound("s".into()))),
        (BAD, "VPC.2500")
    );
}
#[test]
fn v1_port_not_found() {
    assert_eq!(
        v1_row(FaceError::PortNotFound("p".into())),
        (StatusCode::NOT_FOUND, "VPC.2502")
    );
    assert_eq!(
        v1_row(FaceError::DeletePortNotFound("p".into())),
        (StatusCode::NOT_FOUND, "VPC.2500")
    );
}
#[test]
fn v1_port_in_use() {
    let bound = d(DomainError::HaVipStatus {
        status: HaVipStatus::InUse,
        action: Action::Delete,
    });
    assert_eq!(v1_row(bound), (BAD, "VPC.2500"));
    assert_eq!(v1_row(d(DomainError::EipBound)), (BAD, "VPC.2500"));
    assert_eq!(
        v1_row(FaceError::NicPortNotDeletable("n".into())),
        (BAD, "VPC.2500")
    );
}
#[test]
fn v1_ip_in_use() {
    assert_eq!(
        v1_row(d(DomainError::IpInUse(ip()))),
        (StatusCode::CONFLICT, "VPC.0701")
    );
    assert_eq!(
        v1_row(d(DomainError::IpReserved(ip()))),
        (StatusCode::CONFLICT, "VPC.0701")
    );
}
#[test]
fn v1_ip_outside_subnet() {
    assert_eq!(
        v1_row(d(DomainError::IpOutOfRange(ip()))),
        (BAD, "VPC.0705")
    );
}
#[test]
fn v1_subnet_full() {
    assert_eq!(
        v1_row(d(DomainError::SubnetExhausted)),
        (StatusCode::CONFLICT, "VPC.0703")
    );
}
#[test]
fn v1_lookups() {
    assert_eq!(
        v1_row(FaceError::SubnetNotFound("n".into())),
        (StatusCode::NOT_FOUND, "VPC.0202")
    );
    assert_eq!(
        v1_row(FaceError::ServerNotFound("s".into())),
        (StatusCode::NOT_FOUND, "VPC.2500")
    );
    assert_eq!(
        neutron_row(FaceError::SubnetNotFound("n".into())),
        (StatusCode::NOT_FOUND, "SubnetNotFound")
    );
    assert_eq!(
        neutron_row(FaceError::ServerNotFound("s".into())),
        (StatusCode::NOT_FOUND, "NotFound")
    );
}
#[test]
fn v1_unavailable() {
    assert_eq!(
        v1_row(FaceError::Unavailable),
        (StatusCode::INTERNAL_SERVER_ERROR, "VPC.2502")
    );
}

#[test]
fn responses_carry_the_request_id() {
    let resp = render(Family::Neutron, &FaceError::PortNotFound("p".into()), "abc");
    assert_eq!(resp.headers().get("x-request-id").unwrap(), "abc");
    let resp = json_response(StatusCode::NO_CONTENT, None, "def");
    assert_eq!(resp.headers().get("x-request-id").unwrap(), "def");
}

// --- the VIP port quota, per family -----------------------------------------------------

#[test]
fn quota_ecs() {
    let e = d(DomainError::HaVipQuotaExceeded { limit: 50 });
    assert_eq!(ecs_row(e.clone()), (BAD, "Ecs.0213"));
    let (_, body) = error_body(Family::Ecs, &e, "rid");
    assert_eq!(
        body["error"]["message"],
        "Failed to update the port attributes: Quota exceeded for resources: ['port']."
    );
}
#[test]
fn quota_neutron() {
    let e = d(DomainError::HaVipQuotaExceeded { limit: 50 });
    assert_eq!(neutron_row(e.clone()), (StatusCode::CONFLICT, "OverQuota"));
    let (_, body) = error_body(Family::Neutron, &e, "rid");
    assert_eq!(
        body["NeutronError"]["message"],
        "Quota exceeded for resources: ['port']."
    );
    assert_eq!(body["NeutronError"]["detail"], "");
}
#[test]
fn quota_vpc_v1() {
    let e = d(DomainError::HaVipQuotaExceeded { limit: 50 });
    assert_eq!(v1_row(e.clone()), (StatusCode::CONFLICT, "VPC.2500"));
    let (_, body) = error_body(Family::VpcV1, &e, "rid");
    assert_eq!(body["message"], "Quota exceeded for resources: ['port'].");
}
