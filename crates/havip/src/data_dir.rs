//! The data directory, kept private: created with mode 0700 when missing; an existing
//! directory, store file or admin-token file that group or others can read is reported
//! with a warning at start, never changed behind the operator's back.

use std::path::{Path, PathBuf};

use havip_store::sqlite::{DB_FILE, NONCE_FILE};

/// Why the data directory could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("creating the data directory {}: {source}", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the data directory {} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
}

/// Creates `dir` (mode 0700) if it is missing; otherwise warns about whatever in it is
/// open to group or others: the directory and the SQLite files (the admin token file is
/// checked where it is read, [`crate::admin_token`]).
pub fn prepare(dir: &Path) -> Result<(), DataDirError> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {
            warn_if_open(dir, "data directory");
            for file in [DB_FILE, NONCE_FILE] {
                for suffix in ["", "-wal", "-shm"] {
                    warn_if_open(&dir.join(format!("{file}{suffix}")), "store file");
                }
            }
            Ok(())
        }
        Ok(_) => Err(DataDirError::NotADirectory {
            path: dir.to_path_buf(),
        }),
        Err(_) => create_private(dir).map_err(|source| DataDirError::Create {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

fn create_private(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// The permission bits of `path` that let group or others in, if it exists.
#[cfg(unix)]
pub fn open_bits(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    Some(mode & 0o077).filter(|bits| *bits != 0)
}

#[cfg(not(unix))]
pub fn open_bits(_path: &Path) -> Option<u32> {
    None
}

/// Warns (on stderr, through tracing) when `path` exists and group or others may use it.
pub fn warn_if_open(path: &Path, what: &str) {
    if let Some(bits) = open_bits(path) {
        tracing::warn!(
            path = %path.display(),
            group_other_bits = format!("{bits:03o}"),
            "the {what} can be read by group or others; it holds or guards access-key \
             secrets: restrict it to its owner (chmod go-rwx)"
        );
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o777)
    }

    #[test]
    fn a_missing_directory_is_created_private() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("a/b");
        prepare(&dir).expect("prepare");
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn an_existing_directory_is_left_as_it_is() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        prepare(tmp.path()).expect("prepare");
        assert_eq!(mode(tmp.path()), 0o755);
        assert_eq!(open_bits(tmp.path()), Some(0o055));
    }

    #[test]
    fn a_file_is_not_a_data_directory() {
        let tmp = tempfile::NamedTempFile::new().expect("tempfile");
        assert!(matches!(
            prepare(tmp.path()),
            Err(DataDirError::NotADirectory { .. })
        ));
    }
}
