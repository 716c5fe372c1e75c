//! What the fabric table holds compared with what the rules want, without root.
//!
//! A listing (`nft -j list ruleset bridge`) and the rules' own rendering both become a
//! [`Structure`] (the table, its sets, named counters and chains, and each chain's
//! rules in order, without handles, counts or set elements) and the [`Elements`] of
//! the sets the rules look up (`port_mac`, `port_ip`, `vips`). When the structures are
//! equal only elements can differ, and [`ElementChanges`] (element deletes and adds,
//! one small transaction) bring the table to the rules; anything else is a rebuild.
//! The elements of `vip_claims` are counts the rules fill, not rules: they are left
//! out of both.
//!
//! The structure of a [`Ruleset`] depends only on its [`Shape`] (the table and its
//! ports' names and labels): two rulesets of the same shape differ only in elements,
//! which is what lets the agent change an association without listing the table.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use serde_json::Value;

use crate::ruleset::{Existing, Ruleset, SET_PORT_IP, SET_PORT_MAC, SET_VIPS};
use crate::schema::{Batch, Command, Expr, FAMILY};

/// The table's objects and rules as nft lists them, without what changes by itself
/// (handles, counter values) and without set elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Structure {
    /// The table, its sets, named counters and chains, by kind and name.
    objects: BTreeMap<(String, String), Value>,
    /// Each chain's rules, in order.
    rules: BTreeMap<String, Vec<Value>>,
}

impl Structure {
    /// Adds one listed (or rendered) object of `table`; objects of other tables and
    /// families, and kinds the rules never make (their rules are compared), are left out.
    fn add(&mut self, kind: &str, obj: Value, table: &str) {
        let Value::Object(mut fields) = obj else {
            return;
        };
        let field = |k: &str| fields.get(k).and_then(Value::as_str);
        let in_table = match kind {
            "table" => field("name") == Some(table),
            _ => field("table") == Some(table),
        };
        if field("family") != Some(FAMILY) || !in_table {
            return;
        }
        let key = match kind {
            "rule" => field("chain"),
            _ => field("name"),
        }
        .unwrap_or_default()
        .to_string();
        for k in ["handle", "packets", "bytes", "elem"] {
            fields.remove(k);
        }
        // nft marks a set that rules update as dynamic itself; whether a version lists
        // it says nothing about the rules.
        if fields.get("flags") == Some(&serde_json::json!(["dynamic"])) {
            fields.remove("flags");
        }
        match kind {
            "table" | "set" | "counter" | "chain" => {
                self.objects
                    .insert((kind.to_string(), key), Value::Object(fields));
            }
            "rule" => {
                let mut rule = Value::Object(fields);
                sort_vmaps(&mut rule);
                self.rules.entry(key).or_default().push(rule);
            }
            _ => {}
        }
    }
}

/// The entries of an anonymous verdict map in one order (nft lists them in its own).
fn sort_vmaps(rule: &mut Value) {
    let Some(stmts) = rule.get_mut("expr").and_then(Value::as_array_mut) else {
        return;
    };
    for stmt in stmts {
        if let Some(Value::Array(entries)) = stmt.pointer_mut("/vmap/data/set") {
            entries.sort_by_cached_key(Value::to_string);
        }
    }
}

/// The elements of the sets the rules look up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Elements {
    /// Port and MAC (lower case).
    pub port_mac: BTreeSet<(String, String)>,
    /// Port and an address it may send from (its own, or a VIP it carries).
    pub port_ip: BTreeSet<(String, Ipv4Addr)>,
    pub vips: BTreeSet<Ipv4Addr>,
}

impl Elements {
    pub fn is_empty(&self) -> bool {
        self.port_mac.is_empty() && self.port_ip.is_empty() && self.vips.is_empty()
    }

    pub fn len(&self) -> usize {
        self.port_mac.len() + self.port_ip.len() + self.vips.len()
    }

    /// What turns `self` into `want`: the elements to delete and those to add.
    pub fn changes_to(&self, want: &Elements) -> ElementChanges {
        ElementChanges {
            delete: Elements {
                port_mac: self.port_mac.difference(&want.port_mac).cloned().collect(),
                port_ip: self.port_ip.difference(&want.port_ip).cloned().collect(),
                vips: self.vips.difference(&want.vips).copied().collect(),
            },
            add: Elements {
                port_mac: want.port_mac.difference(&self.port_mac).cloned().collect(),
                port_ip: want.port_ip.difference(&self.port_ip).cloned().collect(),
                vips: want.vips.difference(&self.vips).copied().collect(),
            },
        }
    }

    /// The elements of one listed set, or `None` if one is not of the shape the rules
    /// add (a range, a prefix, one with a comment or a timeout).
    fn add_listed(&mut self, set: &str, elems: &[Value]) -> Option<()> {
        for e in elems {
            let pair = || -> Option<(String, &str)> {
                let parts = e.get("concat")?.as_array()?;
                match parts.as_slice() {
                    [port, value] => Some((port.as_str()?.to_string(), value.as_str()?)),
                    _ => None,
                }
            };
            match set {
                SET_PORT_MAC => {
                    let (port, mac) = pair()?;
                    self.port_mac.insert((port, mac.to_ascii_lowercase()));
                }
                SET_PORT_IP => {
                    let (port, ip) = pair()?;
                    self.port_ip.insert((port, ip.parse().ok()?));
                }
                SET_VIPS => {
                    self.vips.insert(e.as_str()?.parse().ok()?);
                }
                _ => {}
            }
        }
        Some(())
    }
}

/// Element deletes and adds that bring the sets from one [`Elements`] to another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElementChanges {
    pub delete: Elements,
    pub add: Elements,
}

impl ElementChanges {
    pub fn is_empty(&self) -> bool {
        self.delete.is_empty() && self.add.is_empty()
    }

    /// How many elements are deleted or added.
    pub fn len(&self) -> usize {
        self.delete.len() + self.add.len()
    }
}

/// What defines a ruleset's [`Structure`]: the table and its ports with their labels
/// (each port has its chain, rules, counters and a jump; everything else is elements).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    table: String,
    ports: Vec<(String, String)>,
}

/// The table as listed: its structure and elements, and what the rebuild must delete.
#[derive(Debug, Clone, Default)]
pub(crate) struct Observed {
    pub structure: Structure,
    /// `None` if an element is not of the shape the rules add (then the sets are
    /// rebuilt).
    pub elements: Option<Elements>,
    pub existing: Existing,
}

impl Observed {
    /// The table `table` in the output of `nft -j list ruleset bridge` (or `list
    /// table`); an empty structure if it is not there.
    pub fn from_listing(listing: Value, table: &str) -> Observed {
        let existing = Existing::from_listing(&listing, table);
        let mut structure = Structure::default();
        let mut elements = Some(Elements::default());
        let items = match listing {
            Value::Object(mut m) => m.remove("nftables"),
            _ => None,
        };
        let Some(Value::Array(items)) = items else {
            return Observed {
                structure,
                elements,
                existing,
            };
        };
        for item in items {
            let Value::Object(item) = item else { continue };
            let Some((kind, obj)) = item.into_iter().next() else {
                continue;
            };
            let ours = obj.get("family").and_then(Value::as_str) == Some(FAMILY)
                && obj.get("table").and_then(Value::as_str) == Some(table);
            if let (true, "set", Some(all)) = (ours, kind.as_str(), &mut elements) {
                let name = obj.get("name").and_then(Value::as_str).unwrap_or_default();
                let elems = obj
                    .get("elem")
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                if all.add_listed(name, elems).is_none() {
                    elements = None;
                }
            }
            structure.add(&kind, obj, table);
        }
        Observed {
            structure,
            elements,
            existing,
        }
    }
}

impl Ruleset {
    /// The table these rules make, as nft lists it (without elements).
    pub fn structure(&self) -> Structure {
        let mut out = Structure::default();
        for cmd in self.commands(&Existing::default()).nftables {
            let Command::Add(obj) = cmd else { continue };
            let Ok(Value::Object(m)) = serde_json::to_value(&obj) else {
                continue;
            };
            for (kind, v) in m {
                out.add(&kind, v, &self.table);
            }
        }
        out
    }

    /// The elements of the sets these rules look up.
    pub fn elements(&self) -> Elements {
        Elements {
            port_mac: self
                .ports
                .iter()
                .map(|p| (p.name.clone(), p.mac.clone()))
                .collect(),
            port_ip: self
                .ports
                .iter()
                .flat_map(|p| p.allowed.iter().map(|a| (p.name.clone(), *a)))
                .collect(),
            vips: self.vips.clone(),
        }
    }

    /// What this ruleset's structure depends on.
    pub fn shape(&self) -> Shape {
        Shape {
            table: self.table.clone(),
            ports: self
                .ports
                .iter()
                .map(|p| (p.name.clone(), p.label.clone()))
                .collect(),
        }
    }

    /// One transaction of `changes`: deletes, then adds (empty if there are none).
    pub fn element_commands(&self, changes: &ElementChanges) -> Batch {
        let mut cmds = Vec::new();
        for (elements, command) in [
            (&changes.delete, Command::Delete as fn(_) -> _),
            (&changes.add, Command::Add as fn(_) -> _),
        ] {
            let sets: [(&str, Vec<Expr>); 3] = [
                (
                    SET_PORT_MAC,
                    elements
                        .port_mac
                        .iter()
                        .map(|(port, mac)| crate::render::pair(port, mac.clone()))
                        .collect(),
                ),
                (
                    SET_PORT_IP,
                    elements
                        .port_ip
                        .iter()
                        .map(|(port, ip)| crate::render::pair(port, ip.to_string()))
                        .collect(),
                ),
                (
                    SET_VIPS,
                    elements
                        .vips
                        .iter()
                        .map(|v| Expr::String(v.to_string()))
                        .collect(),
                ),
            ];
            for (set, elem) in sets {
                if !elem.is_empty() {
                    cmds.push(command(self.element(set, elem)));
                }
            }
        }
        Batch { nftables: cmds }
    }
}
