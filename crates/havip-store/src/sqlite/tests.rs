//! Group commit failures, which need SQL the store's transactions do not offer: a
//! foreign key checked only at the group's COMMIT makes that COMMIT fail.

use std::sync::Arc;
use std::time::Duration;

use crate::{Account, Store, StoreError};

use super::SqliteStore;

fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        name: id.into(),
        created_at: 0,
    }
}

/// Waits until `n` writers are queued for the writer connection.
async fn queued(store: &SqliteStore, n: usize) {
    for _ in 0..500 {
        if store.writer.waiting() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("{n} writers never queued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_group_commit_acknowledges_none_of_its_transactions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));

    // The first transaction of the group breaks a foreign key whose check is deferred
    // to the COMMIT (an access key of an account that does not exist); its savepoint is
    // released without complaint.
    let mut poisoned = store.writer.begin().await.expect("write");
    sqlx::query("PRAGMA defer_foreign_keys = ON")
        .execute(&mut *poisoned)
        .await
        .expect("defer");
    sqlx::query(
        "INSERT INTO access_keys (id, account_id, secret, created_at) \
         VALUES ('AKORPHAN', 'no-such-account', 's', 0)",
    )
    .execute(&mut *poisoned)
    .await
    .expect("insert, checked at commit");

    // Two sound transactions queue behind it and join its group, and a third that only
    // reads what the first wrote (as a ClientToken replay reads the first answer): its
    // commit, too, waits for the group's.
    let mut sound: Vec<_> = ["sound-1", "sound-2"]
        .into_iter()
        .map(|id| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.write().await?;
                tx.insert_account(&account(id)).await?;
                tx.commit().await
            })
        })
        .collect();
    queued(&store, 2).await;
    let reader = store.clone();
    sound.push(tokio::spawn(async move {
        let mut tx = reader.write().await?;
        let seen = tx.access_key("AKORPHAN").await?;
        assert!(
            seen.is_some(),
            "the group's earlier work is visible inside it"
        );
        tx.commit().await
    }));
    queued(&store, 3).await;
    let outcome = poisoned.commit().await.expect("released into the group");

    for t in sound {
        let result = t.await.expect("task");
        assert!(
            matches!(result, Err(StoreError::Unavailable(_))),
            "a transaction of a failed group is not acknowledged: {result:?}"
        );
    }
    assert!(
        super::writer::acknowledged(outcome).await.is_err(),
        "the poisoned transaction is not acknowledged either"
    );

    // The store is as before the group, and the writer goes on.
    let mut read = store.read().await.expect("read");
    assert!(read.accounts().await.expect("accounts").is_empty());
    assert!(read.access_keys(None).await.expect("keys").is_empty());
    drop(read);
    let mut tx = store.write().await.expect("write");
    tx.insert_account(&account("after")).await.expect("insert");
    tx.commit().await.expect("a later group commits");
    let mut read = store.read().await.expect("read");
    assert_eq!(read.accounts().await.expect("accounts").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_that_queue_share_one_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let first = store.writer.begin().await.expect("write");
    let others: Vec<_> = (0..3)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.write().await?;
                tx.insert_account(&account(&format!("queued-{n}"))).await?;
                tx.commit().await
            })
        })
        .collect();
    queued(&store, 3).await;
    let outcome = first.commit().await.expect("released");
    // Nothing is visible, and nothing acknowledged, before the group's commit; the
    // group commits once the last queued transaction ends.
    super::writer::acknowledged(outcome)
        .await
        .expect("committed");
    for t in others {
        t.await.expect("task").expect("committed");
    }
    assert_eq!(
        store.writer.groups_committed(),
        1,
        "one COMMIT for four transactions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_is_committed_at_its_cap_while_writers_still_wait() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let first = store.writer.begin().await.expect("write");
    let queued_writers = super::MAX_GROUP_TRANSACTIONS + 7;
    let others: Vec<_> = (0..queued_writers)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.write().await?;
                tx.insert_account(&account(&format!("queued-{n:03}")))
                    .await?;
                tx.commit().await
            })
        })
        .collect();
    queued(&store, queued_writers).await;
    let outcome = first.commit().await.expect("released");
    super::writer::acknowledged(outcome)
        .await
        .expect("committed");
    for t in others {
        t.await.expect("task").expect("committed");
    }
    // The first group holds the first transaction and 63 queued ones; the 8 others
    // make the second.
    assert_eq!(store.writer.groups_committed(), 2);
    let mut read = store.read().await.expect("read");
    assert_eq!(
        read.accounts().await.expect("accounts").len(),
        queued_writers
    );
}
