//! The native API's routes, each on its happy path, and the error mappings that the
//! domain's rules produce through them.

mod common;

use std::time::Duration;

use common::{default_limits, equal_limits, Harness, ACCOUNT, SEED_HAVIP, TOKEN, VSW, VSW2};
use havip_core::Limits;
use serde_json::{json, Value};

#[tokio::test]
async fn openapi_is_public_and_describes_every_route() {
    let h = Harness::new().await;
    let req = axum::extract::Request::builder()
        .uri("/v1/openapi.json")
        .body(axum::body::Body::empty())
        .expect("request");
    let a = h.send(req).await;
    let doc = a.ok(200);
    assert_eq!(doc["openapi"], "3.0.3");
    for (method, path) in havip_native::ROUTES {
        let op = &doc["paths"][path][method.to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "{method} {path} is not in the OpenAPI document"
        );
        assert!(
            op["responses"].is_object(),
            "{method} {path} has no responses"
        );
    }
    // ...and the document describes nothing the router does not serve.
    let paths = doc["paths"].as_object().expect("paths");
    for (path, ops) in paths {
        for method in ops.as_object().expect("operations").keys() {
            let m = method.to_ascii_uppercase();
            assert!(
                havip_native::ROUTES.contains(&(m.as_str(), path.as_str())),
                "{m} {path} is documented but not routed"
            );
        }
    }
}

#[tokio::test]
async fn every_listed_route_is_served() {
    let h = Harness::new().await;
    for (method, path) in havip_native::ROUTES {
        let concrete = path.replace("{id}", "no-such-id");
        let a = h.call(method, &concrete, None).await;
        let code = a.code();
        assert!(
            code != "RouteNotFound" && code != "MethodNotAllowed",
            "{method} {path} is not routed: {code}"
        );
    }
}

#[tokio::test]
async fn authentication_is_required() {
    let h = Harness::new().await;
    let send = |auth: Option<&'static str>| {
        let mut b = axum::extract::Request::builder().uri("/v1/havips");
        if let Some(v) = auth {
            b = b.header("authorization", v);
        }
        b.body(axum::body::Body::empty()).expect("request")
    };
    h.send(send(None)).await.assert_problem(401, "Unauthorized");
    h.send(send(Some("Bearer wrong")))
        .await
        .assert_problem(401, "Unauthorized");
    h.send(send(Some(TOKEN)))
        .await
        .assert_problem(401, "Unauthorized");
    let a = h
        .send(send(Some("Bearer test-admin-token-0123456789")))
        .await;
    a.ok(200);
    // Unknown routes are not revealed to unauthenticated callers either.
    let req = axum::extract::Request::builder()
        .uri("/v1/nowhere")
        .body(axum::body::Body::empty())
        .expect("request");
    h.send(req).await.assert_problem(401, "Unauthorized");
}

#[tokio::test]
async fn accounts() {
    let h = Harness::new().await;
    let list = h.get("/v1/accounts").await;
    assert_eq!(list["items"][0]["id"], ACCOUNT);
    let created = h
        .post(
            "/v1/accounts",
            json!({"id": "2000000000000002", "name": "two"}),
        )
        .await
        .ok(201);
    assert_eq!(created["name"], "two");
    assert!(created["created_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    let got = h.get("/v1/accounts/2000000000000002").await;
    assert_eq!(got, created);
    h.post("/v1/accounts", json!({"id": "2000000000000002"}))
        .await
        .assert_problem(409, "AlreadyExists");
    h.call("GET", "/v1/accounts/3000", None)
        .await
        .assert_problem(404, "AccountNotFound");
    assert_eq!(
        h.get("/v1/accounts").await["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn access_keys() {
    let h = Harness::new().await;
    let created = h
        .post(
            "/v1/access-keys",
            json!({"account": ACCOUNT, "id": "AKNEW0001", "secret": "s3cret"}),
        )
        .await
        .ok(201);
    assert_eq!(created["secret"], "s3cret");
    assert_eq!(created["enabled"], true);
    let generated = h
        .post("/v1/access-keys", json!({"account": ACCOUNT}))
        .await
        .ok(201);
    assert!(generated["secret"].as_str().is_some_and(|s| !s.is_empty()));
    let list = h.get(&format!("/v1/access-keys?account={ACCOUNT}")).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert!(
        items.iter().all(|k| k.get("secret").is_none()),
        "secrets are shown once"
    );
    assert_eq!(
        h.get("/v1/access-keys?account=none").await["items"],
        json!([])
    );
    let del = h.call("DELETE", "/v1/access-keys/AKNEW0001", None).await;
    assert_eq!(del.status.as_u16(), 204);
    h.call("DELETE", "/v1/access-keys/AKNEW0001", None)
        .await
        .assert_problem(404, "AccessKeyNotFound");
    h.post("/v1/access-keys", json!({"account": "nobody"}))
        .await
        .assert_problem(404, "AccountNotFound");
    h.post(
        "/v1/access-keys",
        json!({"account": ACCOUNT, "id": "AKDEMO0000000001"}),
    )
    .await
    .assert_problem(409, "AlreadyExists");
}

#[tokio::test]
async fn huawei_projects_and_regions() {
    let h = Harness::new().await;
    let regions = h.get("/v1/regions").await;
    for r in ["cn-beijing", "cn-north-4", "cn-shanghai"] {
        assert!(regions["items"]
            .as_array()
            .expect("items")
            .contains(&json!(r)));
    }
    let p = h
        .post(
            "/v1/huawei-projects",
            json!({"id": "ffff0000ffff0000", "account": ACCOUNT, "region": "ap-southeast-1"}),
        )
        .await
        .ok(201);
    assert_eq!(p["region"], "ap-southeast-1");
    let list = h.get("/v1/huawei-projects").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    let regions = h.get("/v1/regions").await;
    assert!(regions["items"]
        .as_array()
        .expect("items")
        .contains(&json!("ap-southeast-1")));
    h.post(
        "/v1/huawei-projects",
        json!({"id": "x1", "account": "nobody", "region": "r"}),
    )
    .await
    .assert_problem(404, "AccountNotFound");
}

#[tokio::test]
async fn vpcs_and_subnets() {
    let h = Harness::new().await;
    let vpc = h
        .post("/v1/vpcs", json!({"id": "vpc-new1", "account": ACCOUNT, "region": "cn-hangzhou", "cidr": "10.0.0.0/8", "name": "n"}))
        .await
        .ok(201);
    assert_eq!(vpc["cidr"], "10.0.0.0/8");
    assert_eq!(h.get("/v1/vpcs/vpc-new1").await, vpc);
    let hz = h.get("/v1/vpcs?region=cn-hangzhou").await;
    assert_eq!(hz["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        h.get("/v1/vpcs").await["items"].as_array().map(Vec::len),
        Some(4)
    );
    h.post(
        "/v1/vpcs",
        json!({"account": ACCOUNT, "region": "r", "cidr": "10.0.0.1/8"}),
    )
    .await
    .assert_problem(400, "CidrMalformed");
    h.post(
        "/v1/vpcs",
        json!({"account": "nobody", "region": "r", "cidr": "10.0.0.0/8"}),
    )
    .await
    .assert_problem(404, "AccountNotFound");
    h.call("GET", "/v1/vpcs/vpc-none", None)
        .await
        .assert_problem(404, "VpcNotFound");

    let subnet = h
        .post("/v1/subnets", json!({"id": "vsw-new1", "vpc": "vpc-new1", "zone": "cn-hangzhou-a", "cidr": "10.1.0.0/24"}))
        .await
        .ok(201);
    assert_eq!(subnet["region"], "cn-hangzhou");
    assert_eq!(subnet["account"], ACCOUNT);
    assert_eq!(h.get("/v1/subnets/vsw-new1").await, subnet);
    let of_vpc = h.get("/v1/subnets?vpc=vpc-new1").await;
    assert_eq!(of_vpc["items"].as_array().map(Vec::len), Some(1));
    h.post(
        "/v1/subnets",
        json!({"vpc": "vpc-new1", "zone": "z", "cidr": "192.168.0.0/24"}),
    )
    .await
    .assert_problem(400, "CidrOutsideVpc");
    h.post(
        "/v1/subnets",
        json!({"vpc": "vpc-none", "zone": "z", "cidr": "10.2.0.0/24"}),
    )
    .await
    .assert_problem(404, "VpcNotFound");
    h.post(
        "/v1/subnets",
        json!({"vpc": "vpc-new1", "zone": "z", "cidr": "10.1.0.0/25"}),
    )
    .await
    .assert_problem(400, "InvalidParameter");
    h.call("GET", "/v1/subnets/vsw-none", None)
        .await
        .assert_problem(404, "SubnetNotFound");
}

#[tokio::test]
async fn instances() {
    let h = Harness::new().await;
    let i = h
        .post(
            "/v1/instances",
            json!({"id": "i-new1", "subnet": VSW, "name": "web-9", "ip": "192.168.1.200"}),
        )
        .await
        .ok(201);
    assert_eq!(i["status"], "Running");
    assert_eq!(i["region"], "cn-shanghai");
    let eni = h
        .get(&format!(
            "/v1/enis/{}",
            i["primary_eni"].as_str().expect("eni")
        ))
        .await;
    assert_eq!(eni["ip"], "192.168.1.200");
    assert_eq!(eni["instance"], "i-new1");
    assert_eq!(h.get("/v1/instances/i-new1").await, i);
    let stopped = h.post("/v1/instances/i-new1/stop", json!({})).await.ok(200);
    assert_eq!(stopped["status"], "Stopped");
    let started = h
        .call("POST", "/v1/instances/i-new1/start", None)
        .await
        .ok(200);
    assert_eq!(started["status"], "Running");
    for s in ["Pending", "Starting", "Running", "Stopping", "Stopped"] {
        let a = h
            .post("/v1/instances/i-new1/status", json!({"status": s}))
            .await
            .ok(200);
        assert_eq!(a["status"], s);
    }
    h.post("/v1/instances/i-new1/status", json!({"status": "Exploded"}))
        .await
        .assert_problem(400, "InvalidParameter");
    h.post("/v1/instances/i-none/start", json!({}))
        .await
        .assert_problem(404, "InstanceNotFound");
    h.post(
        "/v1/instances",
        json!({"subnet": VSW, "ip": "192.168.1.11"}),
    )
    .await
    .assert_problem(409, "IpInUse");
    h.post("/v1/instances", json!({"subnet": VSW, "ip": "10.0.0.1"}))
        .await
        .assert_problem(400, "IpOutOfRange");
    h.post("/v1/instances", json!({"subnet": "vsw-none"}))
        .await
        .assert_problem(404, "SubnetNotFound");
    let stopped = h
        .get("/v1/instances?status=Stopped&region=cn-shanghai")
        .await;
    let mut ids: Vec<&str> = stopped["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["i-new1", "i-uf6demo0004"]);
    let in_vsw2 = h.get(&format!("/v1/instances?subnet={VSW2}")).await;
    assert_eq!(in_vsw2["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn enis() {
    let h = Harness::new().await;
    let eni = h
        .post(
            "/v1/enis",
            json!({"id": "eni-new1", "subnet": VSW, "mac": "00:16:3e:aa:bb:cc"}),
        )
        .await
        .ok(201);
    assert_eq!(eni["instance"], Value::Null);
    assert_eq!(eni["service_managed"], false);
    assert_eq!(eni["mac"], "00:16:3e:aa:bb:cc");
    assert_eq!(h.get("/v1/enis/eni-new1").await, eni);
    let attached = h
        .post(
            "/v1/enis/eni-new1/attach",
            json!({"instance": "i-uf6demo0002"}),
        )
        .await
        .ok(200);
    assert_eq!(attached["instance"], "i-uf6demo0002");
    let of_instance = h.get("/v1/enis?instance=i-uf6demo0002").await;
    assert_eq!(of_instance["items"].as_array().map(Vec::len), Some(2));
    h.post(
        "/v1/enis/eni-new1/attach",
        json!({"instance": "i-uf6demo0003"}),
    )
    .await
    .assert_problem(409, "EniAttached");
    let detached = h.post("/v1/enis/eni-new1/detach", json!({})).await.ok(200);
    assert_eq!(detached["instance"], Value::Null);
    h.post("/v1/enis/eni-uf6demo0001/detach", json!({}))
        .await
        .assert_problem(409, "EniIsPrimary");
    h.post("/v1/enis/eni-none/detach", json!({}))
        .await
        .assert_problem(404, "EniNotFound");
    h.post("/v1/enis/eni-new1/attach", json!({"instance": "i-none"}))
        .await
        .assert_problem(404, "InstanceNotFound");
    let sm = h
        .post(
            "/v1/enis",
            json!({"subnet": VSW, "service_managed": true, "instance": "i-uf6demo0003"}),
        )
        .await
        .ok(201);
    assert_eq!(sm["service_managed"], true);
    let in_region = h.get("/v1/enis?region=cn-beijing").await;
    assert!(in_region["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|e| e["region"] == "cn-beijing"));
}

#[tokio::test]
async fn havip_lifecycle() {
    let h = Harness::new().await;
    let created = h
        .post(
            "/v1/havips",
            json!({"subnet": VSW, "ip": "192.168.1.150", "name": "db-vip", "description": "db", "tags": {"env": "prod", "team": "db"}}),
        )
        .await
        .ok(201);
    let id = created["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("havip-"));
    assert_eq!(created["status"], "Available");
    assert_eq!(created["ip"], "192.168.1.150");
    assert_eq!(created["vpc"], "vpc-uf6demo0001");
    assert_eq!(created["region"], "cn-shanghai");
    assert_eq!(created["account"], ACCOUNT);
    assert_eq!(created["tags"], json!({"env": "prod", "team": "db"}));
    assert_eq!(created["associated_type"], Value::Null);
    assert_eq!(created["members"], json!([]));
    assert_eq!(created["pending"], Value::Null);
    assert_eq!(h.get(&format!("/v1/havips/{id}")).await, created);

    let patched = h
        .call(
            "PATCH",
            &format!("/v1/havips/{id}"),
            Some(json!({"description": "the db pair"})),
        )
        .await
        .ok(200);
    assert_eq!(patched["description"], "the db pair");
    assert_eq!(patched["name"], "db-vip");

    let one = h
        .post(
            &format!("/v1/havips/{id}/associate"),
            json!({"instance_id": "i-uf6demo0001"}),
        )
        .await
        .ok(200);
    assert_eq!(one["status"], "InUse");
    assert_eq!(one["associated_type"], "EcsInstance");
    assert_eq!(one["master"], "i-uf6demo0001");
    let two = h
        .post(
            &format!("/v1/havips/{id}/associate"),
            json!({"instance_id": "i-uf6demo0002", "instance_type": "EcsInstance", "client_token": "tok-1"}),
        )
        .await
        .ok(200);
    let members: Vec<&str> = two["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(members, ["i-uf6demo0001", "i-uf6demo0002"]);
    assert_eq!(
        two["members"][1],
        json!({"id": "i-uf6demo0002", "kind": "EcsInstance", "instance": "i-uf6demo0002", "state": "Associated"})
    );
    // The same ClientToken and parameters: the first answer, nothing more.
    let again = h
        .post(
            &format!("/v1/havips/{id}/associate"),
            json!({"instance_id": "i-uf6demo0002", "client_token": "tok-1"}),
        )
        .await
        .ok(200);
    assert_eq!(again["members"].as_array().map(Vec::len), Some(2));

    let moved = h
        .post(&format!("/v1/havips/{id}/failover"), json!({}))
        .await
        .ok(200);
    assert_eq!(moved["master"], "i-uf6demo0002");
    let back = h
        .post(
            &format!("/v1/havips/{id}/failover"),
            json!({"to": "i-uf6demo0001"}),
        )
        .await
        .ok(200);
    assert_eq!(back["master"], "i-uf6demo0001");

    let tagged = h
        .call(
            "PUT",
            &format!("/v1/havips/{id}/tags"),
            Some(json!({"owner": "ops", "env": "stage"})),
        )
        .await
        .ok(200);
    assert_eq!(
        tagged["tags"],
        json!({"env": "stage", "owner": "ops", "team": "db"})
    );
    let untagged = h
        .call(
            "DELETE",
            &format!("/v1/havips/{id}/tags?key=team&key=owner"),
            None,
        )
        .await
        .ok(200);
    assert_eq!(untagged["tags"], json!({"env": "stage"}));

    h.call("DELETE", &format!("/v1/havips/{id}"), None)
        .await
        .assert_problem(409, "HaVipStatus");
    let left = h
        .post(
            &format!("/v1/havips/{id}/disassociate"),
            json!({"instance_id": "i-uf6demo0001"}),
        )
        .await
        .ok(200);
    assert_eq!(left["master"], "i-uf6demo0002");
    let empty = h
        .post(
            &format!("/v1/havips/{id}/disassociate"),
            json!({"instance_id": "i-uf6demo0002", "instance_type": "EcsInstance", "force": true, "client_token": "tok-2"}),
        )
        .await
        .ok(200);
    assert_eq!(empty["status"], "Available");
    assert_eq!(empty["master"], Value::Null);

    let gone = h.call("DELETE", &format!("/v1/havips/{id}"), None).await;
    assert_eq!(gone.status.as_u16(), 204);
    assert!(gone.body.is_empty());
    h.call("GET", &format!("/v1/havips/{id}"), None)
        .await
        .assert_problem(404, "HaVipNotFound");
}

#[tokio::test]
async fn havips_through_network_interfaces() {
    let h = Harness::new().await;
    let a = h
        .post(
            &format!("/v1/havips/{SEED_HAVIP}/associate"),
            json!({"instance_id": "eni-uf6demo0011", "instance_type": "NetworkInterface"}),
        )
        .await
        .ok(200);
    assert_eq!(a["associated_type"], "NetworkInterface");
    assert_eq!(a["members"][0]["instance"], "i-uf6demo0001");
    let errors = [
        (json!({"instance_id": "i-uf6demo0002"}), 409, "MixedTypes"),
        (
            json!({"instance_id": "eni-uf6demo0012", "instance_type": "NetworkInterface"}),
            409,
            "FreeEni",
        ),
        (
            json!({"instance_id": "eni-uf6demo0013", "instance_type": "NetworkInterface"}),
            409,
            "ServiceManagedEni",
        ),
        (
            json!({"instance_id": "eni-uf6demo0001", "instance_type": "NetworkInterface"}),
            409,
            "TwoEnisOfOneInstance",
        ),
        (
            json!({"instance_id": "eni-uf6demo0011", "instance_type": "NetworkInterface"}),
            409,
            "AlreadyAssociated",
        ),
        (
            json!({"instance_id": "eni-none", "instance_type": "NetworkInterface"}),
            404,
            "EniNotFound",
        ),
    ];
    for (body, status, code) in errors {
        h.post(&format!("/v1/havips/{SEED_HAVIP}/associate"), body)
            .await
            .assert_problem(status, code);
    }
    h.post("/v1/enis/eni-uf6demo0011/detach", json!({}))
        .await
        .assert_problem(409, "EniCarriesHaVip");
}

/// The operator's creates meet the operator's quota (the most generous of the faces'), and
/// seed HaVips count towards it.
#[tokio::test]
async fn create_past_the_largest_quota_is_a_conflict() {
    let limits = Limits {
        havips_per_region: 3,
        ..default_limits()
    };
    let h = Harness::with(Duration::ZERO, limits).await;
    // The seed's HaVip and two more make three, the largest quota.
    for _ in 0..2 {
        h.post("/v1/havips", json!({"subnet": VSW})).await.ok(201);
    }
    let refused = h.post("/v1/havips", json!({"subnet": VSW2})).await;
    refused.assert_problem(409, "HaVipQuotaExceeded");
    assert_eq!(refused.json()["status"], 409);
    // Another region of the account has its own quota.
    h.post("/v1/havips", json!({"subnet": "subnet-13fdemo0001"}))
        .await
        .ok(201);
}

#[tokio::test]
async fn havip_rule_errors() {
    let h = Harness::with(Duration::ZERO, equal_limits(2)).await;
    let url = format!("/v1/havips/{SEED_HAVIP}/associate");
    h.post(&url, json!({"instance_id": "i-uf6demo0001"}))
        .await
        .ok(200);
    h.post(&url, json!({"instance_id": "i-uf6demo0004"}))
        .await
        .ok(200);
    let rows = [
        (
            json!({"instance_id": "i-uf6demo0002"}),
            409,
            "InstancesPerHaVipLimit",
        ),
        (
            json!({"instance_id": "i-uf6demo0001"}),
            409,
            "AlreadyAssociated",
        ),
        (
            json!({"instance_id": "i-uf6demo0005"}),
            409,
            "DifferentSubnet",
        ),
        (json!({"instance_id": "i-none"}), 404, "InstanceNotFound"),
        (
            json!({"instance_id": "i-uf6demo0002", "instance_type": "Vm"}),
            400,
            "InstanceTypeMalformed",
        ),
        (
            json!({"instance_id": "i-uf6demo0002", "client_token": "x".repeat(65)}),
            400,
            "ClientTokenMalformed",
        ),
        (json!({"instance_id": ""}), 400, "MissingParameter"),
    ];
    for (body, status, code) in rows {
        h.post(&url, body).await.assert_problem(status, code);
    }
    h.post(
        &format!("/v1/havips/{SEED_HAVIP}/disassociate"),
        json!({"instance_id": "i-uf6demo0002"}),
    )
    .await
    .assert_problem(409, "NotAssociated");
    h.post(
        &format!("/v1/havips/{SEED_HAVIP}/failover"),
        json!({"to": "i-uf6demo0003"}),
    )
    .await
    .assert_problem(409, "NotAssociated");
    h.post(
        "/v1/havips/havip-none/associate",
        json!({"instance_id": "i-uf6demo0002"}),
    )
    .await
    .assert_problem(404, "HaVipNotFound");

    // An instance must be Running or Stopped.
    h.post(
        "/v1/instances/i-uf6demo0003/status",
        json!({"status": "Starting"}),
    )
    .await
    .ok(200);
    let other = h.post("/v1/havips", json!({"subnet": VSW})).await.ok(201);
    let other_id = other["id"].as_str().expect("id");
    h.post(
        &format!("/v1/havips/{other_id}/associate"),
        json!({"instance_id": "i-uf6demo0003"}),
    )
    .await
    .assert_problem(409, "InstanceStatus");

    // A ClientToken reused with other parameters.
    h.post(
        &format!("/v1/havips/{other_id}/associate"),
        json!({"instance_id": "i-uf6demo0002", "client_token": "t-9"}),
    )
    .await
    .ok(200);
    h.post(
        &format!("/v1/havips/{other_id}/associate"),
        json!({"instance_id": "i-uf6demo0001", "client_token": "t-9"}),
    )
    .await
    .assert_problem(409, "IdempotentParameterMismatch");

    // Creation rules.
    let creates = [
        (
            json!({"subnet": VSW, "ip": "192.168.1.100"}),
            409,
            "IpInUse",
        ),
        (
            json!({"subnet": VSW, "ip": "10.9.9.9"}),
            400,
            "IpOutOfRange",
        ),
        (
            json!({"subnet": VSW, "ip": "192.168.1.0"}),
            400,
            "IpReserved",
        ),
        (
            json!({"subnet": VSW, "ip": "300.1.1.1"}),
            400,
            "IpMalformed",
        ),
        (
            json!({"subnet": VSW, "name": "http://x"}),
            400,
            "NameMalformed",
        ),
        (
            json!({"subnet": VSW, "description": ""}),
            400,
            "DescriptionMalformed",
        ),
        (
            json!({"subnet": VSW, "tags": {"aliyun:x": "v"}}),
            400,
            "TagKeyMalformed",
        ),
        (
            json!({"subnet": VSW, "tags": {"k": "v".repeat(129)}}),
            400,
            "TagValueMalformed",
        ),
        (json!({"subnet": "vsw-none"}), 404, "SubnetNotFound"),
        (json!({"subnet": ""}), 400, "MissingParameter"),
    ];
    for (body, status, code) in creates {
        h.post("/v1/havips", body)
            .await
            .assert_problem(status, code);
    }
    let many: serde_json::Map<String, Value> =
        (0..21).map(|i| (format!("k{i}"), json!("v"))).collect();
    h.post("/v1/havips", json!({"subnet": VSW, "tags": many}))
        .await
        .assert_problem(409, "TooManyTags");
    h.call(
        "PATCH",
        &format!("/v1/havips/{SEED_HAVIP}"),
        Some(json!({"name": ""})),
    )
    .await
    .assert_problem(400, "NameMalformed");
    h.call("DELETE", &format!("/v1/havips/{SEED_HAVIP}/tags"), None)
        .await
        .assert_problem(400, "MissingParameter");
}

#[tokio::test]
async fn creating_with_a_client_token_is_idempotent() {
    let h = Harness::new().await;
    let body = json!({"subnet": VSW, "name": "once", "client_token": "create-1"});
    let first = h.post("/v1/havips", body.clone()).await.ok(201);
    let second = h.post("/v1/havips", body).await.ok(201);
    assert_eq!(first["id"], second["id"]);
    let named = h.get("/v1/havips?subnet=vsw-uf6demo0001").await;
    assert_eq!(named["total"], 2);
    h.post(
        "/v1/havips",
        json!({"subnet": VSW, "name": "twice", "client_token": "create-1"}),
    )
    .await
    .assert_problem(409, "IdempotentParameterMismatch");
}

#[tokio::test]
async fn listing_filters_and_pages() {
    let h = Harness::new().await;
    for i in 0..5 {
        let tags = if i % 2 == 0 {
            json!({"env": "prod"})
        } else {
            json!({"env": "dev"})
        };
        h.post(
            "/v1/havips",
            json!({"subnet": VSW2, "name": format!("v{i}"), "tags": tags}),
        )
        .await
        .ok(201);
    }
    h.post("/v1/havips", json!({"subnet": "subnet-13fdemo0001"}))
        .await
        .ok(201);
    let all = h.get("/v1/havips").await;
    assert_eq!(all["total"], 7);
    assert_eq!(all["page"], 1);
    assert_eq!(all["page_size"], 50);
    let page2 = h.get("/v1/havips?page=2&page_size=3").await;
    assert_eq!(page2["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(page2["total"], 7);
    assert_eq!(page2["items"][0]["id"], all["items"][3]["id"]);
    let page9 = h.get("/v1/havips?page=9&page_size=3").await;
    assert_eq!(page9["items"], json!([]));
    assert_eq!(h.get("/v1/havips?region=cn-beijing").await["total"], 1);
    assert_eq!(h.get("/v1/havips?region=nowhere").await["total"], 0);
    assert_eq!(
        h.get(&format!("/v1/havips?account={ACCOUNT}")).await["total"],
        7
    );
    assert_eq!(h.get("/v1/havips?account=2000").await["total"], 0);
    assert_eq!(
        h.get(&format!("/v1/havips?subnet={VSW2}")).await["total"],
        5
    );
    assert_eq!(h.get("/v1/havips?vpc=vpc-uf6demo0001").await["total"], 6);
    assert_eq!(h.get("/v1/havips?tag=env:prod").await["total"], 3);
    assert_eq!(h.get("/v1/havips?tag=env").await["total"], 5);
    assert_eq!(
        h.get("/v1/havips?tag=env:prod&subnet=vsw-uf6demo0002")
            .await["total"],
        3
    );
    assert_eq!(h.get("/v1/havips?status=Available").await["total"], 7);
    assert_eq!(h.get("/v1/havips?status=InUse").await["total"], 0);
    assert_eq!(
        h.get("/v1/havips?ip=192.168.1.100").await["items"][0]["id"],
        SEED_HAVIP
    );
    let max = h.get("/v1/havips?page_size=500").await;
    assert_eq!(max["page_size"], 500);
}

#[tokio::test]
async fn changes_in_flight_are_operations() {
    let h = Harness::with(Duration::from_secs(1), default_limits()).await;
    let created = h.post("/v1/havips", json!({"subnet": VSW})).await.ok(201);
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(created["status"], "Creating");
    assert_eq!(created["pending"]["kind"], "Create");
    let ops = h.get("/v1/operations").await;
    assert_eq!(ops["items"][0]["havip"], id.as_str());
    assert_eq!(ops["items"][0]["kind"], "Create");
    assert_eq!(ops["items"][0]["id"], created["pending"]["id"]);
    assert_eq!(ops["items"][0]["due_at"], "2023-11-14T22:13:21.000Z");
    h.advance(1000).await;
    assert_eq!(
        h.get(&format!("/v1/havips/{id}")).await["status"],
        "Available"
    );

    let assoc = h
        .post(
            &format!("/v1/havips/{id}/associate"),
            json!({"instance_id": "i-uf6demo0001"}),
        )
        .await
        .ok(200);
    assert_eq!(assoc["status"], "Associating");
    assert_eq!(assoc["pending"]["member"], "i-uf6demo0001");
    h.post(
        &format!("/v1/havips/{id}/associate"),
        json!({"instance_id": "i-uf6demo0002"}),
    )
    .await
    .assert_problem(409, "HaVipStatus");
    let ops = h.get("/v1/operations").await;
    assert_eq!(ops["items"][0]["kind"], "Associate");
    assert_eq!(ops["items"][0]["member"], "i-uf6demo0001");
    h.advance(1000).await;
    assert_eq!(h.get(&format!("/v1/havips/{id}")).await["status"], "InUse");
    assert_eq!(h.get("/v1/operations").await["items"], json!([]));

    h.post(
        &format!("/v1/havips/{id}/disassociate"),
        json!({"instance_id": "i-uf6demo0001"}),
    )
    .await
    .ok(200);
    h.advance(1000).await;
    let deleting = h.call("DELETE", &format!("/v1/havips/{id}"), None).await;
    let body = deleting.ok(202);
    assert_eq!(body["status"], "Deleting");
    assert_eq!(h.get("/v1/operations").await["items"][0]["kind"], "Delete");
    h.advance(1000).await;
    h.call("GET", &format!("/v1/havips/{id}"), None)
        .await
        .assert_problem(404, "HaVipNotFound");
}

#[tokio::test]
async fn a_change_in_flight_can_be_finished_at_once() {
    let h = Harness::with(Duration::from_secs(3600), default_limits()).await;
    let id = h.post("/v1/havips", json!({"subnet": VSW})).await.ok(201)["id"]
        .as_str()
        .expect("id")
        .to_string();
    let complete = format!("/v1/havips/{id}/complete");
    assert_eq!(
        h.call("POST", &complete, None).await.ok(200)["status"],
        "Available"
    );
    // Nothing is in flight any more: refused, and nothing changes.
    let before = h.snapshot().await;
    h.call("POST", &complete, None)
        .await
        .assert_problem(409, "HaVipStatus");
    assert_eq!(h.snapshot().await, before);

    h.post(
        &format!("/v1/havips/{id}/associate"),
        json!({"instance_id": "i-uf6demo0001"}),
    )
    .await
    .ok(200);
    let done = h.call("POST", &complete, None).await.ok(200);
    assert_eq!(done["status"], "InUse");
    assert_eq!(done["pending"], Value::Null);
    assert_eq!(h.get("/v1/operations").await["items"], json!([]));

    h.post(
        &format!("/v1/havips/{id}/disassociate"),
        json!({"instance_id": "i-uf6demo0001"}),
    )
    .await
    .ok(200);
    h.call("POST", &complete, None).await.ok(200);
    h.call("DELETE", &format!("/v1/havips/{id}"), None)
        .await
        .ok(202);
    assert_eq!(h.call("POST", &complete, None).await.status, 204);
    h.call("GET", &format!("/v1/havips/{id}"), None)
        .await
        .assert_problem(404, "HaVipNotFound");
    h.call("POST", "/v1/havips/havip-nosuch/complete", None)
        .await
        .assert_problem(404, "HaVipNotFound");
}
