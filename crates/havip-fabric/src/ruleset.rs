//! The rules, pure: a [`FabricState`] becomes the allowed MAC and addresses of each
//! port, and those become one `nft -j` transaction that replaces the fabric table.
//!
//! Each frame goes, by its ingress port, to that port's chain, which drops (through the
//! port's named counters) a source MAC or ARP sender MAC that is not the port's, an ARP
//! sender or IPv4 source that is a VIP the port may not carry, any other ARP sender or
//! IPv4 source that is not the port's, ARP that is not Ethernet/IPv4-shaped, and every
//! other protocol; ARP probes (sender 0.0.0.0) pass. Frames from ports the fabric does
//! not know are dropped. All of it is stateless (the bridge family has no `ct state`,
//! and `meta ibrname` is unsupported).
//!
//! Claims on a VIP are counted per port and VIP by the set `vip_claims`
//! (`ifname . ipv4_addr`, a counter on every element) holding every (port, VIP) pair:
//! a claim the port may not make is looked up in it (`iifname . arp saddr ip
//! @vip_claims`), and a lookup that matches counts on the element. It is a set filled
//! with every pair rather than a dynamic set filled by `update @vip_claims {...}` from
//! the dropping rule, though both count on this kernel, because nft 1.0.6 cannot load
//! a dynamic set through JSON (`"flags": ["dynamic"]` is "Invalid set flag"; it only
//! infers the flag when the set is created in the transaction of the rule that updates
//! it, and adding the set again without the flag then fails with "File exists"), and a
//! dynamic set's content changes with traffic, so a listing would no longer tell
//! whether an apply changed anything. Every pair also reads 0 before any claim. The set
//! is never flushed: pairs no longer wanted are deleted, the others added again, which
//! keeps their counts (named counters keep theirs the same way).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use serde_json::{json, Value};

use crate::error::FabricError;
use crate::names::{self, CounterKind, GUARD_CHAIN, UNKNOWN_PORT_COUNTER};
use crate::state::FabricState;

const FAMILY: &str = "bridge";
/// `priority filter` in the bridge family.
const FILTER_PRIORITY: i32 = -200;
const SET_PORT_MAC: &str = "port_mac";
const SET_PORT_IP: &str = "port_ip";
/// Every (port, VIP) pair, each element with its own counter: a VIP claim a port may
/// not make is looked up here, which counts it per port and VIP.
pub const SET_VIP_CLAIMS: &str = "vip_claims";
/// Longest counter comment kept (the kernel allows 256 bytes of user data).
const MAX_COMMENT: usize = 96;

/// The fabric table, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruleset {
    pub table: String,
    /// By port name.
    pub ports: Vec<PortRules>,
    pub vips: BTreeSet<Ipv4Addr>,
}

/// What one port may send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRules {
    pub name: String,
    /// Lower case, `aa:bb:cc:dd:ee:ff`.
    pub mac: String,
    /// The port's own addresses and the VIPs it may carry.
    pub allowed: BTreeSet<Ipv4Addr>,
    pub label: String,
}

/// What the table holds now (from `nft -j list table`): objects that are not wanted
/// any more are deleted in the same transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Existing {
    pub sets: BTreeSet<String>,
    pub chains: BTreeSet<String>,
    pub counters: BTreeSet<String>,
    /// The elements of `vip_claims` (never flushed: each holds its counts).
    pub claims: BTreeSet<(String, Ipv4Addr)>,
    /// `vip_claims` exists but not as this version makes it (type, counters): it is
    /// made anew.
    pub claims_misshapen: bool,
}

impl Existing {
    /// The objects of `table` in the output of `nft -j list table bridge TABLE`.
    pub fn from_listing(listing: &Value, table: &str) -> Existing {
        let mut out = Existing::default();
        let items = listing
            .get("nftables")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for item in items {
            for (kind, into) in [
                ("set", &mut out.sets),
                ("chain", &mut out.chains),
                ("counter", &mut out.counters),
            ] {
                let Some(obj) = item.get(kind) else { continue };
                let ours = obj.get("family").and_then(Value::as_str) == Some(FAMILY)
                    && obj.get("table").and_then(Value::as_str) == Some(table);
                if let (true, Some(name)) = (ours, obj.get("name").and_then(Value::as_str)) {
                    into.insert(name.to_string());
                }
            }
            let claims = item.get("set").filter(|s| {
                s.get("family").and_then(Value::as_str) == Some(FAMILY)
                    && s.get("table").and_then(Value::as_str) == Some(table)
                    && s.get("name").and_then(Value::as_str) == Some(SET_VIP_CLAIMS)
            });
            if let Some(set) = claims {
                out.claims_misshapen = set.get("type") != Some(&claims_type())
                    || set.get("stmt") != Some(&json!([{"counter": null}]));
                out.claims = claim_elements(set).into_iter().map(|(k, _)| k).collect();
            }
        }
        out
    }
}

/// The type of `vip_claims`.
fn claims_type() -> Value {
    json!(["ifname", "ipv4_addr"])
}

/// The elements of a listed `vip_claims` set with their counts (packets, bytes).
pub(crate) fn claim_elements(set: &Value) -> Vec<((String, Ipv4Addr), (u64, u64))> {
    let elems = set
        .get("elem")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    elems
        .iter()
        .filter_map(|e| {
            // `{"elem": {"val": {"concat": [PORT, VIP]}, "counter": {...}}}`, or the bare
            // value when the set has no counters.
            let (val, counter) = match e.get("elem") {
                Some(inner) => (inner.get("val")?, inner.get("counter")),
                None => (e, None),
            };
            let parts = val.get("concat")?.as_array()?;
            let port = parts.first()?.as_str()?.to_string();
            let vip = parts.get(1)?.as_str()?.parse().ok()?;
            let count = |k: &str| counter.and_then(|c| c.get(k)).and_then(Value::as_u64);
            Some((
                (port, vip),
                (count("packets").unwrap_or(0), count("bytes").unwrap_or(0)),
            ))
        })
        .collect()
}

impl Ruleset {
    /// The rules of `state`, or why they cannot be made.
    pub fn from_state(state: &FabricState) -> Result<Ruleset, FabricError> {
        let mut ports: BTreeMap<String, PortRules> = BTreeMap::new();
        for p in &state.ports {
            if !names::is_plain(&p.name) {
                return Err(FabricError::BadPortName(p.name.clone()));
            }
            let mac = normalize_mac(&p.mac).ok_or_else(|| FabricError::BadMac(p.mac.clone()))?;
            let rules = PortRules {
                name: p.name.clone(),
                mac,
                allowed: p.ips.iter().copied().collect(),
                label: p.label.clone(),
            };
            if ports.insert(p.name.clone(), rules).is_some() {
                return Err(FabricError::DuplicatePort(p.name.clone()));
            }
        }
        let mut vips = BTreeSet::new();
        for h in &state.havips {
            if let Some(p) = state.ports.iter().find(|p| p.ips.contains(&h.vip)) {
                return Err(FabricError::VipIsPortAddress {
                    vip: h.vip,
                    port: p.name.clone(),
                });
            }
            vips.insert(h.vip);
            for m in &h.members {
                let port = state.port_of(h.vip, m)?;
                if let Some(rules) = ports.get_mut(&port.name) {
                    rules.allowed.insert(h.vip);
                }
            }
        }
        Ok(Ruleset {
            table: names::table_name(&state.prefix),
            ports: ports.into_values().collect(),
            vips,
        })
    }

    /// The ports allowed to carry `vip`.
    pub fn carriers(&self, vip: Ipv4Addr) -> Vec<&str> {
        self.ports
            .iter()
            .filter(|p| p.allowed.contains(&vip))
            .map(|p| p.name.as_str())
            .collect()
    }

    /// Every counter of the table.
    fn counters(&self) -> Vec<(String, String)> {
        let mut out = vec![(
            UNKNOWN_PORT_COUNTER.to_string(),
            "frames from ports the fabric does not know".to_string(),
        )];
        for p in &self.ports {
            for k in CounterKind::ALL {
                out.push((k.counter(&p.name), comment(&p.label)));
            }
        }
        out
    }

    /// Every (port, VIP) pair: the elements of `vip_claims`.
    pub fn claims(&self) -> BTreeSet<(String, Ipv4Addr)> {
        self.ports
            .iter()
            .flat_map(|p| self.vips.iter().map(|v| (p.name.clone(), *v)))
            .collect()
    }

    fn chains(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .ports
            .iter()
            .map(|p| names::port_chain(&p.name))
            .collect();
        out.push(GUARD_CHAIN.to_string());
        out
    }

    /// One `nft -j` transaction that makes the table hold exactly these rules, whatever
    /// it held before (`existing`): the table is created if missing, its chains and sets
    /// emptied, objects no longer wanted deleted, and everything added again. Named
    /// counters that stay keep their values.
    pub fn commands(&self, existing: &Existing) -> Value {
        let t = self.table.as_str();
        let mut cmds = vec![
            json!({"add": {"table": {"family": FAMILY, "name": t}}}),
            json!({"flush": {"table": {"family": FAMILY, "name": t}}}),
        ];
        let sets: [(&str, Value); 2] = [
            (SET_PORT_MAC, json!(["ifname", "ether_addr"])),
            (SET_PORT_IP, json!(["ifname", "ipv4_addr"])),
        ];
        for (name, ty) in &sets {
            cmds.push(
                json!({"add": {"set": {"family": FAMILY, "table": t, "name": name, "type": ty}}}),
            );
            cmds.push(json!({"flush": {"set": {"family": FAMILY, "table": t, "name": name}}}));
        }
        let counters = self.counters();
        let chains = self.chains();
        // Rules are gone after the flush, so nothing refers to stale objects any more.
        for c in existing.chains.iter().filter(|c| !chains.contains(c)) {
            cmds.push(json!({"delete": {"chain": {"family": FAMILY, "table": t, "name": c}}}));
        }
        let kept = |s: &str| {
            sets.iter().any(|(n, _)| *n == s) || (s == SET_VIP_CLAIMS && !existing.claims_misshapen)
        };
        for s in existing.sets.iter().filter(|s| !kept(s)) {
            cmds.push(json!({"delete": {"set": {"family": FAMILY, "table": t, "name": s}}}));
        }
        // vip_claims is not flushed: its elements keep their counts. Pairs no longer
        // wanted are deleted, the others added (adding one that exists keeps its count).
        cmds.push(json!({"add": {"set": {
            "family": FAMILY, "table": t, "name": SET_VIP_CLAIMS, "type": claims_type(),
            "stmt": [{"counter": null}]
        }}}));
        let claims = self.claims();
        let stale: Vec<Value> = if existing.claims_misshapen {
            Vec::new()
        } else {
            existing
                .claims
                .iter()
                .filter(|c| !claims.contains(c))
                .map(|(port, vip)| json!({"concat": [port, vip.to_string()]}))
                .collect()
        };
        if !stale.is_empty() {
            cmds.push(json!({"delete": {"element": {
                "family": FAMILY, "table": t, "name": SET_VIP_CLAIMS, "elem": stale
            }}}));
        }
        for c in existing
            .counters
            .iter()
            .filter(|c| !counters.iter().any(|(n, _)| n == *c))
        {
            cmds.push(json!({"delete": {"counter": {"family": FAMILY, "table": t, "name": c}}}));
        }
        for (name, comment) in &counters {
            cmds.push(json!({"add": {"counter": {
                "family": FAMILY, "table": t, "name": name, "comment": comment
            }}}));
        }
        for p in &self.ports {
            let chain = names::port_chain(&p.name);
            cmds.push(json!({"add": {"chain": {"family": FAMILY, "table": t, "name": chain}}}));
        }
        cmds.push(json!({"add": {"chain": {
            "family": FAMILY, "table": t, "name": GUARD_CHAIN,
            "type": "filter", "hook": "prerouting", "prio": FILTER_PRIORITY, "policy": "accept"
        }}}));
        self.elements(&mut cmds);
        for p in &self.ports {
            let chain = names::port_chain(&p.name);
            for expr in port_rules(&p.name) {
                cmds.push(rule(t, &chain, expr));
            }
        }
        if !self.ports.is_empty() {
            let map: Vec<Value> = self
                .ports
                .iter()
                .map(|p| json!([p.name, {"jump": {"target": names::port_chain(&p.name)}}]))
                .collect();
            cmds.push(rule(
                t,
                GUARD_CHAIN,
                vec![json!({"vmap": {"key": iifname(), "data": {"set": map}}})],
            ));
        }
        cmds.push(rule(
            t,
            GUARD_CHAIN,
            vec![counter(UNKNOWN_PORT_COUNTER), verdict("drop")],
        ));
        json!({ "nftables": cmds })
    }

    fn elements(&self, cmds: &mut Vec<Value>) {
        let t = self.table.as_str();
        let mut add = |set: &str, elem: Vec<Value>| {
            if !elem.is_empty() {
                cmds.push(json!({"add": {"element": {
                    "family": FAMILY, "table": t, "name": set, "elem": elem
                }}}));
            }
        };
        add(
            SET_PORT_MAC,
            self.ports
                .iter()
                .map(|p| json!({"concat": [p.name, p.mac]}))
                .collect(),
        );
        add(
            SET_PORT_IP,
            self.ports
                .iter()
                .flat_map(|p| {
                    p.allowed
                        .iter()
                        .map(|a| json!({"concat": [p.name, a.to_string()]}))
                })
                .collect(),
        );
        add(
            SET_VIP_CLAIMS,
            self.claims()
                .iter()
                .map(|(port, vip)| json!({"concat": [port, vip.to_string()]}))
                .collect(),
        );
    }
}

/// The rules of one port's chain, in order; every path ends in a verdict.
fn port_rules(port: &str) -> Vec<Vec<Value>> {
    let c = |k: CounterKind| counter(&k.counter(port));
    let arp_sip = payload("arp", "saddr ip");
    let ip_saddr = payload("ip", "saddr");
    vec![
        // Not the port's MAC in the Ethernet header.
        vec![
            is(
                "!=",
                concat(iifname(), payload("ether", "saddr")),
                set(SET_PORT_MAC),
            ),
            c(CounterKind::Mac),
            verdict("drop"),
        ],
        // ARP of another shape than Ethernet/IPv4 (where `arp saddr ip` would read
        // something else) is not vouched for.
        vec![
            is("!=", payload("arp", "hlen"), json!(6)),
            c(CounterKind::Proto),
            verdict("drop"),
        ],
        vec![
            is("!=", payload("arp", "plen"), json!(4)),
            c(CounterKind::Proto),
            verdict("drop"),
        ],
        vec![
            is("!=", payload("arp", "ptype"), json!("ip")),
            c(CounterKind::Proto),
            verdict("drop"),
        ],
        // Not the port's MAC as the ARP sender.
        vec![
            is(
                "!=",
                concat(iifname(), payload("arp", "saddr ether")),
                set(SET_PORT_MAC),
            ),
            c(CounterKind::Mac),
            verdict("drop"),
        ],
        // ARP: the port's own addresses and its VIPs; probes; nothing else.
        vec![
            is("==", concat(iifname(), arp_sip.clone()), set(SET_PORT_IP)),
            verdict("accept"),
        ],
        vec![
            is(
                "==",
                concat(iifname(), arp_sip.clone()),
                set(SET_VIP_CLAIMS),
            ),
            c(CounterKind::Vip),
            verdict("drop"),
        ],
        vec![is("==", arp_sip, json!("0.0.0.0")), verdict("accept")],
        vec![
            is("==", payload("ether", "type"), json!("arp")),
            c(CounterKind::Ip),
            verdict("drop"),
        ],
        // IPv4: the same.
        vec![
            is("==", concat(iifname(), ip_saddr.clone()), set(SET_PORT_IP)),
            verdict("accept"),
        ],
        vec![
            is("==", concat(iifname(), ip_saddr), set(SET_VIP_CLAIMS)),
            c(CounterKind::Vip),
            verdict("drop"),
        ],
        vec![
            is("==", payload("ether", "type"), json!("ip")),
            c(CounterKind::Ip),
            verdict("drop"),
        ],
        // Anything else (IPv6, VLAN-tagged frames...).
        vec![c(CounterKind::Proto), verdict("drop")],
    ]
}

fn rule(table: &str, chain: &str, expr: Vec<Value>) -> Value {
    json!({"add": {"rule": {"family": FAMILY, "table": table, "chain": chain, "expr": expr}}})
}

fn is(op: &str, left: Value, right: Value) -> Value {
    json!({"match": {"op": op, "left": left, "right": right}})
}

fn iifname() -> Value {
    json!({"meta": {"key": "iifname"}})
}

fn payload(protocol: &str, field: &str) -> Value {
    json!({"payload": {"protocol": protocol, "field": field}})
}

fn concat(a: Value, b: Value) -> Value {
    json!({ "concat": [a, b] })
}

fn set(name: &str) -> Value {
    json!(format!("@{name}"))
}

fn counter(name: &str) -> Value {
    json!({ "counter": name })
}

fn verdict(v: &str) -> Value {
    json!({ v: null })
}

/// `aa:bb:cc:dd:ee:ff` in lower case, or `None` if `mac` is not six hex octets.
fn normalize_mac(mac: &str) -> Option<String> {
    let octets: Vec<&str> = mac.split(':').collect();
    let ok = octets.len() == 6
        && octets
            .iter()
            .all(|o| o.len() == 2 && o.chars().all(|c| c.is_ascii_hexdigit()));
    ok.then(|| mac.to_ascii_lowercase())
}

/// A counter comment nft prints and reads back as it is: no quotes or control
/// characters, and not too long.
fn comment(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " :._-#/".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(MAX_COMMENT)
        .collect()
}
