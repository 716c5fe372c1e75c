//! One test per rule of the operations, on the sample world.

use super::*;
use crate::model::InstanceStatus;
use crate::profile::TextRule;
use crate::world::{sample_world, World};

fn ecs(id: &str) -> Target {
    Target {
        kind: MemberKind::EcsInstance,
        id: id.into(),
    }
}

fn nic(id: &str) -> Target {
    Target {
        kind: MemberKind::NetworkInterface,
        id: id.into(),
    }
}

fn now() -> Timing {
    Timing::immediate(1000)
}

fn later(ms: i64) -> Timing {
    Timing {
        now: 1000,
        delay_ms: ms,
        change_id: "chg-1".into(),
        awaits_fabric: false,
    }
}

/// Two members per HaVip, five HaVips per instance, the master needs Force.
fn pair() -> Limits {
    Limits {
        instances_per_havip: 2,
        havips_per_instance: 5,
        havips_per_region: 50,
        master_needs_force: true,
        processing_is_error: false,
    }
}

/// Ten members per HaVip, no Force.
fn wide() -> Limits {
    Limits {
        instances_per_havip: 10,
        havips_per_instance: 5,
        havips_per_region: 20,
        master_needs_force: false,
        processing_is_error: true,
    }
}

/// A profile with `limits`; names of 1–128 characters and descriptions of 1–255, neither
/// a URL.
fn profile(limits: Limits) -> Profile {
    Profile {
        name: TextRule {
            no_url_prefix: true,
            ..TextRule::length(1, 128)
        },
        description: TextRule {
            no_url_prefix: true,
            ..TextRule::length(1, 255)
        },
        ..Profile::plain(limits)
    }
}

fn world_with_havip(subnet: &str) -> World {
    let mut w = sample_world();
    let req = CreateHaVip {
        subnet: subnet.into(),
        ip: Some(
            if subnet == "s1" {
                "192.168.1.100"
            } else {
                "192.168.2.100"
            }
            .into(),
        ),
        ..Default::default()
    };
    w.create_havip(&profile(pair()), &req, "havip-1".into(), 0, &now())
        .unwrap();
    w
}

#[test]
fn create_assigns_free_address_and_is_available() {
    let mut w = sample_world();
    let req = CreateHaVip {
        subnet: "s1".into(),
        ..Default::default()
    };
    let h = w
        .create_havip(&profile(pair()), &req, "havip-a".into(), 11, &now())
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Available);
    assert!(h.subnet == "s1" && h.vpc == "vpc1" && h.account == "acct");
    // .11 is taken by eni-i1: allocation moves on.
    assert_ne!(h.ip, Ipv4Addr::new(192, 168, 1, 11));
    assert!(h.members.is_empty() && h.master.is_none());
}

#[test]
fn create_async_is_creating_until_completed() {
    let mut w = sample_world();
    let req = CreateHaVip {
        subnet: "s1".into(),
        ..Default::default()
    };
    let h = w
        .create_havip(&profile(pair()), &req, "havip-a".into(), 0, &later(500))
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Creating);
    w.complete_due(1499);
    assert_eq!(w.havips["havip-a"].status, HaVipStatus::Creating);
    w.complete_due(1500);
    assert_eq!(w.havips["havip-a"].status, HaVipStatus::Available);
}

#[test]
fn create_refuses_bad_subnet_and_addresses() {
    let mut w = sample_world();
    let mut req = CreateHaVip {
        subnet: "nope".into(),
        ..Default::default()
    };
    let e = w.create_havip(&profile(pair()), &req, "h".into(), 0, &now());
    assert_eq!(e, Err(DomainError::SubnetNotFound("nope".into())));
    req.subnet = "s1".into();
    for (ip, want) in [
        (
            "10.0.0.5",
            DomainError::IpOutOfRange(Ipv4Addr::new(10, 0, 0, 5)),
        ),
        (
            "192.168.1.1",
            DomainError::IpReserved(Ipv4Addr::new(192, 168, 1, 1)),
        ),
        (
            "192.168.1.11",
            DomainError::IpInUse(Ipv4Addr::new(192, 168, 1, 11)),
        ),
        (
            "192.168.1.x",
            DomainError::IpMalformed("192.168.1.x".into()),
        ),
    ] {
        req.ip = Some(ip.into());
        assert_eq!(
            w.create_havip(&profile(pair()), &req, "h".into(), 0, &now()),
            Err(want)
        );
    }
    req.ip = None;
    req.name = Some("http://x".into());
    assert_eq!(
        w.create_havip(&profile(pair()), &req, "h".into(), 0, &now()),
        Err(DomainError::NameMalformed)
    );
    req.name = None;
    req.description = Some(String::new());
    assert_eq!(
        w.create_havip(&profile(pair()), &req, "h".into(), 0, &now()),
        Err(DomainError::DescriptionMalformed)
    );
}

#[test]
fn quota_check_refuses_at_the_limit_only() {
    let limits = Limits {
        havips_per_region: 3,
        ..pair()
    };
    assert_eq!(check_havip_quota(0, &limits), Ok(()));
    assert_eq!(check_havip_quota(2, &limits), Ok(()));
    for n in [3, 4, u64::MAX] {
        assert_eq!(
            check_havip_quota(n, &limits),
            Err(DomainError::HaVipQuotaExceeded { limit: 3 })
        );
    }
}

#[test]
fn create_refuses_past_the_quota_of_the_account_in_the_region() {
    let mut w = sample_world();
    let limits = Limits {
        havips_per_region: 2,
        ..pair()
    };
    let req = |subnet: &str| CreateHaVip {
        subnet: subnet.into(),
        ..Default::default()
    };
    // Both subnets are in one account and region: they share the quota.
    w.create_havip(&profile(limits), &req("s1"), "h1".into(), 0, &now())
        .unwrap();
    w.create_havip(&profile(limits), &req("s2"), "h2".into(), 0, &now())
        .unwrap();
    let before = w.clone();
    assert_eq!(
        w.create_havip(&profile(limits), &req("s1"), "h3".into(), 0, &now()),
        Err(DomainError::HaVipQuotaExceeded { limit: 2 })
    );
    assert_eq!(w, before, "a refused create changes nothing");
    // Existence comes before the quota; the quota before the address.
    assert_eq!(
        w.create_havip(&profile(limits), &req("nope"), "h3".into(), 0, &now()),
        Err(DomainError::SubnetNotFound("nope".into()))
    );
    let taken = CreateHaVip {
        ip: Some("192.168.1.11".into()),
        ..req("s1")
    };
    assert_eq!(
        w.create_havip(&profile(limits), &taken, "h3".into(), 0, &now()),
        Err(DomainError::HaVipQuotaExceeded { limit: 2 })
    );
    // A HaVip in Deleting still counts; once it is gone there is room again.
    w.delete("h1", &later(500)).unwrap();
    assert_eq!(
        w.create_havip(&profile(limits), &req("s1"), "h3".into(), 0, &now()),
        Err(DomainError::HaVipQuotaExceeded { limit: 2 })
    );
    w.complete_due(1500);
    w.create_havip(&profile(limits), &req("s1"), "h3".into(), 0, &now())
        .unwrap();
    assert_eq!(w.check_invariants(&limits), Ok(()));
}

#[test]
fn quota_counts_per_account_and_region() {
    let mut w = sample_world();
    let limits = Limits {
        havips_per_region: 1,
        ..pair()
    };
    let mut other = w.subnets["s2"].clone();
    other.id = "s-other-region".into();
    other.region = "r2".into();
    w.subnets.insert(other.id.clone(), other);
    let mut other = w.subnets["s2"].clone();
    other.id = "s-other-account".into();
    other.account = "acct2".into();
    w.subnets.insert(other.id.clone(), other);
    for (n, subnet) in ["s1", "s-other-region", "s-other-account"]
        .iter()
        .enumerate()
    {
        let req = CreateHaVip {
            subnet: (*subnet).into(),
            ..Default::default()
        };
        w.create_havip(&profile(limits), &req, format!("h{n}"), 0, &now())
            .unwrap();
    }
    assert_eq!(w.havips_in_region("acct", "r1"), 1);
    assert_eq!(w.check_invariants(&limits), Ok(()));
}

#[test]
fn create_refuses_address_of_another_havip() {
    let mut w = world_with_havip("s1");
    let req = CreateHaVip {
        subnet: "s1".into(),
        ip: Some("192.168.1.100".into()),
        ..Default::default()
    };
    assert_eq!(
        w.create_havip(&profile(pair()), &req, "h2".into(), 0, &now()),
        Err(DomainError::IpInUse(Ipv4Addr::new(192, 168, 1, 100)))
    );
}

#[test]
fn associate_first_member_becomes_master_and_in_use() {
    let mut w = world_with_havip("s1");
    let h = w.associate("havip-1", &ecs("i1"), &pair(), &now()).unwrap();
    assert_eq!(h.status, HaVipStatus::InUse);
    assert_eq!(h.master.as_deref(), Some("i1"));
    let h = w.associate("havip-1", &ecs("i2"), &pair(), &now()).unwrap();
    assert_eq!(h.master.as_deref(), Some("i1"));
    assert_eq!(h.member_kind(), Some(MemberKind::EcsInstance));
}

#[test]
fn associate_async_goes_through_associating() {
    let mut w = world_with_havip("s1");
    let h = w
        .associate("havip-1", &ecs("i1"), &pair(), &later(1000))
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Associating);
    assert_eq!(h.master, None);
    assert_eq!(h.carried_members().count(), 0);
    // A second change while one is in flight is refused.
    assert_eq!(
        w.associate("havip-1", &ecs("i2"), &pair(), &now()),
        Err(DomainError::HaVipStatus {
            status: HaVipStatus::Associating,
            action: Action::Associate
        })
    );
    w.complete_due(2000);
    let h = &w.havips["havip-1"];
    assert_eq!(h.status, HaVipStatus::InUse);
    assert_eq!(h.master.as_deref(), Some("i1"));
}

#[test]
fn a_change_that_awaits_the_fabric_outlives_any_timer() {
    let mut w = world_with_havip("s1");
    let fabric = Timing {
        awaits_fabric: true,
        ..later(0)
    };
    let h = w
        .associate("havip-1", &ecs("i1"), &pair(), &fabric)
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Associating);
    let pending = h.pending.clone().unwrap();
    assert!(pending.awaits_fabric && pending.timer().is_none());
    // The fabric already enforces the member being associated, not yet the one leaving.
    assert_eq!(
        h.fabric_members()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>(),
        ["i1"]
    );
    w.complete_due(i64::MAX);
    assert_eq!(w.havips["havip-1"].status, HaVipStatus::Associating);
    let done = complete_now(&w.havips["havip-1"], 5000).unwrap().unwrap();
    assert_eq!(done.status, HaVipStatus::InUse);
    assert!(done.pending.is_none());
    w.havips.insert("havip-1".into(), done);
    let h = w
        .disassociate("havip-1", &ecs("i1"), true, &pair(), &fabric)
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Unassociating);
    assert_eq!(h.fabric_members().count(), 0, "the fabric drops it first");
    assert_eq!(h.carried_members().count(), 1, "the clouds still list it");
}

#[test]
fn the_latest_claim_of_an_associated_member_makes_the_master() {
    let mut w = world_with_havip("s1");
    w.associate("havip-1", &ecs("i1"), &pair(), &now()).unwrap();
    w.associate("havip-1", &ecs("i2"), &pair(), &now()).unwrap();
    let h = w.havips["havip-1"].clone();
    assert_eq!(h.master.as_deref(), Some("i1"));
    let seen = |at: i64| MasterClaim {
        at,
        port: "p2".into(),
        mac: "00:16:3e:00:00:02".into(),
        kind: "GratuitousRequest".into(),
    };
    let ClaimOutcome::MasterChanged { from, next } = claim_master(&h, "i2", seen(5000)) else {
        panic!("an associated member's claim counts");
    };
    assert_eq!(from.as_deref(), Some("i1"));
    assert_eq!(next.master.as_deref(), Some("i2"));
    assert_eq!(next.master_claim, Some(seen(5000)));
    assert_eq!(
        claim_master(&next, "i2", seen(6000)),
        ClaimOutcome::Unchanged
    );
    assert_eq!(claim_master(&next, "i3", seen(6000)), ClaimOutcome::Ignored);
    // A claim of the old master seen before the one that moved it, arriving late, does
    // not move the master back; a newer one does.
    assert_eq!(claim_master(&next, "i1", seen(4999)), ClaimOutcome::Stale);
    assert!(matches!(
        claim_master(&next, "i1", seen(5001)),
        ClaimOutcome::MasterChanged { .. }
    ));
    // The master leaving clears the claim that made it.
    let left = disassociate(&next, "i2");
    assert_eq!(left.master.as_deref(), Some("i1"));
    assert_eq!(left.master_claim, None);
}

fn disassociate(h: &HaVip, member: &str) -> HaVip {
    let mut next = h.clone();
    next.members.retain(|m| m.id != member);
    settle(next)
}

#[test]
fn associate_order_of_existence_checks() {
    let mut w = world_with_havip("s1");
    assert_eq!(
        w.associate("havip-x", &ecs("i-x"), &pair(), &now()),
        Err(DomainError::HaVipNotFound("havip-x".into()))
    );
    assert_eq!(
        w.associate("havip-1", &ecs("i-x"), &pair(), &now()),
        Err(DomainError::InstanceNotFound("i-x".into()))
    );
    assert_eq!(
        w.associate("havip-1", &nic("eni-x"), &pair(), &now()),
        Err(DomainError::EniNotFound("eni-x".into()))
    );
    // An ENI id given as an ECS instance is not an instance.
    assert_eq!(
        w.associate("havip-1", &ecs("eni-i1"), &pair(), &now()),
        Err(DomainError::InstanceNotFound("eni-i1".into()))
    );
}

#[test]
fn associate_requires_running_or_stopped_instance() {
    let mut w = world_with_havip("s1");
    w.set_instance_status("i1", InstanceStatus::Pending);
    assert_eq!(
        w.associate("havip-1", &ecs("i1"), &pair(), &now()),
        Err(DomainError::InstanceStatus {
            status: InstanceStatus::Pending,
            via_eni: false
        })
    );
    assert_eq!(
        w.associate("havip-1", &nic("eni-i1"), &pair(), &now()),
        Err(DomainError::InstanceStatus {
            status: InstanceStatus::Pending,
            via_eni: true
        })
    );
    w.set_instance_status("i1", InstanceStatus::Stopped);
    assert!(w.associate("havip-1", &ecs("i1"), &pair(), &now()).is_ok());
}

#[test]
fn havip_status_is_checked_before_instance_status() {
    let mut w = world_with_havip("s1");
    w.associate("havip-1", &ecs("i1"), &pair(), &later(10))
        .unwrap();
    w.set_instance_status("i2", InstanceStatus::Stopping);
    assert!(matches!(
        w.associate("havip-1", &ecs("i2"), &pair(), &now()),
        Err(DomainError::HaVipStatus { .. })
    ));
}

#[test]
fn associate_relations() {
    let mut w = world_with_havip("s1");
    w.associate("havip-1", &ecs("i1"), &wide(), &now()).unwrap();
    assert_eq!(
        w.associate("havip-1", &ecs("i1"), &wide(), &now()),
        Err(DomainError::AlreadyAssociated)
    );
    assert_eq!(
        w.associate("havip-1", &nic("eni-i2"), &wide(), &now()),
        Err(DomainError::MixedTypes {
            carried: MemberKind::EcsInstance
        })
    );
    assert_eq!(
        w.associate("havip-1", &ecs("i9"), &wide(), &now()),
        Err(DomainError::DifferentSubnet)
    );
}

#[test]
fn associate_eni_relations() {
    let mut w = world_with_havip("s1");
    assert_eq!(
        w.associate("havip-1", &nic("eni-free"), &wide(), &now()),
        Err(DomainError::FreeEni)
    );
    assert_eq!(
        w.associate("havip-1", &nic("eni-svc"), &wide(), &now()),
        Err(DomainError::ServiceManagedEni)
    );
    w.associate("havip-1", &nic("eni-i1"), &wide(), &now())
        .unwrap();
    assert_eq!(
        w.associate("havip-1", &nic("eni-i1b"), &wide(), &now()),
        Err(DomainError::TwoEnisOfOneInstance)
    );
    assert_eq!(
        w.associate("havip-1", &ecs("i2"), &wide(), &now()),
        Err(DomainError::MixedTypes {
            carried: MemberKind::NetworkInterface
        })
    );
    assert_eq!(
        w.associate("havip-1", &nic("eni-i9"), &wide(), &now()),
        Err(DomainError::DifferentSubnet)
    );
}

#[test]
fn instances_per_havip_limit() {
    let mut w = world_with_havip("s1");
    w.associate("havip-1", &ecs("i1"), &pair(), &now()).unwrap();
    w.associate("havip-1", &ecs("i2"), &pair(), &now()).unwrap();
    assert_eq!(
        w.associate("havip-1", &ecs("i3"), &pair(), &now()),
        Err(DomainError::InstancesPerHaVipLimit { limit: 2 })
    );
    // A profile of ten allows it.
    assert!(w.associate("havip-1", &ecs("i3"), &wide(), &now()).is_ok());
}

#[test]
fn havips_per_instance_limit() {
    let mut w = sample_world();
    let limits = Limits {
        instances_per_havip: 10,
        havips_per_instance: 2,
        havips_per_region: 50,
        master_needs_force: false,
        processing_is_error: false,
    };
    for n in 0..3 {
        let req = CreateHaVip {
            subnet: "s1".into(),
            ..Default::default()
        };
        w.create_havip(&profile(pair()), &req, format!("h{n}"), n * 7, &now())
            .unwrap();
    }
    w.associate("h0", &ecs("i1"), &limits, &now()).unwrap();
    // An ENI of i1 counts for i1 as well.
    w.associate("h1", &nic("eni-i1b"), &limits, &now()).unwrap();
    assert_eq!(
        w.associate("h2", &ecs("i1"), &limits, &now()),
        Err(DomainError::HaVipsPerInstanceLimit { limit: 2 })
    );
    // A change in flight counts too.
    let mut w2 = sample_world();
    for n in 0..2 {
        let req = CreateHaVip {
            subnet: "s1".into(),
            ..Default::default()
        };
        w2.create_havip(&profile(pair()), &req, format!("h{n}"), n * 7, &now())
            .unwrap();
    }
    let one = Limits {
        havips_per_instance: 1,
        ..limits
    };
    w2.associate("h0", &ecs("i1"), &one, &later(100)).unwrap();
    assert_eq!(
        w2.associate("h1", &ecs("i1"), &one, &now()),
        Err(DomainError::HaVipsPerInstanceLimit { limit: 1 })
    );
}

#[test]
fn disassociate_rules() {
    let mut w = world_with_havip("s1");
    assert_eq!(
        w.disassociate("havip-1", &ecs("i1"), false, &pair(), &now()),
        Err(DomainError::HaVipStatus {
            status: HaVipStatus::Available,
            action: Action::Disassociate
        })
    );
    w.associate("havip-1", &ecs("i1"), &pair(), &now()).unwrap();
    w.associate("havip-1", &ecs("i2"), &pair(), &now()).unwrap();
    assert_eq!(
        w.disassociate("havip-1", &ecs("i3"), false, &pair(), &now()),
        Err(DomainError::NotAssociated)
    );
    assert_eq!(
        w.disassociate("havip-1", &ecs("i-x"), false, &pair(), &now()),
        Err(DomainError::InstanceNotFound("i-x".into()))
    );
    assert_eq!(
        w.disassociate("havip-1", &ecs("i1"), false, &pair(), &now()),
        Err(DomainError::UnassociateMaster)
    );
    w.set_instance_status("i2", InstanceStatus::Starting);
    assert!(matches!(
        w.disassociate("havip-1", &ecs("i2"), false, &pair(), &now()),
        Err(DomainError::InstanceStatus { .. })
    ));
    w.set_instance_status("i2", InstanceStatus::Running);
    let h = w
        .disassociate("havip-1", &ecs("i1"), true, &pair(), &now())
        .unwrap();
    assert_eq!(
        h.master.as_deref(),
        Some("i2"),
        "the next member becomes master"
    );
    let h = w
        .disassociate("havip-1", &ecs("i2"), true, &pair(), &now())
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Available);
    assert_eq!(h.master, None);
}

#[test]
fn without_force_rule_the_master_is_disassociated_plainly() {
    let mut w = world_with_havip("s1");
    w.associate("havip-1", &ecs("i1"), &wide(), &now()).unwrap();
    let h = w
        .disassociate("havip-1", &ecs("i1"), false, &wide(), &now())
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Available);
}

#[test]
fn disassociate_async_goes_through_unassociating() {
    let mut w = world_with_havip("s1");
    w.associate("havip-1", &ecs("i1"), &pair(), &now()).unwrap();
    w.associate("havip-1", &ecs("i2"), &pair(), &now()).unwrap();
    let h = w
        .disassociate("havip-1", &ecs("i1"), true, &pair(), &later(50))
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Unassociating);
    assert_eq!(h.master.as_deref(), Some("i1"), "still carried until done");
    assert!(matches!(
        w.delete("havip-1", &now()),
        Err(DomainError::HaVipStatus { .. })
    ));
    w.complete_due(1050);
    let h = &w.havips["havip-1"];
    assert_eq!(h.status, HaVipStatus::InUse);
    assert_eq!(h.master.as_deref(), Some("i2"));
}

#[test]
fn delete_rules() {
    let mut w = world_with_havip("s1");
    w.associate("havip-1", &ecs("i1"), &pair(), &now()).unwrap();
    assert_eq!(
        w.delete("havip-1", &now()),
        Err(DomainError::HaVipStatus {
            status: HaVipStatus::InUse,
            action: Action::Delete
        })
    );
    w.disassociate("havip-1", &ecs("i1"), true, &pair(), &now())
        .unwrap();
    if let Some(h) = w.havips.get_mut("havip-1") {
        h.eip = Some("47.0.0.1".into());
    }
    assert_eq!(w.delete("havip-1", &now()), Err(DomainError::EipBound));
    if let Some(h) = w.havips.get_mut("havip-1") {
        h.eip = None;
    }
    w.delete("havip-1", &later(10)).unwrap();
    assert_eq!(w.havips["havip-1"].status, HaVipStatus::Deleting);
    w.complete_due(1010);
    assert!(!w.havips.contains_key("havip-1"));
    assert_eq!(
        w.delete("havip-1", &now()),
        Err(DomainError::HaVipNotFound("havip-1".into()))
    );
}

#[test]
fn modify_and_tags() {
    let w = world_with_havip("s1");
    let h = &w.havips["havip-1"];
    let m = modify(
        &profile(pair()),
        "havip-1",
        Some(h),
        Some("n"),
        Some("d"),
        5,
    )
    .unwrap();
    assert_eq!((m.name.as_str(), m.description.as_str()), ("n", "d"));
    assert_eq!(
        modify(&profile(pair()), "havip-1", Some(h), Some(""), None, 5),
        Err(DomainError::NameMalformed)
    );
    let mut tags = BTreeMap::new();
    for i in 0..20 {
        tags.insert(format!("k{i}"), String::new());
    }
    let t = tag(h, &tags, 5).unwrap();
    let more = BTreeMap::from([("extra".to_string(), String::new())]);
    assert_eq!(
        tag(&t, &more, 5),
        Err(DomainError::TooManyTags { limit: 20 })
    );
    let replaced = BTreeMap::from([("k1".to_string(), "v".to_string())]);
    assert_eq!(tag(&t, &replaced, 5).unwrap().tags["k1"], "v");
    assert_eq!(untag(&t, &["k1".into()], false, 5).tags.len(), 19);
    assert!(untag(&t, &[], true, 5).tags.is_empty());
}

#[test]
fn failover_moves_master_among_associated() {
    let mut w = world_with_havip("s1");
    assert!(matches!(
        w.failover("havip-1", None, 1),
        Err(DomainError::HaVipStatus { .. })
    ));
    w.associate("havip-1", &ecs("i1"), &wide(), &now()).unwrap();
    w.associate("havip-1", &ecs("i2"), &wide(), &now()).unwrap();
    w.associate("havip-1", &ecs("i3"), &wide(), &now()).unwrap();
    assert_eq!(
        w.failover("havip-1", None, 1).unwrap().master.as_deref(),
        Some("i2")
    );
    assert_eq!(
        w.failover("havip-1", Some("i1"), 1)
            .unwrap()
            .master
            .as_deref(),
        Some("i1")
    );
    assert_eq!(
        w.failover("havip-1", Some("i9"), 1),
        Err(DomainError::NotAssociated)
    );
    // Disassociating a non-master keeps the master.
    let h = w
        .disassociate("havip-1", &ecs("i2"), false, &wide(), &now())
        .unwrap();
    assert_eq!(h.master.as_deref(), Some("i1"));
}

#[test]
fn eni_attach_and_detach() {
    let w = sample_world();
    let free = &w.enis["eni-free"];
    let i2 = &w.instances["i2"];
    let attached = attach_eni(free, i2, "vpc1", "vpc1").unwrap();
    assert_eq!(attached.instance.as_deref(), Some("i2"));
    assert_eq!(
        attach_eni(&attached, i2, "vpc1", "vpc1"),
        Err(DomainError::EniAttached)
    );
    assert!(attach_eni(free, i2, "vpc1", "vpc2").is_err());
    let primary = &w.enis["eni-i2"];
    assert_eq!(
        detach_eni(primary, Some(i2), 0),
        Err(DomainError::EniIsPrimary)
    );
    let second = &w.enis["eni-i1b"];
    assert_eq!(
        detach_eni(second, Some(&w.instances["i1"]), 1),
        Err(DomainError::EniCarriesHaVip)
    );
    assert_eq!(detach_eni(free, None, 0), Err(DomainError::FreeEni));
    assert!(detach_eni(second, Some(&w.instances["i1"]), 0)
        .unwrap()
        .instance
        .is_none());
}

#[test]
fn invariants_hold_on_sample() {
    let mut w = world_with_havip("s1");
    w.associate("havip-1", &ecs("i1"), &pair(), &now()).unwrap();
    assert_eq!(w.check_invariants(&pair()), Ok(()));
}

#[test]
fn settled_status_is_the_status_before_the_change_in_flight() {
    let mut w = world_with_havip("s1");
    // Available → Associating: settled Available, nothing carried yet.
    let h = w
        .associate("havip-1", &ecs("i1"), &wide(), &later(50))
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Associating);
    assert_eq!(h.settled_status(), HaVipStatus::Available);
    assert_eq!(h.carried_kind(), None);
    assert_eq!(h.carried_members().count(), 0);
    w.complete_due(2000);
    let h = &w.havips["havip-1"];
    assert_eq!(h.settled_status(), HaVipStatus::InUse);
    // InUse → Associating a second member: settled InUse, only the first member carried.
    let h = w
        .associate("havip-1", &ecs("i2"), &wide(), &later(50))
        .unwrap();
    assert_eq!(h.settled_status(), HaVipStatus::InUse);
    let carried: Vec<_> = h.carried_members().map(|m| m.id.as_str()).collect();
    assert_eq!(carried, ["i1"]);
    w.complete_due(2000);
    // InUse → Unassociating the last-but-one and then the last member: settled InUse,
    // the leaving member still carried.
    w.disassociate("havip-1", &ecs("i2"), false, &wide(), &now())
        .unwrap();
    let h = w
        .disassociate("havip-1", &ecs("i1"), false, &wide(), &later(50))
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Unassociating);
    assert_eq!(h.settled_status(), HaVipStatus::InUse);
    assert_eq!(h.carried_kind(), Some(MemberKind::EcsInstance));
    w.complete_due(2000);
    assert_eq!(w.havips["havip-1"].settled_status(), HaVipStatus::Available);
    // Every other status is itself.
    for s in [
        HaVipStatus::Creating,
        HaVipStatus::Available,
        HaVipStatus::InUse,
        HaVipStatus::Deleting,
    ] {
        let mut h = w.havips["havip-1"].clone();
        h.status = s;
        assert_eq!(h.settled_status(), s);
    }
}
