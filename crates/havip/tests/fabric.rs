//! `havip lab fabric` and `havip lab counters` on the real host: a lab's fabric lets a
//! VIP be claimed only from the ports of its HaVip's members, and every port send only
//! its own MAC; `havip_fabric::Fabric` changes set elements on its fast path and
//! repairs hand edits when it verifies. Needs root, iproute2, nftables, iputils-arping, iputils-ping and procps
//! (CI has them); elsewhere the tests print why they are skipped. Each test's lab has a
//! prefix of its own carrying this process's id, leftovers of dead runs are swept at
//! start, and the lab is removed on drop, also when the test fails.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{missing, namespaces, ok, ping, run, text, Lab, HAVIP};
use havip_fabric::{CounterKind, Fabric, FabricState, HavipRule, Mode, Nft, Path, Ruleset};
use havip_lab::{LabPlan, Prefix};

/// One subnet: `i-a` (an explicit primary ENI and a second ENI), `i-b` (an implicit
/// primary ENI) and a HaVip.
const SEED: &str = r#"
[[account]]
id = "1000000000000079"
[[vpc]]
id = "vpc-fab"
account = "1000000000000079"
region = "cn-shanghai"
cidr = "10.79.0.0/16"
[[subnet]]
id = "vsw-fab1"
vpc = "vpc-fab"
zone = "cn-shanghai-b"
cidr = "10.79.1.0/24"
[[instance]]
id = "i-a"
subnet = "vsw-fab1"
status = "Running"
primary_eni = "eni-a1"
[[instance]]
id = "i-b"
subnet = "vsw-fab1"
status = "Running"
[[eni]]
id = "eni-a1"
subnet = "vsw-fab1"
ip = "10.79.1.10"
mac = "00:16:3e:79:00:01"
[[eni]]
id = "eni-a2"
subnet = "vsw-fab1"
instance = "i-a"
[[havip]]
id = "havip-fab1"
subnet = "vsw-fab1"
ip = "10.79.1.100"
"#;

const VIP: &str = "10.79.1.100";
const CLIENT: &str = "client:vsw-fab1";
const CLIENT_IP: &str = "10.79.1.254";
const A_MAC: &str = "00:16:3e:79:00:01";

const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("nft", "nftables"),
    ("arping", "iputils-arping"),
    ("ping", "iputils-ping"),
    ("sysctl", "procps"),
];

macro_rules! require_fabric_host {
    () => {
        if let Some(why) = missing(TOOLS) {
            eprintln!(
                "skipped: havip fabric tests need root, iproute2, nftables, iputils-arping, \
                 iputils-ping and procps: {why}"
            );
            return;
        }
    };
}

impl Lab {
    /// `havip lab fabric` with `havip-fab1` carried by `member`.
    fn fabric(&self, member: &str) -> String {
        let assoc = format!("havip-fab1={member}");
        ok(
            HAVIP,
            &[
                "lab",
                "fabric",
                "--prefix",
                &self.prefix,
                "--seed",
                &self.seed_arg(),
                "--associate",
                &assoc,
            ],
        )
    }

    /// The line of `havip lab counters` of the port whose label starts with `who`.
    fn counters_line(&self, who: &str) -> String {
        let out = ok(HAVIP, &["lab", "counters", "--prefix", &self.prefix]);
        out.lines()
            .find(|l| {
                l.split_once("  ")
                    .is_some_and(|(_, label)| label.starts_with(who))
            })
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no port of {who} in:\n{out}"))
    }

    /// The fabric port of `who` (`i-b eth0`).
    fn port_of(&self, who: &str) -> String {
        let line = self.counters_line(who);
        line.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// The packets of drop counter `kind` of the port whose label starts with `who`
    /// (`i-a eth0`), from `havip lab counters`.
    fn drops(&self, who: &str, kind: &str) -> u64 {
        let line = self.counters_line(who);
        let key = format!("{kind}=");
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&key))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {kind} count in {line:?}"))
    }

    /// The refused claims on the VIP of the port whose label starts with `who`, from
    /// the `  claimed VIP: N` line under the port's line (0 without one).
    fn vip_claims(&self, who: &str) -> u64 {
        let out = ok(HAVIP, &["lab", "counters", "--prefix", &self.prefix]);
        let mut lines = out.lines().skip_while(|l| {
            !l.split_once("  ")
                .is_some_and(|(_, label)| label.starts_with(who))
        });
        assert!(lines.next().is_some(), "no port of {who} in:\n{out}");
        let key = format!("  claimed {VIP}: ");
        lines
            .take_while(|l| l.starts_with("  claimed "))
            .find_map(|l| l.strip_prefix(&key))
            .map_or(0, |n| n.parse().expect("a count"))
    }

    fn fabric_ns(&self) -> String {
        format!("{}-fabric", self.prefix)
    }

    fn table(&self) -> String {
        format!("havip_{}", self.prefix)
    }

    /// `nft ARGS` in the fabric namespace.
    fn nft(&self, args: &[&str]) -> String {
        let ns = self.fabric_ns();
        let mut all = vec!["netns", "exec", ns.as_str(), "nft"];
        all.extend_from_slice(args);
        ok("ip", &all)
    }

    /// Deletes the VIP rule of a port's chain by hand (as an operator's mistake would).
    fn delete_vip_rule(&self, chain_name: &str) {
        let table = self.table();
        let chain = self.nft(&["-a", "list", "chain", "bridge", &table, chain_name]);
        let handle = chain
            .lines()
            .find(|l| l.contains("ip saddr @vips") && l.contains("drop"))
            .and_then(|l| l.rsplit_once("# handle "))
            .map(|(_, h)| h.trim().to_string())
            .unwrap_or_else(|| panic!("no VIP rule in:\n{chain}"));
        self.nft(&[
            "delete", "rule", "bridge", &table, chain_name, "handle", &handle,
        ]);
    }

    /// The fabric table as `nft list` prints it.
    fn listing(&self) -> String {
        self.nft(&["list", "table", "bridge", &self.table()])
    }

    /// The client's neighbour entry for the VIP (its MAC), if any.
    fn client_sees(&self) -> Option<String> {
        let out = self.exec_ok(CLIENT, &["ip", "neigh", "show", VIP]);
        let mut words = out.split_whitespace();
        words.find(|w| *w == "lladdr")?;
        words.next().map(str::to_string)
    }

    /// Instance `who` puts the VIP on eth0 (if not yet) and announces it.
    fn claim(&self, who: &str) {
        let shown = self.exec_ok(who, &["ip", "-o", "addr", "show", "dev", "eth0"]);
        if !shown.contains(&format!("inet {VIP}/")) {
            self.exec_ok(
                who,
                &["ip", "addr", "add", &format!("{VIP}/24"), "dev", "eth0"],
            );
        }
        self.exec_ok(who, &["arping", "-U", "-c", "2", "-I", "eth0", VIP]);
    }

    fn mac_of(&self, who: &str) -> String {
        let out = self.exec_ok(who, &["ip", "-o", "link", "show", "dev", "eth0"]);
        let mut words = out.split_whitespace();
        words.find(|w| *w == "link/ether");
        words.next().expect("a MAC").to_string()
    }
}

/// A listing with counter values blanked (traffic changes them, rules do not).
fn masked(listing: &str) -> String {
    listing
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("packets ") {
                "packets - bytes -"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn only_the_havips_members_may_claim_its_vip() {
    require_fabric_host!();
    let lab = Lab::new('g', SEED);
    lab.up();
    let out = lab.fabric("i-a");
    assert!(out.contains("applied"), "{out}");
    assert!(out.contains("i-a eth0 eni-a1"), "{out}");

    // Applying the same state again changes nothing.
    let first = lab.listing();
    let again = lab.fabric("i-a");
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(masked(&lab.listing()), masked(&first));

    // The fabric lets ordinary traffic through.
    ping(&lab, CLIENT, "10.79.1.10");
    ping(&lab, "i-b", CLIENT_IP);

    // A announces the VIP; the client reaches it at A.
    lab.claim("i-a");
    ping(&lab, CLIENT, VIP);
    assert_eq!(lab.client_sees().as_deref(), Some(A_MAC));

    // B is not associated: its claims are dropped and counted on its port.
    let b_mac = lab.mac_of("i-b");
    let before = lab.drops("i-b eth0", "vip");
    assert_eq!(lab.vip_claims("i-b eth0"), 0);
    lab.claim("i-b");
    assert!(lab.drops("i-b eth0", "vip") > before);
    let claims = lab.vip_claims("i-b eth0");
    assert!(claims > 0, "counted per port and VIP");
    // A reconcile that changes nothing keeps the counts.
    let again = lab.fabric("i-a");
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(lab.vip_claims("i-b eth0"), claims);
    assert_eq!(lab.client_sees().as_deref(), Some(A_MAC));
    ping(&lab, CLIENT, VIP);
    assert_eq!(lab.client_sees().as_deref(), Some(A_MAC));
    assert_eq!(lab.drops("i-a eth0", "vip"), 0);

    // The association moves to B: B's claim goes through, A's are dropped.
    let moved = lab.fabric("i-b");
    assert!(moved.contains("applied"), "{moved}");
    lab.claim("i-b");
    assert_eq!(lab.client_sees(), Some(b_mac.clone()));
    assert_eq!(lab.vip_claims("i-b eth0"), claims, "kept across a change");
    let a_before = lab.drops("i-a eth0", "vip");
    lab.claim("i-a");
    assert!(lab.drops("i-a eth0", "vip") > a_before);
    assert!(lab.vip_claims("i-a eth0") > 0);
    assert_eq!(lab.client_sees(), Some(b_mac.clone()));
    ping(&lab, CLIENT, VIP);
    assert_eq!(lab.client_sees(), Some(b_mac));

    // A rule deleted by hand comes back on the next apply.
    let whole = lab.listing();
    let b_chain = format!("port_{}", lab.port_of("i-b eth0"));
    lab.delete_vip_rule(&b_chain);
    assert_ne!(masked(&lab.listing()), masked(&whole));
    let restored = lab.fabric("i-b");
    assert!(restored.contains("applied"), "{restored}");
    assert_eq!(masked(&lab.listing()), masked(&whole));

    // What `nft list` prints can be loaded again as it is.
    let printed = lab.listing();
    lab.nft(&["delete", "table", "bridge", &lab.table()]);
    let ns = lab.fabric_ns();
    let mut load = Command::new("ip")
        .args(["netns", "exec", &ns, "nft", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nft");
    load.stdin
        .take()
        .expect("stdin")
        .write_all(printed.as_bytes())
        .expect("write");
    let loaded = load.wait_with_output().expect("nft");
    assert!(loaded.status.success(), "reload: {}", text(&loaded));
    assert_eq!(masked(&lab.listing()), masked(&printed));

    // A frame with another port's MAC is dropped, counted on the sending port.
    let mac_before = lab.drops("i-b eth0", "mac");
    lab.exec_ok(
        "i-b",
        &["ip", "link", "set", "dev", "eth0", "address", A_MAC],
    );
    let spoofed = lab.exec("i-b", &["ping", "-c", "2", "-W", "1", CLIENT_IP]);
    assert!(!spoofed.status.success(), "{}", text(&spoofed));
    assert!(lab.drops("i-b eth0", "mac") > mac_before);

    let prefix = lab.prefix.clone();
    drop(lab);
    assert!(
        !namespaces()
            .iter()
            .any(|n| n.starts_with(&format!("{prefix}-"))),
        "the lab is gone"
    );
}

/// The rules of `SEED`'s lab with `havip-fab1` carried by `member` (as the agent
/// makes them).
fn rules_of(lab: &Lab, member: &str) -> Ruleset {
    let seed = havip_seed::parse_seed(SEED).expect("seed");
    let prefix: Prefix = lab.prefix.parse().expect("prefix");
    let plan = LabPlan::from_seed(&seed, &prefix).expect("plan");
    let mut state = FabricState::from_lab(&plan, Vec::new());
    let target = state.target(member).expect("a member of the lab");
    state.havips = vec![HavipRule {
        vip: VIP.parse().expect("VIP"),
        members: vec![target],
    }];
    Ruleset::from_state(&state).expect("rules")
}

#[test]
fn a_fast_apply_changes_elements_and_a_verify_repairs_a_hand_edit() {
    require_fabric_host!();
    let lab = Lab::new('k', SEED);
    lab.up();
    let nft = Nft::detect().expect("nft");
    let mut fabric = Fabric::new(nft, lab.prefix.parse().expect("prefix"));
    let on_a = rules_of(&lab, "i-a");
    let on_b = rules_of(&lab, "i-b");

    // Nothing known: the first apply takes the full path and builds the table.
    let built = fabric.apply(&on_a, Mode::Fast).expect("apply");
    assert_eq!((built.path, built.changed), (Path::Rebuilt, true));
    let again = fabric.apply(&on_a, Mode::Verify).expect("verify");
    assert_eq!((again.path, again.changed), (Path::Verified, false));
    assert!(again.counters.is_some(), "a verify reads the counters");

    // B, not associated, claims the VIP: dropped and counted.
    lab.claim("i-b");
    let b_vip = lab.drops("i-b eth0", "vip");
    let b_claims = lab.vip_claims("i-b eth0");
    assert!(b_vip > 0 && b_claims > 0);

    // The association moves to B on the fast path: two elements, no listing; the
    // table is then exactly what a full apply makes, and the counts are kept.
    let port_a = lab.port_of("i-a eth0");
    let port_b = lab.port_of("i-b eth0");
    let whole_on_a = lab.listing();
    let moved = fabric.apply(&on_b, Mode::Fast).expect("fast apply");
    assert_eq!((moved.path, moved.changed), (Path::Elements, true));
    assert_eq!(moved.counters, None);
    let port_ip = lab.nft(&["list", "set", "bridge", &lab.table(), "port_ip"]);
    assert!(
        port_ip.contains(&format!("\"{port_b}\" . {VIP}")),
        "{port_ip}"
    );
    assert!(
        !port_ip.contains(&format!("\"{port_a}\" . {VIP}")),
        "{port_ip}"
    );
    assert_eq!(lab.drops("i-b eth0", "vip"), b_vip);
    assert_eq!(lab.vip_claims("i-b eth0"), b_claims);
    let verified = fabric.apply(&on_b, Mode::Verify).expect("verify");
    assert_eq!((verified.path, verified.changed), (Path::Verified, false));
    let whole = lab.listing();
    assert_ne!(masked(&whole), masked(&whole_on_a));
    // B's claim now goes through: the client reaches the VIP at B.
    lab.claim("i-b");
    ping(&lab, CLIENT, VIP);
    assert_eq!(lab.client_sees(), Some(lab.mac_of("i-b")));
    assert_eq!(lab.drops("i-b eth0", "vip"), b_vip);

    // A rule deleted by hand: the fast path trusts what it applied (nothing to do),
    // the verify finds the difference and rebuilds; the counts survive.
    let b_chain = format!("port_{port_b}");
    lab.delete_vip_rule(&b_chain);
    let trusted = fabric.apply(&on_b, Mode::Fast).expect("fast apply");
    assert_eq!((trusted.path, trusted.changed), (Path::Elements, false));
    assert_ne!(masked(&lab.listing()), masked(&whole));
    let repaired = fabric.apply(&on_b, Mode::Verify).expect("verify");
    assert_eq!((repaired.path, repaired.changed), (Path::Rebuilt, true));
    assert_eq!(masked(&lab.listing()), masked(&whole));
    assert_eq!(lab.drops("i-b eth0", "vip"), b_vip);
    assert_eq!(lab.vip_claims("i-b eth0"), b_claims);
    let counted = repaired.counters.expect("counters");
    assert_eq!(
        counted.port(&port_b).map(|c| c.packets(CounterKind::Vip)),
        Some(b_vip)
    );

    // An element deleted by hand: a verify puts it back without a rebuild.
    lab.nft(&[
        "delete",
        "element",
        "bridge",
        &lab.table(),
        "port_ip",
        &format!("{{ \"{port_b}\" . {VIP} }}"),
    ]);
    let restored = fabric.apply(&on_b, Mode::Verify).expect("verify");
    assert_eq!((restored.path, restored.changed), (Path::Verified, true));
    assert_eq!(masked(&lab.listing()), masked(&whole));

    // The same element deleted by hand, then a move back to A on the fast path: its
    // delete fails, and the full path takes over.
    lab.nft(&[
        "delete",
        "element",
        "bridge",
        &lab.table(),
        "port_ip",
        &format!("{{ \"{port_b}\" . {VIP} }}"),
    ]);
    let back = fabric.apply(&on_a, Mode::Fast).expect("apply");
    assert!(back.fast_path_failed.is_some(), "{back:?}");
    assert_eq!((back.path, back.changed), (Path::Verified, true));
    assert_eq!(masked(&lab.listing()), masked(&whole_on_a));
    assert_eq!(lab.drops("i-b eth0", "vip"), b_vip);

    let prefix = lab.prefix.clone();
    drop(lab);
    assert!(
        !namespaces()
            .iter()
            .any(|n| n.starts_with(&format!("{prefix}-"))),
        "the lab is gone"
    );
}

#[test]
fn the_fabric_of_a_lab_that_is_not_up_is_refused() {
    require_fabric_host!();
    let lab = Lab::new('h', SEED);
    let seed = lab.seed_arg();
    let fabric = |associate: &str| {
        run(
            HAVIP,
            &[
                "lab",
                "fabric",
                "--prefix",
                &lab.prefix,
                "--seed",
                &seed,
                "--associate",
                associate,
            ],
        )
    };
    let o = fabric("havip-fab1=i-a");
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is it up?"),
        "{}",
        text(&o)
    );
    let o = fabric("havip-fab1=i-nope");
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("i-nope"),
        "{}",
        text(&o)
    );
    let o = run(HAVIP, &["lab", "counters", "--prefix", &lab.prefix]);
    assert!(!o.status.success());
    assert!(namespaces()
        .iter()
        .all(|n| !n.starts_with(&format!("{}-", lab.prefix))));
}
