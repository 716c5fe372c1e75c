//! Loading a seed file into the store: every resource it names that does not exist yet is
//! created, in one transaction; resources that exist are left as they are, so loading the
//! same seed twice changes nothing.

use havip_core::{
    ip, ops, validate, Eni, HaVip, HaVipStatus, Instance, MemberKind, Subnet, Target,
    TargetResource, Vpc,
};
use havip_seed::{PrimaryEni, Seed, SeedHavip};
use havip_store::{AccessKey, Account, HuaweiProject, Tx};

use crate::{IdGenerator, Service, ServiceError, ServiceResult};
use havip_core::DomainError;
use havip_store::StoreError;

/// What a seed load did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub created: usize,
    pub existing: usize,
}

impl Service {
    /// Loads the seed. Replicas starting together may load it at the same time: the one
    /// that loses a race on a unique key retries and then finds the rows there.
    pub async fn load_seed(&self, seed: &Seed) -> ServiceResult<SeedReport> {
        let mut attempt = 0;
        loop {
            match self.try_load_seed(seed).await {
                Err(ServiceError::Store(StoreError::Duplicate(_) | StoreError::Conflict))
                    if attempt < 5 =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn try_load_seed(&self, seed: &Seed) -> ServiceResult<SeedReport> {
        let mut tx = self.store.write().await?;
        let mut report = SeedReport::default();
        let now = self.now_ms();
        let limits = self.config.operator.limits;
        load_all(&mut *tx, seed, now, self.ids(), &limits, &mut report).await?;
        tx.commit().await?;
        Ok(report)
    }
}

fn count(report: &mut SeedReport, existed: bool) -> bool {
    if existed {
        report.existing += 1;
    } else {
        report.created += 1;
    }
    !existed
}

/// The address `wanted`, or a free one that no entry of the seed names either; the rule
/// is the seed's own ([`Seed::address_for`]), so that `havip lab` computes the same.
async fn address(
    tx: &mut dyn Tx,
    seed: &Seed,
    subnet: &Subnet,
    wanted: Option<std::net::Ipv4Addr>,
    alloc_start: u32,
) -> ServiceResult<std::net::Ipv4Addr> {
    let used = tx.used_ips(&subnet.id).await?;
    Ok(
        seed.address_for(&subnet.id, &subnet.cidr, wanted, alloc_start, |x| {
            used.contains(&x)
        })?,
    )
}

async fn subnet_of(tx: &mut dyn Tx, id: &str) -> ServiceResult<Subnet> {
    tx.subnet(id)
        .await?
        .ok_or_else(|| DomainError::SubnetNotFound(id.to_string()).into())
}

/// Writes every kind of the seed in turn, each after the kinds its entries name.
async fn load_all(
    tx: &mut dyn Tx,
    seed: &Seed,
    now: i64,
    ids: &dyn IdGenerator,
    limits: &havip_core::Limits,
    report: &mut SeedReport,
) -> ServiceResult<()> {
    load_accounts(tx, seed, now, report).await?;
    load_access_keys(tx, seed, now, report).await?;
    load_huawei_projects(tx, seed, report).await?;
    load_vpcs(tx, seed, now, report).await?;
    load_subnets(tx, seed, now, report).await?;
    // ENIs the seed declares come first, so that addresses it names are taken by them.
    load_enis(tx, seed, now, ids, report).await?;
    load_instances(tx, seed, now, ids, report).await?;
    load_havips(tx, seed, now, ids, limits, report).await
}

/// Creates the accounts that do not exist.
async fn load_accounts(
    tx: &mut dyn Tx,
    seed: &Seed,
    now: i64,
    report: &mut SeedReport,
) -> ServiceResult<()> {
    for a in &seed.accounts {
        if count(report, tx.account(&a.id).await?.is_some()) {
            tx.insert_account(&Account {
                id: a.id.clone(),
                name: a.name.clone().unwrap_or_default(),
                created_at: now,
            })
            .await?;
        }
    }
    Ok(())
}

/// Creates the access keys that do not exist, enabled.
async fn load_access_keys(
    tx: &mut dyn Tx,
    seed: &Seed,
    now: i64,
    report: &mut SeedReport,
) -> ServiceResult<()> {
    for k in &seed.access_keys {
        if count(report, tx.access_key(&k.id).await?.is_some()) {
            tx.insert_access_key(&AccessKey {
                id: k.id.clone(),
                account: k.account.clone(),
                secret: k.secret.clone(),
                enabled: true,
                created_at: now,
            })
            .await?;
        }
    }
    Ok(())
}

/// Records each Huawei project's region and creates the projects that do not exist.
async fn load_huawei_projects(
    tx: &mut dyn Tx,
    seed: &Seed,
    report: &mut SeedReport,
) -> ServiceResult<()> {
    for p in &seed.huawei_projects {
        tx.insert_region(&p.region).await?;
        if count(report, tx.huawei_project(&p.id).await?.is_some()) {
            tx.insert_huawei_project(&HuaweiProject {
                id: p.id.clone(),
                account: p.account.clone(),
                region: p.region.clone(),
            })
            .await?;
        }
    }
    Ok(())
}

/// Records each VPC's region and creates the VPCs that do not exist.
async fn load_vpcs(
    tx: &mut dyn Tx,
    seed: &Seed,
    now: i64,
    report: &mut SeedReport,
) -> ServiceResult<()> {
    for v in &seed.vpcs {
        tx.insert_region(&v.region).await?;
        if count(report, tx.vpc(&v.id).await?.is_some()) {
            tx.insert_vpc(&Vpc {
                id: v.id.clone(),
                account: v.account.clone(),
                region: v.region.clone(),
                cidr: v.cidr,
                name: v.name.clone().unwrap_or_default(),
                created_at: now,
            })
            .await?;
        }
    }
    Ok(())
}

/// Creates the subnets that do not exist, with the account and region of their VPC.
async fn load_subnets(
    tx: &mut dyn Tx,
    seed: &Seed,
    now: i64,
    report: &mut SeedReport,
) -> ServiceResult<()> {
    for s in &seed.subnets {
        if count(report, tx.subnet(&s.id).await?.is_some()) {
            let Some((account, region)) = seed.subnet_owner(&s.id) else {
                return Err(DomainError::VpcNotFound(s.vpc.clone()).into());
            };
            tx.insert_subnet(&Subnet {
                id: s.id.clone(),
                vpc: s.vpc.clone(),
                account: account.to_string(),
                region: region.to_string(),
                zone: s.zone.clone(),
                cidr: s.cidr,
                name: s.name.clone().unwrap_or_default(),
                created_at: now,
            })
            .await?;
        }
    }
    Ok(())
}

/// Creates the ENIs the seed declares that do not exist, at the address each names or
/// a free one.
async fn load_enis(
    tx: &mut dyn Tx,
    seed: &Seed,
    now: i64,
    ids: &dyn IdGenerator,
    report: &mut SeedReport,
) -> ServiceResult<()> {
    for e in &seed.enis {
        if count(report, tx.eni(&e.id).await?.is_some()) {
            let subnet = subnet_of(tx, &e.subnet).await?;
            let a = address(tx, seed, &subnet, e.ip, ids.alloc_start()).await?;
            tx.insert_eni(&Eni {
                id: e.id.clone(),
                account: subnet.account.clone(),
                region: subnet.region.clone(),
                subnet: subnet.id.clone(),
                ip: a,
                mac: e.mac.clone().unwrap_or_else(|| ip::derived_mac(&e.id)),
                instance: e.instance.clone(),
                service_managed: e.service_managed,
                created_at: now,
            })
            .await?;
        }
    }
    Ok(())
}

/// Creates the instances that do not exist, each with its primary ENI.
async fn load_instances(
    tx: &mut dyn Tx,
    seed: &Seed,
    now: i64,
    ids: &dyn IdGenerator,
    report: &mut SeedReport,
) -> ServiceResult<()> {
    for i in &seed.instances {
        if !count(report, tx.instance(&i.id).await?.is_some()) {
            continue;
        }
        let subnet = subnet_of(tx, &i.subnet).await?;
        let primary = primary_eni(tx, seed, &i.id, &subnet, now, ids).await?;
        tx.insert_instance(&Instance {
            id: i.id.clone(),
            account: subnet.account.clone(),
            region: subnet.region.clone(),
            subnet: subnet.id.clone(),
            status: i.status,
            primary_eni: primary,
            name: i.name.clone().unwrap_or_default(),
            created_at: now,
        })
        .await?;
    }
    Ok(())
}

/// The id of a new instance's primary ENI: the `[[eni]]` the seed names, or one the
/// seed leaves implicit, created in the instance's subnet unless it exists already.
async fn primary_eni(
    tx: &mut dyn Tx,
    seed: &Seed,
    instance: &str,
    subnet: &Subnet,
    now: i64,
    ids: &dyn IdGenerator,
) -> ServiceResult<String> {
    Ok(match seed.primary_eni(instance) {
        Some(PrimaryEni::Declared(e)) => e.id.clone(),
        Some(PrimaryEni::Implicit { id: declared }) => {
            let id = declared.map_or_else(|| ids.prefixed("eni"), str::to_string);
            if tx.eni(&id).await?.is_none() {
                let a = address(tx, seed, subnet, None, ids.alloc_start()).await?;
                tx.insert_eni(&Eni {
                    id: id.clone(),
                    account: subnet.account.clone(),
                    region: subnet.region.clone(),
                    subnet: subnet.id.clone(),
                    ip: a,
                    mac: ip::derived_mac(&ip::eni_mac_key(declared, instance)),
                    instance: Some(instance.to_string()),
                    service_managed: false,
                    created_at: now,
                })
                .await?;
            }
            id
        }
        None => ids.prefixed("eni"),
    })
}

/// Creates the HaVips that do not exist (skipping ids the domain would refuse) and
/// associates their members.
async fn load_havips(
    tx: &mut dyn Tx,
    seed: &Seed,
    now: i64,
    ids: &dyn IdGenerator,
    limits: &havip_core::Limits,
    report: &mut SeedReport,
) -> ServiceResult<()> {
    for h in &seed.havips {
        if !validate::id_syntax(&h.id) || !count(report, tx.havip(&h.id).await?.is_some()) {
            continue;
        }
        let subnet = subnet_of(tx, &h.subnet).await?;
        let a = address(tx, seed, &subnet, h.ip, ids.alloc_start()).await?;
        let havip = new_havip(h, &subnet, a, now);
        tx.insert_havip(&havip).await?;
        associate_members(tx, havip, &h.members, limits, now).await?;
    }
    Ok(())
}

/// A seed HaVip as created: available, in its subnet at `ip`, with no members yet.
fn new_havip(h: &SeedHavip, subnet: &Subnet, ip: std::net::Ipv4Addr, now: i64) -> HaVip {
    HaVip {
        id: h.id.clone(),
        account: subnet.account.clone(),
        region: subnet.region.clone(),
        vpc: subnet.vpc.clone(),
        subnet: subnet.id.clone(),
        ip,
        name: h.name.clone().unwrap_or_default(),
        description: h.description.clone().unwrap_or_default(),
        status: HaVipStatus::Available,
        members: Vec::new(),
        master: None,
        master_claim: None,
        tags: Default::default(),
        eip: None,
        resource_group: String::new(),
        pending: None,
        created_at: now,
        updated_at: now,
    }
}

/// Associates a seed HaVip's members in order, by the rules a request meets (the first
/// becomes the master). A member the rules refuse stops the load, naming both.
async fn associate_members(
    tx: &mut dyn Tx,
    mut havip: HaVip,
    members: &[String],
    limits: &havip_core::Limits,
    now: i64,
) -> ServiceResult<()> {
    for id in members {
        let (target, resource) = match tx.instance(id).await? {
            Some(i) => (
                Target {
                    kind: MemberKind::EcsInstance,
                    id: id.clone(),
                },
                Some(TargetResource::Instance(i)),
            ),
            None => {
                let eni = tx.eni(id).await?;
                let resource = match eni {
                    Some(eni) => {
                        let instance = match &eni.instance {
                            Some(i) => tx.instance(i).await?,
                            None => None,
                        };
                        Some(TargetResource::Eni { eni, instance })
                    }
                    None => None,
                };
                let target = Target {
                    kind: MemberKind::NetworkInterface,
                    id: id.clone(),
                };
                (target, resource)
            }
        };
        let facts = ops::AssociateFacts {
            havip: Some(&havip),
            target: resource.as_ref(),
            target_instance_havips: crate::havips::havips_carried(tx, resource.as_ref()).await?,
        };
        let next = ops::associate(
            &havip.id,
            &target,
            facts,
            limits,
            &ops::Timing::immediate(now),
        )
        .map_err(|e| {
            DomainError::invalid(
                "members",
                format!("the seed's havip {} cannot carry {id}: {e}", havip.id),
            )
        })?;
        crate::events::update_havip(&mut *tx, &havip, &next).await?;
        havip = next;
    }
    Ok(())
}
