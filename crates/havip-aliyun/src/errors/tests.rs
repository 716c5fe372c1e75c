//! One test per row of the error table: the status and code each failure is answered with.

use std::net::Ipv4Addr;

use havip_core::error::Action;
use havip_core::{DomainError as D, HaVipStatus, InstanceStatus, MemberKind};
use havip_signature::SignatureError as S;

use super::{table, FaceError as F};
use crate::actions::Operation as Op;

#[track_caller]
fn row(err: F, op: Option<Op>, status: u16, code: &str) -> String {
    let r = table(&err, op);
    assert_eq!(
        (r.status.as_u16(), r.code.as_str()),
        (status, code),
        "{err:?}"
    );
    assert!(!r.message.is_empty());
    r.message
}

#[track_caller]
fn domain(err: D, op: Op, status: u16, code: &str) -> String {
    row(F::Domain(err), Some(op), status, code)
}

#[test]
fn transport() {
    row(F::BodyTooLarge, None, 413, "RequestEntityTooLarge");
    row(F::BodyBroken, None, 400, "InvalidParameter");
}

#[test]
fn missing_credentials() {
    let m = row(F::Signature(S::Missing), None, 400, "MissingParameter");
    assert!(m.contains("\"AccessKeyId\""));
}

#[test]
fn malformed_signature() {
    row(
        F::Signature(S::Malformed("x".into())),
        None,
        400,
        "IncompleteSignature",
    );
}

#[test]
fn header_not_signed_names_the_header() {
    let m = row(
        F::Signature(S::HeaderNotSigned("host".into())),
        None,
        400,
        "IncompleteSignature",
    );
    assert!(m.contains("The header host must be signed"), "{m}");
}

#[test]
fn unsupported_signature_method() {
    row(
        F::Signature(S::UnsupportedMethod("HMAC-SHA256".into())),
        None,
        400,
        "InvalidSignatureMethod",
    );
}

#[test]
fn timestamps() {
    row(
        F::Signature(S::TimestampMalformed),
        None,
        400,
        "InvalidTimeStamp.Format",
    );
    row(
        F::Signature(S::TimestampExpired),
        None,
        400,
        "InvalidTimeStamp.Expired",
    );
}

#[test]
fn content_hash_mismatch_keeps_a_colon_for_the_legacy_sdk() {
    let m = row(
        F::Signature(S::ContentHashMismatch),
        None,
        400,
        "SignatureDoesNotMatch",
    );
    assert!(m.contains(':'));
}

/// The string to sign recorded in wire-aliyun.md 2.3 for the legacy SDK's AssociateHaVip.
const WIRE_RPC_STRING_TO_SIGN: &str = "POST&%2F&AccessKeyId%3DtestAK%26Action%3DAssociateHaVip%26ClientToken%3Dtok-1%26Format%3DJSON%26HaVipId%3Dhavip-abc123%26InstanceId%3Di-xyz%2520789%26InstanceType%3DEcsInstance%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D2bab6ffe5bd625a38166970232cda7c7%26SignatureType%3D%26SignatureVersion%3D1.0%26Timestamp%3D2026-11-21T23%253A35%253A10Z%26Version%3D2016-04-28";

#[test]
fn signature_mismatch_message_is_what_the_legacy_sdk_splits() {
    let m = row(
        F::Signature(S::Mismatch {
            string_to_sign: WIRE_RPC_STRING_TO_SIGN.into(),
            canonical_request: None,
        }),
        None,
        400,
        "SignatureDoesNotMatch",
    );
    // aliyunsdkcore: `server_error_message.split(':')[1] == string_to_sign`.
    assert_eq!(m.split(':').nth(1), Some(WIRE_RPC_STRING_TO_SIGN));
}

#[test]
fn access_keys() {
    row(
        F::UnknownAccessKey("AK".into()),
        None,
        404,
        "InvalidAccessKeyId.NotFound",
    );
    row(
        F::AccessKeyDisabled("AK".into()),
        None,
        400,
        "InvalidAccessKeyId.Inactive",
    );
}

#[test]
fn nonce_used() {
    row(F::NonceUsed, None, 400, "SignatureNonceUsed");
}

#[test]
fn missing_and_invalid_parameters() {
    let m = row(
        F::MissingParameter("Action".into()),
        None,
        400,
        "MissingParameter",
    );
    assert!(m.contains("\"Action\""));
    row(
        F::invalid("PageSize", "too big"),
        Some(Op::DescribeHaVips),
        400,
        "InvalidParameter",
    );
    domain(
        D::MissingParameter("SubnetId"),
        Op::CreateHaVip,
        400,
        "MissingParameter",
    );
    domain(
        D::invalid("InstanceId", "x"),
        Op::AssociateHaVip,
        400,
        "InvalidParameter",
    );
    domain(
        D::ClientTokenMalformed,
        Op::AssociateHaVip,
        400,
        "InvalidParameter",
    );
}

#[test]
fn version_and_action() {
    row(
        F::InvalidVersion("2014-05-26".into()),
        None,
        400,
        "InvalidVersion",
    );
    row(
        F::UnknownAction("CreateVpc".into()),
        None,
        404,
        "InvalidAction.NotFound",
    );
}

#[test]
fn describe_and_tag_parameters() {
    row(
        F::InvalidFilterKey("Name".into()),
        Some(Op::DescribeHaVips),
        400,
        "InvalidFilterKey.ValueNotSupported",
    );
    row(
        F::InvalidResourceType("VPC".into()),
        Some(Op::TagResources),
        400,
        "InvalidResourceType.NotFound",
    );
    row(
        F::InvalidNextToken,
        Some(Op::ListTagResources),
        400,
        "InvalidNextToken",
    );
}

#[test]
fn instance_type() {
    domain(
        D::InstanceTypeMalformed("Router".into()),
        Op::AssociateHaVip,
        400,
        "IllegalParam.InstanceType",
    );
}

#[test]
fn name_and_description() {
    domain(
        D::NameMalformed,
        Op::ModifyHaVipAttribute,
        400,
        "Abs.Vpc.InvalidName.Malformed",
    );
    domain(
        D::DescriptionMalformed,
        Op::CreateHaVip,
        400,
        "InvalidDescription.Malformed",
    );
}

#[test]
fn ip_addresses() {
    let ip = Ipv4Addr::new(192, 168, 1, 1);
    domain(
        D::IpMalformed("x".into()),
        Op::CreateHaVip,
        400,
        "InvalidIPAddress.Malformed",
    );
    domain(
        D::IpOutOfRange(ip),
        Op::CreateHaVip,
        400,
        "InvalidIPAddress.OutOfRange",
    );
    domain(
        D::IpReserved(ip),
        Op::CreateHaVip,
        400,
        "InvalidIPAddress.NotAvailable",
    );
    domain(
        D::IpInUse(ip),
        Op::CreateHaVip,
        400,
        "InvalidIPAddress.AlreadyUsed",
    );
    domain(
        D::SubnetExhausted,
        Op::CreateHaVip,
        400,
        "InvalidVSwitchId.IpNotEnough",
    );
}

#[test]
fn tags() {
    domain(
        D::TagKeyMalformed("acs:x".into()),
        Op::TagResources,
        400,
        "InvalidTagKey",
    );
    domain(
        D::TagValueMalformed("k".into()),
        Op::TagResources,
        400,
        "InvalidTagValue",
    );
    domain(
        D::TagKeyDuplicated("k".into()),
        Op::TagResources,
        400,
        "DuplicatedParam.TagKey",
    );
    domain(
        D::TooManyTags { limit: 20 },
        Op::TagResources,
        400,
        "QuotaExceeded.TagNum",
    );
}

#[test]
fn region_not_found() {
    domain(
        D::RegionNotFound("cn-x".into()),
        Op::DescribeHaVips,
        404,
        "InvalidRegionId.NotFound",
    );
}

#[test]
fn havip_not_found() {
    for op in [
        Op::AssociateHaVip,
        Op::UnassociateHaVip,
        Op::DeleteHaVip,
        Op::ModifyHaVipAttribute,
    ] {
        domain(
            D::HaVipNotFound("h".into()),
            op,
            404,
            "InvalidHaVipId.NotFound",
        );
    }
    for op in [Op::TagResources, Op::UnTagResources] {
        domain(
            D::HaVipNotFound("h".into()),
            op,
            404,
            "InvalidResourceId.NotFound",
        );
    }
}

#[test]
fn instance_not_found_is_400_for_associate_and_404_for_unassociate() {
    domain(
        D::InstanceNotFound("i".into()),
        Op::AssociateHaVip,
        400,
        "InvalidInstanceId.NotFound",
    );
    domain(
        D::InstanceNotFound("i".into()),
        Op::UnassociateHaVip,
        404,
        "InvalidInstanceId.NotFound",
    );
}

#[test]
fn eni_and_subnet_not_found() {
    domain(
        D::EniNotFound("e".into()),
        Op::AssociateHaVip,
        400,
        "InvalidNetworkInterfaceId.NotFound",
    );
    domain(
        D::SubnetNotFound("v".into()),
        Op::CreateHaVip,
        400,
        "InvalidVSwitch.NotFound",
    );
}

#[test]
fn other_not_found() {
    domain(
        D::VpcNotFound("v".into()),
        Op::DescribeHaVips,
        404,
        "InvalidVpcId.NotFound",
    );
    domain(
        D::AccountNotFound("a".into()),
        Op::DescribeHaVips,
        404,
        "InvalidAccountId.NotFound",
    );
    domain(
        D::AlreadyExists("x".into()),
        Op::CreateHaVip,
        400,
        "InvalidParameter",
    );
}

#[test]
fn havip_status_per_operation() {
    let st = |status, action| D::HaVipStatus { status, action };
    let m = domain(
        st(HaVipStatus::Associating, Action::Associate),
        Op::AssociateHaVip,
        400,
        "IncorrectHaVipStatus",
    );
    assert!(m.contains("Available or InUse"));
    let m = domain(
        st(HaVipStatus::Available, Action::Disassociate),
        Op::UnassociateHaVip,
        400,
        "IncorrectHaVipStatus",
    );
    assert!(m.contains("only when it's status is InUse"));
    domain(
        st(HaVipStatus::InUse, Action::Delete),
        Op::DeleteHaVip,
        400,
        "IncorrectStatus",
    );
    domain(
        st(HaVipStatus::Associating, Action::Delete),
        Op::DeleteHaVip,
        400,
        "IncorrectHaVipStatus",
    );
    domain(
        st(HaVipStatus::Deleting, Action::Delete),
        Op::DeleteHaVip,
        400,
        "IncorrectHaVipStatus",
    );
    domain(
        st(HaVipStatus::Associating, Action::Modify),
        Op::ModifyHaVipAttribute,
        400,
        "IncorrectStatus",
    );
    domain(
        st(HaVipStatus::Deleting, Action::Tag),
        Op::TagResources,
        400,
        "IncorrectHaVipStatus",
    );
}

#[test]
fn instance_status() {
    let e = D::InstanceStatus {
        status: InstanceStatus::Pending,
        via_eni: false,
    };
    domain(e, Op::AssociateHaVip, 400, "IncorrectInstanceStatus");
}

#[test]
fn relations() {
    domain(
        D::AlreadyAssociated,
        Op::AssociateHaVip,
        404,
        "InvalidHaVip.Exist",
    );
    domain(
        D::MixedTypes {
            carried: MemberKind::EcsInstance,
        },
        Op::AssociateHaVip,
        400,
        "OperationUnsupported.BindMultipleType",
    );
    domain(
        D::FreeEni,
        Op::AssociateHaVip,
        400,
        "OperationUnsupported.BindOnFreeNetworkInterface",
    );
    domain(
        D::ServiceManagedEni,
        Op::AssociateHaVip,
        400,
        "IllegalParam.InstanceType",
    );
    domain(
        D::TwoEnisOfOneInstance,
        Op::AssociateHaVip,
        400,
        "OperationUnsupported.BindOnSameEcs",
    );
    domain(
        D::DifferentSubnet,
        Op::AssociateHaVip,
        400,
        "OperationUnsupported.BindOnMultipleVswitch",
    );
    domain(
        D::NotAssociated,
        Op::UnassociateHaVip,
        400,
        "ResourceNotAssociated",
    );
    domain(
        D::UnassociateMaster,
        Op::UnassociateHaVip,
        400,
        "Forbidden.UnassociateMaster",
    );
    domain(
        D::EipBound,
        Op::DeleteHaVip,
        400,
        "DependencyViolation.HaVipAssociatedWithEIP",
    );
    // No Alibaba action moves the master; the row stands for completeness.
    domain(
        D::MasterFollowsArp,
        Op::AssociateHaVip,
        400,
        "IncorrectHaVipStatus",
    );
    for e in [D::EniCarriesHaVip, D::EniAttached, D::EniIsPrimary] {
        domain(
            e,
            Op::AssociateHaVip,
            400,
            "IncorrectStatus.NetworkInterface",
        );
    }
}

#[test]
fn limits() {
    domain(
        D::InstancesPerHaVipLimit { limit: 2 },
        Op::AssociateHaVip,
        400,
        "CountLimitExceeded.HaVipOnECSInstance",
    );
    domain(
        D::HaVipsPerInstanceLimit { limit: 5 },
        Op::AssociateHaVip,
        400,
        "CountLimitExceed.HaVipOnInstance",
    );
}

#[test]
fn havip_quota() {
    let m = domain(
        D::HaVipQuotaExceeded { limit: 50 },
        Op::CreateHaVip,
        403,
        "QuotaExceeded.HaVip",
    );
    assert_eq!(m, "Living HaVip quota exceeded.");
}

#[test]
fn cidrs() {
    domain(
        D::CidrMalformed("x".into()),
        Op::CreateHaVip,
        400,
        "InvalidParameter",
    );
    domain(D::CidrOutsideVpc, Op::CreateHaVip, 400, "InvalidParameter");
}

#[test]
fn idempotency() {
    domain(
        D::IdempotentParameterMismatch,
        Op::AssociateHaVip,
        400,
        "IdempotenceParamNotMatch",
    );
    domain(
        D::IdempotentProcessing,
        Op::AssociateHaVip,
        400,
        "IdempotentProcessing",
    );
}

#[test]
fn server_failures() {
    row(F::Unavailable, None, 503, "ServiceUnavailable");
    row(F::Internal, None, 500, "InternalError");
    let store_down = havip_service::ServiceError::unavailable("x");
    assert_eq!(F::from(store_down), F::Unavailable);
    let corrupt = havip_service::ServiceError::corrupt("x");
    assert_eq!(F::from(corrupt), F::Internal);
}
