//! The havip service: every operation the API faces offer, run as one store transaction
//! each (load facts → decide with `havip-core` → write), with the caller's account and
//! region as the scope, ClientToken idempotency, ids in each cloud's style, and the worker
//! that completes association changes in flight.

mod claims;
mod clock;
mod error;
mod events;
mod fabric;
mod havips;
mod idempotency;
pub mod ids;
mod inventory;
pub mod ports;
mod seed;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use havip_core::{Limits, Profile};
use havip_store::Store;

pub use claims::{ArpClaim, ClaimResult};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ServiceError, ServiceResult};
pub use fabric::{DesiredHavip, FabricAck, FabricDesired};
pub use havips::{HaVipRef, TagQuery, TaggedResource};
pub use ids::{IdGenerator, RandomIds, SeededIds};
pub use inventory::{NewEni, NewInstance, NewSubnet, NewVpc};
pub use seed::SeedReport;
pub use worker::Worker;

pub use havip_core as core;
pub use havip_store as store;

#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The rules of the operator's calls (the native API, the seed): a face's profile
    /// whose limits are the widest of every face the server runs, so that the operator can
    /// build any state a face can reach.
    pub operator: Arc<Profile>,
    /// How long an association change stays in flight before the worker completes it.
    pub transition_delay: Duration,
    /// How long a ClientToken is remembered.
    pub idempotency_ttl: Duration,
    /// A data plane is attached: changes complete when its agent acknowledges them, not
    /// after `transition_delay`.
    pub dataplane: bool,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            operator: Arc::new(Profile::plain(Limits {
                instances_per_havip: 10,
                havips_per_instance: 8,
                havips_per_region: 50,
                master_needs_force: false,
                processing_is_error: false,
            })),
            transition_delay: Duration::ZERO,
            idempotency_ttl: Duration::from_secs(24 * 3600),
            dataplane: false,
        }
    }
}

/// Who is calling, and by the rules of which face (its profile). `None` account/region (the
/// operator, through the native API) sees every account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub profile: Arc<Profile>,
    pub account: Option<String>,
    pub region: Option<String>,
}

impl Caller {
    pub fn tenant(
        profile: Arc<Profile>,
        account: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        Caller {
            profile,
            account: Some(account.into()),
            region: Some(region.into()),
        }
    }

    pub fn operator(profile: Arc<Profile>) -> Self {
        Caller {
            profile,
            account: None,
            region: None,
        }
    }

    /// Whether a resource of (account, region) exists for this caller.
    pub fn sees(&self, account: &str, region: &str) -> bool {
        self.account.as_deref().is_none_or(|a| a == account)
            && self.region.as_deref().is_none_or(|r| r == region)
    }
}

pub struct Service {
    store: Arc<dyn Store>,
    config: ServiceConfig,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    /// Turns true when the server shuts down (ends the waits of the change feed).
    closing: tokio::sync::watch::Sender<bool>,
    /// ARP claims the data plane reported that did not count.
    ignored_claims: std::sync::atomic::AtomicU64,
}

impl Service {
    /// The clock and the id generator are injected so that tests are deterministic.
    pub fn new(
        store: Arc<dyn Store>,
        config: ServiceConfig,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
    ) -> Self {
        Service {
            store,
            config,
            clock,
            ids,
            closing: tokio::sync::watch::Sender::new(false),
            ignored_claims: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Records a signature nonce of an access key until `expires_at`; false when it was
    /// seen before and has not expired (across replicas).
    pub async fn remember_nonce(
        &self,
        access_key: &str,
        nonce: &str,
        expires_at: i64,
    ) -> ServiceResult<bool> {
        Ok(self
            .store
            .remember_nonce(access_key, nonce, self.now_ms(), expires_at)
            .await?)
    }

    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Where new ids, request ids and address choices come from.
    pub fn ids(&self) -> &dyn IdGenerator {
        self.ids.as_ref()
    }

    /// The operator, with the operator's profile.
    pub fn operator(&self) -> Caller {
        Caller::operator(self.config.operator.clone())
    }

    pub async fn ping(&self) -> ServiceResult<()> {
        Ok(self.store.ping().await?)
    }
}

/// Runs `op` again when the store reports a conflict between concurrent transactions.
pub(crate) async fn retry_conflicts<T, F, Fut>(mut op: F) -> ServiceResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ServiceResult<T>>,
{
    let mut attempt = 0u32;
    loop {
        match op().await {
            Err(ServiceError::Store(havip_store::StoreError::Conflict)) if attempt < 8 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 5)).await;
            }
            other => return other,
        }
    }
}
