//! Bad input never panics, never answers 500, always answers problem JSON with the
//! documented status, and changes no state; a failing store answers 503.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::Request;
use common::{Harness, SEED_HAVIP, TOKEN, VSW};
use havip_service::store::{Store, StoreError, StoreResult, Tx};
use havip_service::{ManualClock, SeededIds, Service, ServiceConfig};
use serde_json::json;

/// Sends each request and checks its problem; then checks nothing changed.
async fn refused_without_change(h: &Harness, cases: Vec<(Request, u16, &str)>) {
    let before = h.snapshot().await;
    for (req, status, code) in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let a = h.send(req).await;
        assert_eq!(
            a.status.as_u16(),
            status,
            "{what}: {}",
            String::from_utf8_lossy(&a.body)
        );
        a.assert_problem(status, code);
    }
    assert_eq!(
        h.snapshot().await,
        before,
        "a refused request changed state"
    );
}

fn req(method: &str, uri: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {TOKEN}"));
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    b.body(body.into()).expect("request")
}

const JSON: Option<&str> = Some("application/json");

#[tokio::test]
async fn malformed_bodies_are_400_415_413() {
    let h = Harness::new().await;
    let assoc = format!("/v1/havips/{SEED_HAVIP}/associate");
    let big = vec![b' '; (1 << 20) + 1];
    let mut big_json = br#"{"subnet":""#.to_vec();
    big_json.extend(std::iter::repeat_n(b'a', 1 << 20));
    big_json.extend(br#""}"#);
    let mut declared_big = req("POST", "/v1/havips", JSON, Body::empty());
    declared_big.headers_mut().insert(
        "content-length",
        http::HeaderValue::from_static("99999999999"),
    );
    let cases = vec![
        (
            req("POST", "/v1/havips", JSON, "{not json"),
            400,
            "InvalidBody",
        ),
        (req("POST", "/v1/havips", JSON, "[]"), 400, "InvalidBody"),
        (req("POST", "/v1/havips", JSON, "null"), 400, "InvalidBody"),
        (
            req("POST", "/v1/havips", JSON, r#"{"subnet": 5}"#),
            400,
            "InvalidBody",
        ),
        (
            req(
                "POST",
                "/v1/havips",
                JSON,
                r#"{"subnet": "x", "tags": ["a"]}"#,
            ),
            400,
            "InvalidBody",
        ),
        (
            req(
                "POST",
                "/v1/havips",
                JSON,
                r#"{"subnet": "x", "tags": {"k": 1}}"#,
            ),
            400,
            "InvalidBody",
        ),
        (
            req(
                "POST",
                "/v1/havips",
                JSON,
                r#"{"subnet": "vsw-uf6demo0001", "colour": "red"}"#,
            ),
            400,
            "InvalidBody",
        ),
        (
            req(
                "POST",
                "/v1/havips",
                JSON,
                b"{\"subnet\": \"\xff\xfe\"}".to_vec(),
            ),
            400,
            "InvalidBody",
        ),
        (
            req("POST", "/v1/havips", JSON, b"\xc3\x28".to_vec()),
            400,
            "InvalidBody",
        ),
        (req("POST", "/v1/havips", JSON, "{}"), 400, "InvalidBody"),
        (req("POST", "/v1/havips", JSON, ""), 400, "InvalidBody"),
        (
            req(
                "POST",
                &assoc,
                JSON,
                r#"{"instance_id": ["i-uf6demo0001"]}"#,
            ),
            400,
            "InvalidBody",
        ),
        (
            req(
                "POST",
                &assoc,
                JSON,
                r#"{"instance_id": "i-uf6demo0001", "force": "yes"}"#,
            ),
            400,
            "InvalidBody",
        ),
        (
            req(
                "POST",
                "/v1/instances/i-uf6demo0001/start",
                JSON,
                r#"{"now": true}"#,
            ),
            400,
            "InvalidBody",
        ),
        (
            req(
                "PUT",
                "/v1/havips/havip-uf6demo0001/tags",
                JSON,
                r#"{"k": null}"#,
            ),
            400,
            "InvalidBody",
        ),
        (
            req(
                "POST",
                "/v1/accounts",
                JSON,
                r#"{"id": 12345678901234567890123456789}"#,
            ),
            400,
            "InvalidBody",
        ),
        (
            req(
                "POST",
                "/v1/havips",
                Some("text/plain"),
                r#"{"subnet": "vsw-uf6demo0001"}"#,
            ),
            415,
            "UnsupportedMediaType",
        ),
        (
            req(
                "POST",
                "/v1/havips",
                None,
                r#"{"subnet": "vsw-uf6demo0001"}"#,
            ),
            415,
            "UnsupportedMediaType",
        ),
        (
            req(
                "POST",
                "/v1/havips",
                Some("application/x-www-form-urlencoded"),
                "subnet=vsw-uf6demo0001",
            ),
            415,
            "UnsupportedMediaType",
        ),
        (req("POST", "/v1/havips", JSON, big), 413, "PayloadTooLarge"),
        (
            req("POST", "/v1/havips", JSON, big_json),
            413,
            "PayloadTooLarge",
        ),
        (declared_big, 413, "PayloadTooLarge"),
    ];
    refused_without_change(&h, cases).await;
}

#[tokio::test]
async fn malformed_queries_are_400() {
    let h = Harness::new().await;
    let cases = [
        ("/v1/havips?page_size=0", "InvalidParameter"),
        ("/v1/havips?page_size=501", "InvalidParameter"),
        (
            "/v1/havips?page_size=99999999999999999999999999",
            "InvalidParameter",
        ),
        ("/v1/havips?page_size=-5", "InvalidParameter"),
        ("/v1/havips?page_size=abc", "InvalidParameter"),
        ("/v1/havips?page=-1", "InvalidParameter"),
        ("/v1/havips?page=0", "InvalidParameter"),
        ("/v1/havips?page=1.5", "InvalidParameter"),
        (
            "/v1/havips?page=18446744073709551615&page_size=500",
            "InvalidParameter",
        ),
        ("/v1/havips?page=1&page=2", "InvalidParameter"),
        ("/v1/havips?status=Broken", "InvalidParameter"),
        ("/v1/havips?ip=1.2.3", "IpMalformed"),
        ("/v1/havips?tag=:v", "InvalidParameter"),
        ("/v1/havips?colour=red", "InvalidParameter"),
        ("/v1/vpcs?region=a&region=b", "InvalidParameter"),
        ("/v1/regions?x=1", "InvalidParameter"),
        ("/v1/operations?x=1", "InvalidParameter"),
    ];
    let reqs = cases
        .iter()
        .map(|(uri, code)| (req("GET", uri, None, Body::empty()), 400, *code))
        .collect();
    refused_without_change(&h, reqs).await;
    // A page past the end is an empty page, not an error.
    let far = h.get("/v1/havips?page=4000000000&page_size=500").await;
    assert_eq!(far["items"], json!([]));
    assert_eq!(far["total"], 1);
}

#[tokio::test]
async fn odd_paths_are_404_without_a_lookup() {
    let h = Harness::new().await;
    let cases = vec![
        (
            req(
                "GET",
                "/v1/havips/..%2F..%2Fetc%2Fpasswd",
                None,
                Body::empty(),
            ),
            404,
            "HaVipNotFound",
        ),
        (
            req("GET", "/v1/havips/%2e%2e", None, Body::empty()),
            404,
            "HaVipNotFound",
        ),
        (
            req("GET", "/v1/havips/a%20b", None, Body::empty()),
            404,
            "HaVipNotFound",
        ),
        (
            req("GET", "/v1/havips/%FF%FE", None, Body::empty()),
            404,
            "RouteNotFound",
        ),
        (
            req(
                "GET",
                &format!("/v1/havips/{}", "a".repeat(129)),
                None,
                Body::empty(),
            ),
            404,
            "HaVipNotFound",
        ),
        (
            req("GET", "/v1/havips/../accounts", None, Body::empty()),
            404,
            "RouteNotFound",
        ),
        (
            req("GET", "/v1/instances/%00", None, Body::empty()),
            404,
            "InstanceNotFound",
        ),
        (
            req("GET", "/v1/enis/..", None, Body::empty()),
            404,
            "EniNotFound",
        ),
        (
            req("GET", "/v1/vpcs/a%2Fb", None, Body::empty()),
            404,
            "VpcNotFound",
        ),
        (
            req("GET", "/v1/subnets/%27%20OR%201%3D1", None, Body::empty()),
            404,
            "SubnetNotFound",
        ),
        (
            req("GET", "/v1/accounts/x%3By", None, Body::empty()),
            404,
            "AccountNotFound",
        ),
        (
            req("DELETE", "/v1/access-keys/..%2F", None, Body::empty()),
            404,
            "AccessKeyNotFound",
        ),
        (
            req("DELETE", "/v1/havips/..%2F", None, Body::empty()),
            404,
            "HaVipNotFound",
        ),
        (
            req(
                "POST",
                "/v1/havips/..%2F/associate",
                JSON,
                r#"{"instance_id":"i-uf6demo0001"}"#,
            ),
            404,
            "HaVipNotFound",
        ),
        (
            req("POST", "/v1/instances/..%2F/stop", None, Body::empty()),
            404,
            "InstanceNotFound",
        ),
        (
            req("POST", "/v1/enis/..%2F/detach", None, Body::empty()),
            404,
            "EniNotFound",
        ),
        (
            req("GET", "/v1/nothing", None, Body::empty()),
            404,
            "RouteNotFound",
        ),
        (
            req("GET", "/v1/havips/x/y/z", None, Body::empty()),
            404,
            "RouteNotFound",
        ),
        (req("GET", "/v1", None, Body::empty()), 404, "RouteNotFound"),
        (
            req("GET", "/v1/havips/", None, Body::empty()),
            404,
            "RouteNotFound",
        ),
        (
            req(
                "POST",
                "/v1/havips//associate",
                JSON,
                r#"{"instance_id":"i-uf6demo0001"}"#,
            ),
            404,
            "HaVipNotFound",
        ),
        (
            req("PUT", "/v1/regions", None, Body::empty()),
            405,
            "MethodNotAllowed",
        ),
        (
            req("DELETE", "/v1/havips", None, Body::empty()),
            405,
            "MethodNotAllowed",
        ),
        (
            req("GET", "/v1/havips/x/associate", None, Body::empty()),
            405,
            "MethodNotAllowed",
        ),
    ];
    refused_without_change(&h, cases).await;
}

#[tokio::test]
async fn refused_domain_requests_change_nothing() {
    let h = Harness::new().await;
    let assoc = format!("/v1/havips/{SEED_HAVIP}/associate");
    let cases = vec![
        (
            req("POST", &assoc, JSON, r#"{"instance_id":"i-uf6demo0005"}"#),
            409,
            "DifferentSubnet",
        ),
        (
            req("POST", &assoc, JSON, r#"{"instance_id":"i-none"}"#),
            404,
            "InstanceNotFound",
        ),
        (
            req(
                "POST",
                "/v1/havips",
                JSON,
                format!(r#"{{"subnet":"{VSW}","ip":"192.168.1.11"}}"#),
            ),
            409,
            "IpInUse",
        ),
        (
            req(
                "POST",
                "/v1/havips",
                JSON,
                format!(r#"{{"subnet":"{VSW}","name":"ok","tags":{{"acs:k":"v"}}}}"#),
            ),
            400,
            "TagKeyMalformed",
        ),
        (
            req("POST", "/v1/accounts", JSON, r#"{"id":"1000000000000001"}"#),
            409,
            "AlreadyExists",
        ),
        (
            req("POST", "/v1/accounts", JSON, r#"{"id":"a/b"}"#),
            400,
            "InvalidParameter",
        ),
        (
            req(
                "POST",
                "/v1/instances",
                JSON,
                r#"{"subnet":"vsw-uf6demo0001","status":"Weird"}"#,
            ),
            400,
            "InvalidParameter",
        ),
        (
            req(
                "PATCH",
                &format!("/v1/havips/{SEED_HAVIP}"),
                JSON,
                r#"{"description":"https://x"}"#,
            ),
            400,
            "DescriptionMalformed",
        ),
    ];
    refused_without_change(&h, cases).await;
}

/// A store that is down: every transaction fails.
struct DownStore;

#[async_trait]
impl Store for DownStore {
    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        Err(StoreError::Unavailable("down for the test".into()))
    }
    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        Err(StoreError::Unavailable("down for the test".into()))
    }
    async fn ping(&self) -> StoreResult<()> {
        Err(StoreError::Unavailable("down for the test".into()))
    }
    async fn remember_nonce(&self, _: &str, _: &str, _: i64, _: i64) -> StoreResult<bool> {
        Err(StoreError::Unavailable("down for the test".into()))
    }
    async fn purge_expired(&self, _: i64) -> StoreResult<u64> {
        Err(StoreError::Unavailable("down for the test".into()))
    }
    async fn due_changes(&self, _: i64, _: u32) -> StoreResult<Vec<String>> {
        Err(StoreError::Unavailable("down for the test".into()))
    }
}

#[tokio::test]
async fn a_store_that_is_down_answers_503() {
    let clock = Arc::new(ManualClock::new(0));
    let service = Service::new(
        Arc::new(DownStore),
        ServiceConfig::default(),
        clock.clone(),
        Arc::new(SeededIds::new(1)),
    );
    let h = Harness::around(
        Arc::new(service),
        clock,
        tempfile::tempdir().expect("tempdir"),
    );
    for (method, path, body) in [
        ("GET", "/v1/havips", None),
        ("GET", "/v1/havips/havip-x", None),
        ("POST", "/v1/havips", Some(json!({"subnet": VSW}))),
        ("GET", "/v1/accounts", None),
        ("GET", "/v1/operations", None),
        ("POST", "/v1/instances/i-x/stop", None),
    ] {
        h.call(method, path, body)
            .await
            .assert_problem(503, "ServiceUnavailable");
    }
    // The document needs no store.
    let doc = h
        .send(req("GET", "/v1/openapi.json", None, Body::empty()))
        .await;
    doc.ok(200);
}

/// The id of a seeded resource of the collection a route belongs to.
fn seeded_id(path: &str) -> &'static str {
    match path.split('/').nth(2) {
        Some("havips") => SEED_HAVIP,
        Some("instances") => "i-uf6demo0001",
        Some("enis") => "eni-uf6demo0011",
        Some("vpcs") => "vpc-uf6demo0001",
        Some("subnets") => VSW,
        _ => "1000000000000001",
    }
}

#[tokio::test]
async fn nasty_bodies_on_every_writing_route() {
    let h = Harness::new().await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_field = format!(
        r#"{{"subnet": {}{}}}"#,
        "{\"a\":".repeat(5_000),
        "}".repeat(5_000)
    );
    let bodies: Vec<Vec<u8>> = vec![
        deep.into_bytes(),
        deep_field.into_bytes(),
        br#""\u0000""#.to_vec(),
        b"1e999".to_vec(),
        br#"{"":""}"#.to_vec(),
        b"\x00\x01\xff\xfe".to_vec(),
        br#"{"a":"#.to_vec(),
        br#"{"subnet": "\ud800"}"#.to_vec(),
        "{\"instance_id\": \"i-uf6demo0001\", \"instance_id\": 7}"
            .as_bytes()
            .to_vec(),
    ];
    let before = h.snapshot().await;
    for (method, path) in havip_native::ROUTES {
        if matches!(*method, "GET" | "DELETE") {
            continue;
        }
        let uri = path.replace("{id}", seeded_id(path));
        for body in &bodies {
            let a = h.send(req(method, &uri, JSON, body.clone())).await;
            assert!(
                matches!(a.status.as_u16(), 400 | 404 | 409),
                "{method} {uri}: {} {}",
                a.status,
                String::from_utf8_lossy(&a.body)
            );
            assert_eq!(a.content_type(), "application/problem+json");
        }
    }
    assert_eq!(
        h.snapshot().await,
        before,
        "a refused request changed state"
    );
}
