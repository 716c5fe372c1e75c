//! The comparison without root: a listing as nft prints it against the rules' own
//! rendering, and the element changes the fast path makes (or refuses to make).

use std::net::Ipv4Addr;

use havip_core::MemberKind;
use serde_json::{json, Value};

use crate::diff::{Elements, Observed};
use crate::fabric::Known;
use crate::ruleset::{Existing, Ruleset};
use crate::ruleset_tests::{member, plan, port_of};
use crate::state::{FabricState, HavipRule};

const VIP: Ipv4Addr = Ipv4Addr::new(10, 78, 1, 100);
const VIP2: Ipv4Addr = Ipv4Addr::new(10, 78, 1, 101);

fn ruleset(havips: Vec<HavipRule>) -> Ruleset {
    Ruleset::from_state(&FabricState::from_lab(&plan(), havips)).unwrap()
}

fn carried_by(vip: Ipv4Addr, who: &[&str]) -> HavipRule {
    HavipRule {
        vip,
        members: who
            .iter()
            .map(|w| member(MemberKind::EcsInstance, w))
            .collect(),
    }
}

/// `r`'s table as `nft -j list ruleset bridge` prints it: metainfo, handles, counter
/// values, the elements inside their sets, the verdict map in another order.
fn listed(r: &Ruleset) -> Value {
    let cmds = serde_json::to_value(r.commands(&Existing::default())).unwrap();
    let mut items = vec![json!({"metainfo": {"version": "1.0.6", "json_schema_version": 1}})];
    let mut elements: Vec<(String, Vec<Value>)> = Vec::new();
    for (handle, cmd) in cmds["nftables"].as_array().unwrap().iter().enumerate() {
        let Some(add) = cmd.get("add").and_then(Value::as_object) else {
            continue;
        };
        let (kind, obj) = add.iter().next().unwrap();
        let mut obj = obj.clone();
        if kind == "element" {
            let name = obj["name"].as_str().unwrap().to_string();
            elements.push((name, obj["elem"].as_array().unwrap().clone()));
            continue;
        }
        obj["handle"] = json!(handle);
        if kind == "counter" {
            obj["packets"] = json!(7);
            obj["bytes"] = json!(420);
        }
        if let Some(Value::Array(map)) = obj.pointer_mut("/expr/0/vmap/data/set") {
            map.reverse();
        }
        items.push(json!({ kind.as_str(): obj }));
    }
    for item in &mut items {
        if let Some(set) = item.get_mut("set") {
            let name = set["name"].as_str().unwrap().to_string();
            let elem: Vec<Value> = elements
                .iter()
                .filter(|(n, _)| *n == name)
                .flat_map(|(_, e)| e.clone())
                .collect();
            set["elem"] = json!(elem);
        }
    }
    json!({ "nftables": items })
}

#[test]
fn a_listing_of_the_rules_as_applied_equals_their_rendering() {
    let r = ruleset(vec![carried_by(VIP, &["i-a"])]);
    let observed = Observed::from_listing(listed(&r), &r.table);
    assert_eq!(observed.structure, r.structure());
    assert_eq!(observed.elements, Some(r.elements()));
    let a = port_of(&plan(), "i-a", "eth0");
    assert!(r.elements().port_ip.contains(&(a, VIP)));
    // Another table's objects are not ours.
    let other = Observed::from_listing(listed(&r), "havip_other");
    assert_eq!(other.structure, Default::default());
}

#[test]
fn a_rule_or_counter_changed_by_hand_is_a_structural_difference() {
    let r = ruleset(vec![carried_by(VIP, &["i-a"])]);
    let mut listing = listed(&r);
    let items = listing["nftables"].as_array_mut().unwrap();
    let rule = items.iter().position(|i| i.get("rule").is_some()).unwrap();
    items.remove(rule);
    assert_ne!(
        Observed::from_listing(listing, &r.table).structure,
        r.structure()
    );

    let mut listing = listed(&r);
    let items = listing["nftables"].as_array_mut().unwrap();
    let counter = items.iter_mut().find_map(|i| i.get_mut("counter")).unwrap();
    counter["comment"] = json!("edited");
    assert_ne!(
        Observed::from_listing(listing, &r.table).structure,
        r.structure()
    );
}

#[test]
fn elements_of_another_shape_are_not_taken_as_the_rules() {
    let r = ruleset(vec![carried_by(VIP, &["i-b"])]);
    let mut listing = listed(&r);
    let items = listing["nftables"].as_array_mut().unwrap();
    let vips = items
        .iter_mut()
        .filter_map(|i| i.get_mut("set"))
        .find(|s| s["name"] == "vips")
        .unwrap();
    vips["elem"]
        .as_array_mut()
        .unwrap()
        .push(json!({"prefix": {"addr": "10.78.1.0", "len": 24}}));
    let observed = Observed::from_listing(listing, &r.table);
    assert_eq!(observed.structure, r.structure());
    assert_eq!(observed.elements, None);
}

#[test]
fn a_moved_association_deletes_one_element_and_adds_one() {
    let p = plan();
    let a = port_of(&p, "i-a", "eth0");
    let b = port_of(&p, "i-b", "eth0");
    let before = ruleset(vec![carried_by(VIP, &["i-a"])]);
    let after = ruleset(vec![carried_by(VIP, &["i-b"])]);
    let changes = Known::of(&before)
        .element_changes(&after)
        .expect("elements only");
    assert_eq!(
        changes.delete,
        Elements {
            port_ip: [(a.clone(), VIP)].into(),
            ..Elements::default()
        }
    );
    assert_eq!(
        changes.add,
        Elements {
            port_ip: [(b.clone(), VIP)].into(),
            ..Elements::default()
        }
    );
    assert_eq!(changes.len(), 2);
    // One transaction: the delete, then the add.
    let batch = serde_json::to_value(after.element_commands(&changes)).unwrap();
    assert_eq!(
        batch,
        json!({"nftables": [
            {"delete": {"element": {"family": "bridge", "table": "havip_lab", "name": "port_ip",
                "elem": [{"concat": [a, "10.78.1.100"]}]}}},
            {"add": {"element": {"family": "bridge", "table": "havip_lab", "name": "port_ip",
                "elem": [{"concat": [b, "10.78.1.100"]}]}}}
        ]})
    );
    // The same rules again: nothing to do.
    let same = Known::of(&after).element_changes(&after).unwrap();
    assert!(same.is_empty());
    assert!(after.element_commands(&same).nftables.is_empty());
}

#[test]
fn a_new_vip_adds_it_and_its_carriers() {
    let p = plan();
    let b = port_of(&p, "i-b", "eth0");
    let before = ruleset(vec![carried_by(VIP, &["i-a"])]);
    let after = ruleset(vec![carried_by(VIP, &["i-a"]), carried_by(VIP2, &["i-b"])]);
    let changes = Known::of(&before)
        .element_changes(&after)
        .expect("elements only");
    assert!(changes.delete.is_empty());
    assert_eq!(
        changes.add,
        Elements {
            port_ip: [(b, VIP2)].into(),
            vips: [VIP2].into(),
            ..Elements::default()
        }
    );
    // And removing it deletes the same.
    let back = Known::of(&after).element_changes(&before).unwrap();
    assert_eq!(back.delete, changes.add);
    assert!(back.add.is_empty());
}

#[test]
fn a_port_added_removed_or_relabelled_needs_the_full_path() {
    let r = ruleset(vec![carried_by(VIP, &["i-a"])]);
    let known = Known::of(&r);
    let mut fewer = r.clone();
    fewer.ports.pop();
    assert_eq!(known.element_changes(&fewer), None);
    assert_eq!(Known::of(&fewer).element_changes(&r), None);
    let mut relabelled = r.clone();
    relabelled.ports[0].label = "someone else".into();
    assert_eq!(known.element_changes(&relabelled), None);
    let mut other_table = r.clone();
    other_table.table = "havip_other".into();
    assert_eq!(known.element_changes(&other_table), None);
    // A port's new MAC is an element change.
    let mut new_mac = r.clone();
    new_mac.ports[0].mac = "02:00:00:00:00:99".into();
    let changes = known.element_changes(&new_mac).unwrap();
    assert_eq!(changes.delete.port_mac.len(), 1);
    assert_eq!(changes.add.port_mac.len(), 1);
}

#[test]
fn rulesets_of_one_shape_have_one_structure() {
    let one = ruleset(vec![carried_by(VIP, &["i-a"])]);
    let two = ruleset(vec![carried_by(VIP, &["i-b"]), carried_by(VIP2, &[])]);
    let none = ruleset(vec![]);
    assert_eq!(one.shape(), two.shape());
    assert_eq!(one.structure(), two.structure());
    assert_eq!(one.structure(), none.structure());
}
