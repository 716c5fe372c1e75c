//! One test per row of the error table: status, Code, CodeN and (where the seeds give it)
//! the exact message.

use super::*;
use havip_core::{InstanceStatus, MemberKind};

fn check(e: FaceError, status: u16, code: &str, code_n: i64) -> ErrorSpec {
    let s = e.spec();
    assert_eq!(s.status.as_u16(), status, "{e:?}");
    assert_eq!(s.code, code, "{e:?}");
    assert_eq!(s.code_n, code_n, "{e:?}");
    assert!(!s.message.is_empty());
    s
}

macro_rules! row {
    ($name:ident, $err:expr, $status:expr, $code:expr, $code_n:expr) => {
        #[test]
        fn $name() {
            check($err.into(), $status, $code, $code_n);
        }
    };
    ($name:ident, $err:expr, $status:expr, $code:expr, $code_n:expr, $msg:expr) => {
        #[test]
        fn $name() {
            let s = check($err.into(), $status, $code, $code_n);
            assert_eq!(s.message, $msg);
        }
    };
}

// Gateway and signature.
row!(
    missing_token,
    FaceError::MissingAuthenticationToken,
    401,
    "MissingAuthenticationToken",
    100003
);
row!(
    missing_signature,
    FaceError::MissingSignature,
    401,
    "MissingSignature",
    100005
);
row!(
    invalid_access_key,
    FaceError::InvalidAccessKey("AKX".into()),
    401,
    "InvalidAccessKey",
    100009,
    "The accesskey [AKX] included in the request is invalid."
);
row!(
    signature_mismatch,
    FaceError::SignatureDoesNotMatch,
    401,
    "SignatureDoesNotMatch",
    100010
);
row!(
    header_not_signed,
    FaceError::HeaderNotSigned("x-date".into()),
    401,
    "SignatureDoesNotMatch",
    100010,
    "The request signature we calculated does not match the signature you provided. The header x-date must be signed: list it in SignedHeaders."
);
row!(
    invalid_timestamp,
    FaceError::InvalidTimestamp,
    400,
    "InvalidTimestamp",
    100006,
    "The signature of the request is expired."
);
row!(
    missing_region,
    FaceError::MissingRequestInfo("Region"),
    400,
    "MissingRequestInfo",
    100004,
    "The request is missing Region information."
);
row!(
    service_not_found,
    FaceError::ServiceNotFound("ecs".into()),
    404,
    "ServiceNotFound",
    100007,
    "This service[ecs] not found."
);
row!(
    invalid_action,
    FaceError::InvalidActionOrVersion {
        action: "X".into(),
        version: "2020-04-01".into()
    },
    404,
    "InvalidActionOrVersion",
    100008,
    "Could not find operation X for version 2020-04-01."
);
row!(
    body_too_large,
    FaceError::BodyTooLarge,
    413,
    "RequestEntityTooLarge",
    100020
);
row!(
    body_broken,
    FaceError::BodyBroken,
    400,
    "InvalidParameter",
    10001
);
row!(
    body_malformed,
    FaceError::BodyMalformed("the top level of a JSON body must be an object".into()),
    400,
    "InvalidParameter",
    10001,
    "The request body is invalid: the top level of a JSON body must be an object."
);
row!(
    not_support,
    FaceError::HaVipNotSupport,
    400,
    "InvalidHaVip.NotSupport",
    10012,
    "The specified HaVip does not support this operation"
);
row!(
    unavailable,
    FaceError::Unavailable,
    503,
    "ServiceUnavailableTemp",
    100014
);
row!(
    internal,
    FaceError::Internal,
    500,
    "InternalError",
    100000,
    "The request has failed due to an unknown error."
);

// Shape.
row!(
    missing_parameter,
    DomainError::MissingParameter("HaVipId"),
    400,
    "MissingParameter",
    100002,
    "The request is missing HaVipId parameter."
);
row!(
    invalid_parameter,
    DomainError::invalid("PageSize", "x"),
    400,
    "InvalidParameter",
    10001,
    "The specified parameter PageSize is invalid."
);
row!(
    client_token,
    DomainError::ClientTokenMalformed,
    400,
    "InvalidParameter.ClientTokenMalformed",
    10002,
    "The specified parameter ClientToken is malformed."
);
row!(
    instance_type,
    DomainError::InstanceTypeMalformed("x".into()),
    400,
    "InvalidInstanceType.Malformed",
    10003,
    "The specified instance type is malformed."
);
row!(
    name,
    DomainError::NameMalformed,
    400,
    "InvalidName.Malformed",
    10004
);
row!(
    description,
    DomainError::DescriptionMalformed,
    400,
    "InvalidDescription.Malformed",
    10005
);
row!(
    ip_malformed,
    DomainError::IpMalformed("x".into()),
    400,
    "InvalidIpAddress.Malformed",
    10006
);
row!(
    tag_key,
    DomainError::TagKeyMalformed("x".into()),
    400,
    "InvalidTagKey.Malformed",
    10007
);
row!(
    tag_value,
    DomainError::TagValueMalformed("x".into()),
    400,
    "InvalidTagValue.Malformed",
    10008
);
row!(
    tag_dup,
    DomainError::TagKeyDuplicated("x".into()),
    400,
    "InvalidTagKey.Duplicated",
    10009
);
row!(
    too_many_tags,
    DomainError::TooManyTags { limit: 20 },
    400,
    "LimitExceeded.TagsPerResource",
    10010
);

// Existence.
row!(
    region,
    DomainError::RegionNotFound("x".into()),
    404,
    "ServiceNotFound",
    100007
);
row!(
    havip_not_found,
    DomainError::HaVipNotFound("h".into()),
    404,
    "InvalidHaVip.NotFound",
    10011,
    "The specified HaVip does not exist."
);
row!(
    instance_not_found,
    DomainError::InstanceNotFound("i".into()),
    404,
    "InvalidInstance.NotFound",
    10013,
    "The specified instance does not exist."
);
row!(
    eni_not_found,
    DomainError::EniNotFound("e".into()),
    404,
    "InvalidEniId.NotFound",
    10014,
    "The specified elastic network interface does not exist."
);
row!(
    subnet_not_found,
    DomainError::SubnetNotFound("s".into()),
    404,
    "InvalidSubnet.NotFound",
    10015
);
row!(
    vpc_not_found,
    DomainError::VpcNotFound("v".into()),
    404,
    "InvalidVpc.NotFound",
    10016
);
row!(
    account_not_found,
    DomainError::AccountNotFound("a".into()),
    404,
    "InvalidAccount.NotFound",
    10017
);
row!(
    already_exists,
    DomainError::AlreadyExists("a".into()),
    400,
    "InvalidParameter",
    10001
);

// Status.
row!(
    disassociate_available,
    DomainError::HaVipStatus {
        status: HaVipStatus::Available,
        action: Action::Disassociate
    },
    400,
    "InvalidHaVip.InstanceMismatch",
    10018,
    "The specified HaVip and instance are not associated."
);
row!(
    havip_status,
    DomainError::HaVipStatus {
        status: HaVipStatus::Associating,
        action: Action::Associate
    },
    400,
    "InvalidHaVip.InvalidStatus",
    10019,
    "The specified HaVip is not in the correct status for the request."
);
row!(
    delete_in_use,
    DomainError::HaVipStatus {
        status: HaVipStatus::InUse,
        action: Action::Delete
    },
    400,
    "InvalidHaVip.InvalidStatus",
    10019
);
row!(
    eni_status,
    DomainError::InstanceStatus {
        status: InstanceStatus::Pending,
        via_eni: true
    },
    400,
    "InvalidEni.InvalidStatus",
    10020,
    "The specified elastic network interface is not in the correct status for the request."
);
row!(
    instance_status,
    DomainError::InstanceStatus {
        status: InstanceStatus::Pending,
        via_eni: false
    },
    400,
    "InvalidInstance.InvalidStatus",
    10021,
    "The specified instance is not in the correct status for the request."
);

// Relations: the five Forbidden conditions of seed 001, each with its own message.
row!(already_associated, DomainError::AlreadyAssociated, 403, "Forbidden", 10022,
    "You are not authorized to perform operations on the specified instance. The specified instance is associated with a HaVip.");
row!(mixed_types, DomainError::MixedTypes { carried: MemberKind::EcsInstance }, 403, "Forbidden", 10022,
    "You are not authorized to perform operations on the specified HaVip. Cannot bind HaVip to multiple instance types.");
row!(free_eni, DomainError::FreeEni, 403, "Forbidden", 10022,
    "You are not authorized to perform operations on the specified elastic network interface. The specified elastic network interface is not attached to ECS.");
row!(service_managed, DomainError::ServiceManagedEni, 403, "Forbidden", 10022,
    "You are not authorized to perform operations on the specified elastic network interface. The specified elastic network interface is a service-managed elastic network interface.");
row!(two_enis, DomainError::TwoEnisOfOneInstance, 403, "Forbidden", 10022,
    "You are not authorized to perform operations on the specified elastic network interface. Cannot associate HaVip with two elastic network interface in the same ECS instance.");
row!(
    different_subnet,
    DomainError::DifferentSubnet,
    400,
    "InvalidInstance.HaVipMismatch",
    10023,
    "The specified instance and HaVip are in different subnets."
);
row!(
    not_associated,
    DomainError::NotAssociated,
    400,
    "InvalidHaVip.InstanceMismatch",
    10018
);
row!(
    unassociate_master,
    DomainError::UnassociateMaster,
    400,
    "InvalidHaVip.NotSupport",
    10012
);
row!(
    eni_carries,
    DomainError::EniCarriesHaVip,
    400,
    "InvalidEni.InvalidStatus",
    10020
);
row!(
    eni_attached,
    DomainError::EniAttached,
    400,
    "InvalidEni.InvalidStatus",
    10020
);
row!(
    eni_primary,
    DomainError::EniIsPrimary,
    400,
    "InvalidEni.InvalidStatus",
    10020
);
row!(
    eip_bound,
    DomainError::EipBound,
    400,
    "InvalidHaVip.InUse",
    10024
);

// No Volcengine action moves the master; the row stands for completeness.
row!(
    master_follows_arp,
    DomainError::MasterFollowsArp,
    400,
    "InvalidHaVip.InvalidStatus",
    10019
);

// Limits.
row!(
    instances_per_havip,
    DomainError::InstancesPerHaVipLimit { limit: 10 },
    400,
    "LimitExceeded.InstancesPerHaVip",
    10025,
    "You've reached the limit on the number of instances that you can associate with a HaVip."
);
row!(
    havips_per_instance,
    DomainError::HaVipsPerInstanceLimit { limit: 5 },
    400,
    "LimitExceeded.HaVipsPerInstance",
    10026,
    "You've reached the limit on the number of HaVips that you can associate with an instance."
);
row!(
    havip_quota,
    DomainError::HaVipQuotaExceeded { limit: 20 },
    400,
    "QuotaExceeded.HaVip",
    10033,
    "You've reached the quota on the number of HaVips that you can create in this region."
);

// Addresses.
row!(
    ip_out_of_range,
    DomainError::IpOutOfRange([10, 0, 0, 1].into()),
    400,
    "InvalidIpAddress.OutOfRange",
    10027
);
row!(
    ip_reserved,
    DomainError::IpReserved([10, 0, 0, 1].into()),
    400,
    "InvalidIpAddress.Reserved",
    10028
);
row!(
    ip_in_use,
    DomainError::IpInUse([10, 0, 0, 1].into()),
    400,
    "InvalidIpAddress.InUse",
    10029
);
row!(
    subnet_exhausted,
    DomainError::SubnetExhausted,
    400,
    "InsufficientIpInSubnet",
    10030
);
row!(
    cidr_malformed,
    DomainError::CidrMalformed("x".into()),
    400,
    "InvalidParameter",
    10001
);
row!(
    cidr_outside,
    DomainError::CidrOutsideVpc,
    400,
    "InvalidParameter",
    10001
);

// Idempotency.
row!(idempotent_mismatch, DomainError::IdempotentParameterMismatch, 400, "IdempotentParameterMismatch", 10031,
    "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).");
row!(
    idempotent_processing,
    DomainError::IdempotentProcessing,
    412,
    "IdempotentProcessing",
    10032,
    "The request uses the same client token as a previous one that is still in process."
);
