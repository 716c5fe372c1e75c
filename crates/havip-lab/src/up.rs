//! `havip lab up`: makes the host hold the plan, changing only what differs from it,
//! so that a second `up` changes nothing. A first `up` that fails removes what it made.
//! The lab's lock ([`crate::lock`]) is held throughout.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use crate::down;
use crate::error::LabError;
use crate::host::Host;
use crate::lock;
use crate::names::is_lab_namespace;
use crate::plan::{InterfacePlan, LabPlan, CLIENT_IFNAME};
use crate::state::{self, Link};
use crate::sysctl;

/// What `up` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpReport {
    /// Changes made (namespaces, links, settings, addresses, routes, rules); 0 when the
    /// lab was already up as planned.
    pub changes: usize,
}

/// Builds the lab of `plan`, or completes and corrects it where it exists.
pub fn up(host: &Host, plan: &LabPlan) -> Result<UpReport, LabError> {
    host.require_sysctl()?;
    let _lock = lock::lock(&plan.prefix)?;
    let before = state::namespaces(host)?;
    let existed = before.iter().any(|n| is_lab_namespace(&plan.prefix, n));
    let mut report = UpReport::default();
    match apply(host, plan, &before, &mut report) {
        Ok(()) => Ok(report),
        Err(e) => {
            if !existed {
                // Best effort: the error that stopped `up` is the one to report.
                let _ = down::down_locked(host, &plan.prefix);
            }
            Err(e)
        }
    }
}

/// One veth pair to hold: its namespace end and its fabric end.
struct Pair<'a> {
    ns: &'a str,
    ifname: &'a str,
    port: &'a str,
    bridge: &'a str,
    mac: &'a str,
    address: Ipv4Net,
}

fn apply(
    host: &Host,
    plan: &LabPlan,
    before: &[String],
    report: &mut UpReport,
) -> Result<(), LabError> {
    for ns in plan.namespaces() {
        if !before.iter().any(|b| b == ns) {
            host.ip(&["netns", "add", ns])?;
            report.changes += 1;
        }
    }
    // Settings first: interfaces created afterwards take the namespace's defaults.
    report.changes += sysctl::ensure(host, &plan.fabric, sysctl::FABRIC)?;
    for i in &plan.instances {
        report.changes += sysctl::ensure(host, &i.namespace, sysctl::INSTANCE)?;
    }
    for c in &plan.clients {
        report.changes += sysctl::ensure(host, &c.namespace, sysctl::CLIENT)?;
    }
    let mut fabric = state::links(host, &plan.fabric)?;
    for b in &plan.bridges {
        if !fabric.contains_key(&b.name) {
            host.ip(&[
                "-n",
                &plan.fabric,
                "link",
                "add",
                &b.name,
                "type",
                "bridge",
                "stp_state",
                "0",
                "forward_delay",
                "0",
            ])?;
            report.changes += 1;
        }
    }
    fabric = state::links(host, &plan.fabric)?;
    for b in &plan.bridges {
        if !fabric.get(&b.name).is_some_and(|l| l.up) {
            host.ip(&["-n", &plan.fabric, "link", "set", &b.name, "up"])?;
            report.changes += 1;
        }
    }
    let mut pairs = Vec::new();
    for i in &plan.instances {
        pairs.extend(i.interfaces.iter().map(|f| Pair {
            ns: &i.namespace,
            ifname: &f.ifname,
            port: &f.port,
            bridge: &f.bridge,
            mac: &f.mac,
            address: f.address,
        }));
    }
    pairs.extend(plan.clients.iter().map(|c| Pair {
        ns: &c.namespace,
        ifname: CLIENT_IFNAME,
        port: &c.port,
        bridge: &c.bridge,
        mac: &c.mac,
        address: c.address,
    }));
    let mut inside: BTreeMap<&str, BTreeMap<String, Link>> = BTreeMap::new();
    for ns in plan.namespaces().into_iter().skip(1) {
        inside.insert(ns, state::links(host, ns)?);
    }
    // Create the pairs that are missing, each end directly in its namespace.
    let mut created = false;
    for p in &pairs {
        let have = inside.get(p.ns).is_some_and(|l| l.contains_key(p.ifname));
        if have {
            continue;
        }
        if fabric.contains_key(p.port) {
            // A fabric end whose peer is gone cannot be reused.
            host.ip(&["-n", &plan.fabric, "link", "del", p.port])?;
        }
        host.ip(&[
            "-n",
            &plan.fabric,
            "link",
            "add",
            p.port,
            "type",
            "veth",
            "peer",
            "name",
            p.ifname,
            "address",
            p.mac,
            "netns",
            p.ns,
        ])?;
        report.changes += 1;
        created = true;
    }
    if created {
        fabric = state::links(host, &plan.fabric)?;
        for ns in plan.namespaces().into_iter().skip(1) {
            inside.insert(ns, state::links(host, ns)?);
        }
    }
    for p in &pairs {
        let port = fabric.get(p.port);
        if port.and_then(|l| l.master.as_deref()) != Some(p.bridge) {
            host.ip(&[
                "-n",
                &plan.fabric,
                "link",
                "set",
                p.port,
                "master",
                p.bridge,
            ])?;
            report.changes += 1;
        }
        if !port.is_some_and(|l| l.up) {
            host.ip(&["-n", &plan.fabric, "link", "set", p.port, "up"])?;
            report.changes += 1;
        }
        let links = inside.get(p.ns);
        let lo = links.and_then(|l| l.get("lo"));
        if !lo.is_some_and(|l| l.up) {
            host.ip(&["-n", p.ns, "link", "set", "lo", "up"])?;
            report.changes += 1;
            if let Some(l) = inside.get_mut(p.ns).and_then(|l| l.get_mut("lo")) {
                l.up = true;
            }
        }
        let link = inside.get(p.ns).and_then(|l| l.get(p.ifname));
        if link.map(|l| l.mac.as_str()) != Some(p.mac) {
            host.ip(&["-n", p.ns, "link", "set", p.ifname, "address", p.mac])?;
            report.changes += 1;
        }
        if !link.is_some_and(|l| l.addrs.contains(&p.address)) {
            let a = p.address.to_string();
            host.ip(&["-n", p.ns, "addr", "replace", &a, "dev", p.ifname])?;
            report.changes += 1;
        }
        if !link.is_some_and(|l| l.up) {
            host.ip(&["-n", p.ns, "link", "set", p.ifname, "up"])?;
            report.changes += 1;
        }
    }
    for i in &plan.instances {
        for f in &i.interfaces {
            report.changes += source_route(host, &i.namespace, f)?;
        }
    }
    Ok(())
}

/// Replies from an ENI's address leave through that ENI: a table with the subnet's
/// route through it, and a rule sending that source address to the table.
fn source_route(host: &Host, ns: &str, f: &InterfacePlan) -> Result<usize, LabError> {
    let mut changes = 0;
    let ip = f.address.addr().to_string();
    let net = f.address.trunc().to_string();
    let table = f.table.to_string();
    let routes = state::routes(host, ns)?;
    let has_route = routes.iter().any(|r| {
        r.table.as_deref() == Some(table.as_str())
            && r.dst == net
            && r.dev.as_deref() == Some(f.ifname.as_str())
            && r.prefsrc.as_deref() == Some(ip.as_str())
    });
    if !has_route {
        host.ip(&[
            "-n", ns, "route", "replace", &net, "dev", &f.ifname, "src", &ip, "table", &table,
        ])?;
        changes += 1;
    }
    let rules = state::rules(host, ns)?;
    let at_priority: Vec<_> = rules
        .iter()
        .filter(|r| r.priority == f.rule_priority)
        .collect();
    let right = at_priority.len() == 1
        && at_priority[0].src.as_deref() == Some(ip.as_str())
        && at_priority[0].table.as_deref() == Some(table.as_str());
    if !right {
        let priority = f.rule_priority.to_string();
        for _ in &at_priority {
            host.ip(&["-n", ns, "rule", "del", "priority", &priority])?;
        }
        host.ip(&[
            "-n", ns, "rule", "add", "from", &ip, "lookup", &table, "priority", &priority,
        ])?;
        changes += 1;
    }
    Ok(changes)
}
