//! keepalived in a lab on the real host: two instances of one subnet run VRRP for one
//! VIP with 0.1 s adverts; the master holds the VIP, and when it dies the other takes
//! over within about a second and the client reaches the VIP there. Needs root,
//! iproute2, keepalived, iputils-ping and procps (CI has them); elsewhere the test
//! prints why it is skipped. The lab has a prefix of its own carrying this process's
//! id, leftovers of dead runs are swept at start, and the lab (with its keepalived) is
//! removed on drop, also when the test fails.

mod common;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use common::{missing, namespaces, ok, ping, Lab, HAVIP};
use havip_lab::keepalived::{self, VrrpGroup, VrrpMember, VrrpState};
use havip_lab::{Host, Prefix};

const SEED: &str = r#"
[[account]]
id = "1000000000000082"
[[vpc]]
id = "vpc-ka"
account = "1000000000000082"
region = "cn-shanghai"
cidr = "10.82.0.0/16"
[[subnet]]
id = "vsw-ka1"
vpc = "vpc-ka"
zone = "cn-shanghai-b"
cidr = "10.82.1.0/24"
[[instance]]
id = "i-a"
subnet = "vsw-ka1"
status = "Running"
primary_eni = "eni-a1"
[[instance]]
id = "i-b"
subnet = "vsw-ka1"
status = "Running"
primary_eni = "eni-b1"
[[eni]]
id = "eni-a1"
subnet = "vsw-ka1"
ip = "10.82.1.10"
mac = "00:16:3e:82:00:01"
[[eni]]
id = "eni-b1"
subnet = "vsw-ka1"
ip = "10.82.1.11"
mac = "00:16:3e:82:00:02"
[[havip]]
id = "havip-ka1"
subnet = "vsw-ka1"
ip = "10.82.1.100"
"#;

const VIP: &str = "10.82.1.100";
const GROUP: &str = "havip-ka1";
const CLIENT: &str = "client:vsw-ka1";
const A_MAC: &str = "00:16:3e:82:00:01";
const B_MAC: &str = "00:16:3e:82:00:02";

const TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("keepalived", "keepalived"),
    ("ping", "iputils-ping"),
    ("sysctl", "procps"),
];

fn group(prefix: &Prefix, advert_ms: u64) -> VrrpGroup {
    let member = |id: &str, ip: [u8; 4], priority| VrrpMember {
        instance: id.into(),
        namespace: havip_lab::instance_ns(prefix, id),
        interface: "eth0".into(),
        ip: ip.into(),
        priority,
    };
    VrrpGroup {
        name: GROUP.into(),
        vip: format!("{VIP}/24").parse().expect("VIP"),
        router_id: 82,
        advert: Duration::from_millis(advert_ms),
        preempt: true,
        members: vec![
            member("i-a", [10, 82, 1, 10], 150),
            member("i-b", [10, 82, 1, 11], 100),
        ],
    }
}

/// Waits for `id`'s keepalived to record MASTER at or after `since`; when it did.
fn master_since(prefix: &Prefix, id: &str, since: SystemTime, wait: Duration) -> SystemTime {
    let ns = havip_lab::instance_ns(prefix, id);
    let deadline = Instant::now() + wait;
    loop {
        if let Some((VrrpState::Master, at)) = keepalived::recorded_state(prefix, &ns, GROUP) {
            if at >= since {
                return at;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{id} did not become MASTER within {wait:?}; state {:?}",
            keepalived::recorded_state(prefix, &ns, GROUP)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

impl Lab {
    fn holds_vip(&self, id: &str) -> bool {
        self.exec_ok(id, &["ip", "-o", "addr", "show", "dev", "eth0"])
            .contains(&format!("inet {VIP}/"))
    }

    fn client_sees(&self) -> Option<String> {
        let out = self.exec_ok(CLIENT, &["ip", "neigh", "show", VIP]);
        let mut words = out.split_whitespace();
        words.find(|w| *w == "lladdr")?;
        words.next().map(str::to_string)
    }

    /// The client pings the VIP, and its neighbour entry names `mac`.
    fn client_reaches(&self, mac: &str) {
        ping(self, CLIENT, VIP);
        assert_eq!(self.client_sees().as_deref(), Some(mac));
    }

    fn keepalived_pid(&self, prefix: &Prefix, id: &str) -> String {
        let files = keepalived::files(prefix, &havip_lab::instance_ns(prefix, id));
        std::fs::read_to_string(files.pid())
            .expect("pid file")
            .trim()
            .to_string()
    }
}

/// Waits until process `pid` has exited (and been reaped).
fn gone(pid: &str) {
    let start = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "keepalived {pid} is still there"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!(
        "keepalived {pid} exited {} ms after the signal's takeover",
        start.elapsed().as_millis()
    );
}

fn ms(from: SystemTime, to: SystemTime) -> u128 {
    to.duration_since(from).unwrap_or_default().as_millis()
}

#[test]
fn the_backup_takes_the_vip_when_the_master_dies() {
    if let Some(why) = missing(TOOLS) {
        eprintln!("skipped: the keepalived test needs root, iproute2, keepalived, iputils-ping and procps: {why}");
        return;
    }
    let lab = Lab::new('m', SEED);
    lab.up();
    let prefix: Prefix = lab.prefix.parse().expect("prefix");
    let host = Host::detect().expect("host");
    let (ns_a, ns_b) = (
        havip_lab::instance_ns(&prefix, "i-a"),
        havip_lab::instance_ns(&prefix, "i-b"),
    );

    let start = SystemTime::now();
    let report = keepalived::converge(&host, &prefix, &[group(&prefix, 100)]).expect("converge");
    let mut both = vec![ns_a.clone(), ns_b.clone()];
    both.sort();
    assert_eq!(report.started, both);
    // The higher priority wins.
    master_since(&prefix, "i-a", start, Duration::from_secs(5));
    assert!(lab.holds_vip("i-a"));
    let again = keepalived::converge(&host, &prefix, &[group(&prefix, 100)]).expect("again");
    assert!(!again.changed(), "{again:?}");
    lab.client_reaches(A_MAC);

    // SIGTERM: A gives the VIP up (priority 0 advert), B takes it.
    let t0 = SystemTime::now();
    let pid_a = lab.keepalived_pid(&prefix, "i-a");
    ok("kill", &["-TERM", &pid_a]);
    let at = master_since(&prefix, "i-b", t0, Duration::from_secs(2));
    eprintln!("takeover after SIGTERM, advert 0.1 s: {} ms", ms(t0, at));
    assert!(ms(t0, at) < 1000);
    assert!(lab.holds_vip("i-b"));
    lab.client_reaches(B_MAC);

    gone(&pid_a);

    // Converging again starts A anew; it preempts with its higher priority.
    let t1 = SystemTime::now();
    let report = keepalived::converge(&host, &prefix, &[group(&prefix, 100)]).expect("restart");
    assert_eq!(report.started, vec![ns_a.clone()]);
    assert_eq!(report.unchanged, vec![ns_b.clone()]);
    master_since(&prefix, "i-a", t1, Duration::from_secs(3));
    lab.client_reaches(A_MAC);

    // SIGKILL and the link down: the real outage; B takes over after master-down.
    let t2 = SystemTime::now();
    // The link first (no advert gets out any more), then both processes at once (the
    // parent would respawn a killed VRRP child, and a child whose parent dies gets
    // SIGTERM and would send its priority-0 advert).
    lab.exec_ok("i-a", &["ip", "link", "set", "eth0", "down"]);
    let files_a = keepalived::files(&prefix, &ns_a);
    let vrrp_a = std::fs::read_to_string(files_a.vrrp_pid()).expect("VRRP pid");
    ok(
        "kill",
        &["-KILL", &lab.keepalived_pid(&prefix, "i-a"), vrrp_a.trim()],
    );
    let at = master_since(&prefix, "i-b", t2, Duration::from_secs(2));
    eprintln!(
        "takeover after SIGKILL + link down, advert 0.1 s: {} ms",
        ms(t2, at)
    );
    assert!(ms(t2, at) < 1000);
    lab.client_reaches(B_MAC);
    lab.exec_ok("i-a", &["ip", "link", "set", "eth0", "up"]);

    // A changed configuration is reloaded in place (same process).
    let pid_b = lab.keepalived_pid(&prefix, "i-b");
    let report = keepalived::converge(&host, &prefix, &[group(&prefix, 200)]).expect("reload");
    assert_eq!(report.reloaded, vec![ns_b.clone()]);
    assert_eq!(report.started, vec![ns_a.clone()], "A was killed");
    assert_eq!(lab.keepalived_pid(&prefix, "i-b"), pid_b);

    // Nothing wanted: both stop, their files go.
    let report = keepalived::converge(&host, &prefix, &[]).expect("stop");
    assert_eq!(report.stopped.len(), 2, "{report:?}");
    assert!(!keepalived::files(&prefix, &ns_a).dir.exists());

    // `down` stops what runs and removes the lab's directory.
    keepalived::converge(&host, &prefix, &[group(&prefix, 100)]).expect("start again");
    let pid = lab.keepalived_pid(&prefix, "i-b");
    let dir = keepalived::lab_dir(&prefix);
    let name = lab.prefix.clone();
    drop(lab);
    assert!(!dir.exists(), "{} is left", dir.display());
    assert!(
        !Path::new(&format!("/proc/{pid}/comm")).exists()
            || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| s.contains(") Z"))
    );
    assert!(!namespaces()
        .iter()
        .any(|n| n.starts_with(&format!("{name}-"))));
}

/// `havip lab up --keepalived`: the seed's HaVip lists two `members`; keepalived runs in
/// both, the first listed is preferred and holds the VIP; `up` again leaves it running;
/// `down` stops it and removes its files.
#[test]
fn lab_up_with_keepalived_runs_it_for_the_seeds_members() {
    if let Some(why) = missing(TOOLS) {
        eprintln!("skipped: the keepalived test needs root, iproute2, keepalived, iputils-ping and procps: {why}");
        return;
    }
    let seed = format!("{SEED}members = [\"i-a\", \"i-b\"]\n");
    let lab = Lab::new('n', &seed);
    let seed_arg = lab.seed_arg();
    let up = |extra: &[&str]| {
        let mut args = vec!["lab", "up", "--seed", &seed_arg, "--prefix", &lab.prefix];
        args.extend_from_slice(extra);
        ok(HAVIP, &args)
    };
    let start = SystemTime::now();
    let out = up(&["--keepalived", "--advert-int", "100ms"]);
    assert!(
        out.contains("keepalived for havip-ka1 (10.82.1.100/24) in i-a, i-b"),
        "{out}"
    );
    let prefix: Prefix = lab.prefix.parse().expect("prefix");
    master_since(&prefix, "i-a", start, Duration::from_secs(5));
    assert!(lab.holds_vip("i-a"));
    lab.client_reaches(A_MAC);
    let again = up(&["--keepalived", "--advert-int", "100ms"]);
    assert!(again.contains("already running as configured"), "{again}");
    let dir = std::path::Path::new(havip_lab::LOCK_DIR).join(&lab.prefix);
    assert!(dir.exists());
    lab.down();
    assert!(!dir.exists(), "down removes keepalived's files");
    assert!(
        keepalived::recorded_state(&prefix, &havip_lab::instance_ns(&prefix, "i-a"), GROUP)
            .is_none()
    );
}
