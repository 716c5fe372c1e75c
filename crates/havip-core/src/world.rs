//! An in-memory reference model of the whole state: the same facts a store loads, gathered
//! from maps, fed to the same rules in [`crate::ops`]. Property tests drive it with random
//! operation sequences and check the invariants with [`World::check_invariants`]; the
//! service tests compare the real store against it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use crate::error::DomainError;
use crate::havip::{HaVip, HaVipStatus, MemberState};
use crate::limits::Limits;
use crate::model::{
    Eni, Instance, InstanceStatus, MemberKind, Subnet, Target, TargetResource, Vpc,
};
use crate::ops::{self, AssociateFacts, CreateFacts, CreateHaVip, DisassociateFacts, Timing};
use crate::profile::Profile;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct World {
    pub vpcs: BTreeMap<String, Vpc>,
    pub subnets: BTreeMap<String, Subnet>,
    pub instances: BTreeMap<String, Instance>,
    pub enis: BTreeMap<String, Eni>,
    pub havips: BTreeMap<String, HaVip>,
}

impl World {
    /// The resource a target names, if it exists.
    pub fn target(&self, t: &Target) -> Option<TargetResource> {
        match t.kind {
            MemberKind::EcsInstance => self
                .instances
                .get(&t.id)
                .cloned()
                .map(TargetResource::Instance),
            MemberKind::NetworkInterface => self.enis.get(&t.id).map(|eni| TargetResource::Eni {
                eni: eni.clone(),
                instance: eni
                    .instance
                    .as_ref()
                    .and_then(|i| self.instances.get(i))
                    .cloned(),
            }),
        }
    }

    /// How many HaVips carry `instance` (directly or through one of its ENIs).
    pub fn havips_of_instance(&self, instance: &str) -> u32 {
        let n = self
            .havips
            .values()
            .filter(|h| h.members.iter().any(|m| m.instance == instance))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    fn ip_in_use(&self, subnet: &str, ip: Ipv4Addr) -> bool {
        self.enis.values().any(|e| e.subnet == subnet && e.ip == ip)
            || self
                .havips
                .values()
                .any(|h| h.subnet == subnet && h.ip == ip)
    }

    /// How many HaVips `account` holds in `region`, in any status.
    pub fn havips_in_region(&self, account: &str, region: &str) -> u64 {
        let n = self
            .havips
            .values()
            .filter(|h| h.account == account && h.region == region)
            .count();
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    pub fn create_havip(
        &mut self,
        profile: &Profile,
        req: &CreateHaVip,
        id: String,
        alloc_start: u32,
        timing: &Timing,
    ) -> Result<HaVip, DomainError> {
        let subnet = self.subnets.get(&req.subnet);
        let facts = CreateFacts {
            subnet,
            havips_in_region: subnet.map_or(0, |s| self.havips_in_region(&s.account, &s.region)),
        };
        let h = ops::create(
            profile,
            req,
            facts,
            |ip| self.ip_in_use(&req.subnet, ip),
            alloc_start,
            id,
            timing,
        )?;
        self.havips.insert(h.id.clone(), h.clone());
        Ok(h)
    }

    pub fn associate(
        &mut self,
        havip_id: &str,
        target: &Target,
        limits: &Limits,
        timing: &Timing,
    ) -> Result<HaVip, DomainError> {
        let resource = self.target(target);
        let count = resource
            .as_ref()
            .and_then(|r| r.instance_id())
            .map_or(0, |i| self.havips_of_instance(i));
        let facts = AssociateFacts {
            havip: self.havips.get(havip_id),
            target: resource.as_ref(),
            target_instance_havips: count,
        };
        let h = ops::associate(havip_id, target, facts, limits, timing)?;
        self.havips.insert(h.id.clone(), h.clone());
        Ok(h)
    }

    pub fn disassociate(
        &mut self,
        havip_id: &str,
        target: &Target,
        force: bool,
        limits: &Limits,
        timing: &Timing,
    ) -> Result<HaVip, DomainError> {
        let resource = self.target(target);
        let facts = DisassociateFacts {
            havip: self.havips.get(havip_id),
            target: resource.as_ref(),
        };
        let h = ops::disassociate(havip_id, target, force, facts, limits, timing)?;
        self.havips.insert(h.id.clone(), h.clone());
        Ok(h)
    }

    pub fn delete(&mut self, havip_id: &str, timing: &Timing) -> Result<(), DomainError> {
        match ops::delete(havip_id, self.havips.get(havip_id), timing)? {
            Some(h) => {
                self.havips.insert(h.id.clone(), h);
            }
            None => {
                self.havips.remove(havip_id);
            }
        }
        Ok(())
    }

    pub fn failover(
        &mut self,
        havip_id: &str,
        to: Option<&str>,
        now: i64,
    ) -> Result<HaVip, DomainError> {
        let h = ops::failover(havip_id, self.havips.get(havip_id), to, now)?;
        self.havips.insert(h.id.clone(), h.clone());
        Ok(h)
    }

    /// Completes every change due at `now` (what the worker does).
    pub fn complete_due(&mut self, now: i64) {
        let due: Vec<String> = self
            .havips
            .values()
            .filter(|h| {
                h.pending
                    .as_ref()
                    .and_then(|p| p.timer())
                    .is_some_and(|due| due <= now)
            })
            .map(|h| h.id.clone())
            .collect();
        for id in due {
            let Some(h) = self.havips.get(&id) else {
                continue;
            };
            match ops::complete(h, now) {
                Some(next) => {
                    self.havips.insert(id, next);
                }
                None => {
                    self.havips.remove(&id);
                }
            }
        }
    }

    pub fn set_instance_status(&mut self, id: &str, status: InstanceStatus) {
        if let Some(i) = self.instances.get_mut(id) {
            i.status = status;
        }
    }

    /// Every invariant of the domain, checked over the whole state. Returns the first
    /// violation found, described.
    pub fn check_invariants(&self, limits: &Limits) -> Result<(), String> {
        let mut per_instance: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut ips: BTreeSet<(&str, Ipv4Addr)> = BTreeSet::new();
        for e in self.enis.values() {
            if !ips.insert((&e.subnet, e.ip)) {
                return Err(format!("ip {} used twice in {}", e.ip, e.subnet));
            }
        }
        for h in self.havips.values() {
            if !ips.insert((&h.subnet, h.ip)) {
                return Err(format!("ip {} used twice in {}", h.ip, h.subnet));
            }
            if h.members.len() > limits.instances_per_havip as usize {
                return Err(format!("{} has {} members", h.id, h.members.len()));
            }
            let kinds: BTreeSet<_> = h.members.iter().map(|m| m.kind).collect();
            if kinds.len() > 1 {
                return Err(format!("{} mixes member kinds", h.id));
            }
            let ids: BTreeSet<_> = h.members.iter().map(|m| m.id.as_str()).collect();
            if ids.len() != h.members.len() {
                return Err(format!("{} lists a member twice", h.id));
            }
            let carriers: BTreeSet<_> = h.members.iter().map(|m| m.instance.as_str()).collect();
            if carriers.len() != h.members.len() {
                return Err(format!("{} is carried twice by one instance", h.id));
            }
            for m in &h.members {
                let subnet = match m.kind {
                    MemberKind::EcsInstance => self.instances.get(&m.id).map(|i| i.subnet.as_str()),
                    MemberKind::NetworkInterface => self.enis.get(&m.id).map(|e| e.subnet.as_str()),
                };
                if subnet != Some(h.subnet.as_str()) {
                    return Err(format!(
                        "{} member {} not in subnet {}",
                        h.id, m.id, h.subnet
                    ));
                }
                per_instance.entry(&m.instance).or_default().insert(&h.id);
            }
            match &h.master {
                None => {
                    if h.members.iter().any(|m| m.state == MemberState::Associated) {
                        return Err(format!("{} has associated members but no master", h.id));
                    }
                }
                Some(master) => {
                    if !h
                        .members
                        .iter()
                        .any(|m| &m.id == master && m.state != MemberState::Associating)
                    {
                        return Err(format!(
                            "{} master {} is not a carried member",
                            h.id, master
                        ));
                    }
                }
            }
            if h.status != h.derived_status() {
                return Err(format!(
                    "{} status {:?} vs derived {:?}",
                    h.id,
                    h.status,
                    h.derived_status()
                ));
            }
            let transient_members = h
                .members
                .iter()
                .filter(|m| m.state != MemberState::Associated)
                .count();
            let expected = usize::from(matches!(
                h.status,
                HaVipStatus::Associating | HaVipStatus::Unassociating
            ));
            if transient_members != expected {
                return Err(format!(
                    "{} has {} members in flight in status {:?}",
                    h.id, transient_members, h.status
                ));
            }
        }
        for (inst, set) in per_instance {
            if set.len() > limits.havips_per_instance as usize {
                return Err(format!("instance {inst} carries {} HaVips", set.len()));
            }
        }
        let mut per_region: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for h in self.havips.values() {
            *per_region.entry((&h.account, &h.region)).or_default() += 1;
        }
        for ((account, region), n) in per_region {
            if n > u64::from(limits.havips_per_region) {
                return Err(format!("account {account} holds {n} HaVips in {region}"));
            }
        }
        Ok(())
    }
}

/// A small world for tests: one VPC with subnets `s1` (192.168.1.0/24) and `s2`
/// (192.168.2.0/24); Running instances `i1`..`i4` in s1 and `i9` in s2, each with a primary
/// ENI `eni-iN`; a second ENI `eni-i1b` on `i1`; a free ENI `eni-free` and a
/// service-managed ENI `eni-svc` attached to `i4`, both in s1.
pub fn sample_world() -> World {
    let mut w = World::default();
    let cidr = |s: &str| s.parse().unwrap_or_else(|_| ipnet::Ipv4Net::default());
    w.vpcs.insert(
        "vpc1".into(),
        Vpc {
            id: "vpc1".into(),
            account: "acct".into(),
            region: "r1".into(),
            cidr: cidr("192.168.0.0/16"),
            name: String::new(),
            created_at: 0,
        },
    );
    for (id, c) in [("s1", "192.168.1.0/24"), ("s2", "192.168.2.0/24")] {
        w.subnets.insert(
            id.into(),
            Subnet {
                id: id.into(),
                vpc: "vpc1".into(),
                account: "acct".into(),
                region: "r1".into(),
                zone: "z1".into(),
                cidr: cidr(c),
                name: String::new(),
                created_at: 0,
            },
        );
    }
    let mut host = 10u8;
    let mut eni = |w: &mut World, id: &str, subnet: &str, instance: Option<&str>, svc: bool| {
        host += 1;
        let third = if subnet == "s1" { 1 } else { 2 };
        w.enis.insert(
            id.into(),
            Eni {
                id: id.into(),
                account: "acct".into(),
                region: "r1".into(),
                subnet: subnet.into(),
                ip: Ipv4Addr::new(192, 168, third, host),
                mac: String::new(),
                instance: instance.map(str::to_string),
                service_managed: svc,
                created_at: 0,
            },
        );
    };
    for (id, subnet) in [
        ("i1", "s1"),
        ("i2", "s1"),
        ("i3", "s1"),
        ("i4", "s1"),
        ("i9", "s2"),
    ] {
        let primary = format!("eni-{id}");
        eni(&mut w, &primary, subnet, Some(id), false);
        w.instances.insert(
            id.into(),
            Instance {
                id: id.into(),
                account: "acct".into(),
                region: "r1".into(),
                subnet: subnet.into(),
                status: InstanceStatus::Running,
                primary_eni: primary,
                name: String::new(),
                created_at: 0,
            },
        );
    }
    eni(&mut w, "eni-i1b", "s1", Some("i1"), false);
    eni(&mut w, "eni-free", "s1", None, false);
    eni(&mut w, "eni-svc", "s1", Some("i4"), true);
    w
}
