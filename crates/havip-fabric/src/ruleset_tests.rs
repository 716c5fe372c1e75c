//! The rules without root: which port may send what, what the transaction holds, and
//! the states that are refused.

use std::net::Ipv4Addr;

use havip_core::{MemberKind, Target};
use havip_lab::{LabPlan, Prefix};
use serde_json::{json, Value};

use crate::error::FabricError;
use crate::names::CounterKind;
use crate::ruleset::{Existing, Ruleset};
use crate::state::{FabricState, HavipRule};

const SEED: &str = r#"
[[account]]
id = "1000000000000078"
[[vpc]]
id = "vpc-f"
account = "1000000000000078"
region = "cn-shanghai"
cidr = "10.78.0.0/16"
[[subnet]]
id = "vsw-f1"
vpc = "vpc-f"
zone = "cn-shanghai-b"
cidr = "10.78.1.0/24"
[[instance]]
id = "i-a"
subnet = "vsw-f1"
status = "Running"
primary_eni = "eni-a1"
[[instance]]
id = "i-b"
subnet = "vsw-f1"
status = "Running"
[[eni]]
id = "eni-a1"
subnet = "vsw-f1"
ip = "10.78.1.10"
mac = "00:16:3E:78:00:01"
[[eni]]
id = "eni-a2"
subnet = "vsw-f1"
instance = "i-a"
[[havip]]
id = "havip-f1"
subnet = "vsw-f1"
ip = "10.78.1.100"
"#;

const VIP: Ipv4Addr = Ipv4Addr::new(10, 78, 1, 100);

pub(crate) fn plan() -> LabPlan {
    let seed = havip_seed::parse_seed(SEED).unwrap();
    LabPlan::from_seed(&seed, &"lab".parse::<Prefix>().unwrap()).unwrap()
}

pub(crate) fn member(kind: MemberKind, id: &str) -> Target {
    Target {
        kind,
        id: id.to_string(),
    }
}

fn state(members: Vec<Target>) -> FabricState {
    FabricState::from_lab(&plan(), vec![HavipRule { vip: VIP, members }])
}

pub(crate) fn port_of(plan: &LabPlan, instance: &str, ifname: &str) -> String {
    let i = plan.instance(instance).unwrap();
    i.interfaces
        .iter()
        .find(|f| f.ifname == ifname)
        .unwrap()
        .port
        .clone()
}

fn commands_of(r: &Ruleset, existing: &Existing) -> Vec<Value> {
    let batch = serde_json::to_value(r.commands(existing)).unwrap();
    batch["nftables"].as_array().unwrap().clone()
}

#[test]
fn a_lab_gives_one_port_per_eni_and_client() {
    let s = state(vec![]);
    assert_eq!(s.ports.len(), 3 + 1);
    let a = s
        .ports
        .iter()
        .find(|p| p.eni.as_deref() == Some("eni-a1"))
        .unwrap();
    assert!(a.primary);
    assert_eq!(a.instance.as_deref(), Some("i-a"));
    assert_eq!(a.label, "i-a eth0 eni-a1");
    let a2 = s
        .ports
        .iter()
        .find(|p| p.eni.as_deref() == Some("eni-a2"))
        .unwrap();
    assert!(!a2.primary);
    let client = s.ports.iter().find(|p| p.instance.is_none()).unwrap();
    assert_eq!(client.label, "client:vsw-f1 eth0");
    assert_eq!(client.ips, vec![Ipv4Addr::new(10, 78, 1, 254)]);
    assert_eq!(s.target("i-b").unwrap().kind, MemberKind::EcsInstance);
    assert_eq!(
        s.target("eni-a2").unwrap().kind,
        MemberKind::NetworkInterface
    );
    assert_eq!(s.target("nope"), None);
}

#[test]
fn an_instance_member_carries_the_vip_on_its_primary_eni_only() {
    let p = plan();
    let r = Ruleset::from_state(&state(vec![member(MemberKind::EcsInstance, "i-a")])).unwrap();
    assert_eq!(r.carriers(VIP), vec![port_of(&p, "i-a", "eth0").as_str()]);
    assert!(r.vips.contains(&VIP));
    let eth1 = r
        .ports
        .iter()
        .find(|x| x.name == port_of(&p, "i-a", "eth1"))
        .unwrap();
    assert_eq!(eth1.allowed.len(), 1, "its own address only");
    let eth0 = r
        .ports
        .iter()
        .find(|x| x.name == port_of(&p, "i-a", "eth0"))
        .unwrap();
    assert_eq!(eth0.mac, "00:16:3e:78:00:01", "MACs are lower case");
}

#[test]
fn an_eni_member_carries_the_vip_on_that_eni() {
    let p = plan();
    let r =
        Ruleset::from_state(&state(vec![member(MemberKind::NetworkInterface, "eni-a2")])).unwrap();
    assert_eq!(r.carriers(VIP), vec![port_of(&p, "i-a", "eth1").as_str()]);
}

#[test]
fn a_vip_without_members_is_carried_by_no_one_but_still_guarded() {
    let r = Ruleset::from_state(&state(vec![])).unwrap();
    assert!(r.carriers(VIP).is_empty());
    assert!(r.vips.contains(&VIP));
}

#[test]
fn refusals_come_before_any_rule() {
    let unknown = Ruleset::from_state(&state(vec![member(MemberKind::EcsInstance, "i-x")]));
    assert!(matches!(unknown, Err(FabricError::UnknownMember { .. })));
    let unknown = Ruleset::from_state(&state(vec![member(MemberKind::NetworkInterface, "eni-x")]));
    assert!(matches!(unknown, Err(FabricError::UnknownMember { .. })));

    let mut s = state(vec![]);
    s.havips[0].vip = Ipv4Addr::new(10, 78, 1, 10);
    assert!(matches!(
        Ruleset::from_state(&s),
        Err(FabricError::VipIsPortAddress { .. })
    ));

    let mut s = state(vec![]);
    let again = s.ports[0].clone();
    s.ports.push(again);
    assert!(matches!(
        Ruleset::from_state(&s),
        Err(FabricError::DuplicatePort(_))
    ));

    let mut s = state(vec![]);
    s.ports[0].mac = "00:16:3e:78:00".into();
    assert!(matches!(
        Ruleset::from_state(&s),
        Err(FabricError::BadMac(_))
    ));

    let mut s = state(vec![]);
    s.ports[0].name = "a\" drop".into();
    assert!(matches!(
        Ruleset::from_state(&s),
        Err(FabricError::BadPortName(_))
    ));
}

#[test]
fn the_transaction_replaces_the_table_in_one_go() {
    let p = plan();
    let r = Ruleset::from_state(&state(vec![member(MemberKind::EcsInstance, "i-a")])).unwrap();
    let cmds = commands_of(&r, &Existing::default());
    assert_eq!(
        cmds[0],
        json!({"add": {"table": {"family": "bridge", "name": "havip_lab"}}})
    );
    assert_eq!(
        cmds[1],
        json!({"flush": {"table": {"family": "bridge", "name": "havip_lab"}}})
    );
    assert!(cmds.iter().all(|c| c.get("delete").is_none()));
    // Sets are emptied too (flushing a table leaves set elements), but for the one
    // whose elements hold counts.
    for set in ["port_mac", "port_ip", "vips"] {
        assert!(cmds.contains(
            &json!({"flush": {"set": {"family": "bridge", "table": "havip_lab", "name": set}}})
        ));
    }
    assert!(!cmds
        .iter()
        .any(|c| c["flush"]["set"]["name"] == "vip_claims"));
    assert!(cmds.contains(&json!({"add": {"set": {
        "family": "bridge", "table": "havip_lab", "name": "vip_claims",
        "type": ["ifname", "ipv4_addr"], "stmt": [{"counter": null}], "size": 65536
    }}})));
    // One base chain on prerouting; a chain and four counters per port.
    let chains: Vec<&Value> = cmds.iter().filter_map(|c| c["add"].get("chain")).collect();
    assert_eq!(chains.len(), r.ports.len() + 1);
    let base: Vec<&&Value> = chains.iter().filter(|c| c.get("hook").is_some()).collect();
    assert_eq!(base.len(), 1);
    assert_eq!(base[0]["hook"], "prerouting");
    assert_eq!(base[0]["name"], "spoof_guard");
    assert!(chains.iter().all(|c| c["name"] != "fwd"));
    let counters: Vec<&Value> = cmds
        .iter()
        .filter_map(|c| c["add"].get("counter"))
        .collect();
    assert_eq!(counters.len(), 4 * r.ports.len() + 1);
    let a = port_of(&p, "i-a", "eth0");
    let vip_counter = CounterKind::Vip.counter(&a);
    let own = counters.iter().find(|c| c["name"] == vip_counter).unwrap();
    assert_eq!(own["comment"], "i-a eth0 eni-a1");

    // The VIP is in port_ip for A's primary port only; every port has its MAC.
    let elements = |set: &str| -> Vec<Value> {
        cmds.iter()
            .filter_map(|c| c["add"].get("element"))
            .filter(|e| e["name"] == set)
            .flat_map(|e| e["elem"].as_array().unwrap().clone())
            .collect()
    };
    let with_vip: Vec<Value> = elements("port_ip")
        .into_iter()
        .filter(|e| e["concat"][1] == "10.78.1.100")
        .collect();
    assert_eq!(with_vip, vec![json!({"concat": [a, "10.78.1.100"]})]);
    assert_eq!(elements("port_mac").len(), r.ports.len());
    // Every VIP is guarded; refused claims are added by the rules, not here.
    assert_eq!(elements("vips"), vec![json!("10.78.1.100")]);
    assert!(elements("vip_claims").is_empty());
    let updates = cmds
        .iter()
        .filter_map(|c| c["add"].get("rule"))
        .filter(|r| r["chain"] == format!("port_{a}"))
        .filter(|r| r["expr"][1]["set"]["set"] == "@vip_claims")
        .count();
    assert_eq!(updates, 2, "ARP senders and IPv4 sources");

    // The base chain sends each known port to its chain and drops the rest, counted.
    let guard: Vec<&Value> = cmds
        .iter()
        .filter_map(|c| c["add"].get("rule"))
        .filter(|r| r["chain"] == "spoof_guard")
        .collect();
    assert_eq!(guard.len(), 2);
    let map = guard[0]["expr"][0]["vmap"]["data"]["set"]
        .as_array()
        .unwrap();
    assert_eq!(map.len(), r.ports.len());
    assert_eq!(
        guard[1]["expr"],
        json!([{"counter": "unknown_port"}, {"drop": null}])
    );

    // A VIP claim from a port that may not carry it goes through that port's counter.
    let b = port_of(&p, "i-b", "eth0");
    let b_chain = format!("port_{b}");
    let b_rules: Vec<&Value> = cmds
        .iter()
        .filter_map(|c| c["add"].get("rule"))
        .filter(|r| r["chain"] == b_chain.as_str())
        .collect();
    let vip_drops = b_rules
        .iter()
        .filter(|r| r["expr"][1] == json!({"counter": CounterKind::Vip.counter(&b)}))
        .count();
    assert_eq!(vip_drops, 2, "ARP sender and IPv4 source");
    assert_eq!(
        b_rules.last().unwrap()["expr"],
        json!([{"counter": CounterKind::Proto.counter(&b)}, {"drop": null}])
    );
}

#[test]
fn the_same_state_gives_the_same_transaction() {
    let s = state(vec![member(MemberKind::EcsInstance, "i-a")]);
    let one = Ruleset::from_state(&s)
        .unwrap()
        .commands(&Existing::default());
    assert!(!one.nftables.is_empty());
    let two = Ruleset::from_state(&s)
        .unwrap()
        .commands(&Existing::default());
    assert_eq!(one, two);
}

#[test]
fn objects_no_longer_wanted_are_deleted_after_the_flush() {
    let r = Ruleset::from_state(&state(vec![])).unwrap();
    let kept = r.ports[0].name.clone();
    let listing = json!({"nftables": [
        {"metainfo": {"version": "1.0.6"}},
        {"table": {"family": "bridge", "name": "havip_lab", "handle": 1}},
        {"set": {"family": "bridge", "table": "havip_lab", "name": "vips", "type": "ipv4_addr"}},
        {"set": {"family": "bridge", "table": "havip_lab", "name": "old_set", "type": "ipv4_addr"}},
        {"chain": {"family": "bridge", "table": "havip_lab", "name": "port_gone"}},
        {"chain": {"family": "bridge", "table": "havip_lab", "name": format!("port_{kept}")}},
        {"counter": {"family": "bridge", "table": "havip_lab", "name": "gone_vip"}},
        {"counter": {"family": "bridge", "table": "other", "name": "x_vip"}}
    ]});
    let existing = Existing::from_listing(&listing, "havip_lab");
    assert_eq!(existing.counters.len(), 1);
    let cmds = commands_of(&r, &existing);
    let deletes: Vec<&Value> = cmds.iter().filter_map(|c| c.get("delete")).collect();
    assert_eq!(
        deletes,
        vec![
            &json!({"chain": {"family": "bridge", "table": "havip_lab", "name": "port_gone"}}),
            &json!({"set": {"family": "bridge", "table": "havip_lab", "name": "old_set"}}),
            &json!({"counter": {"family": "bridge", "table": "havip_lab", "name": "gone_vip"}}),
        ]
    );
    let flush = cmds.iter().position(|c| c.get("flush").is_some()).unwrap();
    let first_delete = cmds.iter().position(|c| c.get("delete").is_some()).unwrap();
    assert!(flush < first_delete);
}

fn claims_listing(r: &Ruleset, stmt: Value, pairs: &[(&str, &str)]) -> Value {
    let elem: Vec<Value> = pairs
        .iter()
        .map(|(port, vip)| {
            json!({"elem": {"val": {"concat": [port, vip]},
                "counter": {"packets": 5, "bytes": 140}}})
        })
        .collect();
    json!({"nftables": [
        {"table": {"family": "bridge", "name": r.table}},
        {"set": {"family": "bridge", "table": r.table, "name": "vip_claims",
            "type": ["ifname", "ipv4_addr"], "size": 65536, "stmt": stmt, "elem": elem}}
    ]})
}

#[test]
fn a_reapply_keeps_the_claim_counts_and_deletes_only_claims_of_ports_gone() {
    let r = Ruleset::from_state(&state(vec![member(MemberKind::EcsInstance, "i-a")])).unwrap();
    let port = r.ports[0].name.clone();
    let listing = claims_listing(
        &r,
        json!([{"counter": null}]),
        &[
            (&port, "10.78.1.100"),
            ("labpgone", "10.78.1.100"),
            (&port, "10.78.1.99"),
        ],
    );
    let existing = Existing::from_listing(&listing, &r.table);
    assert!(!existing.claims_misshapen);
    assert_eq!(existing.claims.len(), 3);
    let cmds = commands_of(&r, &existing);
    // Neither added again (nft made it dynamic), flushed nor deleted: only the claims of
    // a port that is gone.
    for op in ["add", "flush", "delete"] {
        assert!(
            !cmds.iter().any(|c| c[op]["set"]["name"] == "vip_claims"),
            "{op}"
        );
    }
    let deleted: Vec<&Value> = cmds
        .iter()
        .filter_map(|c| c["delete"].get("element"))
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        deleted[0]["elem"],
        json!([{"concat": ["labpgone", "10.78.1.100"]}])
    );
    // Only claims of existing ports: nothing to delete.
    let same = Existing::from_listing(
        &claims_listing(
            &r,
            json!([{"counter": null}]),
            &[(&port, "10.78.1.100"), (&port, "10.78.1.99")],
        ),
        &r.table,
    );
    let cmds = commands_of(&r, &same);
    assert!(!cmds.iter().any(|c| c.get("delete").is_some()));
}

#[test]
fn a_claims_set_without_counters_is_made_anew() {
    let r = Ruleset::from_state(&state(vec![])).unwrap();
    let listing = claims_listing(&r, Value::Null, &[]);
    let existing = Existing::from_listing(&listing, &r.table);
    assert!(existing.claims_misshapen);
    let cmds = commands_of(&r, &existing);
    let delete = cmds
        .iter()
        .position(|c| c["delete"]["set"]["name"] == "vip_claims")
        .expect("deleted");
    let add = cmds
        .iter()
        .position(|c| c["add"]["set"]["name"] == "vip_claims")
        .unwrap();
    assert!(delete < add);
}
