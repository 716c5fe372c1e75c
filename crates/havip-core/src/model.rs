//! The inventory resources a HaVip relates to: VPC, subnet (vSwitch), instance (ECS) and
//! ENI (network interface), each owned by one account in one region.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    pub account: String,
    pub region: String,
    pub cidr: Ipv4Net,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    pub id: String,
    pub vpc: String,
    pub account: String,
    pub region: String,
    pub zone: String,
    pub cidr: Ipv4Net,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InstanceStatus {
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
}

impl InstanceStatus {
    pub const ALL: [InstanceStatus; 5] = [
        InstanceStatus::Pending,
        InstanceStatus::Starting,
        InstanceStatus::Running,
        InstanceStatus::Stopping,
        InstanceStatus::Stopped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Pending => "Pending",
            InstanceStatus::Starting => "Starting",
            InstanceStatus::Running => "Running",
            InstanceStatus::Stopping => "Stopping",
            InstanceStatus::Stopped => "Stopped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// HaVips can be associated with and disassociated from an instance in these states.
    pub fn allows_havip_changes(self) -> bool {
        matches!(self, InstanceStatus::Running | InstanceStatus::Stopped)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub account: String,
    pub region: String,
    /// The subnet of the instance's primary ENI.
    pub subnet: String,
    pub status: InstanceStatus,
    pub primary_eni: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eni {
    pub id: String,
    pub account: String,
    pub region: String,
    pub subnet: String,
    pub ip: Ipv4Addr,
    pub mac: String,
    /// The instance it is attached to; `None` for a free ENI.
    pub instance: Option<String>,
    /// Managed by a cloud service (NAT, load balancer...): users cannot bind HaVips to it.
    pub service_managed: bool,
    pub created_at: i64,
}

/// What a HaVip carries: ECS instances or network interfaces (never both at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MemberKind {
    EcsInstance,
    NetworkInterface,
}

impl MemberKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberKind::EcsInstance => "EcsInstance",
            MemberKind::NetworkInterface => "NetworkInterface",
        }
    }

    /// Parses an `InstanceType` parameter; absent means `EcsInstance` on every cloud.
    pub fn parse_param(value: Option<&str>) -> Result<Self, DomainError> {
        match value {
            None | Some("") | Some("EcsInstance") => Ok(MemberKind::EcsInstance),
            Some("NetworkInterface") => Ok(MemberKind::NetworkInterface),
            Some(other) => Err(DomainError::InstanceTypeMalformed(other.to_string())),
        }
    }
}

/// The thing an associate/disassociate request names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub kind: MemberKind,
    pub id: String,
}

/// The loaded resource a [`Target`] refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetResource {
    Instance(Instance),
    /// An ENI and, when it is attached, the instance it is attached to.
    Eni {
        eni: Eni,
        instance: Option<Instance>,
    },
}

impl TargetResource {
    pub fn subnet(&self) -> &str {
        match self {
            TargetResource::Instance(i) => &i.subnet,
            TargetResource::Eni { eni, .. } => &eni.subnet,
        }
    }

    /// The instance that ends up carrying the HaVip: the instance itself or the ENI's.
    pub fn instance_id(&self) -> Option<&str> {
        match self {
            TargetResource::Instance(i) => Some(&i.id),
            TargetResource::Eni { eni, .. } => eni.instance.as_deref(),
        }
    }

    pub fn instance(&self) -> Option<&Instance> {
        match self {
            TargetResource::Instance(i) => Some(i),
            TargetResource::Eni { instance, .. } => instance.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_type_parsing() {
        assert_eq!(MemberKind::parse_param(None), Ok(MemberKind::EcsInstance));
        assert_eq!(
            MemberKind::parse_param(Some("NetworkInterface")),
            Ok(MemberKind::NetworkInterface)
        );
        assert_eq!(
            MemberKind::parse_param(Some("ecsinstance")),
            Err(DomainError::InstanceTypeMalformed("ecsinstance".into()))
        );
    }

    #[test]
    fn only_running_and_stopped_allow_changes() {
        let allowed: Vec<_> = InstanceStatus::ALL
            .into_iter()
            .filter(|s| s.allows_havip_changes())
            .collect();
        assert_eq!(allowed, [InstanceStatus::Running, InstanceStatus::Stopped]);
        for s in InstanceStatus::ALL {
            assert_eq!(InstanceStatus::parse(s.as_str()), Some(s));
        }
    }
}
