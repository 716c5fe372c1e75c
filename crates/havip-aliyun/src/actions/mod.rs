//! The operations of the Alibaba face, one module each, and the table from the `Action`
//! name to the operation. Every operation reads its typed parameters from [`Params`], calls
//! the service as `Caller::tenant(profile, account, RegionId)` and returns the
//! response fields (without `RequestId`, which the renderer adds).

mod associate;
mod create;
mod delete;
mod describe;
mod modify;
mod tags;
mod unassociate;

use havip_api::AppState;
use havip_core::{validate, MemberKind, Target};
use havip_service::Caller;

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
}

impl Operation {
    pub const ALL: [Operation; 9] = [
        Operation::CreateHaVip,
        Operation::DeleteHaVip,
        Operation::DescribeHaVips,
        Operation::ModifyHaVipAttribute,
        Operation::AssociateHaVip,
        Operation::UnassociateHaVip,
        Operation::TagResources,
        Operation::UnTagResources,
        Operation::ListTagResources,
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
        }
    }

    /// Action names are case-sensitive, as on Alibaba Cloud.
    pub fn parse(name: &str) -> Option<Operation> {
        Self::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

/// What an operation gets: the state, who calls (account and region) and the parameters.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub caller: Caller,
    pub params: &'a Params,
}

impl Ctx<'_> {
    /// The request's ClientToken: at most 64 ASCII characters; empty means absent.
    pub fn client_token(&self) -> Result<Option<String>, FaceError> {
        Ok(validate::client_token(self.params.get("ClientToken"))?)
    }

    /// The `HaVipId` and the target (`InstanceId`, required, and `InstanceType`) of an
    /// Associate or Unassociate call, read in that order.
    pub fn havip_and_target(&self) -> Result<(&str, Target), FaceError> {
        let p = self.params;
        let havip = p.required("HaVipId")?;
        let instance = p.required("InstanceId")?;
        let kind = MemberKind::parse_param(p.opt("InstanceType"))?;
        let target = Target {
            kind,
            id: instance.to_string(),
        };
        Ok((havip, target))
    }
}

/// Runs `op`; the answer is the response fields besides `RequestId`.
pub async fn run(op: Operation, ctx: &Ctx<'_>) -> Result<Answer, FaceError> {
    match op {
        Operation::CreateHaVip => create::run(ctx).await,
        Operation::DeleteHaVip => delete::run(ctx).await,
        Operation::DescribeHaVips => describe::run(ctx).await,
        Operation::ModifyHaVipAttribute => modify::run(ctx).await,
        Operation::AssociateHaVip => associate::run(ctx).await,
        Operation::UnassociateHaVip => unassociate::run(ctx).await,
        Operation::TagResources => tags::tag(ctx).await,
        Operation::UnTagResources => tags::untag(ctx).await,
        Operation::ListTagResources => tags::list(ctx).await,
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
