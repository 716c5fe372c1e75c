//! `havip lab`: a topology built on one host in network namespaces, so that the data
//! plane (and a user's keepalived) runs on a laptop or in CI.
//!
//! - a fabric namespace `PREFIX-fabric` holds one Linux bridge per subnet;
//! - each instance has a namespace `PREFIX-i<hash>` with one interface per attached ENI
//!   (`eth0` is the primary one, then `eth1`...), the instance end of a veth pair whose
//!   other end is enslaved to the subnet's bridge; it has the ENI's MAC and address, and
//!   an instance with several ENIs answers each address only on the interface holding
//!   it (`arp_ignore=1`, `arp_announce=2`, a source route per ENI);
//! - each subnet has a client namespace `PREFIX-c<hash>` ("a user on the network") with
//!   `eth0` on the bridge and the highest address of the subnet nothing else takes.
//!
//! [`Topology`] is the input: subnets, and instances with their ENIs (id, the key names
//! and derived MACs come from, subnet, address, MAC if known), and the addresses in use
//! per subnet. [`Topology::from_seed`] gives a seed's: the addresses the control plane
//! gives when it loads the seed into an empty store with `--id-seed` (lowest free
//! address; [`havip_seed::Seed::initial_addresses`] is the one computation both use),
//! the seed's MACs or ones derived from the ENI id as the control plane derives them.
//! The control plane's inventory gives another. Free ENIs (attached to no instance) are
//! not built.
//!
//! [`LabPlan`] is pure: topology in, names and addresses out, every refusal found before
//! anything is created. [`up`], [`down`] and [`exec`] apply it by running iproute2's
//! `ip` (and `sysctl` inside namespaces) with argument vectors, never a shell string.
//! `ip` was chosen over the `rtnetlink` crate for this first step: every operation is
//! one short, well-known command, the lab needs no long-running process, and creating
//! namespaces from a forking netlink call inside the async CLI brings threading
//! constraints that a child process does not. Names are derived from the prefix and a
//! hash of the ids, so `down` and `exec` need no topology and no state file: `down`
//! removes every namespace whose name has the prefix's shape, also after a crash, and
//! every link of the lab lives inside those namespaces (none in the host's own).
//!
//! [`keepalived`] runs VRRP for HaVip groups in the instance namespaces (one keepalived
//! per instance, files under `/run/havip-lab/PREFIX/`), converged like the rest.

mod check;
mod converge;
mod down;
mod error;
mod exec;
mod host;
pub mod keepalived;
mod lock;
mod mac;
mod names;
mod plan;
mod state;
mod sysctl;
mod topology;
mod up;

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod topology_tests;

pub use down::{down, DownReport};
pub use error::{LabError, PlanError};
pub use exec::{command as exec, Target};
pub use host::{find, is_root, Host};
pub use lock::{LabLock, LOCK_DIR};
pub use mac::derived_mac;
pub use names::{
    bridge, client_ns, client_port, eni_port, fabric_ns, instance_ns, is_lab_namespace, Prefix,
    DEFAULT_PREFIX, MAX_PREFIX,
};
pub use plan::{BridgePlan, ClientPlan, InstancePlan, InterfacePlan, LabPlan, CLIENT_IFNAME};
pub use state::namespaces;
pub use topology::{EniSpec, InstanceSpec, SubnetSpec, Topology};
pub use up::{up, UpReport};
