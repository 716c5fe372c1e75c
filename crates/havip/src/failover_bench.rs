//! `havip lab bench-failover`: failover measured end to end on this host (root, iproute2,
//! nftables, keepalived). A `havip serve --lab --keepalived` child on the example seed; a
//! HaVip in `subnet-13fdemo0001` associated with `i-13fdemo0001` (preferred) and
//! `i-13fdemo0002`; a client pinging the VIP every 10 ms. Each trial takes the master's
//! link down and SIGKILLs its keepalived, then records the time to (a) keepalived's
//! notify on the backup (its state file), (b) the first reply to the client after the
//! kill (only the new master can answer then), (c) the new master in the API, and the
//! API's lag behind the gratuitous ARP that decided it (the claim's time as the fabric saw
//! it). The old master is then brought back and takes the VIP back before the next trial.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use havip_lab::{Host, Prefix};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::bench::fixtures::Native;
use crate::bench::server::{Server, EXAMPLE_SEED};
use crate::lab_bench::{figure, lab_ready, print_figures, Figure};

const SUBNET: &str = "subnet-13fdemo0001";
const PREFERRED: &str = "i-13fdemo0001";
const BACKUP: &str = "i-13fdemo0002";
const VIP: &str = "192.168.1.200";
/// How long one step of a trial may take before the run gives up.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, clap::Args)]
pub struct FailoverBenchArgs {
    /// The prefix of the benchmark's lab (removed before and after).
    #[arg(long, default_value = "hvfail")]
    pub prefix: Prefix,
    #[arg(long, default_value_t = 20)]
    pub trials: usize,
    /// keepalived's advert interval.
    #[arg(long, default_value = "100ms", value_parser = crate::cli::parse_duration)]
    pub advert_int: Duration,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn ms(v: f64) -> Duration {
    Duration::from_secs_f64(v.max(0.0) / 1000.0)
}

pub async fn run(args: FailoverBenchArgs) -> anyhow::Result<()> {
    let host = Host::detect()?;
    havip_lab::down(&host, &args.prefix)?;
    let exe = std::env::current_exe()?;
    let prefix = args.prefix.to_string();
    let advert = format!("{}ms", args.advert_int.as_millis());
    let server = Server::start_with(
        &exe,
        EXAMPLE_SEED,
        &[
            "--lab",
            "--lab-prefix",
            &prefix,
            "--keepalived",
            "--advert-int",
            &advert,
        ],
    )
    .await?;
    let result = trials(&server, &args).await;
    server.stop().await;
    havip_lab::down(&host, &args.prefix)?;
    let figures = result?;
    let advert_s = args.advert_int.as_secs_f64();
    let skew = (256.0 - 100.0) / 256.0 * advert_s;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        print_figures(&figures);
        println!(
            "keepalived's takeover bound: 3 x advert_int + skew = 3 x {advert_s} s + {skew:.4} s = {:.1} ms",
            (3.0 * advert_s + skew) * 1000.0
        );
    }
    Ok(())
}

async fn havip(api: &Native, id: &str) -> anyhow::Result<Value> {
    Ok(api.get(&format!("/v1/havips/{id}")).await?)
}

/// Polls HaVip `id` every 2 ms until `check` holds; returns it then.
async fn until(
    api: &Native,
    id: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let h = havip(api, id).await?;
        if check(&h) {
            return Ok(h);
        }
        if Instant::now() > deadline {
            bail!("{id}: {what} did not happen within {STEP_TIMEOUT:?}: {h}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The address of an instance's primary ENI.
async fn own_ip(api: &Native, instance: &str) -> anyhow::Result<String> {
    let i = api.get(&format!("/v1/instances/{instance}")).await?;
    let eni = i["primary_eni"].as_str().context("primary ENI")?;
    let e = api.get(&format!("/v1/enis/{eni}")).await?;
    Ok(e["ip"].as_str().context("ENI address")?.to_string())
}

async fn trials(server: &Server, args: &FailoverBenchArgs) -> anyhow::Result<Vec<Figure>> {
    let api = Native {
        http: reqwest::Client::new(),
        url: server.url.clone(),
        token: server.admin_token.clone(),
    };
    lab_ready(&api).await?;
    let created = api
        .post("/v1/havips", json!({"subnet": SUBNET, "ip": VIP}))
        .await?;
    let id = created["id"].as_str().context("HaVip id")?.to_string();
    until(&api, &id, "Available", |h| h["status"] == "Available").await?;
    for member in [PREFERRED, BACKUP] {
        api.post(
            &format!("/v1/havips/{id}/associate"),
            json!({"instance_id": member}),
        )
        .await?;
        until(&api, &id, "InUse", |h| h["status"] == "InUse").await?;
    }
    until(&api, &id, "the preferred member's claim", |h| {
        h["master"] == PREFERRED && h["master_claim"].is_object()
    })
    .await?;
    let prefix = &args.prefix;
    let preferred_ns = havip_lab::instance_ns(prefix, PREFERRED);
    let preferred_dir = keepalived_dir(prefix, &own_ip(&api, PREFERRED).await?)?;
    let backup_dir = keepalived_dir(prefix, &own_ip(&api, BACKUP).await?)?;

    let replies = Arc::new(Mutex::new(Vec::<f64>::new()));
    let mut pinger = tokio::process::Command::new("ip")
        .args(["netns", "exec", &havip_lab::client_ns(prefix, SUBNET)])
        .args(["ping", "-D", "-n", "-i", "0.01", "-W", "1", VIP])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = pinger.stdout.take().context("ping's output")?;
    let seen = replies.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            // `[1796153103.804321] 64 bytes from 192.168.1.200: icmp_seq=...`
            let stamp = line
                .strip_prefix('[')
                .and_then(|l| l.split_once(']'))
                .filter(|(_, rest)| rest.contains("bytes from"))
                .and_then(|(t, _)| t.parse::<f64>().ok());
            if let (Some(t), Ok(mut v)) = (stamp, seen.lock()) {
                v.push(t * 1000.0);
            }
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;

    let (mut notify, mut reply, mut visible, mut lag) = (vec![], vec![], vec![], vec![]);
    for trial in 0..args.trials {
        let killed = now_ms();
        ip(&[
            "netns",
            "exec",
            &preferred_ns,
            "ip",
            "link",
            "set",
            "eth0",
            "down",
        ])
        .await?;
        // Replies received from here on can only come from the new master.
        let cut = now_ms();
        kill_keepalived(&preferred_dir);
        // (c) the new master through the API, and its claim's time.
        let h = until(&api, &id, "the backup as master", |h| h["master"] == BACKUP).await?;
        let seen_at = now_ms();
        visible.push(ms(seen_at - killed));
        let claim_at = h["master_claim"]["at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis() as f64)
            .context("the claim's time")?;
        lag.push(ms(seen_at - claim_at));
        // (a) keepalived's notify on the backup.
        let became = wait_state(&backup_dir, killed).await?;
        notify.push(ms(became - killed));
        // (b) the first reply after the kill.
        let first = wait_reply(&replies, cut).await?;
        reply.push(ms(first - killed));
        // The old master comes back and, preferred, takes the VIP back.
        ip(&[
            "netns",
            "exec",
            &preferred_ns,
            "ip",
            "link",
            "set",
            "eth0",
            "up",
        ])
        .await?;
        restart_keepalived(&preferred_ns, &preferred_dir).await?;
        until(&api, &id, "the preferred member back", |h| {
            h["master"] == PREFERRED
        })
        .await
        .with_context(|| format!("trial {trial}"))?;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    pinger.kill().await.ok();
    Ok(vec![
        figure("kill -> keepalived notify MASTER on the backup", &notify),
        figure("kill -> first client reply (from the new master)", &reply),
        figure("kill -> new master visible through the API", &visible),
        figure(
            "gratuitous ARP seen by the fabric -> visible through the API",
            &lag,
        ),
    ])
}

async fn ip(args: &[&str]) -> anyhow::Result<()> {
    let out = tokio::process::Command::new("ip")
        .args(args)
        .output()
        .await?;
    if !out.status.success() {
        bail!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// The lab's keepalived directory of the instance whose adverts come from `own_ip`.
fn keepalived_dir(prefix: &Prefix, own_ip: &str) -> anyhow::Result<PathBuf> {
    let root = Path::new(havip_lab::LOCK_DIR).join(prefix.as_str());
    let wanted = format!("unicast_src_ip {own_ip}\n");
    for entry in std::fs::read_dir(&root).with_context(|| root.display().to_string())? {
        let dir = entry?.path();
        if std::fs::read_to_string(dir.join("keepalived.conf")).is_ok_and(|c| c.contains(&wanted)) {
            return Ok(dir);
        }
    }
    bail!("no keepalived of {own_ip} under {}", root.display())
}

/// Kills keepalived as a crash would: the parent is stopped first, so that it neither
/// respawns its VRRP child nor, dying, makes the child hand over cleanly; then the child
/// and the parent get SIGKILL.
fn kill_keepalived(dir: &Path) {
    let pid = |file: &str| {
        std::fs::read_to_string(dir.join(file))
            .ok()
            .and_then(|p| p.trim().parse::<i32>().ok())
    };
    let (parent, child) = (pid("keepalived.pid"), pid("vrrp.pid"));
    for (target, signal) in [
        (parent, libc::SIGSTOP),
        (child, libc::SIGKILL),
        (parent, libc::SIGKILL),
    ] {
        if let Some(target) = target {
            // SAFETY: a signal to a process id read from keepalived's own pid file.
            unsafe {
                libc::kill(target, signal);
            }
        }
    }
}

/// Starts keepalived again in `ns` with its configuration (it daemonises); the pid files
/// the SIGKILL left are removed first.
async fn restart_keepalived(ns: &str, dir: &Path) -> anyhow::Result<()> {
    for file in ["keepalived.pid", "vrrp.pid"] {
        std::fs::remove_file(dir.join(file)).ok();
    }
    let path = |f: &str| dir.join(f).display().to_string();
    let (conf, pid, vrrp) = (
        path("keepalived.conf"),
        path("keepalived.pid"),
        path("vrrp.pid"),
    );
    ip(&[
        "netns",
        "exec",
        ns,
        "keepalived",
        "-l",
        "-D",
        "-G",
        "-f",
        &conf,
        "-p",
        &pid,
        "-r",
        &vrrp,
    ])
    .await
}

/// When the state file of `dir` says MASTER at a time after `after` (ms).
async fn wait_state(dir: &Path, after: f64) -> anyhow::Result<f64> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "state") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let at = text
                    .strip_prefix("MASTER ")
                    .and_then(|t| t.trim().parse::<f64>().ok());
                if let Some(at) = at.filter(|at| *at > after) {
                    return Ok(at);
                }
            }
        }
        if Instant::now() > deadline {
            bail!("the backup's keepalived did not become MASTER");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The first reply the client got after `after` (ms).
async fn wait_reply(replies: &Arc<Mutex<Vec<f64>>>, after: f64) -> anyhow::Result<f64> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let first = replies
            .lock()
            .ok()
            .and_then(|v| v.iter().copied().find(|t| *t > after));
        if let Some(t) = first {
            return Ok(t);
        }
        if Instant::now() > deadline {
            bail!("the client got no reply after the failover");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
