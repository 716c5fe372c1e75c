//! The havip seed file: a TOML file loaded at start to create inventory (accounts,
//! access keys, Huawei projects, VPCs, subnets, instances, ENIs, HaVips) and to set
//! per-cloud limits. This crate parses and validates it into a plain [`Seed`]; turning
//! a `Seed` into store rows (idempotently) is the loader's job, elsewhere.
//!
//! The format is a contract (ARCHITECTURE.md, "Contracts other tools rely on"):
//!
//! ```toml
//! [[account]]
//! id = "1000000000000001"
//! [[access_key]]
//! account = "1000000000000001"
//! id = "AKDEMO0000000001"
//! secret = "demo-secret-0000000000000001"
//! [[huawei_project]]
//! id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
//! account = "1000000000000001"
//! region = "cn-north-4"
//! [[vpc]]
//! id = "vpc-demo01"
//! account = "1000000000000001"
//! region = "cn-shanghai"
//! cidr = "192.168.0.0/16"
//! [[subnet]]
//! id = "vsw-demo01"
//! vpc = "vpc-demo01"
//! zone = "cn-shanghai-b"
//! cidr = "192.168.1.0/24"
//! [[instance]]
//! id = "i-demo01"
//! subnet = "vsw-demo01"
//! status = "Running"
//! primary_eni = "eni-demo01"   # optional
//! [[eni]]
//! id = "eni-demo02"
//! subnet = "vsw-demo01"
//! instance = "i-demo01"        # optional; omitted = a free ENI
//! ip = "192.168.1.20"          # optional
//! service_managed = false      # optional
//! mac = "00:16:3e:00:00:02"    # optional
//! [[havip]]
//! id = "havip-demo01"
//! subnet = "vsw-demo01"
//! ip = "192.168.1.100"         # optional
//! name = "web"                 # optional
//! description = "web VIP"      # optional
//! members = ["i-demo01"]       # optional: instances or ENIs associated at start
//! [limits.aliyun]              # optional, one table per face: aliyun, volcengine, huawei
//! instances_per_havip = 10
//! havips_per_instance = 5
//! havips_per_region = 50        # the HaVip quota per account and region
//! [dataplane]                  # optional: a data plane's agent is attached, and
//! attached = true              # changes complete when it acknowledges them
//! ```
//!
//! Optional extensions: `name` on account, vpc, subnet, instance and eni.
//!
//! What is refused, always with the line and the field: unknown tables or fields,
//! missing or mistyped fields, empty ids or ids with white space, duplicate ids within
//! a kind (and an ENI id equal to a HaVip id: on Huawei both are ports), references to
//! ids that do not exist, CIDRs that do not parse or have host bits set, a subnet
//! outside its VPC or overlapping another subnet of that VPC, an IP that does not parse,
//! lies outside its subnet or is its network/broadcast address, an IP used twice in a
//! subnet, a bad or duplicate MAC, an ENI attached to an instance of another VPC, an
//! unknown instance status, a bad `primary_eni` (see [`Seed::primary_eni`]), a limit
//! below 1.

mod addresses;
mod error;
mod model;
mod raw;
mod validate;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use addresses::{AddressedEni, AddressedHavip, SeedAddresses};
pub use error::SeedError;
pub use model::{
    CloudLimits, InstanceStatus, PrimaryEni, Seed, SeedAccessKey, SeedAccount, SeedEni, SeedHavip,
    SeedHuaweiProject, SeedInstance, SeedLimits, SeedSubnet, SeedVpc,
};

/// Parses and validates a seed file's text. The first problem in the file (by
/// position) is reported.
pub fn parse_seed(text: &str) -> Result<Seed, SeedError> {
    let raw: raw::RawSeed = toml::from_str(text).map_err(|e| error::syntax_error(text, &e))?;
    validate::validate(text, raw)
}

/// Reads a seed file and parses it with [`parse_seed`].
pub fn load_seed(path: &Path) -> Result<Seed, SeedError> {
    let text = std::fs::read_to_string(path).map_err(|source| SeedError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_seed(&text)
}
