//! Group commit on the embedded store: concurrent write transactions share one commit,
//! yet each lands exactly when it committed, nothing is acknowledged before it is
//! committed, and a transaction that ends without commit leaves the others' work alone.

use std::sync::Arc;
use std::time::Duration;

use havip_store::sqlite::SqliteStore;
use havip_store::{Account, Store};

fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        name: format!("name of {id}"),
        created_at: 0,
    }
}

async fn account_ids(store: &dyn Store) -> Vec<String> {
    let mut tx = store.read().await.expect("read");
    let mut ids: Vec<String> = tx
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .map(|a| a.id)
        .collect();
    ids.sort();
    ids
}

/// Inserts `id`; commits it when `commit`, else drops the transaction (after a pause, so
/// that other transactions of the group run before and after it).
async fn insert(store: Arc<SqliteStore>, id: String, commit: bool) -> Result<(), String> {
    let mut tx = store.write().await.map_err(|e| e.to_string())?;
    tx.insert_account(&account(&id))
        .await
        .map_err(|e| e.to_string())?;
    if commit {
        tx.commit().await.map_err(|e| e.to_string())
    } else {
        tokio::task::yield_now().await;
        drop(tx);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_and_rollbacks_land_exactly_the_committed_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let mut tasks = Vec::new();
    let mut expected = Vec::new();
    for n in 0..400 {
        let id = format!("acct-{n:04}");
        // Every third transaction is dropped without commit.
        let commit = n % 3 != 0;
        if commit {
            expected.push(id.clone());
        }
        tasks.push(tokio::spawn(insert(store.clone(), id, commit)));
    }
    for t in tasks {
        t.await
            .expect("task")
            .expect("every commit is acknowledged");
    }
    expected.sort();
    assert_eq!(account_ids(store.as_ref()).await, expected);
    // And so it stays after a restart on the same file.
    store.close().await;
    let again = SqliteStore::open(dir.path()).await.expect("reopen");
    assert_eq!(account_ids(&again).await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_committed_transaction_is_visible_to_the_next_read_on_any_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    // Another handle on the same file: its own connections, as another process has.
    let other = Arc::new(SqliteStore::open(dir.path()).await.expect("second handle"));
    let mut tasks = Vec::new();
    for client in 0..32 {
        let (store, other) = (store.clone(), other.clone());
        tasks.push(tokio::spawn(async move {
            for round in 0..8 {
                let id = format!("acct-{client:02}-{round}");
                let mut tx = store.write().await.expect("write");
                tx.insert_account(&account(&id)).await.expect("insert");
                tx.commit().await.expect("commit");
                // Right after the acknowledgement, a new read transaction, on this
                // handle's readers and on the other handle's, finds the row.
                for s in [&store, &other] {
                    let mut read = s.read().await.expect("read");
                    assert!(
                        read.account(&id).await.expect("account").is_some(),
                        "{id} acknowledged but not visible"
                    );
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("client");
    }
    assert_eq!(account_ids(store.as_ref()).await.len(), 32 * 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_transaction_frees_the_write_lock_for_another_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).await.expect("store");
    let other = SqliteStore::open(dir.path()).await.expect("second handle");
    let mut tx = store.write().await.expect("write");
    tx.insert_account(&account("dropped"))
        .await
        .expect("insert");
    drop(tx);
    // The other handle's writer gets SQLite's write lock at once (not after the busy
    // timeout), so the dropped transaction's group did not stay open.
    let landed = tokio::time::timeout(Duration::from_secs(3), async {
        let mut tx = other.write().await.expect("write");
        tx.insert_account(&account("kept")).await.expect("insert");
        tx.commit().await.expect("commit");
    })
    .await;
    assert!(landed.is_ok(), "the write lock was held after the drop");
    assert_eq!(account_ids(&store).await, vec!["kept".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_writing_at_once_both_land_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handles = [
        Arc::new(SqliteStore::open(dir.path()).await.expect("store")),
        Arc::new(SqliteStore::open(dir.path()).await.expect("second handle")),
    ];
    let mut tasks = Vec::new();
    for n in 0..200 {
        let store = handles[n % 2].clone();
        tasks.push(tokio::spawn(insert(store, format!("acct-{n:03}"), true)));
    }
    for t in tasks {
        t.await.expect("task").expect("commit");
    }
    for h in &handles {
        assert_eq!(account_ids(h.as_ref()).await.len(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_cut_short_is_rolled_back_and_the_writer_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let (started, mut is_started) = tokio::sync::mpsc::channel(1);
    let held = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx = store.write().await.expect("write");
            tx.insert_account(&account("cut-short"))
                .await
                .expect("insert");
            started.send(()).await.expect("signal");
            std::future::pending::<()>().await;
        })
    };
    is_started.recv().await.expect("the transaction started");
    // A writer queued behind the transaction that is cut short.
    let queued = tokio::spawn(insert(store.clone(), "queued".into(), true));
    tokio::time::sleep(Duration::from_millis(50)).await;
    held.abort();
    tokio::time::timeout(Duration::from_secs(3), queued)
        .await
        .expect("the queued writer went on")
        .expect("task")
        .expect("commit");
    insert(store.clone(), "after".into(), true)
        .await
        .expect("commit");
    assert_eq!(
        account_ids(store.as_ref()).await,
        vec!["after".to_string(), "queued".to_string()]
    );
}
