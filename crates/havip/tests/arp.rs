//! The ARP watcher on the real host: a socket on a lab's subnet bridge sees the claims
//! the fabric lets through and never one it drops. Needs root, iproute2, nftables,
//! iputils-arping and procps (CI has them); elsewhere the test prints why it is skipped.
//! The lab has a prefix of its own carrying this process's id, leftovers of dead runs
//! are swept at start, and the lab is removed on drop, also when the test fails.

mod common;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use common::{missing, namespaces, ok, Lab, HAVIP};
use havip_agent::arp::{ArpWatcher, Claim, ClaimKind};
use tokio::sync::mpsc::UnboundedReceiver;

/// One subnet, instances `i-a` (may carry the VIP) and `i-b` (may not).
const SEED: &str = r#"
[[account]]
id = "1000000000000081"
[[vpc]]
id = "vpc-arp"
account = "1000000000000081"
region = "cn-shanghai"
cidr = "10.81.0.0/16"
[[subnet]]
id = "vsw-arp1"
vpc = "vpc-arp"
zone = "cn-shanghai-b"
cidr = "10.81.1.0/24"
[[instance]]
id = "i-a"
subnet = "vsw-arp1"
status = "Running"
primary_eni = "eni-a1"
[[instance]]
id = "i-b"
subnet = "vsw-arp1"
status = "Running"
primary_eni = "eni-b1"
[[eni]]
id = "eni-a1"
subnet = "vsw-arp1"
ip = "10.81.1.10"
mac = "00:16:3e:81:00:01"
[[eni]]
id = "eni-b1"
subnet = "vsw-arp1"
ip = "10.81.1.11"
mac = "00:16:3e:81:00:02"
[[havip]]
id = "havip-arp1"
subnet = "vsw-arp1"
ip = "10.81.1.100"
"#;

const VIP: &str = "10.81.1.100";
const A_MAC: &str = "00:16:3e:81:00:01";
const B_MAC: &str = "00:16:3e:81:00:02";
const CLIENT: &str = "client:vsw-arp1";

const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("nft", "nftables"),
    ("arping", "iputils-arping"),
    ("sysctl", "procps"),
];

/// The claims received within `wait`.
fn drain(rx: &mut UnboundedReceiver<Claim>, wait: Duration) -> Vec<Claim> {
    let deadline = Instant::now() + wait;
    let mut out = Vec::new();
    while Instant::now() < deadline {
        match rx.try_recv() {
            Ok(c) => out.push(c),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    out
}

impl Lab {
    fn vip_drops(&self, who: &str) -> u64 {
        let out = ok(HAVIP, &["lab", "counters", "--prefix", &self.prefix]);
        let line = out
            .lines()
            .find(|l| {
                l.split_once("  ")
                    .is_some_and(|(_, label)| label.starts_with(who))
            })
            .unwrap_or_else(|| panic!("no port of {who} in:\n{out}"));
        line.split_whitespace()
            .find_map(|w| w.strip_prefix("vip="))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no vip count in {line:?}"))
    }

    /// `who` holds the VIP on eth0 and sends `arping FLAG` for it.
    fn announce(&self, who: &str, flag: &str) {
        let shown = self.exec_ok(who, &["ip", "-o", "addr", "show", "dev", "eth0"]);
        if !shown.contains(&format!("inet {VIP}/")) {
            self.exec_ok(
                who,
                &["ip", "addr", "add", &format!("{VIP}/24"), "dev", "eth0"],
            );
        }
        self.exec_ok(who, &["arping", flag, "-c", "1", "-I", "eth0", VIP]);
    }
}

#[test]
fn the_bridge_socket_sees_the_claims_the_fabric_lets_through_only() {
    if let Some(why) = missing(TOOLS) {
        eprintln!("skipped: the ARP watcher test needs root, iproute2, nftables, iputils-arping and procps: {why}");
        return;
    }
    let lab = Lab::new('l', SEED);
    lab.up();
    ok(
        HAVIP,
        &[
            "lab",
            "fabric",
            "--prefix",
            &lab.prefix,
            "--seed",
            &lab.seed_arg(),
            "--associate",
            "havip-arp1=i-a",
        ],
    );
    let prefix: havip_lab::Prefix = lab.prefix.parse().expect("prefix");
    let bridge = havip_lab::bridge(&prefix, "vsw-arp1");
    let (mut watcher, mut rx) = ArpWatcher::for_lab(&prefix);
    let vip: Ipv4Addr = VIP.parse().expect("VIP");
    watcher.only_vips(Some(BTreeSet::from([vip])));

    // A bridge that does not exist is an error, and is tried again next time.
    let later = "nosuchbr0".to_string();
    assert!(watcher
        .watch_bridges(&[bridge.clone(), later.clone()])
        .is_err());
    assert_eq!(watcher.watching(), vec![bridge.clone()]);
    // Idempotent.
    watcher
        .watch_bridges(std::slice::from_ref(&bridge))
        .expect("watch");
    assert_eq!(watcher.watching(), vec![bridge.clone()]);

    // A's gratuitous ARP passes the fabric and is seen, with A's MAC.
    let before = std::time::SystemTime::now();
    lab.announce("i-a", "-U");
    let seen = drain(&mut rx, Duration::from_millis(500));
    assert!(!seen.is_empty(), "A's claim was not seen");
    for c in &seen {
        assert_eq!(c.vip, vip);
        assert_eq!(c.sender_mac, A_MAC);
        assert_eq!(c.bridge, bridge);
        assert_eq!(c.kind, ClaimKind::GratuitousRequest);
        assert!(c.at >= before);
    }

    // B may not carry the VIP: its gratuitous requests and replies are dropped by the
    // fabric (the counter rises) and never seen.
    let drops = lab.vip_drops("i-b eth0");
    lab.announce("i-b", "-U");
    lab.announce("i-b", "-A");
    assert!(lab.vip_drops("i-b eth0") >= drops + 2);
    let seen = drain(&mut rx, Duration::from_millis(500));
    assert!(
        seen.iter().all(|c| c.sender_mac != B_MAC),
        "a dropped claim was seen: {seen:?}"
    );

    // A unicast reply (the client asks for the VIP, A answers) is seen too: the socket
    // puts the bridge in promiscuous mode.
    lab.exec_ok(CLIENT, &["arping", "-c", "1", "-I", "eth0", VIP]);
    let seen = drain(&mut rx, Duration::from_millis(500));
    assert!(
        seen.iter()
            .any(|c| c.kind == ClaimKind::Reply && c.sender_mac == A_MAC),
        "A's reply was not seen: {seen:?}"
    );
    assert!(seen.iter().all(|c| c.sender_mac != B_MAC));

    // Claims on other addresses are filtered out: B's own address is not a VIP.
    lab.exec_ok(
        "i-b",
        &["arping", "-U", "-c", "1", "-I", "eth0", "10.81.1.11"],
    );
    assert!(drain(&mut rx, Duration::from_millis(300)).is_empty());

    // Stopping ends the capture threads.
    watcher.watch_bridges(&[]).expect("unwatch");
    assert!(watcher.watching().is_empty());
    lab.announce("i-a", "-U");
    assert!(drain(&mut rx, Duration::from_millis(300)).is_empty());
    drop(watcher);

    let prefix = lab.prefix.clone();
    drop(lab);
    assert!(
        !namespaces()
            .iter()
            .any(|n| n.starts_with(&format!("{prefix}-"))),
        "the lab is gone"
    );
}
