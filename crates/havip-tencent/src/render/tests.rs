//! The answers byte for byte: each action's answer and an error, pinned as exact strings
//! (field names and order as the SDK's models read them), and how a HaVip shows its
//! state, master, drift range and times.

use std::collections::BTreeMap;

use havip_core::{MasterClaim, Member, MemberState, PendingChange, PendingKind};

use super::*;
use crate::errors::FaceError;

const RID: &str = "fcb47621-838b-428e-8c33-6e210d93c451";
/// 2026-12-02 05:20:37 in Beijing.
const CREATED: i64 = 1_796_160_037_000;

fn profile() -> Profile {
    crate::profile::profile()
}

fn member(id: &str, kind: MemberKind, instance: &str, state: MemberState, position: i64) -> Member {
    Member {
        id: id.into(),
        kind,
        instance: instance.into(),
        state,
        position,
    }
}

fn sample(status: HaVipStatus, members: Vec<Member>, master: Option<&str>) -> HaVip {
    HaVip {
        id: "havip-9o233uri".into(),
        account: "1000000000000001".into(),
        region: "ap-guangzhou".into(),
        vpc: "vpc-2at5y1pn".into(),
        subnet: "subnet-qq51iwr4".into(),
        ip: "10.0.1.20".parse().unwrap(),
        name: "web vip".into(),
        description: String::new(),
        status,
        members,
        master: master.map(String::from),
        master_claim: None,
        tags: BTreeMap::from([("team".to_string(), "a&b=c".to_string())]),
        eip: None,
        resource_group: String::new(),
        pending: None,
        created_at: CREATED,
        updated_at: CREATED,
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

const UNBOUND_HAVIP: &str = r#"{"HaVipId":"havip-9o233uri","HaVipName":"web vip","Vip":"10.0.1.20","VpcId":"vpc-2at5y1pn","SubnetId":"subnet-qq51iwr4","NetworkInterfaceId":"","InstanceId":"","AddressIp":"","State":"UNBIND","CreatedTime":"2026-12-02 05:20:37","Business":"","HaVipAssociationSet":[],"CheckAssociate":true,"CdcId":"","FlushedTime":"0000-00-00 00:00:00","TagSet":[{"Key":"team","Value":"a&b=c"}]}"#;

#[test]
fn golden_create_answer() {
    let h = sample(HaVipStatus::Available, Vec::new(), None);
    let answer = Answer::CreateHaVip(Box::new(CreateHaVipAnswer {
        ha_vip: havip(&profile(), &h, &Holder::default()),
    }));
    assert_eq!(
        text(body(RID, &answer)),
        format!(r#"{{"Response":{{"HaVip":{UNBOUND_HAVIP},"RequestId":"{RID}"}}}}"#)
    );
}

#[test]
fn golden_describe_answer() {
    let h = sample(
        HaVipStatus::InUse,
        vec![
            member(
                "ins-1",
                MemberKind::EcsInstance,
                "ins-1",
                MemberState::Associated,
                0,
            ),
            member(
                "ins-2",
                MemberKind::EcsInstance,
                "ins-2",
                MemberState::Associated,
                1,
            ),
        ],
        Some("ins-2"),
    );
    let mut h = h;
    h.master_claim = Some(MasterClaim {
        at: CREATED + 63_000,
        port: "eni-2".into(),
        mac: "00:16:3e:00:00:02".into(),
        kind: "GratuitousRequest".into(),
    });
    let holder = Holder {
        instance_id: "ins-2".into(),
        network_interface_id: "eni-2".into(),
    };
    let answer = Answer::DescribeHaVips(DescribeHaVipsAnswer {
        total_count: 7,
        ha_vip_set: vec![havip(&profile(), &h, &holder)],
    });
    let bound = r#"{"HaVipId":"havip-9o233uri","HaVipName":"web vip","Vip":"10.0.1.20","VpcId":"vpc-2at5y1pn","SubnetId":"subnet-qq51iwr4","NetworkInterfaceId":"eni-2","InstanceId":"ins-2","AddressIp":"","State":"AVAILABLE","CreatedTime":"2026-12-02 05:20:37","Business":"","HaVipAssociationSet":[{"InstanceId":"ins-1","HaVipId":"havip-9o233uri","InstanceType":"CVM"},{"InstanceId":"ins-2","HaVipId":"havip-9o233uri","InstanceType":"CVM"}],"CheckAssociate":true,"CdcId":"","FlushedTime":"2026-12-02 05:21:40","TagSet":[{"Key":"team","Value":"a&b=c"}]}"#;
    assert_eq!(
        text(body(RID, &answer)),
        format!(r#"{{"Response":{{"TotalCount":7,"HaVipSet":[{bound}],"RequestId":"{RID}"}}}}"#)
    );
    let empty = Answer::DescribeHaVips(DescribeHaVipsAnswer {
        total_count: 0,
        ha_vip_set: Vec::new(),
    });
    assert_eq!(
        text(body(RID, &empty)),
        format!(r#"{{"Response":{{"TotalCount":0,"HaVipSet":[],"RequestId":"{RID}"}}}}"#)
    );
}

#[test]
fn golden_answers_with_the_request_id_only() {
    let only = format!(r#"{{"Response":{{"RequestId":"{RID}"}}}}"#);
    for answer in [
        Answer::ModifyHaVipAttribute(ModifyHaVipAttributeAnswer {}),
        Answer::DeleteHaVip(DeleteHaVipAnswer {}),
        Answer::HaVipAssociateAddressIp(HaVipAssociateAddressIpAnswer {}),
        Answer::HaVipDisassociateAddressIp(HaVipDisassociateAddressIpAnswer {}),
    ] {
        assert_eq!(text(body(RID, &answer)), only, "{answer:?}");
    }
}

#[test]
fn golden_error() {
    let spec = FaceError::SignatureFailure.spec();
    assert_eq!(
        text(error_body(RID, &spec)),
        format!(
            r#"{{"Response":{{"Error":{{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated. Please check your signature is correct."}},"RequestId":"{RID}"}}}}"#
        )
    );
}

#[test]
fn every_answer_is_200_and_exactly_application_json() {
    let check = |resp: Response| {
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
    };
    check(error(RID, &FaceError::Unavailable.spec()));
    check(error(RID, &FaceError::SecretIdNotFound("x".into()).spec()));
    check(ok(RID, &Answer::DeleteHaVip(DeleteHaVipAnswer {})));
}

#[test]
fn states() {
    let p = profile();
    let one = || {
        vec![member(
            "ins-1",
            MemberKind::EcsInstance,
            "ins-1",
            MemberState::Associated,
            0,
        )]
    };
    assert_eq!(
        state(&p, &sample(HaVipStatus::Creating, Vec::new(), None)),
        "UNBIND"
    );
    assert_eq!(
        state(&p, &sample(HaVipStatus::Available, Vec::new(), None)),
        "UNBIND"
    );
    assert_eq!(
        state(&p, &sample(HaVipStatus::Deleting, Vec::new(), None)),
        "UNBIND"
    );
    assert_eq!(
        state(&p, &sample(HaVipStatus::InUse, one(), Some("ins-1"))),
        "AVAILABLE"
    );
    // A first member being associated: not bound yet.
    let first = vec![member(
        "ins-1",
        MemberKind::EcsInstance,
        "ins-1",
        MemberState::Associating,
        0,
    )];
    assert_eq!(
        state(&p, &sample(HaVipStatus::Associating, first, None)),
        "UNBIND"
    );
    // The last member leaving: still bound until the change completes.
    let leaving = vec![member(
        "ins-1",
        MemberKind::EcsInstance,
        "ins-1",
        MemberState::Disassociating,
        0,
    )];
    let h = sample(HaVipStatus::Unassociating, leaving, Some("ins-1"));
    assert_eq!(state(&p, &h), "AVAILABLE");
    assert_eq!(master(&h).map(|m| m.id.as_str()), Some("ins-1"));
}

#[test]
fn the_drift_range_and_the_master_as_shown() {
    let p = profile();
    // ENI members: the drift range lists the ENIs; a member being associated is not
    // listed, and cannot be the master yet.
    let mut h = sample(
        HaVipStatus::Associating,
        vec![
            member(
                "eni-1",
                MemberKind::NetworkInterface,
                "ins-1",
                MemberState::Associated,
                0,
            ),
            member(
                "eni-2",
                MemberKind::NetworkInterface,
                "ins-2",
                MemberState::Associating,
                1,
            ),
        ],
        Some("eni-2"),
    );
    h.pending = Some(PendingChange {
        id: "chg-1".into(),
        kind: PendingKind::Associate,
        member: Some("eni-2".into()),
        due_at: 0,
        awaits_fabric: false,
    });
    assert_eq!(master(&h), None);
    let v = havip(&p, &h, &Holder::default());
    assert_eq!(v.state, "AVAILABLE");
    assert_eq!(
        v.ha_vip_association_set,
        [AssociationView {
            instance_id: "eni-1".into(),
            ha_vip_id: "havip-9o233uri".into(),
            instance_type: "ENI",
        }]
    );
    h.master = Some("eni-1".into());
    assert_eq!(master(&h).map(|m| m.instance.as_str()), Some("ins-1"));
}

#[test]
fn times() {
    assert_eq!(time(0), "1970-01-01 08:00:00");
    assert_eq!(time(CREATED), "2026-12-02 05:20:37");
}
