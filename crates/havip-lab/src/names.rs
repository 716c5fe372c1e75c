//! Names of a lab's namespaces and links: short and deterministic (a prefix and a hash
//! of the seed id), so that `havip lab exec` and `havip lab down` find them without the
//! seed and two labs with different prefixes never share a name.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::error::PlanError;

/// The longest prefix: a link name is the prefix, one letter and 7 hex digits, and Linux
/// allows 15 bytes.
pub const MAX_PREFIX: usize = 7;

/// The prefix when none is given.
pub const DEFAULT_PREFIX: &str = "havip";

/// Hex digits of the hash in a link name.
const LINK_HASH: usize = 7;
/// Hex digits of the hash in a namespace name (namespace names have no 15-byte limit).
const NS_HASH: usize = 10;

/// A lab's prefix: 1 to 7 bytes, a lower-case letter then lower-case letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Prefix(String);

impl Prefix {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Prefix {
    fn default() -> Self {
        Prefix(DEFAULT_PREFIX.to_string())
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Prefix {
    type Err = PlanError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if first_ok && rest_ok && s.len() <= MAX_PREFIX {
            Ok(Prefix(s.to_string()))
        } else {
            Err(PlanError::BadPrefix(s.to_string()))
        }
    }
}

/// The first `n` hex digits of SHA-256 over a kind tag and an id.
fn hash(kind: &str, id: &str, n: usize) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(id.as_bytes());
    let mut s = hex::encode(h.finalize());
    s.truncate(n);
    s
}

/// The namespace that holds one bridge per subnet.
pub fn fabric_ns(p: &Prefix) -> String {
    format!("{p}-fabric")
}

/// An instance's namespace.
pub fn instance_ns(p: &Prefix, instance: &str) -> String {
    format!("{p}-i{}", hash("instance", instance, NS_HASH))
}

/// A subnet's client namespace ("a user on the network").
pub fn client_ns(p: &Prefix, subnet: &str) -> String {
    format!("{p}-c{}", hash("client", subnet, NS_HASH))
}

/// A subnet's bridge, in the fabric namespace.
pub fn bridge(p: &Prefix, subnet: &str) -> String {
    format!("{p}b{}", hash("bridge", subnet, LINK_HASH))
}

/// The fabric end of an ENI's veth pair. `eni_key` is the ENI id (see
/// [`crate::EniSpec::key`]).
pub fn eni_port(p: &Prefix, eni_key: &str) -> String {
    format!("{p}p{}", hash("eni", eni_key, LINK_HASH))
}

/// The fabric end of a client's veth pair.
pub fn client_port(p: &Prefix, subnet: &str) -> String {
    format!("{p}c{}", hash("client-port", subnet, LINK_HASH))
}

/// The interface name of the n-th ENI inside an instance (`eth0` is the primary one).
pub fn instance_ifname(n: usize) -> String {
    format!("eth{n}")
}

/// Whether `ns` is a namespace of the lab with prefix `p` (and of no other lab: the
/// part after the prefix must be exactly one of the shapes above).
pub fn is_lab_namespace(p: &Prefix, ns: &str) -> bool {
    let Some(rest) = ns
        .strip_prefix(p.as_str())
        .and_then(|r| r.strip_prefix('-'))
    else {
        return false;
    };
    if rest == "fabric" {
        return true;
    }
    match rest.strip_prefix('i').or_else(|| rest.strip_prefix('c')) {
        Some(h) => {
            h.len() == NS_HASH
                && h.chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    #[test]
    fn prefixes_are_short_lower_case_words() {
        for ok in ["havip", "a", "t1234ab", "lab2"] {
            assert!(ok.parse::<Prefix>().is_ok(), "{ok}");
        }
        for bad in ["", "1lab", "Lab", "la-b", "abcdefgh", "la b", "lab/"] {
            assert!(bad.parse::<Prefix>().is_err(), "{bad}");
        }
    }

    #[test]
    fn link_names_fit_in_fifteen_bytes_with_the_longest_prefix() {
        let long = p("abcdefg");
        let id = "30000000-0000-4000-8000-000000000001-very-long-id";
        for name in [
            bridge(&long, id),
            eni_port(&long, id),
            client_port(&long, id),
        ] {
            assert_eq!(name.len(), 15, "{name}");
        }
    }

    #[test]
    fn names_are_deterministic_and_differ_per_prefix_and_kind() {
        assert_eq!(instance_ns(&p("a"), "i-1"), instance_ns(&p("a"), "i-1"));
        assert_ne!(instance_ns(&p("a"), "i-1"), instance_ns(&p("b"), "i-1"));
        assert_ne!(eni_port(&p("a"), "x"), client_port(&p("a"), "x"));
        assert_ne!(instance_ns(&p("a"), "x"), client_ns(&p("a"), "x"));
    }

    #[test]
    fn a_lab_knows_its_own_namespaces_only() {
        let a = p("lab");
        assert!(is_lab_namespace(&a, &fabric_ns(&a)));
        assert!(is_lab_namespace(&a, &instance_ns(&a, "i-1")));
        assert!(is_lab_namespace(&a, &client_ns(&a, "vsw-1")));
        let other = p("lab2");
        assert!(!is_lab_namespace(&a, &fabric_ns(&other)));
        assert!(!is_lab_namespace(&a, &instance_ns(&other, "i-1")));
        assert!(!is_lab_namespace(&a, "lab-ix"));
        assert!(!is_lab_namespace(&a, "lab-fabric2"));
        assert!(!is_lab_namespace(&a, "lab"));
    }
}
