//! `havip lab up|down|exec`: the command-line side of the `havip-lab` crate (reading the
//! seed, printing what was built, handing the terminal to a command in a namespace).

use std::fmt::Write as _;
use std::os::unix::process::CommandExt;
use std::path::Path;

use havip_lab::{Host, LabPlan, Prefix, Target};
use havip_native::feed::{DesiredMember, DesiredState, DesiredVip};

use crate::agent::KeepalivedArgs;

/// `havip lab up`: refuses a seed whose topology cannot be built before touching the
/// host, then builds (or completes) the lab and prints where everything is; with
/// `--keepalived`, starts keepalived in the members of each seed HaVip with two or more.
pub fn up(seed: &Path, prefix: &Prefix, keepalived: &KeepalivedArgs) -> anyhow::Result<()> {
    let parsed =
        havip_seed::load_seed(seed).map_err(|e| anyhow::anyhow!("{}: {e}", seed.display()))?;
    let plan = LabPlan::from_seed(&parsed, prefix)
        .map_err(|e| anyhow::anyhow!("{}: {e}", seed.display()))?;
    let host = Host::detect()?;
    if keepalived.keepalived && havip_lab::find("keepalived").is_none() {
        anyhow::bail!("--keepalived needs keepalived (Debian: apt-get install keepalived)");
    }
    let groups = match keepalived.advert() {
        Some(advert) => seed_groups(&parsed, &plan, advert)
            .map_err(|e| anyhow::anyhow!("{}: {e}", seed.display()))?,
        None => Vec::new(),
    };
    let report = havip_lab::up(&host, &plan)?;
    if keepalived.keepalived {
        let started = havip_lab::keepalived::converge(&host, prefix, &groups)?;
        for g in &groups {
            let members: Vec<&str> = g.members.iter().map(|m| m.instance.as_str()).collect();
            println!(
                "keepalived for {} ({}) in {}",
                g.name,
                g.vip,
                members.join(", ")
            );
        }
        if groups.is_empty() {
            println!("keepalived: no HaVip of the seed has two members or more");
        } else if !started.changed() {
            println!("keepalived was already running as configured");
        }
    }
    print!("{}", describe(&plan));
    for ns in &report.removed_namespaces {
        println!("removed namespace {ns} (not in the seed any more)");
    }
    if !report.stopped.is_empty() {
        println!("stopped processes {:?}", report.stopped);
    }
    for link in &report.removed_links {
        println!("removed link {link}");
    }
    for what in &report.corrected {
        println!("corrected {what}");
    }
    if !report.changed() {
        println!("lab {prefix} was already up: nothing changed");
    } else {
        println!("lab {prefix} is up ({} changes)", report.changes);
    }
    Ok(())
}

/// The keepalived groups of the seed's HaVips (their `members`, with the addresses the
/// control plane gives them).
fn seed_groups(
    seed: &havip_seed::Seed,
    plan: &LabPlan,
    advert: std::time::Duration,
) -> anyhow::Result<Vec<havip_lab::keepalived::VrrpGroup>> {
    let addresses = seed.initial_addresses(0)?;
    let havips = seed
        .havips
        .iter()
        .filter_map(|h| {
            let ip = addresses.havips.iter().find(|a| a.id == h.id)?.ip;
            let members = h
                .members
                .iter()
                .map(|m| DesiredMember {
                    kind: if seed.instances.iter().any(|i| i.id == *m) {
                        "EcsInstance"
                    } else {
                        "NetworkInterface"
                    }
                    .to_string(),
                    id: m.clone(),
                })
                .collect();
            Some(DesiredVip {
                id: h.id.clone(),
                account: String::new(),
                region: String::new(),
                subnet: h.subnet.clone(),
                ip,
                members,
            })
        })
        .collect();
    let desired = DesiredState {
        revision: 0,
        subnets: Vec::new(),
        instances: Vec::new(),
        enis: Vec::new(),
        havips,
    };
    Ok(havip_agent::vrrp::groups(&desired, plan, advert))
}

/// `havip lab down`: removes every namespace of the lab.
pub fn down(prefix: &Prefix) -> anyhow::Result<()> {
    let host = Host::detect()?;
    let report = havip_lab::down(&host, prefix)?;
    if !report.stopped.is_empty() {
        println!("stopped processes {:?}", report.stopped);
    }
    println!(
        "lab {prefix}: removed {} namespaces",
        report.namespaces.len()
    );
    Ok(())
}

/// `havip lab exec`: replaces this process with the command run in the target's
/// namespace, so its exit status and signals are the command's own.
pub fn exec(prefix: &Prefix, target: &str, command: &[String]) -> anyhow::Result<()> {
    let Some((program, args)) = command.split_first() else {
        anyhow::bail!("havip lab exec needs a command after `--`");
    };
    let host = Host::detect()?;
    let mut cmd = havip_lab::exec(&host, prefix, &Target::parse(target), program, args)?;
    let err = cmd.exec();
    Err(anyhow::anyhow!("could not run {program}: {err}"))
}

/// Where each instance, ENI and client of the lab is.
fn describe(plan: &LabPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "fabric namespace {}", plan.fabric);
    for b in &plan.bridges {
        let client = plan.client(&b.subnet);
        let _ = writeln!(
            out,
            "subnet {} ({}): bridge {}, client:{} in {} with {}",
            b.subnet,
            b.cidr,
            b.name,
            b.subnet,
            client.map_or("-", |c| c.namespace.as_str()),
            client.map_or_else(|| "-".to_string(), |c| c.address.to_string()),
        );
    }
    for i in &plan.instances {
        let _ = writeln!(out, "instance {} in {}", i.id, i.namespace);
        for f in &i.interfaces {
            let _ = writeln!(
                out,
                "  {} {} {} {} (port {})",
                f.ifname,
                f.eni.as_deref().unwrap_or("(primary ENI, id generated)"),
                f.address,
                f.mac,
                f.port
            );
        }
    }
    out
}
