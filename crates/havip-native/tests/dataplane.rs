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

fn claim(instance: &str, eni: &str, vip: &str, at_ms: i64) -> serde_json::Value {
    json!({"subnet": "vsw-uf6demo0001", "vip": vip, "port": format!("hvp-{instance}"),
           "eni": eni, "instance": instance, "mac": "00:16:3e:00:00:09",
           "kind": "GratuitousRequest", "at_ms": at_ms})
}

#[tokio::test]
async fn the_master_follows_the_latest_claim_of_an_associated_member() {
    let h = Harness::with_dataplane().await;
    for member in [INSTANCE, "i-uf6demo0002"] {
        h.call(
            "POST",
            &format!("/v1/havips/{SEED_HAVIP}/associate"),
            Some(json!({"instance_id": member})),
        )
        .await
        .ok(200);
        let at = revision(&h).await;
        h.call(
            "POST",
            "/v1/dataplane/ack",
            Some(json!({"revision": at, "agent": "test"})),
        )
        .await
        .ok(200);
    }
    let havip = h
        .call("GET", &format!("/v1/havips/{SEED_HAVIP}"), None)
        .await
        .ok(200);
    assert_eq!(havip["status"], "InUse");
    assert_eq!(
        havip["master"], INSTANCE,
        "the first member, before any ARP"
    );
    assert_eq!(havip["master_claim"], json!(null));
    let vip = havip["ip"].as_str().unwrap().to_string();

    // The failover call no longer moves it.
    h.call(
        "POST",
        &format!("/v1/havips/{SEED_HAVIP}/failover"),
        Some(json!({})),
    )
    .await
    .assert_problem(409, "MasterFollowsArp");

    let report = |claims: Vec<serde_json::Value>| {
        let h = &h;
        async move {
            h.call(
                "POST",
                "/v1/dataplane/claims",
                Some(json!({"agent": "test", "claims": claims})),
            )
            .await
            .ok(200)["results"]
                .clone()
        }
    };
    let results = report(vec![
        claim("i-uf6demo0002", "eni-x", &vip, 1_700_000_001_000),
        claim("i-uf6demo0002", "eni-x", &vip, 1_700_000_001_500),
        claim("i-uf6demo0003", "eni-y", &vip, 1_700_000_001_600),
        claim("i-uf6demo0002", "eni-x", "192.168.1.222", 1_700_000_001_700),
    ])
    .await;
    assert_eq!(
        results[0],
        json!({"result": "MasterChanged", "havip": SEED_HAVIP, "from": INSTANCE, "to": "i-uf6demo0002"})
    );
    assert_eq!(
        results[1],
        json!({"result": "Unchanged", "havip": SEED_HAVIP})
    );
    assert_eq!(results[2]["result"], "Ignored", "not a member");
    assert_eq!(results[3]["result"], "Ignored", "no HaVip has that address");
    let havip = h
        .call("GET", &format!("/v1/havips/{SEED_HAVIP}"), None)
        .await
        .ok(200);
    assert_eq!(havip["master"], "i-uf6demo0002");
    assert_eq!(havip["master_claim"]["port"], "hvp-i-uf6demo0002");
    assert_eq!(havip["master_claim"]["kind"], "GratuitousRequest");
    assert_eq!(havip["master_claim"]["at"], "2023-11-14T22:13:21.000Z");

    // Split brain: both announce; the latest claim wins, and both are events.
    report(vec![claim(
        INSTANCE,
        "eni-uf6demo0001",
        &vip,
        1_700_000_002_000,
    )])
    .await;
    let events = h.call("GET", "/v1/events", None).await.ok(200);
    let all = events["items"].as_array().unwrap();
    // The first association made the first master (a change); then two claims.
    assert_eq!(all.len(), 3);
    assert_eq!(all[0]["detail"]["cause"], "change");
    assert_eq!(all[0]["detail"]["from"], json!(null));
    assert_eq!(all[0]["detail"]["to"], INSTANCE);
    assert_eq!(all[0]["detail"]["claim"], json!(null));
    let items: Vec<&serde_json::Value> = all
        .iter()
        .filter(|e| e["detail"]["cause"] == "arp")
        .collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["kind"], "MasterChanged");
    assert_eq!(items[0]["detail"]["to"], "i-uf6demo0002");
    assert_eq!(items[1]["detail"]["from"], "i-uf6demo0002");
    assert_eq!(items[1]["detail"]["to"], INSTANCE);
    assert_eq!(items[1]["detail"]["claim"]["mac"], "00:16:3e:00:00:09");
    assert!(items[0]["seq"].as_i64() < items[1]["seq"].as_i64());
    // Paged by the cursor.
    let first = h.call("GET", "/v1/events?limit=2", None).await.ok(200);
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let rest = h
        .call(
            "GET",
            &format!("/v1/events?since={}", first["next_since"]),
            None,
        )
        .await
        .ok(200);
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["seq"], items[1]["seq"]);
    let none = h
        .call(
            "GET",
            &format!("/v1/events?since={}", rest["next_since"]),
            None,
        )
        .await
        .ok(200);
    assert_eq!(none["items"], json!([]));
    assert_eq!(none["next_since"], rest["next_since"]);
    assert_eq!(
        h.call("GET", &format!("/v1/havips/{SEED_HAVIP}"), None)
            .await
            .ok(200)["master"],
        INSTANCE
    );
}

#[tokio::test]
async fn refused_claims_and_event_queries_change_nothing() {
    let h = Harness::with_dataplane().await;
    let before = h.snapshot().await;
    let ok_claim = claim(INSTANCE, "eni-uf6demo0001", "192.168.1.100", 1);
    for (method, path, body, code) in [
        ("GET", "/v1/events?limit=0", None, "InvalidParameter"),
        ("GET", "/v1/events?limit=1001", None, "InvalidParameter"),
        ("GET", "/v1/events?since=-1", None, "InvalidParameter"),
        ("GET", "/v1/events?cursor=1", None, "InvalidParameter"),
        (
            "POST",
            "/v1/dataplane/claims",
            Some(json!({"agent": "", "claims": [ok_claim.clone()]})),
            "InvalidParameter",
        ),
        (
            "POST",
            "/v1/dataplane/claims",
            Some(json!({"agent": "a", "claims": [ok_claim.clone()], "x": 1})),
            "InvalidBody",
        ),
        (
            "POST",
            "/v1/dataplane/claims",
            Some(json!({"agent": "a", "claims": [
                ok_claim.clone(),
                claim(INSTANCE, "eni-uf6demo0001", "192.168.1.100", 253_402_300_800_000),
            ]})),
            "InvalidParameter",
        ),
        (
            "POST",
            "/v1/dataplane/claims",
            Some(json!({"agent": "a", "claims": [
                claim(INSTANCE, "eni-uf6demo0001", "192.168.1.100", -1),
            ]})),
            "InvalidParameter",
        ),
        (
            "POST",
            "/v1/dataplane/claims",
            Some(
                json!({"agent": "a", "claims": [{"subnet": "vsw-uf6demo0001",
                "vip": "192.168.1.100", "port": "p", "instance": "i-uf6demo0001",
                "mac": "m", "kind": "Announcement", "at_ms": 1}]}),
            ),
            "InvalidParameter",
        ),
        (
            "POST",
            "/v1/dataplane/claims",
            Some(json!({"agent": "a", "claims": [{"vip": "192.168.1.100"}]})),
            "InvalidBody",
        ),
        (
            "POST",
            "/v1/dataplane/claims",
            Some(
                json!({"agent": "a", "claims": [{"subnet": "s", "vip": "300.1.1.1", "port": "p",
                "mac": "m", "kind": "Reply", "at_ms": 1}]}),
            ),
            "InvalidBody",
        ),
    ] {
        h.call(method, path, body).await.assert_problem(400, code);
    }
    assert_eq!(h.snapshot().await, before);
}
