//! The benchmark's cases and the requests each sends, signed afresh for every request with
//! the project's client-side signers (new date, new Alibaba nonce, new Volcengine
//! invocation id): a describe is one request, a cycle is associate then disassociate of the
//! client's own HaVip and instance (with no transition delay the HaVip is InUse as soon as
//! the associate answers).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use chrono::Utc;
use havip_signature::aliyun::{sign_acs3, sign_rpc, AliyunCall, RpcFlavor};
use havip_signature::huawei::{self, HuaweiCall};
use havip_signature::volcengine::{self, VolcCall};
use havip_signature::{Credentials, OwnedRequest};
use http::{HeaderMap, HeaderValue};

use super::fixtures::{Pair, Region, RegionFixtures};

/// HaVips on the page a describe asks for (the clouds' usual default page).
pub const PAGE_SIZE: &str = "10";
const ALIYUN_VERSION: &str = "2016-04-28";
const VOLC_VERSION: &str = "2020-04-01";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Case {
    /// `GET /healthz`: the reference every other case is compared with.
    Healthz,
    AliyunAcs3Describe,
    AliyunRpcDescribe,
    VolcengineDescribe,
    /// Neutron `GET /v2.0/ports` of the VIP ports.
    HuaweiDescribe,
    NativeDescribe,
    AliyunAcs3Cycle,
    AliyunRpcCycle,
    VolcengineCycle,
    /// ECS NIC bind and unbind, `PUT /v1/{project}/cloudservers/nics/{nic}`.
    HuaweiCycle,
    NativeCycle,
}

impl Case {
    pub const ALL: [Case; 11] = [
        Case::Healthz,
        Case::AliyunAcs3Describe,
        Case::AliyunRpcDescribe,
        Case::VolcengineDescribe,
        Case::HuaweiDescribe,
        Case::NativeDescribe,
        Case::AliyunAcs3Cycle,
        Case::AliyunRpcCycle,
        Case::VolcengineCycle,
        Case::HuaweiCycle,
        Case::NativeCycle,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Case::Healthz => "healthz",
            Case::AliyunAcs3Describe => "aliyun-acs3-describe",
            Case::AliyunRpcDescribe => "aliyun-rpc-describe",
            Case::VolcengineDescribe => "volcengine-describe",
            Case::HuaweiDescribe => "huawei-describe",
            Case::NativeDescribe => "native-describe",
            Case::AliyunAcs3Cycle => "aliyun-acs3-cycle",
            Case::AliyunRpcCycle => "aliyun-rpc-cycle",
            Case::VolcengineCycle => "volcengine-cycle",
            Case::HuaweiCycle => "huawei-cycle",
            Case::NativeCycle => "native-cycle",
        }
    }

    /// Requests in one unit of work: 1 for a describe, 2 for a cycle.
    pub fn steps(self) -> usize {
        if self.is_cycle() {
            2
        } else {
            1
        }
    }

    pub fn is_cycle(self) -> bool {
        matches!(
            self,
            Case::AliyunAcs3Cycle
                | Case::AliyunRpcCycle
                | Case::VolcengineCycle
                | Case::HuaweiCycle
                | Case::NativeCycle
        )
    }

    /// The region whose fixtures the case uses.
    pub fn region(self) -> Region {
        match self {
            Case::VolcengineDescribe | Case::VolcengineCycle => Region::Beijing,
            Case::HuaweiDescribe | Case::HuaweiCycle => Region::North4,
            _ => Region::Shanghai,
        }
    }
}

/// What every request needs: where the server is, who signs, and the fixtures.
pub struct Target {
    /// `http://host:port`, no trailing slash.
    pub url: String,
    /// The `Host` header the client sends (`host:port`).
    pub host: String,
    pub admin_token: String,
    pub account: String,
    pub access_key_id: String,
    pub secret: String,
    pub huawei_project: String,
    pub shanghai: RegionFixtures,
    pub beijing: RegionFixtures,
    pub north4: RegionFixtures,
}

impl Target {
    fn creds(&self) -> Credentials<'_> {
        Credentials {
            access_key_id: &self.access_key_id,
            secret: &self.secret,
            security_token: None,
        }
    }

    pub fn pair(&self, region: Region, client: usize) -> &Pair {
        let fixtures = match region {
            Region::Shanghai => &self.shanghai,
            Region::Beijing => &self.beijing,
            Region::North4 => &self.north4,
        };
        &fixtures.pairs[client % fixtures.pairs.len()]
    }

    /// Step `step` of `case` for client `client`, signed now.
    pub fn request(&self, case: Case, client: usize, step: usize) -> OwnedRequest {
        let associate = step == 0;
        let pair = self.pair(case.region(), client);
        let region = case.region().name();
        match case {
            Case::Healthz => plain("GET", "/healthz", "", &self.host),
            Case::AliyunAcs3Describe | Case::AliyunRpcDescribe => self.aliyun(
                case,
                "DescribeHaVips",
                &[("RegionId", region), ("PageSize", PAGE_SIZE)],
            ),
            Case::AliyunAcs3Cycle | Case::AliyunRpcCycle => {
                let mut params = vec![
                    ("RegionId", region),
                    ("HaVipId", pair.havip.as_str()),
                    ("InstanceId", pair.instance.as_str()),
                ];
                let action = if associate {
                    "AssociateHaVip"
                } else {
                    // The only member is the master, which Alibaba releases with Force.
                    params.push(("Force", "true"));
                    "UnassociateHaVip"
                };
                self.aliyun(case, action, &params)
            }
            Case::VolcengineDescribe => {
                self.volcengine("DescribeHaVips", &[("PageSize", PAGE_SIZE)])
            }
            Case::VolcengineCycle => {
                let action = if associate {
                    "AssociateHaVip"
                } else {
                    "DisassociateHaVip"
                };
                self.volcengine(
                    action,
                    &[
                        ("HaVipId", pair.havip.as_str()),
                        ("InstanceId", pair.instance.as_str()),
                    ],
                )
            }
            Case::HuaweiDescribe => self.huawei(
                "GET",
                "/v2.0/ports",
                &[("device_owner", "neutron:VIP_PORT"), ("limit", PAGE_SIZE)],
                b"",
            ),
            Case::HuaweiCycle => {
                let subnet = &self.north4.subnet;
                let body = if associate {
                    serde_json::json!({"nic": {"subnet_id": subnet, "ip_address": pair.havip_ip}})
                } else {
                    serde_json::json!({"nic": {"subnet_id": "", "ip_address": ""}})
                };
                let path = format!(
                    "/v1/{}/cloudservers/nics/{}",
                    self.huawei_project, pair.primary_eni
                );
                self.huawei("PUT", &path, &[], body.to_string().as_bytes())
            }
            Case::NativeDescribe => self.native(
                "GET",
                "/v1/havips",
                &format!(
                    "account={}&region={region}&page_size={PAGE_SIZE}",
                    self.account
                ),
                None,
            ),
            Case::NativeCycle => {
                let verb = if associate {
                    "associate"
                } else {
                    "disassociate"
                };
                let body = serde_json::json!({"instance_id": pair.instance});
                self.native(
                    "POST",
                    &format!("/v1/havips/{}/{verb}", pair.havip),
                    "",
                    Some(body.to_string()),
                )
            }
        }
    }

    fn aliyun(&self, case: Case, action: &str, params: &[(&str, &str)]) -> OwnedRequest {
        let nonce = fresh_id();
        let call = AliyunCall {
            host: &self.host,
            action,
            version: ALIYUN_VERSION,
            params,
            form: &[],
            nonce: &nonce,
            time: Utc::now(),
        };
        match case {
            Case::AliyunRpcDescribe | Case::AliyunRpcCycle => {
                sign_rpc(&call, &self.creds(), RpcFlavor::Legacy)
            }
            _ => sign_acs3(&call, &self.creds()),
        }
    }

    fn volcengine(&self, action: &str, params: &[(&str, &str)]) -> OwnedRequest {
        let invocation = fresh_id();
        let call = VolcCall {
            host: &self.host,
            action,
            version: VOLC_VERSION,
            region: Region::Beijing.name(),
            service: "vpc",
            params,
            invocation_id: &invocation,
            time: Utc::now(),
        };
        volcengine::sign(&call, &self.creds())
    }

    fn huawei(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: &[u8],
    ) -> OwnedRequest {
        let call = HuaweiCall {
            method,
            host: &self.host,
            path,
            query,
            project_id: Some(&self.huawei_project),
            content_type: "application/json;charset=utf-8",
            body,
            time: Utc::now(),
        };
        huawei::sign(&call, &self.creds())
    }

    fn native(&self, method: &str, path: &str, query: &str, body: Option<String>) -> OwnedRequest {
        let mut req = plain(method, path, query, &self.host);
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer {}", self.admin_token)) {
            req.headers.insert(http::header::AUTHORIZATION, v);
        }
        if let Some(body) = body {
            req.headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            req.body = body.into_bytes();
        }
        req
    }
}

fn plain(method: &str, path: &str, query: &str, host: &str) -> OwnedRequest {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(host) {
        headers.insert(http::header::HOST, v);
    }
    OwnedRequest {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: Vec::new(),
    }
}

/// 32 hex characters never handed out before by this process: a random prefix drawn once
/// and a counter, so Alibaba nonces are unique per request (and across runs).
pub fn fresh_id() -> String {
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(rand::random);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix:016x}{n:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_32_hex() {
        let a = fresh_id();
        let b = fresh_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn every_case_has_a_distinct_name() {
        let names: std::collections::HashSet<_> = Case::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Case::ALL.len());
        for case in Case::ALL {
            use clap::ValueEnum;
            let value = case.to_possible_value().expect("value");
            assert_eq!(value.get_name(), case.name());
        }
    }
}
