//! Inventory the operator manages: accounts and access keys, Huawei projects, regions,
//! VPCs, subnets, instances (start/stop are status changes) and ENIs (attach/detach).

use std::net::Ipv4Addr;

use havip_core::{ip, ops, validate, DomainError, Eni, Instance, InstanceStatus, Subnet, Vpc};
use havip_store::{AccessKey, Account, HuaweiProject, Scope, StoreError, Tx};
use ipnet::Ipv4Net;

use crate::{retry_conflicts, Service, ServiceError, ServiceResult};

#[derive(Debug, Clone, Default)]
pub struct NewVpc {
    pub id: Option<String>,
    pub account: String,
    pub region: String,
    pub cidr: String,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewSubnet {
    pub id: Option<String>,
    pub vpc: String,
    pub zone: String,
    pub cidr: String,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewInstance {
    pub id: Option<String>,
    pub subnet: String,
    pub status: Option<String>,
    /// Id for the primary ENI that is created with the instance.
    pub primary_eni: Option<String>,
    pub ip: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewEni {
    pub id: Option<String>,
    pub subnet: String,
    pub instance: Option<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub service_managed: bool,
}

fn duplicate_as_exists(id: &str) -> impl Fn(StoreError) -> ServiceError + '_ {
    move |e| match e {
        StoreError::Duplicate(_) => DomainError::AlreadyExists(id.to_string()).into(),
        other => other.into(),
    }
}

fn check_id(id: &str, field: &'static str) -> ServiceResult<()> {
    if validate::id_syntax(id) {
        Ok(())
    } else {
        Err(DomainError::invalid(field, "ids hold 1-128 of A-Z a-z 0-9 . _ : -").into())
    }
}

fn parse_cidr(text: &str) -> ServiceResult<Ipv4Net> {
    let net: Ipv4Net = text
        .parse()
        .map_err(|_| DomainError::CidrMalformed(text.to_string()))?;
    if net.trunc() != net || net.prefix_len() > 29 {
        return Err(DomainError::CidrMalformed(text.to_string()).into());
    }
    Ok(net)
}

impl Service {
    pub async fn create_account(&self, id: &str, name: &str) -> ServiceResult<Account> {
        check_id(id, "id")?;
        let account = Account {
            id: id.to_string(),
            name: name.to_string(),
            created_at: self.now_ms(),
        };
        let mut tx = self.store.write().await?;
        tx.insert_account(&account)
            .await
            .map_err(duplicate_as_exists(id))?;
        tx.commit().await?;
        Ok(account)
    }

    pub async fn accounts(&self) -> ServiceResult<Vec<Account>> {
        Ok(self.store.read().await?.accounts().await?)
    }

    async fn require_account(&self, tx: &mut dyn Tx, id: &str) -> ServiceResult<()> {
        if validate::id_syntax(id) && tx.account(id).await?.is_some() {
            Ok(())
        } else {
            Err(DomainError::AccountNotFound(id.to_string()).into())
        }
    }

    /// Creates an access key for `account`; a secret is generated when none is given.
    pub async fn create_access_key(
        &self,
        account: &str,
        id: Option<&str>,
        secret: Option<&str>,
    ) -> ServiceResult<AccessKey> {
        let id = id.map_or_else(
            || format!("AK{}", self.ids().prefixed("x")[2..].to_ascii_uppercase()),
            str::to_string,
        );
        check_id(&id, "id")?;
        let secret = secret.map_or_else(
            || self.ids().prefixed("sk").replace('-', ""),
            str::to_string,
        );
        if secret.is_empty() {
            return Err(DomainError::invalid("secret", "must not be empty").into());
        }
        let key = AccessKey {
            id: id.clone(),
            account: account.to_string(),
            secret,
            enabled: true,
            created_at: self.now_ms(),
        };
        let mut tx = self.store.write().await?;
        self.require_account(&mut *tx, account).await?;
        tx.insert_access_key(&key)
            .await
            .map_err(duplicate_as_exists(&id))?;
        tx.commit().await?;
        Ok(key)
    }

    pub async fn access_key(&self, id: &str) -> ServiceResult<Option<AccessKey>> {
        if !validate::id_syntax(id) {
            return Ok(None);
        }
        Ok(self.store.read().await?.access_key(id).await?)
    }

    pub async fn access_keys(&self, account: Option<&str>) -> ServiceResult<Vec<AccessKey>> {
        Ok(self.store.read().await?.access_keys(account).await?)
    }

    pub async fn delete_access_key(&self, id: &str) -> ServiceResult<bool> {
        let mut tx = self.store.write().await?;
        let gone = tx.delete_access_key(id).await?;
        tx.commit().await?;
        Ok(gone)
    }

    pub async fn create_huawei_project(&self, p: &HuaweiProject) -> ServiceResult<HuaweiProject> {
        check_id(&p.id, "id")?;
        check_id(&p.region, "region")?;
        let mut tx = self.store.write().await?;
        self.require_account(&mut *tx, &p.account).await?;
        tx.insert_region(&p.region).await?;
        tx.insert_huawei_project(p)
            .await
            .map_err(duplicate_as_exists(&p.id))?;
        tx.commit().await?;
        Ok(p.clone())
    }

    pub async fn huawei_project(&self, id: &str) -> ServiceResult<Option<HuaweiProject>> {
        if !validate::id_syntax(id) {
            return Ok(None);
        }
        Ok(self.store.read().await?.huawei_project(id).await?)
    }

    pub async fn huawei_projects(
        &self,
        account: Option<&str>,
    ) -> ServiceResult<Vec<HuaweiProject>> {
        Ok(self.store.read().await?.huawei_projects(account).await?)
    }

    pub async fn regions(&self) -> ServiceResult<Vec<String>> {
        Ok(self.store.read().await?.regions().await?)
    }

    pub async fn region_exists(&self, region: &str) -> ServiceResult<bool> {
        Ok(self.store.read().await?.region_exists(region).await?)
    }

    pub async fn create_vpc(&self, new: &NewVpc) -> ServiceResult<Vpc> {
        let id = new.id.clone().unwrap_or_else(|| self.ids().prefixed("vpc"));
        check_id(&id, "id")?;
        check_id(&new.region, "region")?;
        let vpc = Vpc {
            id: id.clone(),
            account: new.account.clone(),
            region: new.region.clone(),
            cidr: parse_cidr(&new.cidr)?,
            name: new.name.clone(),
            created_at: self.now_ms(),
        };
        let mut tx = self.store.write().await?;
        self.require_account(&mut *tx, &new.account).await?;
        tx.insert_region(&vpc.region).await?;
        tx.insert_vpc(&vpc)
            .await
            .map_err(duplicate_as_exists(&id))?;
        tx.commit().await?;
        Ok(vpc)
    }

    pub async fn vpcs(&self, scope: &Scope) -> ServiceResult<Vec<Vpc>> {
        Ok(self.store.read().await?.vpcs(scope).await?)
    }

    pub async fn create_subnet(&self, new: &NewSubnet) -> ServiceResult<Subnet> {
        let id = new.id.clone().unwrap_or_else(|| self.ids().prefixed("vsw"));
        check_id(&id, "id")?;
        let cidr = parse_cidr(&new.cidr)?;
        let mut tx = self.store.write().await?;
        let vpc = if validate::id_syntax(&new.vpc) {
            tx.vpc(&new.vpc).await?
        } else {
            None
        }
        .ok_or_else(|| DomainError::VpcNotFound(new.vpc.clone()))?;
        if !vpc.cidr.contains(&cidr) {
            return Err(DomainError::CidrOutsideVpc.into());
        }
        let siblings = tx
            .subnets(&Scope {
                account: Some(vpc.account.clone()),
                region: Some(vpc.region.clone()),
            })
            .await?;
        if siblings
            .iter()
            .any(|s| s.vpc == vpc.id && (s.cidr.contains(&cidr) || cidr.contains(&s.cidr)))
        {
            return Err(DomainError::invalid("cidr", "overlaps another subnet of the VPC").into());
        }
        let subnet = Subnet {
            id: id.clone(),
            vpc: vpc.id.clone(),
            account: vpc.account.clone(),
            region: vpc.region.clone(),
            zone: new.zone.clone(),
            cidr,
            name: new.name.clone(),
            created_at: self.now_ms(),
        };
        tx.insert_subnet(&subnet)
            .await
            .map_err(duplicate_as_exists(&id))?;
        tx.commit().await?;
        Ok(subnet)
    }

    pub async fn subnets(&self, scope: &Scope) -> ServiceResult<Vec<Subnet>> {
        Ok(self.store.read().await?.subnets(scope).await?)
    }

    async fn require_subnet(&self, tx: &mut dyn Tx, id: &str) -> ServiceResult<Subnet> {
        let found = if validate::id_syntax(id) {
            tx.subnet(id).await?
        } else {
            None
        };
        found.ok_or_else(|| DomainError::SubnetNotFound(id.to_string()).into())
    }

    /// Picks the requested address (checked) or a free one.
    async fn take_address(
        &self,
        tx: &mut dyn Tx,
        subnet: &Subnet,
        requested: Option<&str>,
    ) -> ServiceResult<Ipv4Addr> {
        let used = tx.used_ips(&subnet.id).await?;
        let in_use = |a: Ipv4Addr| used.contains(&a);
        Ok(match requested {
            Some(text) => {
                let a = ip::parse_ipv4(text)?;
                ip::check_requested_ip(&subnet.cidr, a, in_use)?;
                a
            }
            None => ip::allocate_ip(&subnet.cidr, self.ids().alloc_start(), in_use)?,
        })
    }

    /// Creates an instance and its primary ENI in `subnet`.
    pub async fn create_instance(&self, new: &NewInstance) -> ServiceResult<Instance> {
        let id = new.id.clone().unwrap_or_else(|| self.ids().prefixed("i"));
        check_id(&id, "id")?;
        let eni_id = new
            .primary_eni
            .clone()
            .unwrap_or_else(|| self.ids().prefixed("eni"));
        check_id(&eni_id, "primary_eni")?;
        let status = match &new.status {
            None => InstanceStatus::Running,
            Some(s) => InstanceStatus::parse(s)
                .ok_or_else(|| DomainError::invalid("status", format!("unknown status {s:?}")))?,
        };
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            let subnet = self.require_subnet(&mut *tx, &new.subnet).await?;
            let address = self
                .take_address(&mut *tx, &subnet, new.ip.as_deref())
                .await?;
            let now = self.now_ms();
            let instance = Instance {
                id: id.clone(),
                account: subnet.account.clone(),
                region: subnet.region.clone(),
                subnet: subnet.id.clone(),
                status,
                primary_eni: eni_id.clone(),
                name: new.name.clone(),
                created_at: now,
            };
            tx.insert_instance(&instance)
                .await
                .map_err(duplicate_as_exists(&id))?;
            let eni = Eni {
                id: eni_id.clone(),
                account: subnet.account.clone(),
                region: subnet.region.clone(),
                subnet: subnet.id.clone(),
                ip: address,
                mac: ip::derived_mac(&eni_id),
                instance: Some(id.clone()),
                service_managed: false,
                created_at: now,
            };
            tx.insert_eni(&eni)
                .await
                .map_err(duplicate_as_exists(&eni_id))?;
            tx.commit().await?;
            Ok(instance.clone())
        })
        .await
    }

    pub async fn instances(&self, scope: &Scope) -> ServiceResult<Vec<Instance>> {
        Ok(self.store.read().await?.instances(scope).await?)
    }

    pub async fn instance(&self, id: &str) -> ServiceResult<Instance> {
        let found = if validate::id_syntax(id) {
            self.store.read().await?.instance(id).await?
        } else {
            None
        };
        found.ok_or_else(|| DomainError::InstanceNotFound(id.to_string()).into())
    }

    /// Sets an instance's status (start = Running, stop = Stopped, or any other status).
    pub async fn set_instance_status(
        &self,
        id: &str,
        status: InstanceStatus,
    ) -> ServiceResult<Instance> {
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            let mut instance = if validate::id_syntax(id) {
                tx.instance(id).await?
            } else {
                None
            }
            .ok_or_else(|| DomainError::InstanceNotFound(id.to_string()))?;
            instance.status = status;
            tx.update_instance(&instance).await?;
            tx.commit().await?;
            Ok(instance)
        })
        .await
    }

    pub async fn create_eni(&self, new: &NewEni) -> ServiceResult<Eni> {
        let id = new.id.clone().unwrap_or_else(|| self.ids().prefixed("eni"));
        check_id(&id, "id")?;
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            let subnet = self.require_subnet(&mut *tx, &new.subnet).await?;
            if let Some(i) = &new.instance {
                let instance = if validate::id_syntax(i) {
                    tx.instance(i).await?
                } else {
                    None
                }
                .ok_or_else(|| DomainError::InstanceNotFound(i.clone()))?;
                let instance_subnet = self.require_subnet(&mut *tx, &instance.subnet).await?;
                if instance_subnet.vpc != subnet.vpc {
                    return Err(
                        DomainError::invalid("instance", "the instance is in another VPC").into(),
                    );
                }
            }
            let address = self
                .take_address(&mut *tx, &subnet, new.ip.as_deref())
                .await?;
            let eni = Eni {
                id: id.clone(),
                account: subnet.account.clone(),
                region: subnet.region.clone(),
                subnet: subnet.id.clone(),
                ip: address,
                mac: new.mac.clone().unwrap_or_else(|| ip::derived_mac(&id)),
                instance: new.instance.clone(),
                service_managed: new.service_managed,
                created_at: self.now_ms(),
            };
            tx.insert_eni(&eni)
                .await
                .map_err(duplicate_as_exists(&id))?;
            tx.commit().await?;
            Ok(eni.clone())
        })
        .await
    }

    pub async fn enis(&self, scope: &Scope) -> ServiceResult<Vec<Eni>> {
        Ok(self.store.read().await?.enis(scope).await?)
    }

    pub async fn eni(&self, id: &str) -> ServiceResult<Eni> {
        let found = if validate::id_syntax(id) {
            self.store.read().await?.eni(id).await?
        } else {
            None
        };
        found.ok_or_else(|| DomainError::EniNotFound(id.to_string()).into())
    }

    async fn require_eni(&self, tx: &mut dyn Tx, id: &str) -> ServiceResult<Eni> {
        let found = if validate::id_syntax(id) {
            tx.eni(id).await?
        } else {
            None
        };
        found.ok_or_else(|| DomainError::EniNotFound(id.to_string()).into())
    }

    pub async fn attach_eni(&self, eni_id: &str, instance_id: &str) -> ServiceResult<Eni> {
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            let eni = self.require_eni(&mut *tx, eni_id).await?;
            let instance = if validate::id_syntax(instance_id) {
                tx.instance(instance_id).await?
            } else {
                None
            }
            .ok_or_else(|| DomainError::InstanceNotFound(instance_id.to_string()))?;
            let eni_vpc = self.require_subnet(&mut *tx, &eni.subnet).await?.vpc;
            let instance_vpc = self.require_subnet(&mut *tx, &instance.subnet).await?.vpc;
            let next = ops::attach_eni(&eni, &instance, &eni_vpc, &instance_vpc)?;
            tx.update_eni(&next).await?;
            tx.commit().await?;
            Ok(next)
        })
        .await
    }

    pub async fn detach_eni(&self, eni_id: &str) -> ServiceResult<Eni> {
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            let eni = self.require_eni(&mut *tx, eni_id).await?;
            let instance = match &eni.instance {
                Some(i) => tx.instance(i).await?,
                None => None,
            };
            let carried = tx.havips_of_member(&eni.id).await?.len();
            let next = ops::detach_eni(
                &eni,
                instance.as_ref(),
                u32::try_from(carried).unwrap_or(u32::MAX),
            )?;
            tx.update_eni(&next).await?;
            tx.commit().await?;
            Ok(next)
        })
        .await
    }
}
