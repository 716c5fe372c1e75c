//! The native API's admin token: generated at first start into `<data-dir>/admin-token`
//! (mode 0600) and read from there afterwards; `HAVIP_ADMIN_TOKEN` is accepted as well.

use std::io::Write;
use std::path::Path;

use rand::distributions::Alphanumeric;
use rand::Rng;

pub const FILE: &str = "admin-token";

/// The tokens the native API accepts: the one in the data directory (created if missing)
/// and, if set, the one in `HAVIP_ADMIN_TOKEN`.
pub fn load_or_create(data_dir: &Path) -> std::io::Result<Vec<String>> {
    let path = data_dir.join(FILE);
    let token = match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => text.trim().to_string(),
        _ => {
            let token: String = rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(40)
                .map(char::from)
                .collect();
            write_private(&path, &token)?;
            token
        }
    };
    let mut tokens = vec![token];
    if let Ok(env) = std::env::var("HAVIP_ADMIN_TOKEN") {
        if !env.trim().is_empty() {
            tokens.push(env.trim().to_string());
        }
    }
    Ok(tokens)
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
