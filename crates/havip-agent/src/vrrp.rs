//! The keepalived groups a lab runs when asked to (`--keepalived`): one VRRP group per
//! HaVip with two or more members the fabric lets carry it, in the members' namespaces,
//! unicast between their own addresses. Pure.
//!
//! A member is an instance (its primary ENI, `eth0`) or an ENI (the interface holding
//! it). Priorities follow the association order (150 for the first member, then 100,
//! 90, ... down to 10), so the first associated member is master when all are up, as the
//! clouds' guides configure keepalived; `virtual_router_id` is the HaVip's rank among the
//! HaVips of its subnet (1 to 255; HaVips past the 255th of a subnet get none, with a
//! warning).

use std::collections::BTreeMap;
use std::time::Duration;

use havip_lab::keepalived::{VrrpGroup, VrrpMember};
use havip_lab::LabPlan;
use havip_native::feed::DesiredState;
use ipnet::Ipv4Net;

const FIRST_PRIORITY: u8 = 150;
const NEXT_PRIORITY: u8 = 100;
const PRIORITY_STEP: u8 = 10;

/// The groups of `desired` in the lab of `plan`, with adverts every `advert`.
pub fn groups(desired: &DesiredState, plan: &LabPlan, advert: Duration) -> Vec<VrrpGroup> {
    let mut rank: BTreeMap<&str, u16> = BTreeMap::new();
    let mut by_subnet: Vec<&havip_native::feed::DesiredVip> = desired.havips.iter().collect();
    by_subnet.sort_by(|a, b| (&a.subnet, &a.id).cmp(&(&b.subnet, &b.id)));
    let mut out = Vec::new();
    for h in by_subnet {
        let n = rank.entry(h.subnet.as_str()).or_insert(0);
        *n += 1;
        let members: Vec<VrrpMember> = h
            .members
            .iter()
            .filter_map(|m| member(plan, &m.kind, &m.id))
            .enumerate()
            .map(|(i, mut m)| {
                m.priority = priority(i);
                m
            })
            .collect();
        if members.len() < 2 {
            continue;
        }
        let Ok(router_id) = u8::try_from(*n) else {
            tracing::warn!(havip = %h.id, subnet = %h.subnet,
                "more than 255 HaVips in the subnet: no keepalived for this one");
            continue;
        };
        let Some(bridge) = plan.bridges.iter().find(|b| b.subnet == h.subnet) else {
            continue;
        };
        let Ok(vip) = Ipv4Net::new(h.ip, bridge.cidr.prefix_len()) else {
            continue;
        };
        out.push(VrrpGroup {
            name: h.id.clone(),
            vip,
            router_id,
            advert,
            preempt: true,
            members,
        });
    }
    out
}

fn priority(position: usize) -> u8 {
    match position {
        0 => FIRST_PRIORITY,
        n => {
            let below = u8::try_from(n - 1)
                .unwrap_or(u8::MAX)
                .saturating_mul(PRIORITY_STEP);
            NEXT_PRIORITY.saturating_sub(below).max(PRIORITY_STEP)
        }
    }
}

/// The interface that carries a member's VIPs.
fn member(plan: &LabPlan, kind: &str, id: &str) -> Option<VrrpMember> {
    let (instance, iface) = plan.instances.iter().find_map(|i| {
        let iface = match kind {
            "EcsInstance" if i.id == id => i.interfaces.first(),
            "NetworkInterface" => i.interfaces.iter().find(|f| f.eni.as_deref() == Some(id)),
            _ => None,
        }?;
        Some((i, iface))
    })?;
    Some(VrrpMember {
        instance: instance.id.clone(),
        namespace: instance.namespace.clone(),
        interface: iface.ifname.clone(),
        ip: iface.address.addr(),
        priority: NEXT_PRIORITY,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use havip_lab::{EniSpec, InstanceSpec, Prefix, SubnetSpec, Topology};
    use havip_native::feed::{DesiredMember, DesiredVip};

    fn plan() -> LabPlan {
        let eni = |id: &str, inst: &str, ip: &str, primary: bool| EniSpec {
            id: Some(id.into()),
            key: if primary {
                EniSpec::key_of(None, inst)
            } else {
                id.into()
            },
            subnet: "s1".into(),
            ip: ip.parse().unwrap(),
            mac: None,
        };
        let topology = Topology {
            subnets: vec![SubnetSpec {
                id: "s1".into(),
                cidr: "10.0.1.0/24".parse().unwrap(),
                in_use: Default::default(),
            }],
            instances: ["i-a", "i-b", "i-c"]
                .iter()
                .enumerate()
                .map(|(n, i)| InstanceSpec {
                    id: i.to_string(),
                    enis: vec![
                        eni(&format!("eni-{i}"), i, &format!("10.0.1.{}", 10 + n), true),
                        eni(
                            &format!("eni2-{i}"),
                            i,
                            &format!("10.0.1.{}", 20 + n),
                            false,
                        ),
                    ],
                })
                .collect(),
        };
        LabPlan::from_topology(&topology, &"t".parse::<Prefix>().unwrap()).unwrap()
    }

    fn vip(id: &str, ip: &str, members: &[(&str, &str)]) -> DesiredVip {
        DesiredVip {
            id: id.into(),
            account: "a".into(),
            region: "r".into(),
            subnet: "s1".into(),
            ip: ip.parse().unwrap(),
            members: members
                .iter()
                .map(|(k, i)| DesiredMember {
                    kind: k.to_string(),
                    id: i.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_group_per_havip_with_two_members_or_more() {
        let desired = DesiredState {
            revision: 1,
            subnets: vec![],
            instances: vec![],
            enis: vec![],
            havips: vec![
                vip(
                    "havip-b",
                    "10.0.1.101",
                    &[("EcsInstance", "i-b"), ("EcsInstance", "i-a")],
                ),
                vip("havip-a", "10.0.1.100", &[("EcsInstance", "i-a")]),
                vip(
                    "havip-c",
                    "10.0.1.102",
                    &[
                        ("NetworkInterface", "eni2-i-c"),
                        ("NetworkInterface", "eni2-i-a"),
                    ],
                ),
            ],
        };
        let g = groups(&desired, &plan(), Duration::from_millis(100));
        assert_eq!(g.len(), 2, "one member is no group");
        assert_eq!(g[0].name, "havip-b");
        assert_eq!(g[0].router_id, 2, "rank in the subnet: havip-a is first");
        assert_eq!(g[0].vip.to_string(), "10.0.1.101/24");
        let m: Vec<(&str, &str, u8)> = g[0]
            .members
            .iter()
            .map(|m| (m.instance.as_str(), m.interface.as_str(), m.priority))
            .collect();
        assert_eq!(m, [("i-b", "eth0", 150), ("i-a", "eth0", 100)]);
        assert_eq!(g[1].router_id, 3);
        assert_eq!(g[1].members[0].interface, "eth1", "the ENI's interface");
        assert_eq!(g[1].members[0].ip.to_string(), "10.0.1.22");
    }

    #[test]
    fn priorities_fall_with_the_association_order() {
        assert_eq!(
            (0..12).map(priority).collect::<Vec<_>>(),
            [150, 100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 10]
        );
    }
}
