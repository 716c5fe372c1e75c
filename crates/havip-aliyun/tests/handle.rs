//! The Alibaba face (`AliyunFace`, through `havip_api::serve`) end to end over a real
//! service (SQLite in a temporary directory, the example seed, a manual clock): both
//! signature algorithms as the SDKs send them (havip_signature's client-side signers),
//! the clock window and nonces, and bad input that must never panic, answer 500 or change
//! state.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use chrono::{DateTime, Utc};
use havip_aliyun::AliyunFace;
use havip_api::{AnyFace, AppState, SharedState};
use havip_core::Profile;
use havip_service::store::sqlite::SqliteStore;
use havip_service::{Clock, ManualClock, SeededIds, Service, ServiceConfig};
use havip_signature::aliyun::{sign_acs3, sign_rpc, AliyunCall, RpcFlavor};
use havip_signature::{Credentials, OwnedRequest};
use http_body_util::BodyExt;
use serde_json::Value;

const AK: &str = "AKDEMO0000000001";
const SK: &str = "demo-secret-0000000000000001";
const HOST: &str = "127.0.0.1:8080";
const REGION: &str = "cn-shanghai";
const HAVIP: &str = "havip-uf6demo0001";
const START_MS: i64 = 1_795_000_000_000;

struct Harness {
    face: AliyunFace,
    state: SharedState,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: u16,
    content_type: String,
    body: Value,
    raw: String,
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Acs3,
    Legacy,
    NewSdkV2,
}

const MODES: [Mode; 3] = [Mode::Acs3, Mode::Legacy, Mode::NewSdkV2];

impl Harness {
    async fn new() -> Harness {
        Harness::at(START_MS).await
    }

    async fn at(start_ms: i64) -> Harness {
        Harness::with_profile(start_ms, havip_aliyun::profile::profile()).await
    }

    async fn with_profile(start_ms: i64, profile: Profile) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path()).await.expect("store");
        let clock = Arc::new(ManualClock::new(start_ms));
        let config = ServiceConfig::default();
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
        Harness {
            face: AliyunFace::new(profile),
            state: Arc::new(AppState {
                service: Arc::new(service),
                admin_tokens: Vec::new(),
                insecure_account: None,
                bodies: Default::default(),
            }),
            clock,
            _dir: dir,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.clock.now_ms()).expect("time")
    }

    fn signed(
        &self,
        mode: Mode,
        action: &str,
        params: &[(&str, &str)],
        nonce: &str,
    ) -> OwnedRequest {
        let call = AliyunCall {
            host: HOST,
            action,
            version: "2016-04-28",
            params,
            form: &[],
            nonce,
            time: self.now(),
        };
        let creds = Credentials {
            access_key_id: AK,
            secret: SK,
            security_token: None,
        };
        match mode {
            Mode::Acs3 => sign_acs3(&call, &creds),
            Mode::Legacy => sign_rpc(&call, &creds, RpcFlavor::Legacy),
            Mode::NewSdkV2 => sign_rpc(&call, &creds, RpcFlavor::NewSdkV2),
        }
    }

    async fn send(&self, req: OwnedRequest) -> Answer {
        let mut builder = Request::builder()
            .method(req.method.as_str())
            .uri(req.target());
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        let request = builder.body(Body::from(req.body)).expect("request");
        self.send_raw(request).await
    }

    async fn send_raw(&self, request: Request) -> Answer {
        let resp = self.face.serve(self.state.clone(), request).await;
        let status = resp.status().as_u16();
        assert!(resp.headers().contains_key("x-acs-request-id"));
        let content_type = resp
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        assert_ne!(status, 500, "never a 500: {raw}");
        Answer {
            status,
            content_type,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            raw,
        }
    }

    async fn call(&self, mode: Mode, action: &str, params: &[(&str, &str)]) -> Answer {
        let nonce = uuid_like();
        self.send(self.signed(mode, action, params, &nonce)).await
    }

    async fn havip(&self) -> Value {
        let a = self
            .call(Mode::Acs3, "DescribeHaVips", &[("RegionId", REGION)])
            .await;
        assert_eq!(a.status, 200, "{}", a.raw);
        a.body["HaVips"]["HaVip"].clone()
    }
}

/// A fresh nonce: a counter, so that no two requests of this process share one.
fn uuid_like() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{n:032x}")
}

#[track_caller]
fn assert_error(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{}", a.raw);
    assert_eq!(a.body["Code"], code, "{}", a.raw);
    for field in ["RequestId", "HostId", "Message", "Recommend"] {
        assert!(a.body[field].is_string(), "{field} missing: {}", a.raw);
    }
}

#[tokio::test]
async fn every_signature_mode_is_accepted() {
    let h = Harness::new().await;
    for mode in MODES {
        let a = h
            .call(
                mode,
                "DescribeHaVips",
                &[("RegionId", REGION), ("PageSize", "5")],
            )
            .await;
        assert_eq!(a.status, 200, "{mode:?}: {}", a.raw);
        assert_eq!(a.content_type, "application/json;charset=utf-8");
        assert_eq!(a.body["PageSize"], 5);
        assert_eq!(a.body["TotalCount"], 1);
        assert!(a.body["RequestId"].is_string());
    }
}

#[tokio::test]
async fn associate_with_every_mode() {
    let h = Harness::new().await;
    let instances = ["i-uf6demo0001", "i-uf6demo0002"];
    for (mode, instance) in [(Mode::Acs3, instances[0]), (Mode::Legacy, instances[1])] {
        let a = h
            .call(
                mode,
                "AssociateHaVip",
                &[
                    ("RegionId", REGION),
                    ("HaVipId", HAVIP),
                    ("InstanceId", instance),
                ],
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.raw);
    }
    let a = h
        .call(
            Mode::NewSdkV2,
            "UnassociateHaVip",
            &[
                ("RegionId", REGION),
                ("HaVipId", HAVIP),
                ("InstanceId", "i-uf6demo0001"),
                ("Force", "True"),
            ],
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.raw);
    let list = h.havip().await;
    assert_eq!(list[0]["MasterInstanceId"], "i-uf6demo0002");
    assert_eq!(
        list[0]["AssociatedInstances"]["associatedInstance"],
        serde_json::json!(["i-uf6demo0002"])
    );
}

#[tokio::test]
async fn create_past_the_quota_is_quota_exceeded_havip() {
    let mut profile = havip_aliyun::profile::profile();
    profile.limits.havips_per_region = 3;
    let h = Harness::with_profile(START_MS, profile).await;
    let create = [("RegionId", REGION), ("VSwitchId", "vsw-uf6demo0001")];
    // The seeded HaVip counts: two more fit.
    for mode in [Mode::Acs3, Mode::Legacy] {
        let a = h.call(mode, "CreateHaVip", &create).await;
        assert_eq!(a.status, 200, "{}", a.raw);
    }
    for mode in MODES {
        let a = h.call(mode, "CreateHaVip", &create).await;
        assert_error(&a, 403, "QuotaExceeded.HaVip");
        assert_eq!(a.body["Message"], "Living HaVip quota exceeded.");
    }
    assert_eq!(h.havip().await.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn a_space_in_a_value_is_signed_as_the_sdks_do() {
    // wire-aliyun.md: `InstanceId=i-xyz+789` on the wire, `i-xyz%20789` when signed.
    let h = Harness::new().await;
    for mode in MODES {
        let a = h
            .call(
                mode,
                "AssociateHaVip",
                &[
                    ("RegionId", REGION),
                    ("HaVipId", HAVIP),
                    ("InstanceId", "i-xyz 789"),
                ],
            )
            .await;
        assert_error(&a, 400, "InvalidInstanceId.NotFound");
    }
}

#[tokio::test]
async fn clock_window_and_nonces() {
    let h = Harness::new().await;
    for mode in MODES {
        let req = h.signed(
            mode,
            "DescribeHaVips",
            &[("RegionId", REGION)],
            &uuid_like(),
        );
        h.clock.advance(16 * 60 * 1000);
        assert_error(&h.send(req).await, 400, "InvalidTimeStamp.Expired");

        let nonce = uuid_like();
        let first = h.signed(mode, "DescribeHaVips", &[("RegionId", REGION)], &nonce);
        assert_eq!(h.send(first.clone()).await.status, 200);
        assert_error(&h.send(first).await, 400, "SignatureNonceUsed");
    }
}

#[tokio::test]
async fn a_tampered_request_is_refused() {
    let h = Harness::new().await;
    for mode in MODES {
        let mut req = h.signed(
            mode,
            "AssociateHaVip",
            &[
                ("RegionId", REGION),
                ("HaVipId", HAVIP),
                ("InstanceId", "i-uf6demo0001"),
            ],
            &uuid_like(),
        );
        req.query = req.query.replace("i-uf6demo0001", "i-uf6demo0002");
        assert_error(&h.send(req).await, 400, "SignatureDoesNotMatch");
    }
    assert_eq!(h.havip().await[0]["Status"], "Available");
}

#[tokio::test]
async fn bad_input_never_panics_and_changes_nothing() {
    let h = Harness::new().await;
    let before = h.havip().await;
    let hostile: &[&[(&str, &str)]] = &[
        &[("RegionId", REGION)],
        &[("RegionId", "")],
        &[
            ("RegionId", REGION),
            ("HaVipId", "../../etc"),
            ("InstanceId", "i-uf6demo0001"),
        ],
        &[
            ("RegionId", REGION),
            ("HaVipId", HAVIP),
            ("InstanceId", "i-uf6demo0001"),
            ("InstanceType", "x"),
        ],
        &[
            ("RegionId", REGION),
            ("HaVipId", HAVIP),
            ("InstanceId", "i-uf6demo0001"),
            ("ClientToken", "é"),
        ],
        &[
            ("RegionId", REGION),
            ("HaVipId", HAVIP),
            ("InstanceId", "\u{0}"),
        ],
        &[
            ("RegionId", REGION),
            ("Filter.1.Key", "HaVipId"),
            ("Filter.1.Value.99", "x"),
        ],
        &[
            ("RegionId", REGION),
            ("Filter.99999999999999999999.Key", "HaVipId"),
        ],
        &[("RegionId", REGION), ("PageSize", "18446744073709551616")],
        &[
            ("RegionId", REGION),
            ("PageNumber", "4294967295"),
            ("PageSize", "50"),
        ],
        &[
            ("RegionId", REGION),
            ("ResourceType", "HAVIP"),
            ("ResourceId.1", HAVIP),
            ("Tag.1.Value", "v"),
        ],
        &[
            ("RegionId", REGION),
            ("ResourceType", "HAVIP"),
            ("ResourceId.1", HAVIP),
            ("NextToken", "-1"),
        ],
        &[
            ("RegionId", REGION),
            ("ResourceType", "HAVIP"),
            ("ResourceId.1", HAVIP),
            ("MaxResults", "0"),
        ],
    ];
    let actions = [
        "AssociateHaVip",
        "UnassociateHaVip",
        "DescribeHaVips",
        "CreateHaVip",
        "ModifyHaVipAttribute",
        "TagResources",
        "UnTagResources",
        "ListTagResources",
    ];
    for params in hostile {
        for action in actions {
            let a = h.call(Mode::Acs3, action, params).await;
            assert!(
                a.status == 200 || a.body["Code"].is_string(),
                "{action} {params:?}: {}",
                a.raw
            );
            if action != "DescribeHaVips" && action != "ListTagResources" && a.status == 200 {
                // Only the reads and harmless writes may succeed here.
                assert!(
                    matches!(action, "UnTagResources" | "ModifyHaVipAttribute"),
                    "{action} {params:?} succeeded: {}",
                    a.raw
                );
            }
        }
    }
    let a = h
        .call(
            Mode::Acs3,
            "DeleteHaVip",
            &[("RegionId", REGION), ("HaVipId", "../x")],
        )
        .await;
    assert_error(&a, 404, "InvalidHaVipId.NotFound");
    assert_eq!(h.havip().await, before);
}

#[tokio::test]
async fn raw_garbage_gets_an_alibaba_error() {
    let h = Harness::new().await;
    let cases = [
        "/",
        "/?Action=DescribeHaVips",
        "/?%FF%FE=1",
        "/?Signature=abc",
        "/?AccessKeyId=AKDEMO0000000001&Signature=x&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Timestamp=x&SignatureNonce=n",
        "/?Format=XML",
    ];
    for uri in cases {
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        let a = h.send_raw(req).await;
        assert!((400..500).contains(&a.status), "{uri}: {}", a.raw);
        if uri.contains("Format=XML") {
            assert_eq!(a.content_type, "text/xml;charset=utf-8");
            assert!(a.raw.contains("<Error><RequestId>"), "{}", a.raw);
        } else {
            assert!(a.body["Code"].is_string(), "{uri}: {}", a.raw);
        }
    }
}

/// The requests recorded from the SDKs in wire-aliyun.md (2.1 and 2.3), byte for byte, with
/// the AK/SK they were signed with (`testAK`/`testSK`). Their region `cn-hangzhou` is not in
/// the seed, so a request that passes the signature check ends at InvalidRegionId.NotFound.
const WIRE_ACS3_QUERY: &str =
    "ClientToken=tok-1&HaVipId=havip-abc123&InstanceId=i-xyz+789&InstanceType=EcsInstance&RegionId=cn-hangzhou";
const WIRE_ACS3_HEADERS: &[(&str, &str)] = &[
    ("accept-encoding", "identity"),
    ("host", "127.0.0.1:18555"),
    ("x-acs-version", "2016-04-28"),
    ("x-acs-action", "AssociateHaVip"),
    ("user-agent", "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"),
    ("x-acs-date", "2026-11-21T23:34:56Z"),
    ("x-acs-signature-nonce", "b9711d779998c556be7e792c7350a1e5"),
    ("accept", "application/json"),
    ("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("x-acs-credentials-provider", "static_ak"),
    ("authorization", "ACS3-HMAC-SHA256 Credential=testAK,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=7b080e3733819f11d48ceeacd3db809b296e5c347c3d8f1ed4c99a97c7da1a97"),
    ("content-length", "0"),
];
const WIRE_RPC_QUERY: &str = "HaVipId=havip-abc123&InstanceId=i-xyz%20789&InstanceType=EcsInstance&ClientToken=tok-1&Version=2016-04-28&Action=AssociateHaVip&Format=JSON&RegionId=cn-hangzhou&Timestamp=2026-11-21T23%3A35%3A10Z&SignatureMethod=HMAC-SHA1&SignatureType=&SignatureVersion=1.0&SignatureNonce=2bab6ffe5bd625a38166970232cda7c7&AccessKeyId=testAK&Signature=NUUd583z3Hl2cP2oIwQieVgHV0Y%3D";
const WIRE_RPC_STRING_TO_SIGN: &str = "POST&%2F&AccessKeyId%3DtestAK%26Action%3DAssociateHaVip%26ClientToken%3Dtok-1%26Format%3DJSON%26HaVipId%3Dhavip-abc123%26InstanceId%3Di-xyz%2520789%26InstanceType%3DEcsInstance%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D2bab6ffe5bd625a38166970232cda7c7%26SignatureType%3D%26SignatureVersion%3D1.0%26Timestamp%3D2026-11-21T23%253A35%253A10Z%26Version%3D2016-04-28";
/// 2026-11-21T23:35:00Z, between the two recorded requests.
const WIRE_TIME_MS: i64 = 1_795_304_100_000;

fn wire_acs3() -> Request {
    let mut b = Request::builder()
        .method("POST")
        .uri(format!("/?{WIRE_ACS3_QUERY}"));
    for (k, v) in WIRE_ACS3_HEADERS {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).expect("request")
}

fn wire_rpc() -> Request {
    Request::builder()
        .method("POST")
        .uri(format!("/?{WIRE_RPC_QUERY}"))
        .header("host", "127.0.0.1:18555")
        .header("x-acs-action", "AssociateHaVip")
        .header("x-acs-version", "2016-04-28")
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn the_recorded_sdk_requests_verify() {
    let h = Harness::at(WIRE_TIME_MS).await;
    h.state
        .service
        .create_access_key("1000000000000001", Some("testAK"), Some("testSK"))
        .await
        .expect("key");
    assert_error(
        &h.send_raw(wire_acs3()).await,
        404,
        "InvalidRegionId.NotFound",
    );
    assert_error(
        &h.send_raw(wire_rpc()).await,
        404,
        "InvalidRegionId.NotFound",
    );
    // Sent again, their nonces are spent.
    assert_error(&h.send_raw(wire_acs3()).await, 400, "SignatureNonceUsed");
    assert_error(&h.send_raw(wire_rpc()).await, 400, "SignatureNonceUsed");
}

#[tokio::test]
async fn a_wrong_secret_answers_the_recorded_string_to_sign() {
    let h = Harness::at(WIRE_TIME_MS).await;
    h.state
        .service
        .create_access_key("1000000000000001", Some("testAK"), Some("another-secret"))
        .await
        .expect("key");
    let a = h.send_raw(wire_rpc()).await;
    assert_error(&a, 400, "SignatureDoesNotMatch");
    let message = a.body["Message"].as_str().unwrap_or("");
    assert_eq!(message.split(':').nth(1), Some(WIRE_RPC_STRING_TO_SIGN));
    let a = h.send_raw(wire_acs3()).await;
    assert_error(&a, 400, "SignatureDoesNotMatch");
}

/// The ACS3 canonical query encodes parameter names: a signed request rewritten so that
/// two parameters fold into one name (`ClientToken=..&Description` as a name) had the
/// same canonical form as the original when names were not encoded, and would have
/// modified the HaVip without its ClientToken and Description. It is refused now.
#[tokio::test]
async fn acs3_parameters_folded_into_a_name_are_refused() {
    let h = Harness::new().await;
    let before = h.havip().await;
    let mut req = h.signed(
        Mode::Acs3,
        "ModifyHaVipAttribute",
        &[
            ("ClientToken", "tok-1"),
            ("Description", "d"),
            ("HaVipId", HAVIP),
            ("Name", "forged"),
            ("RegionId", REGION),
        ],
        &uuid_like(),
    );
    let signed_query =
        format!("ClientToken=tok-1&Description=d&HaVipId={HAVIP}&Name=forged&RegionId={REGION}");
    assert_eq!(req.query, signed_query);
    req.query = format!(
        "ClientToken%3Dtok-1%26Description=d&HaVipId={HAVIP}&Name=forged&RegionId={REGION}"
    );
    let a = h.send(req).await;
    assert_error(&a, 400, "SignatureDoesNotMatch");
    assert!(
        a.body["Message"]
            .as_str()
            .is_some_and(|m| m.contains("server string to sign is:")),
        "{}",
        a.raw
    );
    assert_eq!(h.havip().await, before, "nothing changed");
}

/// The RPC signature covers the parameters, never a header: the operation comes from the
/// signed `Action`, and an unsigned `x-acs-action` header beside it is not read.
#[tokio::test]
async fn rpc_operation_never_comes_from_an_unsigned_header() {
    let h = Harness::new().await;
    let before = h.havip().await;
    for mode in [Mode::Legacy, Mode::NewSdkV2] {
        let mut req = h.signed(
            mode,
            "DescribeHaVips",
            &[("RegionId", REGION), ("HaVipId", HAVIP)],
            &uuid_like(),
        );
        req.headers
            .insert("x-acs-action", "DeleteHaVip".parse().expect("header"));
        req.headers
            .insert("x-acs-version", "2016-04-28".parse().expect("header"));
        let a = h.send(req).await;
        assert_eq!(a.status, 200, "{mode:?}: {}", a.raw);
        assert_eq!(a.body["TotalCount"], 1, "a describe answered: {}", a.raw);
        assert!(a.body["HaVips"]["HaVip"].is_array(), "{}", a.raw);

        // A signed but empty Action does not fall back to the header either.
        let mut req = h.signed(
            mode,
            "",
            &[("RegionId", REGION), ("HaVipId", HAVIP)],
            &uuid_like(),
        );
        req.headers
            .insert("x-acs-action", "DeleteHaVip".parse().expect("header"));
        let a = h.send(req).await;
        assert_error(&a, 400, "MissingParameter");
        assert!(
            a.body["Message"]
                .as_str()
                .is_some_and(|m| m.contains("\"Action\"")),
            "{}",
            a.raw
        );
    }
    assert_eq!(h.havip().await, before, "nothing changed");
}

/// Every official SDK signs `host` in ACS3; a request that does not is refused with
/// IncompleteSignature, and the message says which header is missing from SignedHeaders.
#[tokio::test]
async fn acs3_without_a_signed_host_is_refused_and_told_why() {
    let h = Harness::new().await;
    let before = h.havip().await;
    let mut req = h.signed(
        Mode::Acs3,
        "DeleteHaVip",
        &[("RegionId", REGION), ("HaVipId", HAVIP)],
        &uuid_like(),
    );
    req.headers.remove("authorization");
    let signed = [
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    ];
    let creds = Credentials {
        access_key_id: AK,
        secret: SK,
        security_token: None,
    };
    let authorization = havip_signature::aliyun::acs3_authorization(&req.parts(), &signed, &creds)
        .expect("authorization");
    req.headers
        .insert("authorization", authorization.parse().expect("header"));
    let a = h.send(req).await;
    assert_error(&a, 400, "IncompleteSignature");
    let message = a.body["Message"].as_str().unwrap_or_default();
    assert!(
        message.contains("The header host must be signed"),
        "{}",
        a.raw
    );
    assert_eq!(h.havip().await, before, "nothing changed");
}

/// Names and descriptions with control characters are refused with the codes of the
/// Name and Description rules, and nothing changes.
#[tokio::test]
async fn control_characters_in_names_and_descriptions_are_refused() {
    let h = Harness::new().await;
    let before = h.havip().await;
    for mode in MODES {
        for bad in ["a\u{0}b", "web\nvip", "tab\there", "bell\u{7}", "del\u{7f}"] {
            let a = h
                .call(
                    mode,
                    "ModifyHaVipAttribute",
                    &[("RegionId", REGION), ("HaVipId", HAVIP), ("Name", bad)],
                )
                .await;
            assert_error(&a, 400, "Abs.Vpc.InvalidName.Malformed");
            let a = h
                .call(
                    mode,
                    "ModifyHaVipAttribute",
                    &[
                        ("RegionId", REGION),
                        ("HaVipId", HAVIP),
                        ("Description", bad),
                    ],
                )
                .await;
            assert_error(&a, 400, "InvalidDescription.Malformed");
            let a = h
                .call(
                    mode,
                    "CreateHaVip",
                    &[
                        ("RegionId", REGION),
                        ("VSwitchId", "vsw-uf6demo0001"),
                        ("Name", bad),
                    ],
                )
                .await;
            assert_error(&a, 400, "Abs.Vpc.InvalidName.Malformed");
        }
    }
    assert_eq!(h.havip().await, before, "nothing changed");
}
