//! The embedded store's writer, with group commit: one SQLite connection writes, and the
//! write transactions of concurrent requests share one outer transaction (a group), so
//! one fsync makes all of them durable.
//!
//! A request's transaction is a savepoint in the group. [`Writer::begin`] waits for the
//! connection (in order), opens the group if none is open (`BEGIN IMMEDIATE`), then the
//! savepoint. Committing releases the savepoint and ends the transaction's turn: the
//! group is committed now if no other writer of this process waits for the connection,
//! or if it holds [`MAX_GROUP_TRANSACTIONS`] transactions; otherwise the connection
//! passes to the next writer, which works in the same group.
//! Either way the commit returns only once the group's `COMMIT` has returned: nothing is
//! acknowledged before it is on the disk. A failed `COMMIT` is rolled back and fails
//! every transaction of the group. A transaction dropped without commit is rolled back
//! to its savepoint: the group's other transactions keep their work.
//!
//! Readers use connections of their own, so they see a group's work only once it is
//! committed, all of it at once. Until then the group holds SQLite's write lock, as any
//! write transaction does: other processes on the same file wait for it.
//!
//! The steps that open or end a transaction run in tasks of their own, so a caller that
//! stops waiting (a request cut short) cannot stop them half way. A turn that ends
//! without one of them (a transaction dropped without commit) leaves its savepoint
//! open; the next writer, or the sweeper task when none waits, rolls it back and ends
//! the group.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::SqliteConnection;
use tokio::sync::{watch, Mutex, Notify, OwnedMutexGuard};

use super::map_err;
use crate::{StoreError, StoreResult};

/// At most this many transactions share one commit: the first transaction of a group
/// waits for at most this many others to run before its commit. There is no cap in
/// time: a group ends anyway as soon as no writer waits, and cutting it while writers
/// wait only adds fsyncs that the waiting writers then queue behind.
pub const MAX_GROUP_TRANSACTIONS: usize = 64;

/// How long a write transaction waits for the writer connection before it gives up.
pub const WAIT_FOR_WRITER: Duration = Duration::from_secs(30);

const BEGIN: &str = "BEGIN IMMEDIATE";
const COMMIT: &str = "COMMIT";
const ROLLBACK: &str = "ROLLBACK";
const SAVEPOINT: &str = "SAVEPOINT havip_tx";
const RELEASE: &str = "RELEASE havip_tx";
const ROLLBACK_TO: &str = "ROLLBACK TO havip_tx";

/// A group's outcome: `None` while it is open.
type Outcome = Option<StoreResult<()>>;

/// The writer connection and the group in it.
pub struct Writer {
    slot: Arc<Mutex<Slot>>,
    /// Writers queued for the connection (the sweeper and `close` are not counted).
    waiting: AtomicUsize,
    /// Set by SQLite's rollback hook whenever the outer transaction is rolled back: by
    /// this module, or by SQLite itself after an I/O error or a full disk.
    rolled_back: Arc<AtomicBool>,
    /// Wakes the sweeper.
    sweep: Arc<Notify>,
    /// Groups committed so far.
    commits: AtomicU64,
}

struct Slot {
    conn: SqliteConnection,
    group: Option<Group>,
    /// A transaction's savepoint is open.
    savepoint: bool,
    closed: bool,
}

struct Group {
    /// Transactions released into the group, waiting for its commit.
    members: usize,
    outcome: watch::Sender<Outcome>,
}

impl Writer {
    /// Takes over `conn` (no transaction open) and starts the sweeper task.
    pub async fn open(mut conn: SqliteConnection) -> StoreResult<Arc<Writer>> {
        let rolled_back = Arc::new(AtomicBool::new(false));
        let hook = rolled_back.clone();
        conn.lock_handle()
            .await
            .map_err(map_err)?
            .set_rollback_hook(move || hook.store(true, Ordering::SeqCst));
        let writer = Arc::new(Writer {
            slot: Arc::new(Mutex::new(Slot {
                conn,
                group: None,
                savepoint: false,
                closed: false,
            })),
            waiting: AtomicUsize::new(0),
            rolled_back,
            sweep: Arc::new(Notify::new()),
            commits: AtomicU64::new(0),
        });
        tokio::spawn(sweeper(Arc::downgrade(&writer), writer.sweep.clone()));
        Ok(writer)
    }

    /// Starts a write transaction: waits for the connection, in order, at most
    /// [`WAIT_FOR_WRITER`], then opens a savepoint in the current group (opening the
    /// group first when none is open).
    pub async fn begin(self: &Arc<Self>) -> StoreResult<Turn> {
        let queued = Queued::new(self.clone());
        let slot = self.slot.clone();
        tokio::spawn(async move {
            let Ok(slot) = tokio::time::timeout(WAIT_FOR_WRITER, slot.lock_owned()).await else {
                return Err(StoreError::Unavailable(
                    "timed out waiting for the writer connection".into(),
                ));
            };
            let mut turn = queued.into_turn(slot);
            match turn.start().await {
                Ok(()) => Ok(turn),
                Err(e) => {
                    turn.finish().await;
                    Err(e)
                }
            }
        })
        .await
        .map_err(stopped)?
    }

    /// Commits the open group, if any, and refuses every later transaction.
    pub async fn close(self: &Arc<Self>) {
        let slot = self.slot.clone().lock_owned().await;
        let mut turn = Turn {
            writer: self.clone(),
            slot,
        };
        turn.settle().await;
        turn.end_group().await;
        turn.slot.closed = true;
        self.sweep.notify_one();
    }

    #[cfg(test)]
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    #[cfg(test)]
    pub fn groups_committed(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // The sweeper holds the writer weakly: woken, it finds it gone and stops.
        self.sweep.notify_one();
    }
}

/// A writer queued for the connection, counted in [`Writer::waiting`] until it has it.
struct Queued {
    writer: Arc<Writer>,
    served: bool,
}

impl Queued {
    fn new(writer: Arc<Writer>) -> Self {
        writer.waiting.fetch_add(1, Ordering::SeqCst);
        Queued {
            writer,
            served: false,
        }
    }

    fn into_turn(mut self, slot: OwnedMutexGuard<Slot>) -> Turn {
        self.served = true;
        Turn {
            writer: self.writer.clone(),
            slot,
        }
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.writer.waiting.fetch_sub(1, Ordering::SeqCst);
        if !self.served {
            // The last turn may have left the group open for this writer.
            self.writer.sweep.notify_one();
        }
    }
}

/// The connection, held by one write transaction (or by the sweeper) at a time.
pub struct Turn {
    writer: Arc<Writer>,
    slot: OwnedMutexGuard<Slot>,
}

impl Deref for Turn {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.slot.conn
    }
}

impl DerefMut for Turn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.slot.conn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let waiting = self.writer.waiting.load(Ordering::SeqCst) > 0;
        if self.slot.savepoint || (self.slot.group.is_some() && !waiting) {
            // Dropped without commit, or the group is left with nobody to end it.
            self.writer.sweep.notify_one();
        }
    }
}

impl Turn {
    /// Commits this transaction into its group and ends the turn; the receiver gives the
    /// group's outcome (see [`acknowledged`]). Runs in a task of its own.
    pub async fn commit(self) -> StoreResult<watch::Receiver<Outcome>> {
        tokio::spawn(self.release()).await.map_err(stopped)?
    }

    async fn release(mut self) -> StoreResult<watch::Receiver<Outcome>> {
        if let Err(e) = self.exec(RELEASE).await {
            // The savepoint is still marked open: settling rolls it back.
            self.finish().await;
            return Err(e);
        }
        self.slot.savepoint = false;
        let rolled_back = self.writer.rolled_back.load(Ordering::SeqCst);
        let joined = match self.slot.group.as_mut() {
            Some(group) if !rolled_back => {
                group.members += 1;
                Ok(group.outcome.subscribe())
            }
            _ => Err(rolled_back_error()),
        };
        self.finish().await;
        joined
    }

    /// Opens this transaction's savepoint, and the group first when none is open.
    async fn start(&mut self) -> StoreResult<()> {
        if self.slot.closed {
            return Err(StoreError::Unavailable("the store is closed".into()));
        }
        self.settle().await;
        if self.slot.group.is_none() {
            self.writer.rolled_back.store(false, Ordering::SeqCst);
            self.exec(BEGIN).await?;
            let (outcome, _) = watch::channel(None);
            self.slot.group = Some(Group {
                members: 0,
                outcome,
            });
        }
        self.exec(SAVEPOINT).await?;
        self.slot.savepoint = true;
        Ok(())
    }

    /// Ends the turn: settles what the transaction left, then commits the group when no
    /// writer waits for the connection or the group is full; otherwise leaves it open for
    /// the next writer.
    async fn finish(mut self) {
        self.settle().await;
        let waiting = self.writer.waiting.load(Ordering::SeqCst) > 0;
        let due = self
            .slot
            .group
            .as_ref()
            .is_some_and(|g| !waiting || g.members >= MAX_GROUP_TRANSACTIONS);
        if due {
            self.end_group().await;
        }
    }

    /// Brings the connection back to a known state: the savepoint of a transaction that
    /// ended without commit is rolled back; a group whose outer transaction SQLite rolled
    /// back on its own, or whose savepoint cannot be rolled back, fails.
    async fn settle(&mut self) {
        if self.slot.savepoint {
            let mut undone = self.exec(ROLLBACK_TO).await;
            if undone.is_ok() {
                undone = self.exec(RELEASE).await;
            }
            self.slot.savepoint = false;
            if let Err(e) = undone {
                self.fail_group(e).await;
            }
        }
        if self.slot.group.is_some() && self.writer.rolled_back.load(Ordering::SeqCst) {
            self.fail_group(rolled_back_error()).await;
        }
    }

    /// Commits the group (or, with no transaction in it, rolls it back) and tells its
    /// transactions the outcome.
    async fn end_group(&mut self) {
        let Some(group) = self.slot.group.take() else {
            return;
        };
        let outcome = if group.members == 0 {
            self.exec(ROLLBACK).await
        } else if self.writer.rolled_back.load(Ordering::SeqCst) {
            Err(rolled_back_error())
        } else {
            let committed = self.exec(COMMIT).await;
            if committed.is_ok() {
                self.writer.commits.fetch_add(1, Ordering::SeqCst);
            }
            committed
        };
        if let Err(e) = &outcome {
            tracing::warn!(error = %e, transactions = group.members, "a group commit failed");
            self.rollback_all().await;
        }
        group.outcome.send_replace(Some(outcome));
    }

    /// Rolls the whole group back and fails its transactions with `e`.
    async fn fail_group(&mut self, e: StoreError) {
        self.rollback_all().await;
        if let Some(group) = self.slot.group.take() {
            tracing::warn!(error = %e, transactions = group.members, "a group was rolled back");
            group.outcome.send_replace(Some(Err(e)));
        }
    }

    /// Ends the outer transaction, unless SQLite already did.
    async fn rollback_all(&mut self) {
        if let Err(e) = self.exec(ROLLBACK).await {
            tracing::debug!(error = %e, "rollback after a failed group");
        }
        self.slot.savepoint = false;
    }

    async fn exec(&mut self, statement: &'static str) -> StoreResult<()> {
        sqlx::query(statement)
            .execute(&mut self.slot.conn)
            .await
            .map(|_| ())
            .map_err(map_err)
    }
}

/// Waits for the outcome of the group a committed transaction joined.
pub async fn acknowledged(mut outcome: watch::Receiver<Outcome>) -> StoreResult<()> {
    match outcome.wait_for(Option::is_some).await {
        Ok(done) => match &*done {
            Some(result) => result.clone(),
            None => Err(ended_without_commit()),
        },
        Err(_) => Err(ended_without_commit()),
    }
}

/// Ends the groups that no transaction will end: those left by a transaction dropped
/// without commit, or handed to a writer that stopped waiting.
async fn sweeper(writer: Weak<Writer>, wake: Arc<Notify>) {
    loop {
        wake.notified().await;
        let Some(writer) = writer.upgrade() else {
            return;
        };
        let slot = writer.slot.clone().lock_owned().await;
        if slot.closed {
            return;
        }
        Turn { writer, slot }.finish().await;
    }
}

fn rolled_back_error() -> StoreError {
    StoreError::Unavailable("SQLite rolled the transaction back".into())
}

fn ended_without_commit() -> StoreError {
    StoreError::Unavailable("the transaction's group ended without a commit".into())
}

fn stopped(e: tokio::task::JoinError) -> StoreError {
    StoreError::Unavailable(format!("the writer task stopped: {e}"))
}
