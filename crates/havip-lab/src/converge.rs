//! What `up` removes or corrects, decided from what the host holds and the plan alone
//! (pure, so that it is tested without root):
//!
//! - namespaces of the prefix's shape that the plan does not have (an instance or a
//!   subnet that is gone);
//! - in the fabric namespace, bridges and veths the plan does not have; in instance and
//!   client namespaces, veths the plan does not have (an ENI detached). Links of other
//!   kinds there (a user's macvlan or dummy) are left alone: the lab makes none;
//! - a planned interface that is not the peer of its planned port (an ENI that moved,
//!   or an interface name now planned for another ENI) is recreated;
//! - on a planned interface, addresses that look like an ENI's address and are not the
//!   planned one: not flagged secondary and shorter than /32. A VIP a user's keepalived
//!   adds is a secondary address of the ENI's prefix, or a /32, and is kept; when the
//!   ENI's own address is wrong, removing it removes its secondaries with it (as when
//!   a cloud changes an ENI's address under a running instance);
//! - source-route rules in the lab's priority range that the plan does not use.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;

use crate::names::is_lab_namespace;
use crate::plan::{LabPlan, RULE_BASE};
use crate::state::{Link, Rule};

/// How many rule priorities from `RULE_BASE` belong to the lab.
const RULE_RANGE: u32 = 1000;

/// The namespaces of the lab's prefix that the plan does not have.
pub fn stale_namespaces(plan: &LabPlan, existing: &[String]) -> Vec<String> {
    let wanted: BTreeSet<&str> = plan.namespaces().into_iter().collect();
    existing
        .iter()
        .filter(|ns| is_lab_namespace(&plan.prefix, ns) && !wanted.contains(ns.as_str()))
        .cloned()
        .collect()
}

/// The bridges and veths of the fabric namespace that the plan does not have.
pub fn stale_fabric_links(plan: &LabPlan, links: &BTreeMap<String, Link>) -> Vec<String> {
    let mut wanted: BTreeSet<&str> = plan.bridges.iter().map(|b| b.name.as_str()).collect();
    wanted.extend(
        plan.instances
            .iter()
            .flat_map(|i| i.interfaces.iter().map(|f| f.port.as_str())),
    );
    wanted.extend(plan.clients.iter().map(|c| c.port.as_str()));
    links
        .iter()
        .filter(|(name, l)| (l.is("veth") || l.is("bridge")) && !wanted.contains(name.as_str()))
        .map(|(name, _)| name.clone())
        .collect()
}

/// The veths of a namespace that are not among `ifnames`.
pub fn stale_veths(ifnames: &[&str], links: &BTreeMap<String, Link>) -> Vec<String> {
    links
        .iter()
        .filter(|(name, l)| l.is("veth") && !ifnames.contains(&name.as_str()))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether `inner` (in its namespace) and `port` (in the fabric) are the two ends of
/// one veth pair: each one's peer index is the other's index.
pub fn are_peers(inner: &Link, port: &Link) -> bool {
    inner.is("veth")
        && port.is("veth")
        && inner.peer_index == Some(port.index)
        && port.peer_index == Some(inner.index)
}

/// The addresses of `link` that stand where `planned` should: not flagged secondary,
/// shorter than /32, and not `planned`.
pub fn stale_addresses(link: &Link, planned: Ipv4Net) -> Vec<Ipv4Net> {
    link.primaries
        .iter()
        .filter(|a| a.prefix_len() < 32 && **a != planned)
        .copied()
        .collect()
}

/// The priorities of the lab's range in `rules` that `wanted` does not hold.
pub fn stale_rule_priorities(rules: &[Rule], wanted: &[u32]) -> Vec<u32> {
    let range = RULE_BASE..RULE_BASE + RULE_RANGE;
    let stale: BTreeSet<u32> = rules
        .iter()
        .map(|r| r.priority)
        .filter(|p| range.contains(p) && !wanted.contains(p))
        .collect();
    stale.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::Prefix;
    use crate::topology::{EniSpec, InstanceSpec, SubnetSpec, Topology};

    fn plan() -> LabPlan {
        let t = Topology {
            subnets: vec![SubnetSpec {
                id: "vsw-a".into(),
                cidr: "10.9.1.0/24".parse().unwrap(),
                in_use: BTreeSet::new(),
            }],
            instances: vec![InstanceSpec {
                id: "i-1".into(),
                enis: vec![EniSpec {
                    id: Some("eni-1".into()),
                    key: "eni-1".into(),
                    subnet: "vsw-a".into(),
                    ip: "10.9.1.10".parse().unwrap(),
                    mac: None,
                }],
            }],
        };
        LabPlan::from_topology(&t, &"lab".parse::<Prefix>().unwrap()).unwrap()
    }

    fn link(kind: &str, index: u32, peer: Option<u32>) -> Link {
        Link {
            kind: Some(kind.into()),
            index,
            peer_index: peer,
            ..Link::default()
        }
    }

    #[test]
    fn namespaces_of_the_prefix_that_the_plan_lacks_are_stale() {
        let p = plan();
        let gone = crate::names::instance_ns(&p.prefix, "i-gone");
        let other = crate::names::instance_ns(&"lab2".parse().unwrap(), "i-1");
        let mut existing: Vec<String> = p.namespaces().into_iter().map(String::from).collect();
        existing.extend([gone.clone(), other, "unrelated".into()]);
        assert_eq!(stale_namespaces(&p, &existing), vec![gone]);
    }

    #[test]
    fn fabric_links_the_plan_lacks_are_stale_but_lo_is_not() {
        let p = plan();
        let mut links = BTreeMap::new();
        links.insert("lo".to_string(), Link::default());
        links.insert(p.bridges[0].name.clone(), link("bridge", 2, None));
        links.insert(
            p.instances[0].interfaces[0].port.clone(),
            link("veth", 3, Some(2)),
        );
        links.insert(p.clients[0].port.clone(), link("veth", 4, Some(2)));
        links.insert("labp0000000".into(), link("veth", 5, Some(2)));
        links.insert("labb0000000".into(), link("bridge", 6, None));
        links.insert("dummy0".into(), link("dummy", 7, None));
        assert_eq!(
            stale_fabric_links(&p, &links),
            vec!["labb0000000".to_string(), "labp0000000".to_string()]
        );
    }

    #[test]
    fn only_veths_not_planned_are_stale_in_an_instance() {
        let mut links = BTreeMap::new();
        links.insert("lo".to_string(), Link::default());
        links.insert("eth0".into(), link("veth", 2, Some(3)));
        links.insert("eth1".into(), link("veth", 3, Some(4)));
        links.insert("vrrp.51".into(), link("macvlan", 4, Some(2)));
        assert_eq!(stale_veths(&["eth0"], &links), vec!["eth1".to_string()]);
    }

    #[test]
    fn peers_point_at_each_other() {
        assert!(are_peers(
            &link("veth", 2, Some(7)),
            &link("veth", 7, Some(2))
        ));
        assert!(!are_peers(
            &link("veth", 2, Some(7)),
            &link("veth", 7, Some(3))
        ));
        assert!(!are_peers(
            &link("veth", 2, Some(8)),
            &link("veth", 7, Some(2))
        ));
        assert!(!are_peers(
            &link("dummy", 2, Some(7)),
            &link("veth", 7, Some(2))
        ));
    }

    #[test]
    fn a_vip_added_by_keepalived_is_not_stale_but_a_wrong_address_is() {
        let planned: Ipv4Net = "10.9.1.10/24".parse().unwrap();
        let mut l = link("veth", 2, Some(3));
        l.addrs = vec![planned, "10.9.1.100/24".parse().unwrap()];
        l.primaries = vec![planned, "10.9.1.101/32".parse().unwrap()];
        assert!(stale_addresses(&l, planned).is_empty());
        let wrong: Ipv4Net = "10.9.1.11/24".parse().unwrap();
        l.primaries = vec![wrong, "10.9.1.101/32".parse().unwrap()];
        assert_eq!(stale_addresses(&l, planned), vec![wrong]);
    }

    #[test]
    fn rules_of_the_lab_range_not_planned_are_stale() {
        let rule = |priority| Rule {
            priority,
            src: None,
            table: None,
        };
        let rules = [rule(0), rule(1000), rule(1001), rule(1001), rule(32766)];
        assert_eq!(stale_rule_priorities(&rules, &[1000]), vec![1001]);
    }
}
