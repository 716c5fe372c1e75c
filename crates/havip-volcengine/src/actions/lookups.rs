//! DescribeSubnets and DescribeNetworkInterfaces: the lookups HA scripts and the
//! Terraform provider make before they associate (the subnet of a HaVip, the ENIs of an
//! instance), read from the caller's inventory in its region. Filters are ANDed; paging
//! by PageNumber/PageSize or by MaxResults/NextToken (an offset); ordered by id.

use std::collections::BTreeMap;

use havip_core::{DomainError, Eni, Subnet};
use havip_service::ports::PortSnapshot;
use havip_service::{Caller, Service};

use super::ActionResult;
use crate::answers::{
    Answer, EniItem, EniPage, PageFields, PrivateIp, PrivateIpSets, RouteTableRef, SubnetItem,
    SubnetPage,
};
use crate::params::{LookupPage, NetworkInterfacesCall, SubnetsCall, PROJECT};
use crate::render;

/// The caller's inventory in its region (the region must exist).
async fn inventory(
    service: &Service,
    caller: &Caller,
) -> Result<PortSnapshot, crate::errors::FaceError> {
    let region = caller.region.clone().unwrap_or_default();
    if !service.region_exists(&region).await? {
        return Err(DomainError::RegionNotFound(region).into());
    }
    Ok(service.port_snapshot(caller).await?)
}

/// The items of one page, and the paging fields of the answer.
fn page<T>(items: Vec<T>, asked: LookupPage) -> (Vec<T>, PageFields) {
    let total_count = items.len() as u64;
    let start = usize::try_from(asked.offset).unwrap_or(usize::MAX);
    let size = usize::try_from(asked.size).unwrap_or(usize::MAX);
    let end = start.saturating_add(size);
    let next_token = if end < items.len() {
        end.to_string()
    } else {
        String::new()
    };
    let paging = PageFields {
        total_count,
        page_number: asked.number,
        page_size: asked.size,
        next_token,
    };
    (items.into_iter().skip(start).take(size).collect(), paging)
}

fn subnet_item(s: &Subnet, free: u64) -> SubnetItem {
    SubnetItem {
        account_id: s.account.clone(),
        available_ip_address_count: free,
        cidr_block: s.cidr.to_string(),
        creation_time: render::time(s.created_at),
        description: String::new(),
        is_default: false,
        network_acl_id: String::new(),
        project_name: PROJECT.to_string(),
        route_table: RouteTableRef {
            route_table_id: format!("vtb-{}", s.vpc.trim_start_matches("vpc-")),
            route_table_type: "System".to_string(),
        },
        status: "Available".to_string(),
        subnet_id: s.id.clone(),
        subnet_name: if s.name.is_empty() {
            s.id.clone()
        } else {
            s.name.clone()
        },
        tags: Vec::new(),
        total_ipv4_count: 1u64 << (32 - u32::from(s.cidr.prefix_len())),
        update_time: render::time(s.created_at),
        vpc_id: s.vpc.clone(),
        zone_id: s.zone.clone(),
    }
}

pub async fn subnets(service: &Service, caller: &Caller, call: SubnetsCall) -> ActionResult {
    let mut found: Vec<(Subnet, u64)> = service
        .subnets_with_free_addresses(caller)
        .await?
        .into_iter()
        .filter(|(s, _)| call.ids.is_empty() || call.ids.contains(&s.id))
        .filter(|(s, _)| call.vpc_id.as_ref().is_none_or(|v| &s.vpc == v))
        .filter(|(s, _)| call.zone_id.as_ref().is_none_or(|z| &s.zone == z))
        .filter(|(s, _)| {
            call.name
                .as_ref()
                .is_none_or(|n| &s.name == n || &s.id == n)
        })
        .filter(|_| call.project_matches)
        .collect();
    found.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let items: Vec<SubnetItem> = found
        .iter()
        .map(|(s, free)| subnet_item(s, *free))
        .collect();
    let (subnets, paging) = page(items, call.page);
    Ok(Answer::DescribeSubnets(SubnetPage { subnets, paging }))
}

fn eni_item(e: &Eni, primary: bool, subnets: &BTreeMap<&str, &Subnet>) -> EniItem {
    let subnet = subnets.get(e.subnet.as_str());
    EniItem {
        account_id: e.account.clone(),
        created_at: render::time(e.created_at),
        description: String::new(),
        device_id: e.instance.clone().unwrap_or_default(),
        mac_address: e.mac.clone(),
        network_interface_id: e.id.clone(),
        network_interface_name: e.id.clone(),
        port_security_enabled: true,
        primary_ip_address: e.ip.to_string(),
        private_ip_sets: PrivateIpSets {
            private_ip_set: vec![PrivateIp {
                primary: true,
                private_ip_address: e.ip.to_string(),
            }],
        },
        project_name: PROJECT.to_string(),
        security_group_ids: Vec::new(),
        service_managed: e.service_managed,
        status: if e.instance.is_some() {
            "InUse"
        } else {
            "Available"
        }
        .to_string(),
        subnet_id: e.subnet.clone(),
        tags: Vec::new(),
        kind: if primary { "primary" } else { "secondary" }.to_string(),
        updated_at: render::time(e.created_at),
        vpc_id: subnet.map(|s| s.vpc.clone()).unwrap_or_default(),
        zone_id: subnet.map(|s| s.zone.clone()).unwrap_or_default(),
    }
}

pub async fn network_interfaces(
    service: &Service,
    caller: &Caller,
    call: NetworkInterfacesCall,
) -> ActionResult {
    let snapshot = inventory(service, caller).await?;
    let subnets: BTreeMap<&str, &Subnet> = snapshot
        .subnets
        .iter()
        .map(|s| (s.id.as_str(), s))
        .collect();
    let primaries: Vec<&str> = snapshot
        .instances
        .iter()
        .map(|i| i.primary_eni.as_str())
        .collect();
    let mut items: Vec<EniItem> = snapshot
        .enis
        .iter()
        .map(|e| eni_item(e, primaries.contains(&e.id.as_str()), &subnets))
        .filter(|e| call.ids.is_empty() || call.ids.contains(&e.network_interface_id))
        .filter(|e| call.instance_id.as_ref().is_none_or(|i| &e.device_id == i))
        .filter(|e| call.subnet_id.as_ref().is_none_or(|s| &e.subnet_id == s))
        .filter(|e| call.vpc_id.as_ref().is_none_or(|v| &e.vpc_id == v))
        .filter(|e| call.kind.as_ref().is_none_or(|t| &e.kind == t))
        .filter(|e| call.status.as_ref().is_none_or(|s| &e.status == s))
        .filter(|e| call.ips.is_empty() || call.ips.contains(&e.primary_ip_address))
        .filter(|_| call.project_matches)
        .collect();
    items.sort_by(|a, b| a.network_interface_id.cmp(&b.network_interface_id));
    let (network_interface_sets, paging) = page(items, call.page);
    Ok(Answer::DescribeNetworkInterfaces(EniPage {
        network_interface_sets,
        paging,
    }))
}
