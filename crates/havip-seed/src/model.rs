//! The validated seed: plain owned values, ready for the loader that turns them into
//! store rows, plus the derived look-ups it needs (who owns a subnet, which ENI is an
//! instance's primary one, which IPs the seed already uses in a subnet).

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// A validated seed file. Every list keeps the order of the file. Every reference
/// points at an entry of this seed (see [`crate::parse_seed`] for what is checked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seed {
    pub accounts: Vec<SeedAccount>,
    pub access_keys: Vec<SeedAccessKey>,
    pub huawei_projects: Vec<SeedHuaweiProject>,
    pub vpcs: Vec<SeedVpc>,
    pub subnets: Vec<SeedSubnet>,
    pub instances: Vec<SeedInstance>,
    pub enis: Vec<SeedEni>,
    pub havips: Vec<SeedHavip>,
    pub limits: SeedLimits,
    /// `[dataplane]` (with `attached = true`, the default): changes wait for the data
    /// plane's agent to acknowledge them.
    pub dataplane: bool,
}

/// `[[account]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedAccount {
    pub id: String,
    /// Optional display name (an extension of the contract).
    pub name: Option<String>,
}

/// `[[access_key]]`: an AK/SK pair that signs requests for `account`. Access key ids
/// are unique across all accounts. `Debug` does not print the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SeedAccessKey {
    pub account: String,
    pub id: String,
    pub secret: String,
}

impl fmt::Debug for SeedAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedAccessKey")
            .field("account", &self.account)
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// `[[huawei_project]]`: a Huawei project id names (account, region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedHuaweiProject {
    pub id: String,
    pub account: String,
    pub region: String,
}

/// `[[vpc]]`. `cidr` is a network address (no host bits set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedVpc {
    pub id: String,
    pub account: String,
    pub region: String,
    pub cidr: Ipv4Net,
    pub name: Option<String>,
}

/// `[[subnet]]` (Alibaba: vSwitch; Huawei: network). `cidr` lies inside its VPC's and
/// overlaps no other subnet of that VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSubnet {
    pub id: String,
    pub vpc: String,
    pub zone: String,
    pub cidr: Ipv4Net,
    pub name: Option<String>,
}

/// `[[instance]]`. `subnet` is the subnet of its primary ENI; see
/// [`Seed::primary_eni`] for how `primary_eni` is meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedInstance {
    pub id: String,
    pub subnet: String,
    pub status: InstanceStatus,
    pub primary_eni: Option<String>,
    pub name: Option<String>,
}

/// `[[eni]]`: a network interface. `instance` is `None` for a free ENI. When the ENI is
/// named as some instance's `primary_eni` and the file left `instance` out, `instance`
/// is filled in with that instance (a primary ENI is always attached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedEni {
    pub id: String,
    pub subnet: String,
    pub instance: Option<String>,
    /// Inside the subnet's CIDR, not its network or broadcast address; `None` means
    /// the loader allocates one.
    pub ip: Option<Ipv4Addr>,
    pub service_managed: bool,
    /// Lower case, colon separated (`00:16:3e:00:00:01`); unique in the seed.
    /// `None` means the loader makes one up.
    pub mac: Option<String>,
    pub name: Option<String>,
}

/// `[[havip]]`: a HaVip that exists at start (Available, associated with nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedHavip {
    pub id: String,
    pub subnet: String,
    /// Inside the subnet's CIDR; `None` means the loader allocates one.
    pub ip: Option<Ipv4Addr>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Instances or ENIs (of one kind) associated at start, in order: the first is the
    /// master. The loader applies the association rules as a request would.
    pub members: Vec<String>,
}

/// `[limits.<face>]` tables (`[limits.aliyun]`, `[limits.volcengine]`, ...), by face name.
/// Only the values the file sets; the defaults live with each face's profile. Which names
/// are faces the server runs is checked by the server ([`Seed::check_faces`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedLimits {
    pub by_face: BTreeMap<String, CloudLimits>,
    /// The line of each face's table header, for errors.
    pub(crate) lines: BTreeMap<String, usize>,
}

/// One face's limits as written in the seed; each value, when present, is ≥ 1.
pub type CloudLimits = havip_core::LimitOverrides;

/// An instance status the seed may set: the domain's own (names are case-sensitive).
pub use havip_core::InstanceStatus;

/// What the loader must do for an instance's primary ENI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryEni<'a> {
    /// `primary_eni` names an `[[eni]]` of the seed: create that ENI as written
    /// (its `instance` is this instance) and make it the primary one.
    Declared(&'a SeedEni),
    /// No `[[eni]]` describes the primary ENI: create one in the instance's subnet
    /// with a free IP and a made-up MAC, attached to the instance. `id` is the id the
    /// file gave (`primary_eni` naming an undeclared ENI), or `None` when the file
    /// left `primary_eni` out and the loader picks an id.
    Implicit { id: Option<&'a str> },
}

impl Seed {
    /// Refuses a `[limits.<face>]` table whose face is not among `faces` (the faces the
    /// server runs), naming the line of the table.
    pub fn check_faces(&self, faces: &[&str]) -> Result<(), crate::SeedError> {
        for (face, line) in &self.limits.lines {
            if !faces.contains(&face.as_str()) {
                return Err(crate::SeedError::Invalid {
                    line: *line,
                    field: format!("limits.{face}"),
                    message: format!(
                        "[limits.{face}]: no face is called {face:?} (faces: {})",
                        faces.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }

    pub fn account(&self, id: &str) -> Option<&SeedAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub fn access_key(&self, id: &str) -> Option<&SeedAccessKey> {
        self.access_keys.iter().find(|k| k.id == id)
    }

    pub fn huawei_project(&self, id: &str) -> Option<&SeedHuaweiProject> {
        self.huawei_projects.iter().find(|p| p.id == id)
    }

    pub fn vpc(&self, id: &str) -> Option<&SeedVpc> {
        self.vpcs.iter().find(|v| v.id == id)
    }

    pub fn subnet(&self, id: &str) -> Option<&SeedSubnet> {
        self.subnets.iter().find(|s| s.id == id)
    }

    pub fn instance(&self, id: &str) -> Option<&SeedInstance> {
        self.instances.iter().find(|i| i.id == id)
    }

    pub fn eni(&self, id: &str) -> Option<&SeedEni> {
        self.enis.iter().find(|e| e.id == id)
    }

    pub fn havip(&self, id: &str) -> Option<&SeedHavip> {
        self.havips.iter().find(|h| h.id == id)
    }

    /// The VPC a subnet belongs to.
    pub fn subnet_vpc(&self, subnet_id: &str) -> Option<&SeedVpc> {
        self.subnet(subnet_id).and_then(|s| self.vpc(&s.vpc))
    }

    /// (account, region) of a subnet: those of its VPC.
    pub fn subnet_owner(&self, subnet_id: &str) -> Option<(&str, &str)> {
        self.subnet_vpc(subnet_id)
            .map(|v| (v.account.as_str(), v.region.as_str()))
    }

    /// (account, region) of an instance: those of its subnet's VPC.
    pub fn instance_owner(&self, instance_id: &str) -> Option<(&str, &str)> {
        self.instance(instance_id)
            .and_then(|i| self.subnet_owner(&i.subnet))
    }

    /// (account, region) of an ENI: those of its subnet's VPC.
    pub fn eni_owner(&self, eni_id: &str) -> Option<(&str, &str)> {
        self.eni(eni_id).and_then(|e| self.subnet_owner(&e.subnet))
    }

    /// (account, region) of a HaVip: those of its subnet's VPC.
    pub fn havip_owner(&self, havip_id: &str) -> Option<(&str, &str)> {
        self.havip(havip_id)
            .and_then(|h| self.subnet_owner(&h.subnet))
    }

    /// How to create an instance's primary ENI; `None` if the instance is unknown.
    pub fn primary_eni(&self, instance_id: &str) -> Option<PrimaryEni<'_>> {
        let instance = self.instance(instance_id)?;
        Some(match instance.primary_eni.as_deref() {
            Some(id) => match self.eni(id) {
                Some(eni) => PrimaryEni::Declared(eni),
                None => PrimaryEni::Implicit { id: Some(id) },
            },
            None => PrimaryEni::Implicit { id: None },
        })
    }

    /// Whether a declared `[[eni]]` is some instance's primary ENI.
    pub fn is_primary_eni(&self, eni_id: &str) -> bool {
        self.instances
            .iter()
            .any(|i| i.primary_eni.as_deref() == Some(eni_id))
    }

    /// The declared ENIs attached to an instance other than its primary one.
    pub fn secondary_enis<'a>(&'a self, instance_id: &'a str) -> impl Iterator<Item = &'a SeedEni> {
        let primary = self
            .instance(instance_id)
            .and_then(|i| i.primary_eni.as_deref());
        self.enis.iter().filter(move |e| {
            e.instance.as_deref() == Some(instance_id) && Some(e.id.as_str()) != primary
        })
    }

    /// The IPs the seed itself assigns in a subnet (ENIs' and HaVips' `ip`), so that
    /// the loader's allocator can avoid them when it picks IPs for the rest.
    pub fn seeded_ips(&self, subnet_id: &str) -> Vec<Ipv4Addr> {
        let enis = self
            .enis
            .iter()
            .filter(|e| e.subnet == subnet_id)
            .filter_map(|e| e.ip);
        let havips = self
            .havips
            .iter()
            .filter(|h| h.subnet == subnet_id)
            .filter_map(|h| h.ip);
        enis.chain(havips).collect()
    }
}
