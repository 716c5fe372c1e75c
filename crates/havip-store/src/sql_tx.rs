//! The transaction code shared by the SQL stores. SQLite and PostgreSQL run the same
//! statements (`$N` placeholders, `ON CONFLICT`, `LIMIT/OFFSET` work in both); the
//! macro instantiates them for each backend's transaction type, which supplies
//! `map_err`, `self.tx` (derefs to the connection), `commit_tx()`, `lock_suffix()` (row
//! locks in write transactions), `lock_token()` (serialising requests that carry the
//! same ClientToken) and `lock_quota()` (serialising the quota decisions of one account
//! and region).

macro_rules! impl_sql_tx {
    ($tx:ident, $db:ty, $row:ty) => {
fn vpc_row(r: &$row) -> StoreResult<Vpc> {
    Ok(Vpc {
        id: r.try_get("id").map_err(map_err)?,
        account: r.try_get("account_id").map_err(map_err)?,
        region: r.try_get("region").map_err(map_err)?,
        cidr: cidr(r.try_get("cidr").map_err(map_err)?)?,
        name: r.try_get("name").map_err(map_err)?,
        created_at: r.try_get("created_at").map_err(map_err)?,
    })
}

fn subnet_row(r: &$row) -> StoreResult<Subnet> {
    Ok(Subnet {
        id: r.try_get("id").map_err(map_err)?,
        vpc: r.try_get("vpc_id").map_err(map_err)?,
        account: r.try_get("account_id").map_err(map_err)?,
        region: r.try_get("region").map_err(map_err)?,
        zone: r.try_get("zone").map_err(map_err)?,
        cidr: cidr(r.try_get("cidr").map_err(map_err)?)?,
        name: r.try_get("name").map_err(map_err)?,
        created_at: r.try_get("created_at").map_err(map_err)?,
    })
}

fn instance_row(r: &$row) -> StoreResult<Instance> {
    Ok(Instance {
        id: r.try_get("id").map_err(map_err)?,
        account: r.try_get("account_id").map_err(map_err)?,
        region: r.try_get("region").map_err(map_err)?,
        subnet: r.try_get("subnet_id").map_err(map_err)?,
        status: instance_status(r.try_get("status").map_err(map_err)?)?,
        primary_eni: r.try_get("primary_eni_id").map_err(map_err)?,
        name: r.try_get("name").map_err(map_err)?,
        created_at: r.try_get("created_at").map_err(map_err)?,
    })
}

fn eni_row(r: &$row) -> StoreResult<Eni> {
    Ok(Eni {
        id: r.try_get("id").map_err(map_err)?,
        account: r.try_get("account_id").map_err(map_err)?,
        region: r.try_get("region").map_err(map_err)?,
        subnet: r.try_get("subnet_id").map_err(map_err)?,
        ip: ip(r.try_get("ip").map_err(map_err)?)?,
        mac: r.try_get("mac").map_err(map_err)?,
        instance: r.try_get("instance_id").map_err(map_err)?,
        service_managed: r.try_get::<i64, _>("service_managed").map_err(map_err)? != 0,
        created_at: r.try_get("created_at").map_err(map_err)?,
    })
}

fn havip_row(r: &$row) -> StoreResult<HaVip> {
    sql::havip_from_body(r.try_get("body").map_err(map_err)?)
}

fn scope_clause<'a>(qb: &mut QueryBuilder<'a, $db>, scope: &'a Scope) {
    qb.push(" WHERE 1=1");
    if let Some(a) = &scope.account {
        qb.push(" AND account_id = ").push_bind(a.as_str());
    }
    if let Some(r) = &scope.region {
        qb.push(" AND region = ").push_bind(r.as_str());
    }
}

fn push_in<'a>(qb: &mut QueryBuilder<'a, $db>, column: &str, values: &'a [String]) {
    if values.is_empty() {
        return;
    }
    qb.push(" AND ").push(column).push(" IN (");
    let mut list = qb.separated(", ");
    for v in values {
        list.push_bind(v.as_str());
    }
    qb.push(")");
}

/// `HaVip::settled_status` over the indexed columns. Only one change is in flight on a
/// HaVip, so an Associating HaVip carried a member before iff it has more than the one
/// being associated. The service tests check that this agrees with the core on every store.
const SETTLED_STATUS: &str = "(CASE status \
    WHEN 'Associating' THEN (CASE WHEN (SELECT COUNT(*) FROM havip_members sm \
        WHERE sm.havip_id = havips.id) > 1 THEN 'InUse' ELSE 'Available' END) \
    WHEN 'Unassociating' THEN 'InUse' \
    ELSE status END)";

fn havip_filter<'a>(qb: &mut QueryBuilder<'a, $db>, q: &'a HaVipQuery) {
    qb.push(" WHERE 1=1");
    if let Some(a) = &q.account {
        qb.push(" AND account_id = ").push_bind(a.as_str());
    }
    if let Some(r) = &q.region {
        qb.push(" AND region = ").push_bind(r.as_str());
    }
    push_in(qb, "id", &q.ids);
    push_in(qb, "vpc_id", &q.vpcs);
    push_in(qb, "subnet_id", &q.subnets);
    push_in(qb, "status", &q.statuses);
    push_in(qb, SETTLED_STATUS, &q.settled_statuses);
    push_in(qb, "ip", &q.ips);
    push_in(qb, "name", &q.names);
    for (key, values) in &q.tags {
        qb.push(
            " AND EXISTS (SELECT 1 FROM havip_tags t WHERE t.havip_id = havips.id AND t.key = ",
        )
        .push_bind(key.as_str());
        push_in(qb, "t.value", values);
        qb.push(")");
    }
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl $tx {
    /// The revision of this transaction's changes: its first change to the fabric's
    /// desired state takes the next one. The counter's row stays locked until the
    /// transaction ends, so revisions are given in commit order.
    async fn take_revision(&mut self) -> StoreResult<i64> {
        if let Some(r) = self.revision {
            return Ok(r);
        }
        let row =
            sqlx::query("UPDATE fabric SET revision = revision + 1 WHERE id = 1 RETURNING revision")
                .fetch_one(&mut *self.tx)
                .await
                .map_err(map_err)?;
        let r: i64 = row.try_get("revision").map_err(map_err)?;
        self.revision = Some(r);
        Ok(r)
    }

    async fn one<T>(
        &mut self,
        sql: &str,
        id: &str,
        decode: fn(&$row) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(map_err)?;
        row.as_ref().map(decode).transpose()
    }

    async fn many<T>(
        &mut self,
        mut qb: QueryBuilder<'_, $db>,
        decode: fn(&$row) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let rows = qb.build().fetch_all(&mut *self.tx).await.map_err(map_err)?;
        rows.iter().map(decode).collect()
    }

    async fn exec<'q>(
        &mut self,
        q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
    ) -> StoreResult<u64> {
        let done = q.execute(&mut *self.tx).await.map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn claim_ip(&mut self, subnet: &str, address: Ipv4Addr, owner: &str) -> StoreResult<()> {
        let text = address.to_string();
        let q = sqlx::query("INSERT INTO subnet_ips (subnet_id, ip, owner_id) VALUES ($1, $2, $3)")
            .bind(subnet)
            .bind(text)
            .bind(owner);
        self.exec(q).await.map(|_| ())
    }

    async fn write_havip_indexes(&mut self, old: Option<&HaVip>, new: &HaVip) -> StoreResult<()> {
        let members_changed = old.is_none_or(|o| {
            o.members.len() != new.members.len()
                || o.members
                    .iter()
                    .zip(&new.members)
                    .any(|(a, b)| a.id != b.id)
        });
        if members_changed {
            if old.is_some() {
                let q = sqlx::query("DELETE FROM havip_members WHERE havip_id = $1")
                    .bind(new.id.as_str());
                self.exec(q).await?;
            }
            for m in &new.members {
                let q = sqlx::query(
                    "INSERT INTO havip_members (havip_id, member_id, instance_id) VALUES ($1, $2, $3)",
                )
                .bind(new.id.as_str())
                .bind(m.id.as_str())
                .bind(m.instance.as_str());
                self.exec(q).await?;
            }
        }
        if old.is_none_or(|o| o.tags != new.tags) {
            if old.is_some() {
                let q =
                    sqlx::query("DELETE FROM havip_tags WHERE havip_id = $1").bind(new.id.as_str());
                self.exec(q).await?;
            }
            for (k, v) in &new.tags {
                let q = sqlx::query(
                    "INSERT INTO havip_tags (havip_id, key, value) VALUES ($1, $2, $3)",
                )
                .bind(new.id.as_str())
                .bind(k.as_str())
                .bind(v.as_str());
                self.exec(q).await?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Tx for $tx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.commit_tx().await
    }

    async fn account(&mut self, id: &str) -> StoreResult<Option<Account>> {
        self.one("SELECT * FROM accounts WHERE id = $1", id, |r| {
            Ok(Account {
                id: r.try_get("id").map_err(map_err)?,
                name: r.try_get("name").map_err(map_err)?,
                created_at: r.try_get("created_at").map_err(map_err)?,
            })
        })
        .await
    }

    async fn accounts(&mut self) -> StoreResult<Vec<Account>> {
        let qb = QueryBuilder::new("SELECT * FROM accounts ORDER BY id");
        self.many(qb, |r| {
            Ok(Account {
                id: r.try_get("id").map_err(map_err)?,
                name: r.try_get("name").map_err(map_err)?,
                created_at: r.try_get("created_at").map_err(map_err)?,
            })
        })
        .await
    }

    async fn insert_account(&mut self, a: &Account) -> StoreResult<()> {
        let q = sqlx::query("INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(a.id.as_str())
            .bind(a.name.as_str())
            .bind(a.created_at);
        self.exec(q).await.map(|_| ())
    }

    async fn access_key(&mut self, id: &str) -> StoreResult<Option<AccessKey>> {
        self.one(
            "SELECT * FROM access_keys WHERE id = $1",
            id,
            access_key_row,
        )
        .await
    }

    async fn access_keys(&mut self, account: Option<&str>) -> StoreResult<Vec<AccessKey>> {
        let mut qb = QueryBuilder::new("SELECT * FROM access_keys WHERE 1=1");
        if let Some(a) = account {
            qb.push(" AND account_id = ").push_bind(a.to_string());
        }
        qb.push(" ORDER BY id");
        self.many(qb, access_key_row).await
    }

    async fn insert_access_key(&mut self, k: &AccessKey) -> StoreResult<()> {
        let q = sqlx::query(
            "INSERT INTO access_keys (id, account_id, secret, enabled, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(k.id.as_str())
        .bind(k.account.as_str())
        .bind(k.secret.as_str())
        .bind(i64::from(k.enabled))
        .bind(k.created_at);
        self.exec(q).await.map(|_| ())
    }

    async fn delete_access_key(&mut self, id: &str) -> StoreResult<bool> {
        let q = sqlx::query("DELETE FROM access_keys WHERE id = $1").bind(id);
        Ok(self.exec(q).await? > 0)
    }

    async fn huawei_project(&mut self, id: &str) -> StoreResult<Option<HuaweiProject>> {
        self.one(
            "SELECT * FROM huawei_projects WHERE id = $1",
            id,
            project_row,
        )
        .await
    }

    async fn huawei_projects(&mut self, account: Option<&str>) -> StoreResult<Vec<HuaweiProject>> {
        let mut qb = QueryBuilder::new("SELECT * FROM huawei_projects WHERE 1=1");
        if let Some(a) = account {
            qb.push(" AND account_id = ").push_bind(a.to_string());
        }
        qb.push(" ORDER BY id");
        self.many(qb, project_row).await
    }

    async fn insert_huawei_project(&mut self, p: &HuaweiProject) -> StoreResult<()> {
        let q =
            sqlx::query("INSERT INTO huawei_projects (id, account_id, region) VALUES ($1, $2, $3)")
                .bind(p.id.as_str())
                .bind(p.account.as_str())
                .bind(p.region.as_str());
        self.exec(q).await.map(|_| ())
    }

    async fn region_exists(&mut self, region: &str) -> StoreResult<bool> {
        Ok(self
            .one("SELECT id FROM regions WHERE id = $1", region, |_| Ok(()))
            .await?
            .is_some())
    }

    async fn regions(&mut self) -> StoreResult<Vec<String>> {
        let qb = QueryBuilder::new("SELECT id FROM regions ORDER BY id");
        self.many(qb, |r| r.try_get("id").map_err(map_err)).await
    }

    async fn insert_region(&mut self, region: &str) -> StoreResult<()> {
        let q = sqlx::query("INSERT INTO regions (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
            .bind(region);
        self.exec(q).await.map(|_| ())
    }

    async fn vpc(&mut self, id: &str) -> StoreResult<Option<Vpc>> {
        self.one("SELECT * FROM vpcs WHERE id = $1", id, vpc_row)
            .await
    }

    async fn vpcs(&mut self, scope: &Scope) -> StoreResult<Vec<Vpc>> {
        let mut qb = QueryBuilder::new("SELECT * FROM vpcs");
        scope_clause(&mut qb, scope);
        qb.push(" ORDER BY created_at, id");
        self.many(qb, vpc_row).await
    }

    async fn insert_vpc(&mut self, v: &Vpc) -> StoreResult<()> {
        let q = sqlx::query(
            "INSERT INTO vpcs (id, account_id, region, cidr, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(v.id.as_str())
        .bind(v.account.as_str())
        .bind(v.region.as_str())
        .bind(v.cidr.to_string())
        .bind(v.name.as_str())
        .bind(v.created_at);
        self.exec(q).await.map(|_| ())
    }

    async fn subnet(&mut self, id: &str) -> StoreResult<Option<Subnet>> {
        self.one("SELECT * FROM subnets WHERE id = $1", id, subnet_row)
            .await
    }

    async fn subnets(&mut self, scope: &Scope) -> StoreResult<Vec<Subnet>> {
        let mut qb = QueryBuilder::new("SELECT * FROM subnets");
        scope_clause(&mut qb, scope);
        qb.push(" ORDER BY created_at, id");
        self.many(qb, subnet_row).await
    }

    async fn insert_subnet(&mut self, s: &Subnet) -> StoreResult<()> {
        self.take_revision().await?;
        let q = sqlx::query(
            "INSERT INTO subnets (id, vpc_id, account_id, region, zone, cidr, name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.id.as_str())
        .bind(s.vpc.as_str())
        .bind(s.account.as_str())
        .bind(s.region.as_str())
        .bind(s.zone.as_str())
        .bind(s.cidr.to_string())
        .bind(s.name.as_str())
        .bind(s.created_at);
        self.exec(q).await.map(|_| ())
    }

    async fn instance(&mut self, id: &str) -> StoreResult<Option<Instance>> {
        let sql = format!("SELECT * FROM instances WHERE id = $1{}", self.lock_suffix());
        self.one(&sql, id, instance_row).await
    }

    async fn instances(&mut self, scope: &Scope) -> StoreResult<Vec<Instance>> {
        let mut qb = QueryBuilder::new("SELECT * FROM instances");
        scope_clause(&mut qb, scope);
        qb.push(" ORDER BY created_at, id");
        self.many(qb, instance_row).await
    }

    async fn insert_instance(&mut self, i: &Instance) -> StoreResult<()> {
        self.take_revision().await?;
        let q = sqlx::query(
            "INSERT INTO instances (id, account_id, region, subnet_id, status, primary_eni_id, name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(i.id.as_str())
        .bind(i.account.as_str())
        .bind(i.region.as_str())
        .bind(i.subnet.as_str())
        .bind(i.status.as_str())
        .bind(i.primary_eni.as_str())
        .bind(i.name.as_str())
        .bind(i.created_at);
        self.exec(q).await.map(|_| ())
    }

    async fn update_instance(&mut self, i: &Instance) -> StoreResult<()> {
        self.take_revision().await?;
        let q = sqlx::query(
            "UPDATE instances SET status = $1, name = $2, primary_eni_id = $3 WHERE id = $4",
        )
        .bind(i.status.as_str())
        .bind(i.name.as_str())
        .bind(i.primary_eni.as_str())
        .bind(i.id.as_str());
        self.exec(q).await.map(|_| ())
    }

    async fn eni(&mut self, id: &str) -> StoreResult<Option<Eni>> {
        self.one("SELECT * FROM enis WHERE id = $1", id, eni_row)
            .await
    }

    async fn enis(&mut self, scope: &Scope) -> StoreResult<Vec<Eni>> {
        let mut qb = QueryBuilder::new("SELECT * FROM enis");
        scope_clause(&mut qb, scope);
        qb.push(" ORDER BY created_at, id");
        self.many(qb, eni_row).await
    }

    async fn enis_of_instance(&mut self, instance: &str) -> StoreResult<Vec<Eni>> {
        let mut qb = QueryBuilder::new("SELECT * FROM enis WHERE instance_id = ");
        qb.push_bind(instance.to_string())
            .push(" ORDER BY created_at, id");
        self.many(qb, eni_row).await
    }

    async fn eni_by_ip(&mut self, subnet: &str, address: Ipv4Addr) -> StoreResult<Option<Eni>> {
        let mut qb = QueryBuilder::new("SELECT * FROM enis WHERE subnet_id = ");
        qb.push_bind(subnet.to_string())
            .push(" AND ip = ")
            .push_bind(address.to_string());
        Ok(self.many(qb, eni_row).await?.into_iter().next())
    }

    async fn insert_eni(&mut self, e: &Eni) -> StoreResult<()> {
        self.take_revision().await?;
        self.claim_ip(&e.subnet, e.ip, &e.id).await?;
        let q = sqlx::query(
            "INSERT INTO enis (id, account_id, region, subnet_id, ip, mac, instance_id, service_managed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.id.as_str())
        .bind(e.account.as_str())
        .bind(e.region.as_str())
        .bind(e.subnet.as_str())
        .bind(e.ip.to_string())
        .bind(e.mac.as_str())
        .bind(e.instance.as_deref())
        .bind(i64::from(e.service_managed))
        .bind(e.created_at);
        self.exec(q).await.map(|_| ())
    }

    async fn update_eni(&mut self, e: &Eni) -> StoreResult<()> {
        self.take_revision().await?;
        let q = sqlx::query("UPDATE enis SET instance_id = $1, service_managed = $2 WHERE id = $3")
            .bind(e.instance.as_deref())
            .bind(i64::from(e.service_managed))
            .bind(e.id.as_str());
        self.exec(q).await.map(|_| ())
    }

    async fn ip_in_use(&mut self, subnet: &str, address: Ipv4Addr) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 FROM subnet_ips WHERE subnet_id = $1 AND ip = $2")
            .bind(subnet)
            .bind(address.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(row.is_some())
    }

    async fn used_ips(&mut self, subnet: &str) -> StoreResult<Vec<Ipv4Addr>> {
        let mut qb = QueryBuilder::new("SELECT ip FROM subnet_ips WHERE subnet_id = ");
        qb.push_bind(subnet.to_string());
        self.many(qb, |r| ip(r.try_get("ip").map_err(map_err)?))
            .await
    }

    async fn havip(&mut self, id: &str) -> StoreResult<Option<HaVip>> {
        let sql = format!("SELECT body FROM havips WHERE id = $1{}", self.lock_suffix());
        self.one(&sql, id, havip_row).await
    }

    async fn havip_by_ip(&mut self, subnet: &str, address: Ipv4Addr) -> StoreResult<Option<HaVip>> {
        let mut qb = QueryBuilder::new("SELECT body FROM havips WHERE subnet_id = ");
        qb.push_bind(subnet.to_string())
            .push(" AND ip = ")
            .push_bind(address.to_string());
        Ok(self.many(qb, havip_row).await?.into_iter().next())
    }

    async fn havips(&mut self, q: &HaVipQuery) -> StoreResult<HaVipPage> {
        let mut count = QueryBuilder::new("SELECT COUNT(*) AS n FROM havips");
        havip_filter(&mut count, q);
        let total: i64 = count
            .build()
            .fetch_one(&mut *self.tx)
            .await
            .map_err(map_err)?
            .try_get("n")
            .map_err(map_err)?;
        let mut qb = QueryBuilder::new("SELECT seq, body FROM havips");
        havip_filter(&mut qb, q);
        match q.page {
            Paging::Offset { offset, limit } => {
                qb.push(" ORDER BY seq LIMIT ")
                    .push_bind(clamp(limit))
                    .push(" OFFSET ")
                    .push_bind(clamp(offset));
            }
            Paging::After { after, limit } => {
                qb.push(" AND seq > ")
                    .push_bind(after)
                    .push(" ORDER BY seq LIMIT ")
                    .push_bind(clamp(limit));
            }
        }
        let items = self
            .many(qb, |r| {
                Ok((r.try_get("seq").map_err(map_err)?, havip_row(r)?))
            })
            .await?;
        Ok(HaVipPage {
            items,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    async fn havips_in_region(&mut self, account: &str, region: &str) -> StoreResult<u64> {
        self.lock_quota(account, region).await?;
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM havips WHERE account_id = $1 AND region = $2",
        )
        .bind(account)
        .bind(region)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)?
        .try_get("n")
        .map_err(map_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn havips_of_instance(&mut self, instance: &str) -> StoreResult<Vec<String>> {
        let mut qb =
            QueryBuilder::new("SELECT DISTINCT havip_id FROM havip_members WHERE instance_id = ");
        qb.push_bind(instance.to_string());
        self.many(qb, |r| r.try_get("havip_id").map_err(map_err))
            .await
    }

    async fn havips_of_member(&mut self, member: &str) -> StoreResult<Vec<String>> {
        let mut qb = QueryBuilder::new("SELECT havip_id FROM havip_members WHERE member_id = ");
        qb.push_bind(member.to_string());
        self.many(qb, |r| r.try_get("havip_id").map_err(map_err))
            .await
    }

    async fn insert_havip(&mut self, h: &HaVip) -> StoreResult<()> {
        let revision = self.take_revision().await?;
        self.claim_ip(&h.subnet, h.ip, &h.id).await?;
        let q = sqlx::query(
            "INSERT INTO havips (id, account_id, region, vpc_id, subnet_id, ip, name, status, due_at, body, created_at, updated_at, revision, fabric_wait) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(h.id.as_str())
        .bind(h.account.as_str())
        .bind(h.region.as_str())
        .bind(h.vpc.as_str())
        .bind(h.subnet.as_str())
        .bind(h.ip.to_string())
        .bind(h.name.as_str())
        .bind(h.status.as_str())
        .bind(sql::due_at(h))
        .bind(sql::havip_body(h)?)
        .bind(h.created_at)
        .bind(h.updated_at)
        .bind(revision)
        .bind(sql::fabric_wait(h, revision));
        self.exec(q).await?;
        self.write_havip_indexes(None, h).await
    }

    async fn update_havip(&mut self, old: &HaVip, new: &HaVip) -> StoreResult<()> {
        let revision = self.take_revision().await?;
        let q = sqlx::query(
            "UPDATE havips SET name = $1, status = $2, due_at = $3, body = $4, updated_at = $5, \
             revision = $6, fabric_wait = $7 WHERE id = $8",
        )
        .bind(new.name.as_str())
        .bind(new.status.as_str())
        .bind(sql::due_at(new))
        .bind(sql::havip_body(new)?)
        .bind(new.updated_at)
        .bind(revision)
        .bind(sql::fabric_wait(new, revision))
        .bind(new.id.as_str());
        if self.exec(q).await? != 1 {
            return Err(StoreError::Conflict);
        }
        self.write_havip_indexes(Some(old), new).await
    }

    async fn delete_havip(&mut self, h: &HaVip) -> StoreResult<()> {
        self.take_revision().await?;
        for sql in [
            "DELETE FROM havip_members WHERE havip_id = $1",
            "DELETE FROM havip_tags WHERE havip_id = $1",
            "DELETE FROM subnet_ips WHERE owner_id = $1",
            "DELETE FROM havips WHERE id = $1",
        ] {
            let q = sqlx::query(sql).bind(h.id.as_str());
            self.exec(q).await?;
        }
        Ok(())
    }

    async fn idempotency(
        &mut self,
        account: &str,
        action: &str,
        token: &str,
    ) -> StoreResult<Option<IdempotencyRecord>> {
        self.lock_token(account, action, token).await?;
        let row = sqlx::query(
            "SELECT * FROM idempotency WHERE account_id = $1 AND action = $2 AND token = $3",
        )
        .bind(account)
        .bind(action)
        .bind(token)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        let result: String = r.try_get("result").map_err(map_err)?;
        Ok(Some(IdempotencyRecord {
            account: r.try_get("account_id").map_err(map_err)?,
            action: r.try_get("action").map_err(map_err)?,
            token: r.try_get("token").map_err(map_err)?,
            fingerprint: r.try_get("fingerprint").map_err(map_err)?,
            havip: r.try_get("havip_id").map_err(map_err)?,
            change: r.try_get("change_id").map_err(map_err)?,
            result: serde_json::from_str(&result)
                .map_err(|e| StoreError::Corrupt(format!("idempotency result: {e}")))?,
            expires_at: r.try_get("expires_at").map_err(map_err)?,
        }))
    }

    async fn put_idempotency(&mut self, r: &IdempotencyRecord) -> StoreResult<()> {
        let q = sqlx::query(
            "INSERT INTO idempotency (account_id, action, token, fingerprint, havip_id, change_id, result, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (account_id, action, token) DO UPDATE SET fingerprint = excluded.fingerprint, \
             havip_id = excluded.havip_id, change_id = excluded.change_id, result = excluded.result, \
             expires_at = excluded.expires_at",
        )
        .bind(r.account.as_str())
        .bind(r.action.as_str())
        .bind(r.token.as_str())
        .bind(r.fingerprint.as_str())
        .bind(r.havip.as_deref())
        .bind(r.change.as_deref())
        .bind(r.result.to_string())
        .bind(r.expires_at);
        self.exec(q).await.map(|_| ())
    }

    async fn remember_nonce(
        &mut self,
        access_key: &str,
        nonce: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(crate::sql::REMEMBER_NONCE)
        .bind(access_key)
        .bind(nonce)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_expired(&mut self, now: i64) -> StoreResult<u64> {
        let a = sqlx::query("DELETE FROM signature_nonces WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let b = sqlx::query("DELETE FROM idempotency WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(a.rows_affected() + b.rows_affected())
    }

    async fn fabric(&mut self) -> StoreResult<crate::FabricRecord> {
        let row = sqlx::query("SELECT * FROM fabric WHERE id = 1")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(crate::FabricRecord {
            revision: row.try_get("revision").map_err(map_err)?,
            acked: row.try_get("acked").map_err(map_err)?,
            acked_at: row.try_get("acked_at").map_err(map_err)?,
            agent: row.try_get("agent").map_err(map_err)?,
            report: row.try_get("report").map_err(map_err)?,
        })
    }

    async fn acknowledge_fabric(
        &mut self,
        revision: i64,
        at: i64,
        agent: &str,
        report: Option<&str>,
    ) -> StoreResult<()> {
        let q = sqlx::query(
            "UPDATE fabric SET acked = CASE WHEN acked < $1 THEN $1 ELSE acked END, \
             acked_at = $2, agent = $3, report = COALESCE($4, report) WHERE id = 1",
        )
        .bind(revision)
        .bind(at)
        .bind(agent)
        .bind(report);
        self.exec(q).await.map(|_| ())
    }

    async fn havips_awaiting_fabric(&mut self, up_to: i64) -> StoreResult<Vec<HaVip>> {
        // Locks the HaVips before anything takes the revision counter's row, in the order
        // every other transaction takes them (a HaVip, then the counter).
        let sql = format!(
            "SELECT body FROM havips WHERE fabric_wait IS NOT NULL AND fabric_wait <= $1 \
             ORDER BY id{}",
            self.lock_suffix()
        );
        let rows = sqlx::query(&sql)
            .bind(up_to)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?;
        rows.iter().map(havip_row).collect()
    }

    async fn insert_event(&mut self, e: &crate::NewEvent) -> StoreResult<()> {
        // Serialises appends (see crate::Event): a transaction that appends an event holds
        // the revision counter's row, as its change to the HaVip already does.
        self.take_revision().await?;
        let q = sqlx::query(
            "INSERT INTO events (at, kind, havip_id, account_id, region, body) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e.at)
        .bind(e.kind.as_str())
        .bind(e.havip.as_deref())
        .bind(e.account.as_deref())
        .bind(e.region.as_deref())
        .bind(e.body.as_str());
        self.exec(q).await.map(|_| ())
    }

    async fn events(&mut self, since: i64, limit: u32) -> StoreResult<Vec<crate::Event>> {
        let mut qb = QueryBuilder::new("SELECT * FROM events WHERE seq > ");
        qb.push_bind(since)
            .push(" ORDER BY seq LIMIT ")
            .push_bind(i64::from(limit));
        self.many(qb, |r| {
            Ok(crate::Event {
                seq: r.try_get("seq").map_err(map_err)?,
                at: r.try_get("at").map_err(map_err)?,
                kind: r.try_get("kind").map_err(map_err)?,
                havip: r.try_get("havip_id").map_err(map_err)?,
                account: r.try_get("account_id").map_err(map_err)?,
                region: r.try_get("region").map_err(map_err)?,
                body: r.try_get("body").map_err(map_err)?,
            })
        })
        .await
    }

    async fn all_havips(&mut self) -> StoreResult<Vec<HaVip>> {
        let qb = QueryBuilder::new("SELECT body FROM havips ORDER BY seq");
        self.many(qb, havip_row).await
    }

    async fn due_changes(&mut self, now: i64, limit: u32) -> StoreResult<Vec<String>> {
        // Completing a change locks its HaVip row (see the service's worker): a replica
        // that finds a change another one is completing waits for it, then sees it done.
        let rows = sqlx::query(
            "SELECT id FROM havips WHERE due_at IS NOT NULL AND due_at <= $1 \
             ORDER BY due_at LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("id").map_err(map_err))
            .collect()
    }
}

fn access_key_row(r: &$row) -> StoreResult<AccessKey> {
    Ok(AccessKey {
        id: r.try_get("id").map_err(map_err)?,
        account: r.try_get("account_id").map_err(map_err)?,
        secret: r.try_get("secret").map_err(map_err)?,
        enabled: r.try_get::<i64, _>("enabled").map_err(map_err)? != 0,
        created_at: r.try_get("created_at").map_err(map_err)?,
    })
}

fn project_row(r: &$row) -> StoreResult<HuaweiProject> {
    Ok(HuaweiProject {
        id: r.try_get("id").map_err(map_err)?,
        account: r.try_get("account_id").map_err(map_err)?,
        region: r.try_get("region").map_err(map_err)?,
    })
}


#[async_trait]
impl crate::ports::PortTx for $tx {
    async fn port_attrs(&mut self, port: &str) -> StoreResult<Option<crate::ports::PortAttrs>> {
        let row = sqlx::query("SELECT body FROM port_attrs WHERE port_id = $1")
            .bind(port)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let Some(row) = row else { return Ok(None) };
        let body: String = row.try_get("body").map_err(map_err)?;
        serde_json::from_str(&body)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("port attributes: {e}")))
    }

    async fn ports_attrs(
        &mut self,
        ports: &[String],
    ) -> StoreResult<std::collections::BTreeMap<String, crate::ports::PortAttrs>> {
        // Bound parameters per query stay well under both databases' limits.
        const CHUNK: usize = 500;
        let mut out = std::collections::BTreeMap::new();
        for chunk in ports.chunks(CHUNK) {
            let mut qb: QueryBuilder<'_, $db> =
                QueryBuilder::new("SELECT port_id, body FROM port_attrs WHERE 1=1");
            push_in(&mut qb, "port_id", chunk);
            let rows = qb
                .build()
                .fetch_all(&mut *self.tx)
                .await
                .map_err(map_err)?;
            for row in rows {
                let port: String = row.try_get("port_id").map_err(map_err)?;
                let body: String = row.try_get("body").map_err(map_err)?;
                let attrs = serde_json::from_str(&body)
                    .map_err(|e| StoreError::Corrupt(format!("port attributes: {e}")))?;
                out.insert(port, attrs);
            }
        }
        Ok(out)
    }

    async fn put_port_attrs(&mut self, port: &str, attrs: &crate::ports::PortAttrs) -> StoreResult<()> {
        let body = serde_json::to_string(attrs).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let q = sqlx::query(
            "INSERT INTO port_attrs (port_id, body) VALUES ($1, $2) \
             ON CONFLICT (port_id) DO UPDATE SET body = excluded.body",
        )
        .bind(port)
        .bind(body);
        self.exec(q).await.map(|_| ())
    }

    async fn delete_port_attrs(&mut self, port: &str) -> StoreResult<()> {
        let q = sqlx::query("DELETE FROM port_attrs WHERE port_id = $1").bind(port);
        self.exec(q).await.map(|_| ())
    }
}
    };
}

pub(crate) use impl_sql_tx;
