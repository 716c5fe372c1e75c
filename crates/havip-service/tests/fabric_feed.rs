//! The data plane's change feed over the real stores (SQLite and PostgreSQL, as in
//! service.rs): the revision grows with every committed change and only then, the
//! desired state follows the changes in flight, and with a data plane attached a change
//! completes when the agent acknowledges a revision that holds it, never on a timer.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use havip_core::ops::CreateHaVip;
use havip_core::{DomainError, HaVipStatus, MemberKind, Target};
use havip_service::{Caller, ManualClock, SeededIds, Service, ServiceConfig, ServiceError};

mod backend;
use backend::Backend;

const ACCOUNT: &str = "1000000000000001";
const SUBNET: &str = "vsw-uf6demo0001";
const HAVIP: &str = "havip-uf6demo0001";

fn seed() -> havip_seed::Seed {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml");
    havip_seed::load_seed(&path).expect("example seed")
}

async fn service(dir: &Backend, dataplane: bool) -> (Service, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let config = ServiceConfig {
        // Without a data plane, changes would complete after a second.
        transition_delay: Duration::from_secs(1),
        dataplane,
        ..ServiceConfig::default()
    };
    let s = Service::new(
        dir.open().await,
        config,
        clock.clone(),
        Arc::new(SeededIds::new(1)),
    );
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

fn ecs(id: &str) -> Target {
    Target {
        kind: MemberKind::EcsInstance,
        id: id.into(),
    }
}

async fn revision(s: &Service) -> i64 {
    s.fabric_status().await.unwrap().revision
}

async fn members_in_feed(s: &Service, havip: &str) -> Vec<String> {
    let desired = s.fabric_desired().await.unwrap();
    let h = desired
        .havips
        .iter()
        .find(|h| h.id == havip)
        .expect("the HaVip is in the feed");
    h.members.iter().map(|m| m.id.clone()).collect()
}

async fn revision_grows_with_each_committed_change_only(dir: Backend) {
    let (s, _) = service(&dir, false).await;
    let start = revision(&s).await;
    assert!(start > 0, "loading the seed is a change");
    s.get_havip(&aliyun(), HAVIP).await.unwrap();
    assert_eq!(revision(&s).await, start, "reads change nothing");
    let refused = s
        .associate(&aliyun(), HAVIP, &ecs("i-does-not-exist"), None)
        .await;
    assert!(refused.is_err());
    assert_eq!(
        revision(&s).await,
        start,
        "a refused change takes no revision"
    );
    s.associate(&aliyun(), HAVIP, &ecs("i-uf6demo0001"), None)
        .await
        .unwrap();
    assert_eq!(
        revision(&s).await,
        start + 1,
        "one transaction, one revision"
    );
    let desired = s.fabric_desired().await.unwrap();
    assert_eq!(desired.revision, start + 1);
    assert!(desired.subnets.iter().any(|n| n.id == SUBNET));
    assert!(desired.enis.iter().any(|e| e.id == "eni-uf6demo0001"));
    assert!(desired.instances.iter().any(|i| i.id == "i-uf6demo0001"));
}

async fn with_a_data_plane_changes_wait_for_its_acknowledgement(dir: Backend) {
    let (s, clock) = service(&dir, true).await;
    let h = s
        .associate(&aliyun(), HAVIP, &ecs("i-uf6demo0001"), None)
        .await
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Associating);
    let holding = revision(&s).await;
    assert_eq!(members_in_feed(&s, HAVIP).await, ["i-uf6demo0001"]);
    // No timer completes it, however long the agent is away.
    clock.advance(3_600_000);
    assert_eq!(s.complete_due_changes(100).await.unwrap(), 0);
    let h = s.get_havip(&aliyun(), HAVIP).await.unwrap();
    assert_eq!(h.status, HaVipStatus::Associating);
    // An acknowledgement of an earlier revision does not complete it.
    let ack = s
        .acknowledge_fabric(holding - 1, "agent-test", None)
        .await
        .unwrap();
    assert!(ack.completed.is_empty());
    // A revision never given is refused, and changes nothing.
    let e = s
        .acknowledge_fabric(holding + 100, "agent-test", None)
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        ServiceError::Domain(DomainError::InvalidParameter {
            name: "revision",
            ..
        })
    ));
    assert_eq!(s.fabric_status().await.unwrap().acked, holding - 1);
    let ack = s
        .acknowledge_fabric(holding, "agent-test", Some(r#"{"ports":[]}"#))
        .await
        .unwrap();
    assert_eq!(ack.completed, [HAVIP]);
    assert_eq!(ack.acked, holding);
    let h = s.get_havip(&aliyun(), HAVIP).await.unwrap();
    assert_eq!(h.status, HaVipStatus::InUse);
    let status = s.fabric_status().await.unwrap();
    assert_eq!(status.acked, holding);
    assert_eq!(status.agent.as_deref(), Some("agent-test"));
    assert_eq!(status.report.as_deref(), Some(r#"{"ports":[]}"#));
    assert!(status.revision > holding, "completing is a change too");

    // Disassociating: the fabric stops carrying the member before the change completes.
    let h = s
        .disassociate(&aliyun(), HAVIP, &ecs("i-uf6demo0001"), true, None)
        .await
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Unassociating);
    assert!(members_in_feed(&s, HAVIP).await.is_empty());
    let now = revision(&s).await;
    // An acknowledgement without a report keeps the last one.
    let ack = s.acknowledge_fabric(now, "agent-test", None).await.unwrap();
    assert_eq!(ack.completed, [HAVIP]);
    assert_eq!(
        s.get_havip(&aliyun(), HAVIP).await.unwrap().status,
        HaVipStatus::Available
    );
    assert!(s.fabric_status().await.unwrap().report.is_some());

    // A HaVip created meanwhile is Creating until acknowledged, and so is a deletion.
    let req = CreateHaVip {
        subnet: SUBNET.into(),
        ..Default::default()
    };
    let created = s.create_havip(&aliyun(), &req, None).await.unwrap();
    assert_eq!(
        s.get_havip(&aliyun(), &created.id).await.unwrap().status,
        HaVipStatus::Creating
    );
    s.acknowledge_fabric(revision(&s).await, "agent-test", None)
        .await
        .unwrap();
    let created = s.get_havip(&aliyun(), &created.id).await.unwrap();
    assert_eq!(created.status, HaVipStatus::Available);
    s.delete_havip(&aliyun(), &created.id, None).await.unwrap();
    let ack = s
        .acknowledge_fabric(revision(&s).await, "agent-test", None)
        .await
        .unwrap();
    assert_eq!(ack.completed, std::slice::from_ref(&created.id));
    assert!(s.get_havip(&aliyun(), &created.id).await.is_err());
}

async fn a_wait_ends_at_the_next_revision_or_its_timeout(dir: Backend) {
    let (s, _) = service(&dir, false).await;
    let s = Arc::new(s);
    let at = revision(&s).await;
    let started = std::time::Instant::now();
    assert_eq!(
        s.wait_for_revision(at, Duration::from_millis(50))
            .await
            .unwrap(),
        at
    );
    assert!(started.elapsed() >= Duration::from_millis(50));
    let waiter = {
        let s = s.clone();
        tokio::spawn(async move { s.wait_for_revision(at, Duration::from_secs(30)).await })
    };
    tokio::time::sleep(Duration::from_millis(30)).await;
    s.associate(&aliyun(), HAVIP, &ecs("i-uf6demo0001"), None)
        .await
        .unwrap();
    let woke = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("the wait ends soon after the change")
        .unwrap()
        .unwrap();
    assert_eq!(woke, at + 1);
    // A shutdown ends the waits at once.
    let waiter = {
        let s = s.clone();
        tokio::spawn(async move { s.wait_for_revision(at + 1, Duration::from_secs(30)).await })
    };
    tokio::time::sleep(Duration::from_millis(30)).await;
    s.begin_shutdown();
    tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("the wait ends at shutdown")
        .unwrap()
        .unwrap();
}

/// Two replicas on one store: the agent follows and acknowledges through one, changes
/// are made through the other.
async fn an_agent_may_talk_to_any_replica(dir: Backend) {
    let (first, _) = service(&dir, true).await;
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let config = ServiceConfig {
        dataplane: true,
        ..ServiceConfig::default()
    };
    let second = Arc::new(Service::new(
        dir.open().await,
        config,
        clock,
        Arc::new(SeededIds::new(2)),
    ));
    let at = revision(&second).await;
    let waiter = {
        let second = second.clone();
        tokio::spawn(async move { second.wait_for_revision(at, Duration::from_secs(30)).await })
    };
    tokio::time::sleep(Duration::from_millis(30)).await;
    first
        .associate(&aliyun(), HAVIP, &ecs("i-uf6demo0001"), None)
        .await
        .unwrap();
    let woke = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("the other replica's wait ends with the change")
        .unwrap()
        .unwrap();
    assert_eq!(woke, at + 1);
    assert_eq!(members_in_feed(&second, HAVIP).await, ["i-uf6demo0001"]);
    let ack = second
        .acknowledge_fabric(woke, "agent-test", None)
        .await
        .unwrap();
    assert_eq!(ack.completed, [HAVIP]);
    assert_eq!(
        first.get_havip(&aliyun(), HAVIP).await.unwrap().status,
        HaVipStatus::InUse
    );
    assert_eq!(first.fabric_status().await.unwrap().acked, woke);
}

backend::on_every_store!(
    an_agent_may_talk_to_any_replica,
    revision_grows_with_each_committed_change_only,
    with_a_data_plane_changes_wait_for_its_acknowledgement,
    a_wait_ends_at_the_next_revision_or_its_timeout,
);
