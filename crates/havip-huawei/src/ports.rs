//! Rendering ports: a HaVip is a VIP port (`device_owner` `neutron:VIP_PORT`, one fixed IP,
//! status ACTIVE while bound, DOWN while free, BUILD while a change is in flight), an ENI is
//! a NIC port (`device_owner` `compute:<zone>`, `device_id` its server, status ACTIVE while
//! the server runs, and the IPs of the VIPs it carries in `allowed_address_pairs`). The same
//! view renders as a Neutron `NeutronPort` or as a VPC v1 `Port`, and is what list filters
//! match against.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use havip_core::{ip, HaVip, HaVipStatus, InstanceStatus};
use havip_service::ports::{AddressPair, PortSnapshot};

pub const VIP_OWNER: &str = "neutron:VIP_PORT";
/// `device_owner` of a service-managed NIC (owned by a cloud service, like an ELB port).
pub const SERVICE_OWNER: &str = "neutron:LOADBALANCERV2";

/// One port as every Huawei API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub zone: String,
    pub ip: Ipv4Addr,
    pub mac: String,
    pub device_id: String,
    pub device_owner: String,
    pub status: &'static str,
    pub allowed_address_pairs: Vec<AddressPair>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A stable MAC for a VIP port, from its id and address.
fn vip_mac(id: &str, address: Ipv4Addr) -> String {
    // FNV-1a over the id: the same VIP always shows the same MAC.
    let salt = id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    ip::mac_for(address, salt)
}

fn vip_status(h: &HaVip) -> &'static str {
    match h.status {
        HaVipStatus::InUse => "ACTIVE",
        HaVipStatus::Available => "DOWN",
        HaVipStatus::Creating
        | HaVipStatus::Associating
        | HaVipStatus::Unassociating
        | HaVipStatus::Deleting => "BUILD",
    }
}

/// Pairs with the port's own MAC where none was given, as Neutron shows them.
fn with_macs(pairs: &[AddressPair], own_mac: &str) -> Vec<AddressPair> {
    pairs
        .iter()
        .map(|p| AddressPair {
            ip_address: p.ip_address.clone(),
            mac_address: Some(p.mac_address.clone().unwrap_or_else(|| own_mac.to_string())),
        })
        .collect()
}

/// Every port of the snapshot, sorted by id.
pub fn all(s: &PortSnapshot) -> Vec<Port> {
    let zones: BTreeMap<&str, &str> = s
        .subnets
        .iter()
        .map(|n| (n.id.as_str(), n.zone.as_str()))
        .collect();
    let instances: BTreeMap<&str, _> = s.instances.iter().map(|i| (i.id.as_str(), i)).collect();
    let zone_of = |subnet: &str| zones.get(subnet).copied().unwrap_or_default().to_string();
    let pairs_of = |id: &str| {
        s.attrs
            .get(id)
            .map(|a| a.allowed_address_pairs.as_slice())
            .unwrap_or_default()
    };
    let mut out = Vec::with_capacity(s.havips.len() + s.enis.len());
    for h in &s.havips {
        let mac = vip_mac(&h.id, h.ip);
        let pairs = pairs_of(&h.id);
        out.push(Port {
            id: h.id.clone(),
            name: h.name.clone(),
            network_id: h.subnet.clone(),
            zone: zone_of(&h.subnet),
            ip: h.ip,
            allowed_address_pairs: with_macs(pairs, &mac),
            mac,
            device_id: String::new(),
            device_owner: VIP_OWNER.to_string(),
            status: vip_status(h),
            created_at: h.created_at,
            updated_at: h.updated_at,
        });
    }
    for e in &s.enis {
        let zone = zone_of(&e.subnet);
        let instance = e.instance.as_deref().and_then(|i| instances.get(i));
        let attrs = s.attrs.get(&e.id);
        let mut pairs = with_macs(pairs_of(&e.id), &e.mac);
        // The VIPs this NIC carries (havip_core::ports decides which).
        for h in &s.havips {
            let carried = havip_core::ports::nic_carries(h, e, instance.copied());
            let vip = h.ip.to_string();
            if carried && !pairs.iter().any(|p| p.ip_address == vip) {
                pairs.push(AddressPair {
                    ip_address: vip,
                    mac_address: Some(e.mac.clone()),
                });
            }
        }
        let device_owner = match (&e.instance, e.service_managed) {
            (_, true) => SERVICE_OWNER.to_string(),
            (Some(_), false) => format!("compute:{zone}"),
            (None, false) => String::new(),
        };
        let running = instance.is_some_and(|i| i.status == InstanceStatus::Running);
        out.push(Port {
            id: e.id.clone(),
            name: attrs.and_then(|a| a.name.clone()).unwrap_or_default(),
            network_id: e.subnet.clone(),
            zone,
            ip: e.ip,
            mac: e.mac.clone(),
            device_id: e.instance.clone().unwrap_or_default(),
            device_owner,
            status: if running { "ACTIVE" } else { "DOWN" },
            allowed_address_pairs: pairs,
            created_at: e.created_at,
            updated_at: e.created_at,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// One port of the snapshot by id.
pub fn find(s: &PortSnapshot, id: &str) -> Option<Port> {
    all(s).into_iter().find(|p| p.id == id)
}

pub(crate) fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use havip_core::{Eni, Instance, Member, MemberKind, MemberState, Subnet};
    use havip_service::ports::PortAttrs;

    fn snapshot() -> PortSnapshot {
        let subnet = Subnet {
            id: "net-1".into(),
            vpc: "vpc-1".into(),
            account: "a".into(),
            region: "r".into(),
            zone: "cn-north-4a".into(),
            cidr: "192.168.1.0/24".parse().unwrap(),
            name: String::new(),
            created_at: 0,
        };
        let instance = Instance {
            id: "srv-1".into(),
            account: "a".into(),
            region: "r".into(),
            subnet: "net-1".into(),
            status: InstanceStatus::Running,
            primary_eni: "nic-1".into(),
            name: String::new(),
            created_at: 0,
        };
        let nic = Eni {
            id: "nic-1".into(),
            account: "a".into(),
            region: "r".into(),
            subnet: "net-1".into(),
            ip: "192.168.1.11".parse().unwrap(),
            mac: "fa:16:3e:00:00:01".into(),
            instance: Some("srv-1".into()),
            service_managed: false,
            created_at: 0,
        };
        let havip = HaVip {
            id: "vip-1".into(),
            account: "a".into(),
            region: "r".into(),
            vpc: "vpc-1".into(),
            subnet: "net-1".into(),
            ip: "192.168.1.100".parse().unwrap(),
            name: "v".into(),
            description: String::new(),
            status: HaVipStatus::InUse,
            members: vec![Member {
                id: "nic-1".into(),
                kind: MemberKind::NetworkInterface,
                instance: "srv-1".into(),
                state: MemberState::Associated,
                position: 0,
            }],
            master: Some("nic-1".into()),
            master_claim: None,
            tags: Default::default(),
            eip: None,
            resource_group: String::new(),
            pending: None,
            created_at: 0,
            updated_at: 0,
        };
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "vip-1".to_string(),
            PortAttrs {
                name: None,
                allowed_address_pairs: vec![AddressPair {
                    ip_address: "192.168.1.11".into(),
                    mac_address: None,
                }],
            },
        );
        PortSnapshot {
            havips: vec![havip],
            enis: vec![nic],
            instances: vec![instance],
            subnets: vec![subnet],
            attrs,
        }
    }

    #[test]
    fn vip_and_nic_ports() {
        let ports = all(&snapshot());
        assert_eq!(ports.len(), 2);
        let nic = &ports[0];
        assert_eq!(nic.id, "nic-1");
        assert_eq!(nic.device_owner, "compute:cn-north-4a");
        assert_eq!(nic.device_id, "srv-1");
        assert_eq!(nic.status, "ACTIVE");
        assert_eq!(nic.allowed_address_pairs[0].ip_address, "192.168.1.100");
        let vip = &ports[1];
        assert_eq!(vip.device_owner, VIP_OWNER);
        assert_eq!(vip.status, "ACTIVE");
        // A pair without a MAC shows the port's own MAC.
        assert_eq!(
            vip.allowed_address_pairs[0].mac_address.as_deref(),
            Some(vip.mac.as_str())
        );
        assert_eq!(vip_mac("vip-1", vip.ip), vip.mac);
        let json = |p: crate::answers::PortJson| serde_json::to_value(p).expect("json");
        let j = json(crate::answers::PortJson::neutron(vip, "p"));
        assert_eq!(j["fixed_ips"][0]["ip_address"], "192.168.1.100");
        assert_eq!(j["device_owner"], VIP_OWNER);
        assert_eq!(j["created_at"], "1970-01-01T00:00:00");
        let j = json(crate::answers::PortJson::v1(nic, "p"));
        assert_eq!(j["instance_id"], "srv-1");
        assert_eq!(j["zone_id"], "cn-north-4a");
        assert_eq!(j["enable_efi"], false);
        assert!(
            j.get("ipv6_bandwidth_id").is_none(),
            "IPv6 NICs with a shared bandwidth only"
        );
        assert!(
            json(crate::answers::PortJson::neutron(nic, "p"))
                .get("enable_efi")
                .is_none(),
            "not a NeutronPort key"
        );
    }
}
