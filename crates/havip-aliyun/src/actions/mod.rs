//! The operations of the Alibaba face, one module each, and the table from the `Action`
//! name to the operation. Every operation reads its typed parameters from [`Params`] (its
//! [`Call`]), then calls the service as `Caller::tenant(profile, account, RegionId)` and
//! returns the response fields (without `RequestId`, which the renderer adds).

mod associate;
mod create;
mod delete;
mod describe;
mod modify;
mod resource_group;
mod tags;
mod unassociate;
mod vswitches;

use havip_core::{validate, MemberKind, Target};
use havip_service::{Caller, Service};

use crate::answers::{Answer, Empty};
use crate::errors::FaceError;
use crate::params::Params;

/// The operations this face serves (VPC API version 2016-04-28).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CreateHaVip,
    DeleteHaVip,
    DescribeHaVips,
    ModifyHaVipAttribute,
    AssociateHaVip,
    UnassociateHaVip,
    TagResources,
    UnTagResources,
    ListTagResources,
    MoveResourceGroup,
    DescribeVSwitches,
}

impl Operation {
    pub const ALL: [Operation; 11] = [
        Operation::CreateHaVip,
        Operation::DeleteHaVip,
        Operation::DescribeHaVips,
        Operation::ModifyHaVipAttribute,
        Operation::AssociateHaVip,
        Operation::UnassociateHaVip,
        Operation::TagResources,
        Operation::UnTagResources,
        Operation::ListTagResources,
        Operation::MoveResourceGroup,
        Operation::DescribeVSwitches,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::CreateHaVip => "CreateHaVip",
            Operation::DeleteHaVip => "DeleteHaVip",
            Operation::DescribeHaVips => "DescribeHaVips",
            Operation::ModifyHaVipAttribute => "ModifyHaVipAttribute",
            Operation::AssociateHaVip => "AssociateHaVip",
            Operation::UnassociateHaVip => "UnassociateHaVip",
            Operation::TagResources => "TagResources",
            Operation::UnTagResources => "UnTagResources",
            Operation::ListTagResources => "ListTagResources",
            Operation::MoveResourceGroup => "MoveResourceGroup",
            Operation::DescribeVSwitches => "DescribeVSwitches",
        }
    }

    /// Action names are case-sensitive, as on Alibaba Cloud.
    pub fn parse(name: &str) -> Option<Operation> {
        Self::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

/// An operation with its typed parameters.
#[derive(Debug)]
pub enum Call {
    CreateHaVip(create::CreateCall),
    DeleteHaVip(delete::DeleteCall),
    DescribeHaVips(describe::DescribeCall),
    ModifyHaVipAttribute(modify::ModifyCall),
    AssociateHaVip(Membership),
    UnassociateHaVip(Membership),
    TagResources(tags::TagCall),
    UnTagResources(tags::UntagCall),
    ListTagResources(tags::ListTagsCall),
    MoveResourceGroup(resource_group::MoveCall),
    DescribeVSwitches(vswitches::VSwitchesCall),
}

/// The typed parameters of `op`, read in the order the API checks them.
pub fn parse(op: Operation, p: &Params) -> Result<Call, FaceError> {
    Ok(match op {
        Operation::CreateHaVip => Call::CreateHaVip(create::parse(p)?),
        Operation::DeleteHaVip => Call::DeleteHaVip(delete::parse(p)?),
        Operation::DescribeHaVips => Call::DescribeHaVips(describe::parse(p)?),
        Operation::ModifyHaVipAttribute => Call::ModifyHaVipAttribute(modify::parse(p)?),
        Operation::AssociateHaVip => Call::AssociateHaVip(associate::parse(p)?),
        Operation::UnassociateHaVip => Call::UnassociateHaVip(unassociate::parse(p)?),
        Operation::TagResources => Call::TagResources(tags::parse_tag(p)?),
        Operation::UnTagResources => Call::UnTagResources(tags::parse_untag(p)?),
        Operation::ListTagResources => Call::ListTagResources(tags::parse_list(p)?),
        Operation::MoveResourceGroup => Call::MoveResourceGroup(resource_group::parse(p)?),
        Operation::DescribeVSwitches => Call::DescribeVSwitches(vswitches::parse(p)?),
    })
}

/// Runs one call as `caller`; the answer is the response fields besides `RequestId`.
pub async fn run(call: Call, service: &Service, caller: &Caller) -> Result<Answer, FaceError> {
    match call {
        Call::CreateHaVip(c) => create::run(service, caller, c).await,
        Call::DeleteHaVip(c) => delete::run(service, caller, c).await,
        Call::DescribeHaVips(c) => describe::run(service, caller, c).await,
        Call::ModifyHaVipAttribute(c) => modify::run(service, caller, c).await,
        Call::AssociateHaVip(c) => associate::run(service, caller, c).await,
        Call::UnassociateHaVip(c) => unassociate::run(service, caller, c).await,
        Call::TagResources(c) => tags::tag(service, caller, c).await,
        Call::UnTagResources(c) => tags::untag(service, caller, c).await,
        Call::ListTagResources(c) => tags::list(service, caller, c).await,
        Call::MoveResourceGroup(c) => resource_group::run(service, caller, c).await,
        Call::DescribeVSwitches(c) => vswitches::run(service, caller, c).await,
    }
}

/// The request's ClientToken: at most 64 ASCII characters; empty means absent.
pub fn client_token(p: &Params) -> Result<Option<String>, FaceError> {
    Ok(validate::client_token(p.get("ClientToken"))?)
}

/// An Associate or Unassociate call: `HaVipId`, then the target (`InstanceId`, required,
/// and `InstanceType`), then `Force` (Unassociate only), then `ClientToken`.
#[derive(Debug)]
pub struct Membership {
    pub havip: String,
    pub target: Target,
    pub force: bool,
    pub client_token: Option<String>,
}

impl Membership {
    fn parse(p: &Params, with_force: bool) -> Result<Membership, FaceError> {
        let havip = p.required("HaVipId")?.to_string();
        let instance = p.required("InstanceId")?;
        let kind = MemberKind::parse_param(p.opt("InstanceType"))?;
        let target = Target {
            kind,
            id: instance.to_string(),
        };
        let force = with_force && p.bool("Force", false)?;
        Ok(Membership {
            havip,
            target,
            force,
            client_token: client_token(p)?,
        })
    }
}

/// An empty answer (`{"RequestId": ...}` once rendered).
pub fn empty() -> Answer {
    Answer::Empty(Empty {})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(Operation::parse(op.as_str()), Some(op));
        }
        assert_eq!(Operation::parse("associatehavip"), None);
        assert_eq!(Operation::parse("CreateVpc"), None);
    }
}
