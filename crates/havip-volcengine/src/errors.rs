//! THE error table of the Volcengine face: one `match` from every error this face can
//! answer (gateway/auth errors and the dialect-neutral [`DomainError`]) to the HTTP status,
//! `Code`, integer `CodeN` and `Message` of Volcengine's `ResponseMetadata.Error`.
//! Codes and messages follow seeds 000/001 and wire-volcengine.md §4; each row is pinned
//! by a test below and listed in docs/volcengine.md.

use havip_core::error::Action;
use havip_core::{DomainError, HaVipStatus};
use http::StatusCode;

/// Every error this face answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaceError {
    /// No `Authorization` header (and the server is not in `--insecure-no-auth` mode).
    #[error("the request carries no credentials")]
    MissingAuthenticationToken,
    /// An `Authorization` header without a signature.
    #[error("the request carries no signature")]
    MissingSignature,
    /// Unknown or disabled access key.
    #[error("unknown access key {0:?}")]
    InvalidAccessKey(String),
    /// The signature (or the authorization header) does not verify.
    #[error("the signature does not match")]
    SignatureDoesNotMatch,
    /// A header that must be signed (`X-Date`, `X-Security-Token`) is not in
    /// `SignedHeaders`: answered as `SignatureDoesNotMatch`, naming the header.
    #[error("the header {0} is not signed")]
    HeaderNotSigned(String),
    /// `X-Date` malformed or more than 15 minutes from the server clock.
    #[error("the request timestamp is expired or malformed")]
    InvalidTimestamp,
    /// A piece of request information (the credential-scope region) is absent.
    #[error("the request is missing {0} information")]
    MissingRequestInfo(&'static str),
    /// The credential scope names a service other than `vpc`, or a region without it.
    #[error("the service {0:?} is not served here")]
    ServiceNotFound(String),
    /// `Action`/`Version` name no operation of this face.
    #[error("no operation {action:?} in version {version:?}")]
    InvalidActionOrVersion { action: String, version: String },
    /// The request body is over the size limit.
    #[error("the request body is too large")]
    BodyTooLarge,
    /// The request body could not be read.
    #[error("the request body could not be read")]
    BodyBroken,
    /// A JSON body that is not JSON or whose top level is not an object.
    #[error("the request body is malformed: {0}")]
    BodyMalformed(String),
    /// The operation asked of the HaVip is one it does not support (DisassociateHaVip
    /// with an InstanceType other than the one the HaVip carries).
    #[error("the HaVip does not support this operation")]
    HaVipNotSupport,
    /// The store is unavailable.
    #[error("the service is unavailable")]
    Unavailable,
    /// An answer could not be written (a fault of the server, never of the request).
    #[error("the answer could not be written")]
    Internal,
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// What goes on the wire for an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorSpec {
    pub status: StatusCode,
    pub code: String,
    pub code_n: i64,
    pub message: String,
}

fn spec(status: u16, code: &str, code_n: i64, message: impl Into<String>) -> ErrorSpec {
    ErrorSpec {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        code: code.to_string(),
        code_n,
        message: message.into(),
    }
}

const HAVIP_STATUS_MSG: &str = "The specified HaVip is not in the correct status for the request.";
const HAVIP_MISMATCH_MSG: &str = "The specified HaVip and instance are not associated.";
const ENI_STATUS_MSG: &str =
    "The specified elastic network interface is not in the correct status for the request.";

impl FaceError {
    /// THE table.
    pub fn spec(&self) -> ErrorSpec {
        use DomainError as D;
        match self {
            // --- gateway and signature (common error codes, wire-volcengine.md §4.4) ---
            FaceError::MissingAuthenticationToken => spec(
                401,
                "MissingAuthenticationToken",
                100003,
                "Request is missing Authentication Token.",
            ),
            FaceError::MissingSignature => spec(
                401,
                "MissingSignature",
                100005,
                "The request is missing signature.",
            ),
            FaceError::InvalidAccessKey(ak) => spec(
                401,
                "InvalidAccessKey",
                100009,
                format!("The accesskey [{ak}] included in the request is invalid."),
            ),
            FaceError::SignatureDoesNotMatch => spec(
                401,
                "SignatureDoesNotMatch",
                100010,
                "The request signature we calculated does not match the signature you provided. Check your Secret Access Key and signing method. Consult the service documentation for details.",
            ),
            FaceError::HeaderNotSigned(name) => spec(
                401,
                "SignatureDoesNotMatch",
                100010,
                format!("The request signature we calculated does not match the signature you provided. The header {name} must be signed: list it in SignedHeaders."),
            ),
            FaceError::InvalidTimestamp => spec(
                400,
                "InvalidTimestamp",
                100006,
                "The signature of the request is expired.",
            ),
            FaceError::MissingRequestInfo(what) => spec(
                400,
                "MissingRequestInfo",
                100004,
                format!("The request is missing {what} information."),
            ),
            FaceError::ServiceNotFound(service) => spec(
                404,
                "ServiceNotFound",
                100007,
                format!("This service[{service}] not found."),
            ),
            FaceError::InvalidActionOrVersion { action, version } => spec(
                404,
                "InvalidActionOrVersion",
                100008,
                format!("Could not find operation {action} for version {version}."),
            ),
            FaceError::BodyTooLarge => spec(
                413,
                "RequestEntityTooLarge",
                100020,
                "The request body is larger than 1 MiB.",
            ),
            FaceError::BodyBroken => spec(
                400,
                "InvalidParameter",
                10001,
                "The request body could not be read.",
            ),
            FaceError::BodyMalformed(why) => spec(
                400,
                "InvalidParameter",
                10001,
                format!("The request body is invalid: {why}."),
            ),
            FaceError::HaVipNotSupport => spec(
                400,
                "InvalidHaVip.NotSupport",
                10012,
                "The specified HaVip does not support this operation",
            ),
            FaceError::Unavailable => spec(
                503,
                "ServiceUnavailableTemp",
                100014,
                "Service is unavailable temporarily.",
            ),
            FaceError::Internal => spec(
                500,
                "InternalError",
                100000,
                "The request has failed due to an unknown error.",
            ),

            // --- shape of the request ---------------------------------------------------
            FaceError::Domain(D::MissingParameter(name)) => spec(
                400,
                "MissingParameter",
                100002,
                format!("The request is missing {name} parameter."),
            ),
            FaceError::Domain(D::InvalidParameter { name, .. }) => spec(
                400,
                "InvalidParameter",
                10001,
                format!("The specified parameter {name} is invalid."),
            ),
            FaceError::Domain(D::ClientTokenMalformed) => spec(
                400,
                "InvalidParameter.ClientTokenMalformed",
                10002,
                "The specified parameter ClientToken is malformed.",
            ),
            FaceError::Domain(D::InstanceTypeMalformed(_)) => spec(
                400,
                "InvalidInstanceType.Malformed",
                10003,
                "The specified instance type is malformed.",
            ),
            FaceError::Domain(D::NameMalformed) => spec(
                400,
                "InvalidName.Malformed",
                10004,
                "The specified name is malformed. Ensure the maximum length of name is 128.",
            ),
            FaceError::Domain(D::DescriptionMalformed) => spec(
                400,
                "InvalidDescription.Malformed",
                10005,
                "The specified description is malformed. Ensure the maximum length of description is 255.",
            ),
            FaceError::Domain(D::IpMalformed(_)) => spec(
                400,
                "InvalidIpAddress.Malformed",
                10006,
                "The specified IP address is malformed.",
            ),
            FaceError::Domain(D::TagKeyMalformed(_)) => spec(
                400,
                "InvalidTagKey.Malformed",
                10007,
                "The specified tag key is malformed.",
            ),
            FaceError::Domain(D::TagValueMalformed(_)) => spec(
                400,
                "InvalidTagValue.Malformed",
                10008,
                "The specified tag value is malformed.",
            ),
            FaceError::Domain(D::TagKeyDuplicated(_)) => spec(
                400,
                "InvalidTagKey.Duplicated",
                10009,
                "The specified tag keys are duplicated.",
            ),
            FaceError::Domain(D::TooManyTags { .. }) => spec(
                400,
                "LimitExceeded.TagsPerResource",
                10010,
                "You've reached the limit on the number of tags that you can add to a resource.",
            ),

            // --- existence --------------------------------------------------------------
            FaceError::Domain(D::RegionNotFound(_)) => spec(
                404,
                "ServiceNotFound",
                100007,
                "This service[vpc] not found.",
            ),
            FaceError::Domain(D::HaVipNotFound(_)) => spec(
                404,
                "InvalidHaVip.NotFound",
                10011,
                "The specified HaVip does not exist.",
            ),
            FaceError::Domain(D::InstanceNotFound(_)) => spec(
                404,
                "InvalidInstance.NotFound",
                10013,
                "The specified instance does not exist.",
            ),
            FaceError::Domain(D::EniNotFound(_)) => spec(
                404,
                "InvalidEniId.NotFound",
                10014,
                "The specified elastic network interface does not exist.",
            ),
            FaceError::Domain(D::SubnetNotFound(_)) => spec(
                404,
                "InvalidSubnet.NotFound",
                10015,
                "The specified subnet does not exist.",
            ),
            FaceError::Domain(D::VpcNotFound(_)) => spec(
                404,
                "InvalidVpc.NotFound",
                10016,
                "The specified VPC does not exist.",
            ),
            FaceError::Domain(D::AccountNotFound(_)) => spec(
                404,
                "InvalidAccount.NotFound",
                10017,
                "The specified account does not exist.",
            ),
            FaceError::Domain(D::AlreadyExists(_)) => spec(
                400,
                "InvalidParameter",
                10001,
                "The specified resource already exists.",
            ),

            // --- status -----------------------------------------------------------------
            // A HaVip that carries nothing has no pair to disassociate (DECISIONS.md).
            FaceError::Domain(D::HaVipStatus {
                status: HaVipStatus::Available,
                action: Action::Disassociate,
            }) => spec(400, "InvalidHaVip.InstanceMismatch", 10018, HAVIP_MISMATCH_MSG),
            FaceError::Domain(D::HaVipStatus { .. }) => {
                spec(400, "InvalidHaVip.InvalidStatus", 10019, HAVIP_STATUS_MSG)
            }
            // No Volcengine action moves the master (it follows ARP); the nearest code.
            FaceError::Domain(D::MasterFollowsArp) => {
                spec(400, "InvalidHaVip.InvalidStatus", 10019, HAVIP_STATUS_MSG)
            }
            FaceError::Domain(D::InstanceStatus { via_eni: true, .. }) => {
                spec(400, "InvalidEni.InvalidStatus", 10020, ENI_STATUS_MSG)
            }
            FaceError::Domain(D::InstanceStatus { via_eni: false, .. }) => spec(
                400,
                "InvalidInstance.InvalidStatus",
                10021,
                "The specified instance is not in the correct status for the request.",
            ),

            // --- relations (seed 001: the five Forbidden conditions) ---------------------
            FaceError::Domain(D::AlreadyAssociated) => spec(
                403,
                "Forbidden",
                10022,
                "You are not authorized to perform operations on the specified instance. The specified instance is associated with a HaVip.",
            ),
            FaceError::Domain(D::MixedTypes { .. }) => spec(
                403,
                "Forbidden",
                10022,
                "You are not authorized to perform operations on the specified HaVip. Cannot bind HaVip to multiple instance types.",
            ),
            FaceError::Domain(D::FreeEni) => spec(
                403,
                "Forbidden",
                10022,
                "You are not authorized to perform operations on the specified elastic network interface. The specified elastic network interface is not attached to ECS.",
            ),
            FaceError::Domain(D::ServiceManagedEni) => spec(
                403,
                "Forbidden",
                10022,
                "You are not authorized to perform operations on the specified elastic network interface. The specified elastic network interface is a service-managed elastic network interface.",
            ),
            FaceError::Domain(D::TwoEnisOfOneInstance) => spec(
                403,
                "Forbidden",
                10022,
                "You are not authorized to perform operations on the specified elastic network interface. Cannot associate HaVip with two elastic network interface in the same ECS instance.",
            ),
            FaceError::Domain(D::DifferentSubnet) => spec(
                400,
                "InvalidInstance.HaVipMismatch",
                10023,
                "The specified instance and HaVip are in different subnets.",
            ),
            FaceError::Domain(D::NotAssociated) => {
                spec(400, "InvalidHaVip.InstanceMismatch", 10018, HAVIP_MISMATCH_MSG)
            }
            // Alibaba's rule; the Volcengine profile never asks for Force.
            FaceError::Domain(D::UnassociateMaster) => spec(
                400,
                "InvalidHaVip.NotSupport",
                10012,
                "The specified HaVip does not support this operation",
            ),
            FaceError::Domain(D::EniCarriesHaVip | D::EniAttached | D::EniIsPrimary) => {
                spec(400, "InvalidEni.InvalidStatus", 10020, ENI_STATUS_MSG)
            }
            FaceError::Domain(D::EipBound) => spec(
                400,
                "InvalidHaVip.InUse",
                10024,
                "The specified HaVip is in use. If you are trying to delete this HaVip, ensure that it is disassociated with elastic IP.",
            ),

            // --- limits -----------------------------------------------------------------
            FaceError::Domain(D::InstancesPerHaVipLimit { .. }) => spec(
                400,
                "LimitExceeded.InstancesPerHaVip",
                10025,
                "You've reached the limit on the number of instances that you can associate with a HaVip.",
            ),
            FaceError::Domain(D::HaVipsPerInstanceLimit { .. }) => spec(
                400,
                "LimitExceeded.HaVipsPerInstance",
                10026,
                "You've reached the limit on the number of HaVips that you can associate with an instance.",
            ),
            // Not in the retrievable docs: named by the QuotaExceeded.Xxx pattern.
            FaceError::Domain(D::HaVipQuotaExceeded { .. }) => spec(
                400,
                "QuotaExceeded.HaVip",
                10033,
                "You've reached the quota on the number of HaVips that you can create in this region.",
            ),

            // --- addresses --------------------------------------------------------------
            FaceError::Domain(D::IpOutOfRange(_)) => spec(
                400,
                "InvalidIpAddress.OutOfRange",
                10027,
                "The specified IP address is not in the CIDR block of the subnet.",
            ),
            FaceError::Domain(D::IpReserved(_)) => spec(
                400,
                "InvalidIpAddress.Reserved",
                10028,
                "The specified IP address is reserved by the system.",
            ),
            FaceError::Domain(D::IpInUse(_)) => spec(
                400,
                "InvalidIpAddress.InUse",
                10029,
                "The specified IP address is in use.",
            ),
            FaceError::Domain(D::SubnetExhausted) => spec(
                400,
                "InsufficientIpInSubnet",
                10030,
                "The specified subnet has no available IP address.",
            ),
            FaceError::Domain(D::CidrMalformed(_) | D::CidrOutsideVpc) => spec(
                400,
                "InvalidParameter",
                10001,
                "The specified CIDR block is invalid.",
            ),

            // --- idempotency ------------------------------------------------------------
            FaceError::Domain(D::IdempotentParameterMismatch) => spec(
                400,
                "IdempotentParameterMismatch",
                10031,
                "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
            ),
            FaceError::Domain(D::IdempotentProcessing) => spec(
                412,
                "IdempotentProcessing",
                10032,
                "The request uses the same client token as a previous one that is still in process.",
            ),
        }
    }
}

impl From<havip_service::ServiceError> for FaceError {
    fn from(e: havip_service::ServiceError) -> Self {
        match e {
            havip_service::ServiceError::Domain(d) => FaceError::Domain(d),
            havip_service::ServiceError::Store(_) => FaceError::Unavailable,
        }
    }
}

#[cfg(test)]
mod tests;
