//! The real enforcer: the desired state's lab in network namespaces on this host
//! (`havip_lab::up`, which converges namespaces and links to the plan) and its fabric
//! table (`havip_fabric::Fabric`), then the counters as the fabric's view per port.
//! Beside it: the ARP watcher on the lab's bridges (its claims go out through
//! [`LabFabric::take_claims`]) and, when asked, keepalived in the members of each HaVip
//! with two or more.
//!
//! A round that follows a change applies only the set elements that differ from the
//! last round (`Mode::Fast`); a resync round (the revision did not change) and a round
//! that converged the lab verify the whole table (`Mode::Verify`: one listing, repairs
//! any hand edit). Counters come from that listing, so a fast round reports those of
//! the last verify (at most one resync interval old).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use havip_fabric::{CounterKind, Counters, Fabric, FabricState, Mode, Nft, Ruleset};
use havip_lab::keepalived::{self, VrrpGroup};
use havip_lab::{Host, LabPlan, Prefix, Topology};
use havip_native::feed::{DesiredState, PortView};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::arp::{ArpWatcher, Claim};
use crate::claims::{Directory, PortOwner};
use crate::enforce::Enforce;
use crate::error::AgentError;
use crate::translate::{fabric_havips, topology};
use crate::vrrp;

/// What the enforcer runs besides the lab and its fabric.
#[derive(Debug, Clone)]
pub struct LabOptions {
    /// The longest the lab's namespaces and links go unchecked (see [`LabFabric`]).
    pub lab_check: Duration,
    /// Watch the bridges for ARP claims (the master learned from ARP).
    pub watch_arp: bool,
    /// Run keepalived in the members of each HaVip with two or more, with adverts every
    /// this long.
    pub keepalived: Option<Duration>,
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            lab_check: Duration::from_secs(60),
            watch_arp: true,
            keepalived: None,
        }
    }
}

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
    watcher: Option<ArpWatcher>,
    claims: Option<UnboundedReceiver<Claim>>,
    directory: Directory,
    keepalived: Option<Duration>,
    /// The keepalived groups last started. keepalived is converged when they change, not
    /// every round: a keepalived that someone killed stays dead (that is a failure being
    /// rehearsed), until the HaVip's members change.
    vrrp_groups: Option<Vec<VrrpGroup>>,
}

impl LabFabric {
    /// Checks for root, `ip`, `sysctl` and `nft` (and keepalived when asked for) before
    /// anything is created.
    pub fn detect(prefix: Prefix, options: LabOptions) -> Result<LabFabric, AgentError> {
        let host = Host::detect()?;
        host.require_sysctl()?;
        let nft = Nft::detect()?;
        if options.keepalived.is_some() && havip_lab::find("keepalived").is_none() {
            return Err(AgentError::Inconsistent(
                "--keepalived needs keepalived (Debian: apt-get install keepalived)".into(),
            ));
        }
        let (watcher, claims) = if options.watch_arp {
            let (w, rx) = ArpWatcher::for_lab(&prefix);
            (Some(w), Some(rx))
        } else {
            (None, None)
        };
        Ok(LabFabric {
            host,
            fabric: Fabric::new(nft, prefix.clone()),
            counters: Counters::default(),
            prefix,
            built: None,
            lab_check: options.lab_check,
            last_revision: None,
            watcher,
            claims,
            directory: Directory::default(),
            keepalived: options.keepalived,
            vrrp_groups: None,
        })
    }

    /// The ARP claims the watcher sees and the directory that says who sent them (once).
    pub fn take_claims(&mut self) -> Option<(UnboundedReceiver<Claim>, Directory)> {
        self.claims.take().map(|rx| (rx, self.directory.clone()))
    }

    /// Points the directory and the watcher at this round's lab.
    fn watch(&mut self, plan: &LabPlan, desired: &DesiredState) -> Result<(), AgentError> {
        let mut by_mac = BTreeMap::new();
        for i in &plan.instances {
            for f in &i.interfaces {
                by_mac.insert(
                    f.mac.to_ascii_lowercase(),
                    PortOwner {
                        port: f.port.clone(),
                        eni: f.eni.clone(),
                        instance: Some(i.id.clone()),
                    },
                );
            }
        }
        let subnets: BTreeMap<String, String> = plan
            .bridges
            .iter()
            .map(|b| (b.name.clone(), b.subnet.clone()))
            .collect();
        self.directory.update(by_mac, subnets);
        if let Some(w) = &mut self.watcher {
            let vips: BTreeSet<_> = desired.havips.iter().map(|h| h.ip).collect();
            w.only_vips(Some(vips));
            let bridges: Vec<String> = plan.bridges.iter().map(|b| b.name.clone()).collect();
            w.watch_bridges(&bridges)?;
        }
        Ok(())
    }

    /// Starts, reloads or stops keepalived when the groups changed.
    fn run_keepalived(&mut self, plan: &LabPlan, desired: &DesiredState) -> Result<(), AgentError> {
        let Some(advert) = self.keepalived else {
            return Ok(());
        };
        let groups = vrrp::groups(desired, plan, advert);
        if self.vrrp_groups.as_ref() == Some(&groups) {
            return Ok(());
        }
        let report = keepalived::converge(&self.host, &self.prefix, &groups)?;
        tracing::info!(?report, "keepalived converged");
        self.vrrp_groups = Some(groups);
        Ok(())
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
        self.watch(&plan, desired)?;
        self.run_keepalived(&plan, desired)?;
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
