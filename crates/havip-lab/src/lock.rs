//! One `up` or `down` of a prefix at a time: an exclusive `flock` on
//! `/run/havip-lab/PREFIX.lock` (the directory 0700, the file 0600, both created on
//! first use), held until the operation returns. The lock belongs to the open file, so
//! it is released when the process dies. `down` removes the file while it holds the
//! lock; a waiter that then gets the lock on the removed file sees that the path no
//! longer names it and starts over, so two holders never coexist.

use std::fs::{DirBuilder, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use fs4::FileExt;

use crate::error::LabError;
use crate::names::Prefix;

/// Where the lock files are.
pub const LOCK_DIR: &str = "/run/havip-lab";

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct LabLock {
    // Closing the file releases the lock.
    _file: File,
    path: PathBuf,
}

impl LabLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Waits for and takes the lock of `prefix` in [`LOCK_DIR`].
pub fn lock(prefix: &Prefix) -> Result<LabLock, LabError> {
    lock_in(Path::new(LOCK_DIR), prefix)
}

/// Waits for and takes the lock of `prefix` in `dir`.
pub fn lock_in(dir: &Path, prefix: &Prefix) -> Result<LabLock, LabError> {
    let path = dir.join(format!("{prefix}.lock"));
    let error = |source| LabError::Lock {
        path: path.clone(),
        source,
    };
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(error)?;
    loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(error)?;
        FileExt::lock(&file).map_err(error)?;
        let held = file.metadata().map_err(error)?;
        match std::fs::metadata(&path) {
            Ok(now) if now.dev() == held.dev() && now.ino() == held.ino() => {
                return Ok(LabLock { _file: file, path });
            }
            // Removed (or replaced) while this process waited: lock the new one.
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(error(e)),
        }
    }
}

impl LabLock {
    /// Removes the lock file, still holding the lock (the lab is gone).
    pub(crate) fn remove(&self) -> Result<(), LabError> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(LabError::Lock {
                path: self.path.clone(),
                source: e,
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_second_holder_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let locks = dir.path().join("locks");
        let p: Prefix = "lab".parse().unwrap();
        let first = lock_in(&locks, &p).unwrap();
        let mode = std::fs::metadata(first.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(&locks).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);

        let (tx, rx) = mpsc::channel();
        let waiter = {
            let locks = locks.clone();
            let p = p.clone();
            std::thread::spawn(move || {
                let held = lock_in(&locks, &p).unwrap();
                tx.send(()).unwrap();
                drop(held);
            })
        };
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "the second lock must wait"
        );
        // Another prefix does not wait.
        let other = lock_in(&locks, &"lab2".parse().unwrap()).unwrap();
        drop(other);
        drop(first);
        rx.recv_timeout(Duration::from_secs(5))
            .expect("taken once released");
        waiter.join().unwrap();
    }

    #[test]
    fn a_waiter_on_a_removed_file_takes_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let p: Prefix = "lab".parse().unwrap();
        let first = lock_in(dir.path(), &p).unwrap();
        let (tx, rx) = mpsc::channel();
        let waiter = {
            let dir = dir.path().to_path_buf();
            let p = p.clone();
            std::thread::spawn(move || {
                let held = lock_in(&dir, &p).unwrap();
                tx.send(()).unwrap();
                // Hold it until the main thread has tried too.
                std::thread::sleep(Duration::from_millis(300));
                drop(held);
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        first.remove().unwrap();
        assert!(!first.path().exists());
        drop(first);
        rx.recv_timeout(Duration::from_secs(5)).expect("the waiter");
        // The waiter holds the file at the path now: a newcomer waits for it.
        let start = std::time::Instant::now();
        let again = lock_in(dir.path(), &p).unwrap();
        assert!(start.elapsed() >= Duration::from_millis(100));
        drop(again);
        waiter.join().unwrap();
    }
}
