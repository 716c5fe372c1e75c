//! The service over the real stores, SQLite and PostgreSQL (each test runs on both; the
//! PostgreSQL runs need `HAVIP_TEST_DATABASE_URL` and are skipped with a printed reason
//! without it): seed loading, the rules through transactions, concurrency (limits hold
//! under racing requests), idempotency, and changes in flight that survive a restart.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use havip_core::ops::CreateHaVip;
use havip_core::{DomainError, HaVipStatus, MemberKind, Target};
use havip_service::{
    Caller, ManualClock, NewInstance, SeededIds, Service, ServiceConfig, ServiceError,
};
use havip_store::HaVipQuery;

mod backend;
use backend::Backend;

const ACCOUNT: &str = "1000000000000001";
const SUBNET: &str = "vsw-uf6demo0001";

fn seed() -> havip_seed::Seed {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml");
    havip_seed::load_seed(&path).expect("example seed")
}

async fn service_in(dir: &Backend, delay: Duration, clock: Arc<ManualClock>) -> Service {
    let store = dir.open().await;
    let config = ServiceConfig {
        transition_delay: delay,
        ..ServiceConfig::default()
    };
    Service::new(store, config, clock, Arc::new(SeededIds::new(1)))
}

async fn seeded(dir: &Backend, delay: Duration) -> (Service, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let s = service_in(dir, delay, clock.clone()).await;
    s.load_seed(&seed()).await.expect("seed");
    (s, clock)
}

fn aliyun() -> Caller {
    Caller::tenant(
        backend::profiles::arc(backend::profiles::pair()),
        ACCOUNT,
        "cn-shanghai",
    )
}

fn volc_shanghai() -> Caller {
    Caller::tenant(
        backend::profiles::arc(backend::profiles::wide()),
        ACCOUNT,
        "cn-shanghai",
    )
}

fn ecs(id: &str) -> Target {
    Target {
        kind: MemberKind::EcsInstance,
        id: id.into(),
    }
}

fn domain(e: ServiceError) -> DomainError {
    match e {
        ServiceError::Domain(d) => d,
        other => panic!("expected a domain error, got {other:?}"),
    }
}

async fn new_havip(s: &Service, caller: &Caller) -> String {
    let req = CreateHaVip {
        subnet: SUBNET.into(),
        ..Default::default()
    };
    s.create_havip(caller, &req, None).await.expect("create").id
}

async fn seed_loads_once(dir: Backend) {
    let (s, _) = seeded(&dir, Duration::ZERO).await;
    let again = s.load_seed(&seed()).await.unwrap();
    assert_eq!(again.created, 0, "a second load creates nothing");
    assert!(again.existing > 0);
    let h = s.get_havip(&aliyun(), "havip-uf6demo0001").await.unwrap();
    assert_eq!(h.status, HaVipStatus::Available);
    assert_eq!(h.ip.to_string(), "192.168.1.100");
}

/// The loader gives every ENI and HaVip the address that `Seed::initial_addresses(0)`
/// computes without a store (what `havip lab` builds), including allocated ones, and every
/// ENI the MAC the lab gives its interface.
async fn seed_addresses_are_the_computed_ones(dir: Backend) {
    let mut seed = seed();
    let extra = havip_seed::parse_seed(
        r#"
[[account]]
id = "1000000000000009"
[[vpc]]
id = "vpc-alloc"
account = "1000000000000009"
region = "cn-shanghai"
cidr = "10.9.0.0/16"
[[subnet]]
id = "vsw-alloc"
vpc = "vpc-alloc"
zone = "cn-shanghai-b"
cidr = "10.9.1.0/28"
[[instance]]
id = "i-alloc1"
subnet = "vsw-alloc"
status = "Running"
[[instance]]
id = "i-alloc2"
subnet = "vsw-alloc"
status = "Running"
primary_eni = "eni-alloc2"
[[eni]]
id = "eni-alloc3"
subnet = "vsw-alloc"
instance = "i-alloc1"
[[eni]]
id = "eni-alloc4"
subnet = "vsw-alloc"
ip = "10.9.1.3"
[[havip]]
id = "havip-alloc1"
subnet = "vsw-alloc"
"#,
    )
    .expect("extra seed");
    seed.accounts.extend(extra.accounts);
    seed.vpcs.extend(extra.vpcs);
    seed.subnets.extend(extra.subnets);
    seed.instances.extend(extra.instances);
    seed.enis.extend(extra.enis);
    seed.havips.extend(extra.havips);
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let s = service_in(&dir, Duration::ZERO, clock).await;
    s.load_seed(&seed).await.expect("seed");
    let planned = seed.initial_addresses(0).expect("addresses");
    assert!(planned.enis.iter().any(|e| e.id.is_none()));
    for e in &planned.enis {
        let id = match &e.id {
            Some(id) => id.clone(),
            None => {
                let owner = e.instance.as_deref().expect("implicit ENIs are attached");
                s.instance(owner).await.expect("instance").primary_eni
            }
        };
        let eni = s.eni(&id).await.expect("eni");
        assert_eq!(eni.ip, e.ip, "ENI {id}");
        assert_eq!(eni.subnet, e.subnet, "ENI {id}");
        // The MAC the lab gives the interface: the seed's, or derived from the same key.
        let key = havip_core::ip::eni_mac_key(e.id.as_deref(), e.instance.as_deref().unwrap_or(""));
        let mac = e
            .mac
            .clone()
            .unwrap_or_else(|| havip_core::ip::derived_mac(&key));
        assert_eq!(
            eni.mac.to_ascii_lowercase(),
            mac.to_ascii_lowercase(),
            "ENI {id}"
        );
    }
    let allocated = planned
        .havips
        .iter()
        .find(|h| h.id == "havip-alloc1")
        .expect("planned havip");
    let caller = Caller::tenant(
        backend::profiles::arc(backend::profiles::pair()),
        "1000000000000009",
        "cn-shanghai",
    );
    let h = s.get_havip(&caller, "havip-alloc1").await.expect("havip");
    assert_eq!(h.ip, allocated.ip);
}

async fn rules_hold_through_the_store(dir: Backend) {
    let (s, _) = seeded(&dir, Duration::ZERO).await;
    let c = aliyun();
    let id = new_havip(&s, &c).await;
    s.associate(&c, &id, &ecs("i-uf6demo0001"), None)
        .await
        .unwrap();
    s.associate(&c, &id, &ecs("i-uf6demo0002"), None)
        .await
        .unwrap();
    let e = s
        .associate(&c, &id, &ecs("i-uf6demo0003"), None)
        .await
        .unwrap_err();
    assert_eq!(domain(e), DomainError::InstancesPerHaVipLimit { limit: 2 });
    // Relations are checked before limits.
    let e = s
        .associate(&c, &id, &ecs("i-uf6demo0005"), None)
        .await
        .unwrap_err();
    assert_eq!(domain(e), DomainError::DifferentSubnet);
    let h = s.get_havip(&c, &id).await.unwrap();
    assert_eq!(h.status, HaVipStatus::InUse);
    assert_eq!(h.master.as_deref(), Some("i-uf6demo0001"));
    let e = s
        .disassociate(&c, &id, &ecs("i-uf6demo0001"), false, None)
        .await
        .unwrap_err();
    assert_eq!(domain(e), DomainError::UnassociateMaster);
    let h = s
        .disassociate(&c, &id, &ecs("i-uf6demo0001"), true, None)
        .await
        .unwrap();
    assert_eq!(h.master.as_deref(), Some("i-uf6demo0002"));
}

async fn other_accounts_and_regions_do_not_see_it(dir: Backend) {
    let (s, _) = seeded(&dir, Duration::ZERO).await;
    let id = new_havip(&s, &aliyun()).await;
    let stranger = Caller::tenant(
        backend::profiles::arc(backend::profiles::pair()),
        "2000000000000002",
        "cn-shanghai",
    );
    assert!(matches!(
        domain(s.get_havip(&stranger, &id).await.unwrap_err()),
        DomainError::HaVipNotFound(_)
    ));
    let elsewhere = Caller::tenant(
        backend::profiles::arc(backend::profiles::pair()),
        ACCOUNT,
        "cn-beijing",
    );
    assert!(matches!(
        domain(
            s.associate(&elsewhere, &id, &ecs("i-uf6demo0001"), None)
                .await
                .unwrap_err()
        ),
        DomainError::HaVipNotFound(_)
    ));
    let nowhere = Caller::tenant(
        backend::profiles::arc(backend::profiles::pair()),
        ACCOUNT,
        "mars-1",
    );
    assert!(matches!(
        domain(
            s.describe_havips(&nowhere, &HaVipQuery::default())
                .await
                .unwrap_err()
        ),
        DomainError::RegionNotFound(_)
    ));
}

async fn racing_associations_never_exceed_the_limit(dir: Backend) {
    let (s, _) = seeded(&dir, Duration::ZERO).await;
    let s = Arc::new(s);
    let c = volc_shanghai();
    let mut instances = Vec::new();
    for n in 0..32 {
        let i = s
            .create_instance(&NewInstance {
                id: Some(format!("i-race{n:02}")),
                subnet: SUBNET.into(),
                ..Default::default()
            })
            .await
            .unwrap();
        instances.push(i.id);
    }
    let id = new_havip(&s, &c).await;
    let mut tasks = Vec::new();
    for i in instances {
        let (s, c, id) = (s.clone(), c.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            s.associate(&c, &id, &ecs(&i), None).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(domain(e), DomainError::InstancesPerHaVipLimit { limit: 10 }),
        }
    }
    assert_eq!(ok, 10);
    assert_eq!(s.get_havip(&c, &id).await.unwrap().members.len(), 10);
}

async fn racing_havips_per_instance_never_exceed_the_limit(dir: Backend) {
    let (s, _) = seeded(&dir, Duration::ZERO).await;
    let s = Arc::new(s);
    let c = volc_shanghai();
    let mut havips = Vec::new();
    for _ in 0..12 {
        havips.push(new_havip(&s, &c).await);
    }
    let tasks: Vec<_> = havips
        .into_iter()
        .map(|h| {
            let (s, c) = (s.clone(), c.clone());
            tokio::spawn(async move { s.associate(&c, &h, &ecs("i-uf6demo0001"), None).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 5, "Volcengine allows 5 HaVips per instance");
}

async fn client_tokens_replay_mismatch_and_processing(dir: Backend) {
    let (s, clock) = seeded(&dir, Duration::from_secs(2)).await;
    let c = aliyun();
    let req = CreateHaVip {
        subnet: SUBNET.into(),
        name: Some("a".into()),
        ..Default::default()
    };
    let first = s.create_havip(&c, &req, Some("tok-1")).await.unwrap();
    let again = s.create_havip(&c, &req, Some("tok-1")).await.unwrap();
    assert_eq!(
        first, again,
        "a retry gets the first answer and creates nothing"
    );
    let page = s.describe_havips(&c, &HaVipQuery::default()).await.unwrap();
    assert_eq!(page.total, 2, "the seeded HaVip and one created");
    let other = CreateHaVip {
        name: Some("b".into()),
        ..req.clone()
    };
    assert_eq!(
        domain(s.create_havip(&c, &other, Some("tok-1")).await.unwrap_err()),
        DomainError::IdempotentParameterMismatch
    );
    clock.advance(3000);
    s.complete_due_changes(100).await.unwrap();

    // Volcengine: a retry while the change it started is in flight is IdempotentProcessing.
    let v = volc_shanghai();
    let target = ecs("i-uf6demo0001");
    s.associate(&v, &first.id, &target, Some("tok-a"))
        .await
        .unwrap();
    assert_eq!(
        domain(
            s.associate(&v, &first.id, &target, Some("tok-a"))
                .await
                .unwrap_err()
        ),
        DomainError::IdempotentProcessing
    );
    // Alibaba documents no such code: the retry gets the first answer.
    clock.advance(3000);
    s.complete_due_changes(100).await.unwrap();
    let target2 = ecs("i-uf6demo0002");
    s.associate(&c, &first.id, &target2, Some("tok-b"))
        .await
        .unwrap();
    let h = s
        .associate(&c, &first.id, &target2, Some("tok-b"))
        .await
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Associating);
    clock.advance(3000);
    s.complete_due_changes(100).await.unwrap();
    // After completion the Volcengine retry is a replay again.
    assert!(s
        .associate(&v, &first.id, &target, Some("tok-a"))
        .await
        .is_ok());
    assert_eq!(s.get_havip(&c, &first.id).await.unwrap().members.len(), 2);
}

async fn tokens_are_scoped_per_action_and_survive_restart(dir: Backend) {
    let first_id;
    {
        let (s, _) = seeded(&dir, Duration::ZERO).await;
        let req = CreateHaVip {
            subnet: SUBNET.into(),
            ..Default::default()
        };
        first_id = s
            .create_havip(&aliyun(), &req, Some("tok"))
            .await
            .unwrap()
            .id;
        // The same token on another action is a different scope.
        s.associate(&aliyun(), &first_id, &ecs("i-uf6demo0001"), Some("tok"))
            .await
            .unwrap();
    }
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let s = service_in(&dir, Duration::ZERO, clock).await;
    let req = CreateHaVip {
        subnet: SUBNET.into(),
        ..Default::default()
    };
    assert_eq!(
        s.create_havip(&aliyun(), &req, Some("tok"))
            .await
            .unwrap()
            .id,
        first_id
    );
}

async fn changes_in_flight_complete_after_a_restart(dir: Backend) {
    let id;
    {
        let (s, _) = seeded(&dir, Duration::from_secs(1)).await;
        let c = aliyun();
        id = new_havip(&s, &c).await;
        assert_eq!(
            s.get_havip(&c, &id).await.unwrap().status,
            HaVipStatus::Creating
        );
    }
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let s = service_in(&dir, Duration::from_secs(1), clock.clone()).await;
    let c = aliyun();
    assert_eq!(
        s.get_havip(&c, &id).await.unwrap().status,
        HaVipStatus::Creating
    );
    assert_eq!(s.complete_due_changes(10).await.unwrap(), 0, "not due yet");
    clock.advance(1000);
    assert_eq!(s.complete_due_changes(10).await.unwrap(), 1);
    assert_eq!(
        s.get_havip(&c, &id).await.unwrap().status,
        HaVipStatus::Available
    );
    s.associate(&c, &id, &ecs("i-uf6demo0001"), None)
        .await
        .unwrap();
    assert_eq!(
        s.get_havip(&c, &id).await.unwrap().status,
        HaVipStatus::Associating
    );
    clock.advance(1000);
    s.complete_due_changes(10).await.unwrap();
    assert_eq!(
        s.get_havip(&c, &id).await.unwrap().status,
        HaVipStatus::InUse
    );
    s.disassociate(&c, &id, &ecs("i-uf6demo0001"), true, None)
        .await
        .unwrap();
    clock.advance(1000);
    s.complete_due_changes(10).await.unwrap();
    s.delete_havip(&c, &id, None).await.unwrap();
    assert_eq!(
        s.get_havip(&c, &id).await.unwrap().status,
        HaVipStatus::Deleting
    );
    clock.advance(1000);
    s.complete_due_changes(10).await.unwrap();
    assert!(matches!(
        domain(s.get_havip(&c, &id).await.unwrap_err()),
        DomainError::HaVipNotFound(_)
    ));
}

async fn describe_filters_and_pages(dir: Backend) {
    let (s, _) = seeded(&dir, Duration::ZERO).await;
    let c = aliyun();
    let mut ids = vec!["havip-uf6demo0001".to_string()];
    for n in 0..5 {
        let req = CreateHaVip {
            subnet: SUBNET.into(),
            tags: vec![(
                "env".into(),
                if n % 2 == 0 { "prod" } else { "test" }.into(),
            )],
            ..Default::default()
        };
        ids.push(s.create_havip(&c, &req, None).await.unwrap().id);
    }
    let page = s
        .describe_havips(
            &c,
            &HaVipQuery {
                page: havip_store::Paging::Offset {
                    offset: 2,
                    limit: 3,
                },
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 6);
    let got: Vec<_> = page.items.iter().map(|(_, h)| h.id.clone()).collect();
    assert_eq!(got, ids[2..5]);
    let prod = s
        .describe_havips(
            &c,
            &HaVipQuery {
                tags: vec![("env".into(), vec!["prod".into()])],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(prod.total, 3);
    let after = s
        .describe_havips(
            &c,
            &HaVipQuery {
                page: havip_store::Paging::After {
                    after: page.items[0].0,
                    limit: 100,
                },
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(after.items.len(), 3);
}

/// The store's settled-status filter agrees with `HaVip::settled_status` in every state:
/// Creating, Available, Associating from Available and from InUse, Unassociating, InUse
/// and Deleting.
async fn settled_status_filter_agrees_with_the_core(dir: Backend) {
    let (s, clock) = seeded(&dir, Duration::from_secs(1)).await;
    let c = volc_shanghai();
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(new_havip(&s, &c).await);
    }
    clock.advance(1000);
    s.complete_due_changes(100).await.unwrap();
    let (assoc_first, assoc_more, unassoc, in_use, deleting) =
        (&ids[0], &ids[1], &ids[2], &ids[3], &ids[4]);
    for id in [assoc_more, unassoc, in_use] {
        s.associate(&c, id, &ecs("i-uf6demo0001"), None)
            .await
            .unwrap();
    }
    clock.advance(1000);
    s.complete_due_changes(100).await.unwrap();
    let _creating = new_havip(&s, &c).await;
    s.associate(&c, assoc_first, &ecs("i-uf6demo0001"), None)
        .await
        .unwrap();
    s.associate(&c, assoc_more, &ecs("i-uf6demo0002"), None)
        .await
        .unwrap();
    s.disassociate(&c, unassoc, &ecs("i-uf6demo0001"), false, None)
        .await
        .unwrap();
    s.delete_havip(&c, deleting, None).await.unwrap();

    let all = s.describe_havips(&c, &HaVipQuery::default()).await.unwrap();
    let statuses: Vec<_> = all.items.iter().map(|(_, h)| h.status).collect();
    for wanted in [
        HaVipStatus::Creating,
        HaVipStatus::Available,
        HaVipStatus::Associating,
        HaVipStatus::Unassociating,
        HaVipStatus::InUse,
        HaVipStatus::Deleting,
    ] {
        assert!(statuses.contains(&wanted), "{wanted:?} is among the cases");
    }
    for settled in HaVipStatus::ALL {
        let mut expected: Vec<String> = all
            .items
            .iter()
            .filter(|(_, h)| h.settled_status() == settled)
            .map(|(_, h)| h.id.clone())
            .collect();
        let q = HaVipQuery {
            settled_statuses: vec![settled.as_str().to_string()],
            ..Default::default()
        };
        let page = s.describe_havips(&c, &q).await.unwrap();
        let mut got: Vec<String> = page.items.iter().map(|(_, h)| h.id.clone()).collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "settled {settled:?}");
        assert_eq!(page.total, got.len() as u64);
    }
    let h = s.get_havip(&c, assoc_first).await.unwrap();
    assert_eq!(h.settled_status(), HaVipStatus::Available);
    let h = s.get_havip(&c, assoc_more).await.unwrap();
    assert_eq!(h.settled_status(), HaVipStatus::InUse);
}

async fn racing_retries_with_one_token_create_once(dir: Backend) {
    let (s, _) = seeded(&dir, Duration::ZERO).await;
    let s = Arc::new(s);
    let req = CreateHaVip {
        subnet: SUBNET.into(),
        ..Default::default()
    };
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (s, req) = (s.clone(), req.clone());
            tokio::spawn(async move { s.create_havip(&aliyun(), &req, Some("race-token")).await })
        })
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap().unwrap().id);
    }
    assert_eq!(ids.len(), 1, "every retry got the first answer");
    let page = s
        .describe_havips(&aliyun(), &HaVipQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total, 2, "the seeded HaVip and exactly one created");
}

/// A service over the store of `dir`, seeded; `id_seed` tells replicas on one store apart
/// (they must not draw the same ids).
async fn seeded_replica(dir: &Backend, id_seed: u64) -> Service {
    let config = ServiceConfig::default();
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let s = Service::new(
        dir.open().await,
        config,
        clock,
        Arc::new(SeededIds::new(id_seed)),
    );
    s.load_seed(&seed()).await.expect("seed");
    s
}

/// The Alibaba-like caller in cn-shanghai, with a quota of `quota` HaVips.
fn quota_caller(quota: u32) -> Caller {
    Caller::tenant(
        backend::profiles::arc(backend::profiles::pair_with_quota(quota)),
        ACCOUNT,
        "cn-shanghai",
    )
}

async fn havips_in_shanghai(s: &Service) -> u64 {
    s.describe_havips(&aliyun(), &HaVipQuery::default())
        .await
        .unwrap()
        .total
}

async fn quota_refuses_creates_and_counts_seeded_havips(dir: Backend) {
    // The seed holds one HaVip in cn-shanghai; a quota of 1 does not refuse it.
    let s = seeded_replica(&dir, 1).await;
    let aliyun = || quota_caller(1);
    assert_eq!(havips_in_shanghai(&s).await, 1);
    let req = CreateHaVip {
        subnet: SUBNET.into(),
        ..Default::default()
    };
    assert_eq!(
        domain(s.create_havip(&aliyun(), &req, None).await.unwrap_err()),
        DomainError::HaVipQuotaExceeded { limit: 1 }
    );
    // Loading the seed again refuses nothing either.
    s.load_seed(&seed()).await.unwrap();
    drop(s);

    let s = seeded_replica(&dir, 2).await;
    let aliyun = || quota_caller(3);
    let first = new_havip(&s, &aliyun()).await;
    new_havip(&s, &aliyun()).await;
    assert_eq!(
        domain(s.create_havip(&aliyun(), &req, None).await.unwrap_err()),
        DomainError::HaVipQuotaExceeded { limit: 3 }
    );
    assert_eq!(
        havips_in_shanghai(&s).await,
        3,
        "the refused create wrote nothing"
    );
    // A ClientToken does not get around it, and the refusal is not remembered as an answer.
    assert_eq!(
        domain(
            s.create_havip(&aliyun(), &req, Some("tok-q"))
                .await
                .unwrap_err()
        ),
        DomainError::HaVipQuotaExceeded { limit: 3 }
    );
    // Each face applies its own cloud's quota to the same count: Volcengine allows 20.
    new_havip(&s, &volc_shanghai()).await;
    assert_eq!(havips_in_shanghai(&s).await, 4);
    // Other regions and other accounts have quotas of their own.
    let beijing = Caller::tenant(
        backend::profiles::arc(backend::profiles::pair_with_quota(3)),
        ACCOUNT,
        "cn-beijing",
    );
    let req_beijing = CreateHaVip {
        subnet: "subnet-13fdemo0001".into(),
        ..Default::default()
    };
    s.create_havip(&beijing, &req_beijing, None).await.unwrap();
    // Deleting makes room again (at once: no transition delay here).
    s.delete_havip(&aliyun(), &first, None).await.unwrap();
    s.delete_havip(&aliyun(), "havip-uf6demo0001", None)
        .await
        .unwrap();
    assert_eq!(havips_in_shanghai(&s).await, 2);
    new_havip(&s, &aliyun()).await;
    assert_eq!(
        domain(
            s.create_havip(&aliyun(), &req, Some("tok-q"))
                .await
                .unwrap_err()
        ),
        DomainError::HaVipQuotaExceeded { limit: 3 }
    );
}

async fn quota_counts_havips_in_deleting(dir: Backend) {
    let config = ServiceConfig {
        transition_delay: Duration::from_secs(2),
        ..ServiceConfig::default()
    };
    let aliyun = || quota_caller(2);
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let s = Service::new(
        dir.open().await,
        config,
        clock.clone(),
        Arc::new(SeededIds::new(1)),
    );
    s.load_seed(&seed()).await.expect("seed");
    new_havip(&s, &aliyun()).await;
    s.delete_havip(&aliyun(), "havip-uf6demo0001", None)
        .await
        .unwrap();
    let req = CreateHaVip {
        subnet: SUBNET.into(),
        ..Default::default()
    };
    assert_eq!(
        domain(s.create_havip(&aliyun(), &req, None).await.unwrap_err()),
        DomainError::HaVipQuotaExceeded { limit: 2 },
        "a HaVip still Deleting counts"
    );
    clock.advance(3000);
    s.complete_due_changes(100).await.unwrap();
    s.create_havip(&aliyun(), &req, None)
        .await
        .expect("room again once the delete completed");
}

/// Parallel creates past the quota, through two services on one store (two replicas on
/// one PostgreSQL; two processes on one SQLite file), leave exactly `quota` HaVips.
async fn racing_creates_never_exceed_the_quota(dir: Backend) {
    const QUOTA: u32 = 6;
    let replicas = [
        Arc::new(seeded_replica(&dir, 1).await),
        Arc::new(seeded_replica(&dir, 2).await),
    ];
    let seeded = havips_in_shanghai(&replicas[0]).await;
    let req = CreateHaVip {
        subnet: SUBNET.into(),
        ..Default::default()
    };
    let tasks: Vec<_> = (0..24)
        .map(|n| {
            let (s, req) = (replicas[n % 2].clone(), req.clone());
            tokio::spawn(async move { s.create_havip(&quota_caller(QUOTA), &req, None).await })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => created += 1,
            Err(e) => assert_eq!(domain(e), DomainError::HaVipQuotaExceeded { limit: QUOTA }),
        }
    }
    assert_eq!(created, u64::from(QUOTA) - seeded);
    for s in &replicas {
        assert_eq!(havips_in_shanghai(s).await, u64::from(QUOTA));
    }
}

async fn signature_nonces_are_accepted_once(dir: Backend) {
    let store = dir.open().await;
    assert!(store.remember_nonce("AK", "n1", 1000, 2000).await.unwrap());
    assert!(
        !store.remember_nonce("AK", "n1", 1500, 2500).await.unwrap(),
        "replayed"
    );
    assert!(
        store.remember_nonce("AK2", "n1", 1500, 2500).await.unwrap(),
        "per access key"
    );
    assert!(
        store.remember_nonce("AK", "n1", 2000, 3000).await.unwrap(),
        "expired nonces may come again"
    );
    assert_eq!(store.purge_expired(2600).await.unwrap(), 1);
    // A nonce is remembered while another writer holds the store's writer lock, and a
    // second handle on the same store (another process, another replica) sees it.
    let other = dir.open().await;
    let held = other.write().await.expect("a writer");
    let fresh = tokio::time::timeout(
        Duration::from_secs(3),
        store.remember_nonce("AK", "n2", 3000, 4000),
    )
    .await
    .expect("the nonce waited for the writer lock")
    .unwrap();
    assert!(fresh);
    drop(held);
    assert!(!other.remember_nonce("AK", "n2", 3000, 4000).await.unwrap());
}

/// A retry of an answered ClientToken is served from a read transaction: it is answered
/// while another writer holds the store's writer lock.
async fn a_client_token_replay_takes_no_writer_lock(dir: Backend) {
    let (s, _) = seeded(&dir, Duration::ZERO).await;
    let req = CreateHaVip {
        subnet: SUBNET.into(),
        ..Default::default()
    };
    let first = s
        .create_havip(&aliyun(), &req, Some("tok-r"))
        .await
        .unwrap();
    let other = dir.open().await;
    let held = other.write().await.expect("a writer");
    let again = tokio::time::timeout(
        Duration::from_secs(3),
        s.create_havip(&aliyun(), &req, Some("tok-r")),
    )
    .await
    .expect("the replay waited for the writer lock")
    .unwrap();
    assert_eq!(again, first);
    drop(held);
}

backend::on_every_store!(
    a_client_token_replay_takes_no_writer_lock,
    racing_retries_with_one_token_create_once,
    signature_nonces_are_accepted_once,
    seed_loads_once,
    seed_addresses_are_the_computed_ones,
    rules_hold_through_the_store,
    other_accounts_and_regions_do_not_see_it,
    racing_associations_never_exceed_the_limit,
    racing_havips_per_instance_never_exceed_the_limit,
    client_tokens_replay_mismatch_and_processing,
    tokens_are_scoped_per_action_and_survive_restart,
    changes_in_flight_complete_after_a_restart,
    describe_filters_and_pages,
    quota_refuses_creates_and_counts_seeded_havips,
    quota_counts_havips_in_deleting,
    racing_creates_never_exceed_the_quota,
    settled_status_filter_agrees_with_the_core
);
