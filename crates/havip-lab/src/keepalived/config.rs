//! keepalived's configuration, pure: HaVip groups (a VIP, a virtual router id, the
//! members with their interface, address and priority) become one configuration per
//! instance, with a `vrrp_instance` per group the instance is a member of.
//!
//! Choices: VRRPv3 (`vrrp_version 3`, which takes sub-second `advert_int`; version 2
//! rounds it), unicast adverts between the members' own addresses (`unicast_src_ip`,
//! `unicast_peer`), as the clouds' HaVip guides configure it. Every member starts as
//! BACKUP and preempts by default: the highest priority that is up is the master, so a
//! recovered member with a higher priority takes the VIP back (one short failover);
//! `preempt = false` renders `nopreempt`, which keeps the current master instead. On
//! every transition keepalived runs the notify script, which records the new state with
//! a timestamp in a state file per group, so tests and benchmarks can time takeovers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::Ipv4Net;

/// The advert interval when none is given.
pub const DEFAULT_ADVERT: Duration = Duration::from_secs(1);
/// VRRPv3 counts adverts in centiseconds, 12 bits.
const MAX_ADVERT_CS: u128 = 4095;

/// One HaVip run by keepalived on its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VrrpGroup {
    /// The `vrrp_instance` name (the HaVip id): letters, digits, `_`, `.`, `-`; at most
    /// 64 bytes.
    pub name: String,
    /// The VIP with its subnet's prefix length.
    pub vip: Ipv4Net,
    /// 1 to 255, unique among the groups sharing an interface.
    pub router_id: u8,
    /// A multiple of 10 ms from 10 ms to 40.95 s.
    pub advert: Duration,
    pub preempt: bool,
    pub members: Vec<VrrpMember>,
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VrrpMember {
    /// The instance id (reports only).
    pub instance: String,
    /// The instance's namespace.
    pub namespace: String,
    /// `eth0`, or the ENI's `ethN`.
    pub interface: String,
    /// The member's own address on `interface`: adverts come from it.
    pub ip: Ipv4Addr,
    /// 1 to 254 (255 is the address owner's).
    pub priority: u8,
}

/// Why groups cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VrrpError {
    #[error("VRRP group name {0:?} must be 1 to 64 letters, digits, '_', '.' or '-'")]
    BadName(String),
    #[error("VRRP group {0} appears twice")]
    DuplicateGroup(String),
    #[error("VRRP group {0}: virtual_router_id must be 1 to 255")]
    BadRouterId(String),
    #[error("VRRP group {group}: advert interval {advert:?} must be a multiple of 10 ms from 10 ms to 40.95 s")]
    BadAdvert { group: String, advert: Duration },
    #[error("VRRP group {0} needs at least two members")]
    TooFewMembers(String),
    #[error("VRRP group {group}: member {instance} appears twice")]
    DuplicateMember { group: String, instance: String },
    #[error("VRRP group {group}: member {instance}: priority must be 1 to 254")]
    BadPriority { group: String, instance: String },
    #[error("VRRP group {group}: member {instance}: {what} {value:?} is not a plain name")]
    BadMember {
        group: String,
        instance: String,
        what: &'static str,
        value: String,
    },
    #[error("VRRP groups {first} and {second} both use virtual_router_id {router_id} on {namespace}/{interface}")]
    RouterIdClash {
        namespace: String,
        interface: String,
        router_id: u8,
        first: String,
        second: String,
    },
}

/// What one instance's keepalived runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeepalivedSpec {
    pub instance: String,
    pub namespace: String,
    /// By group name.
    pub vrrp: Vec<VrrpInstance>,
}

/// One group as one member runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VrrpInstance {
    pub group: String,
    pub vip: Ipv4Net,
    pub router_id: u8,
    pub advert: Duration,
    pub preempt: bool,
    pub interface: String,
    pub own_ip: Ipv4Addr,
    pub priority: u8,
    /// The other members' addresses, sorted.
    pub peers: Vec<Ipv4Addr>,
}

/// The files of one instance's keepalived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceFiles {
    pub dir: PathBuf,
}

impl InstanceFiles {
    pub fn new(dir: impl Into<PathBuf>) -> InstanceFiles {
        InstanceFiles { dir: dir.into() }
    }
    pub fn config(&self) -> PathBuf {
        self.dir.join("keepalived.conf")
    }
    pub fn pid(&self) -> PathBuf {
        self.dir.join("keepalived.pid")
    }
    pub fn vrrp_pid(&self) -> PathBuf {
        self.dir.join("vrrp.pid")
    }
    pub fn log(&self) -> PathBuf {
        self.dir.join("keepalived.log")
    }
    pub fn notify(&self) -> PathBuf {
        self.dir.join("notify.sh")
    }
    /// `STATE UNIX_MS` of group `group`, written by the notify script.
    pub fn state(&self, group: &str) -> PathBuf {
        self.dir.join(format!("{group}.state"))
    }
    /// Every transition, one `UNIX_MS GROUP STATE` line each.
    pub fn transitions(&self) -> PathBuf {
        self.dir.join("transitions")
    }
}

fn plain(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn check_group(g: &VrrpGroup) -> Result<(), VrrpError> {
    if !plain(&g.name, 64) {
        return Err(VrrpError::BadName(g.name.clone()));
    }
    if g.router_id == 0 {
        return Err(VrrpError::BadRouterId(g.name.clone()));
    }
    let ms = g.advert.as_millis();
    let cs = ms / 10;
    if !g.advert.subsec_nanos().is_multiple_of(10_000_000) || cs == 0 || cs > MAX_ADVERT_CS {
        return Err(VrrpError::BadAdvert {
            group: g.name.clone(),
            advert: g.advert,
        });
    }
    if g.members.len() < 2 {
        return Err(VrrpError::TooFewMembers(g.name.clone()));
    }
    let mut seen = BTreeSet::new();
    for m in &g.members {
        let bad = |what, value: &str| VrrpError::BadMember {
            group: g.name.clone(),
            instance: m.instance.clone(),
            what,
            value: value.to_string(),
        };
        if !plain(&m.namespace, 255) {
            return Err(bad("namespace", &m.namespace));
        }
        if !plain(&m.interface, 15) {
            return Err(bad("interface", &m.interface));
        }
        if m.priority == 0 || m.priority == 255 {
            return Err(VrrpError::BadPriority {
                group: g.name.clone(),
                instance: m.instance.clone(),
            });
        }
        if !seen.insert(&m.namespace) {
            return Err(VrrpError::DuplicateMember {
                group: g.name.clone(),
                instance: m.instance.clone(),
            });
        }
    }
    Ok(())
}

/// The keepalived of every instance that is a member of a group, by namespace; or the
/// first reason the groups cannot be run.
pub fn specs(groups: &[VrrpGroup]) -> Result<Vec<KeepalivedSpec>, VrrpError> {
    let mut names = BTreeSet::new();
    let mut by_ns: BTreeMap<String, KeepalivedSpec> = BTreeMap::new();
    let mut router_ids: BTreeMap<(String, String, u8), String> = BTreeMap::new();
    for g in groups {
        check_group(g)?;
        if !names.insert(&g.name) {
            return Err(VrrpError::DuplicateGroup(g.name.clone()));
        }
        for m in &g.members {
            let key = (m.namespace.clone(), m.interface.clone(), g.router_id);
            if let Some(first) = router_ids.insert(key, g.name.clone()) {
                return Err(VrrpError::RouterIdClash {
                    namespace: m.namespace.clone(),
                    interface: m.interface.clone(),
                    router_id: g.router_id,
                    first,
                    second: g.name.clone(),
                });
            }
            let mut peers: Vec<Ipv4Addr> = g
                .members
                .iter()
                .filter(|o| o.namespace != m.namespace)
                .map(|o| o.ip)
                .collect();
            peers.sort();
            peers.dedup();
            let spec = by_ns
                .entry(m.namespace.clone())
                .or_insert_with(|| KeepalivedSpec {
                    instance: m.instance.clone(),
                    namespace: m.namespace.clone(),
                    vrrp: Vec::new(),
                });
            spec.vrrp.push(VrrpInstance {
                group: g.name.clone(),
                vip: g.vip,
                router_id: g.router_id,
                advert: g.advert,
                preempt: g.preempt,
                interface: m.interface.clone(),
                own_ip: m.ip,
                priority: m.priority,
                peers,
            });
        }
    }
    let mut out: Vec<KeepalivedSpec> = by_ns.into_values().collect();
    for s in &mut out {
        s.vrrp.sort_by(|a, b| a.group.cmp(&b.group));
    }
    Ok(out)
}

/// `advert_int` in seconds as keepalived reads it: `1`, `0.1`, `2.25`.
pub fn advert_seconds(advert: Duration) -> String {
    let cs = advert.as_millis() / 10;
    let (whole, frac) = (cs / 100, cs % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

impl KeepalivedSpec {
    /// The configuration file, its notify script at `files.notify()`.
    pub fn render(&self, files: &InstanceFiles) -> String {
        let mut s = String::new();
        let notify = files.notify();
        // Writing to a String cannot fail.
        let _ = writeln!(
            s,
            "# havip lab: keepalived of instance {} (namespace {}); generated, do not edit.",
            self.instance.escape_debug(),
            self.namespace
        );
        s.push_str("global_defs {\n");
        let _ = writeln!(s, "    router_id {}", self.namespace);
        s.push_str("    vrrp_version 3\n");
        s.push_str("    enable_script_security\n");
        s.push_str("    script_user root\n");
        s.push_str("}\n");
        for v in &self.vrrp {
            s.push('\n');
            let _ = writeln!(s, "vrrp_instance {} {{", v.group);
            s.push_str("    state BACKUP\n");
            let _ = writeln!(s, "    interface {}", v.interface);
            let _ = writeln!(s, "    virtual_router_id {}", v.router_id);
            let _ = writeln!(s, "    priority {}", v.priority);
            let _ = writeln!(s, "    advert_int {}", advert_seconds(v.advert));
            if !v.preempt {
                s.push_str("    nopreempt\n");
            }
            let _ = writeln!(s, "    unicast_src_ip {}", v.own_ip);
            s.push_str("    unicast_peer {\n");
            for p in &v.peers {
                let _ = writeln!(s, "        {p}");
            }
            s.push_str("    }\n");
            s.push_str("    virtual_ipaddress {\n");
            let _ = writeln!(s, "        {} dev {}", v.vip, v.interface);
            s.push_str("    }\n");
            let _ = writeln!(s, "    notify \"{}\"", notify.display());
            s.push_str("}\n");
        }
        s
    }
}

/// The notify script: keepalived runs it as `SCRIPT INSTANCE|GROUP NAME STATE
/// PRIORITY`; it writes `STATE UNIX_MS` to `DIR/NAME.state` (through a rename, so a
/// reader never sees half a line) and appends `UNIX_MS NAME STATE` to
/// `DIR/transitions`. `dir` holds only characters that need no quoting beyond "".
pub fn notify_script(dir: &Path) -> String {
    let d = dir.display();
    format!(
        r#"#!/bin/sh
# havip lab: keepalived's notify script ($1 INSTANCE|GROUP, $2 name, $3 state, $4 priority).
now=$(date +%s%3N)
printf '%s %s\n' "$3" "$now" > "{d}/$2.state.tmp" && mv -f "{d}/$2.state.tmp" "{d}/$2.state"
printf '%s %s %s\n' "$now" "$2" "$3" >> "{d}/transitions"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(i: &str, ip: [u8; 4], priority: u8) -> VrrpMember {
        VrrpMember {
            instance: i.into(),
            namespace: format!("lab-{i}"),
            interface: "eth0".into(),
            ip: Ipv4Addr::from(ip),
            priority,
        }
    }

    fn group() -> VrrpGroup {
        VrrpGroup {
            name: "havip-1".into(),
            vip: "10.0.1.100/24".parse().unwrap(),
            router_id: 51,
            advert: Duration::from_millis(100),
            preempt: true,
            members: vec![
                member("a", [10, 0, 1, 10], 150),
                member("b", [10, 0, 1, 11], 100),
                member("c", [10, 0, 1, 9], 50),
            ],
        }
    }

    #[test]
    fn a_member_runs_the_group_with_the_others_as_unicast_peers() {
        let specs = specs(&[group()]).unwrap();
        assert_eq!(specs.len(), 3);
        let a = &specs[0];
        assert_eq!(a.namespace, "lab-a");
        let files = InstanceFiles::new("/run/havip-lab/lab/lab-a");
        assert_eq!(
            a.render(&files),
            r#"# havip lab: keepalived of instance a (namespace lab-a); generated, do not edit.
global_defs {
    router_id lab-a
    vrrp_version 3
    enable_script_security
    script_user root
}

vrrp_instance havip-1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 0.1
    unicast_src_ip 10.0.1.10
    unicast_peer {
        10.0.1.9
        10.0.1.11
    }
    virtual_ipaddress {
        10.0.1.100/24 dev eth0
    }
    notify "/run/havip-lab/lab/lab-a/notify.sh"
}
"#
        );
    }

    #[test]
    fn an_instance_in_two_groups_runs_both_and_nopreempt_is_rendered() {
        let mut second = group();
        second.name = "havip-2".into();
        second.vip = "10.0.2.100/24".parse().unwrap();
        second.router_id = 52;
        second.advert = DEFAULT_ADVERT;
        second.preempt = false;
        second.members = vec![
            VrrpMember {
                interface: "eth1".into(),
                ip: Ipv4Addr::new(10, 0, 2, 10),
                ..member("a", [0; 4], 100)
            },
            member("d", [10, 0, 2, 11], 100),
        ];
        let specs = specs(&[second, group()]).unwrap();
        let a = specs.iter().find(|s| s.namespace == "lab-a").unwrap();
        let groups: Vec<&str> = a.vrrp.iter().map(|v| v.group.as_str()).collect();
        assert_eq!(groups, ["havip-1", "havip-2"]);
        let text = a.render(&InstanceFiles::new("/x"));
        let tail = text.split("vrrp_instance havip-2").nth(1).unwrap();
        assert_eq!(
            tail,
            r#" {
    state BACKUP
    interface eth1
    virtual_router_id 52
    priority 100
    advert_int 1
    nopreempt
    unicast_src_ip 10.0.2.10
    unicast_peer {
        10.0.2.11
    }
    virtual_ipaddress {
        10.0.2.100/24 dev eth1
    }
    notify "/x/notify.sh"
}
"#
        );
    }

    #[test]
    fn advert_intervals_in_seconds() {
        let s = |ms| advert_seconds(Duration::from_millis(ms));
        assert_eq!(s(1000), "1");
        assert_eq!(s(100), "0.1");
        assert_eq!(s(10), "0.01");
        assert_eq!(s(2250), "2.25");
        assert_eq!(s(40950), "40.95");
    }

    #[test]
    fn groups_that_cannot_run_are_refused() {
        let refused = |f: &dyn Fn(&mut VrrpGroup)| {
            let mut g = group();
            f(&mut g);
            specs(&[g]).unwrap_err()
        };
        assert!(matches!(
            refused(&|g| g.name = "a b".into()),
            VrrpError::BadName(_)
        ));
        assert!(matches!(
            refused(&|g| g.router_id = 0),
            VrrpError::BadRouterId(_)
        ));
        for ms in [0, 5, 105, 41_000] {
            assert!(matches!(
                refused(&|g| g.advert = Duration::from_millis(ms)),
                VrrpError::BadAdvert { .. }
            ));
        }
        assert!(matches!(
            refused(&|g| g.members.truncate(1)),
            VrrpError::TooFewMembers(_)
        ));
        assert!(matches!(
            refused(&|g| g.members[1].priority = 255),
            VrrpError::BadPriority { .. }
        ));
        assert!(matches!(
            refused(&|g| g.members[1].namespace = "lab-a".into()),
            VrrpError::DuplicateMember { .. }
        ));
        assert!(matches!(
            refused(&|g| g.members[0].interface = "eth0; rm".into()),
            VrrpError::BadMember {
                what: "interface",
                ..
            }
        ));
        assert!(matches!(
            specs(&[group(), group()]).unwrap_err(),
            VrrpError::DuplicateGroup(_)
        ));
        let mut other = group();
        other.name = "havip-9".into();
        assert!(matches!(
            specs(&[group(), other]).unwrap_err(),
            VrrpError::RouterIdClash { router_id: 51, .. }
        ));
    }

    #[test]
    fn the_notify_script_records_state_and_time() {
        let script = notify_script(Path::new("/run/havip-lab/lab/lab-a"));
        assert!(script.starts_with("#!/bin/sh\n"));
        assert!(script.contains(
            r#"> "/run/havip-lab/lab/lab-a/$2.state.tmp" && mv -f "/run/havip-lab/lab/lab-a/$2.state.tmp" "/run/havip-lab/lab/lab-a/$2.state""#
        ));
        assert!(script.contains("date +%s%3N"));
    }
}
