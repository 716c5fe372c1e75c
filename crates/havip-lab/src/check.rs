//! The refusals of a topology that come before any name is made: duplicates, unknown
//! subnets, addresses an ENI cannot have and MACs an interface cannot take.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use havip_core::ip;

use crate::error::PlanError;
use crate::mac;
use crate::topology::{EniSpec, Topology};

/// Why an ENI refers to a subnet the topology does not have.
pub fn unknown_subnet(e: &EniSpec) -> PlanError {
    PlanError::Unknown {
        what: "ENI",
        id: e.who().to_string(),
        kind: "subnet",
        missing: e.subnet.clone(),
    }
}

/// Checks everything in `t` that does not depend on names.
pub fn check_topology(t: &Topology) -> Result<(), PlanError> {
    unique("subnet", t.subnets.iter().map(|s| s.id.as_str()))?;
    unique("instance", t.instances.iter().map(|i| i.id.as_str()))?;
    let enis = || t.instances.iter().flat_map(|i| &i.enis);
    unique("ENI", enis().filter_map(|e| e.id.as_deref()))?;
    unique("ENI key", enis().map(|e| e.key.as_str()))?;
    let mut addresses: BTreeMap<(&str, Ipv4Addr), &str> = BTreeMap::new();
    for e in enis() {
        let Some(subnet) = t.subnet(&e.subnet) else {
            return Err(unknown_subnet(e));
        };
        if !subnet.cidr.contains(&e.ip) {
            return Err(PlanError::IpOutsideSubnet {
                eni: e.who().to_string(),
                ip: e.ip,
                subnet: subnet.id.clone(),
                cidr: subnet.cidr.to_string(),
            });
        }
        if ip::is_reserved(&subnet.cidr, e.ip) {
            return Err(PlanError::ReservedIp {
                eni: e.who().to_string(),
                ip: e.ip,
                cidr: subnet.cidr.to_string(),
            });
        }
        if let Some(first) = addresses.insert((&e.subnet, e.ip), e.who()) {
            return Err(PlanError::DuplicateIp {
                ip: e.ip,
                first: first.to_string(),
                second: e.who().to_string(),
            });
        }
        if let Some(m) = &e.mac {
            if !mac::parse_mac(m).is_some_and(mac::is_assignable) {
                return Err(PlanError::BadMac {
                    eni: e.who().to_string(),
                    mac: m.clone(),
                });
            }
        }
    }
    Ok(())
}

fn unique<'a>(what: &'static str, ids: impl Iterator<Item = &'a str>) -> Result<(), PlanError> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(PlanError::Duplicate {
                what,
                id: id.to_string(),
            });
        }
    }
    Ok(())
}
