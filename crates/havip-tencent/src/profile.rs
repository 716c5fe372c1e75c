//! The rules of Tencent Cloud's HaVip API (docs/decisions.md, "Tencent face"): ten
//! instances or ENIs per HaVip (the SDK's `HaVipAssociationSet`: "at most 10 instances"),
//! five HaVips per instance and ten HaVips per account and region (neither figure is
//! published; havip's choices); names of 1–60 characters ("the maximum length is 60
//! characters", ModifyHaVipAttribute); tag keys may not start with `qcloud`, `tencent` or
//! `project` (Tencent's system-reserved tag keys); no transient association status is
//! shown (Tencent documents only `AVAILABLE` and `UNBIND`). Tencent's HaVips have no
//! description: the face never sets one, and the rule below only bounds what another face
//! stored.

use havip_core::{IdShape, Limits, Profile, TextRule};

/// Tag keys Tencent reserves for the system (the Tag API's `ReservedTagKey` errors).
pub const RESERVED_TAG_PREFIXES: [&str; 3] = ["qcloud", "tencent", "project"];

/// The longest HaVip name.
pub const MAX_NAME_CHARS: usize = 60;

pub fn profile() -> Profile {
    Profile {
        limits: Limits {
            instances_per_havip: 10,
            havips_per_instance: 5,
            havips_per_region: 10,
            master_needs_force: false,
            processing_is_error: false,
        },
        name: TextRule::length(1, MAX_NAME_CHARS),
        description: TextRule::length(0, 255),
        reserved_tag_prefixes: RESERVED_TAG_PREFIXES.map(String::from).to_vec(),
        shows_transient_status: false,
        // Tencent's HaVip ids: `havip-` and 8 characters (`havip-3bd8s2z1`).
        havip_ids: IdShape {
            prefix: "havip-".into(),
            random_chars: 8,
        },
    }
}

#[cfg(test)]
mod tests {
    use havip_core::validate::{name, tag};

    use super::*;

    #[test]
    fn names_and_tags() {
        let p = profile();
        assert!(name(&p, "web vip / 中文").is_ok());
        assert!(name(&p, &"x".repeat(60)).is_ok());
        assert!(name(&p, &"x".repeat(61)).is_err());
        assert!(name(&p, &"中".repeat(60)).is_ok(), "characters, not bytes");
        assert!(name(&p, "").is_err());
        assert!(name(&p, "a\tb").is_err());
        for key in ["qcloud:x", "Tencent-x", "project", "PROJECTx"] {
            assert!(tag(&p, key, "v").is_err(), "{key}");
        }
        assert!(tag(&p, "team", "a&b=c").is_ok());
        assert!(
            tag(&p, "aliyun-x", "v").is_ok(),
            "Alibaba's prefixes are Alibaba's"
        );
    }

    #[test]
    fn limits_follow_decisions() {
        let p = profile();
        let l = p.limits;
        assert_eq!((l.instances_per_havip, l.havips_per_instance), (10, 5));
        assert_eq!(l.havips_per_region, 10);
        assert!(!l.master_needs_force && !l.processing_is_error);
        assert!(!p.shows_transient_status);
    }
}
