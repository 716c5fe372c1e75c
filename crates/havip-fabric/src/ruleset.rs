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
//! Claims on a VIP are counted per port and VIP in the set `vip_claims`
//! (`ifname . ipv4_addr`, a counter on every element), which the rules fill: a claim
//! the port may not make adds its (port, VIP) pair, or counts on it
//! (`update @vip_claims { iifname . arp saddr ip }`), before the drop. It holds only the
//! pairs that were refused, so its size follows the offenders, not ports × VIPs (a set
//! of every pair made a fabric of 1,000 ports and 500 VIPs take seconds to list). nft
//! gives it the `dynamic` flag itself (JSON cannot state it), so it is created once and
//! never added again or flushed; a listing leaves its elements out of the comparison
//! that tells whether an apply changed anything (they change with traffic).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use serde_json::{json, Value};

use crate::error::FabricError;
use crate::names::{self, CounterKind, GUARD_CHAIN, UNKNOWN_PORT_COUNTER};
use crate::render::CLAIMS_TYPE;
use crate::schema::FAMILY;
use crate::state::FabricState;

/// `priority filter` in the bridge family.
pub(crate) const FILTER_PRIORITY: i32 = -200;
pub(crate) const SET_PORT_MAC: &str = "port_mac";
pub(crate) const SET_PORT_IP: &str = "port_ip";
/// Every (port, VIP) pair, each element with its own counter: a VIP claim a port may
/// not make is looked up here, which counts it per port and VIP.
pub const SET_VIP_CLAIMS: &str = "vip_claims";
/// Every VIP of the fabric.
pub(crate) const SET_VIPS: &str = "vips";
/// The most refused (port, VIP) pairs counted; past it, claims are still dropped and
/// counted per port.
pub(crate) const CLAIMS_SIZE: u32 = 65_536;
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
    /// `vip_claims` exists but not as this version makes it (type, counters, size): it
    /// is made anew.
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
                    || set.get("stmt") != Some(&json!([{"counter": null}]))
                    || set.get("size") != Some(&json!(CLAIMS_SIZE));
                out.claims = claim_elements(set).into_iter().map(|(k, _)| k).collect();
            }
        }
        out
    }
}

/// The type of `vip_claims` as nft lists it.
fn claims_type() -> Value {
    json!(CLAIMS_TYPE)
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
    pub(crate) fn counters(&self) -> Vec<(String, String)> {
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

    pub(crate) fn chains(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .ports
            .iter()
            .map(|p| names::port_chain(&p.name))
            .collect();
        out.push(GUARD_CHAIN.to_string());
        out
    }
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
