//! Ports, as the Huawei face sees the one store: a HaVip is a VIP port, an ENI is a NIC
//! port. Binding a VIP to a NIC (creating the VIP when no port holds the address yet),
//! unbinding every VIP of a NIC, creating, updating and deleting VIP ports, and a
//! consistent snapshot of every port of a caller for listing. Each operation is one
//! store transaction; the rules stay in `havip-core`.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use havip_core::ops::{self, AssociateFacts, CreateHaVip, DisassociateFacts, Timing};
use havip_core::{
    validate, DomainError, Eni, HaVip, Instance, MemberKind, MemberState, Subnet, Target,
};
use havip_store::{HaVipQuery, Paging, Scope, StoreError, Tx};

pub use havip_store::{AddressPair, PortAttrs};

use crate::havips::havips_carried;
use crate::{retry_conflicts, Caller, Service, ServiceResult};

/// Every port of a caller's account and region, read in one transaction.
#[derive(Debug, Clone, Default)]
pub struct PortSnapshot {
    pub havips: Vec<HaVip>,
    pub enis: Vec<Eni>,
    pub instances: Vec<Instance>,
    pub subnets: Vec<Subnet>,
    /// Stored attributes by port id (ports without any are absent).
    pub attrs: BTreeMap<String, PortAttrs>,
}

/// What a port delete found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortDeletion {
    /// The VIP port is gone.
    Deleted,
    NotFound,
    /// The id is a NIC port: havip does not delete NICs through the port API.
    NicPort {
        attached: bool,
    },
}

/// A VIP port to create: the HaVip (address, name), its id and its first address pairs.
#[derive(Debug, Clone, Default)]
pub struct NewVipPort {
    pub id: String,
    pub havip: CreateHaVip,
    pub allowed_address_pairs: Vec<AddressPair>,
}

/// An address taken by a concurrent transaction since this one read the subnet: a
/// conflict, so that the operation runs again and sees the new owner.
fn raced(e: StoreError) -> StoreError {
    match e {
        StoreError::Duplicate(_) => StoreError::Conflict,
        other => other,
    }
}

/// The most HaVips (or ENIs) a snapshot lists; emulation-scale inventories are far below.
const SNAPSHOT_LIMIT: u64 = 100_000;

/// Every HaVip of the caller's account and region (at most [`SNAPSHOT_LIMIT`]).
fn region_havips(caller: &Caller) -> HaVipQuery {
    HaVipQuery {
        account: caller.account.clone(),
        region: caller.region.clone(),
        page: Paging::Offset {
            offset: 0,
            limit: SNAPSHOT_LIMIT,
        },
        ..Default::default()
    }
}

impl Service {
    pub(crate) async fn scoped_eni(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        id: &str,
    ) -> ServiceResult<Option<Eni>> {
        if !validate::id_syntax(id) {
            return Ok(None);
        }
        Ok(tx
            .eni(id)
            .await?
            .filter(|e| caller.sees(&e.account, &e.region)))
    }

    /// The caller's NIC port `id`, or `EniNotFound`.
    async fn scoped_nic(&self, tx: &mut dyn Tx, caller: &Caller, id: &str) -> ServiceResult<Eni> {
        self.scoped_eni(tx, caller, id)
            .await?
            .ok_or_else(|| DomainError::EniNotFound(id.to_string()).into())
    }

    pub(crate) async fn scoped_subnet(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        id: &str,
    ) -> ServiceResult<Option<Subnet>> {
        if !validate::id_syntax(id) {
            return Ok(None);
        }
        Ok(tx
            .subnet(id)
            .await?
            .filter(|s| caller.sees(&s.account, &s.region)))
    }

    /// The caller's subnets in its region (which must exist), each with how many of its
    /// addresses are still free (usable, and held by no ENI and no HaVip).
    pub async fn subnets_with_free_addresses(
        &self,
        caller: &Caller,
    ) -> ServiceResult<Vec<(Subnet, u64)>> {
        let mut tx = self.store.read().await?;
        self.check_region(&mut *tx, caller).await?;
        let scope = Scope {
            account: caller.account.clone(),
            region: caller.region.clone(),
        };
        let subnets = tx.subnets(&scope).await?;
        let enis = tx.enis(&scope).await?;
        let query = region_havips(caller);
        let havips = tx.havips(&query).await?.items;
        Ok(subnets
            .into_iter()
            .map(|s| {
                let held = enis.iter().filter(|e| e.subnet == s.id).count()
                    + havips.iter().filter(|(_, h)| h.subnet == s.id).count();
                let free = havip_core::ip::usable_count(&s.cidr).saturating_sub(held as u64);
                (s, free)
            })
            .collect())
    }

    /// Every VIP port (HaVip), NIC port (ENI) and subnet of the caller, with port attributes.
    pub async fn port_snapshot(&self, caller: &Caller) -> ServiceResult<PortSnapshot> {
        let mut tx = self.store.read().await?;
        let scope = Scope {
            account: caller.account.clone(),
            region: caller.region.clone(),
        };
        let query = region_havips(caller);
        let havips: Vec<HaVip> = tx
            .havips(&query)
            .await?
            .items
            .into_iter()
            .map(|(_, h)| h)
            .collect();
        let enis = tx.enis(&scope).await?;
        let instances = tx.instances(&scope).await?;
        let subnets = tx.subnets(&scope).await?;
        let ids: Vec<String> = havips
            .iter()
            .map(|h| h.id.clone())
            .chain(enis.iter().map(|e| e.id.clone()))
            .collect();
        let attrs = tx.ports_attrs(&ids).await?;
        Ok(PortSnapshot {
            havips,
            enis,
            instances,
            subnets,
            attrs,
        })
    }

    /// Creates a VIP port: a HaVip with the given id, Available at once (Huawei creates
    /// ports synchronously), and its address pairs.
    pub async fn create_vip_port(&self, caller: &Caller, new: &NewVipPort) -> ServiceResult<HaVip> {
        ops::check_create_shape(&caller.profile, &new.havip)?;
        retry_conflicts(|| async {
            let mut tx = self.write_in_region(caller).await?;
            let subnet = self
                .scoped_subnet(&mut *tx, caller, &new.havip.subnet)
                .await?;
            let havip = self
                .build_havip(
                    &mut *tx,
                    caller,
                    &new.havip,
                    subnet.as_ref(),
                    new.id.clone(),
                    &Timing::immediate(self.now_ms()),
                )
                .await?;
            tx.insert_havip(&havip).await.map_err(raced)?;
            if !new.allowed_address_pairs.is_empty() {
                let attrs = PortAttrs {
                    name: None,
                    allowed_address_pairs: new.allowed_address_pairs.clone(),
                };
                tx.put_port_attrs(&havip.id, &attrs).await?;
            }
            tx.commit().await?;
            Ok(havip)
        })
        .await
    }

    /// Updates a port's name and/or address pairs; `false` when the caller has no such port.
    /// A VIP port's name is its HaVip's name (checked and changed as a modify).
    pub async fn update_port(
        &self,
        caller: &Caller,
        id: &str,
        name: Option<&str>,
        pairs: Option<&[AddressPair]>,
    ) -> ServiceResult<bool> {
        retry_conflicts(|| async {
            let mut tx = self.write_in_region(caller).await?;
            let mut attrs = tx.port_attrs(id).await?.unwrap_or_default();
            if let Some(old) = self.scoped_havip(&mut *tx, caller, id).await? {
                if name.is_some() {
                    let next =
                        ops::modify(&caller.profile, id, Some(&old), name, None, self.now_ms())?;
                    crate::events::update_havip(&mut *tx, &old, &next).await?;
                }
            } else if self.scoped_eni(&mut *tx, caller, id).await?.is_some() {
                if let Some(n) = name {
                    validate::name(&caller.profile, n)?;
                    attrs.name = Some(n.to_string());
                }
            } else {
                return Ok(false);
            }
            if let Some(p) = pairs {
                attrs.allowed_address_pairs = p.to_vec();
            }
            tx.put_port_attrs(id, &attrs).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    /// Deletes a VIP port (an Available HaVip) at once, whatever the transition delay, as
    /// Neutron deletes ports synchronously (it never lists a deleted port); NIC ports are
    /// not deleted.
    pub async fn delete_port(&self, caller: &Caller, id: &str) -> ServiceResult<PortDeletion> {
        retry_conflicts(|| async {
            let mut tx = self.write_in_region(caller).await?;
            let Some(old) = self.scoped_havip(&mut *tx, caller, id).await? else {
                return Ok(match self.scoped_eni(&mut *tx, caller, id).await? {
                    Some(eni) => PortDeletion::NicPort {
                        attached: eni.instance.is_some(),
                    },
                    None => PortDeletion::NotFound,
                });
            };
            match ops::delete(id, Some(&old), &Timing::immediate(self.now_ms()))? {
                Some(next) => crate::events::update_havip(&mut *tx, &old, &next).await?,
                None => tx.delete_havip(&old).await?,
            }
            tx.delete_port_attrs(id).await?;
            tx.commit().await?;
            Ok(PortDeletion::Deleted)
        })
        .await
    }

    /// Binds the VIP with address `ip` in `subnet_id` to the NIC port `nic_id`, creating
    /// the VIP port when no port holds that address. Binding a pair that is already bound
    /// succeeds and changes nothing. With `reverse_binding` the NIC's IP and MAC are added to
    /// the VIP port's address pairs. Returns the VIP as it is now.
    pub async fn bind_vip_to_nic(
        &self,
        caller: &Caller,
        nic_id: &str,
        subnet_id: &str,
        ip: Ipv4Addr,
        reverse_binding: bool,
    ) -> ServiceResult<HaVip> {
        retry_conflicts(|| async {
            let limits = self.limits_for(caller);
            let mut tx = self.write_in_region(caller).await?;
            let nic = self.scoped_nic(&mut *tx, caller, nic_id).await?;
            let subnet = self
                .scoped_subnet(&mut *tx, caller, subnet_id)
                .await?
                .ok_or_else(|| DomainError::SubnetNotFound(subnet_id.to_string()))?;
            havip_core::ports::check_bind(&nic, &subnet, ip)?;
            let havip = match tx.havip_by_ip(&subnet.id, ip).await? {
                Some(h) if caller.sees(&h.account, &h.region) => h,
                Some(_) => return Err(DomainError::IpInUse(ip).into()),
                None => {
                    let req = CreateHaVip {
                        subnet: subnet.id.clone(),
                        ip: Some(ip.to_string()),
                        ..Default::default()
                    };
                    let created = self
                        .build_havip(
                            &mut *tx,
                            caller,
                            &req,
                            Some(&subnet),
                            self.ids().uuid(),
                            &Timing::immediate(self.now_ms()),
                        )
                        .await?;
                    tx.insert_havip(&created).await.map_err(raced)?;
                    created
                }
            };
            let target = Target {
                kind: MemberKind::NetworkInterface,
                id: nic.id.clone(),
            };
            let resource = self.scoped_target(&mut *tx, caller, &target).await?;
            let facts = AssociateFacts {
                havip: Some(&havip),
                target: resource.as_ref(),
                target_instance_havips: havips_carried(&mut *tx, resource.as_ref()).await?,
            };
            let now = match ops::associate(&havip.id, &target, facts, &limits, &self.timing()) {
                Ok(next) => {
                    crate::events::update_havip(&mut *tx, &havip, &next).await?;
                    next
                }
                Err(DomainError::AlreadyAssociated) => havip,
                Err(e) => return Err(e.into()),
            };
            if reverse_binding {
                let mut attrs = tx.port_attrs(&now.id).await?.unwrap_or_default();
                let nic_ip = nic.ip.to_string();
                if !attrs
                    .allowed_address_pairs
                    .iter()
                    .any(|p| p.ip_address == nic_ip)
                {
                    attrs.allowed_address_pairs.push(AddressPair {
                        ip_address: nic_ip,
                        mac_address: Some(nic.mac.clone()),
                    });
                    tx.put_port_attrs(&now.id, &attrs).await?;
                }
            }
            tx.commit().await?;
            Ok(now)
        })
        .await
    }

    /// Unbinds every VIP the NIC port carries (all or none): the VIPs bound to the NIC, and
    /// for a server's primary NIC also the VIPs bound (through another face) to the server
    /// itself. A NIC that carries none is left as it is. The NIC's address leaves the VIP
    /// ports' address pairs. Returns the ids of the VIPs it unbound.
    pub async fn unbind_vips_from_nic(
        &self,
        caller: &Caller,
        nic_id: &str,
    ) -> ServiceResult<Vec<String>> {
        retry_conflicts(|| async {
            let limits = self.limits_for(caller);
            let mut tx = self.write_in_region(caller).await?;
            let nic = self.scoped_nic(&mut *tx, caller, nic_id).await?;
            let server = match &nic.instance {
                Some(i) => tx.instance(i).await?,
                None => None,
            };
            let targets = havip_core::ports::nic_targets(&nic, server.as_ref());
            let nic_ip = nic.ip.to_string();
            let mut unbound = Vec::new();
            for target in &targets {
                let resource = self.scoped_target(&mut *tx, caller, target).await?;
                for havip_id in tx.havips_of_member(&target.id).await? {
                    let Some(havip) = tx.havip(&havip_id).await? else {
                        continue;
                    };
                    let carried = havip.member(&target.id).is_some_and(|m| {
                        m.kind == target.kind && m.state != MemberState::Disassociating
                    });
                    if !carried {
                        continue;
                    }
                    let facts = DisassociateFacts {
                        havip: Some(&havip),
                        target: resource.as_ref(),
                    };
                    let timing = self.timing();
                    let next = ops::disassociate(&havip.id, target, true, facts, &limits, &timing)?;
                    crate::events::update_havip(&mut *tx, &havip, &next).await?;
                    if let Some(mut attrs) = tx.port_attrs(&havip.id).await? {
                        attrs
                            .allowed_address_pairs
                            .retain(|p| p.ip_address != nic_ip);
                        tx.put_port_attrs(&havip.id, &attrs).await?;
                    }
                    unbound.push(havip.id.clone());
                }
            }
            tx.commit().await?;
            Ok(unbound)
        })
        .await
    }
}
