//! `havip lab bench`: what the data plane costs, measured on this host (root, iproute2,
//! nftables). Two parts:
//!
//! - propagation: a `havip serve --lab` child on the example seed; a HaVip is associated
//!   with and disassociated from an instance N times through the native API, and for
//!   each change the time from the API's answer to the rule being in the fabric
//!   (`nft list set` in the fabric namespace, polled) and to the settled status (the
//!   agent's acknowledgement) is recorded;
//! - reconciling a fabric with many ports (synthetic: the table's size, not the
//!   namespaces, is what it measures), each step as the agent takes it
//!   (`havip_fabric::Fabric`): building the table from empty (the full path: one
//!   listing, one transaction), verifying it unchanged (the full path: one listing, no
//!   transaction), and moving one association (the fast path: one transaction of two
//!   element changes, no listing).
//!
//! Figures are printed as p50/p99/max in milliseconds (or JSON); nothing here is a test.

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use havip_core::{MemberKind, Target};
use havip_fabric::{Fabric, FabricState, HavipRule, Mode, Nft, Path as ApplyPath, Port, Ruleset};
use havip_lab::{Host, Prefix};
use serde::Serialize;
use serde_json::{json, Value};

use crate::bench::fixtures::Native;
use crate::bench::report::quantile;
use crate::bench::server::{Server, EXAMPLE_SEED};

const HAVIP: &str = "havip-uf6demo0001";
const INSTANCE: &str = "i-uf6demo0001";
/// How long one change may take to reach the fabric before the run gives up.
const CHANGE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, clap::Args)]
pub struct LabBenchArgs {
    /// The prefix of the benchmark's lab (removed before and after).
    #[arg(long, default_value = "hvbench")]
    pub prefix: Prefix,
    /// Associate + disassociate cycles (each is two changes).
    #[arg(long, default_value_t = 50)]
    pub cycles: usize,
    /// Ports of the synthetic fabric of the reconcile part.
    #[arg(long, default_value_t = 1000)]
    pub ports: usize,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// p50/p99/max of one measured step, in milliseconds.
#[derive(Debug, Serialize)]
pub struct Figure {
    pub what: String,
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

pub(crate) fn figure(what: &str, samples: &[Duration]) -> Figure {
    let mut micros: Vec<u64> = samples
        .iter()
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .collect();
    micros.sort_unstable();
    let ms = |v: u64| v as f64 / 1000.0;
    Figure {
        what: what.to_string(),
        samples: micros.len(),
        p50_ms: ms(quantile(&micros, 0.50)),
        p99_ms: ms(quantile(&micros, 0.99)),
        max_ms: ms(micros.last().copied().unwrap_or(0)),
    }
}

pub async fn run(args: LabBenchArgs) -> anyhow::Result<()> {
    let host = Host::detect()?;
    let nft = Nft::detect()?;
    havip_lab::down(&host, &args.prefix)?;
    let mut figures = reconcile(&host, &nft, &args.prefix, args.ports)?;
    havip_lab::down(&host, &args.prefix)?;
    let propagation = propagation(&args).await;
    havip_lab::down(&host, &args.prefix)?;
    figures.extend(propagation?);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        print_figures(&figures);
    }
    Ok(())
}

/// The figures as a table.
pub(crate) fn print_figures(figures: &[Figure]) {
    println!(
        "{:<62} {:>7} {:>9} {:>9} {:>9}",
        "step", "samples", "p50 ms", "p99 ms", "max ms"
    );
    for f in figures {
        println!(
            "{:<62} {:>7} {:>9.1} {:>9.1} {:>9.1}",
            f.what, f.samples, f.p50_ms, f.p99_ms, f.max_ms
        );
    }
}

/// Rounds of the reconcile part (each builds the table from empty and verifies it).
const ROUNDS: usize = 5;
/// Associations moved per round.
const MOVES: usize = 10;

/// A fabric of `ports` ports and one VIP per two ports, in a fabric namespace of its own.
fn reconcile(host: &Host, nft: &Nft, prefix: &Prefix, ports: usize) -> anyhow::Result<Vec<Figure>> {
    let ns = havip_lab::fabric_ns(prefix);
    host.ip(&["netns", "add", &ns])?;
    let mut state = synthetic(prefix, ports)?;
    let mut full = Vec::new();
    let mut unchanged = Vec::new();
    let mut moved = Vec::new();
    for round in 0..ROUNDS {
        // From an empty table.
        if round > 0 {
            host.in_ns(
                &ns,
                Path::new("nft"),
                &[
                    "delete",
                    "table",
                    "bridge",
                    &havip_fabric::table_name(prefix),
                ],
            )?;
        }
        let mut fabric = Fabric::new(nft.clone(), prefix.clone());
        let ruleset = Ruleset::from_state(&state)?;
        let t = Instant::now();
        let report = fabric.apply(&ruleset, Mode::Verify)?;
        full.push(t.elapsed());
        if report.path != ApplyPath::Rebuilt {
            bail!("building from empty took the path {:?}", report.path);
        }
        let t = Instant::now();
        let report = fabric.apply(&ruleset, Mode::Verify)?;
        unchanged.push(t.elapsed());
        if report.changed {
            bail!("verifying the same rules changed the table");
        }
        // Move the first VIP from its first member to another port's instance.
        for step in 0..MOVES {
            let next = format!("i-{}", (round * MOVES + step + 2) % ports);
            if let Some(rule) = state.havips.first_mut() {
                rule.members[0] = Target {
                    kind: MemberKind::EcsInstance,
                    id: next,
                };
            }
            let ruleset = Ruleset::from_state(&state)?;
            let t = Instant::now();
            let report = fabric.apply(&ruleset, Mode::Fast)?;
            moved.push(t.elapsed());
            if report.path != ApplyPath::Elements {
                bail!(
                    "moving an association took the path {:?} ({:?})",
                    report.path,
                    report.fast_path_failed
                );
            }
        }
        // The moves are in place: a verify finds nothing to change.
        if fabric
            .apply(&Ruleset::from_state(&state)?, Mode::Verify)?
            .changed
        {
            bail!("a verify after the moves changed the table");
        }
    }
    Ok(vec![
        figure(
            &format!("reconcile {ports} ports: build from empty (full path)"),
            &full,
        ),
        figure(
            &format!("reconcile {ports} ports: verify, unchanged (full path)"),
            &unchanged,
        ),
        figure(
            &format!("reconcile {ports} ports: move one association (fast path)"),
            &moved,
        ),
    ])
}

fn synthetic(prefix: &Prefix, ports: usize) -> anyhow::Result<FabricState> {
    if ports == 0 || ports > 60_000 {
        bail!("--ports must be from 1 to 60000");
    }
    let mut state = FabricState {
        prefix: prefix.clone(),
        ports: Vec::with_capacity(ports),
        havips: Vec::new(),
    };
    for i in 0..ports {
        let n = u32::try_from(i)?;
        let ip = Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 0, 0, 0)) + 10 + n);
        state.ports.push(Port {
            name: format!("{prefix}b{i}"),
            mac: havip_lab::derived_mac(&format!("bench-{i}")),
            ips: vec![ip],
            eni: Some(format!("eni-{i}")),
            instance: Some(format!("i-{i}")),
            primary: true,
            label: format!("i-{i} eth0"),
        });
    }
    for pair in 0..ports / 2 {
        let n = u32::try_from(pair)?;
        let vip = Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 1, 0, 0)) + 10 + n);
        state.havips.push(HavipRule {
            vip,
            members: [2 * pair, 2 * pair + 1]
                .into_iter()
                .map(|i| Target {
                    kind: MemberKind::EcsInstance,
                    id: format!("i-{i}"),
                })
                .collect(),
        });
    }
    Ok(state)
}

/// `serve --lab` on the example seed; the time each change takes to reach the fabric.
async fn propagation(args: &LabBenchArgs) -> anyhow::Result<Vec<Figure>> {
    let exe = std::env::current_exe()?;
    let prefix = args.prefix.to_string();
    let server =
        Server::start_with(&exe, EXAMPLE_SEED, &["--lab", "--lab-prefix", &prefix]).await?;
    let result = measure_propagation(&server, &prefix, args.cycles).await;
    server.stop().await;
    result
}

async fn measure_propagation(
    server: &Server,
    prefix: &str,
    cycles: usize,
) -> anyhow::Result<Vec<Figure>> {
    let api = Native {
        http: reqwest::Client::new(),
        url: server.url.clone(),
        token: server.admin_token.clone(),
    };
    let view = lab_ready(&api).await?;
    let vip = api.get(&format!("/v1/havips/{HAVIP}")).await?["ip"]
        .as_str()
        .context("the HaVip's address")?
        .to_string();
    let primary = api.get(&format!("/v1/instances/{INSTANCE}")).await?["primary_eni"]
        .as_str()
        .context("the instance's primary ENI")?
        .to_string();
    let port = view["ports"]
        .as_array()
        .and_then(|ports| ports.iter().find(|p| p["eni"] == primary.as_str()))
        .and_then(|p| p["port"].as_str())
        .context("the instance's port")?
        .to_string();
    let element = format!("\"{port}\" . {vip}");
    let fabric = format!("{prefix}-fabric");
    let table = format!("havip_{prefix}");
    let mut to_rule = Vec::new();
    let mut to_in_use = Vec::new();
    let mut to_removed = Vec::new();
    let mut to_available = Vec::new();
    for _ in 0..cycles {
        api.post(
            &format!("/v1/havips/{HAVIP}/associate"),
            json!({"instance_id": INSTANCE}),
        )
        .await?;
        let answered = Instant::now();
        wait(|| in_set(&fabric, &table, &element)).await?;
        to_rule.push(answered.elapsed());
        wait(|| async { Ok(status(&api).await? == "InUse") }).await?;
        to_in_use.push(answered.elapsed());

        api.post(
            &format!("/v1/havips/{HAVIP}/disassociate"),
            json!({"instance_id": INSTANCE, "force": true}),
        )
        .await?;
        let answered = Instant::now();
        wait(|| async { Ok(!in_set(&fabric, &table, &element).await?) }).await?;
        to_removed.push(answered.elapsed());
        wait(|| async { Ok(status(&api).await? == "Available") }).await?;
        to_available.push(answered.elapsed());
    }
    Ok(vec![
        figure("associate: API answer -> rule in the fabric", &to_rule),
        figure(
            "associate: API answer -> InUse (agent acknowledged)",
            &to_in_use,
        ),
        figure("disassociate: API answer -> rule gone", &to_removed),
        figure("disassociate: API answer -> Available", &to_available),
    ])
}

/// Polls `check` every 2 ms until it holds.
async fn wait<F, Fut>(check: F) -> anyhow::Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + CHANGE_TIMEOUT;
    while !check().await? {
        if Instant::now() > deadline {
            bail!("a change did not reach the fabric within {CHANGE_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}

async fn in_set(fabric: &str, table: &str, element: &str) -> anyhow::Result<bool> {
    let out = tokio::process::Command::new("ip")
        .args([
            "netns", "exec", fabric, "nft", "list", "set", "bridge", table, "port_ip",
        ])
        .output()
        .await?;
    if !out.status.success() {
        bail!(
            "nft list set: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).contains(element))
}

/// The status of the benchmark's HaVip.
async fn status(api: &Native) -> anyhow::Result<String> {
    Ok(api.get(&format!("/v1/havips/{HAVIP}")).await?["status"]
        .as_str()
        .unwrap_or("")
        .to_string())
}

/// Waits until the lab's agent has acknowledged the control plane and reported its
/// ports; returns the view of `/v1/dataplane/ports` then.
pub(crate) async fn lab_ready(api: &Native) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let view = api.get("/v1/dataplane/ports").await?;
        if view["lag"] == 0 && view["ports"].as_array().is_some_and(|p| !p.is_empty()) {
            return Ok(view);
        }
        if Instant::now() > deadline {
            bail!("the lab's agent did not acknowledge within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
