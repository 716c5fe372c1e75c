//! `havip lab down`: removes every namespace of a lab, found by its prefix alone (so it
//! also cleans up after a crash or a seed that changed). All of a lab's links live in
//! its namespaces, so they go with them; processes still running in a namespace (a
//! user's keepalived) are stopped first, or they would keep its interfaces alive; the
//! lab's keepalived directory (`/run/havip-lab/PREFIX/`) goes too. The lab's lock
//! ([`crate::lock`]) is held throughout.

use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::error::LabError;
use crate::host::Host;
use crate::keepalived;
use crate::lock;
use crate::names::{is_lab_namespace, Prefix};
use crate::state;

/// How long processes get to exit after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

/// What `down` removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownReport {
    pub namespaces: Vec<String>,
    /// Processes that were stopped.
    pub stopped: Vec<u32>,
}

/// Removes every namespace of the lab with prefix `prefix`.
pub fn down(host: &Host, prefix: &Prefix) -> Result<DownReport, LabError> {
    let lock = lock::lock(prefix)?;
    let report = down_locked(host, prefix)?;
    lock.remove()?;
    Ok(report)
}

/// [`down`], with the lab's lock already held.
pub(crate) fn down_locked(host: &Host, prefix: &Prefix) -> Result<DownReport, LabError> {
    let mut report = DownReport::default();
    let mut first_error = None;
    // The lab's keepalived first (their files name them), then whatever else runs in
    // the namespaces.
    if let Err(e) = keepalived::process::remove_all(host, prefix) {
        first_error = Some(e);
    }
    for ns in state::namespaces(host)? {
        if !is_lab_namespace(prefix, &ns) {
            continue;
        }
        // Go on with the other namespaces after a failure, then report the first one.
        let result = stop_processes(host, &ns)
            .and_then(|pids| {
                report.stopped.extend(pids);
                host.ip(&["netns", "del", &ns])
            })
            .map(|_| report.namespaces.push(ns.clone()));
        if let Err(e) = result {
            first_error.get_or_insert(e);
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

fn pids(host: &Host, ns: &str) -> Result<Vec<u32>, LabError> {
    let out = host.ip(&["netns", "pids", ns])?;
    Ok(out
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect())
}

/// Stops the processes in `ns`: SIGTERM, then SIGKILL after [`GRACE`].
pub(crate) fn stop_processes(host: &Host, ns: &str) -> Result<Vec<u32>, LabError> {
    let first = pids(host, ns)?;
    if first.is_empty() {
        return Ok(first);
    }
    for signal in ["-TERM", "-KILL"] {
        let now = pids(host, ns)?;
        if now.is_empty() {
            return Ok(first);
        }
        let ids: Vec<String> = now.iter().map(u32::to_string).collect();
        let mut args = vec![signal, "--"];
        args.extend(ids.iter().map(String::as_str));
        // A process may exit between listing and signalling: that is not an error.
        let _ = host.kill(&args);
        let deadline = Instant::now() + GRACE;
        while Instant::now() < deadline {
            if pids(host, ns)?.is_empty() {
                return Ok(first);
            }
            sleep(Duration::from_millis(50));
        }
    }
    let left = pids(host, ns)?;
    if left.is_empty() {
        Ok(first)
    } else {
        Err(LabError::Busy {
            namespace: ns.to_string(),
            pids: left,
        })
    }
}
