//! The answers of the Huawei face, one serde struct per answer, with the keys the SDKs'
//! models read: a port as Neutron shows it (`NeutronPort` of huaweicloudsdkvpc v2) and as
//! the VPC v1 API shows it (`Port` of v1), the `{"port": ...}` and `{"ports": [...],
//! "ports_links": [...]}` bodies, and the ECS NIC call's `{"port_id": ...}`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ports::{time, Port};

/// The fields a Neutron port and a VPC v1 port share, and the family's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortJson {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub admin_state_up: bool,
    pub mac_address: String,
    pub fixed_ips: Vec<FixedIp>,
    pub device_id: String,
    pub device_owner: String,
    pub tenant_id: String,
    pub status: String,
    pub security_groups: Vec<String>,
    pub allowed_address_pairs: Vec<Pair>,
    pub extra_dhcp_opts: Vec<DhcpOption>,
    #[serde(rename = "binding:vnic_type")]
    pub binding_vnic_type: String,
    #[serde(rename = "binding:profile")]
    pub binding_profile: BTreeMap<String, String>,
    #[serde(rename = "binding:vif_details")]
    pub binding_vif_details: BTreeMap<String, String>,
    pub dns_assignment: Vec<DnsAssignment>,
    pub dns_name: String,
    pub port_security_enabled: bool,
    #[serde(flatten)]
    pub family: FamilyFields,
}

/// What only one API family shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FamilyFields {
    /// Neutron (`/v2.0/ports`).
    Neutron {
        project_id: String,
        created_at: String,
        updated_at: String,
    },
    /// VPC v1 (`/v1/{project_id}/ports`): every key of the SDK's `Port` model, with
    /// `enable_efi` at its documented default (false: no vRoCE). `ipv6_bandwidth_id` is
    /// left out: Huawei shows it only for an IPv6 NIC bound to a shared bandwidth, and
    /// havip ports are IPv4.
    V1 {
        instance_id: String,
        instance_type: String,
        zone_id: String,
        enable_efi: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixedIp {
    pub subnet_id: String,
    pub ip_address: String,
}

/// One `allowed_address_pairs` entry (`mac_address` is `null` when none was given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub ip_address: String,
    pub mac_address: Option<String>,
}

/// An `extra_dhcp_opts` entry (havip sets none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DhcpOption {
    pub opt_name: String,
    pub opt_value: String,
}

/// A `dns_assignment` entry (havip assigns no names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsAssignment {
    pub hostname: String,
    pub ip_address: String,
    pub fqdn: String,
}

impl PortJson {
    fn with(p: &Port, project: &str, family: FamilyFields) -> PortJson {
        PortJson {
            id: p.id.clone(),
            name: p.name.clone(),
            network_id: p.network_id.clone(),
            admin_state_up: true,
            mac_address: p.mac.clone(),
            fixed_ips: vec![FixedIp {
                subnet_id: p.network_id.clone(),
                ip_address: p.ip.to_string(),
            }],
            device_id: p.device_id.clone(),
            device_owner: p.device_owner.clone(),
            tenant_id: project.to_string(),
            status: p.status.to_string(),
            security_groups: Vec::new(),
            allowed_address_pairs: p
                .allowed_address_pairs
                .iter()
                .map(|a| Pair {
                    ip_address: a.ip_address.clone(),
                    mac_address: a.mac_address.clone(),
                })
                .collect(),
            extra_dhcp_opts: Vec::new(),
            binding_vnic_type: "normal".into(),
            binding_profile: BTreeMap::new(),
            binding_vif_details: BTreeMap::new(),
            dns_assignment: Vec::new(),
            dns_name: String::new(),
            port_security_enabled: true,
            family,
        }
    }

    /// A Neutron `NeutronPort` (`/v2.0/ports`).
    pub fn neutron(p: &Port, project: &str) -> PortJson {
        let family = FamilyFields::Neutron {
            project_id: project.to_string(),
            created_at: time(p.created_at),
            updated_at: time(p.updated_at),
        };
        PortJson::with(p, project, family)
    }

    /// A VPC v1 `Port` (`/v1/{project_id}/ports`).
    pub fn v1(p: &Port, project: &str) -> PortJson {
        let family = FamilyFields::V1 {
            instance_id: p.device_id.clone(),
            instance_type: if p.device_id.is_empty() { "" } else { "ecs" }.to_string(),
            zone_id: p.zone.clone(),
            enable_efi: false,
        };
        PortJson::with(p, project, family)
    }
}

/// `{"port": ...}`: a port created, shown or updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnePort {
    pub port: PortJson,
}

/// `{"ports": [...]}`, with `ports_links` where the family pages both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortList {
    pub ports: Vec<PortJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports_links: Option<Vec<Link>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub rel: String,
    pub href: String,
}

/// The ECS NIC call's answer: the NIC port it bound or unbound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NicBound {
    pub port_id: String,
}

#[cfg(test)]
mod golden {
    //! The exact body of every answer of the Huawei face.

    use std::net::Ipv4Addr;

    use havip_service::ports::AddressPair;

    use super::*;

    fn port() -> Port {
        Port {
            id: "vip-1".into(),
            name: "vip".into(),
            network_id: "net-1".into(),
            zone: "cn-north-4a".into(),
            ip: Ipv4Addr::new(192, 168, 1, 100),
            mac: "fa:16:3e:00:00:01".into(),
            device_id: String::new(),
            device_owner: "neutron:VIP_PORT".into(),
            status: "DOWN",
            allowed_address_pairs: vec![AddressPair {
                ip_address: "192.168.1.20".into(),
                mac_address: None,
            }],
            created_at: 0,
            updated_at: 60_000,
        }
    }

    fn json(v: &impl Serialize) -> String {
        serde_json::to_value(v).expect("json").to_string()
    }

    #[test]
    fn a_neutron_port() {
        let one = OnePort {
            port: PortJson::neutron(&port(), "proj"),
        };
        assert_eq!(
            json(&one),
            r#"{"port":{"admin_state_up":true,"allowed_address_pairs":[{"ip_address":"192.168.1.20","mac_address":null}],"binding:profile":{},"binding:vif_details":{},"binding:vnic_type":"normal","created_at":"1970-01-01T00:00:00","device_id":"","device_owner":"neutron:VIP_PORT","dns_assignment":[],"dns_name":"","extra_dhcp_opts":[],"fixed_ips":[{"ip_address":"192.168.1.100","subnet_id":"net-1"}],"id":"vip-1","mac_address":"fa:16:3e:00:00:01","name":"vip","network_id":"net-1","port_security_enabled":true,"project_id":"proj","security_groups":[],"status":"DOWN","tenant_id":"proj","updated_at":"1970-01-01T00:01:00"}}"#
        );
    }

    #[test]
    fn a_list_of_v1_ports_with_links() {
        let nic = Port {
            id: "nic-1".into(),
            device_id: "srv-1".into(),
            device_owner: "compute:cn-north-4a".into(),
            status: "ACTIVE",
            allowed_address_pairs: vec![],
            ..port()
        };
        let list = PortList {
            ports: vec![PortJson::v1(&nic, "proj")],
            ports_links: Some(vec![Link {
                rel: "next".into(),
                href: "http://h/v1/proj/ports?limit=1&marker=nic-1".into(),
            }]),
        };
        assert_eq!(
            json(&list),
            r#"{"ports":[{"admin_state_up":true,"allowed_address_pairs":[],"binding:profile":{},"binding:vif_details":{},"binding:vnic_type":"normal","device_id":"srv-1","device_owner":"compute:cn-north-4a","dns_assignment":[],"dns_name":"","enable_efi":false,"extra_dhcp_opts":[],"fixed_ips":[{"ip_address":"192.168.1.100","subnet_id":"net-1"}],"id":"nic-1","instance_id":"srv-1","instance_type":"ecs","mac_address":"fa:16:3e:00:00:01","name":"vip","network_id":"net-1","port_security_enabled":true,"security_groups":[],"status":"ACTIVE","tenant_id":"proj","zone_id":"cn-north-4a"}],"ports_links":[{"href":"http://h/v1/proj/ports?limit=1&marker=nic-1","rel":"next"}]}"#
        );
        let bare = PortList {
            ports: vec![],
            ports_links: None,
        };
        assert_eq!(json(&bare), r#"{"ports":[]}"#);
    }

    #[test]
    fn the_nic_call() {
        let bound = NicBound {
            port_id: "nic-1".into(),
        };
        assert_eq!(json(&bound), r#"{"port_id":"nic-1"}"#);
    }
}
