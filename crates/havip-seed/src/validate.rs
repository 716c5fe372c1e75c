//! Checks the meaning of a parsed seed file and turns it into the public [`Seed`]:
//! ids (present, no blanks, unique per kind), references, CIDRs, IPs, MACs, instance
//! statuses and limits. Every problem is recorded with the offset of the value at
//! fault; the one written first in the file is reported, with its line and field.

mod kinds;

use std::collections::HashMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::error::{line_column, SeedError};
use crate::model::Seed;
use crate::raw::{RawSeed, S};
use kinds::Known;

struct Problem {
    offset: usize,
    field: String,
    message: String,
}

/// Collects problems; knows the text to turn offsets into lines.
struct Checker<'t> {
    text: &'t str,
    problems: Vec<Problem>,
}

impl<'t> Checker<'t> {
    fn line_of<T>(&self, v: &S<T>) -> usize {
        line_column(self.text, v.span().start).0
    }

    fn refuse<T>(&mut self, at: &S<T>, field: impl Into<String>, message: String) {
        self.problems.push(Problem {
            offset: at.span().start,
            field: field.into(),
            message,
        });
    }

    /// A value used as an id or a name of a region or zone: not empty, no white space
    /// or control characters. `what` says what it is, e.g. `subnet of eni "eni-1"`.
    fn token(&mut self, v: &S<String>, field: &str, what: &str) -> bool {
        let s = v.get_ref();
        let problem = if s.is_empty() {
            "is empty"
        } else if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            "contains white space or control characters"
        } else {
            return true;
        };
        self.refuse(v, field, format!("{what} {s:?} {problem}"));
        false
    }

    /// Checks one id and records it in `seen`; a duplicate is refused where it is
    /// written again. Returns whether this entry is the one kept under that id.
    fn id<'r>(&mut self, kind: &str, v: &'r S<String>, seen: &mut HashMap<&'r str, usize>) -> bool {
        if !self.token(v, &format!("{kind}.id"), &format!("id of {kind}")) {
            return false;
        }
        let id = v.get_ref().as_str();
        if let Some(&first_offset) = seen.get(id) {
            let first_line = line_column(self.text, first_offset).0;
            self.refuse(
                v,
                format!("{kind}.id"),
                format!("id {id:?} of {kind} is a duplicate (first used at line {first_line})"),
            );
            return false;
        }
        seen.insert(id, v.span().start);
        true
    }

    /// A reference `field` of `kind` `owner` to an entry of another kind that must exist.
    fn reference(
        &mut self,
        kind: &str,
        owner: &str,
        field: &str,
        v: &S<String>,
        exists: impl Fn(&str) -> bool,
    ) -> bool {
        let what = format!("{field} of {kind} {owner:?}");
        if !self.token(v, &format!("{kind}.{field}"), &what) {
            return false;
        }
        if exists(v.get_ref()) {
            return true;
        }
        self.refuse(
            v,
            format!("{kind}.{field}"),
            format!(
                "{field} {:?} of {kind} {owner:?} does not exist",
                v.get_ref()
            ),
        );
        false
    }

    fn cidr(&mut self, kind: &str, owner: &str, v: &S<String>) -> Option<Ipv4Net> {
        let s = v.get_ref();
        let field = format!("{kind}.cidr");
        let net = match s.parse::<Ipv4Net>() {
            Ok(net) => net,
            Err(_) => {
                self.refuse(
                    v,
                    field,
                    format!(
                        "cidr {s:?} of {kind} {owner:?} is not a valid IPv4 CIDR \
                         (expected a.b.c.d/n)"
                    ),
                );
                return None;
            }
        };
        if net.trunc() != net {
            self.refuse(
                v,
                field,
                format!(
                    "cidr {s:?} of {kind} {owner:?} has host bits set (did you mean {}?)",
                    net.trunc()
                ),
            );
            return None;
        }
        Some(net)
    }

    /// An IP of an ENI or HaVip: parses, lies in its subnet (when the subnet is known
    /// and valid), and is neither the subnet's network nor its broadcast address.
    fn ip(
        &mut self,
        kind: &str,
        owner: &str,
        v: &S<String>,
        subnet: Option<(&str, Ipv4Net)>,
    ) -> Option<Ipv4Addr> {
        let s = v.get_ref();
        let field = format!("{kind}.ip");
        let Ok(ip) = s.parse::<Ipv4Addr>() else {
            self.refuse(
                v,
                field,
                format!("ip {s:?} of {kind} {owner:?} is not a valid IPv4 address"),
            );
            return None;
        };
        if let Some((subnet_id, net)) = subnet {
            if !net.contains(&ip) {
                self.refuse(
                    v,
                    field,
                    format!(
                        "ip {s:?} of {kind} {owner:?} is outside the cidr {net} of its \
                         subnet {subnet_id:?}"
                    ),
                );
                return None;
            }
            if net.prefix_len() <= 30 && (ip == net.network() || ip == net.broadcast()) {
                let which = if ip == net.network() {
                    "network"
                } else {
                    "broadcast"
                };
                self.refuse(
                    v,
                    field,
                    format!(
                        "ip {s:?} of {kind} {owner:?} is the {which} address of its \
                         subnet {subnet_id:?} ({net})"
                    ),
                );
                return None;
            }
        }
        Some(ip)
    }

    fn mac(&mut self, owner: &str, v: &S<String>) -> Option<String> {
        let s = v.get_ref();
        match parse_mac(s) {
            Some(mac) => Some(mac),
            None => {
                self.refuse(
                    v,
                    "eni.mac",
                    format!(
                        "mac {s:?} of eni {owner:?} is not a unicast MAC address \
                         (expected six hex octets such as 00:16:3e:00:00:01)"
                    ),
                );
                None
            }
        }
    }

    fn limit(&mut self, cloud: &str, name: &str, v: &Option<S<i64>>) -> Option<u32> {
        let v = v.as_ref()?;
        let n = *v.get_ref();
        match u32::try_from(n) {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                self.refuse(
                    v,
                    format!("limits.{cloud}.{name}"),
                    format!(
                        "limits.{cloud}.{name} must be between 1 and {} (got {n})",
                        u32::MAX
                    ),
                );
                None
            }
        }
    }
}

/// Six hex octets separated by `:` or `-`, unicast; returned lower case with `:`.
fn parse_mac(s: &str) -> Option<String> {
    let sep = if s.contains('-') { '-' } else { ':' };
    let mut octets = Vec::with_capacity(6);
    for part in s.split(sep) {
        if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        octets.push(u8::from_str_radix(part, 16).ok()?);
    }
    if octets.len() != 6 || octets[0] & 1 == 1 {
        return None;
    }
    Some(
        octets
            .iter()
            .map(|o| format!("{o:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}

/// Checks everything and builds the [`Seed`], or reports the first problem in the file.
pub(crate) fn validate(text: &str, raw: RawSeed) -> Result<Seed, SeedError> {
    let mut c = Checker {
        text,
        problems: Vec::new(),
    };
    let seed = check(&mut c, &raw);
    match c.problems.into_iter().min_by_key(|p| p.offset) {
        Some(p) => Err(SeedError::Invalid {
            line: line_column(text, p.offset).0,
            field: p.field,
            message: p.message,
        }),
        None => Ok(seed),
    }
}

/// Builds the seed from the valid entries while recording problems; the result is
/// only used when there were none. Ids come first: every later check looks entries up
/// by id (the first one wins), and each kind may look up the kinds before it.
fn check(c: &mut Checker<'_>, raw: &RawSeed) -> Seed {
    let mut known = Known::index(c, raw);
    kinds::shared_port_ids(c, &raw.havip, &known);
    // The fields are evaluated in the order written: the order of the checks.
    Seed {
        accounts: kinds::accounts(&raw.account, &known),
        access_keys: kinds::access_keys(c, &raw.access_key, &known),
        huawei_projects: kinds::huawei_projects(c, &raw.huawei_project, &known),
        vpcs: kinds::vpcs(c, &raw.vpc, &mut known),
        subnets: kinds::subnets(c, &raw.subnet, &mut known),
        instances: kinds::instances(c, &raw.instance, &mut known),
        enis: kinds::enis(c, &raw.eni, &mut known),
        havips: kinds::havips(c, &raw.havip, &mut known),
        limits: kinds::limits(c, raw.limits.as_ref()),
        dataplane: kinds::dataplane(raw.dataplane.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_mac;

    #[test]
    fn macs_are_normalised_and_must_be_unicast() {
        assert_eq!(
            parse_mac("00:16:3E:0A:0b:FF").as_deref(),
            Some("00:16:3e:0a:0b:ff")
        );
        assert_eq!(
            parse_mac("fa-16-3e-00-00-01").as_deref(),
            Some("fa:16:3e:00:00:01")
        );
        assert_eq!(parse_mac("01:00:5e:00:00:12"), None); // multicast
        assert_eq!(parse_mac("ff:ff:ff:ff:ff:ff"), None);
        assert_eq!(parse_mac("00:16:3e:00:00"), None);
        assert_eq!(parse_mac("00:16:3e:00:00:001"), None);
        assert_eq!(parse_mac("00:16-3e:00:00:01"), None);
        assert_eq!(parse_mac(""), None);
    }
}
