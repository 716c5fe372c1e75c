//! One test per row of the error table: the Code, and the exact Message where Tencent's
//! own wording is known (the gateway's) or where the message names what went wrong.

use std::net::Ipv4Addr;

use havip_core::{HaVipStatus, InstanceStatus, MemberKind};

use super::*;

fn check(e: FaceError, code: &str) -> ErrorSpec {
    let s = e.spec();
    assert_eq!(s.code, code, "{e:?}");
    assert!(!s.message.is_empty(), "{e:?}");
    assert!(s.message.ends_with('.'), "{e:?}: {}", s.message);
    s
}

macro_rules! row {
    ($name:ident, $err:expr, $code:expr) => {
        #[test]
        fn $name() {
            check($err.into(), $code);
        }
    };
    ($name:ident, $err:expr, $code:expr, $msg:expr) => {
        #[test]
        fn $name() {
            let s = check($err.into(), $code);
            assert_eq!(s.message, $msg);
        }
    };
}

const IP: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 20);

// Gateway.
row!(
    unsupported_protocol,
    FaceError::UnsupportedProtocol("PUT".into()),
    "UnsupportedProtocol",
    "The HTTP method PUT is not supported: only GET and POST requests are."
);
row!(
    request_too_large,
    FaceError::RequestTooLarge("a body holds at most 1 MiB"),
    "RequestSizeLimitExceeded",
    "The request size exceeds the limit: a body holds at most 1 MiB."
);
row!(body_broken, FaceError::BodyBroken, "InvalidParameter");
row!(unavailable, FaceError::Unavailable, "ServiceUnavailable");

// Signature and credentials: the gateway's own messages where they are known.
row!(
    invalid_authorization,
    FaceError::InvalidAuthorization("`Service` in Credential not valid".into()),
    "AuthFailure.InvalidAuthorization",
    "The request `Authorization` header does not conform to tencentcloud standards: `Service` in Credential not valid."
);
row!(
    signature_failure,
    FaceError::SignatureFailure,
    "AuthFailure.SignatureFailure",
    "The provided credentials could not be validated. Please check your signature is correct."
);
row!(
    signature_expire,
    FaceError::SignatureExpire,
    "AuthFailure.SignatureExpire"
);
row!(
    secret_id_not_found,
    FaceError::SecretIdNotFound("AKIDX".into()),
    "AuthFailure.SecretIdNotFound",
    "The SecretId is not found, please ensure that your SecretId is correct."
);
row!(
    token_failure,
    FaceError::TokenFailure,
    "AuthFailure.TokenFailure"
);
row!(
    invalid_action,
    FaceError::InvalidAction("AssociateHaVip".into()),
    "InvalidAction",
    "The request `Action` is invalid or not found: `AssociateHaVip`."
);
row!(
    no_such_version,
    FaceError::NoSuchVersion("2020-04-01".into()),
    "NoSuchVersion"
);

// Shape of the request.
row!(
    missing_parameter,
    FaceError::MissingParameter("Tags.0.Key".into()),
    "MissingParameter",
    "The request is missing a required parameter `Tags.0.Key`."
);
row!(
    domain_missing_parameter,
    DomainError::MissingParameter("SubnetId"),
    "MissingParameter",
    "The request is missing a required parameter `SubnetId`."
);
row!(
    unknown_parameter,
    FaceError::UnknownParameter("Description".into()),
    "UnknownParameter",
    "The parameter `Description` is not recognized."
);
row!(
    parameter_type,
    FaceError::ParameterType("Limit".into()),
    "InvalidParameter",
    "Parameter `Limit` type error."
);
row!(
    body_malformed,
    FaceError::BodyMalformed("the JSON body must be an object".into()),
    "InvalidParameter",
    "The request parameters cannot be read: the JSON body must be an object."
);
row!(
    domain_invalid_parameter,
    DomainError::invalid("cidr", "overlaps"),
    "InvalidParameterValue"
);
row!(
    coexist,
    FaceError::Coexist("HaVipIds", "Filters"),
    "InvalidParameter.Coexist",
    "The parameters `HaVipIds` and `Filters` cannot be specified at the same time."
);
row!(
    filter_invalid_key,
    FaceError::FilterInvalidKey("status".into()),
    "InvalidParameter.FilterInvalidKey",
    "The filter `status` does not exist."
);
row!(
    invalid_value,
    FaceError::InvalidValue {
        name: "Filters.0.Values".into(),
        reason: "\"maybe\" is not TRUE or FALSE".into()
    },
    "InvalidParameterValue"
);
row!(
    value_malformed,
    FaceError::ValueMalformed {
        name: "AddressIp".into(),
        value: "1.2.3".into()
    },
    "InvalidParameterValue.Malformed",
    "The value `1.2.3` of parameter `AddressIp` is malformed."
);
row!(
    value_range,
    FaceError::ValueRange {
        name: "Limit".into(),
        reason: "1 to 100".into()
    },
    "InvalidParameterValue.Range",
    "The value of parameter `Limit` is out of range: 1 to 100."
);
row!(
    value_limit_exceeded,
    FaceError::ValueLimitExceeded {
        name: "Filters".into(),
        max: 10
    },
    "InvalidParameterValue.LimitExceeded",
    "The parameter `Filters` takes at most 10 values."
);
row!(
    name_too_long,
    FaceError::NameTooLong { max: 60 },
    "InvalidParameterValue.TooLong",
    "The value of parameter `HaVipName` is too long: at most 60 characters."
);
row!(
    client_token,
    DomainError::ClientTokenMalformed,
    "InvalidParameterValue.Malformed"
);
row!(
    instance_type,
    DomainError::InstanceTypeMalformed("VM".into()),
    "InvalidParameterValue"
);
row!(
    name_malformed,
    DomainError::NameMalformed,
    "InvalidParameterValue"
);
row!(
    description_malformed,
    DomainError::DescriptionMalformed,
    "InvalidParameterValue"
);
row!(
    ip_malformed,
    DomainError::IpMalformed("10.0.1".into()),
    "InvalidParameterValue.Malformed",
    "The value `10.0.1` of parameter `Vip` is malformed: an IPv4 address."
);
row!(
    tag_key,
    DomainError::TagKeyMalformed("qcloud:x".into()),
    "InvalidParameterValue"
);
row!(
    tag_value,
    DomainError::TagValueMalformed("k".into()),
    "InvalidParameterValue"
);
row!(
    tag_duplicated,
    DomainError::TagKeyDuplicated("k".into()),
    "InvalidParameterValue.Duplicate"
);
row!(
    too_many_tags,
    DomainError::TooManyTags { limit: 20 },
    "InvalidParameterValue.LimitExceeded",
    "The parameter `Tags` takes at most 20 values."
);

// What havip does not model.
row!(
    unsupported,
    FaceError::Unsupported("x".into()),
    "UnsupportedOperation"
);
row!(
    address_not_found,
    FaceError::AddressNotFound("203.0.113.10".into()),
    "ResourceNotFound",
    "The EIP `203.0.113.10` is not found."
);
row!(
    no_eip_bound,
    FaceError::NoEipBound("havip-1".into()),
    "UnsupportedOperation.UnbindEIP",
    "The HaVip `havip-1` is not bound to an EIP."
);

// Existence.
row!(
    region_not_found,
    DomainError::RegionNotFound("ap-nowhere".into()),
    "UnsupportedRegion"
);
row!(
    havip_not_found,
    DomainError::HaVipNotFound("havip-1".into()),
    "ResourceNotFound",
    "The HaVip `havip-1` is not found."
);
row!(
    instance_not_found,
    DomainError::InstanceNotFound("ins-1".into()),
    "ResourceNotFound"
);
row!(
    eni_not_found,
    DomainError::EniNotFound("eni-1".into()),
    "ResourceNotFound"
);
row!(
    vpc_not_found,
    DomainError::VpcNotFound("vpc-1".into()),
    "ResourceNotFound",
    "The VPC `vpc-1` is not found."
);
row!(
    subnet_not_found,
    DomainError::SubnetNotFound("subnet-1".into()),
    "UnsupportedOperation.SubnetNotExists",
    "The subnet `subnet-1` does not exist in the VPC."
);
row!(
    account_not_found,
    DomainError::AccountNotFound("1".into()),
    "ResourceNotFound"
);
row!(
    already_exists,
    DomainError::AlreadyExists("x".into()),
    "InvalidParameterValue.Duplicate"
);

// Status.
#[test]
fn a_change_in_flight_is_a_running_task_whatever_the_action() {
    for status in HaVipStatus::ALL.into_iter().filter(|s| s.is_transient()) {
        for action in [Action::Delete, Action::Modify, Action::Associate] {
            check(
                DomainError::HaVipStatus { status, action }.into(),
                "UnsupportedOperation.MutexOperationTaskRunning",
            );
        }
    }
}

row!(
    delete_a_bound_havip,
    DomainError::HaVipStatus {
        status: HaVipStatus::InUse,
        action: Action::Delete
    },
    "UnsupportedOperation",
    "The HaVip is bound to an instance or network interface: it can be deleted once it is unbound."
);
row!(
    other_status,
    DomainError::HaVipStatus {
        status: HaVipStatus::Available,
        action: Action::Disassociate
    },
    "UnsupportedOperation",
    "The HaVip is Available, which does not allow Disassociate."
);
row!(
    instance_status,
    DomainError::InstanceStatus {
        status: InstanceStatus::Pending,
        via_eni: false
    },
    "UnsupportedOperation"
);
row!(
    master_follows_arp,
    DomainError::MasterFollowsArp,
    "UnsupportedOperation"
);

// Relations (no action of this face binds instances; the rows stand for completeness).
row!(
    already_associated,
    DomainError::AlreadyAssociated,
    "UnsupportedOperation"
);
row!(
    mixed_types,
    DomainError::MixedTypes {
        carried: MemberKind::EcsInstance
    },
    "UnsupportedOperation"
);
row!(free_eni, DomainError::FreeEni, "UnsupportedOperation");
row!(
    service_managed,
    DomainError::ServiceManagedEni,
    "UnsupportedOperation"
);
row!(
    two_enis,
    DomainError::TwoEnisOfOneInstance,
    "UnsupportedOperation"
);
row!(
    different_subnet,
    DomainError::DifferentSubnet,
    "UnsupportedOperation"
);
row!(
    not_associated,
    DomainError::NotAssociated,
    "UnsupportedOperation"
);
row!(
    unassociate_master,
    DomainError::UnassociateMaster,
    "UnsupportedOperation"
);
row!(
    eni_carries,
    DomainError::EniCarriesHaVip,
    "UnsupportedOperation"
);
row!(
    eni_attached,
    DomainError::EniAttached,
    "UnsupportedOperation"
);
row!(
    eni_primary,
    DomainError::EniIsPrimary,
    "UnsupportedOperation"
);
row!(eip_bound, DomainError::EipBound, "UnsupportedOperation");

// Limits.
row!(
    instances_per_havip,
    DomainError::InstancesPerHaVipLimit { limit: 10 },
    "LimitExceeded"
);
row!(
    havips_per_instance,
    DomainError::HaVipsPerInstanceLimit { limit: 5 },
    "LimitExceeded"
);
row!(
    havip_quota,
    DomainError::HaVipQuotaExceeded { limit: 10 },
    "LimitExceeded",
    "The HaVip quota of the region is reached: at most 10 HaVips."
);

// Addresses.
row!(
    ip_out_of_range,
    DomainError::IpOutOfRange(IP),
    "InvalidParameterValue.Range",
    "The address `10.0.1.20` is not in the CIDR block of the subnet."
);
row!(
    ip_reserved,
    DomainError::IpReserved(IP),
    "InvalidParameterValue.Reserved"
);
row!(
    ip_in_use,
    DomainError::IpInUse(IP),
    "ResourceInUse",
    "The address `10.0.1.20` is in use."
);
row!(
    subnet_exhausted,
    DomainError::SubnetExhausted,
    "ResourceInsufficient"
);
row!(
    cidr_malformed,
    DomainError::CidrMalformed("x".into()),
    "InvalidParameterValue.Malformed"
);
row!(
    cidr_outside,
    DomainError::CidrOutsideVpc,
    "InvalidParameterValue.Range"
);

// Idempotency.
row!(
    idempotent_mismatch,
    DomainError::IdempotentParameterMismatch,
    "InvalidParameterValue.Duplicate"
);
row!(
    idempotent_processing,
    DomainError::IdempotentProcessing,
    "UnsupportedOperation.MutexOperationTaskRunning"
);

#[test]
fn a_store_failure_is_service_unavailable() {
    let e: FaceError = havip_service::ServiceError::unavailable("down").into();
    assert_eq!(e, FaceError::Unavailable);
    let e: FaceError = havip_service::ServiceError::Domain(DomainError::NameMalformed).into();
    assert_eq!(e, FaceError::Domain(DomainError::NameMalformed));
}

/// Every code this face answers is one Tencent documents (docs/tencent.md §6: the common
/// codes and the HaVip actions' codes).
#[test]
fn every_code_is_a_documented_one() {
    const DOCUMENTED: &[&str] = &[
        "AuthFailure.InvalidAuthorization",
        "AuthFailure.SecretIdNotFound",
        "AuthFailure.SignatureExpire",
        "AuthFailure.SignatureFailure",
        "AuthFailure.TokenFailure",
        "InvalidAction",
        "InvalidParameter",
        "InvalidParameter.Coexist",
        "InvalidParameter.FilterInvalidKey",
        "InvalidParameterValue",
        "InvalidParameterValue.Duplicate",
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameterValue.Malformed",
        "InvalidParameterValue.Range",
        "InvalidParameterValue.Reserved",
        "InvalidParameterValue.TooLong",
        "LimitExceeded",
        "MissingParameter",
        "NoSuchVersion",
        "RequestSizeLimitExceeded",
        "ResourceInUse",
        "ResourceInsufficient",
        "ResourceNotFound",
        "ServiceUnavailable",
        "UnknownParameter",
        "UnsupportedOperation",
        "UnsupportedOperation.MutexOperationTaskRunning",
        "UnsupportedOperation.SubnetNotExists",
        "UnsupportedOperation.UnbindEIP",
        "UnsupportedProtocol",
        "UnsupportedRegion",
    ];
    let samples: Vec<FaceError> = vec![
        FaceError::UnsupportedProtocol("PUT".into()),
        FaceError::RequestTooLarge("x"),
        FaceError::BodyBroken,
        FaceError::Unavailable,
        FaceError::InvalidAuthorization("x".into()),
        FaceError::SignatureFailure,
        FaceError::SignatureExpire,
        FaceError::SecretIdNotFound("x".into()),
        FaceError::TokenFailure,
        FaceError::InvalidAction("x".into()),
        FaceError::NoSuchVersion("x".into()),
        FaceError::MissingParameter("x".into()),
        FaceError::UnknownParameter("x".into()),
        FaceError::ParameterType("x".into()),
        FaceError::BodyMalformed("x".into()),
        FaceError::Coexist("a", "b"),
        FaceError::FilterInvalidKey("x".into()),
        FaceError::InvalidValue {
            name: "x".into(),
            reason: "y".into(),
        },
        FaceError::ValueMalformed {
            name: "x".into(),
            value: "y".into(),
        },
        FaceError::ValueRange {
            name: "x".into(),
            reason: "y".into(),
        },
        FaceError::ValueLimitExceeded {
            name: "x".into(),
            max: 1,
        },
        FaceError::NameTooLong { max: 60 },
        FaceError::Unsupported("x".into()),
        FaceError::AddressNotFound("x".into()),
        FaceError::NoEipBound("x".into()),
        DomainError::IpInUse(IP).into(),
        DomainError::SubnetExhausted.into(),
        DomainError::IpReserved(IP).into(),
        DomainError::RegionNotFound("x".into()).into(),
        DomainError::HaVipQuotaExceeded { limit: 1 }.into(),
    ];
    for e in samples {
        let code = e.spec().code;
        assert!(DOCUMENTED.contains(&code), "{e:?}: {code}");
    }
}
