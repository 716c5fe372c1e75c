//! THE error table of the Alibaba face: every failure a request can meet (signature,
//! request shape, domain rule, store) maps here, in one `match`, to the HTTP status, `Code`
//! and `Message` that Alibaba Cloud VPC documents (seeds 002/003, wire-aliyun.md 4.3/4.4,
//! DECISIONS.md "Alibaba face"). docs/aliyun.md lists the same rows with their tests.

use havip_core::error::Action;
use havip_core::{DomainError, HaVipStatus};
use havip_signature::SignatureError;
use http::StatusCode;

use crate::actions::Operation;

/// Everything that can go wrong in the face, before it is rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaceError {
    #[error("the request body is larger than the limit")]
    BodyTooLarge,
    #[error("the request body could not be read")]
    BodyBroken,
    #[error("signature: {0}")]
    Signature(SignatureError),
    #[error("unknown access key {0:?}")]
    UnknownAccessKey(String),
    #[error("access key {0:?} is disabled")]
    AccessKeyDisabled(String),
    #[error("the signature nonce was used before")]
    NonceUsed,
    #[error("missing parameter {0}")]
    MissingParameter(String),
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter { name: String, reason: String },
    #[error("unsupported version {0:?}")]
    InvalidVersion(String),
    #[error("unknown action {0:?}")]
    UnknownAction(String),
    #[error("unsupported filter key {0:?}")]
    InvalidFilterKey(String),
    #[error("unsupported resource type {0:?}")]
    InvalidResourceType(String),
    #[error("invalid NextToken")]
    InvalidNextToken,
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the store is unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl FaceError {
    pub fn invalid(name: &str, reason: impl Into<String>) -> Self {
        FaceError::InvalidParameter {
            name: name.to_string(),
            reason: reason.into(),
        }
    }

    pub fn invalid_named(name: String, reason: impl Into<String>) -> Self {
        FaceError::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }
}

impl From<havip_service::ServiceError> for FaceError {
    fn from(e: havip_service::ServiceError) -> Self {
        match e {
            havip_service::ServiceError::Domain(d) => FaceError::Domain(d),
            other if other.is_corrupt() => FaceError::Internal,
            havip_service::ServiceError::Store(_) => FaceError::Unavailable,
        }
    }
}

/// What the client sees of an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReply {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

fn reply(status: u16, code: &str, message: impl Into<String>) -> ErrorReply {
    ErrorReply {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        code: code.to_string(),
        message: message.into(),
    }
}

fn missing(name: &str) -> String {
    format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied.")
}

fn invalid(name: &str) -> String {
    format!("The specified parameter \"{name}\" is not valid.")
}

fn invalid_because(name: &str, reason: &str) -> String {
    format!("The specified parameter \"{name}\" is not valid: {reason}.")
}

/// The Message of `SignatureDoesNotMatch`. The legacy SDK runs `Message.split(':')[1]`
/// on it and compares that with its own string to sign, so the text before the string to
/// sign has no colon and ends with one.
pub fn signature_mismatch_message(string_to_sign: &str) -> String {
    format!(
        "Specified signature does not match our calculation. server string to sign is:{string_to_sign}"
    )
}

/// THE table. `op` is the operation the request names, when known (some codes and
/// statuses differ per operation, as the seeds document them).
pub fn table(err: &FaceError, op: Option<Operation>) -> ErrorReply {
    use DomainError as D;
    use FaceError as F;
    let tag_op = matches!(
        op,
        Some(
            Operation::TagResources
                | Operation::UnTagResources
                | Operation::ListTagResources
                | Operation::MoveResourceGroup
        )
    );
    match err {
        // --- transport ------------------------------------------------------------
        F::BodyTooLarge => reply(
            413,
            "RequestEntityTooLarge",
            "The request body is larger than 1 MiB.",
        ),
        F::BodyBroken => reply(400, "InvalidParameter", "The request body could not be read."),

        // --- signature and credentials ---------------------------------------------
        F::Signature(SignatureError::Missing) => reply(400, "MissingParameter", missing("AccessKeyId")),
        F::Signature(SignatureError::Malformed(why)) => reply(
            400,
            "IncompleteSignature",
            format!("The request signature does not conform to Aliyun standards. {why}"),
        ),
        F::Signature(SignatureError::HeaderNotSigned(name)) => reply(
            400,
            "IncompleteSignature",
            format!("The request signature does not conform to Aliyun standards. The header {name} must be signed: list it in SignedHeaders."),
        ),
        F::Signature(SignatureError::UnsupportedMethod(m)) => reply(
            400,
            "InvalidSignatureMethod",
            format!("Specified signature method is not valid. {m} is not supported."),
        ),
        F::Signature(SignatureError::TimestampMalformed) => reply(
            400,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        ),
        F::Signature(SignatureError::TimestampExpired) => reply(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ),
        F::Signature(SignatureError::ContentHashMismatch) => reply(
            400,
            "SignatureDoesNotMatch",
            "Specified signature does not match our calculation. x-acs-content-sha256 is not the SHA-256 of the body:",
        ),
        F::Signature(SignatureError::Mismatch { string_to_sign, .. }) => reply(
            400,
            "SignatureDoesNotMatch",
            signature_mismatch_message(string_to_sign),
        ),
        F::UnknownAccessKey(_) => reply(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
        F::AccessKeyDisabled(_) => reply(400, "InvalidAccessKeyId.Inactive", "Specified access key is disabled."),
        F::NonceUsed => reply(400, "SignatureNonceUsed", "Specified signature nonce was used already."),

        // --- request shape ----------------------------------------------------------
        F::MissingParameter(name) => reply(400, "MissingParameter", missing(name)),
        F::InvalidParameter { name, reason } => {
            reply(400, "InvalidParameter", invalid_because(name, reason))
        }
        F::InvalidVersion(_) => reply(400, "InvalidVersion", "Specified parameter Version is not valid."),
        F::UnknownAction(_) => reply(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
        F::InvalidFilterKey(_) => reply(
            400,
            "InvalidFilterKey.ValueNotSupported",
            "The specified filter key is not supported.",
        ),
        F::InvalidResourceType(_) => reply(
            400,
            "InvalidResourceType.NotFound",
            "The specified ResourceType is not found. Only HaVip is supported.",
        ),
        F::InvalidNextToken => reply(400, "InvalidNextToken", "The specified NextToken is not valid."),
        F::Domain(D::MissingParameter(name)) => reply(400, "MissingParameter", missing(name)),
        F::Domain(D::InvalidParameter { name, reason }) => {
            reply(400, "InvalidParameter", invalid_because(name, reason))
        }
        F::Domain(D::ClientTokenMalformed) => reply(
            400,
            "InvalidParameter",
            format!("{} It must be at most 64 ASCII characters.", invalid("ClientToken")),
        ),
        F::Domain(D::InstanceTypeMalformed(_)) => reply(
            400,
            "IllegalParam.InstanceType",
            "The specified instance type is invalid. Only ECS instances and network interface are allowed.",
        ),
        F::Domain(D::NameMalformed) => reply(400, "Abs.Vpc.InvalidName.Malformed", "The specified Name is not valid."),
        F::Domain(D::DescriptionMalformed) => reply(
            400,
            "InvalidDescription.Malformed",
            "The specified Description is wrongly formed.",
        ),
        F::Domain(D::IpMalformed(_)) => reply(
            400,
            "InvalidIPAddress.Malformed",
            "The specified IPAddress is not a valid or strict address.",
        ),
        F::Domain(D::TagKeyMalformed(_)) => reply(
            400,
            "InvalidTagKey",
            "The tag key must be 1 to 128 characters, must not start with aliyun or acs:, and must not contain http:// or https://.",
        ),
        F::Domain(D::TagValueMalformed(_)) => reply(
            400,
            "InvalidTagValue",
            "The tag value must be at most 128 characters and must not contain http://.",
        ),
        F::Domain(D::TagKeyDuplicated(_)) => reply(400, "DuplicatedParam.TagKey", "The same tag key is given twice."),
        F::Domain(D::TooManyTags { .. }) => reply(
            400,
            "QuotaExceeded.TagNum",
            "The number of tags on a resource exceeds the limit of 20.",
        ),

        // --- existence --------------------------------------------------------------
        F::Domain(D::RegionNotFound(_)) => reply(
            404,
            "InvalidRegionId.NotFound",
            "The RegionId provided does not exist in our records.",
        ),
        F::Domain(D::HaVipNotFound(_)) if tag_op => reply(
            404,
            "InvalidResourceId.NotFound",
            "The specified ResourceIds are not found in our records.",
        ),
        F::Domain(D::HaVipNotFound(_)) => reply(
            404,
            "InvalidHaVipId.NotFound",
            "The specified HaVip does not exist in the specified region.",
        ),
        F::Domain(D::InstanceNotFound(_)) => reply(
            if op == Some(Operation::UnassociateHaVip) { 404 } else { 400 },
            "InvalidInstanceId.NotFound",
            "The specified Instance does not exist in the specified region.",
        ),
        F::Domain(D::EniNotFound(_)) => reply(
            400,
            "InvalidNetworkInterfaceId.NotFound",
            "The network interface is not found.",
        ),
        F::Domain(D::SubnetNotFound(_)) => reply(
            400,
            "InvalidVSwitch.NotFound",
            "The specified VSwitch does not exist in the specified region.",
        ),
        F::Domain(D::VpcNotFound(_)) => reply(404, "InvalidVpcId.NotFound", "The specified VPC does not exist."),
        F::Domain(D::AccountNotFound(_)) => reply(404, "InvalidAccountId.NotFound", "The specified account does not exist."),
        F::Domain(D::AlreadyExists(_)) => reply(400, "InvalidParameter", "The specified resource already exists."),

        // --- status -----------------------------------------------------------------
        F::Domain(D::HaVipStatus { status, action }) => match action {
            Action::Associate => reply(
                400,
                "IncorrectHaVipStatus",
                "HaVip can be operated by this action only when it's status is Available or InUse.",
            ),
            Action::Disassociate => reply(
                400,
                "IncorrectHaVipStatus",
                "HaVip can be operated by this action only when it's status is InUse.",
            ),
            Action::Delete if !status.is_transient() => reply(
                400,
                "IncorrectStatus",
                "HaVip can be deleted only when it is status is Available.",
            ),
            Action::Modify => reply(
                400,
                "IncorrectStatus",
                "HaVip can be deleted only when it's status is Available or InUse.",
            ),
            _ => reply(400, "IncorrectHaVipStatus", format!("HaVip's status is invalid: it is {}.", status_word(*status))),
        },
        F::Domain(D::InstanceStatus { .. }) => reply(
            400,
            "IncorrectInstanceStatus",
            "ECS instance can be operated by this action only when it's status is Running or Stopped.",
        ),

        // --- relations --------------------------------------------------------------
        F::Domain(D::AlreadyAssociated) => reply(404, "InvalidHaVip.Exist", "haVip already bind exist."),
        F::Domain(D::MixedTypes { .. }) => reply(
            400,
            "OperationUnsupported.BindMultipleType",
            "You cannot bind HaVip to multiple instance types.",
        ),
        F::Domain(D::FreeEni) => reply(
            400,
            "OperationUnsupported.BindOnFreeNetworkInterface",
            "The network interface must be attached to an ECS instance.",
        ),
        F::Domain(D::ServiceManagedEni) => reply(
            400,
            "IllegalParam.InstanceType",
            "The specified instance type is invalid. Only ECS instances and network interface are allowed.",
        ),
        F::Domain(D::TwoEnisOfOneInstance) => reply(
            400,
            "OperationUnsupported.BindOnSameEcs",
            "You cannot bind two network interfaces on the same ECS instance.",
        ),
        F::Domain(D::DifferentSubnet) => reply(
            400,
            "OperationUnsupported.BindOnMultipleVswitch",
            "The bound instance and HaVip must be on the same vSwitch.",
        ),
        F::Domain(D::NotAssociated) => reply(
            400,
            "ResourceNotAssociated",
            "The HaVip and ECS instance are not associated.",
        ),
        F::Domain(D::UnassociateMaster) => reply(
            400,
            "Forbidden.UnassociateMaster",
            "Unassociating a master instance is not allowed unless the parameter Force is True.",
        ),
        // No Alibaba action moves the master (it follows ARP); the nearest status code.
        F::Domain(D::MasterFollowsArp) => reply(
            400,
            "IncorrectHaVipStatus",
            "The master of a HaVip follows the ARP of its associated instances.",
        ),
        F::Domain(D::EipBound) => reply(
            400,
            "DependencyViolation.HaVipAssociatedWithEIP",
            "HaVip cannot be deleted when it is associated with EIP.",
        ),
        F::Domain(D::EniCarriesHaVip | D::EniAttached | D::EniIsPrimary) => {
            reply(400, "IncorrectStatus.NetworkInterface", err_text(err))
        }

        // --- limits -----------------------------------------------------------------
        F::Domain(D::InstancesPerHaVipLimit { .. }) => reply(
            400,
            "CountLimitExceeded.HaVipOnECSInstance",
            "The amount of Instance associated with the specified HaVip reach its limits.",
        ),
        F::Domain(D::HaVipsPerInstanceLimit { .. }) => reply(
            400,
            "CountLimitExceed.HaVipOnInstance",
            "The amount of HaVip associated with the specified Instance reach its limits.",
        ),
        // CreateHaVip's 403 row in Alibaba's API metadata (VPC 2016-04-28).
        F::Domain(D::HaVipQuotaExceeded { .. }) => {
            reply(403, "QuotaExceeded.HaVip", "Living HaVip quota exceeded.")
        }

        // --- addresses --------------------------------------------------------------
        F::Domain(D::IpOutOfRange(_)) => reply(
            400,
            "InvalidIPAddress.OutOfRange",
            "The specified IPAddress is out of VSwitch CIDR.",
        ),
        F::Domain(D::IpReserved(_)) => reply(
            400,
            "InvalidIPAddress.NotAvailable",
            "The specified IPAddress is not available because it is a system reserved IPAddress.",
        ),
        F::Domain(D::IpInUse(_)) => reply(
            400,
            "InvalidIPAddress.AlreadyUsed",
            "The specified IPAddress is already used by other resource.",
        ),
        F::Domain(D::SubnetExhausted) => reply(
            400,
            "InvalidVSwitchId.IpNotEnough",
            "The specified VSwitch has no free IP address.",
        ),
        F::Domain(D::CidrMalformed(_) | D::CidrOutsideVpc) => reply(400, "InvalidParameter", err_text(err)),

        // --- idempotency ------------------------------------------------------------
        F::Domain(D::IdempotentParameterMismatch) => reply(
            400,
            "IdempotenceParamNotMatch",
            "Request uses a client token in a previous request but is not identical to that request.",
        ),
        F::Domain(D::IdempotentProcessing) => reply(
            400,
            "IdempotentProcessing",
            "The request with this ClientToken is still being processed.",
        ),

        // --- the server -------------------------------------------------------------
        F::Unavailable => reply(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        ),
        F::Internal => reply(
            500,
            "InternalError",
            "The request processing has failed due to some unknown error, exception or failure.",
        ),
    }
}

fn status_word(s: HaVipStatus) -> &'static str {
    s.as_str()
}

fn err_text(err: &FaceError) -> String {
    let mut s = err.to_string();
    if let Some(first) = s.get(..1) {
        let upper = first.to_ascii_uppercase();
        s.replace_range(..1, &upper);
    }
    s.push('.');
    s
}

#[cfg(test)]
mod tests;
