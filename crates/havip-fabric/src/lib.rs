//! The fabric's anti-spoofing rules: a VIP's packets may come only from the instances
//! (or ENIs) associated with its HaVip, and every port may send only its own MAC and
//! addresses (DATAPLANE.md has the facts these rules were checked against).
//!
//! - [`FabricState`] is the input: the fabric's ports (each ENI's veth end with its MAC,
//!   addresses, ENI and instance; the clients' ports) and the HaVips with their members.
//!   [`FabricState::from_lab`] builds it from a lab's plan.
//! - [`Ruleset`] is the pure output: one nftables `bridge` table named after the lab's
//!   prefix, with sets `port_mac` (`ifname . ether_addr`), `port_ip`
//!   (`ifname . ipv4_addr`: a port's own addresses plus the VIPs it may carry) and
//!   `vip_claims` (every port and VIP, each pair with its own counter), a chain on the
//!   prerouting hook that sends each frame to its ingress port's chain, and named
//!   counters per port so that every drop is observable per port, and every refused
//!   claim on a VIP per port and VIP. [`Ruleset::commands`] renders it as `nft -j`
//!   JSON ([`Batch`], typed in `schema`: the `nftables` crate cannot declare a set whose
//!   elements carry counters): one transaction that replaces the table's content (counters keep their
//!   values).
//! - [`Nft`] applies it in the lab's fabric namespace (`ip netns exec NS nft -j -f -`,
//!   from an argument vector, the JSON on standard input) and reads the counters back
//!   ([`Counters`]: per port, per reason and per VIP). [`Nft::apply`] lists the table
//!   once and compares it with the rules (`diff`: [`Structure`] and [`Elements`]): an
//!   equal table is left alone, one that differs only in set elements gets those
//!   changed, anything else is rebuilt.
//! - [`Fabric`] keeps a lab's table in place round after round: it remembers what it
//!   applied, so that [`Mode::Fast`] changes only the set elements that differ (one
//!   small transaction, no listing), and [`Mode::Verify`] takes the full path.

mod apply;
mod counters;
mod diff;
mod error;
mod fabric;
mod names;
mod render;
mod ruleset;
mod schema;
mod state;

#[cfg(test)]
mod diff_tests;
#[cfg(test)]
mod ruleset_tests;

pub use apply::{ApplyReport, Nft, Path};
pub use counters::{parse_counters, Count, Counters, PortCounters};
pub use diff::{ElementChanges, Elements, Shape, Structure};
pub use error::FabricError;
pub use fabric::{Fabric, Known, Mode};
pub use names::{port_chain, table_name, CounterKind, GUARD_CHAIN, UNKNOWN_PORT_COUNTER};
pub use ruleset::{Existing, PortRules, Ruleset, SET_VIP_CLAIMS};
pub use schema::Batch;
pub use state::{FabricState, HavipRule, Port};
