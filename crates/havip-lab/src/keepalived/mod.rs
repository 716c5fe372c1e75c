//! keepalived in the lab: the users' side of a HaVip, one keepalived per instance
//! namespace running VRRP for every HaVip group the instance is a member of.
//!
//! - [`config`]: groups in, one configuration per instance out (pure, golden-tested).
//! - [`process`]: start, reload and stop keepalived through `ip netns exec`, with its
//!   files under `/run/havip-lab/PREFIX/NAMESPACE/`.
//! - [`converge`]: makes the lab run exactly the wanted keepalived (start the missing,
//!   reload the changed, stop the unwanted); `havip_lab::down` stops them all and
//!   removes the directory.

pub mod config;
pub mod process;

use std::time::SystemTime;

use crate::error::LabError;
use crate::host::Host;
use crate::lock;
use crate::names::Prefix;

pub use config::{
    specs, InstanceFiles, KeepalivedSpec, VrrpError, VrrpGroup, VrrpInstance, VrrpMember,
    DEFAULT_ADVERT,
};
pub use process::{files, lab_dir, Ensured};

/// What [`converge`] did, by namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeepalivedReport {
    pub started: Vec<String>,
    pub reloaded: Vec<String>,
    pub stopped: Vec<String>,
    pub unchanged: Vec<String>,
}

impl KeepalivedReport {
    pub fn changed(&self) -> bool {
        !(self.started.is_empty() && self.reloaded.is_empty() && self.stopped.is_empty())
    }
}

/// Makes the lab with prefix `prefix` run the keepalived of `groups` and no other: each
/// member's namespace must exist. Holds the lab's lock.
pub fn converge(
    host: &Host,
    prefix: &Prefix,
    groups: &[VrrpGroup],
) -> Result<KeepalivedReport, LabError> {
    let wanted = specs(groups)?;
    let _lock = lock::lock(prefix)?;
    let mut report = KeepalivedReport::default();
    for ns in process::existing(prefix)? {
        if !wanted.iter().any(|s| s.namespace == ns) {
            process::remove(host, prefix, &ns)?;
            report.stopped.push(ns);
        }
    }
    for spec in &wanted {
        let into = match process::ensure(host, prefix, spec)? {
            Ensured::Started => &mut report.started,
            Ensured::Reloaded => &mut report.reloaded,
            Ensured::Unchanged => &mut report.unchanged,
        };
        into.push(spec.namespace.clone());
    }
    Ok(report)
}

/// A VRRP state as the notify script records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VrrpState {
    Master,
    Backup,
    Fault,
    Stop,
}

/// The last state the notify script recorded for `group` in `namespace`, and when.
pub fn recorded_state(
    prefix: &Prefix,
    namespace: &str,
    group: &str,
) -> Option<(VrrpState, SystemTime)> {
    let text = std::fs::read_to_string(files(prefix, namespace).state(group)).ok()?;
    parse_state(&text)
}

/// `STATE UNIX_MS`.
pub fn parse_state(text: &str) -> Option<(VrrpState, SystemTime)> {
    let mut words = text.split_whitespace();
    let state = match words.next()? {
        "MASTER" => VrrpState::Master,
        "BACKUP" => VrrpState::Backup,
        "FAULT" => VrrpState::Fault,
        "STOP" => VrrpState::Stop,
        _ => return None,
    };
    let ms: u64 = words.next()?.parse().ok()?;
    Some((
        state,
        SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(ms),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn state_files_read() {
        let (s, at) = parse_state("MASTER 1700000000123\n").unwrap();
        assert_eq!(s, VrrpState::Master);
        assert_eq!(
            at,
            SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123)
        );
        assert_eq!(parse_state("BACKUP 1").unwrap().0, VrrpState::Backup);
        assert!(parse_state("").is_none());
        assert!(parse_state("MASTER").is_none());
        assert!(parse_state("WHAT 1").is_none());
        assert!(parse_state("MASTER x").is_none());
    }
}
