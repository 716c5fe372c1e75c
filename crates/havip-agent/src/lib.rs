//! The fabric agent: it follows the control plane's change feed (`/v1/dataplane/desired`,
//! a long poll from the last revision it enforced), makes the host match each desired
//! state, and acknowledges the revision with the fabric's view per port
//! (`/v1/dataplane/ack`), which completes the changes in flight that revision holds.
//!
//! Reconciliation is level-based: every desired state is enforced whole (the lab's
//! namespaces and links, the nftables table as one transaction), also when the revision
//! did not change (every `resync`), so a restarted agent, a deleted namespace or a
//! hand-edited ruleset converges back. The agent keeps no state of its own: killed at any
//! point, it starts again from the feed.
//!
//! - [`client`]: the feed over HTTP with the admin token.
//! - [`Enforce`]: what makes the host match a desired state; [`LabFabric`] is the real
//!   one (a lab in network namespaces and its nftables fabric).
//! - [`run`]: the loop.

pub mod arp;
pub mod claims;
pub mod client;
mod enforce;
mod error;
mod lab_fabric;
mod run;
mod translate;
pub mod vrrp;

pub use client::FeedClient;
pub use enforce::Enforce;
pub use error::AgentError;
pub use lab_fabric::{LabFabric, LabOptions};
pub use run::{run, AgentConfig, Progress};
pub use translate::{fabric_havips, topology};
