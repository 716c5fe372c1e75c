//! THE error table of the Tencent face: one `match` from every error this face can answer
//! (gateway, signature and request-shape errors, and every [`DomainError`] variant by
//! name) to the `Code` and `Message` of Tencent's `Response.Error`. There is no HTTP status
//! in the table: every answer is HTTP 200, the only status the SDKs read an error from
//! (docs/tencent.md §3). Codes are the ones the Tencent documents list (common codes, and
//! each action's codes); which failure gives which code is havip's choice where the
//! documents do not say, recorded in docs/decisions.md and listed with its test in
//! docs/tencent.md.

use havip_core::error::Action;
use havip_core::DomainError;

/// Every error this face answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaceError {
    // --- gateway ----------------------------------------------------------------------
    /// A method other than GET and POST.
    #[error("the method {0} is not supported")]
    UnsupportedProtocol(String),
    /// A body over 1 MiB, or a GET query over 32 KiB.
    #[error("the request is too large: {0}")]
    RequestTooLarge(&'static str),
    /// The body could not be read (broken, or too slow).
    #[error("the request body could not be read")]
    BodyBroken,
    /// The store is unavailable, or the bodies in flight hold the whole memory budget.
    #[error("the service is unavailable")]
    Unavailable,

    // --- signature and credentials ------------------------------------------------------
    /// No `Authorization` (and the server is not in `--insecure-no-auth` mode), or one that
    /// is not TC3-HMAC-SHA256 as Tencent writes it (the reason is in the message).
    #[error("invalid Authorization: {0}")]
    InvalidAuthorization(String),
    /// The signature, or `X-TC-Content-SHA256`, does not match the request.
    #[error("the signature does not match")]
    SignatureFailure,
    /// `X-TC-Timestamp` more than five minutes from the server clock.
    #[error("the signature is expired")]
    SignatureExpire,
    /// Unknown or disabled SecretId.
    #[error("unknown SecretId {0:?}")]
    SecretIdNotFound(String),
    /// An `X-TC-Token`: havip issues no temporary credentials, so none is valid.
    #[error("the session token is not valid")]
    TokenFailure,

    // --- action, version ---------------------------------------------------------------
    /// `X-TC-Action` names no action of this face.
    #[error("no action {0:?}")]
    InvalidAction(String),
    /// `X-TC-Version` is not `2017-03-12`.
    #[error("no version {0:?}")]
    NoSuchVersion(String),

    // --- shape of the request ----------------------------------------------------------
    /// A required parameter (or common parameter: Action, Version, Region) is absent or
    /// empty; nested ones are named by their path (`Tags.0.Key`).
    #[error("the parameter {0} is missing")]
    MissingParameter(String),
    /// A parameter the action does not define.
    #[error("the parameter {0} is not recognized")]
    UnknownParameter(String),
    /// A parameter of the wrong type (a number for a string, a string for a list...).
    #[error("the parameter {0} has the wrong type")]
    ParameterType(String),
    /// The parameters cannot be read at all: a POST body that is not a JSON object, a POST
    /// whose body is not `application/json`, a POST with a query, a GET query whose keys
    /// do not unflatten.
    #[error("the request is malformed: {0}")]
    BodyMalformed(String),
    /// Two parameters that may not be given together.
    #[error("{0} and {1} may not be given together")]
    Coexist(&'static str, &'static str),
    /// A DescribeHaVips filter name that does not exist.
    #[error("no filter {0:?}")]
    FilterInvalidKey(String),
    /// A value outside what the parameter takes.
    #[error("the value of {name} is invalid: {reason}")]
    InvalidValue { name: String, reason: String },
    /// A value that is not of the parameter's form (an address that is not IPv4).
    #[error("the value {value:?} of {name} is malformed")]
    ValueMalformed { name: String, value: String },
    /// A number outside its range (Offset below 0, Limit outside 1–100).
    #[error("the value of {name} is out of range: {reason}")]
    ValueRange { name: String, reason: String },
    /// More items than a list takes (HaVipIds, Filters, a filter's Values).
    #[error("{name} takes at most {max}")]
    ValueLimitExceeded { name: String, max: usize },
    /// A HaVipName longer than the profile's maximum.
    #[error("the name is longer than {max} characters")]
    NameTooLong { max: usize },

    // --- what havip does not model ------------------------------------------------------
    /// A parameter asking for something havip does not do (`NetworkInterfaceId` and a
    /// non-empty `HaVipAssociationSet` in CreateHaVip).
    #[error("not supported: {0}")]
    Unsupported(String),
    /// HaVipAssociateAddressIp: havip has no EIPs, so no `AddressIp` exists in the account.
    #[error("no EIP {0}")]
    AddressNotFound(String),
    /// HaVipDisassociateAddressIp: the HaVip has no EIP bound (none can be).
    #[error("the HaVip {0} has no EIP bound")]
    NoEipBound(String),

    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// What goes on the wire for an error (always with HTTP 200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorSpec {
    pub code: &'static str,
    pub message: String,
}

fn spec(code: &'static str, message: impl Into<String>) -> ErrorSpec {
    ErrorSpec {
        code,
        message: message.into(),
    }
}

const MISMATCH: &str =
    "The provided credentials could not be validated. Please check your signature is correct.";
const UNSUPPORTED: &str = "UnsupportedOperation";
const VALUE: &str = "InvalidParameterValue";
const NOT_FOUND: &str = "ResourceNotFound";

fn not_found(what: &str, id: &str) -> ErrorSpec {
    spec(NOT_FOUND, format!("The {what} `{id}` is not found."))
}

fn missing(name: &str) -> ErrorSpec {
    spec(
        "MissingParameter",
        format!("The request is missing a required parameter `{name}`."),
    )
}

impl FaceError {
    /// THE table.
    pub fn spec(&self) -> ErrorSpec {
        use DomainError as D;
        match self {
            // --- gateway (common error codes) --------------------------------------------
            FaceError::UnsupportedProtocol(method) => spec(
                "UnsupportedProtocol",
                format!("The HTTP method {method} is not supported: only GET and POST requests are."),
            ),
            FaceError::RequestTooLarge(what) => spec(
                "RequestSizeLimitExceeded",
                format!("The request size exceeds the limit: {what}."),
            ),
            FaceError::BodyBroken => spec("InvalidParameter", "The request body could not be read."),
            FaceError::Unavailable => spec(
                "ServiceUnavailable",
                "The service is temporarily unavailable. Please try again later.",
            ),

            // --- signature and credentials ------------------------------------------------
            FaceError::InvalidAuthorization(why) => spec(
                "AuthFailure.InvalidAuthorization",
                format!("The request `Authorization` header does not conform to tencentcloud standards: {why}."),
            ),
            FaceError::SignatureFailure => spec("AuthFailure.SignatureFailure", MISMATCH),
            FaceError::SignatureExpire => spec(
                "AuthFailure.SignatureExpire",
                "The signature is expired, please request again. Timestamp and server time cannot differ by more than five minutes.",
            ),
            FaceError::SecretIdNotFound(_) => spec(
                "AuthFailure.SecretIdNotFound",
                "The SecretId is not found, please ensure that your SecretId is correct.",
            ),
            FaceError::TokenFailure => spec(
                "AuthFailure.TokenFailure",
                "The token is invalid: havip issues no temporary credentials; sign with a SecretId and SecretKey alone.",
            ),

            // --- action and version -------------------------------------------------------
            FaceError::InvalidAction(action) => spec(
                "InvalidAction",
                format!("The request `Action` is invalid or not found: `{action}`."),
            ),
            FaceError::NoSuchVersion(version) => spec(
                "NoSuchVersion",
                format!("The request `Version` is invalid or not found: `{version}` (this API is version 2017-03-12)."),
            ),

            // --- shape of the request -----------------------------------------------------
            FaceError::MissingParameter(name) => missing(name),
            FaceError::Domain(D::MissingParameter(name)) => missing(name),
            FaceError::UnknownParameter(name) => spec(
                "UnknownParameter",
                format!("The parameter `{name}` is not recognized."),
            ),
            FaceError::ParameterType(name) => spec(
                "InvalidParameter",
                format!("Parameter `{name}` type error."),
            ),
            FaceError::BodyMalformed(why) => spec(
                "InvalidParameter",
                format!("The request parameters cannot be read: {why}."),
            ),
            FaceError::Domain(D::InvalidParameter { name, reason }) => spec(
                VALUE,
                format!("The value of parameter `{name}` is invalid: {reason}."),
            ),
            FaceError::Coexist(a, b) => spec(
                "InvalidParameter.Coexist",
                format!("The parameters `{a}` and `{b}` cannot be specified at the same time."),
            ),
            FaceError::FilterInvalidKey(name) => spec(
                "InvalidParameter.FilterInvalidKey",
                format!("The filter `{name}` does not exist."),
            ),
            FaceError::InvalidValue { name, reason } => spec(
                VALUE,
                format!("The value of parameter `{name}` is invalid: {reason}."),
            ),
            FaceError::ValueMalformed { name, value } => spec(
                "InvalidParameterValue.Malformed",
                format!("The value `{value}` of parameter `{name}` is malformed."),
            ),
            FaceError::ValueRange { name, reason } => spec(
                "InvalidParameterValue.Range",
                format!("The value of parameter `{name}` is out of range: {reason}."),
            ),
            FaceError::ValueLimitExceeded { name, max } => spec(
                "InvalidParameterValue.LimitExceeded",
                format!("The parameter `{name}` takes at most {max} values."),
            ),
            FaceError::NameTooLong { max } => spec(
                "InvalidParameterValue.TooLong",
                format!("The value of parameter `HaVipName` is too long: at most {max} characters."),
            ),
            FaceError::Domain(D::ClientTokenMalformed) => spec(
                "InvalidParameterValue.Malformed",
                "The value of parameter `ClientToken` is malformed: at most 64 ASCII characters.",
            ),
            FaceError::Domain(D::InstanceTypeMalformed(t)) => spec(
                VALUE,
                format!("The value `{t}` of parameter `InstanceType` is invalid: CVM or ENI."),
            ),
            FaceError::Domain(D::NameMalformed) => spec(
                VALUE,
                "The value of parameter `HaVipName` is invalid: 1 to 60 characters, without control characters.",
            ),
            FaceError::Domain(D::DescriptionMalformed) => spec(
                VALUE,
                "The description is invalid: at most 255 characters, without control characters.",
            ),
            FaceError::Domain(D::IpMalformed(ip)) => spec(
                "InvalidParameterValue.Malformed",
                format!("The value `{ip}` of parameter `Vip` is malformed: an IPv4 address."),
            ),
            FaceError::Domain(D::TagKeyMalformed(key)) => spec(
                VALUE,
                format!("The tag key `{key}` is invalid: 1 to 128 characters, no URL, not starting with qcloud, tencent or project."),
            ),
            FaceError::Domain(D::TagValueMalformed(key)) => spec(
                VALUE,
                format!("The value of tag `{key}` is invalid: at most 128 characters, no URL."),
            ),
            FaceError::Domain(D::TagKeyDuplicated(key)) => spec(
                "InvalidParameterValue.Duplicate",
                format!("The tag key `{key}` is given more than once."),
            ),
            FaceError::Domain(D::TooManyTags { limit }) => spec(
                "InvalidParameterValue.LimitExceeded",
                format!("The parameter `Tags` takes at most {limit} values."),
            ),

            // --- what havip does not model -------------------------------------------------
            FaceError::Unsupported(what) => spec(UNSUPPORTED, format!("The operation is not supported: {what}.")),
            FaceError::AddressNotFound(ip) => not_found("EIP", ip),
            FaceError::NoEipBound(id) => spec(
                "UnsupportedOperation.UnbindEIP",
                format!("The HaVip `{id}` is not bound to an EIP."),
            ),

            // --- existence -----------------------------------------------------------------
            FaceError::Domain(D::RegionNotFound(region)) => spec(
                "UnsupportedRegion",
                format!("The action not support this region: `{region}`."),
            ),
            FaceError::Domain(D::HaVipNotFound(id)) => not_found("HaVip", id),
            FaceError::Domain(D::InstanceNotFound(id)) => not_found("instance", id),
            FaceError::Domain(D::EniNotFound(id)) => not_found("network interface", id),
            FaceError::Domain(D::VpcNotFound(id)) => not_found("VPC", id),
            FaceError::Domain(D::SubnetNotFound(id)) => spec(
                "UnsupportedOperation.SubnetNotExists",
                format!("The subnet `{id}` does not exist in the VPC."),
            ),
            FaceError::Domain(D::AccountNotFound(id)) => not_found("account", id),
            FaceError::Domain(D::AlreadyExists(id)) => spec(
                "InvalidParameterValue.Duplicate",
                format!("The resource `{id}` already exists."),
            ),

            // --- status: a change in flight is a running task; a bound HaVip stays --------
            FaceError::Domain(D::HaVipStatus { status, .. }) if status.is_transient() => spec(
                "UnsupportedOperation.MutexOperationTaskRunning",
                "A task that conflicts with this operation is running on the HaVip. Please try again later.",
            ),
            FaceError::Domain(D::HaVipStatus {
                action: Action::Delete,
                ..
            }) => spec(
                UNSUPPORTED,
                "The HaVip is bound to an instance or network interface: it can be deleted once it is unbound.",
            ),
            FaceError::Domain(D::HaVipStatus { status, action }) => spec(
                UNSUPPORTED,
                format!("The HaVip is {}, which does not allow {action:?}.", status.as_str()),
            ),
            FaceError::Domain(D::InstanceStatus { .. }) => spec(
                UNSUPPORTED,
                "The instance is not in a status that allows this operation (Running or Stopped).",
            ),
            // No Tencent action moves the master (it follows ARP); the row stands for
            // completeness, like the relation rows below (no Tencent action of this face
            // associates instances).
            FaceError::Domain(D::MasterFollowsArp) => spec(
                UNSUPPORTED,
                "The master of the HaVip follows ARP: it cannot be moved by a call.",
            ),

            // --- relations -------------------------------------------------------------------
            FaceError::Domain(D::AlreadyAssociated) => spec(UNSUPPORTED, "The instance is already bound to the HaVip."),
            FaceError::Domain(D::MixedTypes { .. }) => spec(
                UNSUPPORTED,
                "A HaVip binds CVM instances or network interfaces, never both.",
            ),
            FaceError::Domain(D::FreeEni) => spec(UNSUPPORTED, "The network interface is not attached to an instance."),
            FaceError::Domain(D::ServiceManagedEni) => spec(UNSUPPORTED, "The network interface is managed by a cloud service."),
            FaceError::Domain(D::TwoEnisOfOneInstance) => spec(
                UNSUPPORTED,
                "Another network interface of the same instance is already bound to the HaVip.",
            ),
            FaceError::Domain(D::DifferentSubnet) => spec(UNSUPPORTED, "The instance and the HaVip are in different subnets."),
            FaceError::Domain(D::NotAssociated) => spec(UNSUPPORTED, "The instance is not bound to the HaVip."),
            FaceError::Domain(D::UnassociateMaster) => spec(UNSUPPORTED, "The master instance of the HaVip cannot be unbound."),
            FaceError::Domain(D::EniCarriesHaVip) => spec(UNSUPPORTED, "The network interface is bound to a HaVip."),
            FaceError::Domain(D::EniAttached) => spec(UNSUPPORTED, "The network interface is attached to an instance."),
            FaceError::Domain(D::EniIsPrimary) => spec(UNSUPPORTED, "The network interface is the primary interface of its instance."),
            FaceError::Domain(D::EipBound) => spec(
                UNSUPPORTED,
                "The HaVip is bound to an EIP: it can be deleted once the EIP is unbound.",
            ),

            // --- limits ----------------------------------------------------------------------
            FaceError::Domain(D::InstancesPerHaVipLimit { limit }) => spec(
                "LimitExceeded",
                format!("The HaVip is bound to the most instances allowed ({limit})."),
            ),
            FaceError::Domain(D::HaVipsPerInstanceLimit { limit }) => spec(
                "LimitExceeded",
                format!("The instance is bound to the most HaVips allowed ({limit})."),
            ),
            FaceError::Domain(D::HaVipQuotaExceeded { limit }) => spec(
                "LimitExceeded",
                format!("The HaVip quota of the region is reached: at most {limit} HaVips."),
            ),

            // --- addresses -------------------------------------------------------------------
            FaceError::Domain(D::IpOutOfRange(ip)) => spec(
                "InvalidParameterValue.Range",
                format!("The address `{ip}` is not in the CIDR block of the subnet."),
            ),
            FaceError::Domain(D::IpReserved(ip)) => spec(
                "InvalidParameterValue.Reserved",
                format!("The address `{ip}` is reserved by the system."),
            ),
            FaceError::Domain(D::IpInUse(ip)) => spec("ResourceInUse", format!("The address `{ip}` is in use.")),
            FaceError::Domain(D::SubnetExhausted) => spec("ResourceInsufficient", "The subnet has no free address."),
            FaceError::Domain(D::CidrMalformed(cidr)) => spec(
                "InvalidParameterValue.Malformed",
                format!("The CIDR block `{cidr}` is malformed."),
            ),
            FaceError::Domain(D::CidrOutsideVpc) => spec(
                "InvalidParameterValue.Range",
                "The CIDR block of the subnet is not inside the CIDR block of the VPC.",
            ),

            // --- idempotency -----------------------------------------------------------------
            FaceError::Domain(D::IdempotentParameterMismatch) => spec(
                "InvalidParameterValue.Duplicate",
                "The ClientToken was used before with other parameters.",
            ),
            FaceError::Domain(D::IdempotentProcessing) => spec(
                "UnsupportedOperation.MutexOperationTaskRunning",
                "The request with this ClientToken is still in progress.",
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
