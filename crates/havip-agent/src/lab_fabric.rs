//! The real enforcer: the desired state's lab in network namespaces on this host
//! (`havip_lab::up`, which converges namespaces and links to the plan) and its fabric
//! table (`havip_fabric::Fabric`), then the counters as the fabric's view per port.
//!
//! A round that follows a change applies only the set elements that differ from the
//! last round (`Mode::Fast`); a resync round (the revision did not change) and a round
//! that converged the lab verify the whole table (`Mode::Verify`: one listing, repairs
//! any hand edit). Counters come from that listing, so a fast round reports those of
//! the last verify (at most one resync interval old).

use std::time::{Duration, Instant};

use havip_fabric::{CounterKind, Counters, Fabric, FabricState, Mode, Nft, Ruleset};
use havip_lab::{Host, LabPlan, Prefix, Topology};
use havip_native::feed::{DesiredState, PortView};

use crate::enforce::Enforce;
use crate::error::AgentError;
use crate::translate::{fabric_havips, topology};

pub struct LabFabric {
    host: Host,
    fabric: Fabric,
    /// The counters of the last verify round.
    counters: Counters,
    prefix: Prefix,
    /// The topology the lab was last brought to, and when.
    built: Option<(Topology, Instant)>,
    /// The longest the lab's namespaces and links go unchecked. A round whose topology
    /// did not change skips them (a change to a HaVip is only the fabric table's), unless
    /// it repeats the revision of the last round (the loop's resync) or this much time
    /// has passed; the fabric table is checked every round.
    lab_check: Duration,
    /// The revision of the last round.
    last_revision: Option<i64>,
}

impl LabFabric {
    /// Checks for root, `ip`, `sysctl` and `nft` before anything is created.
    pub fn detect(prefix: Prefix, lab_check: Duration) -> Result<LabFabric, AgentError> {
        let host = Host::detect()?;
        host.require_sysctl()?;
        let nft = Nft::detect()?;
        Ok(LabFabric {
            host,
            fabric: Fabric::new(nft, prefix.clone()),
            counters: Counters::default(),
            prefix,
            built: None,
            lab_check,
            last_revision: None,
        })
    }

    pub fn prefix(&self) -> &Prefix {
        &self.prefix
    }

    fn lab_is_current(&self, topology: &Topology, revision: i64) -> bool {
        let resync = self.last_revision == Some(revision);
        self.built
            .as_ref()
            .is_some_and(|(t, at)| t == topology && !resync && at.elapsed() < self.lab_check)
    }
}

impl Enforce for LabFabric {
    fn enforce(&mut self, desired: &DesiredState) -> Result<Vec<PortView>, AgentError> {
        let topology = topology(desired)?;
        let plan = LabPlan::from_topology(&topology, &self.prefix)?;
        let current = self.lab_is_current(&topology, desired.revision);
        let resync = self.last_revision == Some(desired.revision);
        self.last_revision = Some(desired.revision);
        if !current {
            // Forget the last build first: if this one fails half-way, the next round
            // checks everything again.
            self.built = None;
            let report = havip_lab::up(&self.host, &plan)?;
            tracing::debug!(?report, "lab converged");
            self.built = Some((topology.clone(), Instant::now()));
        }
        let state = FabricState::from_lab(&plan, fabric_havips(desired, &topology));
        let ruleset = Ruleset::from_state(&state)?;
        let mode = if resync || !current {
            Mode::Verify
        } else {
            Mode::Fast
        };
        let applied = self.fabric.apply(&ruleset, mode);
        if applied.is_err() {
            // The fabric namespace may be gone: rebuild the lab next round.
            self.built = None;
        }
        if let Some(counters) = applied?.counters {
            self.counters = counters;
        }
        Ok(port_views(&state, &ruleset, &self.counters))
    }
}

/// The fabric's view per port: what it may send, and what was dropped.
pub fn port_views(state: &FabricState, ruleset: &Ruleset, counters: &Counters) -> Vec<PortView> {
    ruleset
        .ports
        .iter()
        .map(|rules| {
            let port = state.ports.iter().find(|p| p.name == rules.name);
            let dropped = counters.port(&rules.name);
            PortView {
                port: rules.name.clone(),
                label: rules.label.clone(),
                eni: port.and_then(|p| p.eni.clone()),
                instance: port.and_then(|p| p.instance.clone()),
                mac: rules.mac.clone(),
                allowed: rules.allowed.iter().copied().collect(),
                drops: CounterKind::ALL
                    .iter()
                    .map(|k| (k.as_str().to_string(), dropped.map_or(0, |c| c.packets(*k))))
                    .collect(),
                vip_drops: dropped
                    .map(|c| {
                        c.by_vip
                            .iter()
                            .map(|(vip, count)| (*vip, count.packets))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}
