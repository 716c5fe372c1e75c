//! What a namespace holds now, read from `ip -j` (links with their MAC, master, state
//! and IPv4 addresses; rules; routes of a table), so that `up` changes only what
//! differs from the plan and a second `up` changes nothing.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;
use serde::Deserialize;

use crate::error::LabError;
use crate::host::Host;

/// The namespaces that exist on the host.
pub fn namespaces(host: &Host) -> Result<Vec<String>, LabError> {
    let out = host.ip(&["netns", "list"])?;
    Ok(out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect())
}

/// One link of a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub mac: String,
    pub master: Option<String>,
    pub up: bool,
    pub addrs: Vec<Ipv4Net>,
}

#[derive(Deserialize)]
struct RawLink {
    ifname: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    master: Option<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    addr_info: Vec<RawAddr>,
}

#[derive(Deserialize)]
struct RawAddr {
    family: String,
    local: String,
    prefixlen: u8,
}

/// The links of namespace `ns` by name.
pub fn links(host: &Host, ns: &str) -> Result<BTreeMap<String, Link>, LabError> {
    let args = ["-j", "-n", ns, "addr", "show"];
    let out = host.ip(&args)?;
    let raw: Vec<RawLink> = parse(&args, &out)?;
    Ok(raw
        .into_iter()
        .map(|l| {
            let addrs = l
                .addr_info
                .iter()
                .filter(|a| a.family == "inet")
                .filter_map(|a| {
                    let ip = a.local.parse().ok()?;
                    Ipv4Net::new(ip, a.prefixlen).ok()
                })
                .collect();
            let link = Link {
                mac: l.address.to_ascii_lowercase(),
                master: l.master,
                up: l.flags.iter().any(|f| f == "UP"),
                addrs,
            };
            (l.ifname, link)
        })
        .collect())
}

/// A policy routing rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Rule {
    pub priority: u32,
    pub src: Option<String>,
    pub table: Option<String>,
}

pub fn rules(host: &Host, ns: &str) -> Result<Vec<Rule>, LabError> {
    let args = ["-j", "-n", ns, "rule", "show"];
    let out = host.ip(&args)?;
    parse(&args, &out)
}

/// An IPv4 route; `table` is absent for the main table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Route {
    pub dst: String,
    pub dev: Option<String>,
    pub prefsrc: Option<String>,
    pub table: Option<String>,
}

/// The IPv4 routes of every table of `ns` (asking for one table that does not exist
/// yet is an error, asking for all is not).
pub fn routes(host: &Host, ns: &str) -> Result<Vec<Route>, LabError> {
    let args = ["-j", "-4", "-n", ns, "route", "show", "table", "all"];
    let out = host.ip(&args)?;
    parse(&args, &out)
}

fn parse<T: serde::de::DeserializeOwned>(args: &[&str], out: &str) -> Result<Vec<T>, LabError> {
    // An empty listing prints nothing at all rather than `[]`.
    if out.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(out).map_err(|e| LabError::Output {
        command: format!("ip {}", args.join(" ")),
        detail: e.to_string(),
    })
}
