//! `havip lab` on the real host: builds labs in network namespaces and checks them with
//! `ip` and `ping`. Needs root, iproute2 and iputils-ping (CI has them); elsewhere the
//! tests print why they are skipped. Every test uses a prefix of its own that carries
//! this process's id, removes leftovers of its kind from runs that died, and removes its
//! lab on drop, also when it fails.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{missing, namespaces, ok, ping, run, text, Lab, HAVIP};

/// A small seed: two subnets; `i-a` has two ENIs in one subnet (an explicit address and
/// MAC, and an allocated one), `i-b` an implicit primary ENI, `i-c` another subnet.
const SEED: &str = r#"
[[account]]
id = "1000000000000077"
[[vpc]]
id = "vpc-lab"
account = "1000000000000077"
region = "cn-shanghai"
cidr = "10.77.0.0/16"
[[subnet]]
id = "vsw-lab1"
vpc = "vpc-lab"
zone = "cn-shanghai-b"
cidr = "10.77.1.0/24"
[[subnet]]
id = "vsw-lab2"
vpc = "vpc-lab"
zone = "cn-shanghai-b"
cidr = "10.77.2.0/24"
[[instance]]
id = "i-a"
subnet = "vsw-lab1"
status = "Running"
primary_eni = "eni-a1"
[[instance]]
id = "i-b"
subnet = "vsw-lab1"
status = "Running"
[[instance]]
id = "i-c"
subnet = "vsw-lab2"
status = "Running"
primary_eni = "eni-c1"
[[eni]]
id = "eni-a1"
subnet = "vsw-lab1"
ip = "10.77.1.10"
mac = "00:16:3e:77:00:01"
[[eni]]
id = "eni-a2"
subnet = "vsw-lab1"
instance = "i-a"
[[havip]]
id = "havip-lab1"
subnet = "vsw-lab1"
ip = "10.77.1.100"
"#;

const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("ping", "iputils-ping"),
    ("sysctl", "procps"),
];

macro_rules! require_lab_host {
    () => {
        if let Some(why) = missing(TOOLS) {
            eprintln!(
                "skipped: havip lab tests need root, iproute2, iputils-ping and procps: {why}"
            );
            return;
        }
    };
}

/// `havip ARGS`, which must succeed; its standard output.
fn havip(args: &[&str]) -> String {
    ok(HAVIP, args)
}

/// `ip ARGS`, which must succeed; its standard output.
fn ip(args: &[&str]) -> String {
    ok("ip", args)
}

fn namespaces_of(prefix: &str) -> Vec<String> {
    let p: havip_lab::Prefix = prefix.parse().expect("prefix");
    namespaces()
        .into_iter()
        .filter(|n| havip_lab::is_lab_namespace(&p, n))
        .collect()
}

impl Lab {
    fn ns_of(&self, instance: &str) -> String {
        havip_lab::instance_ns(&self.prefix.parse().expect("prefix"), instance)
    }
}

/// Every link of every namespace of the lab, with its index (which changes when a link
/// is recreated), MAC, master, state and addresses, and the rules and routes.
fn snapshot(lab: &Lab) -> String {
    let mut out = String::new();
    let mut nss = namespaces_of(&lab.prefix);
    nss.sort();
    for ns in nss {
        out.push_str(&ns);
        out.push('\n');
        out.push_str(&ip(&["-n", &ns, "-o", "addr", "show"]));
        out.push_str(&ip(&["-n", &ns, "-o", "link", "show"]));
        out.push_str(&ip(&["-n", &ns, "rule", "show"]));
        out.push_str(&ip(&["-n", &ns, "route", "show", "table", "all"]));
    }
    out
}

#[test]
fn up_builds_the_topology_exec_enters_it_and_down_removes_it() {
    require_lab_host!();
    let lab = Lab::new('a', SEED);
    let out = lab.up();
    assert!(out.contains("is up"), "{out}");

    // A fabric, three instances, two clients.
    assert_eq!(namespaces_of(&lab.prefix).len(), 6);
    let fabric = format!("{}-fabric", lab.prefix);
    let bridges = ip(&["-n", &fabric, "-o", "link", "show", "type", "bridge"]);
    assert_eq!(bridges.lines().count(), 2, "{bridges}");
    let ports = ip(&["-n", &fabric, "-o", "link", "show", "type", "veth"]);
    assert_eq!(ports.lines().count(), 4 + 2, "{ports}");
    assert!(ports.lines().all(|l| l.contains(" master ")), "{ports}");

    // Bridged frames skip the IP/ARP hooks; an instance answers ARP only for the
    // addresses of the interface asked on.
    // (Kernels without bridge netfilter have no such keys: `-e` skips them.)
    let nf = ip(&[
        "netns",
        "exec",
        &fabric,
        "sysctl",
        "-e",
        "-n",
        "net.bridge.bridge-nf-call-iptables",
        "net.bridge.bridge-nf-call-arptables",
    ]);
    assert!(nf.split_whitespace().all(|v| v == "0"), "{nf}");
    let arp = lab.exec_ok(
        "i-a",
        &[
            "sysctl",
            "-n",
            "net.ipv4.conf.all.arp_ignore",
            "net.ipv4.conf.all.arp_announce",
        ],
    );
    assert_eq!(arp.split_whitespace().collect::<Vec<_>>(), ["1", "2"]);

    // Addresses are the control plane's (eni-a2 was allocated .2, i-b's primary .3),
    // MACs the seed's or derived from the ENI id, and the primary ENI is eth0.
    let a = lab.ns_of("i-a");
    let eth0 = ip(&["-n", &a, "addr", "show", "eth0"]);
    assert!(eth0.contains("inet 10.77.1.10/24"), "{eth0}");
    assert!(eth0.contains("link/ether 00:16:3e:77:00:01"), "{eth0}");
    let eth1 = ip(&["-n", &a, "addr", "show", "eth1"]);
    assert!(eth1.contains("inet 10.77.1.2/24"), "{eth1}");
    let eth1_mac = havip_lab::derived_mac("eni-a2");
    assert!(eth1.contains(&format!("link/ether {eth1_mac}")), "{eth1}");
    let b = ip(&["-n", &lab.ns_of("i-b"), "addr", "show", "eth0"]);
    assert!(b.contains("inet 10.77.1.3/24"), "{b}");
    let c = ip(&["-n", &lab.ns_of("i-c"), "addr", "show", "eth0"]);
    assert!(c.contains("inet 10.77.2.2/24"), "{c}");

    // exec runs in the right namespace.
    let shown = lab.exec_ok("i-a", &["ip", "-o", "addr", "show", "eth0"]);
    assert!(shown.contains("10.77.1.10/24"), "{shown}");
    let shown = lab.exec_ok("client:vsw-lab1", &["ip", "-o", "addr", "show", "eth0"]);
    assert!(shown.contains("10.77.1.254/24"), "{shown}");
    let status = lab.exec("i-b", &["sh", "-c", "exit 7"]).status.code();
    assert_eq!(status, Some(7), "exec passes the command's exit status on");

    // The client reaches both ENIs of i-a, each answered by the interface holding it,
    // and the instances reach the client; subnets are separate networks.
    ping(&lab, "client:vsw-lab1", "10.77.1.10");
    ping(&lab, "client:vsw-lab1", "10.77.1.2");
    ping(&lab, "client:vsw-lab1", "10.77.1.3");
    let neigh = lab.exec_ok("client:vsw-lab1", &["ip", "neigh", "show"]);
    assert!(
        neigh.contains("10.77.1.10 dev eth0 lladdr 00:16:3e:77:00:01"),
        "{neigh}"
    );
    assert!(
        neigh.contains(&format!("10.77.1.2 dev eth0 lladdr {eth1_mac}")),
        "{neigh}"
    );
    ping(&lab, "i-a", "10.77.1.254");
    ping(&lab, "i-c", "10.77.2.254");
    let across = lab.exec(
        "client:vsw-lab2",
        &["ping", "-c", "1", "-W", "1", "10.77.1.10"],
    );
    assert!(!across.status.success(), "no route between subnets");

    // A second up is a no-op: nothing recreated or changed.
    let before = snapshot(&lab);
    let again = lab.up();
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(snapshot(&lab), before);

    havip(&["lab", "down", "--prefix", &lab.prefix]);
    assert!(namespaces_of(&lab.prefix).is_empty());
    let host_links = ip(&["-o", "link", "show"]);
    assert!(!host_links.contains(&lab.prefix), "{host_links}");
    let gone = lab.exec("i-a", &["true"]);
    assert!(!gone.status.success());
    assert!(
        String::from_utf8_lossy(&gone.stderr).contains("is it up?"),
        "{}",
        text(&gone)
    );
}

#[test]
fn up_completes_a_lab_left_half_built_and_down_stops_what_runs_in_it() {
    require_lab_host!();
    let lab = Lab::new('b', SEED);
    lab.up();
    // As after a crash in the middle: an instance namespace is gone, a link of another
    // is down, an address of a third is missing.
    ip(&["netns", "del", &lab.ns_of("i-c")]);
    ip(&["-n", &lab.ns_of("i-b"), "link", "set", "eth0", "down"]);
    ip(&["-n", &lab.ns_of("i-a"), "addr", "flush", "dev", "eth1"]);
    let out = lab.up();
    assert!(out.contains("is up"), "{out}");
    ping(&lab, "client:vsw-lab2", "10.77.2.2");
    ping(&lab, "client:vsw-lab1", "10.77.1.3");
    ping(&lab, "client:vsw-lab1", "10.77.1.2");
    // A process running in the lab (a user's keepalived) does not keep it alive.
    let mut sleeper = Command::new(HAVIP)
        .args([
            "lab",
            "exec",
            "--prefix",
            &lab.prefix,
            "i-a",
            "--",
            "sleep",
            "60",
        ])
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(5);
    while ip(&["netns", "pids", &lab.ns_of("i-a")]).trim().is_empty() {
        assert!(Instant::now() < deadline, "sleep did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    havip(&["lab", "down", "--prefix", &lab.prefix]);
    assert!(namespaces_of(&lab.prefix).is_empty());
    let status = sleeper.wait().expect("wait");
    assert!(!status.success(), "the process in the lab was stopped");
}

#[test]
fn two_labs_of_one_seed_live_side_by_side() {
    require_lab_host!();
    let one = Lab::new('c', SEED);
    let two = Lab::new('d', SEED);
    one.up();
    two.up();
    ping(&one, "client:vsw-lab1", "10.77.1.10");
    ping(&two, "client:vsw-lab1", "10.77.1.10");
    one.down();
    assert!(namespaces_of(&one.prefix).is_empty());
    assert_eq!(namespaces_of(&two.prefix).len(), 6);
    ping(&two, "client:vsw-lab1", "10.77.1.10");
}

#[test]
fn a_seed_that_cannot_be_built_is_refused_before_anything_is_created() {
    require_lab_host!();
    let outside = SEED.replace("ip = \"10.77.1.10\"", "ip = \"10.77.9.10\"");
    let same_mac = SEED.replace(
        "instance = \"i-a\"\n",
        "instance = \"i-a\"\nmac = \"00:16:3e:77:00:01\"\n",
    );
    for (bad, expect) in [(outside, "10.77.9.10"), (same_mac, "00:16:3e:77:00:01")] {
        let lab = Lab::new('e', &bad);
        let seed = lab.seed_arg();
        let o = run(
            HAVIP,
            &["lab", "up", "--seed", &seed, "--prefix", &lab.prefix],
        );
        assert!(!o.status.success(), "{}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(expect),
            "{}",
            text(&o)
        );
        assert!(namespaces_of(&lab.prefix).is_empty());
    }
}

#[test]
fn without_ip_or_root_up_names_what_is_missing_and_leaves_nothing() {
    require_lab_host!();
    let lab = Lab::new('f', SEED);
    let seed = lab.seed_arg();
    let empty = tempfile::tempdir().expect("empty directory");
    let o = Command::new(HAVIP)
        .args(["lab", "up", "--seed", &seed, "--prefix", &lab.prefix])
        .env("PATH", empty.path())
        .output()
        .expect("havip");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`ip`") && err.contains("iproute2"),
        "{}",
        text(&o)
    );
    assert!(namespaces_of(&lab.prefix).is_empty());

    let Some(setpriv) = havip_lab::find("setpriv") else {
        eprintln!("skipped the part without root: setpriv (util-linux) is not installed");
        return;
    };
    let setpriv = setpriv.to_string_lossy().into_owned();
    // The unprivileged user must be able to read the seed.
    let readable = tempfile::Builder::new()
        .tempfile_in("/tmp")
        .expect("seed file");
    std::fs::write(readable.path(), SEED).expect("write seed");
    let mut perms = std::fs::metadata(readable.path())
        .expect("metadata")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(readable.path(), perms).expect("chmod");
    let path = readable.path().to_string_lossy().into_owned();
    let o = run(
        &setpriv,
        &[
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            HAVIP,
            "lab",
            "up",
            "--seed",
            &path,
            "--prefix",
            &lab.prefix,
        ],
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("needs root"),
        "{}",
        text(&o)
    );
    assert!(namespaces_of(&lab.prefix).is_empty());
}

impl Lab {
    /// `havip lab up` with another seed for this lab's prefix.
    fn up_with(&self, seed: &str) -> String {
        let mut file = tempfile::NamedTempFile::new().expect("seed file");
        std::io::Write::write_all(&mut file, seed.as_bytes()).expect("write seed");
        let path = file.path().to_string_lossy().into_owned();
        havip(&["lab", "up", "--seed", &path, "--prefix", &self.prefix])
    }

    fn fabric_ns(&self) -> String {
        format!("{}-fabric", self.prefix)
    }
}

/// The lab's seed without `eni-a2` (detached) and without `i-c` (gone): i-b's implicit
/// primary ENI now takes .2.
fn smaller_seed() -> String {
    let without_a2 = SEED.replace(
        "[[eni]]\nid = \"eni-a2\"\nsubnet = \"vsw-lab1\"\ninstance = \"i-a\"\n",
        "",
    );
    let without_c = without_a2.replace(
        "[[instance]]\nid = \"i-c\"\nsubnet = \"vsw-lab2\"\nstatus = \"Running\"\nprimary_eni = \"eni-c1\"\n",
        "",
    );
    assert_ne!(without_c, SEED);
    assert!(!without_c.contains("eni-a2") && !without_c.contains("i-c"));
    without_c
}

#[test]
fn up_removes_what_the_plan_lacks_and_corrects_what_differs() {
    require_lab_host!();
    let lab = Lab::new('j', SEED);
    lab.up();
    let a = lab.ns_of("i-a");
    let b = lab.ns_of("i-b");
    let c = lab.ns_of("i-c");
    let fabric = lab.fabric_ns();
    // Someone changed things: a MAC, an address, strays of the lab's kinds, a VIP and
    // a bridge a user added (which stay), a namespace of the prefix's shape.
    ip(&[
        "-n",
        &b,
        "link",
        "set",
        "eth0",
        "address",
        "02:00:00:00:00:99",
    ]);
    ip(&["-n", &c, "addr", "flush", "dev", "eth0"]);
    ip(&["-n", &c, "addr", "add", "10.77.2.50/24", "dev", "eth0"]);
    ip(&["-n", &a, "addr", "add", "10.77.1.100/24", "dev", "eth0"]);
    ip(&["-n", &a, "addr", "add", "10.77.1.101/32", "dev", "eth0"]);
    ip(&["-n", &a, "link", "add", "brusr0", "type", "bridge"]);
    ip(&[
        "-n", &a, "link", "add", "eth5", "type", "veth", "peer", "name", "eth6",
    ]);
    ip(&[
        "-n", &fabric, "link", "add", "stray0", "type", "veth", "peer", "name", "stray1",
    ]);
    let stale_ns = format!("{}-i0123456789", lab.prefix);
    ip(&["netns", "add", &stale_ns]);

    let out = lab.up();
    assert!(
        out.contains(&format!("removed namespace {stale_ns}")),
        "{out}"
    );
    assert!(out.contains(&format!("removed link {a}/eth5")), "{out}");
    assert!(
        out.contains(&format!("removed link {fabric}/stray")),
        "{out}"
    );
    assert!(out.contains("MAC 02:00:00:00:00:99 -> "), "{out}");
    assert!(out.contains("address 10.77.2.50/24 removed"), "{out}");
    assert!(!namespaces().contains(&stale_ns));
    let b_eth0 = ip(&["-n", &b, "link", "show", "eth0"]);
    assert!(
        b_eth0.contains(&havip_lab::derived_mac("i-b#primary")),
        "{b_eth0}"
    );
    let c_eth0 = ip(&["-n", &c, "-o", "addr", "show", "eth0"]);
    assert!(c_eth0.contains("10.77.2.2/24") && !c_eth0.contains("10.77.2.50"));
    let a_links = ip(&["-n", &a, "-o", "addr", "show"]);
    assert!(
        a_links.contains("10.77.1.100/24"),
        "the VIP stays: {a_links}"
    );
    assert!(
        a_links.contains("10.77.1.101/32"),
        "the VIP stays: {a_links}"
    );
    let a_links = ip(&["-n", &a, "-o", "link", "show"]);
    assert!(
        a_links.contains("brusr0") && !a_links.contains("eth5"),
        "{a_links}"
    );
    let f_links = ip(&["-n", &fabric, "-o", "link", "show"]);
    assert!(!f_links.contains("stray"), "{f_links}");
    ping(&lab, "client:vsw-lab2", "10.77.2.2");
    ping(&lab, "client:vsw-lab1", "10.77.1.3");
    let before = snapshot(&lab);
    let again = lab.up();
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(snapshot(&lab), before);

    // The seed changes: eni-a2 is detached, i-c is gone, i-b's address moves.
    let smaller = smaller_seed();
    let out = lab.up_with(&smaller);
    assert!(out.contains(&format!("removed namespace {c}")), "{out}");
    // eni-a2's fabric port goes, and i-a's eth1 with it.
    let a2_port = havip_lab::eni_port(&lab.prefix.parse().expect("prefix"), "eni-a2");
    assert!(
        out.contains(&format!("removed link {fabric}/{a2_port}")),
        "{out}"
    );
    assert!(out.contains("address 10.77.1.3/24 removed"), "{out}");
    assert_eq!(namespaces_of(&lab.prefix).len(), 5);
    let ports = ip(&["-n", &fabric, "-o", "link", "show", "type", "veth"]);
    assert_eq!(ports.lines().count(), 2 + 2, "{ports}");
    assert!(!ip(&["-n", &a, "-o", "link", "show"]).contains("eth1"));
    let rules = ip(&["-n", &a, "rule", "show"]);
    assert!(!rules.contains("1001:"), "{rules}");
    ping(&lab, "client:vsw-lab1", "10.77.1.2");
    let neigh = lab.exec_ok("client:vsw-lab1", &["ip", "neigh", "show", "10.77.1.2"]);
    assert!(
        neigh.contains(&havip_lab::derived_mac("i-b#primary")),
        "{neigh}"
    );
    let before = snapshot(&lab);
    let again = lab.up_with(&smaller);
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(snapshot(&lab), before);
}

#[test]
fn concurrent_ups_and_downs_of_one_lab_do_not_interleave() {
    require_lab_host!();
    let lab = Lab::new('k', SEED);
    let seed = lab.seed_arg();
    let spawn = |args: &[&str]| {
        Command::new(HAVIP)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("havip")
    };
    let up_args = ["lab", "up", "--seed", &seed, "--prefix", &lab.prefix];
    let ups: Vec<_> = (0..3).map(|_| spawn(&up_args)).collect();
    for child in ups {
        let o = child.wait_with_output().expect("wait");
        assert!(o.status.success(), "{}", text(&o));
    }
    assert_eq!(namespaces_of(&lab.prefix).len(), 6);
    let lock = format!("{}/{}.lock", havip_lab::LOCK_DIR, lab.prefix);
    let mode = std::fs::metadata(&lock)
        .expect("the lock file")
        .permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    let again = lab.up();
    assert!(again.contains("nothing changed"), "{again}");

    // An up and a down together: either order, never a half-built lab.
    let down_args = ["lab", "down", "--prefix", &lab.prefix];
    for _ in 0..3 {
        let both = [spawn(&up_args), spawn(&down_args)];
        for child in both {
            let o = child.wait_with_output().expect("wait");
            assert!(o.status.success(), "{}", text(&o));
        }
        let n = namespaces_of(&lab.prefix).len();
        assert!(n == 0 || n == 6, "{n} namespaces");
        if n == 6 {
            let again = lab.up();
            assert!(again.contains("nothing changed"), "{again}");
        }
    }
    lab.down();
    assert!(
        !std::path::Path::new(&lock).exists(),
        "down removes the lock file"
    );
}
