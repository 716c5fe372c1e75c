//! Persistence for havip. The [`Store`] trait hands out transactions ([`Tx`]) with typed
//! reads and writes of the domain's resources; every invariant that spans requests is kept
//! by running a whole operation (load facts, decide with `havip-core`, write) inside one
//! write transaction. Implementations: embedded SQLite ([`sqlite::SqliteStore`], default).
//! Nothing SQLite-specific leaks through the trait, so a PostgreSQL store fits the same shape.

use std::net::Ipv4Addr;

use async_trait::async_trait;
use havip_core::{Eni, HaVip, Instance, Subnet, Vpc};
use serde::{Deserialize, Serialize};

pub mod copy;
mod ports;
pub mod postgres;
mod sql;
mod sql_tx;
pub mod sqlite;

pub use ports::{AddressPair, PortAttrs, PortTx};

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or failed; the request may be retried later.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// Two transactions collided (serialization failure, unique key raced); retry.
    #[error("the transaction conflicted with another one")]
    Conflict,
    /// A row in the store could not be decoded (corruption or a schema mismatch).
    #[error("a stored row is not valid: {0}")]
    Corrupt(String),
    /// A unique key (id, address) is already taken.
    #[error("already exists: {0}")]
    Duplicate(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

pub use havip_core::query::{HaVipPage, HaVipQuery, Paging, Scope};
pub use havip_core::records::{AccessKey, Account, Project as HuaweiProject};

/// The first answer to a request that carried a ClientToken, kept so that retries get it
/// back (and retries with other parameters are told apart by the fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    pub account: String,
    pub action: String,
    pub token: String,
    pub fingerprint: String,
    pub havip: Option<String>,
    /// The change the first request started, while it may still be in flight.
    pub change: Option<String>,
    pub result: serde_json::Value,
    pub expires_at: i64,
}

/// The storage backend.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A read-write transaction: it sees a consistent state and its writes land together
    /// at commit or not at all; concurrent write transactions on the same rows serialize.
    /// Its commit returns once its writes are durable. On the embedded store it may see
    /// the writes of transactions whose commit has not returned yet (they share one
    /// commit with it, see `sqlite::writer`): an answer drawn from what it read should
    /// be given after its own commit, which waits for theirs.
    async fn write(&self) -> StoreResult<Box<dyn Tx>>;
    /// A read-only transaction (may run beside writers).
    async fn read(&self) -> StoreResult<Box<dyn Tx>>;
    /// Checks that the store answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Records a signature nonce of `access_key`; false when it was seen before and has
    /// not expired. Atomic across replicas. The stores write nonces without waiting for
    /// the disk and outside the writer lock of the other writes (a nonce guards against a
    /// replay inside its request's clock window; it is no state to recover).
    async fn remember_nonce(
        &self,
        access_key: &str,
        nonce: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let fresh = tx
            .remember_nonce(access_key, nonce, now, expires_at)
            .await?;
        tx.commit().await?;
        Ok(fresh)
    }
    /// Deletes expired nonces and idempotency records.
    async fn purge_expired(&self, now: i64) -> StoreResult<u64> {
        let mut tx = self.write().await?;
        let n = tx.purge_expired(now).await?;
        tx.commit().await?;
        Ok(n)
    }
    /// HaVips whose change in flight is due at `now`, oldest first.
    async fn due_changes(&self, now: i64, limit: u32) -> StoreResult<Vec<String>> {
        self.read().await?.due_changes(now, limit).await
    }
}

/// One transaction. Dropping it without [`Tx::commit`] rolls it back.
#[async_trait]
pub trait Tx: Send + PortTx {
    async fn commit(self: Box<Self>) -> StoreResult<()>;

    // --- accounts and credentials ---------------------------------------------------
    async fn account(&mut self, id: &str) -> StoreResult<Option<Account>>;
    async fn accounts(&mut self) -> StoreResult<Vec<Account>>;
    async fn insert_account(&mut self, a: &Account) -> StoreResult<()>;
    async fn access_key(&mut self, id: &str) -> StoreResult<Option<AccessKey>>;
    async fn access_keys(&mut self, account: Option<&str>) -> StoreResult<Vec<AccessKey>>;
    async fn insert_access_key(&mut self, k: &AccessKey) -> StoreResult<()>;
    async fn delete_access_key(&mut self, id: &str) -> StoreResult<bool>;
    async fn huawei_project(&mut self, id: &str) -> StoreResult<Option<HuaweiProject>>;
    async fn huawei_projects(&mut self, account: Option<&str>) -> StoreResult<Vec<HuaweiProject>>;
    async fn insert_huawei_project(&mut self, p: &HuaweiProject) -> StoreResult<()>;

    // --- inventory ------------------------------------------------------------------
    async fn region_exists(&mut self, region: &str) -> StoreResult<bool>;
    async fn regions(&mut self) -> StoreResult<Vec<String>>;
    async fn insert_region(&mut self, region: &str) -> StoreResult<()>;
    async fn vpc(&mut self, id: &str) -> StoreResult<Option<Vpc>>;
    async fn vpcs(&mut self, scope: &Scope) -> StoreResult<Vec<Vpc>>;
    async fn insert_vpc(&mut self, v: &Vpc) -> StoreResult<()>;
    async fn subnet(&mut self, id: &str) -> StoreResult<Option<Subnet>>;
    async fn subnets(&mut self, scope: &Scope) -> StoreResult<Vec<Subnet>>;
    async fn insert_subnet(&mut self, s: &Subnet) -> StoreResult<()>;
    /// Loads an instance; in a write transaction the row is locked until commit.
    async fn instance(&mut self, id: &str) -> StoreResult<Option<Instance>>;
    async fn instances(&mut self, scope: &Scope) -> StoreResult<Vec<Instance>>;
    async fn insert_instance(&mut self, i: &Instance) -> StoreResult<()>;
    async fn update_instance(&mut self, i: &Instance) -> StoreResult<()>;
    async fn eni(&mut self, id: &str) -> StoreResult<Option<Eni>>;
    async fn enis(&mut self, scope: &Scope) -> StoreResult<Vec<Eni>>;
    async fn enis_of_instance(&mut self, instance: &str) -> StoreResult<Vec<Eni>>;
    async fn eni_by_ip(&mut self, subnet: &str, ip: Ipv4Addr) -> StoreResult<Option<Eni>>;
    /// Inserts an ENI and claims its address in the subnet.
    async fn insert_eni(&mut self, e: &Eni) -> StoreResult<()>;
    async fn update_eni(&mut self, e: &Eni) -> StoreResult<()>;
    /// Is this address of the subnet taken (by an ENI or a HaVip)?
    async fn ip_in_use(&mut self, subnet: &str, ip: Ipv4Addr) -> StoreResult<bool>;
    async fn used_ips(&mut self, subnet: &str) -> StoreResult<Vec<Ipv4Addr>>;

    // --- HaVips ---------------------------------------------------------------------
    /// Loads a HaVip; in a write transaction the row is locked until commit.
    async fn havip(&mut self, id: &str) -> StoreResult<Option<HaVip>>;
    async fn havip_by_ip(&mut self, subnet: &str, ip: Ipv4Addr) -> StoreResult<Option<HaVip>>;
    async fn havips(&mut self, q: &HaVipQuery) -> StoreResult<HaVipPage>;
    /// How many HaVips `account` holds in `region`, in any status: the count a quota is
    /// decided on. In a write transaction, other write transactions that count the same
    /// (account, region) wait until this one ends, so that two replicas cannot both
    /// decide on the same count.
    async fn havips_in_region(&mut self, account: &str, region: &str) -> StoreResult<u64>;
    /// HaVips that carry this instance (directly or by one of its ENIs), in any state.
    async fn havips_of_instance(&mut self, instance: &str) -> StoreResult<Vec<String>>;
    /// HaVips that list this instance or ENI id as a member.
    async fn havips_of_member(&mut self, member: &str) -> StoreResult<Vec<String>>;
    /// Inserts a HaVip and claims its address in the subnet.
    async fn insert_havip(&mut self, h: &HaVip) -> StoreResult<()>;
    async fn update_havip(&mut self, old: &HaVip, new: &HaVip) -> StoreResult<()>;
    /// Deletes a HaVip and frees its address.
    async fn delete_havip(&mut self, h: &HaVip) -> StoreResult<()>;

    // --- idempotency ----------------------------------------------------------------
    async fn idempotency(
        &mut self,
        account: &str,
        action: &str,
        token: &str,
    ) -> StoreResult<Option<IdempotencyRecord>>;
    /// Stores (or replaces an expired) record.
    async fn put_idempotency(&mut self, r: &IdempotencyRecord) -> StoreResult<()>;

    // --- housekeeping ---------------------------------------------------------------
    /// See [`Store::remember_nonce`].
    async fn remember_nonce(
        &mut self,
        access_key: &str,
        nonce: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<bool>;
    async fn purge_expired(&mut self, now: i64) -> StoreResult<u64>;
    async fn due_changes(&mut self, now: i64, limit: u32) -> StoreResult<Vec<String>>;

    // --- the data plane's change feed ---------------------------------------------------
    /// The revision counter and the data plane's last acknowledgement.
    async fn fabric(&mut self) -> StoreResult<FabricRecord>;
    /// Records that `agent` enforces everything up to `revision` (the acknowledged
    /// revision never goes back), with its report when it sends one.
    async fn acknowledge_fabric(
        &mut self,
        revision: i64,
        at: i64,
        agent: &str,
        report: Option<&str>,
    ) -> StoreResult<()>;
    /// HaVips whose change in flight waits for the fabric and is held by a revision up to
    /// `up_to`, locked in a write transaction.
    async fn havips_awaiting_fabric(&mut self, up_to: i64) -> StoreResult<Vec<HaVip>>;
    /// Every HaVip of every account, in creation order (the fabric's desired state).
    async fn all_havips(&mut self) -> StoreResult<Vec<HaVip>>;

    // --- events ------------------------------------------------------------------------
    /// Appends an event; its sequence number is given by the store.
    async fn insert_event(&mut self, e: &NewEvent) -> StoreResult<()>;
    /// Events after sequence number `since`, oldest first, at most `limit`.
    async fn events(&mut self, since: i64, limit: u32) -> StoreResult<Vec<Event>>;
}

/// An event to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub at: i64,
    pub kind: String,
    pub havip: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// The event's JSON.
    pub body: String,
}

/// A stored event. Sequence numbers grow in commit order on SQLite; on PostgreSQL they
/// grow in the order transactions take them, and events are appended under the fabric's
/// revision lock (the only writer of events), which makes that the commit order too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub havip: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub body: String,
}

/// The change feed's counter and the data plane's last acknowledgement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FabricRecord {
    /// Grows by one with every committed transaction that changes the inventory or a
    /// HaVip.
    pub revision: i64,
    /// The highest revision a data-plane agent acknowledged.
    pub acked: i64,
    pub acked_at: Option<i64>,
    pub agent: Option<String>,
    /// The agent's last report (JSON), as it sent it.
    pub report: Option<String>,
}
