//! Reading port requests, shared by the Neutron and VPC v1 families: the create and update
//! bodies (`{"port": {...}}`, every key possibly absent), `allowed_address_pairs`, and the
//! list query (filters, `limit`, `marker`) with the filtering and paging it asks for.

use std::net::Ipv4Addr;

use havip_core::ops::CreateHaVip;
use havip_service::ports::{AddressPair, NewVipPort};
use serde_json::{Map, Value};

use crate::errors::FaceError;
use crate::ports::{Port, VIP_OWNER};

/// At most this many `allowed_address_pairs` on one port (Huawei's default quota).
pub const MAX_PAIRS: usize = 10;

fn bad(msg: impl Into<String>) -> FaceError {
    FaceError::Malformed(msg.into())
}

/// The `port` object of a body.
fn port_object(body: &[u8]) -> Result<Map<String, Value>, FaceError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    match v {
        Value::Object(mut o) => match o.remove("port") {
            Some(Value::Object(p)) => Ok(p),
            Some(_) => Err(bad("port must be an object")),
            None => Err(bad("the body must hold a port object")),
        },
        _ => Err(bad("the body must be a JSON object")),
    }
}

fn opt_str<'a>(o: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, FaceError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!("{key} must be a string"))),
    }
}

fn check_admin_state(o: &Map<String, Value>) -> Result<(), FaceError> {
    match o.get("admin_state_up") {
        None | Some(Value::Null) | Some(Value::Bool(true)) => Ok(()),
        Some(Value::Bool(false)) => Err(bad("admin_state_up can only be true")),
        Some(_) => Err(bad("admin_state_up must be a boolean")),
    }
}

fn valid_mac(mac: &str) -> bool {
    let parts: Vec<&str> = mac.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `ip_address` of a pair: an IPv4 address or CIDR, never `0.0.0.0` or `0.0.0.0/0`.
fn valid_pair_ip(text: &str) -> bool {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let Ok(addr) = addr.parse::<Ipv4Addr>() else {
        return false;
    };
    let prefix_ok =
        prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= 32) && !p.starts_with('+'));
    prefix_ok && !addr.is_unspecified()
}

/// `allowed_address_pairs`: a list of `{"ip_address", "mac_address"?}`, at most ten.
pub fn address_pairs(v: &Value) -> Result<Vec<AddressPair>, FaceError> {
    let Value::Array(items) = v else {
        return Err(bad("allowed_address_pairs must be a list"));
    };
    if items.len() > MAX_PAIRS {
        return Err(bad(format!(
            "at most {MAX_PAIRS} allowed_address_pairs per port"
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(o) = item else {
            return Err(bad("each allowed_address_pairs entry must be an object"));
        };
        let ip = opt_str(o, "ip_address")?
            .ok_or_else(|| bad("allowed_address_pairs.ip_address is required"))?;
        if !valid_pair_ip(ip) {
            return Err(bad(format!("allowed_address_pairs.ip_address {ip:?} is not an IPv4 address or CIDR (0.0.0.0 and 0.0.0.0/0 are refused)")));
        }
        let mac = opt_str(o, "mac_address")?;
        if let Some(m) = mac {
            if !valid_mac(m) {
                return Err(bad(format!(
                    "allowed_address_pairs.mac_address {m:?} is not a MAC address"
                )));
            }
        }
        out.push(AddressPair {
            ip_address: ip.to_string(),
            mac_address: mac.map(str::to_ascii_lowercase),
        });
    }
    Ok(out)
}

/// A create body: a VIP port (`device_owner` `neutron:VIP_PORT`) in `network_id`, with at
/// most one fixed IP (allocated when absent). `id` is the new port's id.
pub fn create(body: &[u8], id: String) -> Result<NewVipPort, FaceError> {
    let o = port_object(body)?;
    let network = opt_str(&o, "network_id")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("network_id is required"))?;
    match opt_str(&o, "device_owner")? {
        Some(VIP_OWNER) => {}
        Some("") | None => {
            return Err(bad(format!(
                "havip creates VIP ports only: set device_owner to {VIP_OWNER}"
            )))
        }
        Some(other) => {
            return Err(bad(format!(
                "device_owner {other:?} is not allowed; use {VIP_OWNER}"
            )))
        }
    }
    check_admin_state(&o)?;
    let name = opt_str(&o, "name")?.map(str::to_string);
    let mut ip = None;
    match o.get("fixed_ips") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            if list.len() > 1 {
                return Err(bad("a VIP port has at most one fixed_ips entry"));
            }
            if let Some(entry) = list.first() {
                let Value::Object(f) = entry else {
                    return Err(bad("fixed_ips entries must be objects"));
                };
                if let Some(subnet) = opt_str(f, "subnet_id")? {
                    if subnet != network {
                        return Err(bad(format!(
                            "fixed_ips.subnet_id {subnet:?} is not the network_id (havip uses one id for both)"
                        )));
                    }
                }
                ip = opt_str(f, "ip_address")?.map(str::to_string);
            }
        }
        Some(_) => return Err(bad("fixed_ips must be a list")),
    }
    let pairs = match o.get("allowed_address_pairs") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => address_pairs(v)?,
    };
    Ok(NewVipPort {
        id,
        havip: CreateHaVip {
            subnet: network.to_string(),
            ip,
            name,
            ..Default::default()
        },
        allowed_address_pairs: pairs,
    })
}

/// An update body: the new name and/or address pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortUpdate {
    pub name: Option<String>,
    pub allowed_address_pairs: Option<Vec<AddressPair>>,
}

pub fn update(body: &[u8]) -> Result<PortUpdate, FaceError> {
    let o = port_object(body)?;
    for fixed in [
        "fixed_ips",
        "device_owner",
        "device_id",
        "network_id",
        "mac_address",
        "id",
    ] {
        if o.get(fixed).is_some_and(|v| !v.is_null()) {
            return Err(bad(format!("{fixed} cannot be updated")));
        }
    }
    check_admin_state(&o)?;
    Ok(PortUpdate {
        name: opt_str(&o, "name")?.map(str::to_string),
        allowed_address_pairs: match o.get("allowed_address_pairs") {
            None | Some(Value::Null) => None,
            Some(v) => Some(address_pairs(v)?),
        },
    })
}

/// The filters and paging of a list request. Values of one key are ORed, keys ANDed;
/// every `fixed_ips` filter must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub network_ids: Vec<String>,
    pub device_ids: Vec<String>,
    pub device_owners: Vec<String>,
    pub mac_addresses: Vec<String>,
    pub statuses: Vec<String>,
    pub tenant_ids: Vec<String>,
    pub security_groups: Vec<String>,
    pub admin_state_up: Option<bool>,
    /// `(ip_address, subnet_id)` from `fixed_ips=ip_address=...` / `fixed_ips=subnet_id=...`.
    pub fixed_ips: Vec<(Option<String>, Option<String>)>,
    pub limit: Option<usize>,
    pub marker: Option<String>,
    /// Neutron's `page_reverse`: the page before the marker (or the last page).
    pub page_reverse: bool,
    /// Every key and value of the query as given (decoded, in order), for paging links.
    pub pairs: Vec<(String, String)>,
}

fn decode(s: &str) -> Result<String, FaceError> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| bad("the query is not UTF-8"))
}

/// The percent-decoded `key=value` pairs of a raw query, in order.
pub fn query_pairs(raw: &str) -> Result<Vec<(String, String)>, FaceError> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Parses a raw query. Unknown keys are ignored (like `enterprise_project_id`).
pub fn list_query(raw: &str) -> Result<ListQuery, FaceError> {
    let mut q = ListQuery::default();
    for (k, v) in query_pairs(raw)? {
        q.pairs.push((k.clone(), v.clone()));
        match k.as_str() {
            "id" => q.ids.push(v),
            "name" => q.names.push(v),
            "network_id" => q.network_ids.push(v),
            "device_id" => q.device_ids.push(v),
            "device_owner" => q.device_owners.push(v),
            "mac_address" => q.mac_addresses.push(v),
            "status" => q.statuses.push(v),
            "tenant_id" | "project_id" => q.tenant_ids.push(v),
            "security_groups" => q.security_groups.push(v),
            "admin_state_up" => {
                q.admin_state_up = Some(match v.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad(format!("admin_state_up {v:?} is not true or false"))),
                })
            }
            "fixed_ips" => {
                let filter = match v.split_once('=') {
                    Some(("ip_address", ip)) => (Some(ip.to_string()), None),
                    Some(("subnet_id", s)) => (None, Some(s.to_string())),
                    _ => {
                        return Err(bad(format!(
                            "fixed_ips {v:?} must be ip_address=<ip> or subnet_id=<id>"
                        )))
                    }
                };
                q.fixed_ips.push(filter);
            }
            "limit" => {
                let n: usize = v
                    .parse()
                    .map_err(|_| bad(format!("limit {v:?} is not a non-negative integer")))?;
                q.limit = (n > 0).then_some(n);
            }
            // An empty marker is no marker (Neutron tests `if limit and marker`).
            "marker" => q.marker = Some(v).filter(|m| !m.is_empty()),
            // As Neutron reads it (`get_page_reverse`): true when "true" in any case.
            "page_reverse" => q.page_reverse = v.eq_ignore_ascii_case("true"),
            _ => {}
        }
    }
    Ok(q)
}

fn any_of(wanted: &[String], value: &str) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| w == value)
}

impl ListQuery {
    pub fn matches(&self, p: &Port, project: &str) -> bool {
        any_of(&self.ids, &p.id)
            && any_of(&self.names, &p.name)
            && any_of(&self.network_ids, &p.network_id)
            && any_of(&self.device_ids, &p.device_id)
            && any_of(&self.device_owners, &p.device_owner)
            && any_of(&self.mac_addresses, &p.mac)
            && any_of(&self.statuses, p.status)
            && any_of(&self.tenant_ids, project)
            && self.security_groups.is_empty()
            && self.admin_state_up != Some(false)
            && self.fixed_ips.iter().all(|(ip, subnet)| {
                ip.as_deref().is_none_or(|i| i == p.ip.to_string())
                    && subnet.as_deref().is_none_or(|s| s == p.network_id)
            })
    }

    /// The matching ports after `marker` (before it with `page_reverse`: the last `limit`
    /// of those, still in id order, as Neutron's native pagination answers), at most
    /// `limit`, and whether more follow in the direction of paging.
    /// `ports` are all the caller's ports; a marker that names none of them is refused as
    /// Neutron refuses it: `get_marker_obj` (neutron-lib `neutron_lib/db/utils.py`) looks
    /// the marker up with `_get_port`, which raises `PortNotFound` (404). Neutron does so
    /// only when a limit applies; havip pages from the marker with or without a limit (as
    /// Huawei's v1 list does, its limit defaulting to 2000), so it checks it whenever given.
    pub fn page(&self, ports: Vec<Port>, project: &str) -> Result<(Vec<Port>, bool), FaceError> {
        if let Some(marker) = &self.marker {
            if !ports.iter().any(|p| &p.id == marker) {
                return Err(FaceError::PortNotFound(marker.clone()));
            }
        }
        if self.page_reverse {
            let before: Vec<Port> = ports
                .into_iter()
                .filter(|p| self.matches(p, project))
                .filter(|p| self.marker.as_deref().is_none_or(|m| p.id.as_str() < m))
                .collect();
            let from = self.limit.map_or(0, |n| before.len().saturating_sub(n));
            let more = from > 0;
            return Ok((before.into_iter().skip(from).collect(), more));
        }
        let mut matching = ports
            .into_iter()
            .filter(|p| self.matches(p, project))
            .filter(|p| self.marker.as_deref().is_none_or(|m| p.id.as_str() > m));
        Ok(match self.limit {
            None => (matching.collect(), false),
            Some(n) => {
                let page: Vec<Port> = matching.by_ref().take(n).collect();
                let more = matching.next().is_some();
                (page, more)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_body_of_the_sdk() {
        let body = br#"{"port": {"name": "vip1", "network_id": "net", "fixed_ips": [{"ip_address": "192.168.0.100", "subnet_id": "net"}], "device_owner": "neutron:VIP_PORT"}}"#;
        let p = create(body, "id1".into()).unwrap();
        assert_eq!(p.havip.subnet, "net");
        assert_eq!(p.havip.ip.as_deref(), Some("192.168.0.100"));
        assert_eq!(p.havip.name.as_deref(), Some("vip1"));
        assert_eq!(p.id, "id1");
        // No fixed IP: allocated later.
        let p = create(
            br#"{"port": {"network_id": "net", "device_owner": "neutron:VIP_PORT"}}"#,
            "x".into(),
        )
        .unwrap();
        assert_eq!(p.havip.ip, None);
    }

    #[test]
    fn create_body_refusals() {
        for body in [
            &b"not json"[..],
            br#"[]"#,
            br#"{}"#,
            br#"{"port": 1}"#,
            br#"{"port": {"device_owner": "neutron:VIP_PORT"}}"#,
            br#"{"port": {"network_id": "net"}}"#,
            br#"{"port": {"network_id": "net", "device_owner": "compute:az"}}"#,
            br#"{"port": {"network_id": 5, "device_owner": "neutron:VIP_PORT"}}"#,
            br#"{"port": {"network_id": "net", "device_owner": "neutron:VIP_PORT", "fixed_ips": [{}, {}]}}"#,
            br#"{"port": {"network_id": "net", "device_owner": "neutron:VIP_PORT", "fixed_ips": [{"subnet_id": "other"}]}}"#,
            br#"{"port": {"network_id": "net", "device_owner": "neutron:VIP_PORT", "admin_state_up": false}}"#,
        ] {
            assert!(matches!(create(body, "x".into()), Err(FaceError::Malformed(_))), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn update_bodies() {
        let u = update(br#"{"port": {"allowed_address_pairs": []}}"#).unwrap();
        assert_eq!(u.allowed_address_pairs, Some(vec![]));
        let u = update(br#"{"port": {"name": "n", "allowed_address_pairs": [{"ip_address": "192.168.0.10"}, {"ip_address": "1.1.1.1/0", "mac_address": "FA:16:3E:AA:BB:CD"}]}}"#).unwrap();
        assert_eq!(u.name.as_deref(), Some("n"));
        let pairs = u.allowed_address_pairs.unwrap();
        assert_eq!(pairs[1].mac_address.as_deref(), Some("fa:16:3e:aa:bb:cd"));
        for body in [
            &br#"{"port": {"fixed_ips": []}}"#[..],
            br#"{"port": {"device_owner": ""}}"#,
            br#"{"port": {"allowed_address_pairs": [{"ip_address": "0.0.0.0/0"}]}}"#,
            br#"{"port": {"allowed_address_pairs": [{"ip_address": "0.0.0.0"}]}}"#,
            br#"{"port": {"allowed_address_pairs": [{"ip_address": "10.0.0.1/33"}]}}"#,
            br#"{"port": {"allowed_address_pairs": [{"mac_address": "fa:16:3e:aa:bb:cd"}]}}"#,
            br#"{"port": {"allowed_address_pairs": [{"ip_address": "10.0.0.1", "mac_address": "zz"}]}}"#,
            br#"{"port": {"allowed_address_pairs": {}}}"#,
            br#"{"port": {"name": 3}}"#,
        ] {
            assert!(matches!(update(body), Err(FaceError::Malformed(_))), "{}", String::from_utf8_lossy(body));
        }
        let eleven = (0..11)
            .map(|i| format!(r#"{{"ip_address": "10.0.0.{i}"}}"#))
            .collect::<Vec<_>>()
            .join(",");
        let body = format!(r#"{{"port": {{"allowed_address_pairs": [{eleven}]}}}}"#);
        assert!(matches!(
            update(body.as_bytes()),
            Err(FaceError::Malformed(_))
        ));
    }

    #[test]
    fn list_query_of_the_sdk() {
        let q = list_query("device_owner=neutron%3AVIP_PORT&fixed_ips=ip_address%3D192.168.0.100&fixed_ips=subnet_id%3Dv4subnet&limit=10&network_id=a1b2&id=a&id=b").unwrap();
        assert_eq!(q.device_owners, ["neutron:VIP_PORT"]);
        assert_eq!(
            q.fixed_ips,
            [
                (Some("192.168.0.100".to_string()), None),
                (None, Some("v4subnet".to_string()))
            ]
        );
        assert_eq!(q.limit, Some(10));
        assert_eq!(q.ids, ["a", "b"]);
        assert_eq!(list_query("limit=0").unwrap().limit, None);
        assert!(list_query("limit=-1").is_err());
        assert!(list_query("fixed_ips=mac%3Dx").is_err());
        assert!(list_query("admin_state_up=maybe").is_err());
        assert_eq!(
            list_query("enterprise_project_id=0").unwrap(),
            ListQuery {
                pairs: vec![("enterprise_project_id".into(), "0".into())],
                ..ListQuery::default()
            }
        );
        assert!(list_query("page_reverse=True").unwrap().page_reverse);
        assert!(!list_query("page_reverse=1").unwrap().page_reverse);
    }

    fn port(id: &str) -> Port {
        Port {
            id: id.to_string(),
            name: String::new(),
            network_id: "net".into(),
            zone: "az1".into(),
            ip: Ipv4Addr::new(192, 168, 0, 10),
            mac: "fa:16:3e:00:00:01".into(),
            device_id: String::new(),
            device_owner: VIP_OWNER.into(),
            status: "DOWN",
            allowed_address_pairs: Vec::new(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn paging_starts_after_a_known_marker() {
        let ports = vec![port("a"), port("b"), port("c")];
        let q = list_query("marker=a&limit=1").unwrap();
        let (page, more) = q.page(ports.clone(), "p").unwrap();
        assert_eq!(
            page.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
        assert!(more);
        let q = list_query("marker=b").unwrap();
        let (page, more) = q.page(ports.clone(), "p").unwrap();
        assert_eq!(
            page.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["c"]
        );
        assert!(!more);
        // An empty marker is no marker.
        let (page, _) = list_query("marker=").unwrap().page(ports, "p").unwrap();
        assert_eq!(page.len(), 3);
    }

    #[test]
    fn reverse_paging_takes_the_page_before_the_marker_in_id_order() {
        let ports: Vec<Port> = ["a", "b", "c", "d", "e"].into_iter().map(port).collect();
        let ids = |q: &str| {
            let (page, more) = list_query(q).unwrap().page(ports.clone(), "p").unwrap();
            (
                page.iter()
                    .map(|p| p.id.clone())
                    .collect::<Vec<_>>()
                    .join(""),
                more,
            )
        };
        assert_eq!(
            ids("limit=2&marker=d&page_reverse=True"),
            ("bc".into(), true)
        );
        assert_eq!(
            ids("limit=2&marker=c&page_reverse=true"),
            ("ab".into(), false)
        );
        assert_eq!(
            ids("limit=2&marker=b&page_reverse=True"),
            ("a".into(), false)
        );
        // Without a marker: the last page.
        assert_eq!(ids("limit=2&page_reverse=True"), ("de".into(), true));
        assert_eq!(ids("limit=2&marker=b"), ("cd".into(), true));
    }

    #[test]
    fn a_marker_that_names_no_port_is_port_not_found() {
        use crate::errors::{error_body, Family};
        let ports = vec![port("a"), port("c")];
        for query in ["marker=b", "marker=b&limit=10", "marker=zzz&limit=1"] {
            let q = list_query(query).unwrap();
            let marker = q.marker.clone().unwrap();
            let err = q.page(ports.clone(), "p").unwrap_err();
            assert_eq!(err, FaceError::PortNotFound(marker.clone()), "{query}");

            let (status, body) = error_body(Family::Neutron, &err, "rid");
            assert_eq!(status.as_u16(), 404);
            assert_eq!(
                body,
                serde_json::json!({"NeutronError": {
                    "type": "PortNotFound",
                    "message": format!("Port {marker} could not be found."),
                    "detail": ""
                }})
            );
            let (status, body) = error_body(Family::VpcV1, &err, "rid");
            assert_eq!(status.as_u16(), 404);
            assert_eq!(
                body,
                serde_json::json!({"code": "VPC.2502", "message": format!("Port {marker} not found")})
            );
        }
    }

    #[test]
    fn bodies_of_the_wrong_shape_are_malformed() {
        use crate::errors::{error_body, Family};
        for body in [
            &br#"[]"#[..],
            br#"[{"port": {}}]"#,
            br#""port""#,
            br#"5"#,
            br#"null"#,
            br#"{"port": 5}"#,
            br#"{"port": "x"}"#,
            br#"{"port": []}"#,
            br#"{"port": null}"#,
            br#"{"ports": {}}"#,
        ] {
            let text = String::from_utf8_lossy(body);
            let err = create(body, "x".into()).unwrap_err();
            assert!(matches!(err, FaceError::Malformed(_)), "create {text}");
            let (status, json) = error_body(Family::Neutron, &err, "rid");
            assert_eq!(status.as_u16(), 400, "{text}");
            assert_eq!(json["NeutronError"]["type"], "BadRequest", "{text}");
            let (status, json) = error_body(Family::VpcV1, &err, "rid");
            assert_eq!(
                (status.as_u16(), &json["code"]),
                (400, &serde_json::json!("VPC.2500")),
                "{text}"
            );
            assert!(
                matches!(update(body), Err(FaceError::Malformed(_))),
                "update {text}"
            );
        }
    }
}
