//! Kernel settings of the lab's namespaces, read and written with `sysctl` run inside
//! the namespace, and written only where they differ.

use crate::error::LabError;
use crate::host::Host;

/// The fabric bridges frames only: no IP/ARP netfilter hooks on bridged frames (these
/// start at 1 in every new namespace where the kernel has them), and no IPv6 chatter.
pub const FABRIC: &[(&str, &str)] = &[
    ("net.bridge.bridge-nf-call-iptables", "0"),
    ("net.bridge.bridge-nf-call-ip6tables", "0"),
    ("net.bridge.bridge-nf-call-arptables", "0"),
    ("net.ipv6.conf.all.disable_ipv6", "1"),
    ("net.ipv6.conf.default.disable_ipv6", "1"),
];

/// An instance answers ARP for an address only on the interface that holds it and
/// announces the address of the interface it sends from, as a cloud instance with
/// several ENIs is configured; source routes (not reverse-path filtering) pick the way
/// out. IPv4 only.
pub const INSTANCE: &[(&str, &str)] = &[
    ("net.ipv4.conf.all.arp_ignore", "1"),
    ("net.ipv4.conf.default.arp_ignore", "1"),
    ("net.ipv4.conf.all.arp_announce", "2"),
    ("net.ipv4.conf.default.arp_announce", "2"),
    ("net.ipv4.conf.all.rp_filter", "0"),
    ("net.ipv4.conf.default.rp_filter", "0"),
    ("net.ipv6.conf.all.disable_ipv6", "1"),
    ("net.ipv6.conf.default.disable_ipv6", "1"),
];

/// A client is a plain host on the subnet. IPv4 only.
pub const CLIENT: &[(&str, &str)] = &[
    ("net.ipv6.conf.all.disable_ipv6", "1"),
    ("net.ipv6.conf.default.disable_ipv6", "1"),
];

/// Sets `wanted` in namespace `ns` where the value differs; keys this kernel does not
/// have are skipped. Returns how many values were written.
pub fn ensure(host: &Host, ns: &str, wanted: &[(&str, &str)]) -> Result<usize, LabError> {
    let sysctl = host.require_sysctl()?;
    let mut args = vec!["-e"];
    args.extend(wanted.iter().map(|(k, _)| *k));
    let out = host.in_ns(ns, sysctl, &args)?;
    let current: Vec<(&str, &str)> = out
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let writes: Vec<String> = wanted
        .iter()
        .filter(|(k, v)| current.iter().any(|(ck, cv)| ck == k && cv != v))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if writes.is_empty() {
        return Ok(0);
    }
    let mut args = vec!["-q", "-w"];
    args.extend(writes.iter().map(String::as_str));
    host.in_ns(ns, sysctl, &args)?;
    Ok(writes.len())
}
