//! Typed parsing of a Volcengine request's parameters (query string, plus a form or JSON
//! body if one is sent) into dialect-neutral calls: flattened lists (`HaVipIds.N`,
//! `Tags.N.Key`, `TagFilters.N.Values.M`, `ResourceIds.N`, `TagKeys.N`), ClientToken and
//! InstanceType rules, the two paging styles of DescribeHaVips (PageNumber/PageSize and
//! MaxResults/NextToken), and the tag operations' `ResourceType`.
//! Shape errors are `DomainError`s, mapped to codes by `errors.rs`.

use std::collections::BTreeMap;

use havip_core::ops::CreateHaVip;
use havip_core::query::{HaVipQuery, Paging};
use havip_core::{validate, DomainError, MemberKind, Target};

use crate::render;

/// DescribeHaVips: at most this many `HaVipIds.N`.
pub const MAX_HAVIP_IDS: usize = 100;
/// DescribeHaVips: at most this many `TagFilters.N`.
pub const MAX_TAG_FILTERS: usize = 20;
/// DescribeHaVips: at most this many `TagFilters.N.Values.M` per filter.
pub const MAX_TAG_FILTER_VALUES: usize = 100;
/// PageSize and MaxResults: 1..=100, 10 when absent.
pub const MAX_PAGE_SIZE: u64 = 100;
pub const DEFAULT_PAGE_SIZE: u64 = 10;
/// TagResources, UntagResources, ListTagsForResources: at most this many `ResourceIds.N`.
pub const MAX_RESOURCE_IDS: usize = 20;
/// ListTagsForResources: MaxResults when absent.
pub const DEFAULT_TAG_RESULTS: u64 = 20;
/// The resource type of a HaVip in the tag operations.
pub const RESOURCE_TYPE: &str = "havip";
/// The one project HaVips live in.
pub const PROJECT: &str = "default";

/// The decoded parameters of one request (a key given twice keeps its last value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    map: BTreeMap<String, String>,
}

impl Params {
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Params {
            map: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// Form-decodes a query string or `application/x-www-form-urlencoded` body (`+` is a
    /// space; undecodable bytes become U+FFFD) and adds its pairs.
    pub fn add_form(&mut self, raw: &[u8]) {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).unwrap_or_default();
        self.map.extend(pairs);
    }

    /// Adds a JSON object body, flattened the way the SDK flattens models into queries:
    /// `Key=value`, lists as `Key.N`, objects as `Key.Sub`. A body that is not JSON, or
    /// whose top level is not an object, is refused (the reason is returned) rather than
    /// ignored: its parameters would otherwise silently go missing.
    pub fn add_json(&mut self, raw: &[u8]) -> Result<(), String> {
        match serde_json::from_slice(raw) {
            Ok(serde_json::Value::Object(obj)) => {
                for (k, v) in obj {
                    self.flatten(k, &v);
                }
                Ok(())
            }
            Ok(_) => Err("the top level of a JSON body must be an object".into()),
            Err(e) => Err(format!("the body is not JSON ({e})")),
        }
    }

    fn flatten(&mut self, key: String, value: &serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Null => {}
            Value::String(s) => {
                self.map.insert(key, s.clone());
            }
            Value::Bool(b) => {
                self.map.insert(key, b.to_string());
            }
            Value::Number(n) => {
                self.map.insert(key, n.to_string());
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.flatten(format!("{key}.{}", i + 1), item);
                }
            }
            Value::Object(obj) => {
                for (k, v) in obj {
                    self.flatten(format!("{key}.{k}"), v);
                }
            }
        }
    }

    /// The value of `key`; an empty value counts as absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.map
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The value of `key` as sent, even when empty.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(String::as_str)
    }

    fn required(&self, key: &'static str) -> Result<String, DomainError> {
        self.get(key)
            .map(str::to_string)
            .ok_or(DomainError::MissingParameter(key))
    }

    fn client_token(&self) -> Result<Option<String>, DomainError> {
        validate::client_token(self.raw("ClientToken"))
    }

    /// `prefix.N...` keys grouped by N (1-based, ascending), with the rest of each key.
    fn indexed(&self, prefix: &str, name: &'static str) -> Result<Indexed<'_>, DomainError> {
        let mut out = Indexed::new();
        let head = format!("{prefix}.");
        for (k, v) in self.map.range(head.clone()..) {
            let Some(rest) = k.strip_prefix(&head) else {
                break;
            };
            let (n, tail) = rest.split_once('.').unwrap_or((rest, ""));
            let index = parse_index(n)
                .ok_or_else(|| DomainError::invalid(name, format!("{k} has no valid index")))?;
            out.entry(index).or_default().push((tail, v.as_str()));
        }
        Ok(out)
    }

    fn number(&self, key: &'static str, min: u64, max: u64) -> Result<Option<u64>, DomainError> {
        let Some(text) = self.get(key) else {
            return Ok(None);
        };
        match text.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(DomainError::invalid(
                key,
                format!("must be an integer in {min}..={max}"),
            )),
        }
    }
}

/// Flattened list entries grouped by their 1-based index: (rest of the key, value).
type Indexed<'a> = BTreeMap<u32, Vec<(&'a str, &'a str)>>;

fn parse_index(n: &str) -> Option<u32> {
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse::<u32>().ok().filter(|i| *i >= 1)
}

/// `Tags.N.Key` / `Tags.N.Value` (a Value requires its Key; an absent Value is empty).
fn tag_pairs(p: &Params) -> Result<Vec<(String, String)>, DomainError> {
    let mut tags = Vec::new();
    for (_, fields) in p.indexed("Tags", "Tags")? {
        let mut key = None;
        let mut value = String::new();
        for (field, v) in fields {
            match field {
                "Key" => key = Some(v.to_string()),
                "Value" => value = v.to_string(),
                _ => {
                    return Err(DomainError::invalid(
                        "Tags",
                        format!("unknown field {field:?}"),
                    ))
                }
            }
        }
        let key = key.ok_or(DomainError::MissingParameter("Tags.N.Key"))?;
        tags.push((key, value));
    }
    Ok(tags)
}

/// `TagFilters.N.Key` / `TagFilters.N.Values.M`: a key with any of its values (none: any
/// value).
fn tag_filters(p: &Params) -> Result<Vec<(String, Vec<String>)>, DomainError> {
    let mut tags = Vec::new();
    for (_, fields) in p.indexed("TagFilters", "TagFilters")? {
        let mut key = None;
        let mut values: BTreeMap<u32, String> = BTreeMap::new();
        for (field, v) in fields {
            if field == "Key" {
                key = Some(v.to_string());
            } else if let Some(m) = field.strip_prefix("Values.").and_then(parse_index) {
                values.insert(m, v.to_string());
            } else {
                return Err(DomainError::invalid(
                    "TagFilters",
                    format!("unknown field {field:?}"),
                ));
            }
        }
        let key = key
            .filter(|k| !k.is_empty())
            .ok_or(DomainError::MissingParameter("TagFilters.N.Key"))?;
        if values.len() > MAX_TAG_FILTER_VALUES {
            return Err(DomainError::invalid(
                "TagFilters",
                "at most 100 values per tag filter",
            ));
        }
        tags.push((key, values.into_values().collect::<Vec<_>>()));
    }
    if tags.len() > MAX_TAG_FILTERS {
        return Err(DomainError::invalid("TagFilters", "at most 20 tag filters"));
    }
    Ok(tags)
}

/// The values of a flattened list of strings (`Name.N`), empty ones left out.
fn strings(p: &Params, prefix: &'static str) -> Result<Vec<String>, DomainError> {
    Ok(p.indexed(prefix, prefix)?
        .into_values()
        .flatten()
        .filter(|(tail, v)| tail.is_empty() && !v.is_empty())
        .map(|(_, v)| v.to_string())
        .collect())
}

/// `ResourceType` of the tag operations: `havip`, the one resource type havip has (the
/// providers send it in lower case, as Volcengine names its resource types).
fn havip_resource_type(p: &Params) -> Result<(), DomainError> {
    let t = p.required("ResourceType")?;
    if t == RESOURCE_TYPE {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "ResourceType",
            format!("{t:?} is not a resource type of this service (only {RESOURCE_TYPE:?})"),
        ))
    }
}

/// `ResourceIds.N`: at most [`MAX_RESOURCE_IDS`], at least one when `required`.
fn resource_ids(p: &Params, required: bool) -> Result<Vec<String>, DomainError> {
    let ids = strings(p, "ResourceIds")?;
    if required && ids.is_empty() {
        return Err(DomainError::MissingParameter("ResourceIds.N"));
    }
    if ids.len() > MAX_RESOURCE_IDS {
        return Err(DomainError::invalid(
            "ResourceIds",
            "at most 20 resource ids",
        ));
    }
    Ok(ids)
}

/// TagResources: tags added to (or replacing the value of the same key on) each HaVip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagCall {
    pub ids: Vec<String>,
    pub tags: Vec<(String, String)>,
}

pub fn tag(p: &Params) -> Result<TagCall, DomainError> {
    havip_resource_type(p)?;
    let ids = resource_ids(p, true)?;
    let tags = tag_pairs(p)?;
    if tags.is_empty() {
        return Err(DomainError::MissingParameter("Tags.N.Key"));
    }
    Ok(TagCall { ids, tags })
}

/// UntagResources: tag keys removed from each HaVip (keys it lacks are no error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UntagCall {
    pub ids: Vec<String>,
    pub keys: Vec<String>,
}

pub fn untag(p: &Params) -> Result<UntagCall, DomainError> {
    havip_resource_type(p)?;
    let ids = resource_ids(p, true)?;
    let keys = strings(p, "TagKeys")?;
    if keys.is_empty() {
        return Err(DomainError::MissingParameter("TagKeys.N"));
    }
    Ok(UntagCall { ids, keys })
}

/// ListTagsForResources: the tags of the caller's HaVips, by id and/or tag filter, paged
/// by MaxResults/NextToken (an offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListTagsCall {
    pub ids: Vec<String>,
    pub filters: Vec<(String, Vec<String>)>,
    /// `TagType=system`: HaVips carry no system tags, so nothing is listed.
    pub system: bool,
    pub max: u64,
    pub offset: u64,
}

pub fn list_tags(p: &Params) -> Result<ListTagsCall, DomainError> {
    havip_resource_type(p)?;
    let ids = resource_ids(p, false)?;
    let filters = tag_filters(p)?;
    let system = match p.get("TagType") {
        None | Some("custom") => false,
        Some("system") => true,
        Some(other) => {
            return Err(DomainError::invalid(
                "TagType",
                format!("{other:?} is neither custom nor system"),
            ))
        }
    };
    let max = p
        .number("MaxResults", 1, MAX_PAGE_SIZE)?
        .unwrap_or(DEFAULT_TAG_RESULTS);
    let offset = match p.get("NextToken") {
        None => 0,
        Some(t) => t
            .parse::<u64>()
            .map_err(|_| DomainError::invalid("NextToken", "not a token this service issued"))?,
    };
    Ok(ListTagsCall {
        ids,
        filters,
        system,
        max,
        offset,
    })
}

/// The page a lookup (DescribeSubnets, DescribeNetworkInterfaces) asks for: PageNumber
/// and PageSize, or MaxResults and NextToken (an offset this service issued).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupPage {
    pub offset: u64,
    pub size: u64,
    /// The page number, with PageNumber/PageSize paging.
    pub number: Option<u64>,
}

fn lookup_page(p: &Params) -> Result<LookupPage, DomainError> {
    let page_number = p.number("PageNumber", 1, u64::MAX)?;
    let page_size = p.number("PageSize", 1, MAX_PAGE_SIZE)?;
    let max_results = p.number("MaxResults", 1, MAX_PAGE_SIZE)?;
    let next =
        match p.get("NextToken") {
            None => None,
            Some(t) => Some(t.parse::<u64>().map_err(|_| {
                DomainError::invalid("NextToken", "not a token this service issued")
            })?),
        };
    if next.is_some() || (max_results.is_some() && page_number.is_none()) {
        return Ok(LookupPage {
            offset: next.unwrap_or(0),
            size: max_results.or(page_size).unwrap_or(DEFAULT_PAGE_SIZE),
            number: None,
        });
    }
    let number = page_number.unwrap_or(1);
    let size = page_size.or(max_results).unwrap_or(DEFAULT_PAGE_SIZE);
    let offset = (number - 1)
        .checked_mul(size)
        .ok_or_else(|| DomainError::invalid("PageNumber", "too large"))?;
    Ok(LookupPage {
        offset,
        size,
        number: Some(number),
    })
}

/// DescribeSubnets: by `SubnetIds.N` (at most 100), `VpcId`, `ZoneId`, `SubnetName`,
/// `ProjectName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetsCall {
    pub ids: Vec<String>,
    pub vpc_id: Option<String>,
    pub zone_id: Option<String>,
    pub name: Option<String>,
    pub project_matches: bool,
    pub page: LookupPage,
}

pub fn describe_subnets(p: &Params) -> Result<SubnetsCall, DomainError> {
    let ids = strings(p, "SubnetIds")?;
    if ids.len() > MAX_HAVIP_IDS {
        return Err(DomainError::invalid("SubnetIds", "at most 100 ids"));
    }
    Ok(SubnetsCall {
        ids,
        vpc_id: p.get("VpcId").map(str::to_string),
        zone_id: p.get("ZoneId").map(str::to_string),
        name: p.get("SubnetName").map(str::to_string),
        project_matches: p.get("ProjectName").is_none_or(|n| n == PROJECT),
        page: lookup_page(p)?,
    })
}

/// DescribeNetworkInterfaces: by `NetworkInterfaceIds.N` (at most 100), `InstanceId`,
/// `SubnetId`, `VpcId`, `Type` (`primary`, `secondary`), `Status` (`Available`, `InUse`),
/// `PrimaryIpAddresses.N`, `ProjectName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInterfacesCall {
    pub ids: Vec<String>,
    pub instance_id: Option<String>,
    pub subnet_id: Option<String>,
    pub vpc_id: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub ips: Vec<String>,
    pub project_matches: bool,
    pub page: LookupPage,
}

pub fn describe_network_interfaces(p: &Params) -> Result<NetworkInterfacesCall, DomainError> {
    let ids = strings(p, "NetworkInterfaceIds")?;
    if ids.len() > MAX_HAVIP_IDS {
        return Err(DomainError::invalid(
            "NetworkInterfaceIds",
            "at most 100 ids",
        ));
    }
    let one_of = |key: &'static str, allowed: &[&str]| -> Result<Option<String>, DomainError> {
        match p.get(key) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
            Some(v) => Err(DomainError::invalid(
                key,
                format!("{v:?} is not one of {allowed:?}"),
            )),
        }
    };
    Ok(NetworkInterfacesCall {
        ids,
        instance_id: p.get("InstanceId").map(str::to_string),
        subnet_id: p.get("SubnetId").map(str::to_string),
        vpc_id: p.get("VpcId").map(str::to_string),
        kind: one_of("Type", &["primary", "secondary"])?,
        status: one_of("Status", &["Available", "InUse"])?,
        ips: strings(p, "PrimaryIpAddresses")?,
        project_matches: p.get("ProjectName").is_none_or(|n| n == PROJECT),
        page: lookup_page(p)?,
    })
}

/// AssociateHaVip / DisassociateHaVip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipCall {
    pub havip_id: String,
    pub target: Target,
    pub client_token: Option<String>,
}

pub fn membership(p: &Params) -> Result<MembershipCall, DomainError> {
    let havip_id = p.required("HaVipId")?;
    let instance_id = p.required("InstanceId")?;
    let kind = MemberKind::parse_param(p.raw("InstanceType"))?;
    let client_token = p.client_token()?;
    Ok(MembershipCall {
        havip_id,
        target: Target {
            kind,
            id: instance_id,
        },
        client_token,
    })
}

/// CreateHaVip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCall {
    pub create: CreateHaVip,
    pub client_token: Option<String>,
}

pub fn create(p: &Params) -> Result<CreateCall, DomainError> {
    let subnet = p.required("SubnetId")?;
    let tags = tag_pairs(p)?;
    let client_token = p.client_token()?;
    Ok(CreateCall {
        create: CreateHaVip {
            subnet,
            ip: p.get("IpAddress").map(str::to_string),
            name: p.raw("HaVipName").map(str::to_string),
            description: p.raw("Description").map(str::to_string),
            tags,
            resource_group: None,
        },
        client_token,
    })
}

/// DeleteHaVip (the SDK sends no ClientToken; one given is honoured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteCall {
    pub havip_id: String,
    pub client_token: Option<String>,
}

pub fn delete(p: &Params) -> Result<DeleteCall, DomainError> {
    Ok(DeleteCall {
        havip_id: p.required("HaVipId")?,
        client_token: p.client_token()?,
    })
}

/// ModifyHaVipAttributes: omitted fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifyCall {
    pub havip_id: String,
    pub name: Option<String>,
    pub description: Option<String>,
}

pub fn modify(p: &Params) -> Result<ModifyCall, DomainError> {
    Ok(ModifyCall {
        havip_id: p.required("HaVipId")?,
        name: p.raw("HaVipName").map(str::to_string),
        description: p.raw("Description").map(str::to_string),
    })
}

/// Which paging style a DescribeHaVips call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// PageNumber/PageSize.
    Numbered { number: u64, size: u64 },
    /// MaxResults/NextToken: items after the sequence number `after`.
    Token { after: Option<i64>, max: u64 },
}

impl PageStyle {
    pub fn size(self) -> u64 {
        match self {
            PageStyle::Numbered { size, .. } => size,
            PageStyle::Token { max, .. } => max,
        }
    }
}

/// DescribeHaVips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeCall {
    /// Filters, with `page` asking for one item more than the page holds (to tell
    /// whether there is a next page).
    pub query: HaVipQuery,
    pub style: PageStyle,
    /// False when `ProjectName` names a project other than `default` (nothing matches).
    pub project_matches: bool,
}

/// A NextToken: the sequence number of the last item of the previous page.
pub fn next_token(seq: i64) -> String {
    seq.to_string()
}

fn parse_next_token(token: &str) -> Result<i64, DomainError> {
    token
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| DomainError::invalid("NextToken", "not a token this service issued"))
}

/// A `Status` filter: one of the statuses this face shows, matched against the status
/// it shows (the one before a change in flight), so a filter agrees with the answers.
fn status_filter(s: &str) -> Result<String, DomainError> {
    render::STATUSES
        .into_iter()
        .find(|st| st.as_str() == s)
        .map(|st| st.as_str().to_string())
        .ok_or_else(|| DomainError::invalid("Status", format!("unknown status {s:?}")))
}

pub fn describe(p: &Params) -> Result<DescribeCall, DomainError> {
    let ids = strings(p, "HaVipIds")?;
    if ids.len() > MAX_HAVIP_IDS {
        return Err(DomainError::invalid("HaVipIds", "at most 100 ids"));
    }

    let tags = tag_filters(p)?;

    let statuses = match p.get("Status") {
        Some(s) => vec![status_filter(s)?],
        None => Vec::new(),
    };
    let one = |key: &str| p.get(key).map(|v| vec![v.to_string()]).unwrap_or_default();

    let page_number = p.number("PageNumber", 1, u64::MAX)?;
    let page_size = p.number("PageSize", 1, MAX_PAGE_SIZE)?;
    let max_results = p.number("MaxResults", 1, MAX_PAGE_SIZE)?;
    let next = p.get("NextToken").map(parse_next_token).transpose()?;
    let token_style = next.is_some() || (max_results.is_some() && page_number.is_none());
    let (style, page) = if token_style {
        let max = max_results.or(page_size).unwrap_or(DEFAULT_PAGE_SIZE);
        (
            PageStyle::Token { after: next, max },
            Paging::After {
                after: next.unwrap_or(i64::MIN),
                limit: max + 1,
            },
        )
    } else {
        let number = page_number.unwrap_or(1);
        let size = page_size.or(max_results).unwrap_or(DEFAULT_PAGE_SIZE);
        let offset = (number - 1)
            .checked_mul(size)
            .ok_or_else(|| DomainError::invalid("PageNumber", "too large"))?;
        (
            PageStyle::Numbered { number, size },
            Paging::Offset {
                offset,
                limit: size + 1,
            },
        )
    };

    Ok(DescribeCall {
        query: HaVipQuery {
            account: None,
            region: None,
            ids,
            vpcs: one("VpcId"),
            subnets: one("SubnetId"),
            statuses: Vec::new(),
            settled_statuses: statuses,
            ips: one("IpAddress"),
            names: one("HaVipName"),
            tags,
            page,
        },
        style,
        project_matches: p.get("ProjectName").is_none_or(|n| n == PROJECT),
    })
}

#[cfg(test)]
mod tests;
