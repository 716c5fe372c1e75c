//! What a lab is built from: subnets, and instances with their ENIs (addresses and MACs
//! already decided), whoever decided them. A seed gives one ([`Topology::from_seed`]:
//! the addresses the control plane gives when it loads the seed into an empty store);
//! the control plane's inventory gives another. [`crate::LabPlan::from_topology`] turns
//! either into names and checks it.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use havip_core::ip;
use havip_seed::{AddressedEni, Seed};
use ipnet::Ipv4Net;

use crate::error::PlanError;
use crate::mac;

/// The lab's input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topology {
    pub subnets: Vec<SubnetSpec>,
    pub instances: Vec<InstanceSpec>,
}

/// A subnet: one bridge and one client namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetSpec {
    pub id: String,
    pub cidr: Ipv4Net,
    /// Every address taken in the subnet (ENIs, also those attached to no instance,
    /// and HaVip VIPs): the client takes the highest address that is neither reserved,
    /// nor here, nor an ENI's of the topology.
    pub in_use: BTreeSet<Ipv4Addr>,
}

/// An instance: one namespace with an interface per ENI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSpec {
    pub id: String,
    /// The primary ENI first (`eth0`), then the others (`eth1`...).
    pub enis: Vec<EniSpec>,
}

/// An ENI attached to an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EniSpec {
    /// The ENI's id, if known (a seed's implicit primary ENI has none).
    pub id: Option<String>,
    /// What the fabric port's name and, without `mac`, the MAC are derived from: unique
    /// in the lab. [`EniSpec::key_of`] gives the one a seed's lab uses.
    pub key: String,
    pub subnet: String,
    pub ip: Ipv4Addr,
    /// The ENI's MAC; `None` derives one from `key`.
    pub mac: Option<String>,
}

impl EniSpec {
    /// The key of an ENI of `instance`: its id, or `INSTANCE#primary` for a primary
    /// ENI without one (so a lab built from the inventory names a primary ENI's port
    /// as the lab built from the seed does when given `None` here).
    pub fn key_of(eni: Option<&str>, instance: &str) -> String {
        ip::eni_mac_key(eni, instance)
    }

    /// Who this ENI is in messages: its id, or its key.
    pub fn who(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.key)
    }

    /// The MAC the interface gets: the given one in lower case, or one derived from the
    /// key.
    pub fn effective_mac(&self) -> String {
        self.mac
            .as_deref()
            .map_or_else(|| mac::derived_mac(&self.key), str::to_ascii_lowercase)
    }
}

impl Topology {
    /// The topology of `seed`'s lab: the addresses the control plane gives on an empty
    /// store with `--id-seed` (lowest free address, [`Seed::initial_addresses`]), the
    /// seed's MACs, and the ENIs attached to instances (free ENIs are not built, but
    /// their addresses are in use).
    pub fn from_seed(seed: &Seed) -> Result<Topology, PlanError> {
        check_seed_enis(seed)?;
        let addresses = seed.initial_addresses(0).map_err(PlanError::Addresses)?;
        let subnets = seed
            .subnets
            .iter()
            .map(|s| SubnetSpec {
                id: s.id.clone(),
                cidr: s.cidr,
                in_use: addresses.used_in(&s.id),
            })
            .collect();
        let instances = seed
            .instances
            .iter()
            .map(|i| {
                let mut enis: Vec<&AddressedEni> = addresses
                    .enis
                    .iter()
                    .filter(|e| e.instance.as_deref() == Some(i.id.as_str()))
                    .collect();
                // The primary ENI first; the others keep the seed's order.
                enis.sort_by_key(|e| !e.primary);
                InstanceSpec {
                    id: i.id.clone(),
                    enis: enis
                        .into_iter()
                        .map(|e| EniSpec {
                            id: e.id.clone(),
                            key: EniSpec::key_of(e.id.as_deref(), &i.id),
                            subnet: e.subnet.clone(),
                            ip: e.ip,
                            mac: e.mac.clone(),
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(Topology { subnets, instances })
    }

    pub fn subnet(&self, id: &str) -> Option<&SubnetSpec> {
        self.subnets.iter().find(|s| s.id == id)
    }
}

/// The refusals that depend only on the seed's ENIs, also the free ones: references,
/// addresses outside their subnet and MACs an interface cannot take (a seed built by
/// code rather than parsed from a file has not been through the seed's own checks).
fn check_seed_enis(seed: &Seed) -> Result<(), PlanError> {
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
