//! The JSON shapes of the native API, as explicit serde structs: what requests carry
//! (unknown fields are refused) and what answers show. Core structs are never exposed
//! directly, so the wire format changes only here. Times are RFC 3339 strings (UTC).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat};
use havip_core::records::{AccessKey, Account, Project as HuaweiProject};
use havip_core::{Eni, HaVip, Instance, PendingChange, Subnet, Vpc};
use serde::{Deserialize, Serialize};

/// Milliseconds since the epoch as RFC 3339 (`2026-01-02T03:04:05.678Z`).
pub fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `{"items": [...]}`
#[derive(Debug, Serialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}

// --- answers -------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct AccountDto {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

impl From<&Account> for AccountDto {
    fn from(a: &Account) -> Self {
        AccountDto {
            id: a.id.clone(),
            name: a.name.clone(),
            created_at: rfc3339(a.created_at),
        }
    }
}

/// An access key; the secret is shown only in the answer that created it.
#[derive(Debug, Serialize)]
pub struct AccessKeyDto {
    pub id: String,
    pub account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub enabled: bool,
    pub created_at: String,
}

impl AccessKeyDto {
    pub fn with_secret(k: &AccessKey) -> Self {
        AccessKeyDto {
            secret: Some(k.secret.clone()),
            ..AccessKeyDto::without_secret(k)
        }
    }

    pub fn without_secret(k: &AccessKey) -> Self {
        AccessKeyDto {
            id: k.id.clone(),
            account: k.account.clone(),
            secret: None,
            enabled: k.enabled,
            created_at: rfc3339(k.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct HuaweiProjectDto {
    pub id: String,
    pub account: String,
    pub region: String,
}

impl From<&HuaweiProject> for HuaweiProjectDto {
    fn from(p: &HuaweiProject) -> Self {
        HuaweiProjectDto {
            id: p.id.clone(),
            account: p.account.clone(),
            region: p.region.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct VpcDto {
    pub id: String,
    pub account: String,
    pub region: String,
    pub cidr: String,
    pub name: String,
    pub created_at: String,
}

impl From<&Vpc> for VpcDto {
    fn from(v: &Vpc) -> Self {
        VpcDto {
            id: v.id.clone(),
            account: v.account.clone(),
            region: v.region.clone(),
            cidr: v.cidr.to_string(),
            name: v.name.clone(),
            created_at: rfc3339(v.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SubnetDto {
    pub id: String,
    pub vpc: String,
    pub account: String,
    pub region: String,
    pub zone: String,
    pub cidr: String,
    pub name: String,
    pub created_at: String,
}

impl From<&Subnet> for SubnetDto {
    fn from(s: &Subnet) -> Self {
        SubnetDto {
            id: s.id.clone(),
            vpc: s.vpc.clone(),
            account: s.account.clone(),
            region: s.region.clone(),
            zone: s.zone.clone(),
            cidr: s.cidr.to_string(),
            name: s.name.clone(),
            created_at: rfc3339(s.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct InstanceDto {
    pub id: String,
    pub account: String,
    pub region: String,
    pub subnet: String,
    pub status: &'static str,
    pub primary_eni: String,
    pub name: String,
    pub created_at: String,
}

impl From<&Instance> for InstanceDto {
    fn from(i: &Instance) -> Self {
        InstanceDto {
            id: i.id.clone(),
            account: i.account.clone(),
            region: i.region.clone(),
            subnet: i.subnet.clone(),
            status: i.status.as_str(),
            primary_eni: i.primary_eni.clone(),
            name: i.name.clone(),
            created_at: rfc3339(i.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct EniDto {
    pub id: String,
    pub account: String,
    pub region: String,
    pub subnet: String,
    pub ip: String,
    pub mac: String,
    pub instance: Option<String>,
    pub service_managed: bool,
    pub created_at: String,
}

impl From<&Eni> for EniDto {
    fn from(e: &Eni) -> Self {
        EniDto {
            id: e.id.clone(),
            account: e.account.clone(),
            region: e.region.clone(),
            subnet: e.subnet.clone(),
            ip: e.ip.to_string(),
            mac: e.mac.clone(),
            instance: e.instance.clone(),
            service_managed: e.service_managed,
            created_at: rfc3339(e.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MemberDto {
    pub id: String,
    pub kind: &'static str,
    pub instance: String,
    pub state: &'static str,
}

/// A change in flight on a HaVip (also an item of `GET /v1/operations`).
#[derive(Debug, Serialize)]
pub struct PendingDto {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub havip: Option<String>,
    pub id: String,
    pub kind: &'static str,
    pub member: Option<String>,
    /// `timer` (the worker completes it at `due_at`) or `dataplane` (the agent's
    /// acknowledgement of a revision that holds it does).
    pub awaits: &'static str,
    pub due_at: Option<String>,
}

impl PendingDto {
    pub fn of(p: &PendingChange, havip: Option<&str>) -> Self {
        PendingDto {
            havip: havip.map(str::to_string),
            id: p.id.clone(),
            kind: p.kind.as_str(),
            member: p.member.clone(),
            awaits: if p.awaits_fabric {
                "dataplane"
            } else {
                "timer"
            },
            due_at: p.timer().map(rfc3339),
        }
    }
}

/// The ARP claim that made a HaVip's master: when, through which fabric port, from which
/// MAC, and what kind (`GratuitousRequest` or `Reply`).
#[derive(Debug, Serialize)]
pub struct MasterClaimDto {
    pub at: String,
    pub port: String,
    pub mac: String,
    pub kind: String,
}

#[derive(Debug, Serialize)]
pub struct HaVipDto {
    pub id: String,
    pub account: String,
    pub region: String,
    pub vpc: String,
    pub subnet: String,
    pub ip: String,
    pub name: String,
    pub description: String,
    pub status: &'static str,
    pub associated_type: Option<&'static str>,
    pub members: Vec<MemberDto>,
    pub master: Option<String>,
    /// With a data plane: the ARP claim that made `master` the master.
    pub master_claim: Option<MasterClaimDto>,
    pub tags: BTreeMap<String, String>,
    pub eip: Option<String>,
    pub pending: Option<PendingDto>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&HaVip> for HaVipDto {
    fn from(h: &HaVip) -> Self {
        HaVipDto {
            id: h.id.clone(),
            account: h.account.clone(),
            region: h.region.clone(),
            vpc: h.vpc.clone(),
            subnet: h.subnet.clone(),
            ip: h.ip.to_string(),
            name: h.name.clone(),
            description: h.description.clone(),
            status: h.status.as_str(),
            associated_type: h.member_kind().map(|k| k.as_str()),
            members: h
                .members
                .iter()
                .map(|m| MemberDto {
                    id: m.id.clone(),
                    kind: m.kind.as_str(),
                    instance: m.instance.clone(),
                    state: m.state.as_str(),
                })
                .collect(),
            master: h.master.clone(),
            master_claim: h.master_claim.as_ref().map(|c| MasterClaimDto {
                at: rfc3339(c.at),
                port: c.port.clone(),
                mac: c.mac.clone(),
                kind: c.kind.clone(),
            }),
            tags: h.tags.clone(),
            eip: h.eip.clone(),
            pending: h.pending.as_ref().map(|p| PendingDto::of(p, None)),
            created_at: rfc3339(h.created_at),
            updated_at: rfc3339(h.updated_at),
        }
    }
}

/// A page of HaVips.
#[derive(Debug, Serialize)]
pub struct HaVipPageDto {
    pub items: Vec<HaVipDto>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

// --- requests ------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccountReq {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccessKeyReq {
    pub account: String,
    pub id: Option<String>,
    pub secret: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHuaweiProjectReq {
    pub id: String,
    pub account: String,
    pub region: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVpcReq {
    pub id: Option<String>,
    pub account: String,
    pub region: String,
    pub cidr: String,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSubnetReq {
    pub id: Option<String>,
    pub vpc: String,
    pub zone: String,
    pub cidr: String,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInstanceReq {
    pub id: Option<String>,
    pub subnet: String,
    pub status: Option<String>,
    pub primary_eni: Option<String>,
    pub ip: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceStatusReq {
    pub status: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEniReq {
    pub id: Option<String>,
    pub subnet: String,
    pub instance: Option<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
    #[serde(default)]
    pub service_managed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachEniReq {
    pub instance: String,
}

/// A body that must be empty or `{}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyReq {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHaVipReq {
    pub subnet: String,
    pub ip: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub client_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifyHaVipReq {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociateReq {
    pub instance_id: String,
    pub instance_type: Option<String>,
    pub client_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisassociateReq {
    pub instance_id: String,
    pub instance_type: Option<String>,
    #[serde(default)]
    pub force: bool,
    pub client_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailoverReq {
    pub to: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(rfc3339(i64::MAX), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn requests_refuse_unknown_fields() {
        assert!(serde_json::from_str::<FailoverReq>(r#"{"to":"i-1"}"#).is_ok());
        assert!(serde_json::from_str::<FailoverReq>(r#"{"too":"i-1"}"#).is_err());
        assert!(serde_json::from_str::<EmptyReq>("{}").is_ok());
        assert!(serde_json::from_str::<EmptyReq>(r#"{"x":1}"#).is_err());
    }

    /// The exact JSON of the native API's main answers.
    mod golden {
        use std::net::Ipv4Addr;

        use havip_core::{HaVipStatus, MasterClaim, Member, MemberKind, MemberState};
        use havip_core::{PendingChange, PendingKind};

        use super::*;

        fn havip() -> HaVip {
            HaVip {
                id: "havip-1".into(),
                account: "1000000000000001".into(),
                region: "cn-shanghai".into(),
                vpc: "vpc-1".into(),
                subnet: "vsw-1".into(),
                ip: Ipv4Addr::new(192, 168, 1, 100),
                name: "web".into(),
                description: "d".into(),
                status: HaVipStatus::Associating,
                members: vec![
                    Member {
                        id: "i-1".into(),
                        kind: MemberKind::EcsInstance,
                        instance: "i-1".into(),
                        state: MemberState::Associated,
                        position: 0,
                    },
                    Member {
                        id: "i-2".into(),
                        kind: MemberKind::EcsInstance,
                        instance: "i-2".into(),
                        state: MemberState::Associating,
                        position: 1,
                    },
                ],
                master: Some("i-1".into()),
                master_claim: Some(MasterClaim {
                    at: 1_700_000_000_500,
                    port: "hvp1".into(),
                    mac: "00:16:3e:00:00:01".into(),
                    kind: "GratuitousRequest".into(),
                }),
                tags: [("env".to_string(), "prod".to_string())].into(),
                eip: None,
                resource_group: String::new(),
                pending: Some(PendingChange {
                    id: "chg-1".into(),
                    kind: PendingKind::Associate,
                    member: Some("i-2".into()),
                    due_at: 1_700_000_002_000,
                    awaits_fabric: false,
                }),
                created_at: 1_700_000_000_000,
                updated_at: 1_700_000_001_000,
            }
        }

        #[test]
        fn a_havip_and_a_page() {
            let page = HaVipPageDto {
                items: vec![HaVipDto::from(&havip())],
                total: 1,
                page: 1,
                page_size: 50,
            };
            assert_eq!(
                serde_json::to_string(&page).expect("json"),
                r#"{"items":[{"id":"havip-1","account":"1000000000000001","region":"cn-shanghai","vpc":"vpc-1","subnet":"vsw-1","ip":"192.168.1.100","name":"web","description":"d","status":"Associating","associated_type":"EcsInstance","members":[{"id":"i-1","kind":"EcsInstance","instance":"i-1","state":"Associated"},{"id":"i-2","kind":"EcsInstance","instance":"i-2","state":"Associating"}],"master":"i-1","master_claim":{"at":"2023-11-14T22:13:20.500Z","port":"hvp1","mac":"00:16:3e:00:00:01","kind":"GratuitousRequest"},"tags":{"env":"prod"},"eip":null,"pending":{"id":"chg-1","kind":"Associate","member":"i-2","awaits":"timer","due_at":"2023-11-14T22:13:22.000Z"},"created_at":"2023-11-14T22:13:20.000Z","updated_at":"2023-11-14T22:13:21.000Z"}],"total":1,"page":1,"page_size":50}"#
            );
        }

        #[test]
        fn an_operation_waiting_for_the_data_plane() {
            let mut change = havip().pending.expect("a change");
            change.awaits_fabric = true;
            assert_eq!(
                serde_json::to_string(&PendingDto::of(&change, Some("havip-1"))).expect("json"),
                r#"{"havip":"havip-1","id":"chg-1","kind":"Associate","member":"i-2","awaits":"dataplane","due_at":null}"#
            );
        }

        #[test]
        fn an_access_key_shows_its_secret_once() {
            let key = AccessKey {
                id: "AK1".into(),
                account: "1000000000000001".into(),
                secret: "s3cret".into(),
                enabled: true,
                created_at: 0,
            };
            assert_eq!(
                serde_json::to_string(&AccessKeyDto::with_secret(&key)).expect("json"),
                r#"{"id":"AK1","account":"1000000000000001","secret":"s3cret","enabled":true,"created_at":"1970-01-01T00:00:00.000Z"}"#
            );
            assert_eq!(
                serde_json::to_string(&AccessKeyDto::without_secret(&key)).expect("json"),
                r#"{"id":"AK1","account":"1000000000000001","enabled":true,"created_at":"1970-01-01T00:00:00.000Z"}"#
            );
        }

        #[test]
        fn an_eni() {
            let eni = Eni {
                id: "eni-1".into(),
                account: "1000000000000001".into(),
                region: "cn-shanghai".into(),
                subnet: "vsw-1".into(),
                ip: Ipv4Addr::new(192, 168, 1, 20),
                mac: "00:16:3e:00:00:02".into(),
                instance: None,
                service_managed: false,
                created_at: 0,
            };
            assert_eq!(
                serde_json::to_string(&Items {
                    items: vec![EniDto::from(&eni)]
                })
                .expect("json"),
                r#"{"items":[{"id":"eni-1","account":"1000000000000001","region":"cn-shanghai","subnet":"vsw-1","ip":"192.168.1.20","mac":"00:16:3e:00:00:02","instance":null,"service_managed":false,"created_at":"1970-01-01T00:00:00.000Z"}]}"#
            );
        }
    }
}
