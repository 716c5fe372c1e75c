//! Parameter parsing: the GET query unflattened, the JSON body, each action's fields with
//! their types, required fields, unknown fields, and DescribeHaVips' rules.

use havip_core::{DomainError, Member, MemberState};
use serde_json::json;

use super::*;

fn obj(v: Value) -> Object {
    match v {
        Value::Object(o) => o,
        other => panic!("not an object: {other}"),
    }
}

fn request(method: &str, query: &str, content_type: Option<&str>, body: &str) -> Incoming {
    let mut b = http::Request::builder()
        .method(method)
        .uri(format!("/?{query}"));
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    let req = b.body(axum::body::Body::empty()).expect("request");
    let (mut head, _) = Incoming::split(req);
    head.body = bytes_of(body);
    head
}

fn bytes_of(s: &str) -> axum::body::Bytes {
    axum::body::Bytes::copy_from_slice(s.as_bytes())
}

#[test]
fn a_get_query_unflattens_with_zero_based_indices() {
    // The SDK's own GET vectors (docs/tencent.md §7).
    let q = "Filters.0.Name=havip-name&Filters.0.Values.0=web+vip+%2F+%E4%B8%AD%E6%96%87%2A";
    assert_eq!(
        Value::Object(from_query(q).unwrap()),
        json!({"Filters": [{"Name": "havip-name", "Values": ["web vip / 中文*"]}]})
    );
    let q = "HaVipIds.0=havip-9o233uri&HaVipIds.1=havip-0f1e2d3c&Offset=20&Limit=10";
    assert_eq!(
        Value::Object(from_query(q).unwrap()),
        json!({"HaVipIds": ["havip-9o233uri", "havip-0f1e2d3c"], "Offset": "20", "Limit": "10"})
    );
    // Ten or more items sort by number, not as text.
    let q: Vec<String> = (0..12).map(|i| format!("HaVipIds.{i}=h{i}")).collect();
    let ids = from_query(&q.join("&")).unwrap()["HaVipIds"].clone();
    assert_eq!(ids[10], "h10");
    assert_eq!(ids[2], "h2");
    assert_eq!(from_query("").unwrap(), Object::new());
}

#[test]
fn a_query_that_does_not_unflatten_is_refused() {
    for bad in [
        "HaVipIds.1=a",              // starts at 1
        "HaVipIds.0=a&HaVipIds.2=b", // a gap
        "HaVipIds=a&HaVipIds.0=b",   // a value and a list
        "HaVipIds.0=b&HaVipIds=a",   // the other order
        "Filters..Name=x",           // an empty part
        "0=a",                       // the top level is a list
    ] {
        assert!(
            matches!(from_query(bad), Err(FaceError::BodyMalformed(_))),
            "{bad}"
        );
    }
    // A key that is not a plain index makes an object, which is not a list.
    let o = from_query("HaVipIds.00=a").unwrap();
    assert_eq!(
        describe(o),
        Err(FaceError::ParameterType("HaVipIds".into()))
    );
    // Mixed keys are an object, whose numeric key no action defines.
    let o = from_query("Tags.0.Key=a&Tags.x=b").unwrap();
    assert_eq!(
        Value::Object(o),
        json!({"Tags": {"0": {"Key": "a"}, "x": "b"}})
    );
}

#[test]
fn post_bodies() {
    let ok = request("POST", "", Some("application/json"), r#"{"Limit": 5}"#);
    assert_eq!(Value::Object(of_request(&ok).unwrap()), json!({"Limit": 5}));
    let ok = request("POST", "", Some("Application/JSON; charset=utf-8"), "{}");
    assert_eq!(of_request(&ok).unwrap(), Object::new());
    let empty = request("POST", "", None, "");
    assert_eq!(of_request(&empty).unwrap(), Object::new());
    for (query, ct, body) in [
        ("", Some("application/json"), "[1]"),
        ("", Some("application/json"), "\"x\""),
        ("", Some("application/json"), "null"),
        ("", Some("application/json"), "{not json"),
        ("", Some("application/x-www-form-urlencoded"), "Limit=5"),
        ("", None, "{}"),
        ("Limit=5", Some("application/json"), "{}"),
    ] {
        let r = request("POST", query, ct, body);
        assert!(
            matches!(of_request(&r), Err(FaceError::BodyMalformed(_))),
            "{query} {ct:?} {body}"
        );
    }
    // A GET reads the query and ignores no parameter of it.
    let get = request("GET", "Limit=5", None, "");
    assert_eq!(
        Value::Object(of_request(&get).unwrap()),
        json!({"Limit": "5"})
    );
}

#[test]
fn create_reads_every_field_of_the_model() {
    // The body of the SDK's CreateHaVip vector.
    let call = create(obj(json!({
        "VpcId": "vpc-2at5y1pn", "HaVipName": "web vip / 中文", "SubnetId": "subnet-qq51iwr4",
        "Vip": "10.0.1.20", "CheckAssociate": true, "Tags": [{"Key": "team", "Value": "a&b=c"}],
        "ClientToken": "tok-0001"
    })))
    .unwrap();
    assert_eq!(call.vpc, "vpc-2at5y1pn");
    assert_eq!(call.create.subnet, "subnet-qq51iwr4");
    assert_eq!(call.create.ip.as_deref(), Some("10.0.1.20"));
    assert_eq!(call.create.name.as_deref(), Some("web vip / 中文"));
    assert_eq!(call.create.description, None);
    assert_eq!(
        call.create.tags,
        [("team".to_string(), "a&b=c".to_string())]
    );
    assert_eq!(call.client_token.as_deref(), Some("tok-0001"));
    // The same from a GET query: strings for the boolean.
    let q = from_query(
        "VpcId=v&HaVipName=n&SubnetId=s&CheckAssociate=False&Tags.0.Key=k&HaVipAssociationSet.0.InstanceId=ins-1",
    )
    .unwrap();
    assert!(matches!(create(q), Err(FaceError::Unsupported(_))));
    let q = from_query("VpcId=v&HaVipName=n&SubnetId=s&CheckAssociate=False&Tags.0.Key=k").unwrap();
    let call = create(q).unwrap();
    assert_eq!(call.create.tags, [("k".to_string(), String::new())]);
    assert_eq!(call.create.ip, None);
}

#[test]
fn create_refuses_what_it_cannot_take() {
    let base = || json!({"VpcId": "v", "HaVipName": "n", "SubnetId": "s"});
    let with = |k: &str, v: Value| {
        let mut b = base();
        b[k] = v;
        create(obj(b))
    };
    let without = |k: &str| {
        let mut b = obj(base());
        b.remove(k);
        create(b)
    };
    assert_eq!(
        without("VpcId"),
        Err(FaceError::MissingParameter("VpcId".into()))
    );
    assert_eq!(
        without("HaVipName"),
        Err(FaceError::MissingParameter("HaVipName".into()))
    );
    assert_eq!(
        without("SubnetId"),
        Err(FaceError::MissingParameter("SubnetId".into()))
    );
    assert_eq!(
        with("VpcId", json!("")),
        Err(FaceError::MissingParameter("VpcId".into()))
    );
    // An empty name is a value the profile refuses, not a missing one.
    assert!(with("HaVipName", json!("")).is_ok());
    assert_eq!(
        with("VpcId", json!(5)),
        Err(FaceError::ParameterType("VpcId".into()))
    );
    assert_eq!(
        with("CheckAssociate", json!("maybe")),
        Err(FaceError::ParameterType("CheckAssociate".into()))
    );
    assert_eq!(
        with("Description", json!("d")),
        Err(FaceError::UnknownParameter("Description".into()))
    );
    assert_eq!(
        with("Tags", json!([{"Value": "v"}])),
        Err(FaceError::MissingParameter("Tags.0.Key".into()))
    );
    assert_eq!(
        with("Tags", json!([{"Key": "k", "Colour": "v"}])),
        Err(FaceError::UnknownParameter("Tags.0.Colour".into()))
    );
    assert_eq!(
        with("Tags", json!(["k"])),
        Err(FaceError::ParameterType("Tags.0".into()))
    );
    assert_eq!(
        with("ClientToken", json!("x".repeat(65))),
        Err(FaceError::Domain(DomainError::ClientTokenMalformed))
    );
    assert!(matches!(
        with("NetworkInterfaceId", json!("eni-1")),
        Err(FaceError::Unsupported(_))
    ));
    // Without SubnetId but with a network interface: what is unsupported is said first.
    let mut b = obj(base());
    b.remove("SubnetId");
    b.insert("NetworkInterfaceId".into(), json!("eni-1"));
    assert!(matches!(create(b), Err(FaceError::Unsupported(_))));
    // null is absent; an empty drift range is nothing.
    assert!(with("Vip", Value::Null).is_ok());
    assert!(with("HaVipAssociationSet", json!([])).is_ok());
}

#[test]
fn describe_defaults_and_ranges() {
    let d = describe(Object::new()).unwrap();
    assert_eq!((d.offset, d.limit), (0, DEFAULT_LIMIT));
    assert!(d.ids.is_empty() && d.filters.is_empty());
    let d = describe(obj(json!({"Offset": 3, "Limit": 100}))).unwrap();
    assert_eq!((d.offset, d.limit), (3, 100));
    let d = describe(from_query("Offset=20&Limit=10").unwrap()).unwrap();
    assert_eq!((d.offset, d.limit), (20, 10));
    for (k, v) in [
        ("Limit", json!(0)),
        ("Limit", json!(101)),
        ("Limit", json!(-1)),
        ("Offset", json!(-1)),
    ] {
        assert!(
            matches!(
                describe(obj(json!({k: v.clone()}))),
                Err(FaceError::ValueRange { .. })
            ),
            "{k}={v}"
        );
    }
    for (k, v) in [
        ("Limit", json!("ten")),
        ("Limit", json!(1.5)),
        ("Offset", json!([1])),
        ("HaVipIds", json!("havip-1")),
    ] {
        assert_eq!(
            describe(obj(json!({k: v}))),
            Err(FaceError::ParameterType(k.into()))
        );
    }
}

#[test]
fn describe_filters() {
    // The body of the SDK's DescribeHaVips vector.
    let d = describe(obj(json!({
        "Filters": [{"Name": "vpc-id", "Values": ["vpc-2at5y1pn"]},
                    {"Name": "havip-name", "Values": ["web vip", "db*vip"]}],
        "Offset": 0, "Limit": 100
    })))
    .unwrap();
    assert_eq!(
        d.filters,
        [
            Filter::VpcId(vec!["vpc-2at5y1pn".into()]),
            Filter::HaVipName(vec!["web vip".into(), "db*vip".into()])
        ]
    );
    let f = |name: &str, values: Value| {
        describe(obj(json!({"Filters": [{"Name": name, "Values": values}]})))
    };
    for name in FILTER_NAMES {
        let values = match name {
            "havip-association.instance-type" => json!(["CVM", "ENI"]),
            "check-associate" | "termination-protection" | "traffic-protection" => {
                json!(["TRUE", "false"])
            }
            "type" => json!(["NORMAL"]),
            _ => json!(["x"]),
        };
        assert!(f(name, values).is_ok(), "{name}");
    }
    assert_eq!(
        f("status", json!(["x"])),
        Err(FaceError::FilterInvalidKey("status".into()))
    );
    assert!(matches!(
        f("check-associate", json!(["yes"])),
        Err(FaceError::InvalidValue { .. })
    ));
    assert!(matches!(
        f("havip-association.instance-type", json!(["VM"])),
        Err(FaceError::InvalidValue { .. })
    ));
    assert!(matches!(
        f("type", json!(["ANY"])),
        Err(FaceError::InvalidValue { .. })
    ));
    assert_eq!(
        f("vip", json!([])),
        Err(FaceError::MissingParameter("Filters.0.Values".into()))
    );
    assert_eq!(
        describe(obj(json!({"Filters": [{"Values": ["x"]}]}))),
        Err(FaceError::MissingParameter("Filters.0.Name".into()))
    );
    assert_eq!(
        f("vip", json!(["1", "2", "3", "4", "5", "6"])),
        Err(FaceError::ValueLimitExceeded {
            name: "Filters.0.Values".into(),
            max: 5
        })
    );
    let eleven: Vec<Value> = (0..11)
        .map(|_| json!({"Name": "vip", "Values": ["x"]}))
        .collect();
    assert_eq!(
        describe(obj(json!({"Filters": eleven}))),
        Err(FaceError::ValueLimitExceeded {
            name: "Filters".into(),
            max: 10
        })
    );
    let ids: Vec<String> = (0..101).map(|i| format!("havip-{i}")).collect();
    assert_eq!(
        describe(obj(json!({"HaVipIds": ids}))),
        Err(FaceError::ValueLimitExceeded {
            name: "HaVipIds".into(),
            max: 100
        })
    );
    assert_eq!(
        describe(obj(
            json!({"HaVipIds": ["havip-1"], "Filters": [{"Name": "vip", "Values": ["x"]}]})
        )),
        Err(FaceError::Coexist("HaVipIds", "Filters"))
    );
    assert_eq!(
        describe(obj(
            json!({"Filters": [{"Name": "vip", "Values": ["x"], "Fuzzy": true}]})
        )),
        Err(FaceError::UnknownParameter("Filters.0.Fuzzy".into()))
    );
}

fn sample() -> HaVip {
    HaVip {
        id: "havip-1".into(),
        account: "a".into(),
        region: "ap-guangzhou".into(),
        vpc: "vpc-1".into(),
        subnet: "subnet-1".into(),
        ip: "10.0.1.20".parse().unwrap(),
        name: "web".into(),
        description: String::new(),
        status: havip_core::HaVipStatus::InUse,
        members: vec![
            Member {
                id: "ins-1".into(),
                kind: MemberKind::EcsInstance,
                instance: "ins-1".into(),
                state: MemberState::Associated,
                position: 0,
            },
            Member {
                id: "ins-2".into(),
                kind: MemberKind::EcsInstance,
                instance: "ins-2".into(),
                state: MemberState::Associating,
                position: 1,
            },
        ],
        master: Some("ins-1".into()),
        master_claim: None,
        tags: Default::default(),
        eip: None,
        resource_group: String::new(),
        pending: None,
        created_at: 0,
        updated_at: 0,
    }
}

#[test]
fn filters_match_what_the_face_shows() {
    let h = sample();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(Filter::HaVipId(s(&["x", "havip-1"])).matches(&h));
    assert!(Filter::HaVipName(s(&["web"])).matches(&h));
    assert!(!Filter::HaVipName(s(&["we"])).matches(&h));
    assert!(Filter::Vip(s(&["10.0.1.20"])).matches(&h));
    assert!(Filter::AssociationInstanceId(s(&["ins-1"])).matches(&h));
    // A member still being associated is not in the drift range yet.
    assert!(!Filter::AssociationInstanceId(s(&["ins-2"])).matches(&h));
    assert!(Filter::AssociationInstanceType(vec![MemberKind::EcsInstance]).matches(&h));
    assert!(!Filter::AssociationInstanceType(vec![MemberKind::NetworkInterface]).matches(&h));
    assert!(Filter::CheckAssociate(vec![true]).matches(&h));
    assert!(!Filter::CheckAssociate(vec![false]).matches(&h));
    assert!(!Filter::AddressIp(s(&["203.0.113.10"])).matches(&h));
    assert!(!Filter::CdcId(s(&["cluster-1"])).matches(&h));
    assert!(Filter::Type(s(&["NORMAL"])).matches(&h));
    assert!(!Filter::Type(s(&["GWLB"])).matches(&h));
    assert!(Filter::TerminationProtection(vec![false]).matches(&h));
    assert!(!Filter::TrafficProtection(vec![true]).matches(&h));
}

#[test]
fn the_calls_on_one_havip() {
    assert_eq!(
        modify(obj(json!({"HaVipId": "havip-1", "HaVipName": "n"}))).unwrap(),
        ModifyCall {
            havip_id: "havip-1".into(),
            name: "n".into()
        }
    );
    assert_eq!(
        modify(obj(json!({"HaVipId": "havip-1"}))),
        Err(FaceError::MissingParameter("HaVipName".into()))
    );
    assert_eq!(
        havip_id(obj(json!({"HaVipId": ""}))),
        Err(FaceError::MissingParameter("HaVipId".into()))
    );
    assert_eq!(
        havip_id(obj(json!({"HaVipId": "h", "Force": true}))),
        Err(FaceError::UnknownParameter("Force".into()))
    );
    assert_eq!(
        associate_address(obj(
            json!({"HaVipId": "havip-9o233uri", "AddressIp": "203.0.113.10"})
        ))
        .unwrap()
        .address,
        Ipv4Addr::new(203, 0, 113, 10)
    );
    assert_eq!(
        associate_address(obj(json!({"HaVipId": "h"}))),
        Err(FaceError::MissingParameter("AddressIp".into()))
    );
    assert_eq!(
        associate_address(obj(json!({"HaVipId": "h", "AddressIp": "eip-1"}))),
        Err(FaceError::ValueMalformed {
            name: "AddressIp".into(),
            value: "eip-1".into()
        })
    );
}
