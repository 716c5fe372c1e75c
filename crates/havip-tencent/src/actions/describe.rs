//! DescribeHaVips: the caller's HaVips in its region, by `HaVipIds` or `Filters` (criteria
//! ANDed, the values of one criterion ORed), `TotalCount` all matches, the page from
//! `Offset` (default 0) and `Limit` (default 20). The store filters what it can (ids,
//! names, VPCs, subnets, addresses) and pages; the criteria only this face knows (the
//! drift range, fields havip does not model) are applied here, over every match.

use havip_core::query::{HaVipQuery, Paging};
use havip_service::{Caller, Service};

use super::view;
use crate::errors::FaceError;
use crate::params::{DescribeCall, Filter};
use crate::render::{Answer, DescribeHaVipsAnswer};

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: &DescribeCall,
) -> Result<Answer, FaceError> {
    let mut query = HaVipQuery {
        ids: call.ids.clone(),
        ..HaVipQuery::default()
    };
    let mut here: Vec<&Filter> = Vec::new();
    for filter in &call.filters {
        // The first criterion on a column goes to the store; another one on the same
        // column is applied here (the store takes one list per column).
        let (slot, values) = match filter {
            Filter::HaVipId(v) => (&mut query.ids, v),
            Filter::HaVipName(v) => (&mut query.names, v),
            Filter::VpcId(v) => (&mut query.vpcs, v),
            Filter::SubnetId(v) => (&mut query.subnets, v),
            Filter::Vip(v) => (&mut query.ips, v),
            _ => {
                here.push(filter);
                continue;
            }
        };
        if slot.is_empty() {
            slot.clone_from(values);
        } else {
            here.push(filter);
        }
    }
    let (items, total) = if here.is_empty() {
        query.page = Paging::Offset {
            offset: call.offset,
            limit: call.limit,
        };
        let page = service.describe_havips(caller, &query).await?;
        let items: Vec<_> = page.items.into_iter().map(|(_, h)| h).collect();
        (items, page.total)
    } else {
        query.page = Paging::Offset {
            offset: 0,
            limit: u64::MAX,
        };
        let page = service.describe_havips(caller, &query).await?;
        let matching: Vec<_> = page
            .items
            .into_iter()
            .map(|(_, h)| h)
            .filter(|h| here.iter().all(|f| f.matches(h)))
            .collect();
        let total = matching.len() as u64;
        let skip = usize::try_from(call.offset).unwrap_or(usize::MAX);
        let take = usize::try_from(call.limit).unwrap_or(usize::MAX);
        (matching.into_iter().skip(skip).take(take).collect(), total)
    };
    let mut set = Vec::with_capacity(items.len());
    for h in &items {
        set.push(view(service, caller, h).await?);
    }
    Ok(Answer::DescribeHaVips(DescribeHaVipsAnswer {
        total_count: total,
        ha_vip_set: set,
    }))
}
