//! The dialect-neutral errors of the domain. Each variant names one broken rule; every
//! API face maps each variant to its own cloud's code, message and HTTP status in one table.

use crate::havip::HaVipStatus;
use crate::model::{InstanceStatus, MemberKind};

/// The operation a status check was made for, so faces can pick the cloud's wording
/// ("only when Available or InUse" for associate, "only when InUse" for unassociate...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    Create,
    Associate,
    Disassociate,
    Delete,
    Modify,
    Tag,
    Failover,
    /// Finishing a change in flight at once (the operator's control over asynchrony).
    Complete,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    // --- shape of the request -------------------------------------------------------
    #[error("the parameter {0} is required")]
    MissingParameter(&'static str),
    #[error("the parameter {name} is not valid: {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    #[error("the ClientToken is malformed: at most 64 ASCII characters")]
    ClientTokenMalformed,
    #[error("the instance type {0:?} is not EcsInstance or NetworkInterface")]
    InstanceTypeMalformed(String),
    #[error("the name is not valid")]
    NameMalformed,
    #[error("the description is not valid")]
    DescriptionMalformed,
    #[error("the IP address {0:?} is not a valid IPv4 address")]
    IpMalformed(String),
    #[error("the tag key {0:?} is not valid")]
    TagKeyMalformed(String),
    #[error("the tag value of key {0:?} is not valid")]
    TagValueMalformed(String),
    #[error("a tag key appears twice: {0:?}")]
    TagKeyDuplicated(String),
    #[error("too many tags: at most {limit} per resource")]
    TooManyTags { limit: usize },

    // --- existence ------------------------------------------------------------------
    #[error("the region {0:?} does not exist")]
    RegionNotFound(String),
    #[error("the HaVip {0:?} does not exist")]
    HaVipNotFound(String),
    #[error("the instance {0:?} does not exist")]
    InstanceNotFound(String),
    #[error("the network interface {0:?} does not exist")]
    EniNotFound(String),
    #[error("the subnet {0:?} does not exist")]
    SubnetNotFound(String),
    #[error("the VPC {0:?} does not exist")]
    VpcNotFound(String),
    #[error("the account {0:?} does not exist")]
    AccountNotFound(String),
    #[error("the resource {0:?} already exists")]
    AlreadyExists(String),

    // --- status ---------------------------------------------------------------------
    #[error("the HaVip is {status:?}, which does not allow {action:?}")]
    HaVipStatus { status: HaVipStatus, action: Action },
    #[error("the instance is {status:?}; it must be Running or Stopped")]
    InstanceStatus {
        status: InstanceStatus,
        via_eni: bool,
    },

    // --- relations ------------------------------------------------------------------
    #[error("the HaVip and the instance are already associated")]
    AlreadyAssociated,
    #[error("a HaVip binds ECS instances or network interfaces, never both")]
    MixedTypes { carried: MemberKind },
    #[error("the network interface is not attached to an instance")]
    FreeEni,
    #[error("the network interface is managed by a cloud service")]
    ServiceManagedEni,
    #[error("another network interface of the same instance already carries the HaVip")]
    TwoEnisOfOneInstance,
    #[error("the HaVip and the instance are in different subnets")]
    DifferentSubnet,
    #[error("the HaVip and the instance are not associated")]
    NotAssociated,
    #[error("the master instance can only be unassociated with Force=True")]
    UnassociateMaster,
    #[error("the network interface carries a HaVip")]
    EniCarriesHaVip,
    #[error("the network interface is attached to an instance")]
    EniAttached,
    #[error("the network interface is the primary interface of its instance")]
    EniIsPrimary,
    #[error("the HaVip has an EIP bound")]
    EipBound,
    #[error(
        "a data plane is attached: the master is the associated instance that announces the \
         VIP (a gratuitous ARP, as keepalived sends), not a failover call"
    )]
    MasterFollowsArp,

    // --- limits ---------------------------------------------------------------------
    #[error("the HaVip carries the most instances allowed ({limit})")]
    InstancesPerHaVipLimit { limit: u32 },
    #[error("the instance carries the most HaVips allowed ({limit})")]
    HaVipsPerInstanceLimit { limit: u32 },
    #[error("the account holds the most HaVips allowed in the region ({limit})")]
    HaVipQuotaExceeded { limit: u32 },

    // --- addresses ------------------------------------------------------------------
    #[error("the IP address {0} is outside the subnet")]
    IpOutOfRange(std::net::Ipv4Addr),
    #[error("the IP address {0} is reserved by the system")]
    IpReserved(std::net::Ipv4Addr),
    #[error("the IP address {0} is already used")]
    IpInUse(std::net::Ipv4Addr),
    #[error("the subnet has no free IP address")]
    SubnetExhausted,
    #[error("the CIDR {0:?} is not valid")]
    CidrMalformed(String),
    #[error("the subnet CIDR is not inside the VPC CIDR")]
    CidrOutsideVpc,

    // --- idempotency ----------------------------------------------------------------
    #[error("the ClientToken was used before with other parameters")]
    IdempotentParameterMismatch,
    #[error("the request with this ClientToken is still in progress")]
    IdempotentProcessing,
}

impl DomainError {
    pub fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        DomainError::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }

    /// True for errors that say a resource does not exist (faces answer "not found").
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            DomainError::RegionNotFound(_)
                | DomainError::HaVipNotFound(_)
                | DomainError::InstanceNotFound(_)
                | DomainError::EniNotFound(_)
                | DomainError::SubnetNotFound(_)
                | DomainError::VpcNotFound(_)
                | DomainError::AccountNotFound(_)
        )
    }
}
