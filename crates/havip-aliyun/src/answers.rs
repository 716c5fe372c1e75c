//! The answers of the Alibaba face, one serde struct per action, with the field names the
//! SDKs' models read (`from_map` in `alibabacloud_vpc20160428.models`, the legacy SDK's
//! JSON): `HaVips.HaVip[]`, `AssociatedInstances.associatedInstance[]`,
//! `AssociatedEipAddresses.associatedEipAddresse[]` (sic), `Tags.Tag[]`,
//! `TagResources.TagResource[]`. `RequestId` is added by the renderer, which also writes
//! the XML form from the same fields.

use havip_core::HaVip;
use serde::Serialize;

/// What an action answers, besides `RequestId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    CreateHaVip(CreatedHaVip),
    DescribeHaVips(HaVipPage),
    ListTagResources(TagResourcePage),
    DescribeVSwitches(VSwitchPage),
    /// DeleteHaVip, ModifyHaVipAttribute, AssociateHaVip, UnassociateHaVip, TagResources,
    /// UnTagResources.
    Empty(Empty),
}

/// An answer with no field but `RequestId`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Empty {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreatedHaVip {
    pub ha_vip_id: String,
    pub ip_address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HaVipPage {
    pub total_count: u64,
    pub page_number: u64,
    pub page_size: u64,
    pub ha_vips: HaVipList,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HaVipList {
    #[serde(rename = "HaVip")]
    pub ha_vip: Vec<HaVipItem>,
}

/// One HaVip as DescribeHaVips lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HaVipItem {
    pub ha_vip_id: String,
    pub region_id: String,
    pub vpc_id: String,
    pub v_switch_id: String,
    pub ip_address: String,
    pub status: String,
    pub master_instance_id: String,
    pub name: String,
    pub description: String,
    pub charge_type: String,
    pub create_time: String,
    pub resource_group_id: String,
    pub associated_instance_type: String,
    pub associated_instances: AssociatedInstances,
    pub associated_eip_addresses: AssociatedEipAddresses,
    pub tags: TagList,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssociatedInstances {
    #[serde(rename = "associatedInstance")]
    pub associated_instance: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssociatedEipAddresses {
    #[serde(rename = "associatedEipAddresse")]
    pub associated_eip_addresse: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagList {
    #[serde(rename = "Tag")]
    pub tag: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourcePage {
    pub next_token: String,
    pub tag_resources: TagResourceList,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagResourceList {
    #[serde(rename = "TagResource")]
    pub tag_resource: Vec<TagResource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResource {
    pub resource_id: String,
    pub resource_type: String,
    pub tag_key: String,
    pub tag_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VSwitchPage {
    pub total_count: u64,
    pub page_number: u64,
    pub page_size: u64,
    pub v_switches: VSwitchList,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VSwitchList {
    #[serde(rename = "VSwitch")]
    pub v_switch: Vec<VSwitchItem>,
}

/// One vSwitch as DescribeVSwitches lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VSwitchItem {
    pub available_ip_address_count: u64,
    pub cidr_block: String,
    pub creation_time: String,
    pub description: String,
    pub enabled_ipv6: bool,
    pub ipv6_cidr_block: String,
    pub is_default: bool,
    pub network_acl_id: String,
    /// The account, a number on Alibaba Cloud (absent when the id is not one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<u64>,
    pub resource_group_id: String,
    pub route_table: RouteTable,
    pub status: String,
    pub tags: TagList,
    pub v_switch_id: String,
    pub v_switch_name: String,
    pub vpc_id: String,
    pub zone_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    pub route_table_id: String,
    pub route_table_type: String,
}

/// `CreateTime` in the format Alibaba uses: `YYYY-MM-DDThh:mm:ssZ`.
pub fn create_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl HaVipItem {
    /// The HaVip as this face shows it: the members it carries (not one being
    /// associated yet), the master, the EIP, the tags.
    pub fn of(h: &HaVip) -> HaVipItem {
        HaVipItem {
            ha_vip_id: h.id.clone(),
            region_id: h.region.clone(),
            vpc_id: h.vpc.clone(),
            v_switch_id: h.subnet.clone(),
            ip_address: h.ip.to_string(),
            status: h.status.as_str().to_string(),
            master_instance_id: h.master.clone().unwrap_or_default(),
            name: h.name.clone(),
            description: h.description.clone(),
            charge_type: "PostPaid".into(),
            create_time: create_time(h.created_at),
            resource_group_id: h.resource_group.clone(),
            associated_instance_type: h
                .member_kind()
                .map(|k| k.as_str())
                .unwrap_or_default()
                .to_string(),
            associated_instances: AssociatedInstances {
                associated_instance: h.carried_members().map(|m| m.id.clone()).collect(),
            },
            associated_eip_addresses: AssociatedEipAddresses {
                associated_eip_addresse: h.eip.iter().cloned().collect(),
            },
            tags: TagList {
                tag: h
                    .tags
                    .iter()
                    .map(|(k, v)| Tag {
                        key: k.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            },
        }
    }
}

#[cfg(test)]
mod golden {
    //! The exact bodies of every action's answer, in JSON and XML.

    use super::*;
    use crate::render::{success_body, Format};

    fn bodies(action: &str, answer: &Answer) -> (String, String) {
        let fields = serde_json::to_value(answer).expect("fields");
        (
            success_body(action, fields.clone(), "REQ-1", Format::Json),
            success_body(action, fields, "REQ-1", Format::Xml),
        )
    }

    fn item() -> HaVipItem {
        HaVipItem {
            ha_vip_id: "havip-1".into(),
            region_id: "cn-shanghai".into(),
            vpc_id: "vpc-1".into(),
            v_switch_id: "vsw-1".into(),
            ip_address: "192.168.1.100".into(),
            status: "InUse".into(),
            master_instance_id: "i-1".into(),
            name: "web".into(),
            description: "d".into(),
            charge_type: "PostPaid".into(),
            create_time: create_time(1_700_000_000_000),
            resource_group_id: "rg-1".into(),
            associated_instance_type: "EcsInstance".into(),
            associated_instances: AssociatedInstances {
                associated_instance: vec!["i-1".into(), "i-2".into()],
            },
            associated_eip_addresses: AssociatedEipAddresses {
                associated_eip_addresse: vec![],
            },
            tags: TagList {
                tag: vec![Tag {
                    key: "env".into(),
                    value: "prod".into(),
                }],
            },
        }
    }

    #[test]
    fn create() {
        let answer = Answer::CreateHaVip(CreatedHaVip {
            ha_vip_id: "havip-1".into(),
            ip_address: "192.168.1.100".into(),
        });
        let (json, xml) = bodies("CreateHaVip", &answer);
        assert_eq!(
            json,
            r#"{"HaVipId":"havip-1","IpAddress":"192.168.1.100","RequestId":"REQ-1"}"#
        );
        assert_eq!(
            xml,
            "<?xml version='1.0' encoding='UTF-8'?><CreateHaVipResponse><HaVipId>havip-1</HaVipId><IpAddress>192.168.1.100</IpAddress><RequestId>REQ-1</RequestId></CreateHaVipResponse>"
        );
    }

    #[test]
    fn empty_answers() {
        for action in [
            "DeleteHaVip",
            "ModifyHaVipAttribute",
            "AssociateHaVip",
            "UnassociateHaVip",
            "TagResources",
            "UnTagResources",
        ] {
            let (json, xml) = bodies(action, &Answer::Empty(Empty {}));
            assert_eq!(json, r#"{"RequestId":"REQ-1"}"#);
            assert_eq!(
                xml,
                format!("<?xml version='1.0' encoding='UTF-8'?><{action}Response><RequestId>REQ-1</RequestId></{action}Response>")
            );
        }
    }

    #[test]
    fn describe() {
        let answer = Answer::DescribeHaVips(HaVipPage {
            total_count: 1,
            page_number: 1,
            page_size: 10,
            ha_vips: HaVipList {
                ha_vip: vec![item()],
            },
        });
        let (json, xml) = bodies("DescribeHaVips", &answer);
        assert_eq!(
            json,
            r#"{"HaVips":{"HaVip":[{"AssociatedEipAddresses":{"associatedEipAddresse":[]},"AssociatedInstanceType":"EcsInstance","AssociatedInstances":{"associatedInstance":["i-1","i-2"]},"ChargeType":"PostPaid","CreateTime":"2023-11-14T22:13:20Z","Description":"d","HaVipId":"havip-1","IpAddress":"192.168.1.100","MasterInstanceId":"i-1","Name":"web","RegionId":"cn-shanghai","ResourceGroupId":"rg-1","Status":"InUse","Tags":{"Tag":[{"Key":"env","Value":"prod"}]},"VSwitchId":"vsw-1","VpcId":"vpc-1"}]},"PageNumber":1,"PageSize":10,"RequestId":"REQ-1","TotalCount":1}"#
        );
        assert_eq!(
            xml,
            "<?xml version='1.0' encoding='UTF-8'?><DescribeHaVipsResponse><HaVips><HaVip><AssociatedEipAddresses></AssociatedEipAddresses><AssociatedInstanceType>EcsInstance</AssociatedInstanceType><AssociatedInstances><associatedInstance>i-1</associatedInstance><associatedInstance>i-2</associatedInstance></AssociatedInstances><ChargeType>PostPaid</ChargeType><CreateTime>2023-11-14T22:13:20Z</CreateTime><Description>d</Description><HaVipId>havip-1</HaVipId><IpAddress>192.168.1.100</IpAddress><MasterInstanceId>i-1</MasterInstanceId><Name>web</Name><RegionId>cn-shanghai</RegionId><ResourceGroupId>rg-1</ResourceGroupId><Status>InUse</Status><Tags><Tag><Key>env</Key><Value>prod</Value></Tag></Tags><VSwitchId>vsw-1</VSwitchId><VpcId>vpc-1</VpcId></HaVip></HaVips><PageNumber>1</PageNumber><PageSize>10</PageSize><RequestId>REQ-1</RequestId><TotalCount>1</TotalCount></DescribeHaVipsResponse>"
        );
    }

    #[test]
    fn list_tag_resources() {
        let answer = Answer::ListTagResources(TagResourcePage {
            next_token: String::new(),
            tag_resources: TagResourceList {
                tag_resource: vec![TagResource {
                    resource_id: "havip-1".into(),
                    resource_type: "HAVIP".into(),
                    tag_key: "env".into(),
                    tag_value: "prod".into(),
                }],
            },
        });
        let (json, xml) = bodies("ListTagResources", &answer);
        assert_eq!(
            json,
            r#"{"NextToken":"","RequestId":"REQ-1","TagResources":{"TagResource":[{"ResourceId":"havip-1","ResourceType":"HAVIP","TagKey":"env","TagValue":"prod"}]}}"#
        );
        assert_eq!(
            xml,
            "<?xml version='1.0' encoding='UTF-8'?><ListTagResourcesResponse><NextToken></NextToken><RequestId>REQ-1</RequestId><TagResources><TagResource><ResourceId>havip-1</ResourceId><ResourceType>HAVIP</ResourceType><TagKey>env</TagKey><TagValue>prod</TagValue></TagResource></TagResources></ListTagResourcesResponse>"
        );
    }

    #[test]
    fn describe_vswitches() {
        let answer = Answer::DescribeVSwitches(VSwitchPage {
            total_count: 1,
            page_number: 1,
            page_size: 10,
            v_switches: VSwitchList {
                v_switch: vec![VSwitchItem {
                    available_ip_address_count: 250,
                    cidr_block: "192.168.1.0/24".into(),
                    creation_time: create_time(1_700_000_000_000),
                    description: String::new(),
                    enabled_ipv6: false,
                    ipv6_cidr_block: String::new(),
                    is_default: false,
                    network_acl_id: String::new(),
                    owner_id: Some(1_000_000_000_000_001),
                    resource_group_id: String::new(),
                    route_table: RouteTable {
                        route_table_id: "vtb-1".into(),
                        route_table_type: "System".into(),
                    },
                    status: "Available".into(),
                    tags: TagList { tag: vec![] },
                    v_switch_id: "vsw-1".into(),
                    v_switch_name: "web".into(),
                    vpc_id: "vpc-1".into(),
                    zone_id: "cn-shanghai-b".into(),
                }],
            },
        });
        let (json, xml) = bodies("DescribeVSwitches", &answer);
        assert_eq!(
            json,
            r#"{"PageNumber":1,"PageSize":10,"RequestId":"REQ-1","TotalCount":1,"VSwitches":{"VSwitch":[{"AvailableIpAddressCount":250,"CidrBlock":"192.168.1.0/24","CreationTime":"2023-11-14T22:13:20Z","Description":"","EnabledIpv6":false,"Ipv6CidrBlock":"","IsDefault":false,"NetworkAclId":"","OwnerId":1000000000000001,"ResourceGroupId":"","RouteTable":{"RouteTableId":"vtb-1","RouteTableType":"System"},"Status":"Available","Tags":{"Tag":[]},"VSwitchId":"vsw-1","VSwitchName":"web","VpcId":"vpc-1","ZoneId":"cn-shanghai-b"}]}}"#
        );
        assert_eq!(
            xml,
            "<?xml version='1.0' encoding='UTF-8'?><DescribeVSwitchesResponse><PageNumber>1</PageNumber><PageSize>10</PageSize><RequestId>REQ-1</RequestId><TotalCount>1</TotalCount><VSwitches><VSwitch><AvailableIpAddressCount>250</AvailableIpAddressCount><CidrBlock>192.168.1.0/24</CidrBlock><CreationTime>2023-11-14T22:13:20Z</CreationTime><Description></Description><EnabledIpv6>false</EnabledIpv6><Ipv6CidrBlock></Ipv6CidrBlock><IsDefault>false</IsDefault><NetworkAclId></NetworkAclId><OwnerId>1000000000000001</OwnerId><ResourceGroupId></ResourceGroupId><RouteTable><RouteTableId>vtb-1</RouteTableId><RouteTableType>System</RouteTableType></RouteTable><Status>Available</Status><Tags></Tags><VSwitchId>vsw-1</VSwitchId><VSwitchName>web</VSwitchName><VpcId>vpc-1</VpcId><ZoneId>cn-shanghai-b</ZoneId></VSwitch></VSwitches></DescribeVSwitchesResponse>"
        );
    }
}
