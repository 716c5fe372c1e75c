//! The PostgreSQL store, for several havip replicas sharing one database. Write
//! transactions run at READ COMMITTED and lock what they decide on: the HaVip row and the
//! instance row (`FOR UPDATE`), the ClientToken and the HaVip quota of an account and
//! region (transaction-scoped advisory locks), so every invariant holds across replicas;
//! unique keys guard addresses and tokens.
//! Migrations run under sqlx's advisory lock, so replicas starting together do not race.

use std::net::Ipv4Addr;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use havip_core::{Eni, HaVip, Instance, Subnet, Vpc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, QueryBuilder, Row, Transaction};

use crate::sql::{self, cidr, instance_status, ip};
use crate::{
    AccessKey, Account, HaVipPage, HaVipQuery, HuaweiProject, IdempotencyRecord, Paging, Scope,
    Store, StoreError, StoreResult, Tx,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How the store reaches PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgSettings {
    /// How long a request waits for a connection before failing as unavailable.
    pub timeout: Duration,
    pub max_connections: u32,
}

impl Default for PgSettings {
    fn default() -> Self {
        PgSettings {
            timeout: Duration::from_secs(5),
            max_connections: 16,
        }
    }
}

pub struct PgStore {
    pool: PgPool,
}

fn map_err(e: sqlx::Error) -> StoreError {
    // serialization failure, deadlock, lock not available
    sql::map_sqlx_error(e, &["40001", "40P01", "55P03"])
}

impl PgStore {
    /// Connects to `url` and applies the migrations (under an advisory lock).
    pub async fn connect(url: &str, settings: &PgSettings) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("database url: {e}")))?;
        let statement_timeout = format!("{}", settings.timeout.as_millis().max(1000) * 6);
        let options = options.options([("statement_timeout", statement_timeout.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.timeout)
            .test_before_acquire(true)
            .connect_lazy_with(options);
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Unavailable(format!("migrations: {e}")))?;
        Ok(PgStore { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for PgStore {
    /// One statement in a transaction that does not wait for its WAL to reach the disk
    /// (`synchronous_commit = off`): visible to every replica at commit, no fsync on the
    /// request's path; a crash of the database can lose the last nonces before it.
    async fn remember_nonce(
        &self,
        access_key: &str,
        nonce: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query("SET LOCAL synchronous_commit TO OFF")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let done = sqlx::query(sql::REMEMBER_NONCE)
            .bind(access_key)
            .bind(nonce)
            .bind(expires_at)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(Box::new(PgTx {
            tx,
            write: true,
            revision: None,
        }))
    }

    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(map_err)?;
        Ok(Box::new(PgTx {
            tx,
            write: false,
            revision: None,
        }))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

pub struct PgTx {
    tx: Transaction<'static, Postgres>,
    write: bool,
    /// The revision this transaction's changes took, once one did.
    revision: Option<i64>,
}

impl PgTx {
    async fn commit_tx(self) -> StoreResult<()> {
        self.tx.commit().await.map_err(map_err)
    }

    /// Rows a write transaction decides on are locked until it ends.
    fn lock_suffix(&self) -> &'static str {
        if self.write {
            " FOR UPDATE"
        } else {
            ""
        }
    }

    /// Serialises requests that carry the same ClientToken, across replicas, until the
    /// first one commits; the next then finds its stored answer.
    async fn lock_token(&mut self, account: &str, action: &str, token: &str) -> StoreResult<()> {
        if !self.write {
            return Ok(());
        }
        let key = format!("{account}\u{1f}{action}\u{1f}{token}");
        self.advisory_lock(key).await
    }

    /// Serialises, across replicas, the write transactions that count the HaVips of one
    /// (account, region) to decide a quota, until the first one ends: the next one's count
    /// (a new statement, so a new snapshot at READ COMMITTED) then includes its insert.
    async fn lock_quota(&mut self, account: &str, region: &str) -> StoreResult<()> {
        if !self.write {
            return Ok(());
        }
        let key = format!("havip-quota\u{1f}{account}\u{1f}{region}");
        self.advisory_lock(key).await
    }

    async fn advisory_lock(&mut self, key: String) -> StoreResult<()> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

crate::sql_tx::impl_sql_tx!(PgTx, Postgres, PgRow);
