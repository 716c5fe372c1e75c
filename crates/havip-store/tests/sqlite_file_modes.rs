//! The embedded store's files are private: the database and its `-wal` and `-shm` files
//! are created with mode 0600 whatever the process umask allows, and a store reopened
//! keeps them so.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use havip_store::sqlite::{SqliteStore, DB_FILE};
use havip_store::{Account, Store};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn database_wal_and_shm_are_owner_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).await.expect("store");
    let mut tx = store.write().await.expect("write");
    tx.insert_account(&Account {
        id: "1000000000000001".into(),
        name: "a".into(),
        created_at: 0,
    })
    .await
    .expect("insert");
    tx.commit().await.expect("commit");
    for suffix in ["", "-wal", "-shm"] {
        let path = dir.path().join(format!("{DB_FILE}{suffix}"));
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    store.close().await;
    let again = SqliteStore::open(dir.path()).await.expect("reopen");
    assert_eq!(mode(&dir.path().join(DB_FILE)), 0o600);
    again.close().await;
}
