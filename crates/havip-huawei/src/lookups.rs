//! The lookups HA tooling makes before it binds a VIP: the VPC v1 subnets
//! (`GET /v1/{project_id}/subnets[/{subnet_id}]`, what `huaweicloud_networking_vip` reads
//! first) and a server's NICs (`GET /v1/{project_id}/cloudservers/{server_id}/os-interface`).
//! A subnet's id is its Neutron network id and, in havip, its Neutron subnet id too (the
//! `subnet_id` of ports' `fixed_ips`); a server's NICs are its NIC ports, the primary first.

use std::net::Ipv4Addr;

use havip_core::query::Scope;
use havip_core::Subnet;
use havip_service::{Caller, Service};
use http::StatusCode;
use serde::Serialize;

use crate::errors::FaceError;
use crate::{port_request, ports, Reply};

/// The DNS servers Huawei gives subnets of its regions by default.
const DNS: [&str; 2] = ["100.125.1.250", "100.125.21.250"];
/// At most this many subnets per page (`limit`), as the API reference says.
pub const MAX_LIMIT: usize = 2000;

/// A list request: `vpc_id`, `limit` (1–2000), `marker` (the last id of the previous page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubnetQuery {
    pub vpc_id: Option<String>,
    pub limit: Option<usize>,
    pub marker: Option<String>,
}

/// Reads the list query; other keys are ignored, as the API does.
pub fn subnet_query(raw: &str) -> Result<SubnetQuery, FaceError> {
    let mut q = SubnetQuery::default();
    for (key, value) in port_request::query_pairs(raw)? {
        match key.as_str() {
            "vpc_id" => q.vpc_id = Some(value),
            "marker" => q.marker = Some(value),
            "limit" => {
                let n = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        FaceError::Malformed(format!("limit must be an integer in 1..={MAX_LIMIT}"))
                    })?;
                q.limit = Some(n);
            }
            _ => {}
        }
    }
    Ok(q)
}

/// A subnet as the VPC v1 API shows it (`huaweicloudsdkvpc.v2.Subnet`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubnetJson {
    pub id: String,
    pub name: String,
    pub description: String,
    pub cidr: String,
    pub gateway_ip: String,
    pub ipv6_enable: bool,
    pub dhcp_enable: bool,
    pub primary_dns: String,
    pub secondary_dns: String,
    #[serde(rename = "dnsList")]
    pub dns_list: Vec<String>,
    pub availability_zone: String,
    pub vpc_id: String,
    pub status: String,
    pub neutron_network_id: String,
    pub neutron_subnet_id: String,
    pub extra_dhcp_opts: Vec<serde_json::Value>,
    pub tenant_id: String,
    pub created_at: String,
    pub updated_at: String,
}

impl SubnetJson {
    pub fn of(s: &Subnet, project: &str) -> SubnetJson {
        let gateway = Ipv4Addr::from(u32::from(s.cidr.network()).saturating_add(1));
        SubnetJson {
            id: s.id.clone(),
            name: if s.name.is_empty() {
                s.id.clone()
            } else {
                s.name.clone()
            },
            description: String::new(),
            cidr: s.cidr.to_string(),
            gateway_ip: gateway.to_string(),
            ipv6_enable: false,
            dhcp_enable: true,
            primary_dns: DNS[0].to_string(),
            secondary_dns: DNS[1].to_string(),
            dns_list: DNS.map(String::from).to_vec(),
            availability_zone: s.zone.clone(),
            vpc_id: s.vpc.clone(),
            status: "ACTIVE".to_string(),
            neutron_network_id: s.id.clone(),
            neutron_subnet_id: s.id.clone(),
            extra_dhcp_opts: Vec::new(),
            tenant_id: project.to_string(),
            created_at: ports::time(s.created_at),
            updated_at: ports::time(s.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct OneSubnet {
    pub subnet: SubnetJson,
}

#[derive(Debug, Serialize)]
pub struct SubnetList {
    pub subnets: Vec<SubnetJson>,
}

/// One NIC of a server as `os-interface` lists it (`InterfaceAttachment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterfaceJson {
    pub port_state: String,
    pub fixed_ips: Vec<InterfaceIp>,
    pub net_id: String,
    pub port_id: String,
    pub mac_addr: String,
    pub delete_on_termination: bool,
    pub driver_mode: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterfaceIp {
    pub subnet_id: String,
    pub ip_address: String,
}

#[derive(Debug, Serialize)]
pub struct InterfaceList {
    #[serde(rename = "interfaceAttachments")]
    pub interface_attachments: Vec<InterfaceJson>,
}

fn scope(caller: &Caller) -> Scope {
    Scope {
        account: caller.account.clone(),
        region: caller.region.clone(),
    }
}

/// `GET /v1/{project_id}/subnets/{subnet_id}`.
pub async fn show_subnet(
    service: &Service,
    caller: &Caller,
    project: &str,
    id: &str,
) -> Result<Reply, FaceError> {
    let subnets = service.subnets(&scope(caller)).await?;
    let found = subnets
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| FaceError::SubnetNotFound(id.to_string()))?;
    Reply::answer(
        StatusCode::OK,
        &OneSubnet {
            subnet: SubnetJson::of(found, project),
        },
    )
}

/// `GET /v1/{project_id}/subnets`: ordered by id, after `marker`, at most `limit`.
pub async fn list_subnets(
    service: &Service,
    caller: &Caller,
    project: &str,
    q: &SubnetQuery,
) -> Result<Reply, FaceError> {
    let mut subnets = service.subnets(&scope(caller)).await?;
    subnets.sort_by(|a, b| a.id.cmp(&b.id));
    let subnets: Vec<SubnetJson> = subnets
        .iter()
        .filter(|s| q.vpc_id.as_ref().is_none_or(|v| &s.vpc == v))
        .filter(|s| q.marker.as_ref().is_none_or(|m| s.id.as_str() > m.as_str()))
        .take(q.limit.unwrap_or(MAX_LIMIT))
        .map(|s| SubnetJson::of(s, project))
        .collect();
    Reply::answer(StatusCode::OK, &SubnetList { subnets })
}

/// `GET /v1/{project_id}/cloudservers/{server_id}/os-interface`: the server's NIC ports,
/// its primary NIC first.
pub async fn server_interfaces(
    service: &Service,
    caller: &Caller,
    server: &str,
) -> Result<Reply, FaceError> {
    let snapshot = service.port_snapshot(caller).await?;
    let instance = snapshot
        .instances
        .iter()
        .find(|i| i.id == server)
        .ok_or_else(|| FaceError::ServerNotFound(server.to_string()))?;
    let mut nics: Vec<ports::Port> = ports::all(&snapshot)
        .into_iter()
        .filter(|p| p.device_id == server && p.device_owner != ports::VIP_OWNER)
        .collect();
    nics.sort_by_key(|p| p.id != instance.primary_eni);
    let interface_attachments = nics
        .into_iter()
        .map(|p| InterfaceJson {
            port_state: p.status.to_string(),
            fixed_ips: vec![InterfaceIp {
                subnet_id: p.network_id.clone(),
                ip_address: p.ip.to_string(),
            }],
            net_id: p.network_id,
            port_id: p.id,
            mac_addr: p.mac,
            delete_on_termination: false,
            driver_mode: "virtio".to_string(),
        })
        .collect();
    Reply::answer(
        StatusCode::OK,
        &InterfaceList {
            interface_attachments,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Subnet n1 (192.168.1.0/24 in zone r-a) named `name`.
    fn subnet(name: &str) -> Subnet {
        Subnet {
            id: "n1".into(),
            vpc: "v1".into(),
            account: "a".into(),
            region: "r".into(),
            zone: "r-a".into(),
            cidr: "192.168.1.0/24".parse().unwrap(),
            name: name.into(),
            created_at: 0,
        }
    }

    #[test]
    fn the_list_query_takes_vpc_limit_and_marker() {
        assert_eq!(
            subnet_query("vpc_id=v1&limit=2&marker=n1&enterprise_project_id=0").unwrap(),
            SubnetQuery {
                vpc_id: Some("v1".into()),
                limit: Some(2),
                marker: Some("n1".into()),
            }
        );
        assert_eq!(subnet_query("").unwrap(), SubnetQuery::default());
        for bad in ["limit=0", "limit=2001", "limit=x", "marker=%FF"] {
            assert!(subnet_query(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_are_pinned() {
        let subnet = subnet("web");
        let one = OneSubnet {
            subnet: SubnetJson::of(&subnet, "proj"),
        };
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            r#"{"subnet":{"id":"n1","name":"web","description":"","cidr":"192.168.1.0/24","gateway_ip":"192.168.1.1","ipv6_enable":false,"dhcp_enable":true,"primary_dns":"100.125.1.250","secondary_dns":"100.125.21.250","dnsList":["100.125.1.250","100.125.21.250"],"availability_zone":"r-a","vpc_id":"v1","status":"ACTIVE","neutron_network_id":"n1","neutron_subnet_id":"n1","extra_dhcp_opts":[],"tenant_id":"proj","created_at":"1970-01-01T00:00:00","updated_at":"1970-01-01T00:00:00"}}"#
        );
        let list = InterfaceList {
            interface_attachments: vec![InterfaceJson {
                port_state: "ACTIVE".into(),
                fixed_ips: vec![InterfaceIp {
                    subnet_id: "n1".into(),
                    ip_address: "192.168.1.11".into(),
                }],
                net_id: "n1".into(),
                port_id: "nic-1".into(),
                mac_addr: "fa:16:3e:00:00:01".into(),
                delete_on_termination: false,
                driver_mode: "virtio".into(),
            }],
        };
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"{"interfaceAttachments":[{"port_state":"ACTIVE","fixed_ips":[{"subnet_id":"n1","ip_address":"192.168.1.11"}],"net_id":"n1","port_id":"nic-1","mac_addr":"fa:16:3e:00:00:01","delete_on_termination":false,"driver_mode":"virtio"}]}"#
        );
    }

    #[test]
    fn a_subnet_shows_its_gateway_and_one_id_for_network_and_subnet() {
        let s = subnet("");
        let json = serde_json::to_value(SubnetJson::of(&s, "proj")).unwrap();
        assert_eq!(json["gateway_ip"], "192.168.1.1");
        assert_eq!(json["name"], "n1");
        assert_eq!(json["neutron_network_id"], "n1");
        assert_eq!(json["neutron_subnet_id"], "n1");
        assert_eq!(json["dnsList"][0], "100.125.1.250");
        assert_eq!(json["tenant_id"], "proj");
    }
}
