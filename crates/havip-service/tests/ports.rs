//! The port operations of the Huawei face over the real stores (SQLite, and PostgreSQL
//! when `HAVIP_TEST_DATABASE_URL` is set): bind creates the VIP in the same transaction
//! (and nothing is left when the bind fails), unbind takes every VIP the NIC shows, VIP
//! ports are created, updated and deleted, and the snapshot sees what the other faces do.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use havip_core::ops::CreateHaVip;
use havip_core::{DomainError, HaVipStatus, InstanceStatus, MemberKind, Profile, Target};
use havip_service::ports::{AddressPair, NewVipPort, PortDeletion};
use havip_service::{Caller, ManualClock, SeededIds, Service, ServiceConfig, ServiceError};

mod backend;
use backend::Backend;

const ACCOUNT: &str = "1000000000000001";
const NET1: &str = "20000000-0000-4000-8000-000000000001";
const NET2: &str = "20000000-0000-4000-8000-000000000002";
const SRV1: &str = "30000000-0000-4000-8000-000000000001";
const SRV2: &str = "30000000-0000-4000-8000-000000000002";
const NIC1: &str = "40000000-0000-4000-8000-000000000001";
const NIC2: &str = "40000000-0000-4000-8000-000000000002";

async fn seeded(dir: &Backend, delay: Duration) -> (Service, Arc<ManualClock>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml");
    let seed = havip_seed::load_seed(&path).expect("example seed");
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let config = ServiceConfig {
        transition_delay: delay,
        ..ServiceConfig::default()
    };
    let s = Service::new(
        dir.open().await,
        config,
        clock.clone(),
        Arc::new(SeededIds::new(1)),
    );
    s.load_seed(&seed).await.expect("seed");
    (s, clock)
}

fn huawei() -> Caller {
    Caller::tenant(
        backend::profiles::arc(backend::profiles::ports()),
        ACCOUNT,
        "cn-north-4",
    )
}

fn domain(e: ServiceError) -> DomainError {
    match e {
        ServiceError::Domain(d) => d,
        other => panic!("expected a domain error, got {other:?}"),
    }
}

fn ip(s: &str) -> std::net::Ipv4Addr {
    s.parse().expect("ip")
}

async fn vip_count(s: &Service) -> usize {
    s.port_snapshot(&huawei())
        .await
        .expect("snapshot")
        .havips
        .len()
}

async fn bind_creates_the_vip_and_a_failed_bind_leaves_nothing(b: Backend) {
    let (s, _) = seeded(&b, Duration::ZERO).await;
    let c = huawei();
    s.set_instance_status(SRV2, InstanceStatus::Pending)
        .await
        .unwrap();
    let e = s
        .bind_vip_to_nic(&c, NIC2, NET1, ip("192.168.1.100"), false)
        .await
        .unwrap_err();
    assert!(matches!(domain(e), DomainError::InstanceStatus { .. }));
    let e = s
        .bind_vip_to_nic(&c, NIC1, NET2, ip("192.168.2.100"), false)
        .await
        .unwrap_err();
    assert_eq!(domain(e), DomainError::DifferentSubnet);
    assert_eq!(vip_count(&s).await, 0, "a failed bind creates no VIP");

    let vip = s
        .bind_vip_to_nic(&c, NIC1, NET1, ip("192.168.1.100"), true)
        .await
        .unwrap();
    assert_eq!(vip.id.len(), 36);
    assert_eq!(vip.status, HaVipStatus::InUse);
    assert_eq!(vip.members[0].id, NIC1);
    assert_eq!(vip.members[0].kind, MemberKind::NetworkInterface);
    let snap = s.port_snapshot(&c).await.unwrap();
    let pairs = &snap.attrs[&vip.id].allowed_address_pairs;
    assert_eq!(pairs[0].ip_address, "192.168.1.11");
    // Again: nothing changes.
    let again = s
        .bind_vip_to_nic(&c, NIC1, NET1, ip("192.168.1.100"), true)
        .await
        .unwrap();
    assert_eq!(again.members.len(), 1);
    assert_eq!(
        s.port_snapshot(&c).await.unwrap().attrs[&vip.id]
            .allowed_address_pairs
            .len(),
        1
    );

    assert_eq!(
        s.unbind_vips_from_nic(&c, NIC1).await.unwrap(),
        vec![vip.id.clone()]
    );
    let after = s.get_havip(&c, &vip.id).await.unwrap();
    assert_eq!(after.status, HaVipStatus::Available);
    assert!(s.port_snapshot(&c).await.unwrap().attrs[&vip.id]
        .allowed_address_pairs
        .is_empty());
    let e = s.unbind_vips_from_nic(&c, "no-such-nic").await.unwrap_err();
    assert_eq!(domain(e), DomainError::EniNotFound("no-such-nic".into()));
}

async fn unbind_of_a_primary_nic_takes_vips_bound_to_its_server(b: Backend) {
    let (s, _) = seeded(&b, Duration::ZERO).await;
    let other_face = Caller::tenant(
        backend::profiles::arc(backend::profiles::pair()),
        ACCOUNT,
        "cn-north-4",
    );
    let req = CreateHaVip {
        subnet: NET1.into(),
        ..Default::default()
    };
    let vip = s.create_havip(&other_face, &req, None).await.unwrap();
    let server = Target {
        kind: MemberKind::EcsInstance,
        id: SRV1.into(),
    };
    s.associate(&other_face, &vip.id, &server, None)
        .await
        .unwrap();
    assert_eq!(
        s.unbind_vips_from_nic(&huawei(), NIC1).await.unwrap(),
        vec![vip.id.clone()]
    );
    assert_eq!(
        s.get_havip(&huawei(), &vip.id).await.unwrap().status,
        HaVipStatus::Available
    );
}

async fn vip_port_create_update_delete(b: Backend) {
    let (s, _) = seeded(&b, Duration::ZERO).await;
    let c = huawei();
    let new = NewVipPort {
        id: "11111111-2222-4333-8444-555555555555".into(),
        havip: CreateHaVip {
            subnet: NET1.into(),
            ip: Some("192.168.1.11".into()),
            ..Default::default()
        },
        allowed_address_pairs: vec![],
    };
    assert_eq!(
        domain(s.create_vip_port(&c, &new).await.unwrap_err()),
        DomainError::IpInUse(ip("192.168.1.11"))
    );
    let new = NewVipPort {
        havip: CreateHaVip {
            ip: None,
            name: Some("vip".into()),
            ..new.havip
        },
        ..new
    };
    let vip = s.create_vip_port(&c, &new).await.unwrap();
    assert_eq!(
        (vip.id.as_str(), vip.status),
        (new.id.as_str(), HaVipStatus::Available)
    );

    let pairs = [AddressPair {
        ip_address: "192.168.1.11".into(),
        mac_address: None,
    }];
    assert!(s
        .update_port(&c, &vip.id, Some("renamed"), Some(&pairs))
        .await
        .unwrap());
    assert_eq!(s.get_havip(&c, &vip.id).await.unwrap().name, "renamed");
    assert!(s.update_port(&c, NIC1, Some("eth0"), None).await.unwrap());
    let snap = s.port_snapshot(&c).await.unwrap();
    assert_eq!(snap.attrs[NIC1].name.as_deref(), Some("eth0"));
    assert_eq!(snap.attrs[&vip.id].allowed_address_pairs, pairs);
    assert!(!s.update_port(&c, "nope", Some("x"), None).await.unwrap());

    s.bind_vip_to_nic(&c, NIC1, NET1, vip.ip, false)
        .await
        .unwrap();
    let e = s.delete_port(&c, &vip.id).await.unwrap_err();
    assert!(matches!(
        domain(e),
        DomainError::HaVipStatus {
            status: HaVipStatus::InUse,
            ..
        }
    ));
    assert_eq!(
        s.delete_port(&c, NIC1).await.unwrap(),
        PortDeletion::NicPort { attached: true }
    );
    assert_eq!(
        s.delete_port(&c, "nope").await.unwrap(),
        PortDeletion::NotFound
    );
    s.unbind_vips_from_nic(&c, NIC1).await.unwrap();
    assert_eq!(
        s.delete_port(&c, &vip.id).await.unwrap(),
        PortDeletion::Deleted
    );
    assert_eq!(vip_count(&s).await, 0);
    assert!(!s
        .port_snapshot(&c)
        .await
        .unwrap()
        .attrs
        .contains_key(&vip.id));
}

async fn binds_in_flight_complete_with_the_worker(b: Backend) {
    let (s, clock) = seeded(&b, Duration::from_secs(2)).await;
    let c = huawei();
    let vip = s
        .bind_vip_to_nic(&c, NIC1, NET1, ip("192.168.1.100"), false)
        .await
        .unwrap();
    assert_eq!(vip.status, HaVipStatus::Associating);
    let e = s
        .bind_vip_to_nic(&c, NIC2, NET1, ip("192.168.1.100"), false)
        .await
        .unwrap_err();
    assert!(matches!(domain(e), DomainError::HaVipStatus { .. }));
    clock.advance(2_000);
    s.complete_due_changes(10).await.unwrap();
    assert_eq!(
        s.get_havip(&c, &vip.id).await.unwrap().status,
        HaVipStatus::InUse
    );
}

/// VIP ports count against the Huawei quota, whichever call creates them: a port create
/// and a bind that would create the VIP are refused past it (and leave nothing), while a
/// bind to a VIP that exists needs no quota.
async fn vip_ports_count_against_the_quota(b: Backend) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml");
    let seed = havip_seed::load_seed(&path).expect("example seed");
    let config = ServiceConfig::default();
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let s = Service::new(b.open().await, config, clock, Arc::new(SeededIds::new(1)));
    s.load_seed(&seed).await.expect("seed");
    let c = Caller::tenant(
        backend::profiles::arc(Profile {
            limits: havip_core::Limits {
                havips_per_region: 2,
                ..backend::profiles::ports().limits
            },
            ..backend::profiles::ports()
        }),
        ACCOUNT,
        "cn-north-4",
    );
    let port = |n: u8| NewVipPort {
        id: format!("11111111-2222-4333-8444-55555555555{n}"),
        havip: CreateHaVip {
            subnet: NET1.into(),
            ..Default::default()
        },
        allowed_address_pairs: vec![],
    };
    let first = s.create_vip_port(&c, &port(1)).await.unwrap();
    s.create_vip_port(&c, &port(2)).await.unwrap();
    assert_eq!(
        domain(s.create_vip_port(&c, &port(3)).await.unwrap_err()),
        DomainError::HaVipQuotaExceeded { limit: 2 }
    );
    // An address of NET1 that no port holds (allocation is not predictable).
    let snap = s.port_snapshot(&c).await.unwrap();
    let free = (200u8..250)
        .map(|h| std::net::Ipv4Addr::new(192, 168, 1, h))
        .find(|a| !snap.havips.iter().any(|h| h.ip == *a) && !snap.enis.iter().any(|e| e.ip == *a))
        .expect("a free address");
    let e = s
        .bind_vip_to_nic(&c, NIC1, NET1, free, false)
        .await
        .unwrap_err();
    assert_eq!(domain(e), DomainError::HaVipQuotaExceeded { limit: 2 });
    assert_eq!(vip_count(&s).await, 2, "a refused bind creates no VIP");
    let bound = s
        .bind_vip_to_nic(&c, NIC1, NET1, first.ip, false)
        .await
        .unwrap();
    assert_eq!(bound.id, first.id);
    // Through another face the same account and region has that cloud's quota.
    let aliyun = Caller::tenant(
        backend::profiles::arc(backend::profiles::pair()),
        ACCOUNT,
        "cn-north-4",
    );
    let req = CreateHaVip {
        subnet: NET1.into(),
        ..Default::default()
    };
    s.create_havip(&aliyun, &req, None).await.unwrap();
    assert_eq!(vip_count(&s).await, 3);
}

/// Neutron deletes a port at once: whatever the transition delay, a deleted VIP port is
/// gone from the store and from every listing when the call returns.
async fn vip_ports_are_deleted_at_once_whatever_the_delay(b: Backend) {
    let (s, _) = seeded(&b, Duration::from_secs(3600)).await;
    let c = huawei();
    let new = NewVipPort {
        id: "11111111-2222-4333-8444-666666666666".into(),
        havip: CreateHaVip {
            subnet: NET1.into(),
            ..Default::default()
        },
        allowed_address_pairs: vec![AddressPair {
            ip_address: "192.168.1.11".into(),
            mac_address: None,
        }],
    };
    let vip = s.create_vip_port(&c, &new).await.unwrap();
    assert_eq!(vip.status, HaVipStatus::Available);
    assert_eq!(
        s.delete_port(&c, &vip.id).await.unwrap(),
        PortDeletion::Deleted
    );
    assert!(matches!(
        domain(s.get_havip(&c, &vip.id).await.unwrap_err()),
        DomainError::HaVipNotFound(_)
    ));
    let snap = s.port_snapshot(&c).await.unwrap();
    assert!(snap.havips.iter().all(|h| h.id != vip.id));
    assert!(!snap.attrs.contains_key(&vip.id));
    assert_eq!(
        s.delete_port(&c, &vip.id).await.unwrap(),
        PortDeletion::NotFound
    );
}

/// Port attributes of many ports are read in a few queries, all of them whatever their
/// number (the store reads them in chunks).
async fn port_attributes_of_many_ports_are_read_together(b: Backend) {
    use havip_service::ports::PortAttrs;
    let store = b.open().await;
    let ids: Vec<String> = (0..1_100).map(|n| format!("port-{n:04}")).collect();
    let mut tx = store.write().await.unwrap();
    for (n, id) in ids.iter().enumerate().filter(|(n, _)| n % 3 != 0) {
        let attrs = PortAttrs {
            name: Some(format!("p{n}")),
            allowed_address_pairs: vec![],
        };
        tx.put_port_attrs(id, &attrs).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let found = tx.ports_attrs(&ids).await.unwrap();
    assert_eq!(found.len(), 733);
    assert_eq!(found["port-1099"].name.as_deref(), Some("p1099"));
    assert!(!found.contains_key("port-0999"));
    assert!(tx.ports_attrs(&[]).await.unwrap().is_empty());
}

backend::on_every_store!(
    port_attributes_of_many_ports_are_read_together,
    vip_ports_count_against_the_quota,
    vip_ports_are_deleted_at_once_whatever_the_delay,
    bind_creates_the_vip_and_a_failed_bind_leaves_nothing,
    unbind_of_a_primary_nic_takes_vips_bound_to_its_server,
    vip_port_create_update_delete,
    binds_in_flight_complete_with_the_worker,
);
