//! DescribeVSwitches: the caller's vSwitches in `RegionId` (what HA scripts read to find a
//! HaVip's subnet and its free addresses), by `VpcId`, `VSwitchId`, `ZoneId`,
//! `VSwitchName`, `IsDefault`; `PageNumber` (default 1) and `PageSize` (default 10, at
//! most 50); ordered by id. `ResourceGroupId` and `RouteTableId` are accepted and do not
//! filter (havip gives vSwitches neither).

use havip_core::Subnet;
use havip_service::{Caller, Service};

use super::describe::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::answers::{self, Answer, RouteTable, TagList, VSwitchItem, VSwitchList, VSwitchPage};
use crate::errors::FaceError;
use crate::params::Params;

#[derive(Debug)]
pub struct VSwitchesCall {
    pub vpc_id: Option<String>,
    pub vswitch_id: Option<String>,
    pub zone_id: Option<String>,
    pub name: Option<String>,
    /// `IsDefault=true`: havip has no default vSwitches, so nothing matches.
    pub default_only: bool,
    pub page_number: u64,
    pub page_size: u64,
}

pub fn parse(p: &Params) -> Result<VSwitchesCall, FaceError> {
    let own = |key: &str| p.opt(key).map(str::to_string);
    Ok(VSwitchesCall {
        vpc_id: own("VpcId"),
        vswitch_id: own("VSwitchId"),
        zone_id: own("ZoneId"),
        name: own("VSwitchName"),
        default_only: p.bool("IsDefault", false)?,
        page_number: p.int("PageNumber", 1, 1, u64::from(u32::MAX))?,
        page_size: p.int("PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)?,
    })
}

fn item(s: &Subnet, free: u64) -> VSwitchItem {
    VSwitchItem {
        available_ip_address_count: free,
        cidr_block: s.cidr.to_string(),
        creation_time: answers::create_time(s.created_at),
        description: String::new(),
        enabled_ipv6: false,
        ipv6_cidr_block: String::new(),
        is_default: false,
        network_acl_id: String::new(),
        owner_id: s.account.parse().ok(),
        resource_group_id: String::new(),
        route_table: RouteTable {
            route_table_id: format!("vtb-{}", s.vpc.trim_start_matches("vpc-")),
            route_table_type: "System".to_string(),
        },
        status: "Available".to_string(),
        tags: TagList { tag: Vec::new() },
        v_switch_id: s.id.clone(),
        v_switch_name: s.name.clone(),
        vpc_id: s.vpc.clone(),
        zone_id: s.zone.clone(),
    }
}

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: VSwitchesCall,
) -> Result<Answer, FaceError> {
    let mut found: Vec<(Subnet, u64)> = service
        .subnets_with_free_addresses(caller)
        .await?
        .into_iter()
        .filter(|(s, _)| call.vpc_id.as_ref().is_none_or(|v| &s.vpc == v))
        .filter(|(s, _)| call.vswitch_id.as_ref().is_none_or(|v| &s.id == v))
        .filter(|(s, _)| call.zone_id.as_ref().is_none_or(|z| &s.zone == z))
        .filter(|(s, _)| call.name.as_ref().is_none_or(|n| &s.name == n))
        .filter(|_| !call.default_only)
        .collect();
    found.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let total_count = found.len() as u64;
    let skip = usize::try_from((call.page_number - 1).saturating_mul(call.page_size))
        .unwrap_or(usize::MAX);
    let take = usize::try_from(call.page_size).unwrap_or(usize::MAX);
    Ok(Answer::DescribeVSwitches(VSwitchPage {
        total_count,
        page_number: call.page_number,
        page_size: call.page_size,
        v_switches: VSwitchList {
            v_switch: found
                .iter()
                .skip(skip)
                .take(take)
                .map(|(s, free)| item(s, *free))
                .collect(),
        },
    }))
}
