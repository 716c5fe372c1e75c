//! The face in process, over a real SQLite store and a manual clock: the requests captured
//! from `tencentcloud-sdk-python` 3.1.193 (crates/havip-signature/tests/tencent_vectors.json,
//! SecretId `AKIDVECTOR0000000001`) pass the signature check at their own
//! `X-TC-Timestamp` and are served; they fail 301 seconds later or once a signed byte
//! changes; every other request is signed here the way the SDK signs
//! (`havip_signature::tencent::sign`). Every answer is HTTP 200, `application/json`, in the
//! `{"Response": ...}` envelope with a RequestId; bad input changes nothing.

use std::sync::Arc;

use axum::body::Body;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use havip_api::{AppState, SharedState};
use havip_core::{MemberKind, Target};
use havip_service::store::sqlite::SqliteStore;
use havip_service::{
    Caller, ManualClock, NewInstance, NewSubnet, NewVpc, SeededIds, Service, ServiceConfig,
};
use havip_signature::tencent::{self, TencentCall};
use havip_signature::Credentials;
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{json, Value};

const ACCOUNT: &str = "1000000000000001";
const AK: &str = "AKIDVECTOR0000000001";
const SK: &str = "vector-secret-tencent-0001";
const REGION: &str = "ap-guangzhou";
const VPC: &str = "vpc-2at5y1pn";
const SUBNET: &str = "subnet-qq51iwr4";
/// `X-TC-Timestamp` of every captured request.
const CAPTURED: i64 = 1_796_160_037;

#[derive(Deserialize)]
struct File {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    note: String,
    action: String,
    security_token: Option<String>,
    request: Captured,
}

#[derive(Deserialize, Clone)]
struct Captured {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body_b64: String,
}

fn vectors() -> Vec<Vector> {
    let text = include_str!("../../havip-signature/tests/tencent_vectors.json");
    serde_json::from_str::<File>(text).expect("vectors").vectors
}

fn vector(action: &str, method: &str, token: bool) -> Captured {
    vectors()
        .into_iter()
        .find(|v| {
            v.action == action && v.request.method == method && v.security_token.is_some() == token
        })
        .map(|v| v.request)
        .unwrap_or_else(|| panic!("no vector {action} {method} token={token}"))
}

impl Captured {
    fn body(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.body_b64)
            .expect("base64")
    }

    fn request(&self) -> http::Request<Body> {
        self.request_with(self.body())
    }

    fn request_with(&self, body: Vec<u8>) -> http::Request<Body> {
        let mut b = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.target.as_str());
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        b.body(Body::from(body)).expect("request")
    }
}

struct Fixture {
    face: havip_tencent::TencentFace,
    state: SharedState,
    clock: Arc<ManualClock>,
    store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
}

async fn fixture(insecure: bool) -> Fixture {
    fixture_with(insecure, havip_tencent::profile::profile()).await
}

async fn fixture_with(insecure: bool, profile: havip_core::Profile) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let clock = Arc::new(ManualClock::new(CAPTURED * 1000));
    let service = Arc::new(Service::new(
        store.clone(),
        ServiceConfig::default(),
        clock.clone(),
        Arc::new(SeededIds::new(1)),
    ));
    service
        .create_account(ACCOUNT, "test")
        .await
        .expect("account");
    service
        .create_access_key(ACCOUNT, Some(AK), Some(SK))
        .await
        .expect("key");
    service
        .create_vpc(&NewVpc {
            id: Some(VPC.into()),
            account: ACCOUNT.into(),
            region: REGION.into(),
            cidr: "10.0.0.0/16".into(),
            name: String::new(),
        })
        .await
        .expect("vpc");
    for (id, cidr) in [(SUBNET, "10.0.1.0/24"), ("subnet-other001", "10.0.2.0/24")] {
        service
            .create_subnet(&NewSubnet {
                id: Some(id.into()),
                vpc: VPC.into(),
                zone: "ap-guangzhou-3".into(),
                cidr: cidr.into(),
                name: String::new(),
            })
            .await
            .expect("subnet");
    }
    // A second VPC, with a subnet, in the same region.
    service
        .create_vpc(&NewVpc {
            id: Some("vpc-second01".into()),
            account: ACCOUNT.into(),
            region: REGION.into(),
            cidr: "172.16.0.0/16".into(),
            name: String::new(),
        })
        .await
        .expect("vpc");
    service
        .create_subnet(&NewSubnet {
            id: Some("subnet-second1".into()),
            vpc: "vpc-second01".into(),
            zone: "ap-guangzhou-3".into(),
            cidr: "172.16.1.0/24".into(),
            name: String::new(),
        })
        .await
        .expect("subnet");
    for (id, eni) in [("ins-1", "eni-1"), ("ins-2", "eni-2")] {
        service
            .create_instance(&NewInstance {
                id: Some(id.into()),
                subnet: SUBNET.into(),
                status: Some("Running".into()),
                primary_eni: Some(eni.into()),
                ip: None,
                name: String::new(),
            })
            .await
            .expect("instance");
    }
    let state = Arc::new(AppState {
        service,
        admin_tokens: Vec::new(),
        insecure_account: insecure.then(|| ACCOUNT.to_string()),
        bodies: Default::default(),
    });
    Fixture {
        face: havip_tencent::TencentFace::new(profile),
        state,
        clock,
        store,
        _dir: dir,
    }
}

impl Fixture {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.state.service.now_ms()).unwrap_or_default()
    }

    fn caller(&self) -> Caller {
        Caller::tenant(Arc::new(havip_tencent::profile::profile()), ACCOUNT, REGION)
    }
}

/// Serves `req`: every answer is HTTP 200, `application/json`, with a RequestId.
async fn call(f: &Fixture, req: http::Request<Body>) -> Value {
    let resp = havip_api::AnyFace::serve(&f.face, f.state.clone(), req).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let body: Value = serde_json::from_slice(&bytes).expect("json");
    let id = body["Response"]["RequestId"].as_str().unwrap_or_default();
    assert_eq!(id.len(), 36, "{body}");
    assert_eq!(id, id.to_ascii_lowercase(), "{body}");
    body
}

fn code(body: &Value) -> &str {
    body["Response"]["Error"]["Code"].as_str().unwrap_or("")
}

/// A POST as the SDK signs it, at the fixture's clock.
fn signed(f: &Fixture, action: &str, body: Value) -> http::Request<Body> {
    signed_with(f, action, &body.to_string(), Options::default())
}

#[derive(Clone, Copy)]
struct Options<'a> {
    method: &'a str,
    query: &'a [(&'a str, &'a str)],
    version: &'a str,
    service: &'a str,
    region: Option<&'a str>,
    ak: &'a str,
    sk: &'a str,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            method: "POST",
            query: &[],
            version: "2017-03-12",
            service: "vpc",
            region: Some(REGION),
            ak: AK,
            sk: SK,
        }
    }
}

fn signed_with(f: &Fixture, action: &str, body: &str, o: Options<'_>) -> http::Request<Body> {
    let req = tencent::sign(
        &TencentCall {
            method: o.method,
            host: "127.0.0.1:8080",
            action,
            version: o.version,
            service: o.service,
            region: o.region,
            body: body.as_bytes(),
            query: o.query,
            trace_id: "11111111-2222-3333-4444-555555555555",
            time: f.now(),
        },
        &Credentials {
            access_key_id: o.ak,
            secret: o.sk,
            security_token: None,
        },
    );
    let target = if req.query.is_empty() {
        "/".to_string()
    } else {
        format!("/?{}", req.query)
    };
    let mut b = http::Request::builder()
        .method(req.method.as_str())
        .uri(target);
    for (k, v) in &req.headers {
        b = b.header(k, v);
    }
    b.body(Body::from(req.body)).expect("request")
}

/// Creates a HaVip named `name` in the fixture's subnet and returns its id.
async fn create_havip(f: &Fixture, name: &str) -> String {
    let body = call(
        f,
        signed(
            f,
            "CreateHaVip",
            json!({"VpcId": VPC, "SubnetId": SUBNET, "HaVipName": name}),
        ),
    )
    .await;
    assert_eq!(code(&body), "", "{body}");
    body["Response"]["HaVip"]["HaVipId"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Every HaVip the account has in the region, as DescribeHaVips lists them (without the
/// answer's RequestId).
async fn havips(f: &Fixture) -> Value {
    let body = call(f, signed(f, "DescribeHaVips", json!({"Limit": 100}))).await;
    assert_eq!(code(&body), "", "{body}");
    let mut response = body["Response"].clone();
    if let Some(o) = response.as_object_mut() {
        o.remove("RequestId");
    }
    response
}

// --- the captured SDK requests ------------------------------------------------------------

#[tokio::test]
async fn the_captured_create_is_served() {
    let f = fixture(false).await;
    let body = call(&f, vector("CreateHaVip", "POST", false).request()).await;
    assert_eq!(code(&body), "", "{body}");
    let h = &body["Response"]["HaVip"];
    assert_eq!(h["HaVipName"], "web vip / 中文");
    assert_eq!(h["Vip"], "10.0.1.20");
    assert_eq!(h["VpcId"], VPC);
    assert_eq!(h["SubnetId"], SUBNET);
    assert_eq!(h["State"], "UNBIND");
    assert_eq!(h["InstanceId"], "");
    assert_eq!(h["CheckAssociate"], true);
    assert_eq!(h["CreatedTime"], "2026-12-02 05:20:37");
    assert_eq!(h["FlushedTime"], "0000-00-00 00:00:00");
    assert_eq!(h["TagSet"], json!([{"Key": "team", "Value": "a&b=c"}]));
    // Its ClientToken: sent again, the same HaVip, nothing more.
    let again = call(&f, vector("CreateHaVip", "POST", false).request()).await;
    assert_eq!(again["Response"]["HaVip"], *h);
    assert_eq!(havips(&f).await["TotalCount"], 1);
}

#[tokio::test]
async fn the_captured_describes_are_served() {
    let f = fixture(false).await;
    call(&f, vector("CreateHaVip", "POST", false).request()).await;
    for v in vectors()
        .into_iter()
        .filter(|v| v.action == "DescribeHaVips")
    {
        let body = call(&f, v.request.request()).await;
        assert_eq!(code(&body), "", "{}: {body}", v.note);
        // No HaVip of the captures' names or ids exists here.
        assert_eq!(body["Response"]["TotalCount"], 0, "{}", v.note);
        assert_eq!(body["Response"]["HaVipSet"], json!([]), "{}", v.note);
    }
}

#[tokio::test]
async fn a_session_token_is_refused() {
    let f = fixture(false).await;
    for v in vectors().into_iter().filter(|v| v.security_token.is_some()) {
        let body = call(&f, v.request.request()).await;
        assert_eq!(
            code(&body),
            "AuthFailure.TokenFailure",
            "{}: {body}",
            v.note
        );
    }
    assert_eq!(havips(&f).await["TotalCount"], 0);
}

#[tokio::test]
async fn the_captured_request_expires_after_five_minutes() {
    let f = fixture(false).await;
    let describe = vector("DescribeHaVips", "POST", false);
    f.clock.advance(300 * 1000);
    assert_eq!(code(&call(&f, describe.request()).await), "");
    f.clock.advance(1000);
    assert_eq!(
        code(&call(&f, describe.request()).await),
        "AuthFailure.SignatureExpire"
    );
    // And as far the other way: the server clock 301 seconds before the request's.
    f.clock.advance(-602 * 1000);
    assert_eq!(
        code(&call(&f, describe.request()).await),
        "AuthFailure.SignatureExpire"
    );
}

#[tokio::test]
async fn a_changed_signed_byte_is_refused() {
    let f = fixture(false).await;
    let create = vector("CreateHaVip", "POST", false);
    let mut body = create.body();
    let at = body.iter().position(|b| *b == b'2').expect("a digit");
    body[at] = b'3';
    let answer = call(&f, create.request_with(body)).await;
    assert_eq!(code(&answer), "AuthFailure.SignatureFailure", "{answer}");
    assert_eq!(
        answer["Response"]["Error"]["Message"],
        "The provided credentials could not be validated. Please check your signature is correct."
    );
    let mut other_host = create.clone();
    for (k, v) in &mut other_host.headers {
        if k == "Host" {
            *v = "127.0.0.1:34422".into();
        }
    }
    assert_eq!(
        code(&call(&f, other_host.request()).await),
        "AuthFailure.SignatureFailure"
    );
    // X-TC-Action is not signed: another action over the same body is served, by the
    // rules of that action (the body is not a DeleteHaVip's).
    let mut other_action = create.clone();
    for (k, v) in &mut other_action.headers {
        if k == "X-TC-Action" {
            *v = "DeleteHaVip".into();
        }
    }
    assert_eq!(
        code(&call(&f, other_action.request()).await),
        "UnknownParameter"
    );
    assert_eq!(havips(&f).await["TotalCount"], 0, "nothing changed");
}

// --- credentials ------------------------------------------------------------------------

#[tokio::test]
async fn credentials_and_common_parameters() {
    let f = fixture(false).await;
    let o = Options::default();
    let cases: Vec<(http::Request<Body>, &str)> = vec![
        (
            signed_with(
                &f,
                "DescribeHaVips",
                "{}",
                Options {
                    ak: "AKIDNOTHERE",
                    ..o
                },
            ),
            "AuthFailure.SecretIdNotFound",
        ),
        (
            signed_with(&f, "DescribeHaVips", "{}", Options { sk: "other", ..o }),
            "AuthFailure.SignatureFailure",
        ),
        (
            signed_with(
                &f,
                "DescribeHaVips",
                "{}",
                Options {
                    service: "cvm",
                    ..o
                },
            ),
            "AuthFailure.InvalidAuthorization",
        ),
        (signed_with(&f, "AssociateHaVip", "{}", o), "InvalidAction"),
        (signed_with(&f, "describeHaVips", "{}", o), "InvalidAction"),
        (
            signed_with(
                &f,
                "DescribeHaVips",
                "{}",
                Options {
                    version: "2020-04-01",
                    ..o
                },
            ),
            "NoSuchVersion",
        ),
        (
            signed_with(&f, "DescribeHaVips", "{}", Options { region: None, ..o }),
            "MissingParameter",
        ),
        (
            signed_with(
                &f,
                "DescribeHaVips",
                "{}",
                Options {
                    region: Some("ap-nowhere"),
                    ..o
                },
            ),
            "UnsupportedRegion",
        ),
    ];
    for (req, want) in cases {
        let body = call(&f, req).await;
        assert_eq!(code(&body), want, "{body}");
    }
    // No Authorization at all, and not in insecure mode.
    let unsigned = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("x-tc-action", "DescribeHaVips")
        .header("x-tc-version", "2017-03-12")
        .header("x-tc-region", REGION)
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .expect("request");
    assert_eq!(
        code(&call(&f, unsigned).await),
        "AuthFailure.InvalidAuthorization"
    );
    // Without X-TC-Action.
    let mut req = signed(&f, "DescribeHaVips", json!({}));
    req.headers_mut().remove("x-tc-action");
    let body = call(&f, req).await;
    assert_eq!(code(&body), "MissingParameter");
    assert_eq!(
        body["Response"]["Error"]["Message"],
        "The request is missing a required parameter `Action`."
    );
    // A deleted key is gone.
    f.state.service.delete_access_key(AK).await.expect("delete");
    assert_eq!(
        code(&call(&f, signed(&f, "DescribeHaVips", json!({}))).await),
        "AuthFailure.SecretIdNotFound"
    );
}

#[tokio::test]
async fn insecure_mode_serves_unsigned_requests_in_the_named_region() {
    let f = fixture(true).await;
    let unsigned = |region: Option<&'static str>| {
        let mut b = http::Request::builder()
            .uri("/?Limit=5")
            .header("x-tc-action", "DescribeHaVips")
            .header("x-tc-version", "2017-03-12");
        if let Some(r) = region {
            b = b.header("x-tc-region", r);
        }
        b.body(Body::empty()).expect("request")
    };
    let body = call(&f, unsigned(Some(REGION))).await;
    assert_eq!(code(&body), "", "{body}");
    assert_eq!(body["Response"]["TotalCount"], 0);
    assert_eq!(code(&call(&f, unsigned(None)).await), "MissingParameter");
    // Signed requests are still verified.
    let mut bad = vector("DescribeHaVips", "POST", false).request();
    bad.headers_mut()
        .insert("host", http::HeaderValue::from_static("elsewhere"));
    assert_eq!(code(&call(&f, bad).await), "AuthFailure.SignatureFailure");
}

// --- the round trip ----------------------------------------------------------------------

#[tokio::test]
async fn create_describe_modify_delete() {
    let f = fixture(false).await;
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        ids.push(create_havip(&f, name).await);
    }
    // Addresses are allocated from the bottom (a seeded server).
    let all = havips(&f).await;
    assert_eq!(all["TotalCount"], 3);
    let vips: Vec<&str> = all["HaVipSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["Vip"].as_str().unwrap())
        .collect();
    assert_eq!(vips, ["10.0.1.4", "10.0.1.5", "10.0.1.6"]);
    // Paging: the total is all matches, the set the page.
    let page = call(
        &f,
        signed(&f, "DescribeHaVips", json!({"Offset": 1, "Limit": 1})),
    )
    .await;
    assert_eq!(page["Response"]["TotalCount"], 3);
    assert_eq!(page["Response"]["HaVipSet"][0]["HaVipId"], ids[1].as_str());
    // By ids, and by filters (a GET, as reqMethod="GET" sends it).
    let by_ids = call(
        &f,
        signed(
            &f,
            "DescribeHaVips",
            json!({"HaVipIds": [ids[2], "havip-nothere"]}),
        ),
    )
    .await;
    assert_eq!(by_ids["Response"]["TotalCount"], 1);
    let get = signed_with(
        &f,
        "DescribeHaVips",
        "",
        Options {
            method: "GET",
            query: &[
                ("Filters.0.Name", "havip-name"),
                ("Filters.0.Values.0", "a"),
                ("Filters.0.Values.1", "c"),
                ("Filters.1.Name", "check-associate"),
                ("Filters.1.Values.0", "TRUE"),
            ],
            ..Options::default()
        },
    );
    let body = call(&f, get).await;
    assert_eq!(body["Response"]["TotalCount"], 2, "{body}");
    // Modify, then delete.
    let body = call(
        &f,
        signed(
            &f,
            "ModifyHaVipAttribute",
            json!({"HaVipId": ids[0], "HaVipName": "renamed"}),
        ),
    )
    .await;
    assert_eq!(
        body["Response"].as_object().map(|o| o.len()),
        Some(1),
        "{body}"
    );
    let body = call(
        &f,
        signed(
            &f,
            "DescribeHaVips",
            json!({"Filters": [{"Name": "havip-name", "Values": ["renamed"]}]}),
        ),
    )
    .await;
    assert_eq!(body["Response"]["HaVipSet"][0]["HaVipId"], ids[0].as_str());
    let body = call(&f, signed(&f, "DeleteHaVip", json!({"HaVipId": ids[0]}))).await;
    assert_eq!(code(&body), "", "{body}");
    assert_eq!(havips(&f).await["TotalCount"], 2);
    let body = call(&f, signed(&f, "DeleteHaVip", json!({"HaVipId": ids[0]}))).await;
    assert_eq!(code(&body), "ResourceNotFound");
}

#[tokio::test]
async fn the_master_shows_as_the_instance_holding_the_vip() {
    let f = fixture(false).await;
    let id = create_havip(&f, "m").await;
    let caller = f.caller();
    for instance in ["ins-1", "ins-2"] {
        f.state
            .service
            .associate(
                &caller,
                &id,
                &Target {
                    kind: MemberKind::EcsInstance,
                    id: instance.into(),
                },
                None,
            )
            .await
            .expect("associate");
    }
    let show = || async {
        let body = call(&f, signed(&f, "DescribeHaVips", json!({"HaVipIds": [id]}))).await;
        body["Response"]["HaVipSet"][0].clone()
    };
    let h = show().await;
    assert_eq!(h["State"], "AVAILABLE");
    assert_eq!(h["InstanceId"], "ins-1");
    assert_eq!(h["NetworkInterfaceId"], "eni-1");
    assert_eq!(
        h["HaVipAssociationSet"],
        json!([
            {"InstanceId": "ins-1", "HaVipId": id, "InstanceType": "CVM"},
            {"InstanceId": "ins-2", "HaVipId": id, "InstanceType": "CVM"},
        ])
    );
    let filtered = call(
        &f,
        signed(
            &f,
            "DescribeHaVips",
            json!({"Filters": [{"Name": "havip-association.instance-id", "Values": ["ins-2"]}]}),
        ),
    )
    .await;
    assert_eq!(filtered["Response"]["TotalCount"], 1);
    f.state
        .service
        .failover(&f.state.service.operator(), &id, Some("ins-2"))
        .await
        .expect("failover");
    let h = show().await;
    assert_eq!(
        (h["InstanceId"].as_str(), h["NetworkInterfaceId"].as_str()),
        (Some("ins-2"), Some("eni-2"))
    );
    // A bound HaVip is not deleted.
    let body = call(&f, signed(&f, "DeleteHaVip", json!({"HaVipId": id}))).await;
    assert_eq!(code(&body), "UnsupportedOperation", "{body}");
}

#[tokio::test]
async fn eip_actions_answer_as_for_an_account_without_eips() {
    let f = fixture(false).await;
    let id = create_havip(&f, "e").await;
    let cases = [
        (
            "HaVipAssociateAddressIp",
            json!({"HaVipId": id, "AddressIp": "203.0.113.10"}),
            "ResourceNotFound",
        ),
        (
            "HaVipAssociateAddressIp",
            json!({"HaVipId": "havip-nothere", "AddressIp": "203.0.113.10"}),
            "ResourceNotFound",
        ),
        (
            "HaVipAssociateAddressIp",
            json!({"HaVipId": id, "AddressIp": "eip-1"}),
            "InvalidParameterValue.Malformed",
        ),
        (
            "HaVipAssociateAddressIp",
            json!({"HaVipId": id}),
            "MissingParameter",
        ),
        (
            "HaVipDisassociateAddressIp",
            json!({"HaVipId": id}),
            "UnsupportedOperation.UnbindEIP",
        ),
        (
            "HaVipDisassociateAddressIp",
            json!({"HaVipId": "havip-nothere"}),
            "ResourceNotFound",
        ),
    ];
    for (action, params, want) in cases {
        let body = call(&f, signed(&f, action, params.clone())).await;
        assert_eq!(code(&body), want, "{action} {params}: {body}");
    }
    let body = call(
        &f,
        signed(
            &f,
            "HaVipAssociateAddressIp",
            json!({"HaVipId": id, "AddressIp": "203.0.113.10"}),
        ),
    )
    .await;
    assert_eq!(
        body["Response"]["Error"]["Message"],
        "The EIP `203.0.113.10` is not found."
    );
}

// --- bad input ------------------------------------------------------------------------------

#[tokio::test]
async fn bad_input_gets_its_code_and_changes_nothing() {
    let f = fixture(false).await;
    let create = |params: Value| signed(&f, "CreateHaVip", params);
    let base = json!({"VpcId": VPC, "SubnetId": SUBNET, "HaVipName": "n"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases: Vec<(http::Request<Body>, &str)> = vec![
        (
            create(json!({"SubnetId": SUBNET, "HaVipName": "n"})),
            "MissingParameter",
        ),
        (
            create(json!({"VpcId": VPC, "SubnetId": SUBNET})),
            "MissingParameter",
        ),
        (create(with("Description", json!("d"))), "UnknownParameter"),
        (create(with("VpcId", json!(1))), "InvalidParameter"),
        (
            create(with("HaVipName", json!("x".repeat(61)))),
            "InvalidParameterValue.TooLong",
        ),
        (
            create(with("HaVipName", json!(""))),
            "InvalidParameterValue",
        ),
        (
            create(with("HaVipName", json!("a\u{0}b"))),
            "InvalidParameterValue",
        ),
        (
            create(with("Vip", json!("10.0.1"))),
            "InvalidParameterValue.Malformed",
        ),
        (
            create(with("Vip", json!("10.0.2.20"))),
            "InvalidParameterValue.Range",
        ),
        (
            create(with("Vip", json!("10.0.1.1"))),
            "InvalidParameterValue.Reserved",
        ),
        (create(with("Vip", json!("10.0.1.4"))), "ResourceInUse"),
        (
            create(with("VpcId", json!("vpc-nothere"))),
            "ResourceNotFound",
        ),
        (
            create(with("SubnetId", json!("subnet-nothere"))),
            "UnsupportedOperation.SubnetNotExists",
        ),
        (
            create(with("SubnetId", json!("subnet-second1"))),
            "UnsupportedOperation.SubnetNotExists",
        ),
        (
            create(with("NetworkInterfaceId", json!("eni-1"))),
            "UnsupportedOperation",
        ),
        (
            create(with(
                "HaVipAssociationSet",
                json!([{"InstanceId": "ins-1", "InstanceType": "CVM"}]),
            )),
            "UnsupportedOperation",
        ),
        (
            create(with("Tags", json!([{"Key": "qcloud:owner", "Value": "x"}]))),
            "InvalidParameterValue",
        ),
        (
            create(with(
                "Tags",
                json!([{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]),
            )),
            "InvalidParameterValue.Duplicate",
        ),
        (
            create(with("ClientToken", json!("é"))),
            "InvalidParameterValue.Malformed",
        ),
        (
            signed(
                &f,
                "DescribeHaVips",
                json!({"HaVipIds": ["h"], "Filters": [{"Name": "vip", "Values": ["x"]}]}),
            ),
            "InvalidParameter.Coexist",
        ),
        (
            signed(
                &f,
                "DescribeHaVips",
                json!({"Filters": [{"Name": "state", "Values": ["x"]}]}),
            ),
            "InvalidParameter.FilterInvalidKey",
        ),
        (
            signed(&f, "DescribeHaVips", json!({"Limit": 101})),
            "InvalidParameterValue.Range",
        ),
        (
            signed(&f, "DescribeHaVips", json!({"Limit": "x"})),
            "InvalidParameter",
        ),
        (
            signed(
                &f,
                "ModifyHaVipAttribute",
                json!({"HaVipId": "havip-nothere", "HaVipName": "n"}),
            ),
            "ResourceNotFound",
        ),
        (
            signed_with(&f, "DescribeHaVips", "[1]", Options::default()),
            "InvalidParameter",
        ),
        (
            signed_with(&f, "DescribeHaVips", "{\"Limit\":", Options::default()),
            "InvalidParameter",
        ),
        (
            signed_with(
                &f,
                "DescribeHaVips",
                "",
                Options {
                    method: "GET",
                    query: &[("HaVipIds.1", "h")],
                    ..Options::default()
                },
            ),
            "InvalidParameter",
        ),
        (
            signed_with(
                &f,
                "DescribeHaVips",
                "",
                Options {
                    method: "GET",
                    query: &[("Limit", "0")],
                    ..Options::default()
                },
            ),
            "InvalidParameterValue.Range",
        ),
    ];
    // One HaVip takes 10.0.1.4 first, for the in-use case.
    call(&f, create(base.clone())).await;
    let before = havips(&f).await;
    for (req, want) in cases {
        let what = format!("{} {:?}", req.method(), req.uri());
        let body = call(&f, req).await;
        assert_eq!(code(&body), want, "{what}: {body}");
        assert!(body["Response"]["Error"]["Message"].is_string());
    }
    assert_eq!(havips(&f).await, before, "nothing changed");
}

#[tokio::test]
async fn unsupported_methods_and_sizes() {
    let f = fixture(false).await;
    let mut put = signed(&f, "DescribeHaVips", json!({}));
    *put.method_mut() = http::Method::PUT;
    assert_eq!(code(&call(&f, put).await), "UnsupportedProtocol");

    let big = vec![b' '; havip_api::MAX_BODY_BYTES + 1];
    let req = vector("DescribeHaVips", "POST", false).request_with(big);
    assert_eq!(code(&call(&f, req).await), "RequestSizeLimitExceeded");
    let long = "x".repeat(33 * 1024);
    let req = signed_with(
        &f,
        "DescribeHaVips",
        "",
        Options {
            method: "GET",
            query: &[("HaVipIds.0", &long)],
            ..Options::default()
        },
    );
    assert_eq!(code(&call(&f, req).await), "RequestSizeLimitExceeded");
    // A large body is checked against its headers first: an unknown key is named before
    // the body is read.
    let o = Options {
        ak: "AKIDNOTHERE",
        ..Options::default()
    };
    let padded = format!("{{\"Limit\": 5{}}}", " ".repeat(100 * 1024));
    let req = signed_with(&f, "DescribeHaVips", &padded, o);
    assert_eq!(code(&call(&f, req).await), "AuthFailure.SecretIdNotFound");
    let req = signed_with(&f, "DescribeHaVips", &padded, Options::default());
    assert_eq!(code(&call(&f, req).await), "");
}

#[tokio::test]
async fn create_past_the_quota_is_limit_exceeded() {
    let mut profile = havip_tencent::profile::profile();
    profile.limits.havips_per_region = 2;
    let f = fixture_with(false, profile).await;
    let create = || {
        signed(
            &f,
            "CreateHaVip",
            json!({"VpcId": VPC, "SubnetId": SUBNET, "HaVipName": "q"}),
        )
    };
    for _ in 0..2 {
        assert_eq!(code(&call(&f, create()).await), "");
    }
    let body = call(&f, create()).await;
    assert_eq!(code(&body), "LimitExceeded", "{body}");
    assert_eq!(havips(&f).await["TotalCount"], 2);
}

#[tokio::test]
async fn a_store_that_is_down_answers_service_unavailable() {
    let f = fixture(false).await;
    f.store.close().await;
    let body = call(&f, vector("DescribeHaVips", "POST", false).request()).await;
    assert_eq!(code(&body), "ServiceUnavailable", "{body}");
}

#[tokio::test]
async fn the_face_claims_tc3_and_x_tc_action_only() {
    let face = havip_tencent::TencentFace::default();
    let claims = |headers: &[(&str, &str)]| {
        let mut b = http::Request::builder().uri("/");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        havip_api::AnyFace::claims(&face, &b.body(Body::empty()).expect("request"))
    };
    assert!(claims(&[(
        "authorization",
        "TC3-HMAC-SHA256 Credential=a/b"
    )]));
    assert!(claims(&[("x-tc-action", "DescribeHaVips")]));
    assert!(!claims(&[("authorization", "HMAC-SHA256 Credential=a/b")]));
    assert!(!claims(&[(
        "authorization",
        "ACS3-HMAC-SHA256 Credential=a"
    )]));
    assert!(!claims(&[]));
}
