//! The worker that completes changes in flight (Creating, Associating, Unassociating,
//! Deleting) once their delay has passed. Changes are rows in the store, so a change that
//! was in flight when the process died completes after the restart.

use std::sync::Arc;
use std::time::Duration;

use havip_core::{ops, DomainError, HaVip};
use havip_store::Tx;
use tokio::sync::watch;

use crate::{retry_conflicts, Caller, Service, ServiceResult};

pub struct Worker {
    service: Arc<Service>,
    poll: Duration,
}

impl Worker {
    pub fn new(service: Arc<Service>) -> Self {
        Worker {
            service,
            poll: Duration::from_millis(50),
        }
    }

    /// Runs until `shutdown` turns true; a change being completed is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut last_purge = 0i64;
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.service.complete_due_changes(256).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "completing changes in flight failed"),
            }
            let now = self.service.now_ms();
            if now - last_purge > 60_000 {
                last_purge = now;
                if let Err(e) = self.service.store().purge_expired(now).await {
                    tracing::warn!(error = %e, "purging expired tokens failed");
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(self.poll) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

impl Service {
    /// Completes up to `limit` changes that are due now; returns how many it completed.
    pub async fn complete_due_changes(&self, limit: u32) -> ServiceResult<usize> {
        let due = self.store.due_changes(self.now_ms(), limit).await?;
        let mut done = 0;
        for id in due {
            if self.complete_change(&id).await? {
                done += 1;
            }
        }
        Ok(done)
    }

    /// Completes the change in flight on one HaVip if it is due (and still there: another
    /// worker may have done it first).
    pub async fn complete_change(&self, havip_id: &str) -> ServiceResult<bool> {
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            let now = self.now_ms();
            let Some(old) = tx.havip(havip_id).await? else {
                return Ok(false);
            };
            if old
                .pending
                .as_ref()
                .is_none_or(|p| p.timer().is_none_or(|due| due > now))
            {
                return Ok(false);
            }
            write_completion(&mut *tx, &old, ops::complete(&old, now)).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    /// Finishes the change in flight on a HaVip now, whatever its delay; returns the HaVip
    /// after it (`None` when the change deleted it).
    pub async fn complete_change_now(
        &self,
        caller: &Caller,
        havip_id: &str,
    ) -> ServiceResult<Option<HaVip>> {
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            let old = self
                .scoped_havip(&mut *tx, caller, havip_id)
                .await?
                .ok_or_else(|| DomainError::HaVipNotFound(havip_id.to_string()))?;
            let next = ops::complete_now(&old, self.now_ms())?;
            write_completion(&mut *tx, &old, next.clone()).await?;
            tx.commit().await?;
            Ok(next)
        })
        .await
    }
}

/// Writes what completing a change made of `old`: the next state, or its deletion.
pub(crate) async fn write_completion(
    tx: &mut dyn Tx,
    old: &HaVip,
    next: Option<HaVip>,
) -> ServiceResult<()> {
    match next {
        Some(next) => crate::events::update_havip(&mut *tx, old, &next).await?,
        None => tx.delete_havip(old).await?,
    }
    Ok(())
}
