//! The plan: what a seed's lab is made of (namespaces, bridges, veth pairs, MACs and
//! addresses), computed from the seed alone and checked before anything is created.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use havip_core::ip;
use havip_seed::{AddressedEni, Seed};
use ipnet::Ipv4Net;

use crate::error::PlanError;
use crate::mac;
use crate::names::{self, Prefix};

/// First routing table and rule priority of an instance's per-ENI source routes.
const TABLE_BASE: u32 = 100;
const RULE_BASE: u32 = 1000;

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

impl InterfacePlan {
    /// What names and MACs are derived from: the ENI id, or `INSTANCE#primary`.
    pub fn key(eni: Option<&str>, instance: &str) -> String {
        havip_core::ip::eni_mac_key(eni, instance)
    }
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
    /// The plan of `seed`'s lab. Addresses are the ones the control plane gives on an
    /// empty store with `--id-seed` (lowest free address, [`Seed::initial_addresses`]);
    /// MACs are the seed's or derived from the ENI id; each client takes the highest
    /// address of its subnet that nothing in the seed takes.
    pub fn from_seed(seed: &Seed, prefix: &Prefix) -> Result<LabPlan, PlanError> {
        check_enis(seed)?;
        let addresses = seed.initial_addresses(0).map_err(PlanError::Addresses)?;
        let bridges = seed
            .subnets
            .iter()
            .map(|s| BridgePlan {
                subnet: s.id.clone(),
                name: names::bridge(prefix, &s.id),
                cidr: s.cidr,
            })
            .collect::<Vec<_>>();
        let bridge_of = |subnet: &str| -> Result<&BridgePlan, PlanError> {
            bridges
                .iter()
                .find(|b| b.subnet == subnet)
                .ok_or_else(|| PlanError::Unknown {
                    what: "ENI",
                    id: subnet.to_string(),
                    kind: "subnet",
                    missing: subnet.to_string(),
                })
        };
        let mut instances = Vec::new();
        for i in &seed.instances {
            let mut enis: Vec<&AddressedEni> = addresses
                .enis
                .iter()
                .filter(|e| e.instance.as_deref() == Some(i.id.as_str()))
                .collect();
            // The primary ENI first; the others keep the seed's order.
            enis.sort_by_key(|e| !e.primary);
            let mut interfaces = Vec::new();
            for (n, e) in enis.into_iter().enumerate() {
                let key = InterfacePlan::key(e.id.as_deref(), &i.id);
                let bridge = bridge_of(&e.subnet)?;
                let index = u32::try_from(n).unwrap_or(u32::MAX - RULE_BASE);
                interfaces.push(InterfacePlan {
                    eni: e.id.clone(),
                    subnet: e.subnet.clone(),
                    ifname: names::instance_ifname(n),
                    port: names::eni_port(prefix, &key),
                    bridge: bridge.name.clone(),
                    mac: e
                        .mac
                        .as_deref()
                        .map_or_else(|| mac::derived_mac(&key), str::to_ascii_lowercase),
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
        for b in &bridges {
            let used = addresses.used_in(&b.subnet);
            let ip = highest_free(&b.cidr, &used).ok_or_else(|| PlanError::NoClientAddress {
                subnet: b.subnet.clone(),
            })?;
            clients.push(ClientPlan {
                subnet: b.subnet.clone(),
                namespace: names::client_ns(prefix, &b.subnet),
                port: names::client_port(prefix, &b.subnet),
                bridge: b.name.clone(),
                mac: mac::derived_mac(&format!("client:{}", b.subnet)),
                address: with_prefix(ip, &b.cidr),
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
                .map(move |f| (f.mac.as_str(), InterfacePlan::key(f.eni.as_deref(), &i.id)))
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
                let key = InterfacePlan::key(f.eni.as_deref(), &i.id);
                names.push((&f.port, format!("port of {key}")));
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

/// The refusals that depend only on the seed's ENIs: references, addresses outside
/// their subnet and MACs an interface cannot take (a seed built by code rather than
/// parsed from a file has not been through the seed's own checks).
fn check_enis(seed: &Seed) -> Result<(), PlanError> {
    for e in &seed.enis {
        let Some(subnet) = seed.subnet(&e.subnet) else {
            return Err(PlanError::Unknown {
                what: "ENI",
                id: e.id.clone(),
                kind: "subnet",
                missing: e.subnet.clone(),
            });
        };
        if let Some(instance) = &e.instance {
            if seed.instance(instance).is_none() {
                return Err(PlanError::Unknown {
                    what: "ENI",
                    id: e.id.clone(),
                    kind: "instance",
                    missing: instance.clone(),
                });
            }
        }
        if let Some(a) = e.ip {
            if !subnet.cidr.contains(&a) {
                return Err(PlanError::IpOutsideSubnet {
                    eni: e.id.clone(),
                    ip: a,
                    subnet: subnet.id.clone(),
                    cidr: subnet.cidr.to_string(),
                });
            }
        }
        if let Some(m) = &e.mac {
            if !mac::parse_mac(m).is_some_and(mac::is_assignable) {
                return Err(PlanError::BadMac {
                    eni: e.id.clone(),
                    mac: m.clone(),
                });
            }
        }
    }
    for i in &seed.instances {
        if seed.subnet(&i.subnet).is_none() {
            return Err(PlanError::Unknown {
                what: "instance",
                id: i.id.clone(),
                kind: "subnet",
                missing: i.subnet.clone(),
            });
        }
    }
    Ok(())
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
