//! The master learned from ARP: the data plane reports each claim on a VIP it let through
//! (a gratuitous ARP or an ARP reply from an associated member's port), and the latest
//! claim of an associated member makes it the HaVip's master, recorded with the claim
//! and as an event (`MasterChanged`). Claims of anyone else are ignored and counted.

use std::net::Ipv4Addr;
use std::sync::atomic::Ordering;

use havip_core::ops::{self, ClaimOutcome};
use havip_core::{MasterClaim, MemberKind};

use crate::{retry_conflicts, Service, ServiceResult};

/// One claim as the data plane saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpClaim {
    /// The subnet whose bridge carried it.
    pub subnet: String,
    pub vip: Ipv4Addr,
    /// The port it came through, and what is behind it.
    pub port: String,
    pub eni: Option<String>,
    pub instance: Option<String>,
    pub mac: String,
    /// `GratuitousRequest` or `Reply`.
    pub kind: String,
    /// When the fabric saw it (ms since the epoch).
    pub at: i64,
}

/// What one claim did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimResult {
    /// `to` became the master of `havip` (from `from`).
    MasterChanged {
        havip: String,
        from: Option<String>,
        to: String,
    },
    /// The claimant already was the master.
    Unchanged { havip: String },
    /// Not a claim that counts: no HaVip has the address, the claimant is not an
    /// associated member of it, or the claim is older than the one that made the master.
    Ignored { reason: String },
}

impl Service {
    /// Applies the claims in order (each in a transaction of its own: the latest wins).
    pub async fn record_claims(&self, claims: &[ArpClaim]) -> ServiceResult<Vec<ClaimResult>> {
        let mut out = Vec::with_capacity(claims.len());
        for claim in claims {
            let result = self.record_claim(claim).await?;
            if matches!(result, ClaimResult::Ignored { .. }) {
                self.ignored_claims.fetch_add(1, Ordering::Relaxed);
            }
            out.push(result);
        }
        Ok(out)
    }

    /// Claims the data plane reported that did not count, since the start.
    pub fn ignored_claims(&self) -> u64 {
        self.ignored_claims.load(Ordering::Relaxed)
    }

    async fn record_claim(&self, claim: &ArpClaim) -> ServiceResult<ClaimResult> {
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            let Some(found) = tx.havip_by_ip(&claim.subnet, claim.vip).await? else {
                return Ok(ClaimResult::Ignored {
                    reason: format!("no HaVip has {} in {}", claim.vip, claim.subnet),
                });
            };
            // Again, locked: the decision is made on the row this transaction holds.
            let Some(havip) = tx.havip(&found.id).await? else {
                return Ok(ClaimResult::Ignored {
                    reason: format!("HaVip {} is gone", found.id),
                });
            };
            let member = match havip.member_kind() {
                Some(MemberKind::EcsInstance) => claim.instance.as_deref(),
                Some(MemberKind::NetworkInterface) => claim.eni.as_deref(),
                None => None,
            };
            let Some(member) = member else {
                return Ok(ClaimResult::Ignored {
                    reason: format!(
                        "HaVip {} has no member behind port {}",
                        havip.id, claim.port
                    ),
                });
            };
            let seen = MasterClaim {
                at: claim.at,
                port: claim.port.clone(),
                mac: claim.mac.clone(),
                kind: claim.kind.clone(),
            };
            match ops::claim_master(&havip, member, seen) {
                ClaimOutcome::Ignored => Ok(ClaimResult::Ignored {
                    reason: format!("{member} is not an associated member of HaVip {}", havip.id),
                }),
                ClaimOutcome::Stale => Ok(ClaimResult::Ignored {
                    reason: format!(
                        "the claim of {member} on HaVip {} is older than the master's",
                        havip.id
                    ),
                }),
                ClaimOutcome::Unchanged => Ok(ClaimResult::Unchanged { havip: havip.id }),
                ClaimOutcome::Confirmed { next } => {
                    crate::events::update_havip(&mut *tx, &havip, &next).await?;
                    tx.commit().await?;
                    Ok(ClaimResult::Unchanged { havip: havip.id })
                }
                ClaimOutcome::MasterChanged { from, next } => {
                    // The event (with the claim) is written with the change.
                    crate::events::update_havip(&mut *tx, &havip, &next).await?;
                    tx.commit().await?;
                    Ok(ClaimResult::MasterChanged {
                        havip: havip.id,
                        from,
                        to: member.to_string(),
                    })
                }
            }
        })
        .await
    }

    /// Events after `since`, oldest first (at most `limit`).
    pub async fn events(&self, since: i64, limit: u32) -> ServiceResult<Vec<havip_store::Event>> {
        Ok(self.store.read().await?.events(since, limit).await?)
    }
}
