//! The wire types of the data plane's API (`/v1/dataplane/...`): the desired state an
//! agent follows, its acknowledgement with the fabric's view per port, and that view as
//! the control plane shows it. Both sides use these types: the native API serves and
//! reads them, the agent sends and reads them.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use havip_service::{DesiredHavip, FabricDesired};
use serde::{Deserialize, Serialize};

/// `GET /v1/dataplane/desired`: what the fabric must enforce at `revision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredState {
    pub revision: i64,
    pub subnets: Vec<DesiredSubnet>,
    pub instances: Vec<DesiredInstance>,
    /// Every ENI, in creation order.
    pub enis: Vec<DesiredEni>,
    pub havips: Vec<DesiredVip>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredSubnet {
    pub id: String,
    pub cidr: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredInstance {
    pub id: String,
    pub subnet: String,
    pub primary_eni: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredEni {
    pub id: String,
    pub subnet: String,
    pub ip: Ipv4Addr,
    pub mac: String,
    /// The instance it is attached to; `None` for a free ENI.
    pub instance: Option<String>,
}

/// A HaVip: its address and the members whose ports may carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredVip {
    pub id: String,
    pub account: String,
    pub region: String,
    pub subnet: String,
    pub ip: Ipv4Addr,
    pub members: Vec<DesiredMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredMember {
    /// `EcsInstance` or `NetworkInterface`.
    pub kind: String,
    pub id: String,
}

impl From<&FabricDesired> for DesiredState {
    fn from(d: &FabricDesired) -> Self {
        DesiredState {
            revision: d.revision,
            subnets: d
                .subnets
                .iter()
                .map(|s| DesiredSubnet {
                    id: s.id.clone(),
                    cidr: s.cidr.to_string(),
                })
                .collect(),
            instances: d
                .instances
                .iter()
                .map(|i| DesiredInstance {
                    id: i.id.clone(),
                    subnet: i.subnet.clone(),
                    primary_eni: i.primary_eni.clone(),
                })
                .collect(),
            enis: d
                .enis
                .iter()
                .map(|e| DesiredEni {
                    id: e.id.clone(),
                    subnet: e.subnet.clone(),
                    ip: e.ip,
                    mac: e.mac.clone(),
                    instance: e.instance.clone(),
                })
                .collect(),
            havips: d.havips.iter().map(DesiredVip::from).collect(),
        }
    }
}

impl From<&DesiredHavip> for DesiredVip {
    fn from(h: &DesiredHavip) -> Self {
        DesiredVip {
            id: h.id.clone(),
            account: h.account.clone(),
            region: h.region.clone(),
            subnet: h.subnet.clone(),
            ip: h.ip,
            members: h
                .members
                .iter()
                .map(|m| DesiredMember {
                    kind: m.kind.as_str().to_string(),
                    id: m.id.clone(),
                })
                .collect(),
        }
    }
}

/// `POST /v1/dataplane/ack`: the agent enforces everything up to `revision`. `ports`,
/// when present, replaces the fabric's view the control plane shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    pub revision: i64,
    /// Who acknowledges (host and process), for operators.
    pub agent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<PortView>>,
}

/// The answer to an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckResponse {
    pub acked_revision: i64,
    /// HaVips whose change in flight the acknowledgement completed.
    pub completed: Vec<String>,
}

/// One port of the fabric as the agent enforces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortView {
    /// The link name in the fabric namespace.
    pub port: String,
    /// Who is behind it (`i-a eth0 eni-a1`, `client:vsw-1 eth0`).
    pub label: String,
    #[serde(default)]
    pub eni: Option<String>,
    #[serde(default)]
    pub instance: Option<String>,
    pub mac: String,
    /// The sources the port may send: its own addresses and the VIPs it may carry.
    pub allowed: Vec<Ipv4Addr>,
    /// Dropped packets by reason (`vip`, `mac`, `ip`, `proto`).
    #[serde(default)]
    pub drops: BTreeMap<String, u64>,
    /// Dropped claims on each VIP the port may not carry.
    #[serde(default)]
    pub vip_drops: BTreeMap<Ipv4Addr, u64>,
}

/// `GET /v1/dataplane/ports`: the fabric's view, and how far behind the control plane
/// the agent is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataplaneView {
    /// Whether changes wait for the data plane (`--lab` or `--dataplane`).
    pub attached: bool,
    pub revision: i64,
    pub acked_revision: i64,
    /// Revisions the agent has not acknowledged yet.
    pub lag: i64,
    pub acked_at: Option<String>,
    pub agent: Option<String>,
    pub ports: Vec<PortView>,
}

/// `POST /v1/dataplane/claims`: ARP claims on VIPs the fabric let through, in the order
/// they were seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsRequest {
    pub agent: String,
    pub claims: Vec<ClaimView>,
}

/// One claim: the VIP, where it came from, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimView {
    /// The subnet whose bridge carried it.
    pub subnet: String,
    pub vip: Ipv4Addr,
    pub port: String,
    #[serde(default)]
    pub eni: Option<String>,
    #[serde(default)]
    pub instance: Option<String>,
    pub mac: String,
    /// `GratuitousRequest` or `Reply`.
    pub kind: String,
    /// When the fabric saw it, in ms since the Unix epoch.
    pub at_ms: i64,
}

/// What each claim did, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimsResponse {
    pub results: Vec<ClaimResultView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result")]
pub enum ClaimResultView {
    MasterChanged {
        havip: String,
        from: Option<String>,
        to: String,
    },
    Unchanged {
        havip: String,
    },
    Ignored {
        reason: String,
    },
}
