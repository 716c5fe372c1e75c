//! DescribeHaVips: `Filter.N.Key`/`Filter.N.Value.M` (VpcId, VSwitchId, Status, HaVipId,
//! HaVipAddress; values of one key ORed, keys ANDed), `Tags.N.Key`/`Tags.N.Value`,
//! `ResourceGroupId`, `PageNumber` (default 1), `PageSize` (default 10, at most 50) → the
//! page, with the JSON keys exactly as the SDKs' `from_map` reads them
//! (`associatedInstance`, `associatedEipAddresse`).

use havip_core::query::{HaVipPage, HaVipQuery, Paging};
use havip_service::{Caller, Service};

use crate::answers::{self, Answer, HaVipItem, HaVipList};
use crate::errors::FaceError;
use crate::params::{Filter, Params, MAX_TAG_PARAMS};

pub const DEFAULT_PAGE_SIZE: u64 = 10;
pub const MAX_PAGE_SIZE: u64 = 50;

/// One list of the query a filter key fills, or `None` for an unsupported key.
fn list_for<'q>(q: &'q mut HaVipQuery, key: &str) -> Option<&'q mut Vec<String>> {
    Some(match key {
        "VpcId" => &mut q.vpcs,
        "VSwitchId" => &mut q.subnets,
        "Status" => &mut q.statuses,
        "HaVipId" => &mut q.ids,
        "HaVipAddress" => &mut q.ips,
        _ => return None,
    })
}

/// Builds the store query from the filters. Returns `false` when two filters on the same
/// key have no value in common, so nothing can match.
pub fn apply_filters(q: &mut HaVipQuery, filters: &[Filter]) -> Result<bool, FaceError> {
    let mut seen: Vec<&str> = Vec::new();
    let mut satisfiable = true;
    for f in filters {
        let list = list_for(q, &f.key).ok_or_else(|| FaceError::InvalidFilterKey(f.key.clone()))?;
        if f.values.is_empty() {
            continue;
        }
        if seen.contains(&f.key.as_str()) {
            // The same key twice: both must hold, so keep the values they share.
            list.retain(|v| f.values.contains(v));
            satisfiable &= !list.is_empty();
        } else {
            list.extend(f.values.iter().cloned());
            seen.push(&f.key);
        }
    }
    Ok(satisfiable)
}

#[derive(Debug)]
pub struct DescribeCall {
    pub query: HaVipQuery,
    pub page_number: u64,
    pub page_size: u64,
    /// Filtered by the face itself (the store does not filter by resource group).
    pub resource_group: Option<String>,
}

pub fn parse(p: &Params) -> Result<DescribeCall, FaceError> {
    let page_number = p.int("PageNumber", 1, 1, u64::from(u32::MAX))?;
    let page_size = p.int("PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)?;
    let filters = p.filters()?;
    let mut query = HaVipQuery {
        tags: p
            .key_values("Tags", MAX_TAG_PARAMS)?
            .into_iter()
            .map(|(k, v)| (k, v.filter(|v| !v.is_empty()).into_iter().collect()))
            .collect(),
        page: Paging::Offset {
            offset: (page_number - 1).saturating_mul(page_size),
            limit: page_size,
        },
        ..HaVipQuery::default()
    };
    let satisfiable = apply_filters(&mut query, &filters)?;
    if !satisfiable {
        // Nothing can match; still check the region, as every call does.
        query.ids = vec![String::new()];
    }
    let resource_group = p.opt("ResourceGroupId").map(str::to_string);
    if resource_group.is_some() {
        // Take every match, then page here.
        query.page = Paging::Offset {
            offset: 0,
            limit: MAX_SCAN,
        };
    }
    Ok(DescribeCall {
        query,
        page_number,
        page_size,
        resource_group,
    })
}

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: DescribeCall,
) -> Result<Answer, FaceError> {
    let mut page = service.describe_havips(caller, &call.query).await?;
    if let Some(group) = &call.resource_group {
        page = in_resource_group(page, group, call.page_number, call.page_size);
    }
    Ok(render_page(&page, call.page_number, call.page_size))
}

/// The most HaVips read when the face filters by resource group itself.
const MAX_SCAN: u64 = 100_000;

/// Keeps the HaVips of one resource group, then cuts the requested page.
fn in_resource_group(page: HaVipPage, group: &str, page_number: u64, page_size: u64) -> HaVipPage {
    let matching: Vec<_> = page
        .items
        .into_iter()
        .filter(|(_, h)| h.resource_group == group)
        .collect();
    let total = matching.len() as u64;
    let skip = usize::try_from((page_number - 1).saturating_mul(page_size)).unwrap_or(usize::MAX);
    let take = usize::try_from(page_size).unwrap_or(usize::MAX);
    HaVipPage {
        items: matching.into_iter().skip(skip).take(take).collect(),
        total,
    }
}

pub fn render_page(page: &HaVipPage, page_number: u64, page_size: u64) -> Answer {
    Answer::DescribeHaVips(answers::HaVipPage {
        total_count: page.total,
        page_number,
        page_size,
        ha_vips: HaVipList {
            ha_vip: page.items.iter().map(|(_, h)| HaVipItem::of(h)).collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(key: &str, values: &[&str]) -> Filter {
        Filter {
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn filters_fill_the_query() {
        let mut q = HaVipQuery::default();
        let ok = apply_filters(
            &mut q,
            &[
                f("VpcId", &["vpc-1"]),
                f("VSwitchId", &["vsw-1", "vsw-2"]),
                f("Status", &["InUse"]),
                f("HaVipId", &["havip-1"]),
                f("HaVipAddress", &["192.168.1.100"]),
            ],
        );
        assert_eq!(ok, Ok(true));
        assert_eq!(q.vpcs, ["vpc-1"]);
        assert_eq!(q.subnets, ["vsw-1", "vsw-2"]);
        assert_eq!(q.statuses, ["InUse"]);
        assert_eq!(q.ids, ["havip-1"]);
        assert_eq!(q.ips, ["192.168.1.100"]);
    }

    #[test]
    fn same_key_twice_is_anded() {
        let mut q = HaVipQuery::default();
        let ok = apply_filters(
            &mut q,
            &[f("HaVipId", &["a", "b"]), f("HaVipId", &["b", "c"])],
        );
        assert_eq!(ok, Ok(true));
        assert_eq!(q.ids, ["b"]);
        let mut q = HaVipQuery::default();
        let ok = apply_filters(&mut q, &[f("HaVipId", &["a"]), f("HaVipId", &["c"])]);
        assert_eq!(ok, Ok(false));
    }

    #[test]
    fn unknown_filter_key_is_refused() {
        let mut q = HaVipQuery::default();
        assert_eq!(
            apply_filters(&mut q, &[f("Name", &["x"])]),
            Err(FaceError::InvalidFilterKey("Name".into()))
        );
    }
}
