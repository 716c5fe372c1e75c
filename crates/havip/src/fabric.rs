//! `havip lab fabric` and `havip lab counters`: the command-line side of the
//! `havip-fabric` crate (the seed's HaVips and the operator's associations in, the
//! rules applied to the lab's fabric; the drops per port out).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::Path;

use havip_fabric::{CounterKind, Counters, FabricState, HavipRule, Nft, Ruleset};
use havip_lab::{LabPlan, Prefix};

/// Applies the rules for the seed's lab: every HaVip of the seed is guarded, and
/// carried by the members `associate` gives it (`HAVIP=MEMBER`).
pub fn apply(seed: &Path, prefix: &Prefix, associate: &[String]) -> anyhow::Result<()> {
    let parsed =
        havip_seed::load_seed(seed).map_err(|e| anyhow::anyhow!("{}: {e}", seed.display()))?;
    let plan = LabPlan::from_seed(&parsed, prefix)
        .map_err(|e| anyhow::anyhow!("{}: {e}", seed.display()))?;
    let addresses = parsed
        .initial_addresses(0)
        .map_err(|e| anyhow::anyhow!("{}: {e}", seed.display()))?;
    let ids: BTreeMap<&str, Ipv4Addr> = addresses
        .havips
        .iter()
        .map(|h| (h.id.as_str(), h.ip))
        .collect();
    let mut havips: BTreeMap<Ipv4Addr, HavipRule> = ids
        .values()
        .map(|&vip| {
            (
                vip,
                HavipRule {
                    vip,
                    members: Vec::new(),
                },
            )
        })
        .collect();
    let mut state = FabricState::from_lab(&plan, Vec::new());
    for a in associate {
        let Some((havip, member)) = a.split_once('=') else {
            anyhow::bail!("--associate {a:?}: expected HAVIP=MEMBER (e.g. havip-1=i-a)");
        };
        let vip = match ids.get(havip) {
            Some(ip) => *ip,
            None => havip.parse::<Ipv4Addr>().map_err(|_| {
                anyhow::anyhow!(
                    "--associate {a:?}: no HaVip {havip} in the seed, and not an address"
                )
            })?,
        };
        let target = state.target(member).ok_or_else(|| {
            anyhow::anyhow!("--associate {a:?}: no instance or ENI {member} in the lab")
        })?;
        havips
            .entry(vip)
            .or_insert_with(|| HavipRule {
                vip,
                members: Vec::new(),
            })
            .members
            .push(target);
    }
    state.havips = havips.into_values().collect();
    let ruleset = Ruleset::from_state(&state)?;
    let nft = Nft::detect()?;
    let report = nft.apply(prefix, &ruleset)?;
    print!("{}", describe(&state, &ruleset));
    if report.changed {
        println!(
            "fabric rules of lab {prefix} applied (table bridge {})",
            ruleset.table
        );
    } else {
        println!("fabric rules of lab {prefix} were already in place: nothing changed");
    }
    Ok(())
}

/// Prints the drops per port and the refused claims per port and VIP.
pub fn counters(prefix: &Prefix) -> anyhow::Result<()> {
    let nft = Nft::detect()?;
    print!("{}", render_counters(&nft.counters(prefix)?));
    Ok(())
}

/// Which ports may carry each VIP.
fn describe(state: &FabricState, ruleset: &Ruleset) -> String {
    let mut out = String::new();
    for vip in &ruleset.vips {
        let carriers: Vec<String> = ruleset
            .carriers(*vip)
            .into_iter()
            .map(|port| {
                let label = state
                    .ports
                    .iter()
                    .find(|p| p.name == port)
                    .map_or("", |p| p.label.as_str());
                format!("{port} ({label})")
            })
            .collect();
        let carriers = if carriers.is_empty() {
            "no port".to_string()
        } else {
            carriers.join(", ")
        };
        let _ = writeln!(out, "VIP {vip}: may be claimed from {carriers}");
    }
    out
}

/// One line per port: `PORT vip=N mac=N ip=N proto=N  LABEL` (dropped packets), then
/// one line per VIP the port claimed and was refused: `  claimed VIP: N`.
pub fn render_counters(c: &Counters) -> String {
    let mut out = String::new();
    for p in &c.ports {
        let counts: Vec<String> = CounterKind::ALL
            .iter()
            .map(|k| format!("{}={}", k.as_str(), p.packets(*k)))
            .collect();
        let _ = writeln!(out, "{:<15} {}  {}", p.port, counts.join(" "), p.label);
        for (vip, count) in p.by_vip.iter().filter(|(_, c)| c.packets > 0) {
            let _ = writeln!(out, "  claimed {vip}: {}", count.packets);
        }
    }
    let _ = writeln!(out, "unknown ports: {}", c.unknown_port.packets);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use havip_fabric::{Count, PortCounters};

    #[test]
    fn counters_print_one_line_per_port_with_who_is_behind_it() {
        let mut p = PortCounters {
            port: "labp1234567".into(),
            label: "i-b eth0 eni-b1".into(),
            ..PortCounters::default()
        };
        p.by_kind.insert(
            CounterKind::Vip,
            Count {
                packets: 2,
                bytes: 84,
            },
        );
        p.by_vip.insert(
            "10.0.0.100".parse().unwrap(),
            Count {
                packets: 2,
                bytes: 84,
            },
        );
        p.by_vip
            .insert("10.0.0.101".parse().unwrap(), Count::default());
        let c = Counters {
            ports: vec![p],
            unknown_port: Count::default(),
        };
        assert_eq!(
            render_counters(&c),
            "labp1234567     vip=2 mac=0 ip=0 proto=0  i-b eth0 eni-b1\n  claimed 10.0.0.100: 2\nunknown ports: 0\n"
        );
    }
}
