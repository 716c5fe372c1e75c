//! Per-cloud limits: each API face applies its own cloud's numbers to the calls made
//! through it. Defaults follow DECISIONS.md (Alibaba 2/5, Volcengine 10/5, Huawei 10/8)
//! and, for the HaVips an account may hold in one region, each cloud's documented quota
//! (Alibaba 50, Volcengine 20, Huawei 50; see docs/decisions.md).

use serde::{Deserialize, Serialize};

/// The cloud whose API a request came through (or `Native` for the operator API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    Aliyun,
    Volcengine,
    Huawei,
    Native,
}

impl Cloud {
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Aliyun => "aliyun",
            Cloud::Volcengine => "volcengine",
            Cloud::Huawei => "huawei",
            Cloud::Native => "native",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// At most this many instances (or ENIs) carry one HaVip.
    pub instances_per_havip: u32,
    /// At most this many HaVips are carried by one instance (directly or by its ENIs).
    pub havips_per_instance: u32,
    /// At most this many HaVips (Huawei: VIP ports) exist in one account and region: the
    /// quota a create is checked against (HaVips loaded from the seed count too).
    pub havips_per_region: u32,
    /// Whether the master can only be disassociated with Force (Alibaba).
    pub master_needs_force: bool,
    /// Whether a retry with the ClientToken of a change still in flight is refused with
    /// IdempotentProcessing (Volcengine documents it) rather than answered with the
    /// first answer.
    pub processing_is_error: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitProfiles {
    pub aliyun: Limits,
    pub volcengine: Limits,
    pub huawei: Limits,
}

impl Default for LimitProfiles {
    fn default() -> Self {
        LimitProfiles {
            aliyun: Limits {
                instances_per_havip: 2,
                havips_per_instance: 5,
                havips_per_region: 50,
                master_needs_force: true,
                processing_is_error: false,
            },
            volcengine: Limits {
                instances_per_havip: 10,
                havips_per_instance: 5,
                havips_per_region: 20,
                master_needs_force: false,
                processing_is_error: true,
            },
            huawei: Limits {
                instances_per_havip: 10,
                havips_per_instance: 8,
                havips_per_region: 50,
                master_needs_force: false,
                processing_is_error: false,
            },
        }
    }
}

impl LimitProfiles {
    /// The limits for calls made through `cloud`. The native API is the operator's and
    /// uses the most generous of the cloud profiles, so it can build any state a cloud face
    /// can (its HaVip quota is the largest of the three).
    pub fn for_cloud(&self, cloud: Cloud) -> Limits {
        match cloud {
            Cloud::Aliyun => self.aliyun,
            Cloud::Volcengine => self.volcengine,
            Cloud::Huawei => self.huawei,
            Cloud::Native => Limits {
                instances_per_havip: self
                    .aliyun
                    .instances_per_havip
                    .max(self.volcengine.instances_per_havip)
                    .max(self.huawei.instances_per_havip),
                havips_per_instance: self
                    .aliyun
                    .havips_per_instance
                    .max(self.volcengine.havips_per_instance)
                    .max(self.huawei.havips_per_instance),
                havips_per_region: self
                    .aliyun
                    .havips_per_region
                    .max(self.volcengine.havips_per_region)
                    .max(self.huawei.havips_per_region),
                master_needs_force: false,
                processing_is_error: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_decisions() {
        let p = LimitProfiles::default();
        assert_eq!(p.for_cloud(Cloud::Aliyun).instances_per_havip, 2);
        assert_eq!(p.for_cloud(Cloud::Aliyun).havips_per_instance, 5);
        assert!(p.for_cloud(Cloud::Aliyun).master_needs_force);
        assert_eq!(p.for_cloud(Cloud::Volcengine).instances_per_havip, 10);
        assert_eq!(p.for_cloud(Cloud::Huawei).havips_per_instance, 8);
        assert_eq!(p.for_cloud(Cloud::Native).instances_per_havip, 10);
        assert_eq!(p.for_cloud(Cloud::Native).havips_per_instance, 8);
    }

    #[test]
    fn quota_defaults_follow_the_clouds_and_native_takes_the_largest() {
        let mut p = LimitProfiles::default();
        assert_eq!(p.for_cloud(Cloud::Aliyun).havips_per_region, 50);
        assert_eq!(p.for_cloud(Cloud::Volcengine).havips_per_region, 20);
        assert_eq!(p.for_cloud(Cloud::Huawei).havips_per_region, 50);
        assert_eq!(p.for_cloud(Cloud::Native).havips_per_region, 50);
        p.volcengine.havips_per_region = 70;
        assert_eq!(p.for_cloud(Cloud::Native).havips_per_region, 70);
    }
}
