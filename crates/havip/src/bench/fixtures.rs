//! What the benchmark builds through the native API before it measures anything: in each
//! cloud's region a VPC and a large subnet of its own, the HaVips that the describes page
//! through, and for every client a HaVip and an instance that only that client's
//! associate/disassociate cycles touch.

use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{json, Value};

use super::BenchError;

/// Creates in flight at once while building the fixtures.
const SETUP_CONCURRENCY: usize = 8;

/// The three regions of the example seed, one per cloud style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// Alibaba Cloud style.
    Shanghai,
    /// Volcengine style.
    Beijing,
    /// Huawei Cloud style.
    North4,
}

impl Region {
    pub const ALL: [Region; 3] = [Region::Shanghai, Region::Beijing, Region::North4];

    pub fn name(self) -> &'static str {
        match self {
            Region::Shanghai => "cn-shanghai",
            Region::Beijing => "cn-beijing",
            Region::North4 => "cn-north-4",
        }
    }

    fn zone(self) -> &'static str {
        match self {
            Region::Shanghai => "cn-shanghai-b",
            Region::Beijing => "cn-beijing-a",
            Region::North4 => "cn-north-4a",
        }
    }
}

/// One client's own HaVip and the instance it associates it with.
#[derive(Debug, Clone)]
pub struct Pair {
    pub havip: String,
    pub havip_ip: String,
    pub instance: String,
    /// The instance's primary ENI (a Huawei NIC port).
    pub primary_eni: String,
}

/// Everything built in one region.
#[derive(Debug, Clone)]
pub struct RegionFixtures {
    pub subnet: String,
    /// One per client, in client order.
    pub pairs: Vec<Pair>,
}

/// The native API, as the operator calls it.
#[derive(Clone)]
pub struct Native {
    pub http: reqwest::Client,
    pub url: String,
    pub token: String,
}

impl Native {
    pub async fn post(&self, path: &str, body: Value) -> Result<Value, BenchError> {
        let req = self.http.post(format!("{}{path}", self.url)).json(&body);
        self.call("POST", path, req).await
    }

    pub async fn get(&self, path: &str) -> Result<Value, BenchError> {
        let req = self.http.get(format!("{}{path}", self.url));
        self.call("GET", path, req).await
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<Value, BenchError> {
        let fail = |e: &dyn std::fmt::Display| BenchError::Setup(format!("{method} {path}: {e}"));
        let resp = req
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| fail(&e))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| fail(&e))?;
        if !status.is_success() {
            let hint = if text.contains("HaVipQuotaExceeded") {
                " (the benchmark creates --describe-havips HaVips plus one per client in each \
                 region: raise havips_per_region in [limits.*] of the server's seed)"
            } else {
                ""
            };
            return Err(fail(&format!("{status}: {text}{hint}")));
        }
        serde_json::from_str(&text).map_err(|e| fail(&e))
    }
}

fn field(v: &Value, name: &str) -> Result<String, BenchError> {
    v[name]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| BenchError::Setup(format!("the answer has no {name}: {v}")))
}

/// Builds one region's fixtures: `describe_havips` HaVips for the describes, and `clients`
/// (HaVip, instance) pairs for the cycles.
pub async fn build(
    native: &Native,
    account: &str,
    region: Region,
    describe_havips: usize,
    clients: usize,
) -> Result<RegionFixtures, BenchError> {
    let vpc = native
        .post(
            "/v1/vpcs",
            json!({"account": account, "region": region.name(), "cidr": "10.0.0.0/8",
                   "name": "bench"}),
        )
        .await?;
    let subnet = native
        .post(
            "/v1/subnets",
            json!({"vpc": field(&vpc, "id")?, "zone": region.zone(), "cidr": "10.0.0.0/16",
                   "name": "bench"}),
        )
        .await?;
    let subnet = field(&subnet, "id")?;
    stream::iter(0..describe_havips)
        .map(|i| {
            native.post(
                "/v1/havips",
                json!({"subnet": subnet, "name": format!("bench-describe-{i}")}),
            )
        })
        .buffer_unordered(SETUP_CONCURRENCY)
        .try_for_each(|_| async { Ok(()) })
        .await?;
    let pairs = stream::iter(0..clients)
        .map(|i| {
            let subnet = subnet.clone();
            async move {
                let havip = native
                    .post(
                        "/v1/havips",
                        json!({"subnet": subnet, "name": format!("bench-cycle-{i}")}),
                    )
                    .await?;
                let instance = native
                    .post(
                        "/v1/instances",
                        json!({"subnet": subnet, "status": "Running",
                               "name": format!("bench-{i}")}),
                    )
                    .await?;
                Ok::<_, BenchError>(Pair {
                    havip: field(&havip, "id")?,
                    havip_ip: field(&havip, "ip")?,
                    instance: field(&instance, "id")?,
                    primary_eni: field(&instance, "primary_eni")?,
                })
            }
        })
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(RegionFixtures { subnet, pairs })
}
