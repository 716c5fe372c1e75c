//! The data plane's routes of the native API: the desired state and its long poll, the
//! acknowledgement that completes changes in flight, the fabric's view per port, and
//! their refusals (problem JSON, nothing changed).

mod common;

use std::time::{Duration, Instant};

use common::{Harness, SEED_HAVIP};
use serde_json::json;

const INSTANCE: &str = "i-uf6demo0001";

async fn revision(h: &Harness) -> i64 {
    h.call("GET", "/v1/dataplane/desired", None).await.ok(200)["revision"]
        .as_i64()
        .expect("revision")
}

#[tokio::test]
async fn the_desired_state_lists_the_inventory_and_the_members_the_fabric_carries() {
    let h = Harness::with_dataplane().await;
    let d = h.call("GET", "/v1/dataplane/desired", None).await.ok(200);
    assert!(d["revision"].as_i64().unwrap() > 0);
    let eni = d["enis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "eni-uf6demo0001")
        .expect("the seed's ENI");
    assert_eq!(eni["instance"], INSTANCE);
    assert!(eni["mac"].as_str().unwrap().len() == 17);
    assert!(d["subnets"][0]["cidr"].as_str().unwrap().contains('/'));
    let vip = |d: &serde_json::Value| {
        d["havips"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["id"] == SEED_HAVIP)
            .cloned()
            .expect("the seed's HaVip")
    };
    assert_eq!(vip(&d)["members"], json!([]));

    let a = h
        .call(
            "POST",
            &format!("/v1/havips/{SEED_HAVIP}/associate"),
            Some(json!({"instance_id": INSTANCE})),
        )
        .await
        .ok(200);
    assert_eq!(a["status"], "Associating", "waits for the data plane");
    let d = h.call("GET", "/v1/dataplane/desired", None).await.ok(200);
    assert_eq!(
        vip(&d)["members"],
        json!([{"kind": "EcsInstance", "id": INSTANCE}])
    );
    let ops = h.call("GET", "/v1/operations", None).await.ok(200);
    assert_eq!(ops["items"][0]["awaits"], "dataplane");
    assert_eq!(ops["items"][0]["due_at"], json!(null));

    let view = h.call("GET", "/v1/dataplane/ports", None).await.ok(200);
    assert_eq!(view["attached"], true);
    assert!(
        view["lag"].as_i64().unwrap() > 0,
        "nothing acknowledged yet"
    );

    let ack = json!({
        "revision": d["revision"],
        "agent": "test-agent",
        "ports": [{
            "port": "hvp1", "label": "i-uf6demo0001 eth0 eni-uf6demo0001",
            "eni": "eni-uf6demo0001", "instance": INSTANCE, "mac": "00:16:3e:00:00:01",
            "allowed": ["192.168.1.10"], "drops": {"vip": 3}, "vip_drops": {"192.168.1.100": 3}
        }]
    });
    let done = h.call("POST", "/v1/dataplane/ack", Some(ack)).await.ok(200);
    assert_eq!(done["completed"], json!([SEED_HAVIP]));
    assert_eq!(done["acked_revision"], d["revision"]);
    let got = h
        .call("GET", &format!("/v1/havips/{SEED_HAVIP}"), None)
        .await
        .ok(200);
    assert_eq!(got["status"], "InUse");
    let view = h.call("GET", "/v1/dataplane/ports", None).await.ok(200);
    assert_eq!(view["agent"], "test-agent");
    assert_eq!(view["acked_revision"], d["revision"]);
    assert_eq!(view["ports"][0]["vip_drops"]["192.168.1.100"], 3);
    assert!(view["acked_at"].is_string());
}

#[tokio::test]
async fn the_long_poll_waits_for_the_next_revision() {
    let h = Harness::with_dataplane().await;
    let at = revision(&h).await;
    let started = Instant::now();
    let d = h
        .call(
            "GET",
            &format!("/v1/dataplane/desired?after={at}&wait_ms=100"),
            None,
        )
        .await
        .ok(200);
    assert_eq!(d["revision"], at, "nothing changed: the same revision");
    assert!(started.elapsed() >= Duration::from_millis(100));
    let d = h
        .call(
            "GET",
            &format!("/v1/dataplane/desired?after={}&wait_ms=60000", at - 1),
            None,
        )
        .await
        .ok(200);
    assert_eq!(d["revision"], at, "already past: answered at once");
}

#[tokio::test]
async fn refused_requests_change_nothing() {
    let h = Harness::with_dataplane().await;
    let at = revision(&h).await;
    let before = h.snapshot().await;
    for (method, path, body, code) in [
        (
            "GET",
            "/v1/dataplane/desired?wait_ms=60001",
            None,
            "InvalidParameter",
        ),
        (
            "GET",
            "/v1/dataplane/desired?after=-1",
            None,
            "InvalidParameter",
        ),
        (
            "GET",
            "/v1/dataplane/desired?after=x",
            None,
            "InvalidParameter",
        ),
        (
            "GET",
            "/v1/dataplane/desired?since=1",
            None,
            "InvalidParameter",
        ),
        ("GET", "/v1/dataplane/ports?x=1", None, "InvalidParameter"),
        (
            "POST",
            "/v1/dataplane/ack",
            Some(json!({"revision": at + 1000, "agent": "a"})),
            "InvalidParameter",
        ),
        (
            "POST",
            "/v1/dataplane/ack",
            Some(json!({"revision": -1, "agent": "a"})),
            "InvalidParameter",
        ),
        (
            "POST",
            "/v1/dataplane/ack",
            Some(json!({"revision": at, "agent": " "})),
            "InvalidParameter",
        ),
        (
            "POST",
            "/v1/dataplane/ack",
            Some(json!({"revision": at, "agent": "a".repeat(257)})),
            "InvalidParameter",
        ),
        (
            "POST",
            "/v1/dataplane/ack",
            Some(json!({"revision": at, "agent": "a", "extra": 1})),
            "InvalidBody",
        ),
        (
            "POST",
            "/v1/dataplane/ack",
            Some(json!({"revision": "1", "agent": "a"})),
            "InvalidBody",
        ),
        (
            "POST",
            "/v1/dataplane/ack",
            Some(json!({"revision": at, "agent": "a", "ports": [{"port": "p"}]})),
            "InvalidBody",
        ),
    ] {
        let a = h.call(method, path, body).await;
        a.assert_problem(400, code);
    }
    let unauthenticated = h
        .send(
            axum::extract::Request::builder()
                .uri("/v1/dataplane/desired")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    unauthenticated.assert_problem(401, "Unauthorized");
    assert_eq!(h.snapshot().await, before);
}
