//! Copying everything from one store to another (`havip migrate`: the embedded store into
//! PostgreSQL). It reads one consistent snapshot and writes it in one transaction, so the
//! target gets all of it or nothing. ClientToken records and signature nonces are not
//! copied: they expire within a day and a quarter of an hour.

use crate::{HaVipQuery, Paging, Scope, Store, StoreError, StoreResult};

/// What was copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub accounts: usize,
    pub access_keys: usize,
    pub vpcs: usize,
    pub subnets: usize,
    pub instances: usize,
    pub enis: usize,
    pub havips: usize,
}

/// Copies every resource of `from` into `to`, which must hold no account yet.
pub async fn copy_all(from: &dyn Store, to: &dyn Store) -> StoreResult<CopyReport> {
    let mut src = from.read().await?;
    let mut dst = to.write().await?;
    if !dst.accounts().await?.is_empty() {
        return Err(StoreError::Duplicate(
            "the target store already holds accounts; migrate into an empty database".into(),
        ));
    }
    let all = Scope::default();
    let mut report = CopyReport::default();
    for region in src.regions().await? {
        dst.insert_region(&region).await?;
    }
    for a in src.accounts().await? {
        dst.insert_account(&a).await?;
        report.accounts += 1;
    }
    for k in src.access_keys(None).await? {
        dst.insert_access_key(&k).await?;
        report.access_keys += 1;
    }
    for p in src.huawei_projects(None).await? {
        dst.insert_huawei_project(&p).await?;
    }
    for v in src.vpcs(&all).await? {
        dst.insert_vpc(&v).await?;
        report.vpcs += 1;
    }
    for s in src.subnets(&all).await? {
        dst.insert_subnet(&s).await?;
        report.subnets += 1;
    }
    for i in src.instances(&all).await? {
        dst.insert_instance(&i).await?;
        report.instances += 1;
    }
    for e in src.enis(&all).await? {
        if let Some(attrs) = src.port_attrs(&e.id).await? {
            dst.put_port_attrs(&e.id, &attrs).await?;
        }
        dst.insert_eni(&e).await?;
        report.enis += 1;
    }
    let mut after = 0;
    loop {
        let page = src
            .havips(&HaVipQuery {
                page: Paging::After { after, limit: 500 },
                ..Default::default()
            })
            .await?;
        let Some((last, _)) = page.items.last() else {
            break;
        };
        after = *last;
        for (_, h) in &page.items {
            if let Some(attrs) = src.port_attrs(&h.id).await? {
                dst.put_port_attrs(&h.id, &attrs).await?;
            }
            dst.insert_havip(h).await?;
            report.havips += 1;
        }
    }
    dst.commit().await?;
    Ok(report)
}
