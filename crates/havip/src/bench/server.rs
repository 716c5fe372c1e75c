//! The havip under test when no `--url` is given: this same binary started as a child
//! process (`havip serve`) on a free port, with a fresh temporary data directory and a seed
//! whose HaVip quotas leave room for the benchmark's fixtures.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::BenchError;

/// The example seed, built in so that the benchmark runs from any directory.
pub const EXAMPLE_SEED: &str = include_str!("../../../../examples/seed.toml");

/// How long the child may take to print its `listening on` line.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running child server; stopped (SIGTERM, then killed) by [`Server::stop`] or on drop.
pub struct Server {
    child: Child,
    pub url: String,
    pub admin_token: String,
    _dir: tempfile::TempDir,
}

/// `seed` with every cloud's `havips_per_region` raised to at least `havips`, so that the
/// HaVips the benchmark creates are not refused by the quota.
pub fn seed_with_quota(seed: &str, havips: u64) -> Result<String, BenchError> {
    let mut doc: toml::Table = seed
        .parse()
        .map_err(|e: toml::de::Error| BenchError::Seed(e.to_string()))?;
    let limits = doc
        .entry("limits")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(limits) = limits else {
        return Err(BenchError::Seed("limits is not a table".into()));
    };
    let want = i64::try_from(havips).unwrap_or(i64::MAX);
    for cloud in ["aliyun", "volcengine", "huawei"] {
        let table = limits
            .entry(cloud)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(table) = table else {
            return Err(BenchError::Seed(format!("limits.{cloud} is not a table")));
        };
        let have = table
            .get("havips_per_region")
            .and_then(toml::Value::as_integer)
            .unwrap_or(0);
        table.insert(
            "havips_per_region".into(),
            toml::Value::Integer(have.max(want)),
        );
    }
    toml::to_string(&doc).map_err(|e| BenchError::Seed(e.to_string()))
}

impl Server {
    /// Starts `exe serve` on 127.0.0.1:0 with `seed` and waits until it listens.
    pub async fn start(exe: &Path, seed: &str) -> Result<Server, BenchError> {
        Server::start_with(exe, seed, &[]).await
    }

    /// Like [`Server::start`], with more `serve` flags.
    pub async fn start_with(exe: &Path, seed: &str, extra: &[&str]) -> Result<Server, BenchError> {
        let dir = tempfile::tempdir().map_err(BenchError::Io)?;
        let data = dir.path().join("data");
        let seed_path = dir.path().join("seed.toml");
        std::fs::write(&seed_path, seed).map_err(BenchError::Io)?;
        let mut child = Command::new(exe)
            .arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(&data)
            .arg("--seed")
            .arg(&seed_path)
            .args(extra)
            .env_remove("HAVIP_DATABASE_URL")
            .env_remove("HAVIP_ADMIN_TOKEN")
            .env_remove("HAVIP_LISTEN")
            .env_remove("HAVIP_DATA_DIR")
            .env_remove("HAVIP_SEED")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(BenchError::Io)?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Start("no stdout".into()))?;
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(url) = line.strip_prefix("listening on ") {
                    return Ok(Some(url.trim().to_string()));
                }
            }
            Ok::<_, std::io::Error>(None)
        })
        .await
        .map_err(|_| BenchError::Start("it did not listen within 60 s".into()))?
        .map_err(BenchError::Io)?
        .ok_or_else(|| BenchError::Start("it exited before listening".into()))?;
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let admin_token = std::fs::read_to_string(data.join(crate::admin_token::FILE))
            .map_err(BenchError::Io)?
            .trim()
            .to_string();
        Ok(Server {
            child,
            url,
            admin_token,
            _dir: dir,
        })
    }

    /// Asks the child to stop (SIGTERM) and waits a little; kills it if it lingers.
    pub async fn stop(mut self) {
        #[cfg(unix)]
        if let Some(pid) = self.child.id().and_then(|p| i32::try_from(p).ok()) {
            // SAFETY: sending a signal to our own child process by its id.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            self.child.kill().await.ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_is_raised_and_the_seed_still_parses() {
        let text = seed_with_quota(EXAMPLE_SEED, 500).expect("seed");
        let doc: toml::Table = text.parse().expect("toml");
        assert_eq!(
            doc["limits"]["volcengine"]["havips_per_region"].as_integer(),
            Some(500)
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("seed.toml");
        std::fs::write(&path, &text).expect("write");
        let seed = havip_seed::load_seed(&path).expect("loads");
        assert_eq!(seed.accounts.len(), 1);
    }
}
