//! `havip serve` keeps its secrets private: started on a missing data directory it creates
//! it 0700 and the store files and admin token 0600; a lax existing directory is reported;
//! an admin token shorter than 32 characters stops it with a clear message.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_havip");
const LONG_TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn serve(data_dir: &Path, token: Option<&str>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env_remove("HAVIP_ADMIN_TOKEN")
        .env_remove("HAVIP_DATABASE_URL")
        .env("HAVIP_LOG", "warn")
        .stdin(Stdio::null());
    if let Some(t) = token {
        cmd.env("HAVIP_ADMIN_TOKEN", t);
    }
    cmd
}

/// Kills the server when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server and waits for its `listening on` line.
fn start(data_dir: &Path) -> Running {
    let mut child = serve(data_dir, Some(LONG_TOKEN))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn havip");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read");
    assert!(line.starts_with("listening on "), "{line:?}");
    running
}

/// Runs the server to its end (at most 60 s) and returns its exit status and stderr.
fn run_to_end(mut cmd: Command) -> (std::process::ExitStatus, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn havip");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("wait").is_some() {
            let out = child.wait_with_output().expect("output");
            return (
                out.status,
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("havip did not stop");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_new_data_dir_and_its_files_are_owner_only() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let _server = start(&dir);
    assert_eq!(mode(&dir), 0o700);
    for name in [
        "havip.sqlite3",
        "havip.sqlite3-wal",
        "havip.sqlite3-shm",
        "admin-token",
    ] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
}

#[test]
fn a_short_admin_token_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = run_to_end(serve(&tmp.path().join("data"), Some("too-short-token")));
    assert!(!status.success());
    assert!(
        stderr.contains("HAVIP_ADMIN_TOKEN has 15 characters") && stderr.contains("at least 32"),
        "{stderr}"
    );
}

#[test]
fn a_short_admin_token_file_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("admin-token"), "short\n").expect("write");
    let (status, stderr) = run_to_end(serve(&dir, None));
    assert!(!status.success());
    assert!(stderr.contains("has 5 characters"), "{stderr}");
}

#[test]
fn a_lax_existing_data_dir_is_reported_not_changed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // A short token stops the server once the directory has been looked at.
    let (status, stderr) = run_to_end(serve(&dir, Some("short")));
    assert!(!status.success());
    assert!(
        stderr.contains("WARN") && stderr.contains("can be read by group or others"),
        "{stderr}"
    );
    assert_eq!(mode(&dir), 0o755);
}
