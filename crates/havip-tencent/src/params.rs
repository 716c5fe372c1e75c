//! A Tencent request's parameters, typed. The SDK sends them as a JSON object (POST, its
//! default) or flattened into the query with zero-based indices (GET: `HaVipIds.0=..`,
//! `Filters.0.Values.1=..`, `Tags.0.Key=..`); both become one JSON object here, which each
//! action's parser reads field by field: a parameter the action does not define is
//! `UnknownParameter`, one of the wrong type `InvalidParameter`, a required one absent or
//! empty `MissingParameter`. Values in a query are strings: numbers and booleans are also
//! taken as decimal strings and `true`/`false` (any case), in both forms.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use havip_api::Incoming;
use havip_core::ops::CreateHaVip;
use havip_core::{validate, HaVip, MemberKind};
use http::Method;
use serde_json::{Map, Value};

use crate::errors::FaceError;

/// A GET request's query may hold this many bytes ("GET requests are limited to 32 KB").
pub const MAX_GET_QUERY_BYTES: usize = 32 * 1024;
/// DescribeHaVips: at most this many `HaVipIds`.
pub const MAX_HAVIP_IDS: usize = 100;
/// DescribeHaVips: at most 10 filters of at most 5 values each.
pub const MAX_FILTERS: usize = 10;
pub const MAX_FILTER_VALUES: usize = 5;
/// DescribeHaVips: `Limit` is 20 when absent, at most 100.
pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 100;

pub type Object = Map<String, Value>;

/// The parameters of a request as one JSON object: the body of a POST (which must be
/// `application/json`, an object, and come without a query), or the query of a GET.
pub fn of_request(incoming: &Incoming) -> Result<Object, FaceError> {
    if incoming.method == Method::GET {
        return from_query(&incoming.query);
    }
    if !incoming.query.is_empty() {
        return Err(FaceError::BodyMalformed(
            "a POST request carries its parameters in its JSON body, not in the query".into(),
        ));
    }
    if incoming.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Object::new());
    }
    let content_type = incoming.header("content-type").unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(FaceError::BodyMalformed(format!(
            "a POST request signed with TC3-HMAC-SHA256 carries an application/json body, not {content_type:?}"
        )));
    }
    match serde_json::from_slice(&incoming.body) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(_) => Err(FaceError::BodyMalformed(
            "the JSON body must be an object".into(),
        )),
        Err(e) => Err(FaceError::BodyMalformed(format!(
            "the body is not JSON ({e})"
        ))),
    }
}

/// A flattened query back into an object: `A.0=x&A.1=y` is `{"A": ["x", "y"]}`,
/// `F.0.Name=n` is `{"F": [{"Name": "n"}]}`. The indices of a list must run 0, 1, 2...
pub fn from_query(query: &str) -> Result<Object, FaceError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|e| FaceError::BodyMalformed(format!("the query cannot be decoded ({e})")))?;
    let mut root = Node::Branch(BTreeMap::new());
    for (key, value) in pairs {
        let path: Vec<&str> = key.split('.').collect();
        root.insert(&key, &path, value)?;
    }
    match root.into_value("")? {
        Value::Object(obj) => Ok(obj),
        _ => Err(FaceError::BodyMalformed(
            "the query's keys are list indices".into(),
        )),
    }
}

enum Node {
    Leaf(String),
    Branch(BTreeMap<String, Node>),
}

impl Node {
    fn insert(&mut self, key: &str, path: &[&str], value: String) -> Result<(), FaceError> {
        let conflict =
            || FaceError::BodyMalformed(format!("the query key {key:?} clashes with another"));
        let Node::Branch(children) = self else {
            return Err(conflict());
        };
        let Some((head, rest)) = path.split_first() else {
            return Err(conflict());
        };
        if head.is_empty() {
            return Err(FaceError::BodyMalformed(format!(
                "the query key {key:?} has an empty part"
            )));
        }
        if rest.is_empty() {
            if matches!(children.get(*head), Some(Node::Branch(_))) {
                return Err(conflict());
            }
            // A key given twice keeps its last value.
            children.insert(head.to_string(), Node::Leaf(value));
            return Ok(());
        }
        children
            .entry(head.to_string())
            .or_insert_with(|| Node::Branch(BTreeMap::new()))
            .insert(key, rest, value)
    }

    fn into_value(self, name: &str) -> Result<Value, FaceError> {
        let children = match self {
            Node::Leaf(s) => return Ok(Value::String(s)),
            Node::Branch(children) => children,
        };
        let indices: Option<Vec<usize>> = children.keys().map(|k| list_index(k)).collect();
        match indices {
            Some(mut indices) if !children.is_empty() => {
                indices.sort_unstable();
                if indices.iter().enumerate().any(|(i, n)| i != *n) {
                    return Err(FaceError::BodyMalformed(format!(
                        "the indices of {name} must run from 0 without gaps"
                    )));
                }
                let mut items: Vec<(usize, Node)> = children
                    .into_iter()
                    .filter_map(|(k, v)| list_index(&k).map(|i| (i, v)))
                    .collect();
                items.sort_by_key(|(i, _)| *i);
                items
                    .into_iter()
                    .map(|(i, v)| v.into_value(&format!("{name}.{i}")))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array)
            }
            _ => {
                let mut obj = Object::new();
                for (k, v) in children {
                    let child = if name.is_empty() {
                        k.clone()
                    } else {
                        format!("{name}.{k}")
                    };
                    obj.insert(k, v.into_value(&child)?);
                }
                Ok(Value::Object(obj))
            }
        }
    }
}

fn list_index(k: &str) -> Option<usize> {
    if k.is_empty() || !k.bytes().all(|b| b.is_ascii_digit()) || (k.len() > 1 && k.starts_with('0'))
    {
        return None;
    }
    k.parse().ok()
}

/// The fields of one object (the parameters, or one element of a list of objects), taken
/// one by one; [`Fields::finish`] refuses what is left. `prefix` names nested fields in
/// errors (`Filters.0.`).
pub struct Fields {
    obj: Object,
    prefix: String,
}

impl Fields {
    pub fn new(obj: Object) -> Self {
        Fields {
            obj,
            prefix: String::new(),
        }
    }

    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The value of `key`; `null` counts as absent.
    fn take(&mut self, key: &str) -> Option<Value> {
        self.obj.remove(key).filter(|v| !v.is_null())
    }

    /// The value of `key` as `convert` reads it; a value it refuses has the wrong type.
    fn typed<T>(
        &mut self,
        key: &str,
        convert: impl FnOnce(Value) -> Option<T>,
    ) -> Result<Option<T>, FaceError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => convert(v)
                .map(Some)
                .ok_or_else(|| FaceError::ParameterType(self.name(key))),
        }
    }

    /// A list whose items `each` reads (given their index); the first item it refuses is
    /// named in the error.
    fn list<T>(
        &mut self,
        key: &str,
        each: impl Fn(&Self, usize, Value) -> Option<T>,
    ) -> Result<Option<Vec<T>>, FaceError> {
        let Some(items) = self.typed(key, |v| match v {
            Value::Array(items) => Some(items),
            _ => None,
        })?
        else {
            return Ok(None);
        };
        let this = &*self;
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                each(this, i, item)
                    .ok_or_else(|| FaceError::ParameterType(this.name(&format!("{key}.{i}"))))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    pub fn string(&mut self, key: &str) -> Result<Option<String>, FaceError> {
        self.typed(key, string_of)
    }

    /// A string that must be given and not be empty.
    pub fn required(&mut self, key: &str) -> Result<String, FaceError> {
        self.string(key)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| FaceError::MissingParameter(self.name(key)))
    }

    /// An integer: a JSON integer or a decimal string (a query's values are strings).
    pub fn integer(&mut self, key: &str) -> Result<Option<i64>, FaceError> {
        self.typed(key, |v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        })
    }

    /// A boolean: JSON `true`/`false`, or the string `true`/`false` in any case.
    pub fn boolean(&mut self, key: &str) -> Result<Option<bool>, FaceError> {
        self.typed(key, |v| match v {
            Value::Bool(b) => Some(b),
            Value::String(s) => parse_bool(&s),
            _ => None,
        })
    }

    /// A list of strings.
    pub fn strings(&mut self, key: &str) -> Result<Option<Vec<String>>, FaceError> {
        self.list(key, |_, _, item| string_of(item))
    }

    /// A list of objects, each as its own [`Fields`].
    pub fn objects(&mut self, key: &str) -> Result<Option<Vec<Fields>>, FaceError> {
        self.list(key, |this, i, item| match item {
            Value::Object(obj) => Some(Fields {
                obj,
                prefix: this.name(&format!("{key}.{i}.")),
            }),
            _ => None,
        })
    }

    /// Refuses the first field no one took.
    pub fn finish(self) -> Result<(), FaceError> {
        match self.obj.keys().next() {
            Some(k) => Err(FaceError::UnknownParameter(format!("{}{k}", self.prefix))),
            None => Ok(()),
        }
    }
}

fn string_of(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn client_token(token: Option<String>) -> Result<Option<String>, FaceError> {
    Ok(validate::client_token(token.as_deref())?)
}

// --- CreateHaVip -------------------------------------------------------------------------

/// CreateHaVip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCall {
    /// `VpcId`: the subnet must be in it.
    pub vpc: String,
    pub create: CreateHaVip,
    pub client_token: Option<String>,
}

pub fn create(obj: Object) -> Result<CreateCall, FaceError> {
    let mut f = Fields::new(obj);
    let vpc = f.string("VpcId")?;
    let name = f.string("HaVipName")?;
    let subnet = f.string("SubnetId")?;
    let ip = f.string("Vip")?;
    let eni = f.string("NetworkInterfaceId")?;
    // havip always confines the VIP to the HaVip's members (docs/decisions.md): either
    // value is taken, and the HaVip shows `CheckAssociate: true`.
    f.boolean("CheckAssociate")?;
    let mut tags = Vec::new();
    for mut tag in f.objects("Tags")?.unwrap_or_default() {
        let key = tag.required("Key")?;
        let value = tag.string("Value")?.unwrap_or_default();
        tag.finish()?;
        tags.push((key, value));
    }
    let associations = f.objects("HaVipAssociationSet")?.unwrap_or_default();
    let client_token = client_token(f.string("ClientToken")?)?;
    f.finish()?;

    let vpc = vpc
        .filter(|v| !v.is_empty())
        .ok_or_else(|| FaceError::MissingParameter("VpcId".into()))?;
    let name = name.ok_or_else(|| FaceError::MissingParameter("HaVipName".into()))?;
    if eni.as_deref().is_some_and(|e| !e.is_empty()) {
        return Err(FaceError::Unsupported(
            "a HaVip of a network interface (`NetworkInterfaceId`); give `SubnetId`".into(),
        ));
    }
    if !associations.is_empty() {
        return Err(FaceError::Unsupported(
            "`HaVipAssociationSet` at creation; the HaVip's instances are bound through havip's native API".into(),
        ));
    }
    let subnet = subnet
        .filter(|s| !s.is_empty())
        .ok_or_else(|| FaceError::MissingParameter("SubnetId".into()))?;
    Ok(CreateCall {
        vpc,
        create: CreateHaVip {
            subnet,
            ip: ip.filter(|i| !i.is_empty()),
            name: Some(name),
            description: None,
            tags,
            resource_group: None,
        },
        client_token,
    })
}

// --- DescribeHaVips ----------------------------------------------------------------------

/// One DescribeHaVips filter: criteria are ANDed, the values of one criterion ORed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    HaVipId(Vec<String>),
    HaVipName(Vec<String>),
    VpcId(Vec<String>),
    SubnetId(Vec<String>),
    Vip(Vec<String>),
    /// The bound EIP: havip binds none, so only `""` would match.
    AddressIp(Vec<String>),
    /// A member of the drift range (`HaVipAssociationSet`), by id.
    AssociationInstanceId(Vec<String>),
    AssociationInstanceType(Vec<MemberKind>),
    /// `CheckAssociate`: always true here.
    CheckAssociate(Vec<bool>),
    /// `CdcId`: always `""` here.
    CdcId(Vec<String>),
    /// The HaVip type: every HaVip here is `NORMAL`.
    Type(Vec<String>),
    /// Neither protection exists here: every HaVip is `false` for both.
    TerminationProtection(Vec<bool>),
    TrafficProtection(Vec<bool>),
}

/// The filter names DescribeHaVips knows, as the 3.1.193 model documents them.
pub const FILTER_NAMES: [&str; 13] = [
    "havip-id",
    "havip-name",
    "vpc-id",
    "subnet-id",
    "vip",
    "address-ip",
    "havip-association.instance-id",
    "havip-association.instance-type",
    "check-associate",
    "cdc-id",
    "type",
    "termination-protection",
    "traffic-protection",
];

const HAVIP_TYPES: [&str; 3] = ["NORMAL", "GWLB", "OPTIMIZATION"];

impl Filter {
    fn parse(name: &str, field: &str, values: Vec<String>) -> Result<Filter, FaceError> {
        let bools = |values: Vec<String>| {
            values
                .iter()
                .map(|v| {
                    parse_bool(v).ok_or_else(|| FaceError::InvalidValue {
                        name: field.to_string(),
                        reason: format!("{v:?} is not TRUE or FALSE"),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(match name {
            "havip-id" => Filter::HaVipId(values),
            "havip-name" => Filter::HaVipName(values),
            "vpc-id" => Filter::VpcId(values),
            "subnet-id" => Filter::SubnetId(values),
            "vip" => Filter::Vip(values),
            "address-ip" => Filter::AddressIp(values),
            "havip-association.instance-id" => Filter::AssociationInstanceId(values),
            "havip-association.instance-type" => Filter::AssociationInstanceType(
                values
                    .iter()
                    .map(|v| {
                        instance_type(v).ok_or_else(|| FaceError::InvalidValue {
                            name: field.to_string(),
                            reason: format!("{v:?} is not CVM or ENI"),
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            "check-associate" => Filter::CheckAssociate(bools(values)?),
            "cdc-id" => Filter::CdcId(values),
            "type" => {
                if let Some(v) = values.iter().find(|v| !HAVIP_TYPES.contains(&v.as_str())) {
                    return Err(FaceError::InvalidValue {
                        name: field.to_string(),
                        reason: format!("{v:?} is not NORMAL, GWLB or OPTIMIZATION"),
                    });
                }
                Filter::Type(values)
            }
            "termination-protection" => Filter::TerminationProtection(bools(values)?),
            "traffic-protection" => Filter::TrafficProtection(bools(values)?),
            other => return Err(FaceError::FilterInvalidKey(other.to_string())),
        })
    }

    /// Whether `h` matches, as the face shows it (see `render::havip`).
    pub fn matches(&self, h: &HaVip) -> bool {
        let any = |values: &[String], shown: &str| values.iter().any(|v| v == shown);
        match self {
            Filter::HaVipId(v) => any(v, &h.id),
            Filter::HaVipName(v) => any(v, &h.name),
            Filter::VpcId(v) => any(v, &h.vpc),
            Filter::SubnetId(v) => any(v, &h.subnet),
            Filter::Vip(v) => any(v, &h.ip.to_string()),
            Filter::AddressIp(v) => any(v, ""),
            Filter::AssociationInstanceId(v) => h.carried_members().any(|m| any(v, &m.id)),
            Filter::AssociationInstanceType(kinds) => {
                h.carried_members().any(|m| kinds.contains(&m.kind))
            }
            Filter::CheckAssociate(v) => v.contains(&true),
            Filter::CdcId(v) => any(v, ""),
            Filter::Type(v) => any(v, "NORMAL"),
            Filter::TerminationProtection(v) | Filter::TrafficProtection(v) => v.contains(&false),
        }
    }
}

/// `HaVipAssociation.InstanceType`: `CVM` (an instance) or `ENI`.
pub fn instance_type(v: &str) -> Option<MemberKind> {
    match v {
        "CVM" => Some(MemberKind::EcsInstance),
        "ENI" => Some(MemberKind::NetworkInterface),
        _ => None,
    }
}

/// DescribeHaVips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeCall {
    pub ids: Vec<String>,
    pub filters: Vec<Filter>,
    pub offset: u64,
    pub limit: u64,
}

pub fn describe(obj: Object) -> Result<DescribeCall, FaceError> {
    let mut f = Fields::new(obj);
    let ids = f.strings("HaVipIds")?.unwrap_or_default();
    let raw_filters = f.objects("Filters")?.unwrap_or_default();
    let offset = f.integer("Offset")?;
    let limit = f.integer("Limit")?;
    f.finish()?;

    let mut filters = Vec::new();
    for (i, mut filter) in raw_filters.into_iter().enumerate() {
        let name = filter.required("Name")?;
        let values = filter.strings("Values")?.unwrap_or_default();
        filter.finish()?;
        let field = format!("Filters.{i}.Values");
        if values.is_empty() {
            return Err(FaceError::MissingParameter(field));
        }
        if values.len() > MAX_FILTER_VALUES {
            return Err(FaceError::ValueLimitExceeded {
                name: field,
                max: MAX_FILTER_VALUES,
            });
        }
        filters.push(Filter::parse(&name, &field, values)?);
    }
    if !ids.is_empty() && !filters.is_empty() {
        return Err(FaceError::Coexist("HaVipIds", "Filters"));
    }
    if ids.len() > MAX_HAVIP_IDS {
        return Err(FaceError::ValueLimitExceeded {
            name: "HaVipIds".into(),
            max: MAX_HAVIP_IDS,
        });
    }
    if filters.len() > MAX_FILTERS {
        return Err(FaceError::ValueLimitExceeded {
            name: "Filters".into(),
            max: MAX_FILTERS,
        });
    }
    let offset = match offset {
        None => 0,
        Some(n) => u64::try_from(n).map_err(|_| FaceError::ValueRange {
            name: "Offset".into(),
            reason: "at least 0".into(),
        })?,
    };
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(n) => u64::try_from(n)
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| FaceError::ValueRange {
                name: "Limit".into(),
                reason: format!("1 to {MAX_LIMIT}"),
            })?,
    };
    Ok(DescribeCall {
        ids,
        filters,
        offset,
        limit,
    })
}

// --- the calls on one HaVip ----------------------------------------------------------------

/// ModifyHaVipAttribute: both parameters required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifyCall {
    pub havip_id: String,
    pub name: String,
}

pub fn modify(obj: Object) -> Result<ModifyCall, FaceError> {
    let mut f = Fields::new(obj);
    let havip_id = f.string("HaVipId")?;
    let name = f.string("HaVipName")?;
    f.finish()?;
    Ok(ModifyCall {
        havip_id: required(havip_id, "HaVipId")?,
        name: name.ok_or_else(|| FaceError::MissingParameter("HaVipName".into()))?,
    })
}

/// DeleteHaVip and HaVipDisassociateAddressIp: the HaVip only.
pub fn havip_id(obj: Object) -> Result<String, FaceError> {
    let mut f = Fields::new(obj);
    let havip_id = f.string("HaVipId")?;
    f.finish()?;
    required(havip_id, "HaVipId")
}

/// HaVipAssociateAddressIp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociateAddressCall {
    pub havip_id: String,
    pub address: Ipv4Addr,
}

pub fn associate_address(obj: Object) -> Result<AssociateAddressCall, FaceError> {
    let mut f = Fields::new(obj);
    let havip_id = f.string("HaVipId")?;
    let address = f.string("AddressIp")?;
    f.finish()?;
    let havip_id = required(havip_id, "HaVipId")?;
    let address = required(address, "AddressIp")?;
    let address = havip_core::ip::parse_ipv4(&address).map_err(|_| FaceError::ValueMalformed {
        name: "AddressIp".into(),
        value: address.clone(),
    })?;
    Ok(AssociateAddressCall { havip_id, address })
}

fn required(value: Option<String>, name: &str) -> Result<String, FaceError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| FaceError::MissingParameter(name.into()))
}

#[cfg(test)]
mod tests;
