//! The seed file's shape as serde reads it: one struct per table, unknown fields and
//! tables refused, and every value that a later check may refuse kept with its span
//! (`toml::Spanned`) so that the error can name its line. Nothing here is public.

use serde::Deserialize;
use toml::Spanned;

pub(crate) type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSeed {
    #[serde(default)]
    pub account: Vec<RawAccount>,
    #[serde(default)]
    pub access_key: Vec<RawAccessKey>,
    #[serde(default)]
    pub huawei_project: Vec<RawHuaweiProject>,
    #[serde(default)]
    pub vpc: Vec<RawVpc>,
    #[serde(default)]
    pub subnet: Vec<RawSubnet>,
    #[serde(default)]
    pub instance: Vec<RawInstance>,
    #[serde(default)]
    pub eni: Vec<RawEni>,
    #[serde(default)]
    pub havip: Vec<RawHavip>,
    #[serde(default)]
    pub limits: Option<RawLimits>,
    #[serde(default)]
    pub dataplane: Option<RawDataplane>,
}

/// `[dataplane]`: a data plane's agent is attached.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDataplane {
    #[serde(default)]
    pub attached: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAccount {
    pub id: S<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAccessKey {
    pub account: S<String>,
    pub id: S<String>,
    pub secret: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHuaweiProject {
    pub id: S<String>,
    pub account: S<String>,
    pub region: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVpc {
    pub id: S<String>,
    pub account: S<String>,
    pub region: S<String>,
    pub cidr: S<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSubnet {
    pub id: S<String>,
    pub vpc: S<String>,
    pub zone: S<String>,
    pub cidr: S<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInstance {
    pub id: S<String>,
    pub subnet: S<String>,
    pub status: S<String>,
    pub primary_eni: Option<S<String>>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEni {
    pub id: S<String>,
    pub subnet: S<String>,
    pub instance: Option<S<String>>,
    pub ip: Option<S<String>>,
    #[serde(default)]
    pub service_managed: bool,
    pub mac: Option<S<String>>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHavip {
    pub id: S<String>,
    pub subnet: S<String>,
    pub ip: Option<S<String>>,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub members: Vec<S<String>>,
}

/// `[limits.<face>]` tables, by face name (which faces exist is the server's business).
pub(crate) type RawLimits = std::collections::BTreeMap<S<String>, RawCloudLimits>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCloudLimits {
    pub instances_per_havip: Option<S<i64>>,
    pub havips_per_instance: Option<S<i64>>,
    pub havips_per_region: Option<S<i64>>,
}
