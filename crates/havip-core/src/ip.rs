//! Private addresses in a subnet: which are usable, which are reserved by the system, and
//! how a free one is picked when a request names none.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::error::DomainError;

/// Parses a strict dotted-quad IPv4 address (no leading zeros, no shorthand).
pub fn parse_ipv4(s: &str) -> Result<Ipv4Addr, DomainError> {
    s.parse::<Ipv4Addr>()
        .map_err(|_| DomainError::IpMalformed(s.to_string()))
}

/// The system keeps the network address, the gateway (first host) and the broadcast
/// address of every subnet, as the clouds do.
pub fn is_reserved(cidr: &Ipv4Net, ip: Ipv4Addr) -> bool {
    let net = u32::from(cidr.network());
    let bcast = u32::from(cidr.broadcast());
    let v = u32::from(ip);
    v == net || v == bcast || (cidr.prefix_len() < 31 && v == net + 1)
}

/// How many addresses of `cidr` can be given to ENIs and HaVips: all of them but those
/// [`is_reserved`] keeps back (network, broadcast and, below /31, the gateway).
pub fn usable_count(cidr: &Ipv4Net) -> u64 {
    let total = 1u64 << (32 - u32::from(cidr.prefix_len()));
    let reserved = match cidr.prefix_len() {
        32 => 1,
        31 => 2,
        _ => 3,
    };
    total - reserved
}

/// Checks that `ip` may be given to a new HaVip or ENI in the subnet `cidr`.
pub fn check_requested_ip(
    cidr: &Ipv4Net,
    ip: Ipv4Addr,
    in_use: impl Fn(Ipv4Addr) -> bool,
) -> Result<(), DomainError> {
    if !cidr.contains(&ip) {
        return Err(DomainError::IpOutOfRange(ip));
    }
    if is_reserved(cidr, ip) {
        return Err(DomainError::IpReserved(ip));
    }
    if in_use(ip) {
        return Err(DomainError::IpInUse(ip));
    }
    Ok(())
}

/// Picks a free address of `cidr`, scanning cyclically from the host at `start`
/// (callers pass a random number so that addresses look assigned at random).
pub fn allocate_ip(
    cidr: &Ipv4Net,
    start: u32,
    in_use: impl Fn(Ipv4Addr) -> bool,
) -> Result<Ipv4Addr, DomainError> {
    let net = u64::from(u32::from(cidr.network()));
    let size = 1u64 << (32 - u32::from(cidr.prefix_len()));
    for step in 0..size {
        let offset = (u64::from(start) + step) % size;
        let Ok(v) = u32::try_from(net + offset) else {
            continue;
        };
        let ip = Ipv4Addr::from(v);
        if !is_reserved(cidr, ip) && !in_use(ip) {
            return Ok(ip);
        }
    }
    Err(DomainError::SubnetExhausted)
}

/// The MAC of an ENI whose MAC nobody gave, derived from a key: the first six bytes of
/// SHA-256, locally administered and unicast, so that the control plane and the lab
/// (which builds the ENI's interface) agree without talking. The key is the ENI's id, or
/// [`primary_eni_key`] for a primary ENI whose id the seed leaves to the loader.
pub fn derived_mac(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"havip-lab-mac\0");
    h.update(key.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 6];
    b.copy_from_slice(&d[..6]);
    b[0] = (b[0] & 0xfc) | 0x02;
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The key of [`derived_mac`] for an ENI: its id when known, else the instance's primary.
pub fn eni_mac_key(eni: Option<&str>, instance: &str) -> String {
    eni.map_or_else(|| format!("{instance}#primary"), str::to_string)
}

/// A MAC address derived from an address and a salt, in the locally administered range.
pub fn mac_for(ip: Ipv4Addr, salt: u32) -> String {
    let o = ip.octets();
    let s = salt.to_be_bytes();
    format!(
        "fa:16:{:02x}:{:02x}:{:02x}:{:02x}",
        o[2] ^ s[3],
        o[3],
        s[2],
        o[1] ^ s[1]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn reserved_addresses() {
        let n = net("192.168.1.0/24");
        assert!(is_reserved(&n, "192.168.1.0".parse().unwrap()));
        assert!(is_reserved(&n, "192.168.1.1".parse().unwrap()));
        assert!(is_reserved(&n, "192.168.1.255".parse().unwrap()));
        assert!(!is_reserved(&n, "192.168.1.2".parse().unwrap()));
    }

    #[test]
    fn requested_ip_rules() {
        let n = net("10.0.0.0/28");
        let used: Ipv4Addr = "10.0.0.5".parse().unwrap();
        let f = |ip| ip == used;
        assert_eq!(
            check_requested_ip(&n, "10.0.1.5".parse().unwrap(), f),
            Err(DomainError::IpOutOfRange("10.0.1.5".parse().unwrap()))
        );
        assert_eq!(
            check_requested_ip(&n, "10.0.0.15".parse().unwrap(), f),
            Err(DomainError::IpReserved("10.0.0.15".parse().unwrap()))
        );
        assert_eq!(
            check_requested_ip(&n, used, f),
            Err(DomainError::IpInUse(used))
        );
        assert_eq!(
            check_requested_ip(&n, "10.0.0.6".parse().unwrap(), f),
            Ok(())
        );
        assert!(parse_ipv4("10.0.0.256").is_err());
        assert!(parse_ipv4("10.0.0").is_err());
    }

    #[test]
    fn allocation_skips_used_and_reserved_and_exhausts() {
        let n = net("10.0.0.0/29"); // hosts .2 .. .6 usable
        let mut used = std::collections::BTreeSet::new();
        for _ in 0..5 {
            let ip = allocate_ip(&n, 7, |ip| used.contains(&ip)).unwrap();
            assert!(!is_reserved(&n, ip));
            assert!(used.insert(ip));
        }
        assert_eq!(
            allocate_ip(&n, 3, |ip| used.contains(&ip)),
            Err(DomainError::SubnetExhausted)
        );
    }
}
