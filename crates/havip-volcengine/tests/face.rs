//! The face in process, over a real SQLite store and a manual clock: the request captured
//! from the Python SDK in wire-volcengine.md §2.4 (AK `AKLTtestak`, SK `dGVzdHNr`) passes
//! the signature check at its own X-Date and fails 16 minutes later or once a signed byte
//! changes; parameters also come from a form body; `--insecure-no-auth` serves unsigned
//! requests.

use std::sync::Arc;

use axum::body::Body;
use chrono::{DateTime, NaiveDateTime, Utc};
use havip_api::{AppState, SharedState};
use havip_service::store::sqlite::SqliteStore;
use havip_service::{ManualClock, NewSubnet, NewVpc, SeededIds, Service, ServiceConfig};
use havip_signature::{volcengine, Credentials, OwnedRequest};
use http_body_util::BodyExt;
use serde_json::Value;

const CAPTURED_QUERY: &str = "ClientToken=tok-123&HaVipId=havip-2byzv8icq1b7k2dx0eegb%2A%2A%2A%2A&InstanceId=i-3tiefmkskq3vj0%2A%2A%2A%2A%2A%2A&InstanceType=EcsInstance&Action=AssociateHaVip&Version=2020-04-01";
const CAPTURED_DATE: &str = "20261121T233732Z";
const CAPTURED_AUTH: &str = "HMAC-SHA256 Credential=AKLTtestak/20261121/cn-beijing/vpc/request, SignedHeaders=content-type;host;x-content-sha256;x-date;x-sdk-invocation-id;x-sdk-request, Signature=38c982e96b334e056ae7bcd5f311b374f33be130fd8e86d52596c467cf3d972d";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn captured_ms() -> i64 {
    NaiveDateTime::parse_from_str(CAPTURED_DATE, "%Y%m%dT%H%M%SZ")
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or_default()
}

struct Fixture {
    face: havip_volcengine::VolcengineFace,
    state: SharedState,
    clock: Arc<ManualClock>,
    store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
}

async fn fixture(insecure: bool) -> Fixture {
    fixture_with(insecure, havip_volcengine::profile::profile()).await
}

async fn fixture_with(insecure: bool, profile: havip_core::Profile) -> Fixture {
    let config = ServiceConfig::default();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let clock = Arc::new(ManualClock::new(captured_ms()));
    let service = Arc::new(Service::new(
        store.clone(),
        config,
        clock.clone(),
        Arc::new(SeededIds::new(1)),
    ));
    service
        .create_account("2100000001", "test")
        .await
        .expect("account");
    service
        .create_access_key("2100000001", Some("AKLTtestak"), Some("dGVzdHNr"))
        .await
        .expect("key");
    service
        .create_vpc(&NewVpc {
            id: Some("vpc-1".into()),
            account: "2100000001".into(),
            region: "cn-beijing".into(),
            cidr: "192.168.0.0/16".into(),
            name: String::new(),
        })
        .await
        .expect("vpc");
    let state = Arc::new(AppState {
        service,
        admin_tokens: Vec::new(),
        insecure_account: insecure.then(|| "2100000001".to_string()),
        bodies: Default::default(),
    });
    Fixture {
        face: havip_volcengine::VolcengineFace::new(profile),
        state,
        clock,
        store,
        _dir: dir,
    }
}

fn captured(query: &str) -> http::Request<Body> {
    http::Request::builder()
        .method("GET")
        .uri(format!("/?{query}"))
        .header("Accept-Encoding", "identity")
        .header("Accept", "application/json")
        .header("Content-Type", "text/plain")
        .header("User-Agent", "volcstack-python-sdk/5.0.54")
        .header(
            "X-Sdk-Invocation-Id",
            "f8ff8c18-1200-4b2c-a4c7-0b1f2546a131",
        )
        .header("X-Sdk-Request", "attempt=1; max=1")
        .header("Host", "127.0.0.1:18765")
        .header("X-Date", CAPTURED_DATE)
        .header("X-Content-Sha256", EMPTY_SHA256)
        .header("Authorization", CAPTURED_AUTH)
        .body(Body::empty())
        .expect("request")
}

async fn call(f: &Fixture, req: http::Request<Body>) -> (u16, Value) {
    let resp = havip_api::AnyFace::serve(&f.face, f.state.clone(), req).await;
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).expect("json"))
}

fn code(body: &Value) -> &str {
    body["ResponseMetadata"]["Error"]["Code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn the_captured_sdk_request_passes_the_signature_check() {
    let f = fixture(false).await;
    let (status, body) = call(&f, captured(CAPTURED_QUERY)).await;
    // Past the signature: the HaVip of the capture does not exist here.
    assert_eq!(
        (status, code(&body)),
        (404, "InvalidHaVip.NotFound"),
        "{body}"
    );
    let meta = &body["ResponseMetadata"];
    assert_eq!(meta["Action"], "AssociateHaVip");
    assert_eq!(meta["Version"], "2020-04-01");
    assert_eq!(meta["Service"], "vpc");
    assert_eq!(meta["Region"], "cn-beijing");
    assert!(meta["Error"]["CodeN"].is_i64());
}

#[tokio::test]
async fn the_captured_request_expires_after_15_minutes() {
    let f = fixture(false).await;
    f.clock.advance(14 * 60 * 1000);
    let (status, body) = call(&f, captured(CAPTURED_QUERY)).await;
    assert_eq!(status, 404, "{body}");
    f.clock.advance(2 * 60 * 1000);
    let (status, body) = call(&f, captured(CAPTURED_QUERY)).await;
    assert_eq!((status, code(&body)), (400, "InvalidTimestamp"));
}

#[tokio::test]
async fn a_changed_signed_byte_is_refused() {
    let f = fixture(false).await;
    let query = CAPTURED_QUERY.replace("tok-123", "tok-124");
    let (status, body) = call(&f, captured(&query)).await;
    assert_eq!((status, code(&body)), (401, "SignatureDoesNotMatch"));
    let mut req = captured(CAPTURED_QUERY);
    req.headers_mut()
        .insert("host", http::HeaderValue::from_static("127.0.0.1:18766"));
    let (status, body) = call(&f, req).await;
    assert_eq!((status, code(&body)), (401, "SignatureDoesNotMatch"));
}

fn signed_form_post(body: &str, time: DateTime<Utc>) -> http::Request<Body> {
    let mut req = OwnedRequest {
        method: "POST".into(),
        path: "/".into(),
        query: "Action=DescribeHaVips&Version=2020-04-01".into(),
        headers: http::HeaderMap::new(),
        body: body.as_bytes().to_vec(),
    };
    let h = &mut req.headers;
    h.insert(
        "content-type",
        http::HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
    );
    h.insert("host", http::HeaderValue::from_static("127.0.0.1:18765"));
    let date = time.format(volcengine::DATE_FORMAT).to_string();
    h.insert("x-date", http::HeaderValue::from_str(&date).expect("date"));
    let creds = Credentials {
        access_key_id: "AKLTtestak",
        secret: "dGVzdHNr",
        security_token: None,
    };
    let auth = volcengine::authorization(
        &req.parts(),
        &["content-type", "host", "x-date"],
        "cn-beijing",
        "vpc",
        &creds,
    )
    .expect("sign");
    let mut builder = http::Request::builder()
        .method("POST")
        .uri(format!("/?{}", req.query));
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    builder
        .header("authorization", auth)
        .body(Body::from(req.body.clone()))
        .expect("request")
}

#[tokio::test]
async fn parameters_also_come_from_a_form_body() {
    let f = fixture(false).await;
    let now = DateTime::from_timestamp_millis(captured_ms()).unwrap_or_default();
    let (status, body) = call(&f, signed_form_post("PageSize=0", now)).await;
    assert_eq!((status, code(&body)), (400, "InvalidParameter"), "{body}");
    let (status, body) = call(&f, signed_form_post("PageSize=5", now)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Result"]["PageSize"], 5);
    assert_eq!(body["Result"]["TotalCount"], 0);
    assert_eq!(
        body["Result"]["RequestId"],
        body["ResponseMetadata"]["RequestId"]
    );
}

#[tokio::test]
async fn insecure_mode_serves_unsigned_requests_in_the_named_region() {
    let f = fixture(true).await;
    let unsigned = |region: Option<&'static str>| {
        let mut b = http::Request::builder().uri("/?Action=DescribeHaVips&Version=2020-04-01");
        if let Some(r) = region {
            b = b.header("Region", r);
        }
        b.body(Body::empty()).expect("request")
    };
    let (status, body) = call(&f, unsigned(Some("cn-beijing"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ResponseMetadata"]["Region"], "cn-beijing");
    let (status, body) = call(&f, unsigned(None)).await;
    assert_eq!((status, code(&body)), (400, "MissingRequestInfo"));
    // Signed requests are still verified.
    let (status, _) = call(&f, captured(&CAPTURED_QUERY.replace("tok-123", "x"))).await;
    assert_eq!(status, 401);

    let secure = fixture(false).await;
    let (status, body) = call(&secure, unsigned(Some("cn-beijing"))).await;
    assert_eq!((status, code(&body)), (401, "MissingAuthenticationToken"));
}

#[tokio::test]
async fn create_past_the_quota_is_quota_exceeded_havip() {
    let mut profile = havip_volcengine::profile::profile();
    profile.limits.havips_per_region = 2;
    let f = fixture_with(true, profile).await;
    f.state
        .service
        .create_subnet(&NewSubnet {
            id: Some("subnet-1".into()),
            vpc: "vpc-1".into(),
            zone: "cn-beijing-a".into(),
            cidr: "192.168.1.0/24".into(),
            name: String::new(),
        })
        .await
        .expect("subnet");
    let create = || {
        http::Request::builder()
            .uri("/?Action=CreateHaVip&Version=2020-04-01&SubnetId=subnet-1")
            .header("Region", "cn-beijing")
            .body(Body::empty())
            .expect("request")
    };
    for _ in 0..2 {
        let (status, body) = call(&f, create()).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = call(&f, create()).await;
    assert_eq!(
        (status, code(&body)),
        (400, "QuotaExceeded.HaVip"),
        "{body}"
    );
    let meta = &body["ResponseMetadata"];
    assert_eq!(meta["Action"], "CreateHaVip");
    assert_eq!(meta["Error"]["CodeN"], 10033);
    assert_eq!(
        meta["Error"]["Message"],
        "You've reached the quota on the number of HaVips that you can create in this region."
    );
    assert!(body.get("Result").is_none(), "{body}");
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_the_envelope() {
    let f = fixture(false).await;
    let big = vec![b'a'; havip_api::MAX_BODY_BYTES + 1];
    let req = http::Request::builder()
        .method("POST")
        .uri("/?Action=DescribeHaVips&Version=2020-04-01")
        .body(Body::from(big))
        .expect("request");
    let (status, body) = call(&f, req).await;
    assert_eq!((status, code(&body)), (413, "RequestEntityTooLarge"));
    assert!(body["ResponseMetadata"]["RequestId"].is_string());
}

#[tokio::test]
async fn a_store_that_is_down_answers_service_unavailable() {
    let f = fixture(false).await;
    f.store.close().await;
    let (status, body) = call(&f, captured(CAPTURED_QUERY)).await;
    assert_eq!(
        (status, code(&body)),
        (503, "ServiceUnavailableTemp"),
        "{body}"
    );
    assert_eq!(body["ResponseMetadata"]["Error"]["CodeN"], 100014);
}

// --- The official Node.js SDK ------------------------------------------------------------

/// volc-sdk-nodejs `src/base/sign.ts` `uriEscape`: `encodeURIComponent`, then `escape` on
/// what it leaves (`!'()`), then `*` → `%2A`; that is RFC 3986 (unreserved kept, the rest
/// `%XX` uppercase). `qs.stringify` (RFC 3986 format) encodes the wire query the same way.
fn node_uri_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn node_hmac(key: &[u8], msg: &str) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    mac.update(msg.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn node_sha256(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

/// A GET exactly as `@volcengine/openapi` 1.36.0 signs and sends it: `Service.createAPI`
/// (GET, query only) → `fetchOpenAPI` (`src/base/service.ts`) → `Signer.addAuthorization`
/// (`src/base/sign.ts`) → axios (`src/base/fetch.ts`). Re-implemented here from those
/// files, independently of havip_signature:
/// * params = business params + `Action` + `Version`, keys sorted (`sortParams`); the wire
///   query is `qs.stringify` of that sorted object;
/// * the only header set before signing is `X-Date` (no body on a GET, so no
///   `X-Content-Sha256`; `X-Security-Token` only with a session token); every header not
///   in `unsignableHeaders` is signed, so `SignedHeaders=x-date`. Host, Content-Type and
///   User-Agent are added afterwards by `fetch.ts`/axios and are not signed;
/// * canonical request `GET\n/\n<query>\nx-date:<date>\n\nx-date\n<sha256("")>`;
/// * the date/region/service/`request` key chain, `Credential=AK/<scope>, SignedHeaders=..,
///   Signature=..` joined with `", "`.
fn node_sdk_get(
    params: &[(&str, &str)],
    action: &str,
    time: DateTime<Utc>,
    ak: &str,
    sk: &str,
    region: &str,
) -> http::Request<Body> {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    all.push(("Action", action));
    all.push(("Version", "2020-04-01"));
    all.sort_by(|a, b| a.0.cmp(b.0));
    let query = all
        .iter()
        .map(|(k, v)| format!("{}={}", node_uri_escape(k), node_uri_escape(v)))
        .collect::<Vec<_>>()
        .join("&");
    let datetime = time.format("%Y%m%dT%H%M%SZ").to_string();
    let date = &datetime[..8];
    let scope = format!("{date}/{region}/vpc/request");
    let canonical = [
        "GET".to_string(),
        "/".to_string(),
        query.clone(),
        format!("x-date:{datetime}\n"),
        "x-date".to_string(),
        node_sha256(""),
    ]
    .join("\n");
    let string_to_sign = [
        "HMAC-SHA256".to_string(),
        datetime.clone(),
        scope.clone(),
        node_sha256(&canonical),
    ]
    .join("\n");
    let k_date = node_hmac(sk.as_bytes(), date);
    let k_region = node_hmac(&k_date, region);
    let k_service = node_hmac(&k_region, "vpc");
    let k_signing = node_hmac(&k_service, "request");
    let signature = hex::encode(node_hmac(&k_signing, &string_to_sign));
    let authorization =
        format!("HMAC-SHA256 Credential={ak}/{scope}, SignedHeaders=x-date, Signature={signature}");
    http::Request::builder()
        .method("GET")
        .uri(format!("/?{query}"))
        .header("Accept", "application/json, text/plain, */*")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Date", datetime)
        .header("Authorization", authorization)
        .header("User-Agent", "volc-sdk-nodejs/v1.36.0")
        .header("Host", "127.0.0.1:18765")
        .header("Connection", "close")
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn a_request_signed_as_the_node_sdk_signs_it_is_accepted() {
    let f = fixture(false).await;
    let now = DateTime::from_timestamp_millis(captured_ms()).unwrap_or_default();
    let req = node_sdk_get(
        &[("PageSize", "5"), ("HaVipName", "a b*(c)")],
        "DescribeHaVips",
        now,
        "AKLTtestak",
        "dGVzdHNr",
        "cn-beijing",
    );
    assert!(
        req.uri()
            .query()
            .is_some_and(|q| q.contains("HaVipName=a%20b%2A%28c%29")),
        "{}",
        req.uri()
    );
    let (status, body) = call(&f, req).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Result"]["PageSize"], 5);
    assert_eq!(body["Result"]["TotalCount"], 0);
    assert_eq!(body["ResponseMetadata"]["Region"], "cn-beijing");

    // The same request with another secret is still refused: only Host went unsigned.
    let req = node_sdk_get(
        &[],
        "DescribeHaVips",
        now,
        "AKLTtestak",
        "other",
        "cn-beijing",
    );
    let (status, body) = call(&f, req).await;
    assert_eq!(
        (status, code(&body)),
        (401, "SignatureDoesNotMatch"),
        "{body}"
    );
}

#[tokio::test]
async fn an_unsigned_x_date_is_refused_and_named() {
    let f = fixture(false).await;
    let now = DateTime::from_timestamp_millis(captured_ms()).unwrap_or_default();
    let before = havip_count(&f, now).await;
    let mut req = OwnedRequest {
        method: "GET".into(),
        path: "/".into(),
        query: "Action=CreateHaVip&SubnetId=subnet-1&Version=2020-04-01".into(),
        headers: http::HeaderMap::new(),
        body: Vec::new(),
    };
    req.headers
        .insert("host", http::HeaderValue::from_static("127.0.0.1:18765"));
    let date = now.format(volcengine::DATE_FORMAT).to_string();
    req.headers
        .insert("x-date", http::HeaderValue::from_str(&date).expect("date"));
    let creds = Credentials {
        access_key_id: "AKLTtestak",
        secret: "dGVzdHNr",
        security_token: None,
    };
    let auth = volcengine::authorization(&req.parts(), &["host"], "cn-beijing", "vpc", &creds)
        .expect("sign");
    let request = http::Request::builder()
        .method("GET")
        .uri(format!("/?{}", req.query))
        .header("host", "127.0.0.1:18765")
        .header("x-date", date)
        .header("authorization", auth)
        .body(Body::empty())
        .expect("request");
    let (status, body) = call(&f, request).await;
    assert_eq!(
        (status, code(&body)),
        (401, "SignatureDoesNotMatch"),
        "{body}"
    );
    assert_eq!(body["ResponseMetadata"]["Error"]["CodeN"], 100010);
    let message = body["ResponseMetadata"]["Error"]["Message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("The header x-date must be signed"),
        "{body}"
    );
    assert_eq!(havip_count(&f, now).await, before, "nothing changed");
}

/// How many HaVips DescribeHaVips lists for the test account.
async fn havip_count(f: &Fixture, now: DateTime<Utc>) -> Value {
    let (status, body) = call(f, signed_form_post("PageSize=100", now)).await;
    assert_eq!(status, 200, "{body}");
    body["Result"]["TotalCount"].clone()
}

/// A POST whose body is JSON, signed (content-type, host, x-date) as the Go SDK signs a
/// JSON operation.
fn signed_json_post(action: &str, body: &str, time: DateTime<Utc>) -> http::Request<Body> {
    let mut req = OwnedRequest {
        method: "POST".into(),
        path: "/".into(),
        query: format!("Action={action}&Version=2020-04-01"),
        headers: http::HeaderMap::new(),
        body: body.as_bytes().to_vec(),
    };
    let h = &mut req.headers;
    h.insert(
        "content-type",
        http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert("host", http::HeaderValue::from_static("127.0.0.1:18765"));
    let date = time.format(volcengine::DATE_FORMAT).to_string();
    h.insert("x-date", http::HeaderValue::from_str(&date).expect("date"));
    let creds = Credentials {
        access_key_id: "AKLTtestak",
        secret: "dGVzdHNr",
        security_token: None,
    };
    let auth = volcengine::authorization(
        &req.parts(),
        &["content-type", "host", "x-date"],
        "cn-beijing",
        "vpc",
        &creds,
    )
    .expect("sign");
    let mut builder = http::Request::builder()
        .method("POST")
        .uri(format!("/?{}", req.query));
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    builder
        .header("authorization", auth)
        .body(Body::from(req.body.clone()))
        .expect("request")
}

#[tokio::test]
async fn a_json_body_of_the_wrong_shape_is_invalid_parameter() {
    let f = fixture(false).await;
    let now = DateTime::from_timestamp_millis(captured_ms()).unwrap_or_default();
    let before = havip_count(&f, now).await;
    // An object body is read like the query.
    let (status, body) = call(
        &f,
        signed_json_post("DescribeHaVips", r#"{"PageSize": 3}"#, now),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Result"]["PageSize"], 3);
    for bad in [
        r#"[{"SubnetId": "subnet-1"}]"#,
        r#""SubnetId""#,
        "5",
        "null",
        "{not json",
    ] {
        let (status, body) = call(&f, signed_json_post("CreateHaVip", bad, now)).await;
        assert_eq!(
            (status, code(&body)),
            (400, "InvalidParameter"),
            "{bad}: {body}"
        );
        let error = &body["ResponseMetadata"]["Error"];
        assert_eq!(error["CodeN"], 10001, "{body}");
        assert!(
            error["Message"]
                .as_str()
                .is_some_and(|m| m.starts_with("The request body is invalid: ")),
            "{body}"
        );
        assert_eq!(body["ResponseMetadata"]["Action"], "CreateHaVip", "{body}");
        assert!(body.get("Result").is_none(), "{body}");
    }
    assert_eq!(havip_count(&f, now).await, before, "nothing changed");
}

#[tokio::test]
async fn control_characters_in_names_and_descriptions_are_refused() {
    let f = fixture(false).await;
    let now = DateTime::from_timestamp_millis(captured_ms()).unwrap_or_default();
    let before = havip_count(&f, now).await;
    for bad in ["a\u{0}b", "vip\n", "a\tb", "x\u{7f}"] {
        for (param, code_want, code_n) in [
            ("HaVipName", "InvalidName.Malformed", 10004),
            ("Description", "InvalidDescription.Malformed", 10005),
        ] {
            let req = node_sdk_get(
                &[("SubnetId", "subnet-1"), (param, bad)],
                "CreateHaVip",
                now,
                "AKLTtestak",
                "dGVzdHNr",
                "cn-beijing",
            );
            let (status, body) = call(&f, req).await;
            assert_eq!((status, code(&body)), (400, code_want), "{bad:?}: {body}");
            assert_eq!(body["ResponseMetadata"]["Error"]["CodeN"], code_n);
            assert!(body.get("Result").is_none(), "{body}");
        }
    }
    assert_eq!(havip_count(&f, now).await, before, "nothing changed");
}
