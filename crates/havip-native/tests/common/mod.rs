//! Test harness: `havip_native::handle` over a real `Service` on a SQLite store in a
//! temporary directory, loaded with the example seed; helpers to call routes and to take
//! a snapshot of the whole state (to prove that refused requests change nothing).

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use havip_api::{AppState, SharedState};
use havip_core::Limits;
use havip_service::store::sqlite::SqliteStore;
use havip_service::{Clock, ManualClock, SeededIds, Service, ServiceConfig};
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;

pub const TOKEN: &str = "test-admin-token-0123456789";
pub const ACCOUNT: &str = "1000000000000001";
pub const VSW: &str = "vsw-uf6demo0001";
pub const VSW2: &str = "vsw-uf6demo0002";
pub const SEED_HAVIP: &str = "havip-uf6demo0001";

pub struct Harness {
    pub state: SharedState,
    pub clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_string()
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an error answer: status, problem JSON and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type(), "application/problem+json");
        let p = self.json();
        assert_eq!(p["code"], code, "{p}");
        assert_eq!(p["status"], status);
        for field in ["type", "title", "detail"] {
            assert!(p[field].is_string(), "{field} missing in {p}");
        }
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }
}

/// The operator's limits of a server running the standard faces with their defaults (the
/// widest of them).
pub fn default_limits() -> Limits {
    Limits {
        instances_per_havip: 10,
        havips_per_instance: 8,
        havips_per_region: 50,
        master_needs_force: false,
        processing_is_error: false,
    }
}

/// The operator's profile with `limits`, and the tag prefixes the standard faces reserve.
pub fn operator_profile(limits: Limits) -> havip_core::Profile {
    havip_native::profile(limits, vec!["acs:".into(), "aliyun".into()])
}

/// Operator limits of `n` instances per HaVip.
pub fn equal_limits(n: u32) -> Limits {
    Limits {
        instances_per_havip: n,
        havips_per_instance: 5,
        ..default_limits()
    }
}

impl Harness {
    /// A fresh service with the example seed and no transition delay.
    pub async fn new() -> Harness {
        Harness::with(Duration::ZERO, default_limits()).await
    }

    pub async fn with(delay: Duration, limits: Limits) -> Harness {
        Harness::configured(ServiceConfig {
            operator: Arc::new(operator_profile(limits)),
            transition_delay: delay,
            ..ServiceConfig::default()
        })
        .await
    }

    /// A fresh service with the example seed and a data plane attached.
    pub async fn with_dataplane() -> Harness {
        Harness::configured(ServiceConfig {
            dataplane: true,
            operator: Arc::new(operator_profile(default_limits())),
            ..ServiceConfig::default()
        })
        .await
    }

    pub async fn configured(config: ServiceConfig) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path()).await.expect("store");
        let clock = Arc::new(ManualClock::new(1_700_000_000_000));
        let service = Service::new(
            Arc::new(store),
            config,
            clock.clone() as Arc<dyn Clock>,
            Arc::new(SeededIds::new(1)),
        );
        let seed_path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml");
        let seed = havip_seed::load_seed(&seed_path).expect("example seed");
        service.load_seed(&seed).await.expect("seed loads");
        Harness::around(Arc::new(service), clock, dir)
    }

    pub fn around(
        service: Arc<Service>,
        clock: Arc<ManualClock>,
        dir: tempfile::TempDir,
    ) -> Harness {
        Harness {
            state: Arc::new(AppState {
                service,
                admin_tokens: vec![TOKEN.to_string()],
                insecure_account: None,
                bodies: Default::default(),
            }),
            clock,
            _dir: dir,
        }
    }

    /// Lets time pass and lets the worker complete what is due.
    pub async fn advance(&self, ms: i64) {
        self.clock.advance(ms);
        self.state
            .service
            .complete_due_changes(1000)
            .await
            .expect("worker");
    }

    pub async fn send(&self, req: Request) -> Answer {
        let resp = havip_native::handle(self.state.clone(), req).await;
        let status = resp.status();
        let headers = resp.headers().clone();
        assert!(
            headers.contains_key("x-request-id"),
            "every answer has X-Request-Id"
        );
        assert_ne!(status.as_u16(), 500, "never a 500");
        let body = resp
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// A request with the admin token and, when given, a JSON body.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {TOKEN}"));
        let body = match body {
            Some(v) => {
                b = b.header("content-type", "application/json");
                Body::from(serde_json::to_vec(&v).expect("json"))
            }
            None => Body::empty(),
        };
        self.send(b.body(body).expect("request")).await
    }

    /// A request with the admin token and raw body bytes of the given content type.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {TOKEN}"));
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        self.send(b.body(Body::from(body)).expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Value {
        self.call("GET", path, None).await.ok(200)
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call("POST", path, Some(body)).await
    }

    /// Everything the native API can list, to compare before and after a refused request.
    pub async fn snapshot(&self) -> Value {
        let mut all = serde_json::Map::new();
        for path in [
            "/v1/accounts",
            "/v1/access-keys",
            "/v1/huawei-projects",
            "/v1/regions",
            "/v1/vpcs",
            "/v1/subnets",
            "/v1/instances",
            "/v1/enis",
            "/v1/havips?page_size=500",
            "/v1/operations",
            "/v1/dataplane/ports",
            "/v1/events",
        ] {
            all.insert(path.to_string(), self.get(path).await);
        }
        Value::Object(all)
    }
}
