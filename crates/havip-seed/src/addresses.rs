//! Which address each ENI and HaVip of a seed gets: the one rule the loader applies
//! (an address the seed names, or the free address found from the allocation start,
//! skipping the reserved ones and every address the seed names), and the loader's
//! result on an empty store, computed without a store (what `havip lab` builds).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use havip_core::{ip, validate, DomainError};
use ipnet::Ipv4Net;

use crate::model::{PrimaryEni, Seed};

/// An ENI the loader creates, in the order it creates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressedEni {
    /// The ENI's id; `None` for an instance's implicit primary ENI whose id the seed
    /// leaves to the loader (it is drawn from the id generator).
    pub id: Option<String>,
    pub subnet: String,
    /// The instance it is attached to, if any.
    pub instance: Option<String>,
    /// Whether it is its instance's primary ENI.
    pub primary: bool,
    pub ip: Ipv4Addr,
    /// The MAC the seed gives, if any.
    pub mac: Option<String>,
}

/// A HaVip the loader creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressedHavip {
    pub id: String,
    pub subnet: String,
    pub ip: Ipv4Addr,
}

/// The addresses a seed loaded into an empty store takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedAddresses {
    /// Declared ENIs first (file order), then implicit primary ENIs (instance order).
    pub enis: Vec<AddressedEni>,
    /// File order.
    pub havips: Vec<AddressedHavip>,
}

impl SeedAddresses {
    /// Every address taken in a subnet, by ENIs and HaVips.
    pub fn used_in(&self, subnet: &str) -> BTreeSet<Ipv4Addr> {
        let enis = self
            .enis
            .iter()
            .filter(|e| e.subnet == subnet)
            .map(|e| e.ip);
        let havips = self
            .havips
            .iter()
            .filter(|h| h.subnet == subnet)
            .map(|h| h.ip);
        enis.chain(havips).collect()
    }
}

impl Seed {
    /// The address an ENI or HaVip of `subnet` (with range `cidr`) gets: `wanted` if the
    /// seed names one (checked against `in_use`), or else the free address found from
    /// `alloc_start` that is neither in use nor named anywhere in the seed for that
    /// subnet (so that a generated address never takes one a later entry asks for).
    pub fn address_for(
        &self,
        subnet: &str,
        cidr: &Ipv4Net,
        wanted: Option<Ipv4Addr>,
        alloc_start: u32,
        in_use: impl Fn(Ipv4Addr) -> bool,
    ) -> Result<Ipv4Addr, DomainError> {
        match wanted {
            Some(a) => {
                ip::check_requested_ip(cidr, a, &in_use)?;
                Ok(a)
            }
            None => {
                let seeded: BTreeSet<Ipv4Addr> = self.seeded_ips(subnet).into_iter().collect();
                ip::allocate_ip(cidr, alloc_start, |x| in_use(x) || seeded.contains(&x))
            }
        }
    }

    /// What loading this seed into an empty store assigns, with allocation starting at
    /// `alloc_start` (0 is what `havip serve --id-seed N` uses: the lowest free address).
    /// Follows the loader's order: declared ENIs, then instances' implicit primary ENIs,
    /// then HaVips (those whose id the loader skips are skipped here too).
    pub fn initial_addresses(&self, alloc_start: u32) -> Result<SeedAddresses, DomainError> {
        let mut used: BTreeMap<String, BTreeSet<Ipv4Addr>> = BTreeMap::new();
        let mut out = SeedAddresses::default();
        let mut take = |seed: &Seed, subnet: &str, wanted: Option<Ipv4Addr>| {
            let Some(s) = seed.subnet(subnet) else {
                return Err(DomainError::SubnetNotFound(subnet.to_string()));
            };
            let taken = used.entry(s.id.clone()).or_default();
            let a =
                seed.address_for(&s.id, &s.cidr, wanted, alloc_start, |x| taken.contains(&x))?;
            taken.insert(a);
            Ok(a)
        };
        for e in &self.enis {
            let a = take(self, &e.subnet, e.ip)?;
            out.enis.push(AddressedEni {
                id: Some(e.id.clone()),
                subnet: e.subnet.clone(),
                instance: e.instance.clone(),
                primary: self.is_primary_eni(&e.id),
                ip: a,
                mac: e.mac.clone(),
            });
        }
        for i in &self.instances {
            if let Some(PrimaryEni::Implicit { id }) = self.primary_eni(&i.id) {
                let a = take(self, &i.subnet, None)?;
                out.enis.push(AddressedEni {
                    id: id.map(str::to_string),
                    subnet: i.subnet.clone(),
                    instance: Some(i.id.clone()),
                    primary: true,
                    ip: a,
                    mac: None,
                });
            }
        }
        for h in &self.havips {
            if !validate::id_syntax(&h.id) {
                continue;
            }
            let a = take(self, &h.subnet, h.ip)?;
            out.havips.push(AddressedHavip {
                id: h.id.clone(),
                subnet: h.subnet.clone(),
                ip: a,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_seed;

    const SEED: &str = r#"
[[account]]
id = "1000000000000009"
[[vpc]]
id = "vpc-a"
account = "1000000000000009"
region = "cn-shanghai"
cidr = "10.9.0.0/16"
[[subnet]]
id = "vsw-a"
vpc = "vpc-a"
zone = "cn-shanghai-b"
cidr = "10.9.1.0/29"
[[instance]]
id = "i-1"
subnet = "vsw-a"
status = "Running"
[[eni]]
id = "eni-2"
subnet = "vsw-a"
instance = "i-1"
[[eni]]
id = "eni-3"
subnet = "vsw-a"
ip = "10.9.1.3"
[[havip]]
id = "havip-1"
subnet = "vsw-a"
"#;

    fn a(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn declared_enis_then_implicit_primaries_then_havips_take_the_lowest_free() {
        let seed = parse_seed(SEED).unwrap();
        let out = seed.initial_addresses(0).unwrap();
        let ips: Vec<_> = out.enis.iter().map(|e| (e.id.clone(), e.ip)).collect();
        assert_eq!(
            ips,
            vec![
                (Some("eni-2".into()), a("10.9.1.2")),
                (Some("eni-3".into()), a("10.9.1.3")),
                (None, a("10.9.1.4")),
            ]
        );
        assert!(out.enis[2].primary);
        assert_eq!(out.havips[0].ip, a("10.9.1.5"));
        assert_eq!(out.used_in("vsw-a").len(), 4);
        assert!(out.used_in("vsw-other").is_empty());
    }

    #[test]
    fn a_full_subnet_is_reported() {
        let text = SEED
            .replace("10.9.1.0/29", "10.9.1.0/30")
            .replace("10.9.1.3", "10.9.1.2");
        let seed = parse_seed(&text).unwrap();
        assert_eq!(seed.initial_addresses(0), Err(DomainError::SubnetExhausted));
    }
}
