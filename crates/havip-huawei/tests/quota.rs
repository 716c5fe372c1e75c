//! The VIP port quota through the Huawei face in process (a real SQLite store with the
//! example seed, unsigned requests served as the seed's account): each API family that
//! creates a VIP port answers the quota with its own code, status and envelope, and a
//! refused request leaves no port behind.

use std::sync::Arc;

use axum::body::Body;
use havip_api::{AppState, SharedState};
use havip_service::store::sqlite::SqliteStore;
use havip_service::{ManualClock, SeededIds, Service, ServiceConfig};
use http_body_util::BodyExt;
use serde_json::{json, Value};

const ACCOUNT: &str = "1000000000000001";
const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const NET1: &str = "20000000-0000-4000-8000-000000000001";
const NIC1: &str = "40000000-0000-4000-8000-000000000001";
const QUOTA_MESSAGE: &str = "Quota exceeded for resources: ['port'].";

struct Fixture {
    face: havip_huawei::HuaweiFace,
    state: SharedState,
    _dir: tempfile::TempDir,
}

/// The example seed, with a Huawei quota of `quota` VIP ports.
async fn fixture(quota: u32) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).await.expect("store");
    let config = ServiceConfig::default();
    let mut profile = havip_huawei::profile::profile();
    profile.limits.havips_per_region = quota;
    let clock = Arc::new(ManualClock::new(1_795_000_000_000));
    let service = Service::new(Arc::new(store), config, clock, Arc::new(SeededIds::new(1)));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml");
    let seed = havip_seed::load_seed(&path).expect("example seed");
    service.load_seed(&seed).await.expect("seed loads");
    Fixture {
        face: havip_huawei::HuaweiFace::new(profile),
        state: Arc::new(AppState {
            service: Arc::new(service),
            admin_tokens: Vec::new(),
            insecure_account: Some(ACCOUNT.into()),
            bodies: Default::default(),
        }),
        _dir: dir,
    }
}

async fn call(f: &Fixture, method: &str, path: &str, body: Value) -> (u16, Value) {
    let body = if body.is_null() {
        Body::empty()
    } else {
        Body::from(body.to_string())
    };
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("x-project-id", PROJECT)
        .body(body)
        .expect("request");
    let resp = havip_api::AnyFace::serve(&f.face, f.state.clone(), req).await;
    let status = resp.status().as_u16();
    assert!(resp.headers().contains_key("x-request-id"));
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn vip_port() -> Value {
    json!({"port": {"network_id": NET1, "device_owner": "neutron:VIP_PORT"}})
}

/// Every port the project shows, VIP and NIC ports alike.
async fn ports(f: &Fixture) -> Vec<Value> {
    let (status, body) = call(f, "GET", "/v2.0/ports", Value::Null).await;
    assert_eq!(status, 200, "{body}");
    body["ports"].as_array().cloned().unwrap_or_default()
}

async fn vip_ports(f: &Fixture) -> usize {
    ports(f)
        .await
        .iter()
        .filter(|p| p["device_owner"] == "neutron:VIP_PORT")
        .count()
}

/// An address of NET1 that no port holds (addresses are allocated unpredictably).
async fn free_address(f: &Fixture) -> String {
    let taken: Vec<String> = ports(f)
        .await
        .iter()
        .flat_map(|p| p["fixed_ips"].as_array().cloned().unwrap_or_default())
        .filter_map(|ip| ip["ip_address"].as_str().map(str::to_string))
        .collect();
    (200..250)
        .map(|h| format!("192.168.1.{h}"))
        .find(|a| !taken.contains(a))
        .expect("a free address")
}

#[tokio::test]
async fn neutron_answers_409_over_quota() {
    let f = fixture(2).await;
    for _ in 0..2 {
        let (status, body) = call(&f, "POST", "/v2.0/ports", vip_port()).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = call(&f, "POST", "/v2.0/ports", vip_port()).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body,
        json!({"NeutronError": {"type": "OverQuota", "message": QUOTA_MESSAGE, "detail": ""}})
    );
    assert_eq!(vip_ports(&f).await, 2);
}

#[tokio::test]
async fn vpc_v1_answers_409_with_the_neutron_message() {
    let f = fixture(1).await;
    let path = format!("/v1/{PROJECT}/ports");
    let (status, body) = call(&f, "POST", &path, vip_port()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&f, "POST", &path, vip_port()).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body, json!({"code": "VPC.2500", "message": QUOTA_MESSAGE}));
    assert_eq!(vip_ports(&f).await, 1);
}

#[tokio::test]
async fn ecs_bind_that_would_create_a_vip_answers_ecs_0213() {
    let f = fixture(1).await;
    let (status, body) = call(&f, "POST", "/v2.0/ports", vip_port()).await;
    assert_eq!(status, 201, "{body}");
    let existing = body["port"]["fixed_ips"][0]["ip_address"].clone();
    let bind = |ip: Value| json!({"nic": {"subnet_id": NET1, "ip_address": ip}});
    let path = format!("/v1/{PROJECT}/cloudservers/nics/{NIC1}");
    let free = free_address(&f).await;
    let (status, body) = call(&f, "PUT", &path, bind(json!(free))).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "Ecs.0213", "{body}");
    assert_eq!(
        body["error"]["message"],
        format!("Failed to update the port attributes: {QUOTA_MESSAGE}")
    );
    assert_eq!(vip_ports(&f).await, 1, "the refused bind created no VIP");
    // Binding the VIP that exists needs no quota.
    let (status, body) = call(&f, "PUT", &path, bind(existing)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"port_id": NIC1}));
}
