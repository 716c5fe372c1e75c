//! Tests of plans built from a topology rather than a seed: what the control plane's
//! inventory gives (real ids for every ENI), and the refusals of the checks. No root
//! needed.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use havip_seed::parse_seed;

use crate::error::PlanError;
use crate::mac::derived_mac;
use crate::names::Prefix;
use crate::plan::LabPlan;
use crate::topology::{EniSpec, InstanceSpec, SubnetSpec, Topology};

fn prefix() -> Prefix {
    "lab".parse().unwrap()
}

fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn eni(id: &str, key: &str, ip: &str) -> EniSpec {
    EniSpec {
        id: Some(id.into()),
        key: key.into(),
        subnet: "vsw-a".into(),
        ip: a(ip),
        mac: None,
    }
}

/// One subnet with a VIP in use; `i-1` with two ENIs, `i-2` with one.
fn topology() -> Topology {
    Topology {
        subnets: vec![SubnetSpec {
            id: "vsw-a".into(),
            cidr: "10.9.1.0/24".parse().unwrap(),
            in_use: [a("10.9.1.254")].into_iter().collect(),
        }],
        instances: vec![
            InstanceSpec {
                id: "i-1".into(),
                enis: vec![
                    eni("eni-1", "eni-1", "10.9.1.10"),
                    eni("eni-1b", "eni-1b", "10.9.1.2"),
                ],
            },
            InstanceSpec {
                id: "i-2".into(),
                enis: vec![eni("eni-2", "i-2#primary", "10.9.1.3")],
            },
        ],
    }
}

fn refused(t: &Topology) -> PlanError {
    LabPlan::from_topology(t, &prefix()).unwrap_err()
}

#[test]
fn a_topology_gives_interfaces_in_order_with_derived_macs() {
    let p = LabPlan::from_topology(&topology(), &prefix()).unwrap();
    let i1 = p.instance("i-1").unwrap();
    let got: Vec<_> = i1
        .interfaces
        .iter()
        .map(|f| (f.ifname.as_str(), f.eni.as_deref(), f.address.to_string()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("eth0", Some("eni-1"), "10.9.1.10/24".to_string()),
            ("eth1", Some("eni-1b"), "10.9.1.2/24".to_string()),
        ]
    );
    let i2 = &p.instance("i-2").unwrap().interfaces[0];
    assert_eq!(i2.eni.as_deref(), Some("eni-2"), "the identity is the id");
    assert_eq!(i2.key, "i-2#primary");
    assert_eq!(
        i2.mac,
        derived_mac("i-2#primary"),
        "the MAC comes from the key"
    );
    // The VIP in use (.254) is skipped.
    assert_eq!(
        p.client("vsw-a").unwrap().address.to_string(),
        "10.9.1.253/24"
    );
}

/// The control plane's inventory of a seed's store: every ENI has an id (the implicit
/// primary's was generated), primaries are keyed as the seed's lab keys them.
#[test]
fn the_inventory_of_a_seed_gives_the_seeds_names_and_addresses() {
    let seed = parse_seed(
        r#"
[[account]]
id = "1000000000000009"
[[vpc]]
id = "vpc-a"
account = "1000000000000009"
region = "cn-shanghai"
cidr = "10.9.0.0/16"
[[subnet]]
id = "vsw-a"
vpc = "vpc-a"
zone = "cn-shanghai-b"
cidr = "10.9.1.0/24"
[[instance]]
id = "i-1"
subnet = "vsw-a"
status = "Running"
primary_eni = "eni-1"
[[instance]]
id = "i-2"
subnet = "vsw-a"
status = "Running"
[[eni]]
id = "eni-1"
subnet = "vsw-a"
ip = "10.9.1.10"
mac = "00:16:3E:00:00:01"
[[eni]]
id = "eni-1b"
subnet = "vsw-a"
instance = "i-1"
[[havip]]
id = "havip-1"
subnet = "vsw-a"
ip = "10.9.1.254"
"#,
    )
    .unwrap();
    let from_seed = LabPlan::from_seed(&seed, &prefix()).unwrap();
    let mut t = topology();
    t.instances[0].enis[0].mac = Some("00:16:3E:00:00:01".into());
    t.instances[0].enis[0].key = EniSpec::key_of(Some("eni-1"), "i-1");
    t.instances[1].enis[0].key = EniSpec::key_of(None, "i-2");
    let from_inventory = LabPlan::from_topology(&t, &prefix()).unwrap();
    let mut expected = from_seed.clone();
    // Only the generated id of i-2's primary ENI differs.
    expected.instances[1].interfaces[0].eni = Some("eni-2".into());
    assert_eq!(from_inventory, expected);
    assert_eq!(
        Topology::from_seed(&seed).unwrap().instances[1].enis[0].key,
        "i-2#primary"
    );
}

#[test]
fn addresses_of_enis_count_as_used_even_if_not_listed() {
    let mut t = topology();
    t.subnets[0].in_use.clear();
    t.instances[1].enis[0].ip = a("10.9.1.254");
    let p = LabPlan::from_topology(&t, &prefix()).unwrap();
    assert_eq!(p.clients[0].address.addr(), a("10.9.1.253"));
}

#[test]
fn an_instance_without_enis_is_an_empty_namespace() {
    let mut t = topology();
    t.instances[1].enis.clear();
    let p = LabPlan::from_topology(&t, &prefix()).unwrap();
    assert!(p.instance("i-2").unwrap().interfaces.is_empty());
    let namespaces: BTreeSet<_> = p.namespaces().into_iter().collect();
    assert_eq!(namespaces.len(), 4);
}

#[test]
fn duplicates_are_refused() {
    let mut t = topology();
    t.subnets.push(t.subnets[0].clone());
    assert!(matches!(
        refused(&t),
        PlanError::Duplicate { what: "subnet", .. }
    ));

    let mut t = topology();
    t.instances[1].id = "i-1".into();
    assert!(matches!(
        refused(&t),
        PlanError::Duplicate {
            what: "instance",
            ..
        }
    ));

    let mut t = topology();
    t.instances[1].enis[0].id = Some("eni-1".into());
    assert!(matches!(
        refused(&t),
        PlanError::Duplicate { what: "ENI", .. }
    ));

    let mut t = topology();
    t.instances[1].enis[0].key = "eni-1b".into();
    let e = refused(&t);
    assert_eq!(
        e,
        PlanError::Duplicate {
            what: "ENI key",
            id: "eni-1b".into()
        }
    );

    let mut t = topology();
    t.instances[1].enis[0].ip = a("10.9.1.10");
    let e = refused(&t);
    assert!(matches!(e, PlanError::DuplicateIp { .. }), "{e}");
    assert!(e.to_string().contains("eni-1") && e.to_string().contains("eni-2"));

    let mut t = topology();
    t.instances[1].enis[0].mac = Some("00:16:3e:00:00:01".into());
    t.instances[0].enis[0].mac = Some("00:16:3E:00:00:01".into());
    assert!(matches!(refused(&t), PlanError::DuplicateMac { .. }));
}

#[test]
fn addresses_and_macs_an_interface_cannot_have_are_refused() {
    let mut t = topology();
    t.instances[0].enis[1].ip = a("10.9.2.2");
    let e = refused(&t);
    assert!(matches!(e, PlanError::IpOutsideSubnet { .. }), "{e}");
    assert!(e.to_string().contains("eni-1b"), "{e}");

    for reserved in ["10.9.1.0", "10.9.1.1", "10.9.1.255"] {
        let mut t = topology();
        t.instances[0].enis[1].ip = a(reserved);
        assert!(
            matches!(refused(&t), PlanError::ReservedIp { .. }),
            "{reserved}"
        );
    }

    let mut t = topology();
    t.instances[0].enis[1].mac = Some("01:00:5e:00:00:01".into());
    assert!(matches!(refused(&t), PlanError::BadMac { .. }));

    let mut t = topology();
    t.instances[0].enis[1].subnet = "vsw-x".into();
    let e = refused(&t);
    assert!(matches!(e, PlanError::Unknown { .. }), "{e}");
    assert!(e.to_string().contains("vsw-x"), "{e}");
}

#[test]
fn an_eni_without_id_is_named_by_its_key_in_refusals() {
    let mut t = topology();
    t.instances[1].enis[0].id = None;
    t.instances[1].enis[0].ip = a("10.9.3.3");
    let e = refused(&t);
    assert!(e.to_string().contains("i-2#primary"), "{e}");
}

#[test]
fn a_full_subnet_is_refused() {
    let mut t = topology();
    t.subnets[0].cidr = "10.9.1.0/29".parse().unwrap();
    t.instances[0].enis[0].ip = a("10.9.1.4");
    t.subnets[0].in_use = [a("10.9.1.5"), a("10.9.1.6")].into_iter().collect();
    let e = refused(&t);
    assert_eq!(
        e,
        PlanError::NoClientAddress {
            subnet: "vsw-a".into()
        }
    );
}
