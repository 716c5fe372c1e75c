//! The input of the rules: the fabric's ports and the HaVips with their members, and
//! how a lab's plan gives the ports.

use std::net::Ipv4Addr;

use havip_core::{MemberKind, Target};
use havip_lab::{LabPlan, Prefix, CLIENT_IFNAME};

use crate::error::FabricError;

/// What the fabric enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FabricState {
    /// The lab's prefix: the table is named after it.
    pub prefix: Prefix,
    pub ports: Vec<Port>,
    pub havips: Vec<HavipRule>,
}

/// One bridge port of the fabric: an ENI's veth end, or a client's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// The link name in the fabric namespace.
    pub name: String,
    /// The MAC of the interface at the other end.
    pub mac: String,
    /// The addresses of that interface (the ENI's own IPs).
    pub ips: Vec<Ipv4Addr>,
    /// The ENI id, when the port is an ENI with a known id.
    pub eni: Option<String>,
    /// The instance the ENI is attached to; `None` for a client's port.
    pub instance: Option<String>,
    /// Whether this is the instance's primary ENI (which carries an instance's VIPs).
    pub primary: bool,
    /// Who is behind the port, for people reading counters (`i-a eth0 eni-a1`).
    pub label: String,
}

/// A HaVip as the fabric sees it: its address and the instances or ENIs it is
/// associated with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HavipRule {
    pub vip: Ipv4Addr,
    pub members: Vec<Target>,
}

impl FabricState {
    /// The ports of `plan`'s lab (every ENI of every instance, and every client) and the
    /// given HaVips.
    pub fn from_lab(plan: &LabPlan, havips: Vec<HavipRule>) -> FabricState {
        let mut ports = Vec::new();
        for i in &plan.instances {
            for (n, f) in i.interfaces.iter().enumerate() {
                let eni = f.eni.as_deref().unwrap_or("primary ENI");
                ports.push(Port {
                    name: f.port.clone(),
                    mac: f.mac.clone(),
                    ips: vec![f.address.addr()],
                    eni: f.eni.clone(),
                    instance: Some(i.id.clone()),
                    primary: n == 0,
                    label: format!("{} {} {eni}", i.id, f.ifname),
                });
            }
        }
        for c in &plan.clients {
            ports.push(Port {
                name: c.port.clone(),
                mac: c.mac.clone(),
                ips: vec![c.address.addr()],
                eni: None,
                instance: None,
                primary: false,
                label: format!("client:{} {CLIENT_IFNAME}", c.subnet),
            });
        }
        FabricState {
            prefix: plan.prefix.clone(),
            ports,
            havips,
        }
    }

    /// The member an operator names by id: an instance of the lab if one has that id,
    /// otherwise one of its ENIs.
    pub fn target(&self, id: &str) -> Option<Target> {
        let kind = if self.ports.iter().any(|p| p.instance.as_deref() == Some(id)) {
            MemberKind::EcsInstance
        } else if self.ports.iter().any(|p| p.eni.as_deref() == Some(id)) {
            MemberKind::NetworkInterface
        } else {
            return None;
        };
        Some(Target {
            kind,
            id: id.to_string(),
        })
    }

    /// The port that carries the VIPs of `member`: the ENI's own port, or the
    /// instance's primary ENI's.
    pub fn port_of(&self, vip: Ipv4Addr, member: &Target) -> Result<&Port, FabricError> {
        match member.kind {
            MemberKind::NetworkInterface => self
                .ports
                .iter()
                .find(|p| p.eni.as_deref() == Some(member.id.as_str()))
                .ok_or_else(|| FabricError::UnknownMember {
                    vip,
                    member: member.id.clone(),
                }),
            MemberKind::EcsInstance => {
                let mut of_instance = self
                    .ports
                    .iter()
                    .filter(|p| p.instance.as_deref() == Some(member.id.as_str()))
                    .peekable();
                if of_instance.peek().is_none() {
                    return Err(FabricError::UnknownMember {
                        vip,
                        member: member.id.clone(),
                    });
                }
                of_instance
                    .find(|p| p.primary)
                    .ok_or_else(|| FabricError::NoPrimaryEni {
                        vip,
                        instance: member.id.clone(),
                    })
            }
        }
    }
}
