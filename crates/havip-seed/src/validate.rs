//! Checks the meaning of a parsed seed file and turns it into the public [`Seed`]:
//! ids (present, no blanks, unique per kind), references, CIDRs, IPs, MACs, instance
//! statuses and limits. Every problem is recorded with the offset of the value at
//! fault; the one written first in the file is reported, with its line and field.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::error::{line_column, SeedError};
use crate::model::{
    CloudLimits, InstanceStatus, Seed, SeedAccessKey, SeedAccount, SeedEni, SeedHavip,
    SeedHuaweiProject, SeedInstance, SeedSubnet, SeedVpc,
};
use crate::raw::{RawCloudLimits, RawEni, RawHavip, RawInstance, RawSeed, RawSubnet, RawVpc, S};

struct Problem {
    offset: usize,
    field: String,
    message: String,
}

/// Collects problems; knows the text to turn offsets into lines.
struct Checker<'t> {
    text: &'t str,
    problems: Vec<Problem>,
}

impl<'t> Checker<'t> {
    fn line_of<T>(&self, v: &S<T>) -> usize {
        line_column(self.text, v.span().start).0
    }

    fn refuse<T>(&mut self, at: &S<T>, field: impl Into<String>, message: String) {
        self.problems.push(Problem {
            offset: at.span().start,
            field: field.into(),
            message,
        });
    }

    /// A value used as an id or a name of a region or zone: not empty, no white space
    /// or control characters. `what` says what it is, e.g. `subnet of eni "eni-1"`.
    fn token(&mut self, v: &S<String>, field: &str, what: &str) -> bool {
        let s = v.get_ref();
        let problem = if s.is_empty() {
            "is empty"
        } else if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            "contains white space or control characters"
        } else {
            return true;
        };
        self.refuse(v, field, format!("{what} {s:?} {problem}"));
        false
    }

    /// Checks one id and records it in `seen`; a duplicate is refused where it is
    /// written again. Returns whether this entry is the one kept under that id.
    fn id<'r>(&mut self, kind: &str, v: &'r S<String>, seen: &mut HashMap<&'r str, usize>) -> bool {
        if !self.token(v, &format!("{kind}.id"), &format!("id of {kind}")) {
            return false;
        }
        let id = v.get_ref().as_str();
        if let Some(&first_offset) = seen.get(id) {
            let first_line = line_column(self.text, first_offset).0;
            self.refuse(
                v,
                format!("{kind}.id"),
                format!("id {id:?} of {kind} is a duplicate (first used at line {first_line})"),
            );
            return false;
        }
        seen.insert(id, v.span().start);
        true
    }

    /// A reference `field` of `kind` `owner` to an entry of another kind that must exist.
    fn reference(
        &mut self,
        kind: &str,
        owner: &str,
        field: &str,
        v: &S<String>,
        exists: impl Fn(&str) -> bool,
    ) -> bool {
        let what = format!("{field} of {kind} {owner:?}");
        if !self.token(v, &format!("{kind}.{field}"), &what) {
            return false;
        }
        if exists(v.get_ref()) {
            return true;
        }
        self.refuse(
            v,
            format!("{kind}.{field}"),
            format!(
                "{field} {:?} of {kind} {owner:?} does not exist",
                v.get_ref()
            ),
        );
        false
    }

    fn cidr(&mut self, kind: &str, owner: &str, v: &S<String>) -> Option<Ipv4Net> {
        let s = v.get_ref();
        let field = format!("{kind}.cidr");
        let net = match s.parse::<Ipv4Net>() {
            Ok(net) => net,
            Err(_) => {
                self.refuse(
                    v,
                    field,
                    format!(
                        "cidr {s:?} of {kind} {owner:?} is not a valid IPv4 CIDR \
                         (expected a.b.c.d/n)"
                    ),
                );
                return None;
            }
        };
        if net.trunc() != net {
            self.refuse(
                v,
                field,
                format!(
                    "cidr {s:?} of {kind} {owner:?} has host bits set (did you mean {}?)",
                    net.trunc()
                ),
            );
            return None;
        }
        Some(net)
    }

    /// An IP of an ENI or HaVip: parses, lies in its subnet (when the subnet is known
    /// and valid), and is neither the subnet's network nor its broadcast address.
    fn ip(
        &mut self,
        kind: &str,
        owner: &str,
        v: &S<String>,
        subnet: Option<(&str, Ipv4Net)>,
    ) -> Option<Ipv4Addr> {
        let s = v.get_ref();
        let field = format!("{kind}.ip");
        let Ok(ip) = s.parse::<Ipv4Addr>() else {
            self.refuse(
                v,
                field,
                format!("ip {s:?} of {kind} {owner:?} is not a valid IPv4 address"),
            );
            return None;
        };
        if let Some((subnet_id, net)) = subnet {
            if !net.contains(&ip) {
                self.refuse(
                    v,
                    field,
                    format!(
                        "ip {s:?} of {kind} {owner:?} is outside the cidr {net} of its \
                         subnet {subnet_id:?}"
                    ),
                );
                return None;
            }
            if net.prefix_len() <= 30 && (ip == net.network() || ip == net.broadcast()) {
                let which = if ip == net.network() {
                    "network"
                } else {
                    "broadcast"
                };
                self.refuse(
                    v,
                    field,
                    format!(
                        "ip {s:?} of {kind} {owner:?} is the {which} address of its \
                         subnet {subnet_id:?} ({net})"
                    ),
                );
                return None;
            }
        }
        Some(ip)
    }

    fn mac(&mut self, owner: &str, v: &S<String>) -> Option<String> {
        let s = v.get_ref();
        match parse_mac(s) {
            Some(mac) => Some(mac),
            None => {
                self.refuse(
                    v,
                    "eni.mac",
                    format!(
                        "mac {s:?} of eni {owner:?} is not a unicast MAC address \
                         (expected six hex octets such as 00:16:3e:00:00:01)"
                    ),
                );
                None
            }
        }
    }

    fn limit(&mut self, cloud: &str, name: &str, v: &Option<S<i64>>) -> Option<u32> {
        let v = v.as_ref()?;
        let n = *v.get_ref();
        match u32::try_from(n) {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                self.refuse(
                    v,
                    format!("limits.{cloud}.{name}"),
                    format!(
                        "limits.{cloud}.{name} must be between 1 and {} (got {n})",
                        u32::MAX
                    ),
                );
                None
            }
        }
    }
}

/// Six hex octets separated by `:` or `-`, unicast; returned lower case with `:`.
fn parse_mac(s: &str) -> Option<String> {
    let sep = if s.contains('-') { '-' } else { ':' };
    let mut octets = Vec::with_capacity(6);
    for part in s.split(sep) {
        if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        octets.push(u8::from_str_radix(part, 16).ok()?);
    }
    if octets.len() != 6 || octets[0] & 1 == 1 {
        return None;
    }
    Some(
        octets
            .iter()
            .map(|o| format!("{o:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}

/// Checks everything and builds the [`Seed`], or reports the first problem in the file.
pub(crate) fn validate(text: &str, raw: RawSeed) -> Result<Seed, SeedError> {
    let mut c = Checker {
        text,
        problems: Vec::new(),
    };
    let seed = check(&mut c, &raw);
    match c.problems.into_iter().min_by_key(|p| p.offset) {
        Some(p) => Err(SeedError::Invalid {
            line: line_column(text, p.offset).0,
            field: p.field,
            message: p.message,
        }),
        None => Ok(seed),
    }
}

/// Builds the seed from the valid entries while recording problems; the result is
/// only used when there were none.
fn check(c: &mut Checker<'_>, raw: &RawSeed) -> Seed {
    // Ids first: every later check looks entries up by id (the first one wins).
    let mut seen = HashMap::new();
    let accounts_ok: Vec<bool> = raw
        .account
        .iter()
        .map(|a| c.id("account", &a.id, &mut seen))
        .collect();
    let mut seen = HashMap::new();
    let keys_ok: Vec<bool> = raw
        .access_key
        .iter()
        .map(|k| c.id("access_key", &k.id, &mut seen))
        .collect();
    let mut seen = HashMap::new();
    let projects_ok: Vec<bool> = raw
        .huawei_project
        .iter()
        .map(|p| c.id("huawei_project", &p.id, &mut seen))
        .collect();

    let vpcs = index(c, "vpc", &raw.vpc, |v: &RawVpc| &v.id);
    let subnets = index(c, "subnet", &raw.subnet, |s: &RawSubnet| &s.id);
    let instances = index(c, "instance", &raw.instance, |i: &RawInstance| &i.id);
    let enis = index(c, "eni", &raw.eni, |e: &RawEni| &e.id);
    let havips = index(c, "havip", &raw.havip, |h: &RawHavip| &h.id);

    // On Huawei both ENIs (NIC ports) and HaVips (VIP ports) are ports: one id space.
    for h in &raw.havip {
        if let Some(e) = enis.get(h.id.get_ref().as_str()) {
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

    let account_ids: HashMap<&str, ()> = raw
        .account
        .iter()
        .map(|a| (a.id.get_ref().as_str(), ()))
        .collect();

    let mut seed = Seed::default();

    for (a, ok) in raw.account.iter().zip(accounts_ok) {
        if ok {
            seed.accounts.push(SeedAccount {
                id: a.id.get_ref().clone(),
                name: a.name.clone(),
            });
        }
    }

    for (k, ok) in raw.access_key.iter().zip(keys_ok) {
        let id = k.id.get_ref();
        let account_ok = c.reference("access_key", id, "account", &k.account, |a| {
            account_ids.contains_key(a)
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
            seed.access_keys.push(SeedAccessKey {
                account: k.account.get_ref().clone(),
                id: id.clone(),
                secret: k.secret.get_ref().clone(),
            });
        }
    }

    for (p, ok) in raw.huawei_project.iter().zip(projects_ok) {
        let id = p.id.get_ref();
        let account_ok = c.reference("huawei_project", id, "account", &p.account, |a| {
            account_ids.contains_key(a)
        });
        let region_ok = c.token(
            &p.region,
            "huawei_project.region",
            &format!("region of huawei_project {id:?}"),
        );
        if ok && account_ok && region_ok {
            seed.huawei_projects.push(SeedHuaweiProject {
                id: id.clone(),
                account: p.account.get_ref().clone(),
                region: p.region.get_ref().clone(),
            });
        }
    }

    // VPCs: their CIDRs are needed by the subnets.
    let mut vpc_cidrs: HashMap<&str, Ipv4Net> = HashMap::new();
    for (v, ok) in raw.vpc.iter().zip(kept(&raw.vpc, &vpcs, |v| &v.id)) {
        let id = v.id.get_ref();
        let account_ok = c.reference("vpc", id, "account", &v.account, |a| {
            account_ids.contains_key(a)
        });
        let region_ok = c.token(&v.region, "vpc.region", &format!("region of vpc {id:?}"));
        let cidr = c.cidr("vpc", id, &v.cidr);
        if let (true, Some(cidr)) = (ok, cidr) {
            vpc_cidrs.insert(id, cidr);
            if account_ok && region_ok {
                seed.vpcs.push(SeedVpc {
                    id: id.clone(),
                    account: v.account.get_ref().clone(),
                    region: v.region.get_ref().clone(),
                    cidr,
                    name: v.name.clone(),
                });
            }
        }
    }

    // Subnets: inside their VPC, no overlap with another subnet of that VPC.
    let mut subnet_cidrs: HashMap<&str, Ipv4Net> = HashMap::new();
    let mut vpc_subnets: HashMap<&str, Vec<&RawSubnet>> = HashMap::new();
    for (s, ok) in raw
        .subnet
        .iter()
        .zip(kept(&raw.subnet, &subnets, |s| &s.id))
    {
        let id = s.id.get_ref();
        let vpc_ok = c.reference("subnet", id, "vpc", &s.vpc, |v| vpcs.contains_key(v));
        let zone_ok = c.token(&s.zone, "subnet.zone", &format!("zone of subnet {id:?}"));
        let mut cidr = c.cidr("subnet", id, &s.cidr);
        if let (Some(net), Some(vpc_net)) = (cidr, vpc_cidrs.get(s.vpc.get_ref().as_str())) {
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
                cidr = None;
            }
        }
        if let (Some(net), true) = (cidr, ok) {
            let siblings = vpc_subnets.entry(s.vpc.get_ref().as_str()).or_default();
            for other in siblings.iter() {
                let other_net = subnet_cidrs.get(other.id.get_ref().as_str());
                if let Some(other_net) = other_net {
                    if other_net.contains(&net.network()) || net.contains(&other_net.network()) {
                        let line = c.line_of(&other.cidr);
                        c.refuse(
                            &s.cidr,
                            "subnet.cidr",
                            format!(
                                "cidr {net} of subnet {id:?} overlaps cidr {other_net} of \
                                 subnet {:?} (line {line}) in the same vpc",
                                other.id.get_ref()
                            ),
                        );
                        cidr = None;
                        break;
                    }
                }
            }
            if let Some(net) = cidr {
                siblings.push(s);
                subnet_cidrs.insert(id, net);
                if vpc_ok && zone_ok {
                    seed.subnets.push(SeedSubnet {
                        id: id.clone(),
                        vpc: s.vpc.get_ref().clone(),
                        zone: s.zone.get_ref().clone(),
                        cidr: net,
                        name: s.name.clone(),
                    });
                }
            }
        }
    }
    let subnet_vpc = |subnet: &str| subnets.get(subnet).map(|s| s.vpc.get_ref().as_str());

    // Instances and their primary ENI.
    let mut primary_of: HashMap<&str, &RawInstance> = HashMap::new();
    for (i, ok) in raw
        .instance
        .iter()
        .zip(kept(&raw.instance, &instances, |i| &i.id))
    {
        let id = i.id.get_ref();
        let subnet_ok = c.reference("instance", id, "subnet", &i.subnet, |s| {
            subnets.contains_key(s)
        });
        let status = match InstanceStatus::parse(i.status.get_ref()) {
            Some(status) => Some(status),
            None => {
                c.refuse(
                    &i.status,
                    "instance.status",
                    format!(
                        "status {:?} of instance {id:?} is not one of Pending, Starting, \
                         Running, Stopping, Stopped",
                        i.status.get_ref()
                    ),
                );
                None
            }
        };
        let primary_ok = match &i.primary_eni {
            None => true,
            Some(p) => check_primary_eni(c, i, p, &enis, &havips, &mut primary_of),
        };
        if let (true, true, true, Some(status)) = (ok, subnet_ok, primary_ok, status) {
            seed.instances.push(SeedInstance {
                id: id.clone(),
                subnet: i.subnet.get_ref().clone(),
                status,
                primary_eni: i.primary_eni.as_ref().map(|p| p.get_ref().clone()),
                name: i.name.clone(),
            });
        }
    }

    // ENIs and HaVips: subnet, instance, IP (unique per subnet), MAC (unique).
    let mut ips: HashMap<(&str, Ipv4Addr), (usize, String)> = HashMap::new();
    let mut macs: HashMap<String, usize> = HashMap::new();
    for (e, ok) in raw.eni.iter().zip(kept(&raw.eni, &enis, |e| &e.id)) {
        let id = e.id.get_ref();
        let subnet_id = e.subnet.get_ref().as_str();
        let subnet_ok = c.reference("eni", id, "subnet", &e.subnet, |s| subnets.contains_key(s));
        let mut instance_ok = true;
        if let Some(inst) = &e.instance {
            instance_ok = c.reference("eni", id, "instance", inst, |i| instances.contains_key(i));
            let inst_vpc = instances
                .get(inst.get_ref().as_str())
                .and_then(|i| subnet_vpc(i.subnet.get_ref()));
            if let (true, Some(inst_vpc), Some(eni_vpc)) =
                (instance_ok, inst_vpc, subnet_vpc(subnet_id))
            {
                if inst_vpc != eni_vpc {
                    c.refuse(
                        inst,
                        "eni.instance",
                        format!(
                            "instance {:?} of eni {id:?} is in vpc {inst_vpc:?}, but the \
                             eni's subnet {subnet_id:?} is in vpc {eni_vpc:?}",
                            inst.get_ref()
                        ),
                    );
                    instance_ok = false;
                }
            }
        }
        let net = subnet_cidrs.get(subnet_id).map(|n| (subnet_id, *n));
        let ip = match &e.ip {
            None => Ok(None),
            Some(v) => match c.ip("eni", id, v, net) {
                Some(ip) if unique_ip(c, &mut ips, subnet_id, ip, v, "eni", id) => Ok(Some(ip)),
                _ => Err(()),
            },
        };
        let mac = match &e.mac {
            None => Ok(None),
            Some(v) => match c.mac(id, v) {
                Some(mac) => {
                    if let Some(&first) = macs.get(&mac) {
                        let line = line_column(c.text, first).0;
                        c.refuse(
                            v,
                            "eni.mac",
                            format!("mac {mac} of eni {id:?} is already used at line {line}"),
                        );
                        Err(())
                    } else {
                        macs.insert(mac.clone(), v.span().start);
                        Ok(Some(mac))
                    }
                }
                None => Err(()),
            },
        };
        if let (true, true, true, Ok(ip), Ok(mac)) = (ok, subnet_ok, instance_ok, ip, mac) {
            // A primary ENI is attached to its instance even if the file left it out.
            let instance = e
                .instance
                .as_ref()
                .map(|i| i.get_ref().clone())
                .or_else(|| primary_of.get(id.as_str()).map(|i| i.id.get_ref().clone()));
            seed.enis.push(SeedEni {
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

    for (h, ok) in raw.havip.iter().zip(kept(&raw.havip, &havips, |h| &h.id)) {
        let id = h.id.get_ref();
        let subnet_id = h.subnet.get_ref().as_str();
        let subnet_ok = c.reference("havip", id, "subnet", &h.subnet, |s| {
            subnets.contains_key(s)
        });
        let net = subnet_cidrs.get(subnet_id).map(|n| (subnet_id, *n));
        let ip = match &h.ip {
            None => Ok(None),
            Some(v) => match c.ip("havip", id, v, net) {
                Some(ip) if unique_ip(c, &mut ips, subnet_id, ip, v, "havip", id) => Ok(Some(ip)),
                _ => Err(()),
            },
        };
        let members_ok = havip_members(c, id, &h.members, &instances, &enis);
        if let (true, true, Ok(ip), true) = (ok, subnet_ok, ip, members_ok) {
            seed.havips.push(SeedHavip {
                id: id.clone(),
                subnet: subnet_id.to_string(),
                ip,
                name: h.name.clone(),
                description: h.description.clone(),
                members: h.members.iter().map(|m| m.get_ref().clone()).collect(),
            });
        }
    }

    if let Some(limits) = &raw.limits {
        for (face, l) in limits {
            let name = face.get_ref().clone();
            let line = line_column(c.text, face.span().start).0;
            let parsed = cloud_limits(c, &name, l);
            seed.limits.lines.insert(name.clone(), line);
            seed.limits.by_face.insert(name, parsed);
        }
    }
    seed.dataplane = raw
        .dataplane
        .as_ref()
        .is_some_and(|d| d.attached.unwrap_or(true));

    seed
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
    let mut kinds = std::collections::BTreeSet::new();
    let mut seen = std::collections::BTreeSet::new();
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

/// `primary_eni` names either an `[[eni]]` of the seed (same subnet as the instance,
/// attached to it or to nothing, not service-managed) or, when no `[[eni]]` has that
/// id, the id of the primary ENI the loader creates. Either way one ENI is the
/// primary ENI of at most one instance, and its id is not a HaVip's.
fn check_primary_eni<'r>(
    c: &mut Checker<'_>,
    i: &'r RawInstance,
    p: &'r S<String>,
    enis: &HashMap<&str, &RawEni>,
    havips: &HashMap<&str, &RawHavip>,
    primary_of: &mut HashMap<&'r str, &'r RawInstance>,
) -> bool {
    let id = i.id.get_ref();
    let field = "instance.primary_eni";
    if !c.token(p, field, &format!("primary_eni of instance {id:?}")) {
        return false;
    }
    let eni_id = p.get_ref().as_str();
    if let Some(other) = primary_of.get(eni_id) {
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
    primary_of.insert(eni_id, i);
    match enis.get(eni_id) {
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
            if havips.contains_key(eni_id) {
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

fn cloud_limits(c: &mut Checker<'_>, face: &str, l: &RawCloudLimits) -> CloudLimits {
    CloudLimits {
        instances_per_havip: c.limit(face, "instances_per_havip", &l.instances_per_havip),
        havips_per_instance: c.limit(face, "havips_per_instance", &l.havips_per_instance),
        havips_per_region: c.limit(face, "havips_per_region", &l.havips_per_region),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_mac;

    #[test]
    fn macs_are_normalised_and_must_be_unicast() {
        assert_eq!(
            parse_mac("00:16:3E:0A:0b:FF").as_deref(),
            Some("00:16:3e:0a:0b:ff")
        );
        assert_eq!(
            parse_mac("fa-16-3e-00-00-01").as_deref(),
            Some("fa:16:3e:00:00:01")
        );
        assert_eq!(parse_mac("01:00:5e:00:00:12"), None); // multicast
        assert_eq!(parse_mac("ff:ff:ff:ff:ff:ff"), None);
        assert_eq!(parse_mac("00:16:3e:00:00"), None);
        assert_eq!(parse_mac("00:16:3e:00:00:001"), None);
        assert_eq!(parse_mac("00:16-3e:00:00:01"), None);
        assert_eq!(parse_mac(""), None);
    }
}
