//! The desired state, as the lab and the fabric read it: the topology to build (subnets,
//! instances with their ENIs, the addresses taken) and the HaVips with the members whose
//! ports may carry their VIPs. Pure.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use havip_core::{MemberKind, Target};
use havip_fabric::HavipRule;
use havip_lab::{EniSpec, InstanceSpec, SubnetSpec, Topology};
use havip_native::feed::DesiredState;
use ipnet::Ipv4Net;

use crate::error::AgentError;

/// The lab the desired state needs. Each instance's primary ENI is `eth0`, its other
/// ENIs follow in creation order. Ports are named after the ENI id, a primary ENI's after
/// its instance (as in a lab built from the seed, where a primary ENI may have no id
/// yet). Free ENIs (attached to no instance) have no host to live in: they only take
/// their address.
pub fn topology(desired: &DesiredState) -> Result<Topology, AgentError> {
    let mut in_use: BTreeMap<&str, BTreeSet<Ipv4Addr>> = BTreeMap::new();
    for e in &desired.enis {
        in_use.entry(e.subnet.as_str()).or_default().insert(e.ip);
    }
    for h in &desired.havips {
        in_use.entry(h.subnet.as_str()).or_default().insert(h.ip);
    }
    let mut subnets = Vec::with_capacity(desired.subnets.len());
    for s in &desired.subnets {
        let cidr: Ipv4Net = s.cidr.parse().map_err(|_| {
            AgentError::Inconsistent(format!("subnet {} has the CIDR {:?}", s.id, s.cidr))
        })?;
        subnets.push(SubnetSpec {
            id: s.id.clone(),
            cidr,
            in_use: in_use.remove(s.id.as_str()).unwrap_or_default(),
        });
    }
    let mut instances = Vec::with_capacity(desired.instances.len());
    for i in &desired.instances {
        let mut enis: Vec<EniSpec> = desired
            .enis
            .iter()
            .filter(|e| e.instance.as_deref() == Some(i.id.as_str()))
            .map(|e| EniSpec {
                id: Some(e.id.clone()),
                key: if e.id == i.primary_eni {
                    EniSpec::key_of(None, &i.id)
                } else {
                    EniSpec::key_of(Some(&e.id), &i.id)
                },
                subnet: e.subnet.clone(),
                ip: e.ip,
                mac: Some(e.mac.clone()),
            })
            .collect();
        // The primary ENI first; the sort is stable, so the others keep their order.
        enis.sort_by_key(|e| e.id.as_deref() != Some(i.primary_eni.as_str()));
        if enis.first().and_then(|e| e.id.as_deref()) != Some(i.primary_eni.as_str()) {
            return Err(AgentError::Inconsistent(format!(
                "instance {} has no primary ENI {} attached",
                i.id, i.primary_eni
            )));
        }
        instances.push(InstanceSpec {
            id: i.id.clone(),
            enis,
        });
    }
    Ok(Topology { subnets, instances })
}

/// Each HaVip's VIP with the members the fabric lets carry it. A member the topology
/// has no port for (an ENI attached to no instance) cannot send anything: it is left
/// out, and said so in the log.
pub fn fabric_havips(desired: &DesiredState, topology: &Topology) -> Vec<HavipRule> {
    let instances: BTreeSet<&str> = topology.instances.iter().map(|i| i.id.as_str()).collect();
    let enis: BTreeSet<&str> = topology
        .instances
        .iter()
        .flat_map(|i| i.enis.iter().filter_map(|e| e.id.as_deref()))
        .collect();
    desired
        .havips
        .iter()
        .map(|h| HavipRule {
            vip: h.ip,
            members: h
                .members
                .iter()
                .filter_map(|m| {
                    let (kind, known) = match m.kind.as_str() {
                        "EcsInstance" => {
                            (MemberKind::EcsInstance, instances.contains(m.id.as_str()))
                        }
                        "NetworkInterface" => {
                            (MemberKind::NetworkInterface, enis.contains(m.id.as_str()))
                        }
                        _ => (MemberKind::EcsInstance, false),
                    };
                    if !known {
                        tracing::warn!(havip = %h.id, member = %m.id, kind = %m.kind,
                            "member has no port in the lab: it cannot carry the VIP");
                        return None;
                    }
                    Some(Target {
                        kind,
                        id: m.id.clone(),
                    })
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use havip_native::feed::{
        DesiredEni, DesiredInstance, DesiredMember, DesiredSubnet, DesiredVip,
    };

    fn eni(id: &str, ip: &str, instance: Option<&str>) -> DesiredEni {
        DesiredEni {
            id: id.into(),
            subnet: "s1".into(),
            ip: ip.parse().unwrap(),
            mac: format!("00:16:3e:00:00:{}", &id[id.len() - 2..]),
            instance: instance.map(str::to_string),
        }
    }

    fn desired() -> DesiredState {
        DesiredState {
            revision: 7,
            subnets: vec![DesiredSubnet {
                id: "s1".into(),
                cidr: "10.0.1.0/24".into(),
            }],
            instances: vec![DesiredInstance {
                id: "i-a".into(),
                subnet: "s1".into(),
                primary_eni: "eni-a1".into(),
            }],
            // The secondary ENI was created first: the primary still comes first.
            enis: vec![
                eni("eni-a2", "10.0.1.11", Some("i-a")),
                eni("eni-a1", "10.0.1.10", Some("i-a")),
                eni("eni-f3", "10.0.1.12", None),
            ],
            havips: vec![DesiredVip {
                id: "havip-1".into(),
                account: "acct".into(),
                region: "r".into(),
                subnet: "s1".into(),
                ip: "10.0.1.100".parse().unwrap(),
                members: vec![
                    DesiredMember {
                        kind: "EcsInstance".into(),
                        id: "i-a".into(),
                    },
                    DesiredMember {
                        kind: "NetworkInterface".into(),
                        id: "eni-f3".into(),
                    },
                ],
            }],
        }
    }

    #[test]
    fn the_primary_eni_comes_first_and_every_address_is_taken() {
        let t = topology(&desired()).unwrap();
        let ids: Vec<_> = t.instances[0]
            .enis
            .iter()
            .map(|e| e.id.clone().unwrap())
            .collect();
        assert_eq!(ids, ["eni-a1", "eni-a2"]);
        assert_eq!(t.instances[0].enis[0].key, EniSpec::key_of(None, "i-a"));
        assert_eq!(t.instances[0].enis[1].key, "eni-a2");
        assert_eq!(
            t.instances[0].enis[0].mac.as_deref(),
            Some("00:16:3e:00:00:a1")
        );
        let taken: Vec<String> = t.subnets[0].in_use.iter().map(|a| a.to_string()).collect();
        assert_eq!(taken, ["10.0.1.10", "10.0.1.11", "10.0.1.12", "10.0.1.100"]);
    }

    #[test]
    fn members_without_a_port_are_left_out() {
        let d = desired();
        let t = topology(&d).unwrap();
        let rules = fabric_havips(&d, &t);
        assert_eq!(rules.len(), 1);
        assert_eq!(
            rules[0].members,
            [Target {
                kind: MemberKind::EcsInstance,
                id: "i-a".into()
            }]
        );
    }

    #[test]
    fn an_instance_without_its_primary_eni_is_refused() {
        let mut d = desired();
        d.enis.retain(|e| e.id != "eni-a1");
        assert!(matches!(topology(&d), Err(AgentError::Inconsistent(_))));
        let mut d = desired();
        d.subnets[0].cidr = "10.0.1.0/33".into();
        assert!(matches!(topology(&d), Err(AgentError::Inconsistent(_))));
    }
}
