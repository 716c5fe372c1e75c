//! The data plane's side of the service: the change feed an agent follows (the fabric's
//! desired state at a revision, and a wait for the next revision), the agent's
//! acknowledgement that completes the changes it enforces, and what it last reported.
//!
//! Revisions come from the store (one counter, taken by every transaction that changes
//! the inventory or a HaVip, in commit order), so any replica serves the feed and takes
//! acknowledgements: waiting polls the store rather than a process-local signal.

use std::net::Ipv4Addr;
use std::time::Duration;

use havip_core::{ops, DomainError, Eni, HaVip, Instance, Subnet, Target};
use havip_store::{FabricRecord, Scope};

use crate::worker::write_completion;
use crate::{retry_conflicts, Service, ServiceResult};

/// How often a wait for the next revision looks at the store.
const REVISION_POLL: Duration = Duration::from_millis(10);

/// What the fabric must enforce at one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FabricDesired {
    pub revision: i64,
    pub subnets: Vec<Subnet>,
    pub instances: Vec<Instance>,
    /// In creation order.
    pub enis: Vec<Eni>,
    pub havips: Vec<DesiredHavip>,
}

/// A HaVip as the fabric sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredHavip {
    pub id: String,
    pub account: String,
    pub region: String,
    pub subnet: String,
    pub ip: Ipv4Addr,
    /// The members whose ports may carry the VIP ([`HaVip::fabric_members`]).
    pub members: Vec<Target>,
}

impl DesiredHavip {
    fn of(h: &HaVip) -> Self {
        DesiredHavip {
            id: h.id.clone(),
            account: h.account.clone(),
            region: h.region.clone(),
            subnet: h.subnet.clone(),
            ip: h.ip,
            members: h
                .fabric_members()
                .map(|m| Target {
                    kind: m.kind,
                    id: m.id.clone(),
                })
                .collect(),
        }
    }
}

/// What an acknowledgement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FabricAck {
    /// The highest acknowledged revision after it.
    pub acked: i64,
    /// The HaVips whose change in flight it completed.
    pub completed: Vec<String>,
}

impl Service {
    /// The fabric's desired state now, with the revision it is at (one consistent read).
    pub async fn fabric_desired(&self) -> ServiceResult<FabricDesired> {
        let mut tx = self.store.read().await?;
        let revision = tx.fabric().await?.revision;
        let all = Scope::default();
        let subnets = tx.subnets(&all).await?;
        let instances = tx.instances(&all).await?;
        let enis = tx.enis(&all).await?;
        let havips = tx
            .all_havips()
            .await?
            .iter()
            .map(DesiredHavip::of)
            .collect();
        Ok(FabricDesired {
            revision,
            subnets,
            instances,
            enis,
            havips,
        })
    }

    /// The revision counter and the data plane's last acknowledgement and report.
    pub async fn fabric_status(&self) -> ServiceResult<FabricRecord> {
        Ok(self.store.read().await?.fabric().await?)
    }

    /// Waits until the revision passes `after` (changes committed through any replica),
    /// at most `timeout`, or until the service shuts down; returns the revision then.
    pub async fn wait_for_revision(&self, after: i64, timeout: Duration) -> ServiceResult<i64> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut closing = self.closing.subscribe();
        loop {
            let revision = self.store.read().await?.fabric().await?.revision;
            if revision > after || *closing.borrow() {
                return Ok(revision);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(revision);
            }
            tokio::select! {
                _ = tokio::time::sleep(REVISION_POLL.min(deadline - now)) => {}
                _ = closing.changed() => {}
            }
        }
    }

    /// Ends the waits for the next revision (the server is shutting down).
    pub fn begin_shutdown(&self) {
        self.closing.send_replace(true);
    }

    /// Records that `agent` enforces the fabric's desired state up to `revision`, and
    /// completes every change in flight that a revision up to it holds. A revision the
    /// store has not reached yet is refused (the agent talks to another installation).
    pub async fn acknowledge_fabric(
        &self,
        revision: i64,
        agent: &str,
        report: Option<&str>,
    ) -> ServiceResult<FabricAck> {
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            // The HaVips first (locked), then the counter: the order of every writer.
            let waiting = tx.havips_awaiting_fabric(revision).await?;
            let record = tx.fabric().await?;
            if revision > record.revision || revision < 0 {
                return Err(DomainError::invalid(
                    "revision",
                    format!(
                        "revision {revision} was never given: this control plane is at revision {}",
                        record.revision
                    ),
                )
                .into());
            }
            let now = self.now_ms();
            let mut completed = Vec::with_capacity(waiting.len());
            for old in &waiting {
                let next = ops::complete_now(old, now)?;
                write_completion(&mut *tx, old, next).await?;
                completed.push(old.id.clone());
            }
            tx.acknowledge_fabric(revision, now, agent, report).await?;
            tx.commit().await?;
            Ok(FabricAck {
                acked: record.acked.max(revision),
                completed,
            })
        })
        .await
    }
}
