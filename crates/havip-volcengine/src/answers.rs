//! The `Result` of each Volcengine action, one serde struct per answer, with the field
//! names the SDK's models read (`volcenginesdkvpc.models`: `ha_vip_id` ↔ `HaVipId`, ...).
//! `RequestId` is added by the renderer. Asynchronous actions carry `AsyncTaskId` while the
//! change they started is in flight.

use havip_core::{HaVip, MemberKind, Profile};
use serde::Serialize;

use crate::params::PROJECT;
use crate::render::{status, time};

/// What an action answers in `Result`, besides `RequestId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    CreateHaVip(CreatedHaVip),
    DescribeHaVips(HaVipPage),
    /// DeleteHaVip, AssociateHaVip, DisassociateHaVip.
    Async(AsyncTask),
    /// ModifyHaVipAttributes, TagResources, UntagResources.
    Empty(Empty),
    ListTagsForResources(TagPage),
    DescribeSubnets(SubnetPage),
    DescribeNetworkInterfaces(EniPage),
}

/// A page of DescribeSubnets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetPage {
    pub subnets: Vec<SubnetItem>,
    #[serde(flatten)]
    pub paging: PageFields,
}

/// The paging fields of a list answer (DescribeHaVips and the lookups).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PageFields {
    pub total_count: u64,
    /// Only with PageNumber/PageSize paging.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_number: Option<u64>,
    pub page_size: u64,
    /// Empty on the last page.
    pub next_token: String,
}

/// One subnet as DescribeSubnets lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetItem {
    pub account_id: String,
    pub available_ip_address_count: u64,
    pub cidr_block: String,
    pub creation_time: String,
    pub description: String,
    pub is_default: bool,
    pub network_acl_id: String,
    pub project_name: String,
    pub route_table: RouteTableRef,
    pub status: String,
    pub subnet_id: String,
    pub subnet_name: String,
    pub tags: Vec<Tag>,
    pub total_ipv4_count: u64,
    pub update_time: String,
    pub vpc_id: String,
    pub zone_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTableRef {
    pub route_table_id: String,
    pub route_table_type: String,
}

/// A page of DescribeNetworkInterfaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EniPage {
    pub network_interface_sets: Vec<EniItem>,
    #[serde(flatten)]
    pub paging: PageFields,
}

/// One ENI as DescribeNetworkInterfaces lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EniItem {
    pub account_id: String,
    pub created_at: String,
    pub description: String,
    /// The instance it is attached to, or empty.
    pub device_id: String,
    pub mac_address: String,
    pub network_interface_id: String,
    pub network_interface_name: String,
    pub port_security_enabled: bool,
    pub primary_ip_address: String,
    pub private_ip_sets: PrivateIpSets,
    pub project_name: String,
    pub security_group_ids: Vec<String>,
    pub service_managed: bool,
    /// `InUse` while attached to an instance, `Available` while free.
    pub status: String,
    pub subnet_id: String,
    pub tags: Vec<Tag>,
    /// `primary` for an instance's primary ENI, `secondary` for the others.
    #[serde(rename = "Type")]
    pub kind: String,
    pub updated_at: String,
    pub vpc_id: String,
    pub zone_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrivateIpSets {
    pub private_ip_set: Vec<PrivateIp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrivateIp {
    #[serde(rename = "Primary")]
    pub primary: bool,
    pub private_ip_address: String,
}

/// A page of ListTagsForResources: one row per (HaVip, tag); `NextToken` is empty on the
/// last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagPage {
    pub next_token: String,
    pub resource_tags: Vec<ResourceTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceTag {
    pub resource_id: String,
    pub resource_type: String,
    pub tag_key: String,
    pub tag_value: String,
}

/// An answer with no field but `RequestId`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Empty {}

/// The change an asynchronous action left in flight, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsyncTask {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub async_task_id: Option<String>,
}

impl AsyncTask {
    /// The change in flight on `havip` (as it is after the action), if any.
    pub fn of(havip: Option<&HaVip>) -> AsyncTask {
        AsyncTask {
            async_task_id: havip.and_then(|h| h.pending.as_ref()).map(|p| p.id.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreatedHaVip {
    #[serde(flatten)]
    pub task: AsyncTask,
    pub ha_vip_id: String,
    pub ip_address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HaVipPage {
    pub ha_vips: Vec<HaVipItem>,
    #[serde(flatten)]
    pub paging: PageFields,
}

/// One HaVip as DescribeHaVips lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HaVipItem {
    pub ha_vip_id: String,
    pub ha_vip_name: String,
    pub description: String,
    pub ip_address: String,
    pub status: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub account_id: String,
    pub project_name: String,
    pub associated_instance_type: String,
    pub associated_instance_ids: Vec<String>,
    pub associated_eip_id: String,
    pub associated_eip_address: String,
    pub master_instance_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl HaVipItem {
    /// The HaVip as this face shows it: the members as they were before the change in
    /// flight (a member being associated is not listed yet, one being disassociated still
    /// is), the status the profile shows, the name defaulting to the id.
    pub fn of(profile: &Profile, h: &HaVip) -> HaVipItem {
        HaVipItem {
            ha_vip_id: h.id.clone(),
            ha_vip_name: if h.name.is_empty() {
                h.id.clone()
            } else {
                h.name.clone()
            },
            description: h.description.clone(),
            ip_address: h.ip.to_string(),
            status: status(profile, h).to_string(),
            vpc_id: h.vpc.clone(),
            subnet_id: h.subnet.clone(),
            account_id: h.account.clone(),
            project_name: PROJECT.to_string(),
            associated_instance_type: h
                .carried_kind()
                .map(MemberKind::as_str)
                .unwrap_or("")
                .to_string(),
            associated_instance_ids: h.carried_members().map(|m| m.id.clone()).collect(),
            associated_eip_id: h.eip.clone().unwrap_or_default(),
            associated_eip_address: String::new(),
            master_instance_id: h.master.clone().unwrap_or_default(),
            created_at: time(h.created_at),
            updated_at: time(h.updated_at),
            tags: h
                .tags
                .iter()
                .map(|(k, v)| Tag {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod golden {
    //! The exact body of every action's answer, envelope included.

    use super::*;
    use crate::render::{ok_body, Meta};

    fn body(action: &str, answer: &Answer) -> String {
        let meta = Meta {
            request_id: "REQ-1".into(),
            action: action.into(),
            version: "2020-04-01".into(),
            region: "cn-beijing".into(),
        };
        let serde_json::Value::Object(result) = serde_json::to_value(answer).expect("json") else {
            panic!("an answer is an object");
        };
        ok_body(&meta, result).to_string()
    }

    fn envelope(action: &str, result: &str) -> String {
        format!(
            r#"{{"ResponseMetadata":{{"Action":"{action}","Region":"cn-beijing","RequestId":"REQ-1","Service":"vpc","Version":"2020-04-01"}},"Result":{result}}}"#
        )
    }

    #[test]
    fn create() {
        let answer = Answer::CreateHaVip(CreatedHaVip {
            task: AsyncTask {
                async_task_id: Some("chg-1".into()),
            },
            ha_vip_id: "havip-1".into(),
            ip_address: "192.168.1.100".into(),
        });
        assert_eq!(
            body("CreateHaVip", &answer),
            envelope(
                "CreateHaVip",
                r#"{"AsyncTaskId":"chg-1","HaVipId":"havip-1","IpAddress":"192.168.1.100","RequestId":"REQ-1"}"#
            )
        );
    }

    #[test]
    fn asynchronous_and_empty_answers() {
        for action in ["DeleteHaVip", "AssociateHaVip", "DisassociateHaVip"] {
            let in_flight = Answer::Async(AsyncTask {
                async_task_id: Some("chg-2".into()),
            });
            assert_eq!(
                body(action, &in_flight),
                envelope(action, r#"{"AsyncTaskId":"chg-2","RequestId":"REQ-1"}"#)
            );
            let done = Answer::Async(AsyncTask::default());
            assert_eq!(
                body(action, &done),
                envelope(action, r#"{"RequestId":"REQ-1"}"#)
            );
        }
        for action in ["ModifyHaVipAttributes", "TagResources", "UntagResources"] {
            assert_eq!(
                body(action, &Answer::Empty(Empty {})),
                envelope(action, r#"{"RequestId":"REQ-1"}"#)
            );
        }
    }

    #[test]
    fn list_tags() {
        let answer = Answer::ListTagsForResources(TagPage {
            next_token: "2".into(),
            resource_tags: vec![ResourceTag {
                resource_id: "havip-1".into(),
                resource_type: "havip".into(),
                tag_key: "env".into(),
                tag_value: "prod".into(),
            }],
        });
        assert_eq!(
            body("ListTagsForResources", &answer),
            envelope(
                "ListTagsForResources",
                r#"{"NextToken":"2","RequestId":"REQ-1","ResourceTags":[{"ResourceId":"havip-1","ResourceType":"havip","TagKey":"env","TagValue":"prod"}]}"#
            )
        );
    }

    #[test]
    fn describe() {
        let item = HaVipItem {
            ha_vip_id: "havip-1".into(),
            ha_vip_name: "web".into(),
            description: "d".into(),
            ip_address: "192.168.1.100".into(),
            status: "InUse".into(),
            vpc_id: "vpc-1".into(),
            subnet_id: "subnet-1".into(),
            account_id: "2100000001".into(),
            project_name: "default".into(),
            associated_instance_type: "EcsInstance".into(),
            associated_instance_ids: vec!["i-1".into()],
            associated_eip_id: String::new(),
            associated_eip_address: String::new(),
            master_instance_id: "i-1".into(),
            created_at: "2023-11-15T06:13:20+08:00".into(),
            updated_at: "2023-11-15T06:13:20+08:00".into(),
            tags: vec![Tag {
                key: "env".into(),
                value: "prod".into(),
            }],
        };
        let numbered = Answer::DescribeHaVips(HaVipPage {
            ha_vips: vec![item.clone()],
            paging: PageFields {
                total_count: 1,
                page_number: Some(1),
                page_size: 20,
                next_token: String::new(),
            },
        });
        let havip = r#"{"AccountId":"2100000001","AssociatedEipAddress":"","AssociatedEipId":"","AssociatedInstanceIds":["i-1"],"AssociatedInstanceType":"EcsInstance","CreatedAt":"2023-11-15T06:13:20+08:00","Description":"d","HaVipId":"havip-1","HaVipName":"web","IpAddress":"192.168.1.100","MasterInstanceId":"i-1","ProjectName":"default","Status":"InUse","SubnetId":"subnet-1","Tags":[{"Key":"env","Value":"prod"}],"UpdatedAt":"2023-11-15T06:13:20+08:00","VpcId":"vpc-1"}"#;
        assert_eq!(
            body("DescribeHaVips", &numbered),
            envelope(
                "DescribeHaVips",
                &format!(
                    r#"{{"HaVips":[{havip}],"NextToken":"","PageNumber":1,"PageSize":20,"RequestId":"REQ-1","TotalCount":1}}"#
                )
            )
        );
        let tokens = Answer::DescribeHaVips(HaVipPage {
            ha_vips: vec![],
            paging: PageFields {
                total_count: 3,
                page_number: None,
                page_size: 2,
                next_token: "7".into(),
            },
        });
        assert_eq!(
            body("DescribeHaVips", &tokens),
            envelope(
                "DescribeHaVips",
                r#"{"HaVips":[],"NextToken":"7","PageSize":2,"RequestId":"REQ-1","TotalCount":3}"#
            )
        );
    }

    #[test]
    fn lookups() {
        let subnet = SubnetItem {
            account_id: "2100000001".into(),
            available_ip_address_count: 250,
            cidr_block: "192.168.1.0/24".into(),
            creation_time: "2026-11-22T08:15:38+08:00".into(),
            description: String::new(),
            is_default: false,
            network_acl_id: String::new(),
            project_name: "default".into(),
            route_table: RouteTableRef {
                route_table_id: "vtb-1".into(),
                route_table_type: "System".into(),
            },
            status: "Available".into(),
            subnet_id: "subnet-1".into(),
            subnet_name: "subnet-1".into(),
            tags: Vec::new(),
            total_ipv4_count: 256,
            update_time: "2026-11-22T08:15:38+08:00".into(),
            vpc_id: "vpc-1".into(),
            zone_id: "cn-beijing-a".into(),
        };
        let answer = Answer::DescribeSubnets(SubnetPage {
            subnets: vec![subnet],
            paging: PageFields {
                total_count: 1,
                page_number: Some(1),
                page_size: 10,
                next_token: String::new(),
            },
        });
        assert_eq!(
            body("DescribeSubnets", &answer),
            envelope(
                "DescribeSubnets",
                r#"{"NextToken":"","PageNumber":1,"PageSize":10,"RequestId":"REQ-1","Subnets":[{"AccountId":"2100000001","AvailableIpAddressCount":250,"CidrBlock":"192.168.1.0/24","CreationTime":"2026-11-22T08:15:38+08:00","Description":"","IsDefault":false,"NetworkAclId":"","ProjectName":"default","RouteTable":{"RouteTableId":"vtb-1","RouteTableType":"System"},"Status":"Available","SubnetId":"subnet-1","SubnetName":"subnet-1","Tags":[],"TotalIpv4Count":256,"UpdateTime":"2026-11-22T08:15:38+08:00","VpcId":"vpc-1","ZoneId":"cn-beijing-a"}],"TotalCount":1}"#
            )
        );
        let eni = EniItem {
            account_id: "2100000001".into(),
            created_at: "2026-11-22T08:15:38+08:00".into(),
            description: String::new(),
            device_id: "i-1".into(),
            mac_address: "fa:16:3e:00:00:01".into(),
            network_interface_id: "eni-1".into(),
            network_interface_name: "eni-1".into(),
            port_security_enabled: true,
            primary_ip_address: "192.168.1.11".into(),
            private_ip_sets: PrivateIpSets {
                private_ip_set: vec![PrivateIp {
                    primary: true,
                    private_ip_address: "192.168.1.11".into(),
                }],
            },
            project_name: "default".into(),
            security_group_ids: Vec::new(),
            service_managed: false,
            status: "InUse".into(),
            subnet_id: "subnet-1".into(),
            tags: Vec::new(),
            kind: "primary".into(),
            updated_at: "2026-11-22T08:15:38+08:00".into(),
            vpc_id: "vpc-1".into(),
            zone_id: "cn-beijing-a".into(),
        };
        let answer = Answer::DescribeNetworkInterfaces(EniPage {
            network_interface_sets: vec![eni],
            paging: PageFields {
                total_count: 3,
                page_number: None,
                page_size: 1,
                next_token: "1".into(),
            },
        });
        assert_eq!(
            body("DescribeNetworkInterfaces", &answer),
            envelope(
                "DescribeNetworkInterfaces",
                r#"{"NetworkInterfaceSets":[{"AccountId":"2100000001","CreatedAt":"2026-11-22T08:15:38+08:00","Description":"","DeviceId":"i-1","MacAddress":"fa:16:3e:00:00:01","NetworkInterfaceId":"eni-1","NetworkInterfaceName":"eni-1","PortSecurityEnabled":true,"PrimaryIpAddress":"192.168.1.11","PrivateIpSets":{"PrivateIpSet":[{"Primary":true,"PrivateIpAddress":"192.168.1.11"}]},"ProjectName":"default","SecurityGroupIds":[],"ServiceManaged":false,"Status":"InUse","SubnetId":"subnet-1","Tags":[],"Type":"primary","UpdatedAt":"2026-11-22T08:15:38+08:00","VpcId":"vpc-1","ZoneId":"cn-beijing-a"}],"NextToken":"1","PageSize":1,"RequestId":"REQ-1","TotalCount":3}"#
            )
        );
    }
}
