//! The drop counters read back: `nft -j list table bridge TABLE` parsed into drops per
//! port and kind (packets and bytes; the port's label from the counter's comment) and
//! the refused claims per port and VIP (the elements of `vip_claims`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde_json::Value;

use crate::names::{CounterKind, UNKNOWN_PORT_COUNTER};
use crate::ruleset::{claim_elements, SET_VIP_CLAIMS};

/// Packets and bytes of one counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub packets: u64,
    pub bytes: u64,
}

/// The drops of one port.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortCounters {
    pub port: String,
    pub label: String,
    pub by_kind: BTreeMap<CounterKind, Count>,
    /// Refused claims on each VIP (ARP senders and IPv4 sources).
    pub by_vip: BTreeMap<Ipv4Addr, Count>,
}

impl PortCounters {
    /// The packets dropped for reason `kind` (0 if the counter is missing).
    pub fn packets(&self, kind: CounterKind) -> u64 {
        self.by_kind.get(&kind).map_or(0, |c| c.packets)
    }

    /// The packets claiming `vip` dropped (0 if not counted).
    pub fn vip_packets(&self, vip: Ipv4Addr) -> u64 {
        self.by_vip.get(&vip).map_or(0, |c| c.packets)
    }
}

/// Every counter of the fabric table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// By port name.
    pub ports: Vec<PortCounters>,
    /// Frames from ports the fabric does not know.
    pub unknown_port: Count,
}

impl Counters {
    pub fn port(&self, name: &str) -> Option<&PortCounters> {
        self.ports.iter().find(|p| p.port == name)
    }
}

/// The counters of `table` in a `nft -j list table` (or `list counters`) output:
/// named counters and the elements of `vip_claims`; other tables' objects and names of
/// other shapes are ignored.
pub fn parse_counters(listing: &Value, table: &str) -> Counters {
    let mut ports: BTreeMap<String, PortCounters> = BTreeMap::new();
    let mut out = Counters::default();
    let items = listing
        .get("nftables")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for c in items.iter().filter_map(|i| i.get("counter")) {
        if c.get("table").and_then(Value::as_str) != Some(table) {
            continue;
        }
        let Some(name) = c.get("name").and_then(Value::as_str) else {
            continue;
        };
        let count = Count {
            packets: c.get("packets").and_then(Value::as_u64).unwrap_or(0),
            bytes: c.get("bytes").and_then(Value::as_u64).unwrap_or(0),
        };
        if name == UNKNOWN_PORT_COUNTER {
            out.unknown_port = count;
            continue;
        }
        let Some((port, kind)) = CounterKind::parse_counter(name) else {
            continue;
        };
        let entry = ports
            .entry(port.to_string())
            .or_insert_with(|| PortCounters {
                port: port.to_string(),
                ..PortCounters::default()
            });
        if let Some(label) = c.get("comment").and_then(Value::as_str) {
            entry.label = label.to_string();
        }
        entry.by_kind.insert(kind, count);
    }
    let claims = items.iter().filter_map(|i| i.get("set")).filter(|s| {
        s.get("table").and_then(Value::as_str) == Some(table)
            && s.get("name").and_then(Value::as_str) == Some(SET_VIP_CLAIMS)
    });
    for set in claims {
        for ((port, vip), (packets, bytes)) in claim_elements(set) {
            let entry = ports.entry(port.clone()).or_insert_with(|| PortCounters {
                port,
                ..PortCounters::default()
            });
            entry.by_vip.insert(vip, Count { packets, bytes });
        }
    }
    out.ports = ports.into_values().collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counters_are_grouped_by_port() {
        let listing = json!({"nftables": [
            {"metainfo": {"version": "1.0.6"}},
            {"counter": {"family": "bridge", "table": "havip_lab", "name": "labp1_vip",
                "comment": "i-a eth0 eni-a1", "handle": 3, "packets": 2, "bytes": 84}},
            {"counter": {"family": "bridge", "table": "havip_lab", "name": "labp1_mac",
                "comment": "i-a eth0 eni-a1", "packets": 0, "bytes": 0}},
            {"counter": {"family": "bridge", "table": "havip_lab", "name": "unknown_port",
                "packets": 1, "bytes": 60}},
            {"counter": {"family": "bridge", "table": "other", "name": "labp9_vip",
                "packets": 5, "bytes": 5}},
            {"counter": {"family": "bridge", "table": "havip_lab", "name": "odd",
                "packets": 5, "bytes": 5}}
        ]});
        let c = parse_counters(&listing, "havip_lab");
        assert_eq!(c.ports.len(), 1);
        let p = c.port("labp1").unwrap();
        assert_eq!(p.label, "i-a eth0 eni-a1");
        assert_eq!(p.packets(CounterKind::Vip), 2);
        assert_eq!(p.packets(CounterKind::Mac), 0);
        assert_eq!(p.packets(CounterKind::Proto), 0);
        assert_eq!(
            c.unknown_port,
            Count {
                packets: 1,
                bytes: 60
            }
        );
        assert!(c.port("labp9").is_none());
    }

    #[test]
    fn claims_are_counted_per_port_and_vip() {
        let listing = json!({"nftables": [
            {"counter": {"family": "bridge", "table": "havip_lab", "name": "labp1_vip",
                "comment": "i-a eth0 eni-a1", "packets": 3, "bytes": 84}},
            {"set": {"family": "bridge", "table": "havip_lab", "name": "vip_claims",
                "type": ["ifname", "ipv4_addr"], "stmt": [{"counter": null}], "elem": [
                {"elem": {"val": {"concat": ["labp1", "10.0.0.100"]},
                    "counter": {"packets": 2, "bytes": 56}}},
                {"elem": {"val": {"concat": ["labp1", "10.0.0.101"]},
                    "counter": {"packets": 1, "bytes": 28}}},
                {"elem": {"val": {"concat": ["labp2", "10.0.0.100"]},
                    "counter": {"packets": 0, "bytes": 0}}}]}},
            {"set": {"family": "bridge", "table": "other", "name": "vip_claims",
                "elem": [{"elem": {"val": {"concat": ["labp9", "10.0.0.100"]},
                    "counter": {"packets": 7, "bytes": 7}}}]}}
        ]});
        let c = parse_counters(&listing, "havip_lab");
        let p1 = c.port("labp1").unwrap();
        assert_eq!(p1.label, "i-a eth0 eni-a1");
        assert_eq!(p1.packets(CounterKind::Vip), 3);
        assert_eq!(p1.vip_packets("10.0.0.100".parse().unwrap()), 2);
        assert_eq!(p1.vip_packets("10.0.0.101".parse().unwrap()), 1);
        assert_eq!(
            p1.by_vip[&"10.0.0.101".parse().unwrap()],
            Count {
                packets: 1,
                bytes: 28
            }
        );
        assert_eq!(c.port("labp2").unwrap().by_vip.len(), 1);
        assert!(c.port("labp9").is_none());
    }
}
