//! What a namespace holds now, read from `ip -j` (links with their kind, index and
//! peer's index, MAC, master, state and IPv4 addresses; rules; routes), so that `up`
//! changes only what differs from the plan and a second `up` changes nothing.

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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Link {
    /// `veth`, `bridge`... (`None` for `lo`).
    pub kind: Option<String>,
    /// The link's index in its namespace.
    pub index: u32,
    /// A veth's peer's index (in the peer's namespace).
    pub peer_index: Option<u32>,
    pub mac: String,
    pub master: Option<String>,
    pub up: bool,
    /// Every IPv4 address.
    pub addrs: Vec<Ipv4Net>,
    /// The IPv4 addresses the kernel does not flag as secondary (the first address of
    /// each prefix on the link).
    pub primaries: Vec<Ipv4Net>,
}

impl Link {
    pub fn is(&self, kind: &str) -> bool {
        self.kind.as_deref() == Some(kind)
    }
}

#[derive(Deserialize)]
struct RawLink {
    ifname: String,
    #[serde(default)]
    ifindex: u32,
    #[serde(default)]
    link_index: Option<u32>,
    #[serde(default)]
    linkinfo: Option<RawLinkInfo>,
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
struct RawLinkInfo {
    info_kind: Option<String>,
}

#[derive(Deserialize)]
struct RawAddr {
    family: String,
    local: String,
    prefixlen: u8,
    #[serde(default)]
    secondary: bool,
}

/// The links of namespace `ns` by name.
pub fn links(host: &Host, ns: &str) -> Result<BTreeMap<String, Link>, LabError> {
    let args = ["-d", "-j", "-n", ns, "addr", "show"];
    let out = host.ip(&args)?;
    let raw: Vec<RawLink> = parse(&args, &out)?;
    Ok(raw.into_iter().map(link).collect())
}

fn link(l: RawLink) -> (String, Link) {
    let v4 = |a: &RawAddr| -> Option<Ipv4Net> {
        if a.family != "inet" {
            return None;
        }
        Ipv4Net::new(a.local.parse().ok()?, a.prefixlen).ok()
    };
    let link = Link {
        kind: l.linkinfo.and_then(|i| i.info_kind),
        index: l.ifindex,
        peer_index: l.link_index,
        mac: l.address.to_ascii_lowercase(),
        master: l.master,
        up: l.flags.iter().any(|f| f == "UP"),
        addrs: l.addr_info.iter().filter_map(v4).collect(),
        primaries: l
            .addr_info
            .iter()
            .filter(|a| !a.secondary)
            .filter_map(v4)
            .collect(),
    };
    (l.ifname, link)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_veth_with_a_secondary_address_is_read() {
        let out = r#"[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],
            "address":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1",
            "prefixlen":8}]},
          {"ifindex":2,"link_index":3,"ifname":"eth0","flags":["BROADCAST","UP"],
            "address":"00:16:3E:00:00:01","link_netnsid":0,"linkinfo":{"info_kind":"veth"},
            "addr_info":[{"family":"inet","local":"10.0.0.5","prefixlen":24},
              {"family":"inet","local":"10.0.0.100","prefixlen":24,"secondary":true},
              {"family":"inet6","local":"fe80::1","prefixlen":64}]}]"#;
        let raw: Vec<RawLink> = parse(&["addr"], out).unwrap();
        let links: BTreeMap<String, Link> = raw.into_iter().map(link).collect();
        let eth0 = &links["eth0"];
        assert!(eth0.is("veth") && eth0.up);
        assert_eq!((eth0.index, eth0.peer_index), (2, Some(3)));
        assert_eq!(eth0.mac, "00:16:3e:00:00:01");
        assert_eq!(eth0.addrs.len(), 2);
        assert_eq!(eth0.primaries, vec!["10.0.0.5/24".parse().unwrap()]);
        assert_eq!(links["lo"].kind, None);
    }
}
