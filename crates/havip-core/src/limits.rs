//! The numbers a face's rules apply: how many members a HaVip may have, how many HaVips an
//! instance may carry, the per-region quota, and the two behaviours that differ between
//! clouds (whether the master needs Force, whether a retry of a change in flight is an
//! error). Each face supplies its own as part of its [`crate::Profile`].

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// At most this many instances (or ENIs) carry one HaVip.
    pub instances_per_havip: u32,
    /// At most this many HaVips are carried by one instance (directly or by its ENIs).
    pub havips_per_instance: u32,
    /// At most this many HaVips exist in one account and region: the quota a create is
    /// checked against (HaVips loaded from the seed count too).
    pub havips_per_region: u32,
    /// Whether the master can only be disassociated with Force.
    pub master_needs_force: bool,
    /// Whether a retry with the ClientToken of a change still in flight is refused with
    /// IdempotentProcessing rather than answered with the first answer.
    pub processing_is_error: bool,
}

impl Limits {
    /// The larger of each number of `self` and `other`; neither behaviour.
    pub fn widest(self, other: Limits) -> Limits {
        Limits {
            instances_per_havip: self.instances_per_havip.max(other.instances_per_havip),
            havips_per_instance: self.havips_per_instance.max(other.havips_per_instance),
            havips_per_region: self.havips_per_region.max(other.havips_per_region),
            master_needs_force: false,
            processing_is_error: false,
        }
    }
}

/// Limit values a configuration file sets over a face's defaults (each, when present, ≥ 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitOverrides {
    pub instances_per_havip: Option<u32>,
    pub havips_per_instance: Option<u32>,
    pub havips_per_region: Option<u32>,
}

impl Limits {
    /// These limits with the values `o` sets.
    pub fn with(self, o: &LimitOverrides) -> Limits {
        Limits {
            instances_per_havip: o.instances_per_havip.unwrap_or(self.instances_per_havip),
            havips_per_instance: o.havips_per_instance.unwrap_or(self.havips_per_instance),
            havips_per_region: o.havips_per_region.unwrap_or(self.havips_per_region),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(a: u32, b: u32, c: u32) -> Limits {
        Limits {
            instances_per_havip: a,
            havips_per_instance: b,
            havips_per_region: c,
            master_needs_force: true,
            processing_is_error: true,
        }
    }

    #[test]
    fn widest_takes_each_largest_number_and_no_behaviour() {
        let w = limits(2, 5, 50)
            .widest(limits(10, 5, 20))
            .widest(limits(10, 8, 50));
        assert_eq!(
            w,
            Limits {
                instances_per_havip: 10,
                havips_per_instance: 8,
                havips_per_region: 50,
                master_needs_force: false,
                processing_is_error: false,
            }
        );
    }

    #[test]
    fn overrides_replace_only_what_they_set() {
        let o = LimitOverrides {
            havips_per_region: Some(70),
            ..LimitOverrides::default()
        };
        assert_eq!(limits(2, 5, 50).with(&o), limits(2, 5, 70));
        assert_eq!(
            limits(2, 5, 50).with(&LimitOverrides::default()),
            limits(2, 5, 50)
        );
    }
}
