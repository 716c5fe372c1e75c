//! MoveResourceGroup for `ResourceType=HaVip` (any case): `ResourceId`,
//! `NewResourceGroupId` (both required) → `{}`. A resource group is a label of the HaVip
//! (`ResourceGroupId` in DescribeHaVips, and its filter); havip keeps no list of resource
//! groups, so any non-empty id is taken.

use havip_service::{Caller, Service};

use super::empty;
use crate::answers::Answer;
use crate::errors::FaceError;
use crate::params::Params;

/// The resource type of a HaVip in MoveResourceGroup.
pub const RESOURCE_TYPE: &str = "HaVip";

#[derive(Debug)]
pub struct MoveCall {
    pub havip: String,
    pub group: String,
}

pub fn parse(p: &Params) -> Result<MoveCall, FaceError> {
    let group = p.required("NewResourceGroupId")?.to_string();
    let havip = p.required("ResourceId")?.to_string();
    let kind = p.required("ResourceType")?;
    if !kind.eq_ignore_ascii_case(RESOURCE_TYPE) {
        return Err(FaceError::InvalidResourceType(kind.to_string()));
    }
    Ok(MoveCall { havip, group })
}

pub async fn run(service: &Service, caller: &Caller, call: MoveCall) -> Result<Answer, FaceError> {
    service
        .move_havip_to_resource_group(caller, &call.havip, &call.group)
        .await?;
    Ok(empty())
}
