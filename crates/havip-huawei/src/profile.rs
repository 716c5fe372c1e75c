//! The rules of Huawei Cloud's VIP ports (DECISIONS.md): ten NICs per VIP, eight VIPs per
//! NIC, 50 VIP ports per project; the master is unbound like any NIC; port names of 0–255
//! characters.

use havip_core::{Limits, Profile};

pub fn profile() -> Profile {
    Profile {
        // Tag keys never reach this face (ports have none); the reserved prefixes are the
        // same as the other faces' so that a HaVip's tags follow one rule wherever made.
        reserved_tag_prefixes: ["aliyun", "acs:"].map(String::from).to_vec(),
        ..Profile::plain(Limits {
            instances_per_havip: 10,
            havips_per_instance: 8,
            havips_per_region: 50,
            master_needs_force: false,
            processing_is_error: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use havip_core::validate::name;

    use super::*;

    #[test]
    fn port_names_and_limits() {
        let p = profile();
        assert!(name(&p, "").is_ok());
        assert!(name(&p, &"x".repeat(255)).is_ok());
        assert!(name(&p, &"x".repeat(256)).is_err());
        assert_eq!(
            (p.limits.instances_per_havip, p.limits.havips_per_instance),
            (10, 8)
        );
        assert!(!p.limits.master_needs_force);
    }
}
