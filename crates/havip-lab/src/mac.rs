//! MAC addresses of the lab: the seed's own, checked, or one derived from the ENI id
//! (locally administered, unicast) by the same rule as the control plane's seed loader,
//! so that the same seed always gives the same MACs in the store and on the interfaces.

pub use havip_core::ip::derived_mac;

/// Parses six colon-separated hex bytes (either case).
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split(':');
    for slot in &mut out {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *slot = u8::from_str_radix(part, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Whether an interface can take this MAC: not multicast, not all zeros.
pub fn is_assignable(b: [u8; 6]) -> bool {
    b[0] & 0x01 == 0 && b != [0; 6]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_macs_are_deterministic_local_unicast_and_distinct() {
        let a = derived_mac("eni-1");
        assert_eq!(a, derived_mac("eni-1"));
        assert_ne!(a, derived_mac("eni-2"));
        let b = parse_mac(&a).unwrap();
        assert_eq!(b[0] & 0x03, 0x02, "{a}");
        assert!(is_assignable(b));
        let many: std::collections::BTreeSet<_> = (0..1000)
            .map(|i| derived_mac(&format!("eni-{i}")))
            .collect();
        assert_eq!(many.len(), 1000);
    }

    #[test]
    fn parsing_and_assignability() {
        assert_eq!(
            parse_mac("00:16:3E:01:00:01"),
            Some([0, 0x16, 0x3e, 1, 0, 1])
        );
        for bad in [
            "",
            "00:16:3e:01:00",
            "00:16:3e:01:00:01:02",
            "0:16:3e:01:00:01",
            "zz:16:3e:01:00:01",
        ] {
            assert_eq!(parse_mac(bad), None, "{bad}");
        }
        assert!(!is_assignable([1, 0, 0, 0, 0, 1]));
        assert!(!is_assignable([0; 6]));
        assert!(is_assignable([0, 0x16, 0x3e, 1, 0, 1]));
    }
}
