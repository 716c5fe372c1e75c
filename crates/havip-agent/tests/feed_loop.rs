//! The agent's loop against a real control plane (the native API over HTTP on a SQLite
//! store with the example seed and a data plane attached), with an enforcer that only
//! records what it is asked: a change completes when, and only when, the agent has
//! enforced and acknowledged it; a failed round acknowledges nothing and is tried again;
//! an agent that starts late catches up.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use havip_agent::{run, AgentConfig, AgentError, Enforce, FeedClient, Progress};
use havip_api::AppState;
use havip_core::{HaVipStatus, Limits, MemberKind, Profile, Target};
use havip_native::feed::{DesiredState, PortView};
use havip_service::{Caller, SeededIds, Service, ServiceConfig, SystemClock};
use havip_store::sqlite::SqliteStore;
use tokio::sync::{mpsc, watch};

const TOKEN: &str = "agent-test-admin-token-0123456789";
const HAVIP: &str = "havip-uf6demo0001";
const INSTANCE: &str = "i-uf6demo0001";

struct Server {
    url: String,
    service: Arc<Service>,
    _dir: tempfile::TempDir,
}

async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let config = ServiceConfig {
        dataplane: true,
        ..ServiceConfig::default()
    };
    let service = Arc::new(Service::new(
        Arc::new(store),
        config,
        Arc::new(SystemClock),
        Arc::new(SeededIds::new(1)),
    ));
    let seed_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml");
    service
        .load_seed(&havip_seed::load_seed(&seed_path).unwrap())
        .await
        .unwrap();
    let state = Arc::new(AppState {
        service: service.clone(),
        admin_tokens: vec![TOKEN.into()],
        insecure_account: None,
        bodies: Default::default(),
    });
    let app = axum::Router::new().fallback(move |req| havip_native::handle(state.clone(), req));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    Server {
        url,
        service,
        _dir: dir,
    }
}

/// Records each desired state; fails while `failing` is set.
#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<DesiredState>>>,
    failing: Arc<Mutex<bool>>,
}

impl Enforce for Recorder {
    fn enforce(&mut self, desired: &DesiredState) -> Result<Vec<PortView>, AgentError> {
        self.seen.lock().unwrap().push(desired.clone());
        if *self.failing.lock().unwrap() {
            return Err(AgentError::Inconsistent("the test says no".into()));
        }
        Ok(vec![PortView {
            port: "hvtest".into(),
            label: "test".into(),
            eni: None,
            instance: None,
            mac: "00:16:3e:00:00:01".into(),
            allowed: vec![],
            drops: Default::default(),
            vip_drops: Default::default(),
        }])
    }
}

fn aliyun() -> Caller {
    let limits = Limits {
        instances_per_havip: 2,
        havips_per_instance: 5,
        havips_per_region: 50,
        master_needs_force: true,
        processing_is_error: false,
    };
    Caller::tenant(
        Arc::new(Profile::plain(limits)),
        "1000000000000001",
        "cn-shanghai",
    )
}

fn instance() -> Target {
    Target {
        kind: MemberKind::EcsInstance,
        id: INSTANCE.into(),
    }
}

fn config() -> AgentConfig {
    AgentConfig {
        name: "test-agent".into(),
        resync: Duration::from_millis(300),
        retry: Duration::from_millis(50),
        once: false,
    }
}

/// Waits for the next acknowledgement that completed something, skipping others.
async fn next_completion(rx: &mut mpsc::UnboundedReceiver<Progress>) -> (i64, Vec<String>) {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(Progress::Acknowledged {
                revision,
                completed,
            })) if !completed.is_empty() => return (revision, completed),
            Ok(Some(_)) => {}
            other => panic!("no completion came: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_complete_when_the_agent_acknowledges_them() {
    let s = server().await;
    let recorder = Recorder::default();
    let (stop_tx, stop_rx) = watch::channel(false);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let agent = tokio::spawn(run(
        FeedClient::new(&s.url, TOKEN).unwrap(),
        recorder.clone(),
        config(),
        stop_rx,
        Some(tx),
    ));
    let h = s
        .service
        .associate(&aliyun(), HAVIP, &instance(), None)
        .await
        .unwrap();
    assert_eq!(h.status, HaVipStatus::Associating);
    let (revision, completed) = next_completion(&mut rx).await;
    assert_eq!(completed, [HAVIP]);
    let h = s.service.get_havip(&aliyun(), HAVIP).await.unwrap();
    assert_eq!(h.status, HaVipStatus::InUse);
    // The state it enforced for that revision carried the member.
    let seen = recorder.seen.lock().unwrap().clone();
    let enforced = seen.iter().find(|d| d.revision == revision).unwrap();
    let vip = enforced.havips.iter().find(|v| v.id == HAVIP).unwrap();
    assert_eq!(vip.members[0].id, INSTANCE);
    let status = s.service.fabric_status().await.unwrap();
    assert_eq!(status.agent.as_deref(), Some("test-agent"));
    assert!(status.report.unwrap().contains("hvtest"));

    // A round that fails acknowledges nothing: the change stays in flight until one
    // succeeds.
    *recorder.failing.lock().unwrap() = true;
    s.service
        .disassociate(&aliyun(), HAVIP, &instance(), true, None)
        .await
        .unwrap();
    let failed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(Progress::Failed(why)) = rx.recv().await {
                return why;
            }
        }
    })
    .await
    .expect("a failed round is reported");
    assert!(failed.contains("the test says no"));
    let h = s.service.get_havip(&aliyun(), HAVIP).await.unwrap();
    assert_eq!(h.status, HaVipStatus::Unassociating);
    *recorder.failing.lock().unwrap() = false;
    let (_, completed) = next_completion(&mut rx).await;
    assert_eq!(completed, [HAVIP]);
    assert_eq!(
        s.service.get_havip(&aliyun(), HAVIP).await.unwrap().status,
        HaVipStatus::Available
    );
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), agent)
        .await
        .expect("the agent stops")
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_that_starts_late_catches_up() {
    let s = server().await;
    s.service
        .associate(&aliyun(), HAVIP, &instance(), None)
        .await
        .unwrap();
    // No agent: the change waits, however long.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        s.service.get_havip(&aliyun(), HAVIP).await.unwrap().status,
        HaVipStatus::Associating
    );
    let (_stop_tx, stop_rx) = watch::channel(false);
    let once = AgentConfig {
        once: true,
        ..config()
    };
    run(
        FeedClient::new(&s.url, TOKEN).unwrap(),
        Recorder::default(),
        once,
        stop_rx,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        s.service.get_havip(&aliyun(), HAVIP).await.unwrap().status,
        HaVipStatus::InUse
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_or_no_server_is_a_failed_round() {
    let s = server().await;
    let (_stop_tx, stop_rx) = watch::channel(false);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let agent = tokio::spawn(run(
        FeedClient::new(&s.url, "wrong-token").unwrap(),
        Recorder::default(),
        config(),
        stop_rx,
        Some(tx),
    ));
    match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
        Ok(Some(Progress::Failed(why))) => assert!(why.contains("401"), "{why}"),
        other => panic!("expected a failed round: {other:?}"),
    }
    agent.abort();
    let (_stop_tx, stop_rx) = watch::channel(false);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let agent = tokio::spawn(run(
        FeedClient::new("http://127.0.0.1:9", TOKEN).unwrap(),
        Recorder::default(),
        config(),
        stop_rx,
        Some(tx),
    ));
    match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
        Ok(Some(Progress::Failed(why))) => assert!(why.contains("cannot be reached"), "{why}"),
        other => panic!("expected a failed round: {other:?}"),
    }
    agent.abort();
}
