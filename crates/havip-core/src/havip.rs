//! The HaVip aggregate (the HaVip with its members, tags and in-flight change) and its
//! status machine: Creating → Available ⇄ Associating/Unassociating → InUse; Deleting.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::model::MemberKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HaVipStatus {
    Creating,
    Available,
    Associating,
    Unassociating,
    InUse,
    Deleting,
}

impl HaVipStatus {
    pub const ALL: [HaVipStatus; 6] = [
        HaVipStatus::Creating,
        HaVipStatus::Available,
        HaVipStatus::Associating,
        HaVipStatus::Unassociating,
        HaVipStatus::InUse,
        HaVipStatus::Deleting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HaVipStatus::Creating => "Creating",
            HaVipStatus::Available => "Available",
            HaVipStatus::Associating => "Associating",
            HaVipStatus::Unassociating => "Unassociating",
            HaVipStatus::InUse => "InUse",
            HaVipStatus::Deleting => "Deleting",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A change (associate, disassociate, delete) is in flight.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            HaVipStatus::Creating
                | HaVipStatus::Associating
                | HaVipStatus::Unassociating
                | HaVipStatus::Deleting
        )
    }

    /// The edges of the status machine. `None` as `to` means the HaVip is gone.
    pub fn may_become(self, to: Option<HaVipStatus>) -> bool {
        use HaVipStatus::*;
        match (self, to) {
            (a, Some(b)) if a == b => true,
            (Creating, Some(Available)) => true,
            (Available, Some(Associating | InUse | Deleting)) => true,
            (Available, None) => true,
            (InUse, Some(Associating | Unassociating | Available | InUse)) => true,
            (Associating, Some(InUse)) => true,
            (Unassociating, Some(InUse | Available)) => true,
            (Deleting, None) => true,
            _ => false,
        }
    }
}

/// Where a member is in its life: being associated, carried, or being disassociated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberState {
    Associating,
    Associated,
    Disassociating,
}

impl MemberState {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Associating => "Associating",
            MemberState::Associated => "Associated",
            MemberState::Disassociating => "Disassociating",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Associating" => Some(MemberState::Associating),
            "Associated" => Some(MemberState::Associated),
            "Disassociating" => Some(MemberState::Disassociating),
            _ => None,
        }
    }
}

/// One instance or ENI that carries (or is about to carry) the HaVip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The instance id or ENI id, per the HaVip's member kind.
    pub id: String,
    pub kind: MemberKind,
    /// The instance that carries the HaVip (the instance itself, or the ENI's instance).
    pub instance: String,
    pub state: MemberState,
    /// Association order; the first associated member is the master until a failover.
    pub position: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PendingKind {
    Create,
    Associate,
    Disassociate,
    Delete,
}

impl PendingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PendingKind::Create => "Create",
            PendingKind::Associate => "Associate",
            PendingKind::Disassociate => "Disassociate",
            PendingKind::Delete => "Delete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Create" => Some(PendingKind::Create),
            "Associate" => Some(PendingKind::Associate),
            "Disassociate" => Some(PendingKind::Disassociate),
            "Delete" => Some(PendingKind::Delete),
            _ => None,
        }
    }
}

/// The change in flight on a HaVip: the worker completes it at `due_at`, or, when it
/// `awaits_fabric`, the data plane's acknowledgement of a revision that holds it does
/// (`due_at` is then when it was made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange {
    pub id: String,
    pub kind: PendingKind,
    /// The member being associated or disassociated.
    pub member: Option<String>,
    pub due_at: i64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub awaits_fabric: bool,
}

impl PendingChange {
    /// When the worker completes it; `None` when the data plane does.
    pub fn timer(&self) -> Option<i64> {
        (!self.awaits_fabric).then_some(self.due_at)
    }
}

/// An ARP claim on a HaVip's VIP seen by the data plane: a gratuitous ARP request
/// (sender = target = VIP) or an ARP reply whose sender is the VIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterClaim {
    /// When the fabric saw it (ms since the epoch).
    pub at: i64,
    /// The fabric port it came through, and the sender's MAC.
    pub port: String,
    pub mac: String,
    /// `GratuitousRequest` or `Reply`.
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HaVip {
    pub id: String,
    pub account: String,
    pub region: String,
    pub vpc: String,
    pub subnet: String,
    pub ip: Ipv4Addr,
    pub name: String,
    pub description: String,
    pub status: HaVipStatus,
    /// Members in association order.
    pub members: Vec<Member>,
    /// The member that holds the VIP now.
    pub master: Option<String>,
    /// With a data plane, the ARP claim that made `master` the master.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_claim: Option<MasterClaim>,
    pub tags: BTreeMap<String, String>,
    pub eip: Option<String>,
    pub resource_group: String,
    pub pending: Option<PendingChange>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl HaVip {
    /// The kind of member the HaVip carries now, if any (the cloud's AssociatedInstanceType).
    pub fn member_kind(&self) -> Option<MemberKind> {
        self.members.first().map(|m| m.kind)
    }

    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// Members that carry the HaVip now (associated, or being disassociated), in order:
    /// what the clouds list as AssociatedInstances.
    pub fn carried_members(&self) -> impl Iterator<Item = &Member> {
        self.members
            .iter()
            .filter(|m| m.state != MemberState::Associating)
    }

    /// Members whose packets the fabric lets carry the VIP: associated ones and the one
    /// being associated (the fabric enforces a change before it is complete), not the
    /// one being disassociated.
    pub fn fabric_members(&self) -> impl Iterator<Item = &Member> {
        self.members
            .iter()
            .filter(|m| m.state != MemberState::Disassociating)
    }

    pub fn next_position(&self) -> i64 {
        self.members
            .iter()
            .map(|m| m.position + 1)
            .max()
            .unwrap_or(0)
    }

    /// The kind of member the HaVip carries now (associated, or being disassociated),
    /// if any: a member still being associated does not count yet.
    pub fn carried_kind(&self) -> Option<MemberKind> {
        self.carried_members().next().map(|m| m.kind)
    }

    /// The status the HaVip had before the association change in flight: Associating
    /// and Unassociating show as Available or InUse, as the members as they were (the
    /// carried ones) imply; every other status is itself. What a face whose profile shows
    /// no transient association status shows ([`crate::Profile::shown_status`]).
    pub fn settled_status(&self) -> HaVipStatus {
        match self.status {
            HaVipStatus::Associating | HaVipStatus::Unassociating => {
                match self.carried_members().next() {
                    Some(_) => HaVipStatus::InUse,
                    None => HaVipStatus::Available,
                }
            }
            other => other,
        }
    }

    /// The status that the members and the in-flight change imply.
    pub fn derived_status(&self) -> HaVipStatus {
        match self.pending.as_ref().map(|p| p.kind) {
            Some(PendingKind::Create) => HaVipStatus::Creating,
            Some(PendingKind::Associate) => HaVipStatus::Associating,
            Some(PendingKind::Disassociate) => HaVipStatus::Unassociating,
            Some(PendingKind::Delete) => HaVipStatus::Deleting,
            None if self.members.is_empty() => HaVipStatus::Available,
            None => HaVipStatus::InUse,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_machine_edges() {
        use HaVipStatus::*;
        assert!(Creating.may_become(Some(Available)));
        assert!(!Creating.may_become(Some(InUse)));
        assert!(Available.may_become(Some(Associating)));
        assert!(Associating.may_become(Some(InUse)));
        assert!(!Associating.may_become(Some(Available)));
        assert!(Unassociating.may_become(Some(Available)));
        assert!(Unassociating.may_become(Some(InUse)));
        assert!(!InUse.may_become(Some(Deleting)));
        assert!(Deleting.may_become(None));
        assert!(!InUse.may_become(None));
        for s in HaVipStatus::ALL {
            assert_eq!(HaVipStatus::parse(s.as_str()), Some(s));
        }
    }
}
