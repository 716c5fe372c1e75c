//! The embedded store: one SQLite file in the data directory, in WAL mode with full
//! fsync at commit. Write transactions run in order on a single writer connection, so
//! they queue instead of failing with SQLITE_BUSY, and concurrent ones share one commit
//! and its fsync (group commit, see [`writer`]); reads use a pool of their own and run
//! beside the writer. The database file is created private
//! (mode 0600) before SQLite opens it, and SQLite gives its `-wal` and `-shm` files the
//! database file's mode: the access-key secrets it holds are readable by the owner only.
//!
//! Signature nonces live in a file of their own ([`NONCE_FILE`]), written without an
//! fsync and under that file's own lock: remembering a nonce (every signed Alibaba
//! request, reads included) neither waits for the disk nor queues behind the writer of
//! the store. Processes sharing the data directory share it, so a replay is refused
//! whichever one it reaches; what a power cut can lose is the last nonces before it,
//! whose requests' own clock window closes 15 minutes later.

#[cfg(test)]
mod tests;
mod writer;

use std::net::Ipv4Addr;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use havip_core::{Eni, HaVip, Instance, Subnet, Vpc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, QueryBuilder, Row, Sqlite, SqlitePool, Transaction};

use crate::sql::{self, cidr, instance_status, ip};
use crate::{
    AccessKey, Account, HaVipPage, HaVipQuery, HuaweiProject, IdempotencyRecord, Paging, Scope,
    Store, StoreError, StoreResult, Tx,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub const DB_FILE: &str = "havip.sqlite3";
/// The nonce file, beside the database file.
pub const NONCE_FILE: &str = "havip-nonces.sqlite3";

pub use writer::MAX_GROUP_TRANSACTIONS;

pub struct SqliteStore {
    writer: Arc<writer::Writer>,
    reader: SqlitePool,
    nonces: SqlitePool,
}

fn map_err(e: sqlx::Error) -> StoreError {
    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT
    sql::map_sqlx_error(e, &["5", "6", "517"])
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir` and applies the migrations.
    pub async fn open(dir: &Path) -> StoreResult<Self> {
        Self::open_file(&dir.join(DB_FILE)).await
    }

    pub async fn open_file(path: &Path) -> StoreResult<Self> {
        create_private(path)
            .map_err(|e| StoreError::Unavailable(format!("creating {}: {e}", path.display())))?;
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(map_err)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let mut conn: SqliteConnection = options.connect().await.map_err(map_err)?;
        MIGRATOR
            .run(&mut conn)
            .await
            .map_err(|e| StoreError::Unavailable(format!("migrations: {e}")))?;
        let writer = writer::Writer::open(conn).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone().read_only(true))
            .await
            .map_err(map_err)?;
        let nonces = open_nonces(&path.with_file_name(NONCE_FILE), options).await?;
        Ok(SqliteStore {
            writer,
            reader,
            nonces,
        })
    }

    /// Closes the pools, waiting for connections in use to be returned, and commits the
    /// writer's open group; later write transactions are refused.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
        self.nonces.close().await;
    }
}

/// Opens (creating if needed) the nonce file: WAL without an fsync at commit.
async fn open_nonces(path: &Path, options: SqliteConnectOptions) -> StoreResult<SqlitePool> {
    create_private(path)
        .map_err(|e| StoreError::Unavailable(format!("creating {}: {e}", path.display())))?;
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(
            options
                .filename(path)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(false),
        )
        .await
        .map_err(map_err)?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS signature_nonces (\
             access_key_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL, \
             PRIMARY KEY (access_key_id, nonce))",
    )
    .execute(&pool)
    .await
    .map_err(map_err)?;
    Ok(pool)
}

/// Creates `path` empty with mode 0600 unless it exists (SQLite takes an empty file for a
/// new database). An existing file keeps its mode: the server warns about a lax one.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl Store for SqliteStore {
    /// One statement in the nonce file: no fsync, not the store's writer lock.
    async fn remember_nonce(
        &self,
        access_key: &str,
        nonce: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(sql::REMEMBER_NONCE)
            .bind(access_key)
            .bind(nonce)
            .bind(expires_at)
            .bind(now)
            .execute(&self.nonces)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_expired(&self, now: i64) -> StoreResult<u64> {
        let mut tx = self.write().await?;
        let records = tx.purge_expired(now).await?;
        tx.commit().await?;
        let nonces = sqlx::query("DELETE FROM signature_nonces WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.nonces)
            .await
            .map_err(map_err)?;
        Ok(records + nonces.rows_affected())
    }

    /// A savepoint in the writer's current group: see [`writer`].
    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        let turn = self.writer.begin().await?;
        Ok(Box::new(SqliteTx {
            tx: Conn::Write(turn),
            revision: None,
        }))
    }

    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self.reader.begin().await.map_err(map_err)?;
        Ok(Box::new(SqliteTx {
            tx: Conn::Read(tx),
            revision: None,
        }))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

pub struct SqliteTx {
    tx: Conn,
    /// The revision this transaction's changes took, once one did. The transactions of
    /// a group take theirs one after the other on the writer connection and become
    /// visible together, so readers never see a revision whose predecessors are missing.
    revision: Option<i64>,
}

/// The connection a transaction runs on: a reader's own transaction, or the writer's
/// connection for the transaction's turn (a savepoint in the current group).
enum Conn {
    Read(Transaction<'static, Sqlite>),
    Write(writer::Turn),
}

impl Deref for Conn {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match self {
            Conn::Read(tx) => tx,
            Conn::Write(turn) => turn,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            Conn::Read(tx) => tx,
            Conn::Write(turn) => turn,
        }
    }
}

impl SqliteTx {
    /// Ends a read transaction; commits a write transaction into its group and returns
    /// once the group's commit is on the disk.
    async fn commit_tx(self) -> StoreResult<()> {
        match self.tx {
            Conn::Read(tx) => tx.commit().await.map_err(map_err),
            Conn::Write(turn) => writer::acknowledged(turn.commit().await?).await,
        }
    }

    /// SQLite write transactions hold the database's write lock (the group's
    /// `BEGIN IMMEDIATE`): rows need no locks of their own.
    fn lock_suffix(&self) -> &'static str {
        ""
    }

    /// Requests with the same ClientToken are already serialised by the write lock.
    async fn lock_token(&mut self, _account: &str, _action: &str, _token: &str) -> StoreResult<()> {
        Ok(())
    }

    /// Quota decisions are already serialised by the write lock.
    async fn lock_quota(&mut self, _account: &str, _region: &str) -> StoreResult<()> {
        Ok(())
    }
}

crate::sql_tx::impl_sql_tx!(SqliteTx, Sqlite, SqliteRow);
