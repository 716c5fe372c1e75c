//! Ports, the model of clouds that bind a VIP to network interfaces: which members a NIC
//! port stands for, which VIPs it carries, and what a bind by address must satisfy before
//! the association rules apply. Faces and the service ask here; no one else decides it.

use std::net::Ipv4Addr;

use crate::error::DomainError;
use crate::havip::HaVip;
use crate::model::{Eni, Instance, MemberKind, Subnet, Target};

/// The members a NIC stands for: the NIC itself and, when it is its server's primary NIC,
/// the server (a VIP bound to a server is carried by the server's primary NIC).
pub fn nic_targets(eni: &Eni, instance: Option<&Instance>) -> Vec<Target> {
    let mut out = vec![Target {
        kind: MemberKind::NetworkInterface,
        id: eni.id.clone(),
    }];
    if let (Some(server), Some(i)) = (&eni.instance, instance) {
        if &i.id == server && i.primary_eni == eni.id {
            out.push(Target {
                kind: MemberKind::EcsInstance,
                id: server.clone(),
            });
        }
    }
    out
}

/// Whether the NIC carries `havip`: one of its [`nic_targets`] is a member, in any state.
/// `instance` is the NIC's server, if it has one.
pub fn nic_carries(havip: &HaVip, eni: &Eni, instance: Option<&Instance>) -> bool {
    let targets = nic_targets(eni, instance);
    havip
        .members
        .iter()
        .any(|m| targets.iter().any(|t| t.kind == m.kind && t.id == m.id))
}

/// A bind of the VIP at `ip` in `subnet` to the NIC: the address must be in the subnet,
/// and the NIC in that subnet. (The association rules come after.)
pub fn check_bind(nic: &Eni, subnet: &Subnet, ip: Ipv4Addr) -> Result<(), DomainError> {
    if !subnet.cidr.contains(&ip) {
        return Err(DomainError::IpOutOfRange(ip));
    }
    if nic.subnet != subnet.id {
        return Err(DomainError::DifferentSubnet);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::havip::{Member, MemberState};
    use crate::model::InstanceStatus;

    fn eni(id: &str, instance: Option<&str>) -> Eni {
        Eni {
            id: id.into(),
            account: "a".into(),
            region: "r".into(),
            subnet: "s1".into(),
            ip: Ipv4Addr::new(10, 0, 0, 5),
            mac: "00:16:3e:00:00:01".into(),
            instance: instance.map(str::to_string),
            service_managed: false,
            created_at: 0,
        }
    }

    fn server(primary: &str) -> Instance {
        Instance {
            id: "i1".into(),
            account: "a".into(),
            region: "r".into(),
            subnet: "s1".into(),
            status: InstanceStatus::Running,
            primary_eni: primary.into(),
            name: String::new(),
            created_at: 0,
        }
    }

    fn member(kind: MemberKind, id: &str) -> Member {
        Member {
            kind,
            id: id.into(),
            instance: "i1".into(),
            state: MemberState::Associated,
            position: 0,
        }
    }

    fn havip() -> HaVip {
        let limits = crate::Limits {
            instances_per_havip: 2,
            havips_per_instance: 2,
            havips_per_region: 2,
            master_needs_force: false,
            processing_is_error: false,
        };
        let req = crate::ops::CreateHaVip {
            subnet: "s1".into(),
            ..Default::default()
        };
        crate::world::sample_world()
            .create_havip(
                &crate::Profile::plain(limits),
                &req,
                "h".into(),
                0,
                &crate::ops::Timing::immediate(0),
            )
            .expect("a HaVip")
    }

    #[test]
    fn a_primary_nic_stands_for_its_server() {
        let primary = eni("eni-1", Some("i1"));
        let secondary = eni("eni-2", Some("i1"));
        let i = server("eni-1");
        assert_eq!(nic_targets(&primary, Some(&i)).len(), 2);
        assert_eq!(nic_targets(&secondary, Some(&i)).len(), 1);
        assert_eq!(nic_targets(&eni("eni-3", None), None).len(), 1);
        let mut h = havip();
        h.members = vec![member(MemberKind::EcsInstance, "i1")];
        assert!(nic_carries(&h, &primary, Some(&i)));
        assert!(!nic_carries(&h, &secondary, Some(&i)));
        h.members = vec![member(MemberKind::NetworkInterface, "eni-2")];
        assert!(nic_carries(&h, &secondary, Some(&i)));
        assert!(!nic_carries(&h, &primary, Some(&i)));
    }

    #[test]
    fn a_bind_needs_the_address_and_the_nic_in_the_subnet() {
        let subnet = Subnet {
            id: "s1".into(),
            account: "a".into(),
            region: "r".into(),
            vpc: "v".into(),
            zone: "z".into(),
            cidr: "10.0.0.0/24".parse().expect("cidr"),
            name: String::new(),
            created_at: 0,
        };
        let nic = eni("eni-1", None);
        assert_eq!(
            check_bind(&nic, &subnet, Ipv4Addr::new(10, 0, 0, 9)),
            Ok(())
        );
        assert_eq!(
            check_bind(&nic, &subnet, Ipv4Addr::new(10, 0, 1, 9)),
            Err(DomainError::IpOutOfRange(Ipv4Addr::new(10, 0, 1, 9)))
        );
        let elsewhere = Eni {
            subnet: "s2".into(),
            ..nic
        };
        assert_eq!(
            check_bind(&elsewhere, &subnet, Ipv4Addr::new(10, 0, 0, 9)),
            Err(DomainError::DifferentSubnet)
        );
    }
}
