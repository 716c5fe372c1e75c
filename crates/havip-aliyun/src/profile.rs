//! The rules of Alibaba Cloud's HaVip API (seeds 002/003, DECISIONS.md): two instances per
//! HaVip, five HaVips per instance, 50 HaVips per account and region; the master is
//! disassociated only with `Force`; names of 1–128 and descriptions of 1–255 characters,
//! neither starting with `http://` or `https://`; tag keys never start with `aliyun` or
//! `acs:`.

use havip_core::{IdShape, Limits, Profile, TextRule};

/// Tag key prefixes Alibaba reserves for itself.
pub const RESERVED_TAG_PREFIXES: [&str; 2] = ["aliyun", "acs:"];

pub fn profile() -> Profile {
    let urlless = |max| TextRule {
        no_url_prefix: true,
        ..TextRule::length(1, max)
    };
    Profile {
        limits: Limits {
            instances_per_havip: 2,
            havips_per_instance: 5,
            havips_per_region: 50,
            master_needs_force: true,
            processing_is_error: false,
        },
        name: urlless(128),
        description: urlless(255),
        reserved_tag_prefixes: RESERVED_TAG_PREFIXES.map(String::from).to_vec(),
        shows_transient_status: true,
        havip_ids: IdShape::default(),
    }
}

#[cfg(test)]
mod tests {
    use havip_core::validate::{description, name, tag};

    use super::*;

    #[test]
    fn names_descriptions_and_tags() {
        let p = profile();
        assert!(name(&p, "web-vip").is_ok());
        assert!(name(&p, "").is_err());
        assert!(name(&p, "http://x").is_err());
        assert!(name(&p, &"x".repeat(129)).is_err());
        assert!(description(&p, "d").is_ok());
        assert!(description(&p, "").is_err());
        assert!(description(&p, "https://x").is_err());
        assert!(description(&p, &"d".repeat(256)).is_err());
        assert!(tag(&p, "aliyun-x", "v").is_err());
        assert!(tag(&p, "ACS:x", "v").is_err());
        assert!(tag(&p, "env", "").is_ok());
    }

    #[test]
    fn limits_follow_decisions() {
        let l = profile().limits;
        assert_eq!((l.instances_per_havip, l.havips_per_instance), (2, 5));
        assert_eq!(l.havips_per_region, 50);
        assert!(l.master_needs_force);
    }
}
