//! The plan: what a lab is made of (namespaces, bridges, veth pairs, MACs and
//! addresses), computed from a [`Topology`] alone and checked before anything is
//! created.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use havip_core::ip;
use havip_seed::Seed;
use ipnet::Ipv4Net;

use crate::check::{check_topology, unknown_subnet};
use crate::error::PlanError;
use crate::mac;
use crate::names::{self, Prefix};
use crate::topology::Topology;

/// First routing table and rule priority of an instance's per-ENI source routes.
pub(crate) const TABLE_BASE: u32 = 100;
pub(crate) const RULE_BASE: u32 = 1000;

/// A whole lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabPlan {
    pub prefix: Prefix,
    /// The namespace that holds the bridges.
    pub fabric: String,
    pub bridges: Vec<BridgePlan>,
    pub instances: Vec<InstancePlan>,
    pub clients: Vec<ClientPlan>,
}

/// One subnet's bridge in the fabric namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgePlan {
    pub subnet: String,
    pub name: String,
    pub cidr: Ipv4Net,
}

/// One instance: a namespace with one interface per attached ENI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstancePlan {
    pub id: String,
    pub namespace: String,
    /// `eth0` (the primary ENI) first, then the other ENIs in seed order.
    pub interfaces: Vec<InterfacePlan>,
}

/// One ENI: a veth pair from the instance's namespace to its subnet's bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfacePlan {
    /// The ENI id, or `None` for a primary ENI whose id the control plane generates.
    pub eni: Option<String>,
    /// What the port name and a derived MAC come from ([`crate::EniSpec::key`]).
    pub key: String,
    pub subnet: String,
    /// `eth0`, `eth1`... inside the instance namespace.
    pub ifname: String,
    /// The fabric end, enslaved to `bridge`.
    pub port: String,
    pub bridge: String,
    pub mac: String,
    /// The ENI's address with its subnet's prefix length.
    pub address: Ipv4Net,
    /// Routing table and rule priority of the source route of this address.
    pub table: u32,
    pub rule_priority: u32,
}

/// A subnet's client namespace, with one interface `eth0` on the subnet's bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPlan {
    pub subnet: String,
    pub namespace: String,
    pub port: String,
    pub bridge: String,
    pub mac: String,
    pub address: Ipv4Net,
}

/// The client's interface inside its namespace.
pub const CLIENT_IFNAME: &str = "eth0";

impl LabPlan {
    /// The plan of `seed`'s lab: [`Topology::from_seed`], then [`LabPlan::from_topology`].
    pub fn from_seed(seed: &Seed, prefix: &Prefix) -> Result<LabPlan, PlanError> {
        LabPlan::from_topology(&Topology::from_seed(seed)?, prefix)
    }

    /// The plan of `topology`'s lab, or the first reason it cannot be built: a
    /// duplicate subnet, instance, ENI id or key; an ENI in an unknown subnet, with an
    /// address outside it, reserved or taken by another ENI, or with a MAC an interface
    /// cannot take; two interfaces with one MAC; two names that collide; a subnet with
    /// no address left for its client. Each client takes the highest address of its
    /// subnet that is neither reserved nor in use.
    pub fn from_topology(topology: &Topology, prefix: &Prefix) -> Result<LabPlan, PlanError> {
        check_topology(topology)?;
        let bridges = topology
            .subnets
            .iter()
            .map(|s| BridgePlan {
                subnet: s.id.clone(),
                name: names::bridge(prefix, &s.id),
                cidr: s.cidr,
            })
            .collect::<Vec<_>>();
        let mut instances = Vec::new();
        for i in &topology.instances {
            let mut interfaces = Vec::new();
            for (n, e) in i.enis.iter().enumerate() {
                let Some(bridge) = bridges.iter().find(|b| b.subnet == e.subnet) else {
                    return Err(unknown_subnet(e));
                };
                let index = u32::try_from(n).unwrap_or(u32::MAX - RULE_BASE);
                interfaces.push(InterfacePlan {
                    eni: e.id.clone(),
                    key: e.key.clone(),
                    subnet: e.subnet.clone(),
                    ifname: names::instance_ifname(n),
                    port: names::eni_port(prefix, &e.key),
                    bridge: bridge.name.clone(),
                    mac: e.effective_mac(),
                    address: with_prefix(e.ip, &bridge.cidr),
                    table: TABLE_BASE.saturating_add(index),
                    rule_priority: RULE_BASE.saturating_add(index),
                });
            }
            instances.push(InstancePlan {
                id: i.id.clone(),
                namespace: names::instance_ns(prefix, &i.id),
                interfaces,
            });
        }
        let mut clients = Vec::new();
        for s in &topology.subnets {
            let mut used = s.in_use.clone();
            used.extend(
                topology
                    .instances
                    .iter()
                    .flat_map(|i| &i.enis)
                    .filter(|e| e.subnet == s.id)
                    .map(|e| e.ip),
            );
            let ip = highest_free(&s.cidr, &used).ok_or_else(|| PlanError::NoClientAddress {
                subnet: s.id.clone(),
            })?;
            clients.push(ClientPlan {
                subnet: s.id.clone(),
                namespace: names::client_ns(prefix, &s.id),
                port: names::client_port(prefix, &s.id),
                bridge: names::bridge(prefix, &s.id),
                mac: mac::derived_mac(&format!("client:{}", s.id)),
                address: with_prefix(ip, &s.cidr),
            });
        }
        let plan = LabPlan {
            prefix: prefix.clone(),
            fabric: names::fabric_ns(prefix),
            bridges,
            instances,
            clients,
        };
        plan.check_macs()?;
        plan.check_names()?;
        Ok(plan)
    }

    pub fn instance(&self, id: &str) -> Option<&InstancePlan> {
        self.instances.iter().find(|i| i.id == id)
    }

    pub fn client(&self, subnet: &str) -> Option<&ClientPlan> {
        self.clients.iter().find(|c| c.subnet == subnet)
    }

    /// Every namespace of the lab, the fabric first.
    pub fn namespaces(&self) -> Vec<&str> {
        let mut out = vec![self.fabric.as_str()];
        out.extend(self.instances.iter().map(|i| i.namespace.as_str()));
        out.extend(self.clients.iter().map(|c| c.namespace.as_str()));
        out
    }

    /// Every MAC on a lab interface is unique (the seed's and the derived ones).
    fn check_macs(&self) -> Result<(), PlanError> {
        let mut seen: BTreeMap<&str, String> = BTreeMap::new();
        let ifaces = self.instances.iter().flat_map(|i| {
            i.interfaces
                .iter()
                .map(move |f| (f.mac.as_str(), f.key.clone()))
        });
        let clients = self
            .clients
            .iter()
            .map(|c| (c.mac.as_str(), format!("client:{}", c.subnet)));
        for (m, owner) in ifaces.chain(clients) {
            if let Some(first) = seen.get(m) {
                return Err(PlanError::DuplicateMac {
                    mac: m.to_string(),
                    first: first.clone(),
                    second: owner,
                });
            }
            seen.insert(m, owner);
        }
        Ok(())
    }

    /// Every namespace and link name is unique (hashes could collide; a different
    /// prefix then gives different names).
    fn check_names(&self) -> Result<(), PlanError> {
        let mut seen: BTreeMap<&str, String> = BTreeMap::new();
        let mut names: Vec<(&str, String)> = Vec::new();
        for b in &self.bridges {
            names.push((&b.name, format!("bridge of {}", b.subnet)));
        }
        for i in &self.instances {
            names.push((&i.namespace, format!("namespace of {}", i.id)));
            for f in &i.interfaces {
                names.push((&f.port, format!("port of {}", f.key)));
            }
        }
        for c in &self.clients {
            names.push((&c.namespace, format!("client namespace of {}", c.subnet)));
            names.push((&c.port, format!("client port of {}", c.subnet)));
        }
        for (name, owner) in names {
            if let Some(first) = seen.get(name) {
                return Err(PlanError::NameCollision {
                    name: name.to_string(),
                    first: first.clone(),
                    second: owner,
                });
            }
            seen.insert(name, owner);
        }
        Ok(())
    }
}

fn with_prefix(ip: Ipv4Addr, cidr: &Ipv4Net) -> Ipv4Net {
    // The prefix length comes from a valid network, so this cannot fail; fall back to
    // a host route rather than panic.
    Ipv4Net::new(ip, cidr.prefix_len()).unwrap_or_else(|_| Ipv4Net::from(ip))
}

/// The highest address of `cidr` that is neither reserved nor in `used`: far from where
/// the control plane's lowest-first allocation takes addresses.
fn highest_free(cidr: &Ipv4Net, used: &BTreeSet<Ipv4Addr>) -> Option<Ipv4Addr> {
    let low = u32::from(cidr.network());
    let high = u32::from(cidr.broadcast());
    (low..=high)
        .rev()
        .map(Ipv4Addr::from)
        .find(|a| !ip::is_reserved(cidr, *a) && !used.contains(a))
}
