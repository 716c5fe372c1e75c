//! The rules of Volcengine's HaVip API (seed 004, DECISIONS.md): ten instances per HaVip,
//! five HaVips per instance, 20 HaVips per account and region; the master is
//! disassociated like any member; a retry of a change still in flight is
//! `IdempotentProcessing`; names of 1–128 characters and descriptions of 0–255 that start
//! with a letter, a digit or a Chinese character and hold only those and a few marks; no
//! transient association status is shown.

use havip_core::{Charset, IdShape, Limits, Profile, TextRule};

pub fn profile() -> Profile {
    let words = |min, max, extra: &[char]| TextRule {
        charset: Charset::Words {
            extra: extra.to_vec(),
        },
        ..TextRule::length(min, max)
    };
    Profile {
        limits: Limits {
            instances_per_havip: 10,
            havips_per_instance: 5,
            havips_per_region: 20,
            master_needs_force: false,
            processing_is_error: true,
        },
        name: words(1, 128, &['.', '_', '-']),
        description: words(0, 255, &[',', '.', '_', ' ', '=', '-', '，', '。']),
        reserved_tag_prefixes: ["aliyun", "acs:"].map(String::from).to_vec(),
        shows_transient_status: false,
        havip_ids: IdShape::default(),
    }
}

#[cfg(test)]
mod tests {
    use havip_core::validate::{description, name};

    use super::*;

    #[test]
    fn names_and_descriptions() {
        let p = profile();
        assert!(name(&p, "高可用-1.a_b").is_ok());
        assert!(name(&p, "-bad").is_err());
        assert!(name(&p, "bad name").is_err());
        assert!(name(&p, "").is_err());
        assert!(description(&p, "").is_ok());
        assert!(description(&p, "a b=c，。").is_ok());
        assert!(description(&p, "a;b").is_err());
    }

    #[test]
    fn limits_follow_decisions() {
        let l = profile().limits;
        assert_eq!((l.instances_per_havip, l.havips_per_instance), (10, 5));
        assert_eq!(l.havips_per_region, 20);
        assert!(!l.master_needs_force && l.processing_is_error);
    }
}
