//! The master learned from ARP, as a property: whatever claims arrive, in any order, from
//! members in any state or from strangers, the master is an associated member or none,
//! only an associated member's claim moves it, and the latest such claim wins.

use havip_core::ops::{claim_master, settle, ClaimOutcome};
use havip_core::{HaVip, HaVipStatus, MasterClaim, Member, MemberKind, MemberState};
use proptest::prelude::*;

const IDS: [&str; 5] = ["i-1", "i-2", "i-3", "i-4", "i-5"];

fn state() -> impl Strategy<Value = Option<MemberState>> {
    prop_oneof![
        Just(None),
        Just(Some(MemberState::Associating)),
        Just(Some(MemberState::Associated)),
        Just(Some(MemberState::Disassociating)),
    ]
}

/// A HaVip whose members are some of `IDS` in some states (the others are strangers).
fn havip() -> impl Strategy<Value = HaVip> {
    proptest::collection::vec(state(), IDS.len()).prop_map(|states| {
        let members = IDS
            .iter()
            .zip(states)
            .enumerate()
            .filter_map(|(n, (id, st))| {
                st.map(|state| Member {
                    id: id.to_string(),
                    kind: MemberKind::EcsInstance,
                    instance: id.to_string(),
                    state,
                    position: i64::try_from(n).unwrap_or(0),
                })
            })
            .collect();
        settle(HaVip {
            id: "havip-p".into(),
            account: "a".into(),
            region: "r".into(),
            vpc: "v".into(),
            subnet: "s".into(),
            ip: "10.0.0.100"
                .parse()
                .unwrap_or(std::net::Ipv4Addr::LOCALHOST),
            name: String::new(),
            description: String::new(),
            status: HaVipStatus::Available,
            members,
            master: None,
            master_claim: None,
            tags: Default::default(),
            eip: None,
            resource_group: String::new(),
            pending: None,
            created_at: 0,
            updated_at: 0,
        })
    })
}

fn associated(h: &HaVip, id: &str) -> bool {
    h.members
        .iter()
        .any(|m| m.id == id && m.state == MemberState::Associated)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_latest_claim_of_an_associated_member_wins(
        start in havip(),
        claims in proptest::collection::vec(0..IDS.len(), 0..40),
    ) {
        let mut h = start;
        let mut last_counted: Option<&str> = None;
        for (n, who) in claims.into_iter().enumerate() {
            let id = IDS[who];
            let at = 1_000 + i64::try_from(n).unwrap_or(0);
            let claim = MasterClaim {
                at,
                port: format!("p-{id}"),
                mac: format!("mac-{id}"),
                kind: "GratuitousRequest".into(),
            };
            let before = h.clone();
            match claim_master(&h, id, claim.clone()) {
                ClaimOutcome::Ignored => {
                    prop_assert!(!associated(&h, id), "an associated member's claim counts");
                }
                ClaimOutcome::Stale => {
                    prop_assert!(false, "claims in time order are never stale");
                }
                ClaimOutcome::Unchanged => {
                    prop_assert_eq!(h.master.as_deref(), Some(id));
                    prop_assert!(h.master_claim.is_some());
                    last_counted = Some(id);
                }
                ClaimOutcome::Confirmed { next } => {
                    prop_assert_eq!(before.master.as_deref(), Some(id));
                    prop_assert!(before.master_claim.is_none());
                    prop_assert_eq!(next.master_claim.as_ref(), Some(&claim));
                    h = *next;
                    last_counted = Some(id);
                }
                ClaimOutcome::MasterChanged { from, next } => {
                    prop_assert!(associated(&before, id));
                    prop_assert_eq!(from, before.master.clone());
                    prop_assert_ne!(before.master.as_deref(), Some(id));
                    prop_assert_eq!(next.master.as_deref(), Some(id));
                    prop_assert_eq!(next.master_claim.as_ref(), Some(&claim));
                    // Nothing but the master, its claim and the time changes.
                    let mut same = (*next).clone();
                    same.master = before.master.clone();
                    same.master_claim = before.master_claim.clone();
                    same.updated_at = before.updated_at;
                    prop_assert_eq!(&same, &before);
                    h = *next;
                    last_counted = Some(id);
                }
            }
            // The master is always an associated member, or none.
            if let Some(m) = h.master.as_deref() {
                prop_assert!(associated(&h, m), "master {m} is not associated");
            }
            prop_assert!(h.master_claim.is_none() || h.master.is_some());
        }
        if let Some(id) = last_counted {
            prop_assert_eq!(h.master.as_deref(), Some(id), "the latest counted claim wins");
        }
    }
}
