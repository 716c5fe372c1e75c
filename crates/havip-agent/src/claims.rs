//! From the ARP watcher to the control plane: each claim the fabric let through is
//! mapped from its sender MAC to the port, ENI and instance behind it (the fabric lets a
//! port send only its own MAC, so the MAC names the port) and from its bridge to the
//! subnet, then reported (`/v1/dataplane/claims`) as soon as it is seen. The latest claim
//! of an associated member makes it the master there.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, UNIX_EPOCH};

use havip_native::feed::ClaimView;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;

use crate::arp::{Claim, ClaimKind};
use crate::client::FeedClient;

/// A repeated claim (same VIP, same sender) within this long is not reported again.
const REPEAT: Duration = Duration::from_secs(1);
/// How long to wait before reporting again after the control plane did not answer.
const RETRY: Duration = Duration::from_millis(500);
/// The most claims kept while the control plane does not answer (the oldest go first).
const BACKLOG: usize = 10_000;

/// Who is behind a fabric port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortOwner {
    pub port: String,
    pub eni: Option<String>,
    pub instance: Option<String>,
}

/// The lab's ports by MAC, and its bridges' subnets, as of the last round.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    inner: Arc<RwLock<Maps>>,
}

#[derive(Debug, Default)]
struct Maps {
    by_mac: BTreeMap<String, PortOwner>,
    subnet_of_bridge: BTreeMap<String, String>,
}

impl Directory {
    pub fn update(
        &self,
        by_mac: BTreeMap<String, PortOwner>,
        subnet_of_bridge: BTreeMap<String, String>,
    ) {
        let maps = Maps {
            by_mac,
            subnet_of_bridge,
        };
        match self.inner.write() {
            Ok(mut g) => *g = maps,
            Err(poisoned) => *poisoned.into_inner() = maps,
        }
    }

    /// The claim as the control plane reads it; `None` when its sender or bridge is not
    /// (or no longer) the lab's.
    pub fn describe(&self, claim: &Claim) -> Option<ClaimView> {
        let maps = match self.inner.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let owner = maps.by_mac.get(&claim.sender_mac)?;
        let subnet = maps.subnet_of_bridge.get(&claim.bridge)?;
        let at_ms = claim
            .at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Some(ClaimView {
            subnet: subnet.clone(),
            vip: claim.vip,
            port: owner.port.clone(),
            eni: owner.eni.clone(),
            instance: owner.instance.clone(),
            mac: claim.sender_mac.clone(),
            kind: match claim.kind {
                ClaimKind::GratuitousRequest => "GratuitousRequest",
                ClaimKind::Reply => "Reply",
            }
            .to_string(),
            at_ms,
        })
    }
}

/// Reports claims until `shutdown` turns true or the watcher is gone.
pub async fn forward(
    client: FeedClient,
    agent: String,
    mut claims: UnboundedReceiver<Claim>,
    directory: Directory,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut last: BTreeMap<Ipv4Addr, (String, Instant)> = BTreeMap::new();
    let mut backlog: Vec<ClaimView> = Vec::new();
    loop {
        let first = tokio::select! {
            c = claims.recv() => c,
            _ = shutdown.changed() => return,
            // A backlog waiting for the control plane is tried again.
            _ = tokio::time::sleep(RETRY), if !backlog.is_empty() => None,
        };
        let mut seen: Vec<Claim> = first.into_iter().collect();
        while let Ok(more) = claims.try_recv() {
            seen.push(more);
        }
        if seen.is_empty() && backlog.is_empty() && claims.is_closed() {
            return;
        }
        for claim in seen {
            let repeated = last
                .get(&claim.vip)
                .is_some_and(|(mac, at)| *mac == claim.sender_mac && at.elapsed() < REPEAT);
            if repeated {
                continue;
            }
            match directory.describe(&claim) {
                Some(view) => {
                    last.insert(claim.vip, (claim.sender_mac.clone(), Instant::now()));
                    backlog.push(view);
                }
                None => tracing::debug!(?claim, "claim from a port the lab does not know"),
            }
        }
        if backlog.is_empty() {
            continue;
        }
        if backlog.len() > BACKLOG {
            let excess = backlog.len() - BACKLOG;
            backlog.drain(..excess);
        }
        match client.report_claims(&agent, backlog.clone()).await {
            Ok(results) => {
                for r in results.results {
                    tracing::info!(result = ?r, "claim reported");
                }
                backlog.clear();
            }
            Err(e) => tracing::warn!(error = %e, "reporting claims failed; trying again"),
        }
    }
}
