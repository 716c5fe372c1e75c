//! Names inside the fabric's nftables table: the table itself (one per lab prefix), the
//! chains (none is an nft keyword: `fwd` is one, and `nft list` of a chain named so
//! cannot be loaded again) and the named counters of each port.

use havip_lab::Prefix;

/// The base chain, on the bridge family's prerouting hook.
pub const GUARD_CHAIN: &str = "spoof_guard";

/// Counts frames from ports the fabric does not know (they are dropped).
pub const UNKNOWN_PORT_COUNTER: &str = "unknown_port";

/// The table of the lab with prefix `p`.
pub fn table_name(p: &Prefix) -> String {
    format!("havip_{p}")
}

/// The chain of the frames that enter through `port`.
pub fn port_chain(port: &str) -> String {
    format!("port_{port}")
}

/// Why a port's frame was dropped: each kind has one named counter per port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CounterKind {
    /// A claim on a VIP (ARP sender or IPv4 source) the port may not carry.
    Vip,
    /// A source MAC (Ethernet or ARP sender) that is not the port's.
    Mac,
    /// An ARP sender or IPv4 source that is neither the port's nor a VIP.
    Ip,
    /// Neither ARP nor IPv4 (IPv6, VLAN tags...): nothing vouches for it.
    Proto,
}

impl CounterKind {
    pub const ALL: [CounterKind; 4] = [
        CounterKind::Vip,
        CounterKind::Mac,
        CounterKind::Ip,
        CounterKind::Proto,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CounterKind::Vip => "vip",
            CounterKind::Mac => "mac",
            CounterKind::Ip => "ip",
            CounterKind::Proto => "proto",
        }
    }

    /// The counter of this kind for `port`.
    pub fn counter(self, port: &str) -> String {
        format!("{port}_{}", self.as_str())
    }

    /// The port and kind of a counter name made by [`CounterKind::counter`].
    pub fn parse_counter(name: &str) -> Option<(&str, CounterKind)> {
        let (port, kind) = name.rsplit_once('_')?;
        let kind = CounterKind::ALL.into_iter().find(|k| k.as_str() == kind)?;
        (!port.is_empty()).then_some((port, kind))
    }
}

/// Whether `name` can be part of a chain or counter name as it is (ports are the lab's
/// link names: letters and digits).
pub fn is_plain(name: &str) -> bool {
    !name.is_empty() && name.len() <= 15 && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_names_round_trip() {
        for k in CounterKind::ALL {
            let name = k.counter("zab12p1a2b3c4");
            assert_eq!(
                CounterKind::parse_counter(&name),
                Some(("zab12p1a2b3c4", k))
            );
        }
        assert_eq!(CounterKind::parse_counter(UNKNOWN_PORT_COUNTER), None);
        assert_eq!(CounterKind::parse_counter("_vip"), None);
    }

    #[test]
    fn the_table_carries_the_prefix() {
        let p: Prefix = "lab2".parse().unwrap();
        assert_eq!(table_name(&p), "havip_lab2");
    }
}
