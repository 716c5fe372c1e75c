//! The checks of each kind of entry, in the order [`super::check`] runs them. A kind may
//! look up the kinds checked before it; what it needs of them (the entry kept under each
//! id, the CIDRs, IPs and MACs taken so far) is gathered in [`Known`].

use std::collections::{BTreeSet, HashMap};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::Checker;
use crate::error::line_column;
use crate::model::{
    CloudLimits, InstanceStatus, SeedAccessKey, SeedAccount, SeedEni, SeedHavip, SeedHuaweiProject,
    SeedInstance, SeedLimits, SeedSubnet, SeedVpc,
};
use crate::raw::{
    RawAccessKey, RawAccount, RawCloudLimits, RawDataplane, RawEni, RawHavip, RawHuaweiProject,
    RawInstance, RawLimits, RawSeed, RawSubnet, RawVpc, S,
};

/// What the later kinds look up in the earlier ones: the entry kept under each id (the
/// first one, when the id is valid) and what the entries checked so far have taken.
pub(super) struct Known<'r> {
    accounts: HashMap<&'r str, &'r RawAccount>,
    access_keys: HashMap<&'r str, &'r RawAccessKey>,
    huawei_projects: HashMap<&'r str, &'r RawHuaweiProject>,
    vpcs: HashMap<&'r str, &'r RawVpc>,
    subnets: HashMap<&'r str, &'r RawSubnet>,
    instances: HashMap<&'r str, &'r RawInstance>,
    enis: HashMap<&'r str, &'r RawEni>,
    havips: HashMap<&'r str, &'r RawHavip>,
    /// The CIDR of each valid VPC, for its subnets.
    vpc_cidrs: HashMap<&'r str, Ipv4Net>,
    /// The CIDR of each valid subnet, for the IPs in it.
    subnet_cidrs: HashMap<&'r str, Ipv4Net>,
    /// ENI id → the instance it is the primary ENI of.
    primary_of: HashMap<&'r str, &'r RawInstance>,
    /// (subnet, IP) → where it is first written and by whom.
    ips: HashMap<(&'r str, Ipv4Addr), (usize, String)>,
    /// MAC → where it is first written.
    macs: HashMap<String, usize>,
}

impl<'r> Known<'r> {
    /// Checks the ids of every kind, kind after kind, and indexes the entries by id.
    pub(super) fn index(c: &mut Checker<'_>, raw: &'r RawSeed) -> Self {
        let accounts = index(c, "account", &raw.account, |a| &a.id);
        let access_keys = index(c, "access_key", &raw.access_key, |k| &k.id);
        let huawei_projects = index(c, "huawei_project", &raw.huawei_project, |p| &p.id);
        let vpcs = index(c, "vpc", &raw.vpc, |v| &v.id);
        let subnets = index(c, "subnet", &raw.subnet, |s| &s.id);
        let instances = index(c, "instance", &raw.instance, |i| &i.id);
        let enis = index(c, "eni", &raw.eni, |e| &e.id);
        let havips = index(c, "havip", &raw.havip, |h| &h.id);
        Known {
            accounts,
            access_keys,
            huawei_projects,
            vpcs,
            subnets,
            instances,
            enis,
            havips,
            vpc_cidrs: HashMap::new(),
            subnet_cidrs: HashMap::new(),
            primary_of: HashMap::new(),
            ips: HashMap::new(),
            macs: HashMap::new(),
        }
    }

    /// The VPC of a subnet of the seed.
    fn subnet_vpc(&self, subnet: &str) -> Option<&'r str> {
        self.subnets.get(subnet).map(|s| s.vpc.get_ref().as_str())
    }
}

/// On Huawei both ENIs (NIC ports) and HaVips (VIP ports) are ports: one id space.
pub(super) fn shared_port_ids(c: &mut Checker<'_>, havips: &[RawHavip], known: &Known<'_>) {
    for h in havips {
        if let Some(e) = known.enis.get(h.id.get_ref().as_str()) {
            let line = c.line_of(&e.id);
            c.refuse(
                &h.id,
                "havip.id",
                format!(
                    "id {:?} of havip is already the id of an eni (line {line}); \
                     ENIs and HaVips share one id space (Huawei ports)",
                    h.id.get_ref()
                ),
            );
        }
    }
}

/// Accounts: nothing to check beyond their ids.
pub(super) fn accounts<'r>(accounts: &'r [RawAccount], known: &Known<'r>) -> Vec<SeedAccount> {
    let mut out = Vec::new();
    for (a, ok) in accounts
        .iter()
        .zip(kept(accounts, &known.accounts, |a| &a.id))
    {
        if ok {
            out.push(SeedAccount {
                id: a.id.get_ref().clone(),
                name: a.name.clone(),
            });
        }
    }
    out
}

/// Access keys: an account of the seed and a secret that is not empty.
pub(super) fn access_keys<'r>(
    c: &mut Checker<'_>,
    keys: &'r [RawAccessKey],
    known: &Known<'r>,
) -> Vec<SeedAccessKey> {
    let mut out = Vec::new();
    for (k, ok) in keys.iter().zip(kept(keys, &known.access_keys, |k| &k.id)) {
        let id = k.id.get_ref();
        let account_ok = c.reference("access_key", id, "account", &k.account, |a| {
            known.accounts.contains_key(a)
        });
        let secret_ok = if k.secret.get_ref().is_empty() {
            c.refuse(
                &k.secret,
                "access_key.secret",
                format!("secret of access_key {id:?} is empty"),
            );
            false
        } else {
            true
        };
        if ok && account_ok && secret_ok {
            out.push(SeedAccessKey {
                account: k.account.get_ref().clone(),
                id: id.clone(),
                secret: k.secret.get_ref().clone(),
            });
        }
    }
    out
}

/// Huawei projects: an account of the seed and a region.
pub(super) fn huawei_projects<'r>(
    c: &mut Checker<'_>,
    projects: &'r [RawHuaweiProject],
    known: &Known<'r>,
) -> Vec<SeedHuaweiProject> {
    let mut out = Vec::new();
    for (p, ok) in projects
        .iter()
        .zip(kept(projects, &known.huawei_projects, |p| &p.id))
    {
        let id = p.id.get_ref();
        let account_ok = c.reference("huawei_project", id, "account", &p.account, |a| {
            known.accounts.contains_key(a)
        });
        let region_ok = c.token(
            &p.region,
            "huawei_project.region",
            &format!("region of huawei_project {id:?}"),
        );
        if ok && account_ok && region_ok {
            out.push(SeedHuaweiProject {
                id: id.clone(),
                account: p.account.get_ref().clone(),
                region: p.region.get_ref().clone(),
            });
        }
    }
    out
}

/// VPCs: an account of the seed, a region and a CIDR, which is kept for the subnets.
pub(super) fn vpcs<'r>(
    c: &mut Checker<'_>,
    vpcs: &'r [RawVpc],
    known: &mut Known<'r>,
) -> Vec<SeedVpc> {
    let mut out = Vec::new();
    for (v, ok) in vpcs.iter().zip(kept(vpcs, &known.vpcs, |v| &v.id)) {
        let id = v.id.get_ref();
        let account_ok = c.reference("vpc", id, "account", &v.account, |a| {
            known.accounts.contains_key(a)
        });
        let region_ok = c.token(&v.region, "vpc.region", &format!("region of vpc {id:?}"));
        let cidr = c.cidr("vpc", id, &v.cidr);
        if let (true, Some(cidr)) = (ok, cidr) {
            known.vpc_cidrs.insert(id, cidr);
            if account_ok && region_ok {
                out.push(SeedVpc {
                    id: id.clone(),
                    account: v.account.get_ref().clone(),
                    region: v.region.get_ref().clone(),
                    cidr,
                    name: v.name.clone(),
                });
            }
        }
    }
    out
}

/// Subnets: a VPC of the seed, a zone, and a CIDR inside the VPC's that overlaps no
/// other subnet of that VPC; the CIDR is kept for the IPs of ENIs and HaVips.
pub(super) fn subnets<'r>(
    c: &mut Checker<'_>,
    subnets: &'r [RawSubnet],
    known: &mut Known<'r>,
) -> Vec<SeedSubnet> {
    let mut out = Vec::new();
    let mut vpc_subnets: HashMap<&str, Vec<&RawSubnet>> = HashMap::new();
    for (s, ok) in subnets.iter().zip(kept(subnets, &known.subnets, |s| &s.id)) {
        let id = s.id.get_ref();
        let vpc_ok = c.reference("subnet", id, "vpc", &s.vpc, |v| known.vpcs.contains_key(v));
        let zone_ok = c.token(&s.zone, "subnet.zone", &format!("zone of subnet {id:?}"));
        let (Some(net), true) = (subnet_cidr(c, s, &known.vpc_cidrs), ok) else {
            continue;
        };
        let siblings = vpc_subnets.entry(s.vpc.get_ref().as_str()).or_default();
        if overlaps_sibling(c, s, net, siblings, &known.subnet_cidrs) {
            continue;
        }
        siblings.push(s);
        known.subnet_cidrs.insert(id, net);
        if vpc_ok && zone_ok {
            out.push(SeedSubnet {
                id: id.clone(),
                vpc: s.vpc.get_ref().clone(),
                zone: s.zone.get_ref().clone(),
                cidr: net,
                name: s.name.clone(),
            });
        }
    }
    out
}

/// A subnet's CIDR: valid, and inside its VPC's when that VPC is known and valid.
fn subnet_cidr(
    c: &mut Checker<'_>,
    s: &RawSubnet,
    vpc_cidrs: &HashMap<&str, Ipv4Net>,
) -> Option<Ipv4Net> {
    let id = s.id.get_ref();
    let net = c.cidr("subnet", id, &s.cidr)?;
    if let Some(vpc_net) = vpc_cidrs.get(s.vpc.get_ref().as_str()) {
        if !vpc_net.contains(&net) {
            c.refuse(
                &s.cidr,
                "subnet.cidr",
                format!(
                    "cidr {net} of subnet {id:?} is not inside the cidr {vpc_net} of \
                     its vpc {:?}",
                    s.vpc.get_ref()
                ),
            );
            return None;
        }
    }
    Some(net)
}

/// Refuses a subnet's CIDR that overlaps the CIDR of one of the subnets of its VPC kept
/// so far; returns whether it did.
fn overlaps_sibling(
    c: &mut Checker<'_>,
    s: &RawSubnet,
    net: Ipv4Net,
    siblings: &[&RawSubnet],
    subnet_cidrs: &HashMap<&str, Ipv4Net>,
) -> bool {
    for other in siblings {
        let Some(other_net) = subnet_cidrs.get(other.id.get_ref().as_str()) else {
            continue;
        };
        if other_net.contains(&net.network()) || net.contains(&other_net.network()) {
            let line = c.line_of(&other.cidr);
            c.refuse(
                &s.cidr,
                "subnet.cidr",
                format!(
                    "cidr {net} of subnet {:?} overlaps cidr {other_net} of subnet {:?} \
                     (line {line}) in the same vpc",
                    s.id.get_ref(),
                    other.id.get_ref()
                ),
            );
            return true;
        }
    }
    false
}

/// Instances: a subnet of the seed, a status, and the primary ENI each names, which is
/// kept so that the ENI is attached to it.
pub(super) fn instances<'r>(
    c: &mut Checker<'_>,
    instances: &'r [RawInstance],
    known: &mut Known<'r>,
) -> Vec<SeedInstance> {
    let mut out = Vec::new();
    for (i, ok) in instances
        .iter()
        .zip(kept(instances, &known.instances, |i| &i.id))
    {
        let id = i.id.get_ref();
        let subnet_ok = c.reference("instance", id, "subnet", &i.subnet, |s| {
            known.subnets.contains_key(s)
        });
        let status = instance_status(c, i);
        let primary_ok = match &i.primary_eni {
            None => true,
            Some(p) => check_primary_eni(c, i, p, known),
        };
        if let (true, true, true, Some(status)) = (ok, subnet_ok, primary_ok, status) {
            out.push(SeedInstance {
                id: id.clone(),
                subnet: i.subnet.get_ref().clone(),
                status,
                primary_eni: i.primary_eni.as_ref().map(|p| p.get_ref().clone()),
                name: i.name.clone(),
            });
        }
    }
    out
}

/// An instance's status: one the domain knows.
fn instance_status(c: &mut Checker<'_>, i: &RawInstance) -> Option<InstanceStatus> {
    let status = InstanceStatus::parse(i.status.get_ref());
    if status.is_none() {
        c.refuse(
            &i.status,
            "instance.status",
            format!(
                "status {:?} of instance {:?} is not one of Pending, Starting, Running, \
                 Stopping, Stopped",
                i.status.get_ref(),
                i.id.get_ref()
            ),
        );
    }
    status
}

/// `primary_eni` names either an `[[eni]]` of the seed (same subnet as the instance,
/// attached to it or to nothing, not service-managed) or, when no `[[eni]]` has that
/// id, the id of the primary ENI the loader creates. Either way one ENI is the
/// primary ENI of at most one instance, and its id is not a HaVip's.
fn check_primary_eni<'r>(
    c: &mut Checker<'_>,
    i: &'r RawInstance,
    p: &'r S<String>,
    known: &mut Known<'r>,
) -> bool {
    let id = i.id.get_ref();
    let field = "instance.primary_eni";
    if !c.token(p, field, &format!("primary_eni of instance {id:?}")) {
        return false;
    }
    let eni_id = p.get_ref().as_str();
    if let Some(other) = known.primary_of.get(eni_id) {
        let line = c.line_of(&other.id);
        c.refuse(
            p,
            field,
            format!(
                "primary_eni {eni_id:?} of instance {id:?} is already the primary ENI of \
                 instance {:?} (line {line})",
                other.id.get_ref()
            ),
        );
        return false;
    }
    known.primary_of.insert(eni_id, i);
    match known.enis.get(eni_id) {
        Some(e) => {
            if e.subnet.get_ref() != i.subnet.get_ref() {
                c.refuse(
                    p,
                    field,
                    format!(
                        "primary_eni {eni_id:?} of instance {id:?} is in subnet {:?}, not in \
                         the instance's subnet {:?}",
                        e.subnet.get_ref(),
                        i.subnet.get_ref()
                    ),
                );
                return false;
            }
            if let Some(attached) = e.instance.as_ref().filter(|a| a.get_ref() != id) {
                c.refuse(
                    p,
                    field,
                    format!(
                        "primary_eni {eni_id:?} of instance {id:?} is attached to another \
                         instance {:?}",
                        attached.get_ref()
                    ),
                );
                return false;
            }
            if e.service_managed {
                c.refuse(
                    p,
                    field,
                    format!(
                        "primary_eni {eni_id:?} of instance {id:?} is service-managed; an \
                         instance's primary ENI cannot be"
                    ),
                );
                return false;
            }
            true
        }
        None => {
            if known.havips.contains_key(eni_id) {
                c.refuse(
                    p,
                    field,
                    format!(
                        "primary_eni {eni_id:?} of instance {id:?} is the id of a havip; \
                         ENIs and HaVips share one id space (Huawei ports)"
                    ),
                );
                return false;
            }
            true
        }
    }
}

/// ENIs: a subnet of the seed, an instance in the same VPC, an IP (unique per subnet)
/// and a MAC (unique); a primary ENI is attached to its instance.
pub(super) fn enis<'r>(
    c: &mut Checker<'_>,
    enis: &'r [RawEni],
    known: &mut Known<'r>,
) -> Vec<SeedEni> {
    let mut out = Vec::new();
    for (e, ok) in enis.iter().zip(kept(enis, &known.enis, |e| &e.id)) {
        let id = e.id.get_ref();
        let subnet_id = e.subnet.get_ref().as_str();
        let subnet_ok = c.reference("eni", id, "subnet", &e.subnet, |s| {
            known.subnets.contains_key(s)
        });
        let instance_ok = eni_instance(c, e, known);
        let ip = optional_ip(c, "eni", id, subnet_id, e.ip.as_ref(), known);
        let mac = eni_mac(c, id, e.mac.as_ref(), &mut known.macs);
        if let (true, true, true, Ok(ip), Ok(mac)) = (ok, subnet_ok, instance_ok, ip, mac) {
            // A primary ENI is attached to its instance even if the file left it out.
            let instance = e
                .instance
                .as_ref()
                .map(|i| i.get_ref().clone())
                .or_else(|| {
                    known
                        .primary_of
                        .get(id.as_str())
                        .map(|i| i.id.get_ref().clone())
                });
            out.push(SeedEni {
                id: id.clone(),
                subnet: subnet_id.to_string(),
                instance,
                ip,
                service_managed: e.service_managed,
                mac,
                name: e.name.clone(),
            });
        }
    }
    out
}

/// An ENI's optional instance: one of the seed, in the VPC of the ENI's subnet.
fn eni_instance(c: &mut Checker<'_>, e: &RawEni, known: &Known<'_>) -> bool {
    let Some(inst) = &e.instance else {
        return true;
    };
    let id = e.id.get_ref();
    let subnet_id = e.subnet.get_ref().as_str();
    let instance_ok = c.reference("eni", id, "instance", inst, |i| {
        known.instances.contains_key(i)
    });
    let inst_vpc = known
        .instances
        .get(inst.get_ref().as_str())
        .and_then(|i| known.subnet_vpc(i.subnet.get_ref()));
    if let (true, Some(inst_vpc), Some(eni_vpc)) =
        (instance_ok, inst_vpc, known.subnet_vpc(subnet_id))
    {
        if inst_vpc != eni_vpc {
            c.refuse(
                inst,
                "eni.instance",
                format!(
                    "instance {:?} of eni {id:?} is in vpc {inst_vpc:?}, but the eni's \
                     subnet {subnet_id:?} is in vpc {eni_vpc:?}",
                    inst.get_ref()
                ),
            );
            return false;
        }
    }
    instance_ok
}

/// An ENI's optional MAC: valid, and not one an ENI before it took.
fn eni_mac(
    c: &mut Checker<'_>,
    id: &str,
    v: Option<&S<String>>,
    macs: &mut HashMap<String, usize>,
) -> Result<Option<String>, ()> {
    let Some(v) = v else {
        return Ok(None);
    };
    let mac = c.mac(id, v).ok_or(())?;
    if let Some(&first) = macs.get(&mac) {
        let line = line_column(c.text, first).0;
        c.refuse(
            v,
            "eni.mac",
            format!("mac {mac} of eni {id:?} is already used at line {line}"),
        );
        return Err(());
    }
    macs.insert(mac.clone(), v.span().start);
    Ok(Some(mac))
}

/// The optional IP of an ENI or a HaVip: valid in its subnet, and not one an ENI or
/// HaVip before it took there.
fn optional_ip<'r>(
    c: &mut Checker<'_>,
    kind: &str,
    owner: &str,
    subnet_id: &'r str,
    v: Option<&S<String>>,
    known: &mut Known<'r>,
) -> Result<Option<Ipv4Addr>, ()> {
    let Some(v) = v else {
        return Ok(None);
    };
    let net = known.subnet_cidrs.get(subnet_id).map(|n| (subnet_id, *n));
    match c.ip(kind, owner, v, net) {
        Some(ip) if unique_ip(c, &mut known.ips, subnet_id, ip, v, kind, owner) => Ok(Some(ip)),
        _ => Err(()),
    }
}

/// Records an IP in its subnet; a second ENI or HaVip with the same IP is refused.
fn unique_ip<'r>(
    c: &mut Checker<'_>,
    ips: &mut HashMap<(&'r str, Ipv4Addr), (usize, String)>,
    subnet: &'r str,
    ip: Ipv4Addr,
    at: &S<String>,
    kind: &str,
    owner: &str,
) -> bool {
    if let Some((first, who)) = ips.get(&(subnet, ip)) {
        let line = line_column(c.text, *first).0;
        c.refuse(
            at,
            format!("{kind}.ip"),
            format!(
                "ip {ip} of {kind} {owner:?} is already used by {who} (line {line}) in \
                 subnet {subnet:?}"
            ),
        );
        return false;
    }
    ips.insert((subnet, ip), (at.span().start, format!("{kind} {owner:?}")));
    true
}

/// HaVips: a subnet of the seed, an IP (unique per subnet, ENIs' included) and members.
pub(super) fn havips<'r>(
    c: &mut Checker<'_>,
    havips: &'r [RawHavip],
    known: &mut Known<'r>,
) -> Vec<SeedHavip> {
    let mut out = Vec::new();
    for (h, ok) in havips.iter().zip(kept(havips, &known.havips, |h| &h.id)) {
        let id = h.id.get_ref();
        let subnet_id = h.subnet.get_ref().as_str();
        let subnet_ok = c.reference("havip", id, "subnet", &h.subnet, |s| {
            known.subnets.contains_key(s)
        });
        let ip = optional_ip(c, "havip", id, subnet_id, h.ip.as_ref(), known);
        let members_ok = havip_members(c, id, &h.members, &known.instances, &known.enis);
        if let (true, true, Ok(ip), true) = (ok, subnet_ok, ip, members_ok) {
            out.push(SeedHavip {
                id: id.clone(),
                subnet: subnet_id.to_string(),
                ip,
                name: h.name.clone(),
                description: h.description.clone(),
                members: h.members.iter().map(|m| m.get_ref().clone()).collect(),
            });
        }
    }
    out
}

/// A HaVip's `members`: each an instance or an ENI of the seed, all of one kind, none
/// twice. (Whether they may be associated, such as being in the HaVip's subnet, is the
/// association rule's to say when the seed is loaded.)
fn havip_members<I, E>(
    c: &mut Checker<'_>,
    havip: &str,
    members: &[S<String>],
    instances: &HashMap<&str, I>,
    enis: &HashMap<&str, E>,
) -> bool {
    let mut ok = true;
    let mut kinds = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for m in members {
        let id = m.get_ref().as_str();
        let kind = if instances.contains_key(id) {
            "instance"
        } else if enis.contains_key(id) {
            "eni"
        } else {
            c.refuse(
                m,
                "havip.members",
                format!("members of havip {havip:?}: {id:?} is neither an instance nor an eni of the seed"),
            );
            ok = false;
            continue;
        };
        if !seen.insert(id) {
            c.refuse(
                m,
                "havip.members",
                format!("members of havip {havip:?}: {id:?} is listed twice"),
            );
            ok = false;
        }
        kinds.insert(kind);
    }
    if kinds.len() > 1 {
        if let Some(m) = members.first() {
            c.refuse(
                m,
                "havip.members",
                format!(
                    "members of havip {havip:?} mix instances and enis: a HaVip carries one kind"
                ),
            );
        }
        ok = false;
    }
    ok
}

/// `[limits.<face>]`: each face's limits, and the line of its table for later errors.
pub(super) fn limits(c: &mut Checker<'_>, limits: Option<&RawLimits>) -> SeedLimits {
    let mut out = SeedLimits::default();
    for (face, l) in limits.into_iter().flatten() {
        let name = face.get_ref().clone();
        let line = line_column(c.text, face.span().start).0;
        let parsed = cloud_limits(c, &name, l);
        out.lines.insert(name.clone(), line);
        out.by_face.insert(name, parsed);
    }
    out
}

/// One face's limits: each, when set, between 1 and `u32::MAX`.
fn cloud_limits(c: &mut Checker<'_>, face: &str, l: &RawCloudLimits) -> CloudLimits {
    CloudLimits {
        instances_per_havip: c.limit(face, "instances_per_havip", &l.instances_per_havip),
        havips_per_instance: c.limit(face, "havips_per_instance", &l.havips_per_instance),
        havips_per_region: c.limit(face, "havips_per_region", &l.havips_per_region),
    }
}

/// `[dataplane]`: whether a data plane's agent is attached (`attached` defaults to true).
pub(super) fn dataplane(dataplane: Option<&RawDataplane>) -> bool {
    dataplane.is_some_and(|d| d.attached.unwrap_or(true))
}

/// Checks the ids of one kind; returns id → the entry kept under it (the first).
fn index<'r, T>(
    c: &mut Checker<'_>,
    kind: &str,
    entries: &'r [T],
    id: impl Fn(&'r T) -> &'r S<String>,
) -> HashMap<&'r str, &'r T> {
    let mut seen = HashMap::new();
    let mut map = HashMap::new();
    for e in entries {
        let v = id(e);
        if c.id(kind, v, &mut seen) {
            map.insert(v.get_ref().as_str(), e);
        }
    }
    map
}

/// For each entry, whether it is the one kept under its id (not a duplicate, valid id).
fn kept<'r, T>(
    entries: &'r [T],
    map: &HashMap<&'r str, &'r T>,
    id: impl Fn(&'r T) -> &'r S<String>,
) -> Vec<bool> {
    entries
        .iter()
        .map(|e| {
            map.get(id(e).get_ref().as_str())
                .is_some_and(|kept| std::ptr::eq(*kept, e))
        })
        .collect()
}
