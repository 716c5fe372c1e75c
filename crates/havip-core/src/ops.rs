//! The HaVip operations as pure decisions: each takes the facts the caller loaded (in one
//! store transaction) and returns the new state of the HaVip, or the first broken rule in
//! the order of DECISIONS.md: shape, existence, HaVip status, instance status, relations,
//! limits. Nothing here writes; the caller persists what it gets back.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::error::{Action, DomainError};
use crate::havip::{
    HaVip, HaVipStatus, MasterClaim, Member, MemberState, PendingChange, PendingKind,
};
use crate::ip;
use crate::limits::Limits;
use crate::model::{Eni, Instance, MemberKind, Subnet, Target, TargetResource};
use crate::profile::Profile;
use crate::validate;

/// When a change happens: `now`, and what finishes it: with a data plane attached, the
/// fabric's acknowledgement (`awaits_fabric`); otherwise the worker after `delay_ms`
/// (`delay_ms == 0` completes it at once, in the same transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    pub now: i64,
    pub delay_ms: i64,
    /// Id for the in-flight change, if one is created.
    pub change_id: String,
    /// The change stays in flight until the data plane acknowledges it.
    pub awaits_fabric: bool,
}

impl Timing {
    pub fn immediate(now: i64) -> Self {
        Timing {
            now,
            delay_ms: 0,
            change_id: String::new(),
            awaits_fabric: false,
        }
    }

    fn pending(&self, kind: PendingKind, member: Option<String>) -> Option<PendingChange> {
        if self.awaits_fabric {
            return Some(PendingChange {
                id: self.change_id.clone(),
                kind,
                member,
                due_at: self.now,
                awaits_fabric: true,
            });
        }
        (self.delay_ms > 0).then(|| PendingChange {
            id: self.change_id.clone(),
            kind,
            member,
            due_at: self.now.saturating_add(self.delay_ms),
            awaits_fabric: false,
        })
    }
}

/// A request to create a HaVip, as every face reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CreateHaVip {
    pub subnet: String,
    pub ip: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<(String, String)>,
    pub resource_group: Option<String>,
}

/// Validates the shape of a create request (before anything is looked up).
pub fn check_create_shape(profile: &Profile, req: &CreateHaVip) -> Result<(), DomainError> {
    if req.subnet.is_empty() {
        return Err(DomainError::MissingParameter("SubnetId"));
    }
    if let Some(n) = &req.name {
        validate::name(profile, n)?;
    }
    if let Some(d) = &req.description {
        validate::description(profile, d)?;
    }
    validate::tag_list(profile, &req.tags)?;
    if let Some(ip) = &req.ip {
        ip::parse_ipv4(ip)?;
    }
    Ok(())
}

/// What the caller loaded for a create request (in the transaction that will insert it).
#[derive(Debug, Clone, Copy)]
pub struct CreateFacts<'a> {
    /// The subnet the request names, if the caller has it.
    pub subnet: Option<&'a Subnet>,
    /// How many HaVips the subnet's account holds in the subnet's region now, in any
    /// status (HaVips loaded from the seed count too).
    pub havips_in_region: u64,
}

/// The per-account, per-region HaVip quota: a new HaVip is refused once the account holds
/// `limits.havips_per_region` of them in the region.
pub fn check_havip_quota(havips_in_region: u64, limits: &Limits) -> Result<(), DomainError> {
    if havips_in_region >= u64::from(limits.havips_per_region) {
        return Err(DomainError::HaVipQuotaExceeded {
            limit: limits.havips_per_region,
        });
    }
    Ok(())
}

/// Creates a HaVip in the subnet of `facts` (loaded by the caller in the request's account
/// and region), by the rules of the caller's `profile`. Checks: shape, the subnet exists,
/// the quota, then the address.
/// `ip_in_use` tells whether an address of the subnet is taken; `alloc_start` seeds the
/// search for a free address when none is requested.
#[allow(clippy::too_many_arguments)]
pub fn create(
    profile: &Profile,
    req: &CreateHaVip,
    facts: CreateFacts<'_>,
    ip_in_use: impl Fn(Ipv4Addr) -> bool,
    alloc_start: u32,
    id: String,
    timing: &Timing,
) -> Result<HaVip, DomainError> {
    check_create_shape(profile, req)?;
    let subnet = facts
        .subnet
        .ok_or_else(|| DomainError::SubnetNotFound(req.subnet.clone()))?;
    check_havip_quota(facts.havips_in_region, &profile.limits)?;
    let address = match &req.ip {
        Some(text) => {
            let a = ip::parse_ipv4(text)?;
            ip::check_requested_ip(&subnet.cidr, a, &ip_in_use)?;
            a
        }
        None => ip::allocate_ip(&subnet.cidr, alloc_start, &ip_in_use)?,
    };
    let tags = validate::tag_list(profile, &req.tags)?;
    let pending = timing.pending(PendingKind::Create, None);
    let mut havip = HaVip {
        name: req.name.clone().unwrap_or_default(),
        id,
        account: subnet.account.clone(),
        region: subnet.region.clone(),
        vpc: subnet.vpc.clone(),
        subnet: subnet.id.clone(),
        ip: address,
        description: req.description.clone().unwrap_or_default(),
        status: HaVipStatus::Available,
        members: Vec::new(),
        master: None,
        master_claim: None,
        tags,
        eip: None,
        resource_group: req.resource_group.clone().unwrap_or_default(),
        pending,
        created_at: timing.now,
        updated_at: timing.now,
    };
    havip.status = havip.derived_status();
    Ok(havip)
}

/// What the caller loaded for an associate request.
#[derive(Debug, Clone, Copy)]
pub struct AssociateFacts<'a> {
    pub havip: Option<&'a HaVip>,
    pub target: Option<&'a TargetResource>,
    /// How many HaVips the target's instance carries now (in any member state).
    pub target_instance_havips: u32,
}

fn require_havip<'a>(havip: Option<&'a HaVip>, id: &str) -> Result<&'a HaVip, DomainError> {
    havip.ok_or_else(|| DomainError::HaVipNotFound(id.to_string()))
}

fn require_target<'a>(
    target: Option<&'a TargetResource>,
    wanted: &Target,
) -> Result<&'a TargetResource, DomainError> {
    let found = target.filter(|t| {
        matches!(
            (wanted.kind, t),
            (MemberKind::EcsInstance, TargetResource::Instance(_))
                | (MemberKind::NetworkInterface, TargetResource::Eni { .. })
        )
    });
    found.ok_or_else(|| match wanted.kind {
        MemberKind::EcsInstance => DomainError::InstanceNotFound(wanted.id.clone()),
        MemberKind::NetworkInterface => DomainError::EniNotFound(wanted.id.clone()),
    })
}

fn check_instance_status(target: &TargetResource) -> Result<(), DomainError> {
    match target {
        TargetResource::Instance(i) if !i.status.allows_havip_changes() => {
            Err(DomainError::InstanceStatus {
                status: i.status,
                via_eni: false,
            })
        }
        TargetResource::Eni {
            instance: Some(i), ..
        } if !i.status.allows_havip_changes() => Err(DomainError::InstanceStatus {
            status: i.status,
            via_eni: true,
        }),
        _ => Ok(()),
    }
}

/// Associates `target` with the HaVip `havip_id`.
pub fn associate(
    havip_id: &str,
    target: &Target,
    facts: AssociateFacts<'_>,
    limits: &Limits,
    timing: &Timing,
) -> Result<HaVip, DomainError> {
    let havip = require_havip(facts.havip, havip_id)?;
    let resource = require_target(facts.target, target)?;
    if !matches!(havip.status, HaVipStatus::Available | HaVipStatus::InUse) {
        return Err(DomainError::HaVipStatus {
            status: havip.status,
            action: Action::Associate,
        });
    }
    check_instance_status(resource)?;

    // Relations.
    if havip.member(&target.id).is_some() {
        return Err(DomainError::AlreadyAssociated);
    }
    if let Some(carried) = havip.member_kind() {
        if carried != target.kind {
            return Err(DomainError::MixedTypes { carried });
        }
    }
    if let TargetResource::Eni { eni, .. } = resource {
        if eni.instance.is_none() {
            return Err(DomainError::FreeEni);
        }
        if eni.service_managed {
            return Err(DomainError::ServiceManagedEni);
        }
    }
    let carrier = resource
        .instance_id()
        .ok_or(DomainError::FreeEni)?
        .to_string();
    if target.kind == MemberKind::NetworkInterface
        && havip.members.iter().any(|m| m.instance == carrier)
    {
        return Err(DomainError::TwoEnisOfOneInstance);
    }
    if resource.subnet() != havip.subnet {
        return Err(DomainError::DifferentSubnet);
    }

    // Limits.
    if havip.members.len() >= limits.instances_per_havip as usize {
        return Err(DomainError::InstancesPerHaVipLimit {
            limit: limits.instances_per_havip,
        });
    }
    if facts.target_instance_havips >= limits.havips_per_instance {
        return Err(DomainError::HaVipsPerInstanceLimit {
            limit: limits.havips_per_instance,
        });
    }

    let mut next = havip.clone();
    let pending = timing.pending(PendingKind::Associate, Some(target.id.clone()));
    let state = if pending.is_some() {
        MemberState::Associating
    } else {
        MemberState::Associated
    };
    next.members.push(Member {
        id: target.id.clone(),
        kind: target.kind,
        instance: carrier,
        state,
        position: havip.next_position(),
    });
    next.pending = pending;
    next.updated_at = timing.now;
    Ok(settle(next))
}

/// What the caller loaded for a disassociate request.
#[derive(Debug, Clone, Copy)]
pub struct DisassociateFacts<'a> {
    pub havip: Option<&'a HaVip>,
    pub target: Option<&'a TargetResource>,
}

/// Disassociates `target` from the HaVip. Where the profile says so, the master can only
/// go with `force`.
pub fn disassociate(
    havip_id: &str,
    target: &Target,
    force: bool,
    facts: DisassociateFacts<'_>,
    limits: &Limits,
    timing: &Timing,
) -> Result<HaVip, DomainError> {
    let havip = require_havip(facts.havip, havip_id)?;
    let resource = require_target(facts.target, target)?;
    if havip.status != HaVipStatus::InUse {
        return Err(DomainError::HaVipStatus {
            status: havip.status,
            action: Action::Disassociate,
        });
    }
    check_instance_status(resource)?;
    let Some(member) = havip.member(&target.id).filter(|m| m.kind == target.kind) else {
        return Err(DomainError::NotAssociated);
    };
    if limits.master_needs_force && !force && havip.master.as_deref() == Some(&member.id) {
        return Err(DomainError::UnassociateMaster);
    }
    let mut next = havip.clone();
    next.pending = timing.pending(PendingKind::Disassociate, Some(target.id.clone()));
    if next.pending.is_some() {
        if let Some(m) = next.members.iter_mut().find(|m| m.id == target.id) {
            m.state = MemberState::Disassociating;
        }
    } else {
        next.members.retain(|m| m.id != target.id);
    }
    next.updated_at = timing.now;
    Ok(settle(next))
}

/// Deletes the HaVip: only an Available HaVip with no EIP bound. Returns `None` when it is
/// gone at once, or the HaVip in `Deleting` when the change is in flight.
pub fn delete(
    havip_id: &str,
    havip: Option<&HaVip>,
    timing: &Timing,
) -> Result<Option<HaVip>, DomainError> {
    let havip = require_havip(havip, havip_id)?;
    if havip.status != HaVipStatus::Available {
        return Err(DomainError::HaVipStatus {
            status: havip.status,
            action: Action::Delete,
        });
    }
    if havip.eip.is_some() {
        return Err(DomainError::EipBound);
    }
    match timing.pending(PendingKind::Delete, None) {
        None => Ok(None),
        Some(p) => {
            let mut next = havip.clone();
            next.pending = Some(p);
            next.updated_at = timing.now;
            Ok(Some(settle(next)))
        }
    }
}

/// Changes name and/or description; the HaVip must be Available or InUse.
pub fn modify(
    profile: &Profile,
    havip_id: &str,
    havip: Option<&HaVip>,
    name: Option<&str>,
    description: Option<&str>,
    now: i64,
) -> Result<HaVip, DomainError> {
    if let Some(n) = name {
        validate::name(profile, n)?;
    }
    if let Some(d) = description {
        validate::description(profile, d)?;
    }
    let havip = require_havip(havip, havip_id)?;
    if !matches!(havip.status, HaVipStatus::Available | HaVipStatus::InUse) {
        return Err(DomainError::HaVipStatus {
            status: havip.status,
            action: Action::Modify,
        });
    }
    let mut next = havip.clone();
    if let Some(n) = name {
        next.name = n.to_string();
    }
    if let Some(d) = description {
        next.description = d.to_string();
    }
    next.updated_at = now;
    Ok(next)
}

/// Adds or replaces tags (at most 20 per HaVip).
pub fn tag(havip: &HaVip, tags: &BTreeMap<String, String>, now: i64) -> Result<HaVip, DomainError> {
    if havip.status == HaVipStatus::Deleting {
        return Err(DomainError::HaVipStatus {
            status: havip.status,
            action: Action::Tag,
        });
    }
    let mut next = havip.clone();
    next.tags = validate::merge_tags(&havip.tags, tags)?;
    next.updated_at = now;
    Ok(next)
}

/// Removes the tags with the given keys, or all of them.
pub fn untag(havip: &HaVip, keys: &[String], all: bool, now: i64) -> HaVip {
    let mut next = havip.clone();
    if all {
        next.tags.clear();
    } else {
        for k in keys {
            next.tags.remove(k);
        }
    }
    next.updated_at = now;
    next
}

/// The HaVip in another resource group (a label: members, status and tags stay).
pub fn move_to_resource_group(havip: &HaVip, group: &str, now: i64) -> HaVip {
    let mut next = havip.clone();
    next.resource_group = group.to_string();
    next.updated_at = now;
    next
}

/// A simulated failover: moves the master to the associated member `to`, or to the member
/// after the current master when `to` is `None`.
pub fn failover(
    havip_id: &str,
    havip: Option<&HaVip>,
    to: Option<&str>,
    now: i64,
) -> Result<HaVip, DomainError> {
    let havip = require_havip(havip, havip_id)?;
    if havip.status != HaVipStatus::InUse {
        return Err(DomainError::HaVipStatus {
            status: havip.status,
            action: Action::Failover,
        });
    }
    let carried: Vec<&Member> = havip
        .members
        .iter()
        .filter(|m| m.state == MemberState::Associated)
        .collect();
    let new_master = match to {
        Some(id) => carried
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.id.clone())
            .ok_or(DomainError::NotAssociated)?,
        None => {
            let at = carried
                .iter()
                .position(|m| Some(m.id.as_str()) == havip.master.as_deref());
            let next = at.map_or(0, |i| (i + 1) % carried.len().max(1));
            carried
                .get(next)
                .map(|m| m.id.clone())
                .ok_or(DomainError::NotAssociated)?
        }
    };
    let mut next = havip.clone();
    next.master = Some(new_master);
    next.master_claim = None;
    next.updated_at = now;
    Ok(next)
}

/// Completes the change in flight (the worker calls this when it is due). Returns `None`
/// when the HaVip is gone (a completed delete).
pub fn complete(havip: &HaVip, now: i64) -> Option<HaVip> {
    let mut next = havip.clone();
    let pending = next.pending.take()?;
    match pending.kind {
        PendingKind::Delete => return None,
        PendingKind::Create => {}
        PendingKind::Associate => {
            for m in next.members.iter_mut() {
                if m.state == MemberState::Associating {
                    m.state = MemberState::Associated;
                }
            }
        }
        PendingKind::Disassociate => next
            .members
            .retain(|m| m.state != MemberState::Disassociating),
    }
    next.updated_at = now;
    Some(settle(next))
}

/// What a claim on a HaVip's VIP did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The claimant became the master (from the one before, if any).
    MasterChanged {
        from: Option<String>,
        next: Box<HaVip>,
    },
    /// The claimant already was the master, made so by the control plane (the first
    /// member associated): its claim is recorded.
    Confirmed { next: Box<HaVip> },
    /// The claimant already was the master by an earlier claim.
    Unchanged,
    /// The claimant is not an associated member: the claim does not count.
    Ignored,
    /// The claim was seen before the claim that made the current master (it reached the
    /// control plane late): it does not count.
    Stale,
}

/// An ARP claim on `havip`'s VIP from `member` (the instance, or the ENI when the HaVip
/// carries ENIs): the latest claim of an associated member makes it the master, as the
/// clouds' fabrics decide; latest by when the fabric saw it, so a claim that arrives
/// after a newer one of another member does not move the master back. A member still
/// being associated or disassociated, or anyone else, is ignored.
pub fn claim_master(havip: &HaVip, member: &str, claim: MasterClaim) -> ClaimOutcome {
    let associated = havip
        .members
        .iter()
        .any(|m| m.id == member && m.state == MemberState::Associated);
    if !associated {
        return ClaimOutcome::Ignored;
    }
    if havip.master.as_deref() == Some(member) {
        if havip.master_claim.is_some() {
            return ClaimOutcome::Unchanged;
        }
        let mut next = havip.clone();
        next.master_claim = Some(claim);
        return ClaimOutcome::Confirmed {
            next: Box::new(next),
        };
    }
    if havip
        .master_claim
        .as_ref()
        .is_some_and(|current| claim.at < current.at)
    {
        return ClaimOutcome::Stale;
    }
    let mut next = havip.clone();
    next.master = Some(member.to_string());
    next.updated_at = next.updated_at.max(claim.at);
    next.master_claim = Some(claim);
    ClaimOutcome::MasterChanged {
        from: havip.master.clone(),
        next: Box::new(next),
    }
}

/// Finishes the change in flight on `havip` at once, whatever its delay: the operator's
/// control over asynchrony, so that tests need not wait for a clock. A HaVip with no
/// change in flight is refused. `Ok(None)` when the change deleted the HaVip.
pub fn complete_now(havip: &HaVip, now: i64) -> Result<Option<HaVip>, DomainError> {
    if havip.pending.is_none() {
        return Err(DomainError::HaVipStatus {
            status: havip.status,
            action: Action::Complete,
        });
    }
    Ok(complete(havip, now))
}

/// Restores the derived parts of a HaVip after a change: the status follows the members
/// and the change in flight, and the master is an associated member (the first one when
/// the old master left or there was none), or none.
pub fn settle(mut havip: HaVip) -> HaVip {
    let master_ok = havip.master.as_deref().is_some_and(|id| {
        havip
            .members
            .iter()
            .any(|m| m.id == id && m.state != MemberState::Associating)
    });
    if !master_ok {
        havip.master = havip
            .members
            .iter()
            .filter(|m| m.state == MemberState::Associated)
            .min_by_key(|m| m.position)
            .map(|m| m.id.clone());
        // The claim that made the old master is not this one's.
        havip.master_claim = None;
    }
    havip.status = havip.derived_status();
    havip
}

/// Attaches a free ENI to an instance of the same VPC.
pub fn attach_eni(
    eni: &Eni,
    instance: &Instance,
    eni_vpc: &str,
    instance_vpc: &str,
) -> Result<Eni, DomainError> {
    if eni.instance.is_some() {
        return Err(DomainError::EniAttached);
    }
    if eni.service_managed {
        return Err(DomainError::ServiceManagedEni);
    }
    if eni_vpc != instance_vpc {
        return Err(DomainError::invalid(
            "InstanceId",
            "the instance and the network interface are in different VPCs",
        ));
    }
    let mut next = eni.clone();
    next.instance = Some(instance.id.clone());
    Ok(next)
}

/// Detaches an ENI; not the primary ENI of its instance and not while it carries a HaVip.
pub fn detach_eni(
    eni: &Eni,
    instance: Option<&Instance>,
    havips_carried: u32,
) -> Result<Eni, DomainError> {
    if eni.instance.is_none() {
        return Err(DomainError::FreeEni);
    }
    if instance.is_some_and(|i| i.primary_eni == eni.id) {
        return Err(DomainError::EniIsPrimary);
    }
    if havips_carried > 0 {
        return Err(DomainError::EniCarriesHaVip);
    }
    let mut next = eni.clone();
    next.instance = None;
    Ok(next)
}

#[cfg(test)]
mod tests;
