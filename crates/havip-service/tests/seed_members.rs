//! A seed HaVip's `members` are associated when the seed is loaded, by the rules a request
//! meets (on both stores): in order, the first one master; a member the rules refuse
//! stops the load with a message naming both, and nothing of the seed is kept.

use std::sync::Arc;

use havip_core::HaVipStatus;
use havip_service::{Caller, ManualClock, SeededIds, Service, ServiceConfig};

mod backend;
use backend::Backend;

const SEED: &str = r#"
[[account]]
id = "1000000000000077"
[[vpc]]
id = "vpc-m"
account = "1000000000000077"
region = "cn-shanghai"
cidr = "10.77.0.0/16"
[[subnet]]
id = "vsw-m1"
vpc = "vpc-m"
zone = "cn-shanghai-b"
cidr = "10.77.1.0/24"
[[subnet]]
id = "vsw-m2"
vpc = "vpc-m"
zone = "cn-shanghai-b"
cidr = "10.77.2.0/24"
[[instance]]
id = "i-m1"
subnet = "vsw-m1"
status = "Running"
[[instance]]
id = "i-m2"
subnet = "vsw-m1"
status = "Running"
[[instance]]
id = "i-other"
subnet = "vsw-m2"
status = "Running"
[[havip]]
id = "havip-m1"
subnet = "vsw-m1"
"#;

async fn service(dir: &Backend) -> Service {
    Service::new(
        dir.open().await,
        ServiceConfig::default(),
        Arc::new(ManualClock::new(1_700_000_000_000)),
        Arc::new(SeededIds::new(1)),
    )
}

fn caller() -> Caller {
    Caller::tenant(
        backend::profiles::arc(backend::profiles::pair()),
        "1000000000000077",
        "cn-shanghai",
    )
}

async fn members_are_associated_in_order(dir: Backend) {
    let s = service(&dir).await;
    let seed = havip_seed::parse_seed(&format!("{SEED}members = [\"i-m2\", \"i-m1\"]\n")).unwrap();
    s.load_seed(&seed).await.unwrap();
    let h = s.get_havip(&caller(), "havip-m1").await.unwrap();
    assert_eq!(h.status, HaVipStatus::InUse);
    let ids: Vec<&str> = h.members.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["i-m2", "i-m1"]);
    assert_eq!(h.master.as_deref(), Some("i-m2"));
    // Loading it again changes nothing.
    assert_eq!(s.load_seed(&seed).await.unwrap().created, 0);
}

async fn a_member_the_rules_refuse_stops_the_load(dir: Backend) {
    let s = service(&dir).await;
    let seed =
        havip_seed::parse_seed(&format!("{SEED}members = [\"i-m1\", \"i-other\"]\n")).unwrap();
    let e = s.load_seed(&seed).await.unwrap_err().to_string();
    assert!(e.contains("havip-m1") && e.contains("i-other"), "{e}");
    assert!(e.contains("different subnets"), "{e}");
    assert!(
        s.accounts().await.unwrap().is_empty(),
        "nothing of the seed is kept"
    );
}

backend::on_every_store!(
    members_are_associated_in_order,
    a_member_the_rules_refuse_stops_the_load,
);
