//! The native API's admin token: generated at first start into `<data-dir>/admin-token`
//! (mode 0600) and read from there afterwards; `HAVIP_ADMIN_TOKEN` is accepted as well.
//! A token shorter than [`MIN_LEN`] characters, from either place, is refused at start.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::distributions::Alphanumeric;
use rand::Rng;

pub const FILE: &str = "admin-token";
/// The environment variable that gives a second accepted token.
pub const ENV: &str = "HAVIP_ADMIN_TOKEN";
/// The shortest admin token accepted, in characters.
pub const MIN_LEN: usize = 32;
/// The length of a generated token (alphanumeric characters).
const GENERATED_LEN: usize = 40;

/// Why the admin tokens could not be had.
#[derive(Debug, thiserror::Error)]
pub enum AdminTokenError {
    #[error(
        "the admin token in {origin} has {len} characters; an admin token needs at least \
         {MIN_LEN} (for example `openssl rand -hex 20`)"
    )]
    TooShort { origin: String, len: usize },
    #[error("writing the admin token into {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The tokens the native API accepts: the one in the data directory (created if missing)
/// and, if set, the one in `HAVIP_ADMIN_TOKEN`.
pub fn load_or_create(data_dir: &Path) -> Result<Vec<String>, AdminTokenError> {
    let path = data_dir.join(FILE);
    let token = match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => {
            crate::data_dir::warn_if_open(&path, "admin token file");
            checked(text.trim(), || path.display().to_string())?
        }
        _ => {
            let token: String = rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(GENERATED_LEN)
                .map(char::from)
                .collect();
            write_private(&path, &token).map_err(|source| AdminTokenError::Write {
                path: path.clone(),
                source,
            })?;
            token
        }
    };
    let mut tokens = vec![token];
    if let Ok(env) = std::env::var(ENV) {
        if !env.trim().is_empty() {
            tokens.push(checked(env.trim(), || ENV.to_string())?);
        }
    }
    Ok(tokens)
}

/// `token` if it is long enough; `origin` names where it came from.
fn checked(token: &str, origin: impl Fn() -> String) -> Result<String, AdminTokenError> {
    let len = token.chars().count();
    if len < MIN_LEN {
        return Err(AdminTokenError::TooShort {
            origin: origin(),
            len,
        });
    }
    Ok(token.to_string())
}

fn write_private(path: &Path, token: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(token.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tokens_are_refused_long_ones_kept() {
        assert!(matches!(
            checked("short", || "x".into()),
            Err(AdminTokenError::TooShort { len: 5, .. })
        ));
        let long = "a".repeat(MIN_LEN);
        assert_eq!(checked(&long, || "x".into()).ok(), Some(long.clone()));
        // Characters, not bytes: 31 two-byte characters are still too short.
        assert!(checked(&"é".repeat(MIN_LEN - 1), || "x".into()).is_err());
    }

    #[test]
    fn a_short_token_file_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(FILE), "tooshort\n").expect("write");
        let err = load_or_create(dir.path()).expect_err("refused");
        assert!(err.to_string().contains("has 8 characters"), "{err}");
    }

    #[test]
    fn a_generated_token_is_long_enough_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = load_or_create(dir.path()).expect("created");
        assert_eq!(first[0].len(), GENERATED_LEN);
        let again = load_or_create(dir.path()).expect("read");
        assert_eq!(again[0], first[0]);
    }
}
