//! HaVip operations: create, describe, modify, delete, associate, disassociate, failover
//! and tags. Each runs in one write transaction: region, ClientToken, facts, rule, write.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use havip_core::ops::{self, AssociateFacts, CreateFacts, CreateHaVip, DisassociateFacts, Timing};
use havip_core::{
    validate, DomainError, HaVip, Limits, MemberKind, Subnet, Target, TargetResource,
};
use havip_store::{HaVipPage, HaVipQuery, Tx};
use serde::{Deserialize, Serialize};

use crate::idempotency::{self, Token};
use crate::{retry_conflicts, Caller, Service, ServiceResult};

/// What a create answers: the new HaVip's id and address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HaVipRef {
    pub id: String,
    pub ip: Ipv4Addr,
}

/// A ListTagResources-style query: resources by id and/or tags (a key with any of its
/// values; no value: any value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagQuery {
    pub ids: Vec<String>,
    pub tags: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaggedResource {
    pub resource_id: String,
    pub key: String,
    pub value: String,
}

impl Service {
    pub(crate) fn limits_for(&self, caller: &Caller) -> Limits {
        caller.profile.limits
    }

    pub(crate) fn timing(&self) -> Timing {
        Timing {
            now: self.now_ms(),
            delay_ms: i64::try_from(self.config.transition_delay.as_millis()).unwrap_or(i64::MAX),
            change_id: self.ids().change_id(),
            awaits_fabric: self.config.dataplane,
        }
    }

    fn token_expiry(&self) -> i64 {
        let ttl = i64::try_from(self.config.idempotency_ttl.as_millis()).unwrap_or(i64::MAX);
        self.now_ms().saturating_add(ttl)
    }

    /// Opens the write transaction of a request that may carry a ClientToken: the region
    /// is checked, then the token (whose first answer is replayed if it has one). A token
    /// already answered is replayed from a read transaction, without the writer lock; a
    /// token not seen yet is checked again inside the write transaction, so that two
    /// requests racing with one token still act once.
    async fn begin_request(
        &self,
        caller: &Caller,
        token: Option<&Token<'_>>,
    ) -> ServiceResult<Begun> {
        let limits = self.limits_for(caller);
        if token.is_some() {
            let mut read = self.store.read().await?;
            self.check_region(&mut *read, caller).await?;
            if let Some(first) =
                idempotency::check(&mut *read, caller, token, &limits, self.now_ms()).await?
            {
                return Ok(Begun::Replay(first));
            }
        }
        let mut tx = self.write_in_region(caller).await?;
        match idempotency::check(&mut *tx, caller, token, &limits, self.now_ms()).await? {
            Some(first) => {
                // The first answer may come from a transaction whose commit has not
                // returned yet (it shares one commit with this one on the embedded
                // store): committing this one, which wrote nothing, waits for it, so the
                // replay never answers for a change that is not durable.
                tx.commit().await?;
                Ok(Begun::Replay(first))
            }
            None => Ok(Begun::Fresh(tx)),
        }
    }

    /// Stores the request's answer under its ClientToken and commits, in one transaction.
    async fn commit_request(
        &self,
        mut tx: Box<dyn Tx>,
        caller: &Caller,
        token: Option<&Token<'_>>,
        havip: &HaVip,
        answer: serde_json::Value,
    ) -> ServiceResult<()> {
        let change = havip.pending.as_ref().map(|p| p.id.as_str());
        idempotency::remember(
            &mut *tx,
            caller,
            token,
            Some(&havip.id),
            change,
            answer,
            self.token_expiry(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a write transaction for the caller, whose region must exist.
    pub(crate) async fn write_in_region(&self, caller: &Caller) -> ServiceResult<Box<dyn Tx>> {
        let mut tx = self.store.write().await?;
        self.check_region(&mut *tx, caller).await?;
        Ok(tx)
    }

    pub(crate) async fn check_region(&self, tx: &mut dyn Tx, caller: &Caller) -> ServiceResult<()> {
        if let Some(region) = &caller.region {
            if !tx.region_exists(region).await? {
                return Err(DomainError::RegionNotFound(region.clone()).into());
            }
        }
        Ok(())
    }

    pub(crate) async fn scoped_havip(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        id: &str,
    ) -> ServiceResult<Option<HaVip>> {
        if !validate::id_syntax(id) {
            return Ok(None);
        }
        Ok(tx
            .havip(id)
            .await?
            .filter(|h| caller.sees(&h.account, &h.region)))
    }

    pub(crate) async fn scoped_target(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        target: &Target,
    ) -> ServiceResult<Option<TargetResource>> {
        if !validate::id_syntax(&target.id) {
            return Ok(None);
        }
        Ok(match target.kind {
            MemberKind::EcsInstance => tx
                .instance(&target.id)
                .await?
                .filter(|i| caller.sees(&i.account, &i.region))
                .map(TargetResource::Instance),
            MemberKind::NetworkInterface => match self.scoped_eni(tx, caller, &target.id).await? {
                None => None,
                Some(eni) => {
                    let instance = match &eni.instance {
                        Some(i) => tx.instance(i).await?,
                        None => None,
                    };
                    Some(TargetResource::Eni { eni, instance })
                }
            },
        })
    }

    /// Creates a HaVip in the caller's account and region.
    pub async fn create_havip(
        &self,
        caller: &Caller,
        req: &CreateHaVip,
        client_token: Option<&str>,
    ) -> ServiceResult<HaVipRef> {
        ops::check_create_shape(&caller.profile, req)?;
        let token = Token::new("CreateHaVip", client_token, req);
        retry_conflicts(|| self.try_create_havip(caller, req, token.as_ref())).await
    }

    async fn try_create_havip(
        &self,
        caller: &Caller,
        req: &CreateHaVip,
        token: Option<&Token<'_>>,
    ) -> ServiceResult<HaVipRef> {
        let mut tx = match self.begin_request(caller, token).await? {
            Begun::Replay(first) => return decode_ref(first),
            Begun::Fresh(tx) => tx,
        };
        let subnet = self.scoped_subnet(&mut *tx, caller, &req.subnet).await?;
        let havip = self
            .build_havip(
                &mut *tx,
                caller,
                req,
                subnet.as_ref(),
                self.ids().shaped(&caller.profile.havip_ids),
                &self.timing(),
            )
            .await?;
        tx.insert_havip(&havip).await?;
        let answer = HaVipRef {
            id: havip.id.clone(),
            ip: havip.ip,
        };
        let value = serde_json::to_value(&answer).unwrap_or_default();
        self.commit_request(tx, caller, token, &havip, value)
            .await?;
        Ok(answer)
    }

    /// One HaVip of the caller's.
    pub async fn get_havip(&self, caller: &Caller, id: &str) -> ServiceResult<HaVip> {
        let mut tx = self.store.read().await?;
        self.scoped_havip(&mut *tx, caller, id)
            .await?
            .ok_or_else(|| DomainError::HaVipNotFound(id.to_string()).into())
    }

    /// The caller's HaVips that match `q` (its account and region are the caller's).
    pub async fn describe_havips(
        &self,
        caller: &Caller,
        q: &HaVipQuery,
    ) -> ServiceResult<HaVipPage> {
        let mut q = q.clone();
        q.account = caller.account.clone();
        q.region = caller.region.clone();
        let mut tx = self.store.read().await?;
        self.check_region(&mut *tx, caller).await?;
        Ok(tx.havips(&q).await?)
    }

    pub async fn modify_havip(
        &self,
        caller: &Caller,
        id: &str,
        name: Option<&str>,
        description: Option<&str>,
    ) -> ServiceResult<HaVip> {
        retry_conflicts(|| async {
            let mut tx = self.write_in_region(caller).await?;
            let old = self.scoped_havip(&mut *tx, caller, id).await?;
            let new = ops::modify(
                &caller.profile,
                id,
                old.as_ref(),
                name,
                description,
                self.now_ms(),
            )?;
            if let Some(old) = &old {
                crate::events::update_havip(&mut *tx, old, &new).await?;
            }
            tx.commit().await?;
            Ok(new)
        })
        .await
    }

    pub async fn delete_havip(
        &self,
        caller: &Caller,
        id: &str,
        client_token: Option<&str>,
    ) -> ServiceResult<()> {
        let token = Token::new("DeleteHaVip", client_token, &id);
        retry_conflicts(|| async {
            let mut tx = match self.begin_request(caller, token.as_ref()).await? {
                Begun::Replay(_) => return Ok(()),
                Begun::Fresh(tx) => tx,
            };
            let old = self.scoped_havip(&mut *tx, caller, id).await?;
            let next = ops::delete(id, old.as_ref(), &self.timing())?;
            let Some(old) = old else {
                return Err(DomainError::HaVipNotFound(id.to_string()).into());
            };
            match &next {
                Some(n) => crate::events::update_havip(&mut *tx, &old, n).await?,
                None => tx.delete_havip(&old).await?,
            }
            let after = next.unwrap_or(old);
            self.commit_request(tx, caller, token.as_ref(), &after, serde_json::Value::Null)
                .await
        })
        .await
    }

    /// Associates an instance or ENI with a HaVip.
    pub async fn associate(
        &self,
        caller: &Caller,
        havip_id: &str,
        target: &Target,
        client_token: Option<&str>,
    ) -> ServiceResult<HaVip> {
        let token = Token::new("AssociateHaVip", client_token, &(havip_id, target));
        retry_conflicts(|| self.try_associate(caller, havip_id, target, token.as_ref())).await
    }

    async fn try_associate(
        &self,
        caller: &Caller,
        havip_id: &str,
        target: &Target,
        token: Option<&Token<'_>>,
    ) -> ServiceResult<HaVip> {
        let limits = self.limits_for(caller);
        let mut tx = match self.begin_request(caller, token).await? {
            Begun::Replay(_) => return self.get_havip(caller, havip_id).await,
            Begun::Fresh(tx) => tx,
        };
        let havip = self.scoped_havip(&mut *tx, caller, havip_id).await?;
        let resource = self.scoped_target(&mut *tx, caller, target).await?;
        let facts = AssociateFacts {
            havip: havip.as_ref(),
            target: resource.as_ref(),
            target_instance_havips: havips_carried(&mut *tx, resource.as_ref()).await?,
        };
        let next = ops::associate(havip_id, target, facts, &limits, &self.timing())?;
        self.finish_change(tx, caller, token, havip.as_ref(), &next)
            .await?;
        Ok(next)
    }

    /// Disassociates an instance or ENI from a HaVip.
    pub async fn disassociate(
        &self,
        caller: &Caller,
        havip_id: &str,
        target: &Target,
        force: bool,
        client_token: Option<&str>,
    ) -> ServiceResult<HaVip> {
        let token = Token::new("UnassociateHaVip", client_token, &(havip_id, target, force));
        retry_conflicts(|| async {
            let limits = self.limits_for(caller);
            let mut tx = match self.begin_request(caller, token.as_ref()).await? {
                Begun::Replay(_) => return self.get_havip(caller, havip_id).await,
                Begun::Fresh(tx) => tx,
            };
            let havip = self.scoped_havip(&mut *tx, caller, havip_id).await?;
            let resource = self.scoped_target(&mut *tx, caller, target).await?;
            let facts = DisassociateFacts {
                havip: havip.as_ref(),
                target: resource.as_ref(),
            };
            let next = ops::disassociate(havip_id, target, force, facts, &limits, &self.timing())?;
            self.finish_change(tx, caller, token.as_ref(), havip.as_ref(), &next)
                .await?;
            Ok(next)
        })
        .await
    }

    async fn finish_change(
        &self,
        mut tx: Box<dyn Tx>,
        caller: &Caller,
        token: Option<&Token<'_>>,
        old: Option<&HaVip>,
        next: &HaVip,
    ) -> ServiceResult<()> {
        let Some(old) = old else {
            return Err(DomainError::HaVipNotFound(next.id.clone()).into());
        };
        crate::events::update_havip(&mut *tx, old, next).await?;
        self.commit_request(tx, caller, token, next, serde_json::Value::Null)
            .await
    }

    /// A simulated failover: the master moves to `to` (or to the next associated member).
    pub async fn failover(
        &self,
        caller: &Caller,
        havip_id: &str,
        to: Option<&str>,
    ) -> ServiceResult<HaVip> {
        retry_conflicts(|| async {
            let mut tx = self.store.write().await?;
            let old = self.scoped_havip(&mut *tx, caller, havip_id).await?;
            if old.is_some() && self.config.dataplane {
                // The master is whoever announces the VIP (ArpClaims), not a call.
                return Err(DomainError::MasterFollowsArp.into());
            }
            let next = ops::failover(havip_id, old.as_ref(), to, self.now_ms())?;
            if let Some(old) = &old {
                crate::events::update_havip(&mut *tx, old, &next).await?;
            }
            tx.commit().await?;
            Ok(next)
        })
        .await
    }

    /// Adds tags to HaVips (all or none: the first unknown HaVip or broken rule stops it).
    pub async fn tag_havips(
        &self,
        caller: &Caller,
        ids: &[String],
        tags: &[(String, String)],
    ) -> ServiceResult<()> {
        let tags = validate::tag_list(&caller.profile, tags)?;
        self.change_each(caller, ids, |old, now| ops::tag(old, &tags, now))
            .await
    }

    pub async fn untag_havips(
        &self,
        caller: &Caller,
        ids: &[String],
        keys: &[String],
        all: bool,
    ) -> ServiceResult<()> {
        self.change_each(caller, ids, |old, now| Ok(ops::untag(old, keys, all, now)))
            .await
    }

    /// Moves one of the caller's HaVips to the resource group `group`.
    pub async fn move_havip_to_resource_group(
        &self,
        caller: &Caller,
        id: &str,
        group: &str,
    ) -> ServiceResult<()> {
        let ids = [id.to_string()];
        self.change_each(caller, &ids, |old, now| {
            Ok(ops::move_to_resource_group(old, group, now))
        })
        .await
    }

    /// Applies `change` to each of the caller's HaVips `ids`, all in one transaction (the
    /// first unknown HaVip or broken rule leaves every one as it was).
    async fn change_each(
        &self,
        caller: &Caller,
        ids: &[String],
        change: impl Fn(&HaVip, i64) -> Result<HaVip, DomainError>,
    ) -> ServiceResult<()> {
        retry_conflicts(|| async {
            let mut tx = self.write_in_region(caller).await?;
            let now = self.now_ms();
            for id in ids {
                let old = self
                    .scoped_havip(&mut *tx, caller, id)
                    .await?
                    .ok_or_else(|| DomainError::HaVipNotFound(id.clone()))?;
                let next = change(&old, now)?;
                crate::events::update_havip(&mut *tx, &old, &next).await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Tags of the caller's HaVips, by ids and/or by tag (key with an optional value);
    /// one row per (HaVip, tag), HaVips in creation order.
    pub async fn list_tags(
        &self,
        caller: &Caller,
        q: &TagQuery,
    ) -> ServiceResult<Vec<TaggedResource>> {
        let query = HaVipQuery {
            account: caller.account.clone(),
            region: caller.region.clone(),
            ids: q.ids.clone(),
            tags: q.tags.clone(),
            page: havip_store::Paging::Offset {
                offset: 0,
                limit: 10_000,
            },
            ..Default::default()
        };
        let mut tx = self.store.read().await?;
        self.check_region(&mut *tx, caller).await?;
        let page = tx.havips(&query).await?;
        let wanted: BTreeSet<&str> = q.tags.iter().map(|(k, _)| k.as_str()).collect();
        let mut out = Vec::new();
        for (_, h) in page.items {
            for (k, v) in &h.tags {
                let keep = wanted.is_empty() || wanted.contains(k.as_str()) || !q.ids.is_empty();
                if keep {
                    out.push(TaggedResource {
                        resource_id: h.id.clone(),
                        key: k.clone(),
                        value: v.clone(),
                    });
                }
            }
        }
        Ok(out)
    }
}

impl Service {
    /// A new HaVip with id `id` by the rules of `ops::create`, with the caller's limits: the
    /// subnet's used addresses and the count of HaVips of the subnet's account and region (the
    /// quota) are read first, in the transaction that will insert it (none without a subnet).
    pub(crate) async fn build_havip(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        req: &CreateHaVip,
        subnet: Option<&Subnet>,
        id: String,
        timing: &Timing,
    ) -> ServiceResult<HaVip> {
        // The count first: on PostgreSQL it waits for the creates of the same account and
        // region in flight, so the addresses read next already include theirs.
        let (havips_in_region, used) = match subnet {
            Some(s) => (
                tx.havips_in_region(&s.account, &s.region).await?,
                tx.used_ips(&s.id).await?,
            ),
            None => (0, Vec::new()),
        };
        let facts = CreateFacts {
            subnet,
            havips_in_region,
        };
        Ok(ops::create(
            &caller.profile,
            req,
            facts,
            |ip| used.contains(&ip),
            self.ids().alloc_start(),
            id,
            timing,
        )?)
    }
}

/// How many HaVips the instance of an associate's target carries already (0 when the
/// target has no instance).
pub(crate) async fn havips_carried(
    tx: &mut dyn Tx,
    resource: Option<&TargetResource>,
) -> ServiceResult<u32> {
    let carried = match resource.and_then(|r| r.instance_id()) {
        Some(i) => tx.havips_of_instance(i).await?.len(),
        None => 0,
    };
    Ok(u32::try_from(carried).unwrap_or(u32::MAX))
}

/// How a request's transaction starts: with the first answer to replay, or fresh.
enum Begun {
    Replay(serde_json::Value),
    Fresh(Box<dyn Tx>),
}

fn decode_ref(v: serde_json::Value) -> ServiceResult<HaVipRef> {
    serde_json::from_value(v)
        .map_err(|e| havip_store::StoreError::Corrupt(format!("idempotency answer: {e}")).into())
}
