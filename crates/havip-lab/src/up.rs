//! `havip lab up`: makes the host hold the plan and nothing else of the lab, changing
//! only what differs from it, so that a second `up` changes nothing. What the plan no
//! longer has is removed and what differs from it corrected ([`crate::converge`] says
//! what). A first `up` that fails removes what it made. The lab's lock
//! ([`crate::lock`]) is held throughout.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use crate::converge;
use crate::down;
use crate::error::LabError;
use crate::host::Host;
use crate::lock;
use crate::names::is_lab_namespace;
use crate::plan::{InterfacePlan, LabPlan, CLIENT_IFNAME};
use crate::state::{self, Link};
use crate::sysctl;

/// What `up` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpReport {
    /// Changes made (namespaces, links, settings, addresses, routes, rules, removals
    /// and corrections); 0 when the lab was already up as planned.
    pub changes: usize,
    /// Namespaces of the lab the plan does not have, removed.
    pub removed_namespaces: Vec<String>,
    /// Processes stopped in them.
    pub stopped: Vec<u32>,
    /// Links the plan does not have, removed (`NAMESPACE/LINK`).
    pub removed_links: Vec<String>,
    /// What differed from the plan and was set right (`NAMESPACE/LINK: what`).
    pub corrected: Vec<String>,
}

impl UpReport {
    /// Whether `up` changed anything.
    pub fn changed(&self) -> bool {
        self.changes > 0
    }
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
    for ns in converge::stale_namespaces(plan, before) {
        report.stopped.extend(down::stop_processes(host, &ns)?);
        host.ip(&["netns", "del", &ns])?;
        report.changes += 1;
        report.removed_namespaces.push(ns);
    }
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
    let pairs = pairs(plan);
    remove_stale_links(host, plan, &pairs, report)?;
    bridges(host, plan, report)?;
    replace_wrong_pairs(host, plan, &pairs, report)?;
    create_missing_pairs(host, plan, &pairs, report)?;
    let fabric = state::links(host, &plan.fabric)?;
    let mut inside: BTreeMap<&str, BTreeMap<String, Link>> = BTreeMap::new();
    for ns in plan.namespaces().into_iter().skip(1) {
        inside.insert(ns, state::links(host, ns)?);
    }
    for p in &pairs {
        hold_pair(host, plan, p, &fabric, &mut inside, report)?;
    }
    for i in &plan.instances {
        for f in &i.interfaces {
            report.changes += source_route(host, &i.namespace, f)?;
        }
        let wanted: Vec<u32> = i.interfaces.iter().map(|f| f.rule_priority).collect();
        let rules = state::rules(host, &i.namespace)?;
        for priority in converge::stale_rule_priorities(&rules, &wanted) {
            let pr = priority.to_string();
            while host.ip_ok(&["-n", &i.namespace, "rule", "del", "priority", &pr]) {}
            report.changes += 1;
            let what = format!("{}: rule priority {priority} removed", i.namespace);
            report.corrected.push(what);
        }
    }
    Ok(())
}

/// Every veth pair of the plan.
fn pairs(plan: &LabPlan) -> Vec<Pair<'_>> {
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
    pairs
}

/// Removes the fabric's bridges and veths and the namespaces' veths the plan does not
/// have (deleting one end of a veth pair deletes the other).
fn remove_stale_links(
    host: &Host,
    plan: &LabPlan,
    pairs: &[Pair<'_>],
    report: &mut UpReport,
) -> Result<(), LabError> {
    let fabric = state::links(host, &plan.fabric)?;
    for name in converge::stale_fabric_links(plan, &fabric) {
        delete_link(host, &plan.fabric, &name)?;
        report.changes += 1;
        report.removed_links.push(format!("{}/{name}", plan.fabric));
    }
    for ns in plan.namespaces().into_iter().skip(1) {
        let ifnames: Vec<&str> = pairs
            .iter()
            .filter(|p| p.ns == ns)
            .map(|p| p.ifname)
            .collect();
        for name in converge::stale_veths(&ifnames, &state::links(host, ns)?) {
            delete_link(host, ns, &name)?;
            report.changes += 1;
            report.removed_links.push(format!("{ns}/{name}"));
        }
    }
    Ok(())
}

/// Deletes a link, unless it is already gone (its peer was deleted first).
fn delete_link(host: &Host, ns: &str, name: &str) -> Result<(), LabError> {
    match host.ip(&["-n", ns, "link", "del", name]) {
        Ok(_) => Ok(()),
        Err(e) => {
            if state::links(host, ns)?.contains_key(name) {
                Err(e)
            } else {
                Ok(())
            }
        }
    }
}

fn bridges(host: &Host, plan: &LabPlan, report: &mut UpReport) -> Result<(), LabError> {
    let fabric = state::links(host, &plan.fabric)?;
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
    let fabric = state::links(host, &plan.fabric)?;
    for b in &plan.bridges {
        if !fabric.get(&b.name).is_some_and(|l| l.up) {
            host.ip(&["-n", &plan.fabric, "link", "set", &b.name, "up"])?;
            report.changes += 1;
        }
    }
    Ok(())
}

/// Deletes the pairs whose two planned ends exist but are not each other's peer (an
/// ENI that moved to another instance, an interface name planned for another ENI), and
/// fabric ends whose planned peer is missing: they are created anew.
fn replace_wrong_pairs(
    host: &Host,
    plan: &LabPlan,
    pairs: &[Pair<'_>],
    report: &mut UpReport,
) -> Result<(), LabError> {
    // One reading: a deletion only ever removes links that are checked here too, and
    // deleting a link already gone is not an error.
    let fabric = state::links(host, &plan.fabric)?;
    let mut inside: BTreeMap<&str, BTreeMap<String, Link>> = BTreeMap::new();
    for ns in plan.namespaces().into_iter().skip(1) {
        inside.insert(ns, state::links(host, ns)?);
    }
    for p in pairs {
        let port = fabric.get(p.port);
        let inner = inside.get(p.ns).and_then(|l| l.get(p.ifname));
        match (inner, port) {
            (Some(i), Some(f)) if converge::are_peers(i, f) => {}
            (Some(_), port) => {
                delete_link(host, p.ns, p.ifname)?;
                if port.is_some() {
                    delete_link(host, &plan.fabric, p.port)?;
                }
                report.changes += 1;
                report.corrected.push(format!(
                    "{}/{}: recreated (it was not the peer of {})",
                    p.ns, p.ifname, p.port
                ));
            }
            (None, Some(_)) => {
                // A fabric end whose peer is gone cannot be reused.
                delete_link(host, &plan.fabric, p.port)?;
                report.changes += 1;
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// Creates the pairs that are missing, each end directly in its namespace.
fn create_missing_pairs(
    host: &Host,
    plan: &LabPlan,
    pairs: &[Pair<'_>],
    report: &mut UpReport,
) -> Result<(), LabError> {
    let fabric = state::links(host, &plan.fabric)?;
    for p in pairs {
        if fabric.contains_key(p.port) {
            continue;
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
    }
    Ok(())
}

/// Sets one existing pair as planned: the port on its bridge and up, `lo` up, the
/// interface's MAC and address, the interface up.
fn hold_pair(
    host: &Host,
    plan: &LabPlan,
    p: &Pair<'_>,
    fabric: &BTreeMap<String, Link>,
    inside: &mut BTreeMap<&str, BTreeMap<String, Link>>,
    report: &mut UpReport,
) -> Result<(), LabError> {
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
    let lo = inside.get(p.ns).and_then(|l| l.get("lo"));
    if !lo.is_some_and(|l| l.up) {
        host.ip(&["-n", p.ns, "link", "set", "lo", "up"])?;
        report.changes += 1;
        if let Some(l) = inside.get_mut(p.ns).and_then(|l| l.get_mut("lo")) {
            l.up = true;
        }
    }
    let link = inside.get(p.ns).and_then(|l| l.get(p.ifname));
    let mac = link.map(|l| l.mac.as_str());
    if mac != Some(p.mac) {
        host.ip(&["-n", p.ns, "link", "set", p.ifname, "address", p.mac])?;
        report.changes += 1;
        if let Some(old) = mac {
            let what = format!("{}/{}: MAC {old} -> {}", p.ns, p.ifname, p.mac);
            report.corrected.push(what);
        }
    }
    let stale = link.map_or_else(Vec::new, |l| converge::stale_addresses(l, p.address));
    for a in &stale {
        let text = a.to_string();
        host.ip(&["-n", p.ns, "addr", "del", &text, "dev", p.ifname])?;
        report.changes += 1;
        let what = format!("{}/{}: address {text} removed", p.ns, p.ifname);
        report.corrected.push(what);
    }
    // Removing a primary address removes its secondaries: the planned one may be gone.
    if !stale.is_empty() || !link.is_some_and(|l| l.addrs.contains(&p.address)) {
        let a = p.address.to_string();
        host.ip(&["-n", p.ns, "addr", "replace", &a, "dev", p.ifname])?;
        report.changes += 1;
    }
    if !link.is_some_and(|l| l.up) {
        host.ip(&["-n", p.ns, "link", "set", p.ifname, "up"])?;
        report.changes += 1;
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
