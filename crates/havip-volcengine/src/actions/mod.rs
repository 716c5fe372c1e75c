//! The operations of Volcengine VPC 2020-04-01 this face serves (the six HaVip actions,
//! the three tag actions for `ResourceType=havip`, and the subnet and ENI lookups): the
//! action names, the typed
//! [`Call`] each parses to (`params.rs`), and one module per operation that makes its
//! service call and returns the `Result` fields of the answer.

mod create;
mod delete;
mod describe;
mod lookups;
mod membership;
mod modify;
mod tags;

use havip_core::HaVip;
use havip_service::{Caller, Service};

use crate::answers::{Answer, AsyncTask};
use crate::errors::FaceError;
use crate::params::{self, Params};

/// The API version this face speaks.
pub const VERSION: &str = "2020-04-01";

/// The `Result` of a successful answer (`RequestId` is added by the renderer).
pub type ActionResult = Result<Answer, FaceError>;

/// The answer of an asynchronous operation: `AsyncTaskId`, the id of the change the
/// request left in flight (absent when the change completed at once).
fn async_task(havip: Option<&HaVip>) -> Answer {
    Answer::Async(AsyncTask::of(havip))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    AssociateHaVip,
    DisassociateHaVip,
    CreateHaVip,
    DeleteHaVip,
    DescribeHaVips,
    ModifyHaVipAttributes,
    TagResources,
    UntagResources,
    ListTagsForResources,
    DescribeSubnets,
    DescribeNetworkInterfaces,
}

impl Operation {
    pub fn parse(action: &str) -> Option<Self> {
        Some(match action {
            "AssociateHaVip" => Operation::AssociateHaVip,
            "DisassociateHaVip" => Operation::DisassociateHaVip,
            "CreateHaVip" => Operation::CreateHaVip,
            "DeleteHaVip" => Operation::DeleteHaVip,
            "DescribeHaVips" => Operation::DescribeHaVips,
            "ModifyHaVipAttributes" => Operation::ModifyHaVipAttributes,
            "TagResources" => Operation::TagResources,
            "UntagResources" => Operation::UntagResources,
            "ListTagsForResources" => Operation::ListTagsForResources,
            "DescribeSubnets" => Operation::DescribeSubnets,
            "DescribeNetworkInterfaces" => Operation::DescribeNetworkInterfaces,
            _ => return None,
        })
    }
}

/// An operation with its typed parameters.
#[derive(Debug)]
pub enum Call {
    AssociateHaVip(params::MembershipCall),
    DisassociateHaVip(params::MembershipCall),
    CreateHaVip(params::CreateCall),
    DeleteHaVip(params::DeleteCall),
    DescribeHaVips(params::DescribeCall),
    ModifyHaVipAttributes(params::ModifyCall),
    TagResources(params::TagCall),
    UntagResources(params::UntagCall),
    ListTagsForResources(params::ListTagsCall),
    DescribeSubnets(params::SubnetsCall),
    DescribeNetworkInterfaces(params::NetworkInterfacesCall),
}

/// The typed parameters of `op`.
pub fn parse(op: Operation, p: &Params) -> Result<Call, FaceError> {
    Ok(match op {
        Operation::AssociateHaVip => Call::AssociateHaVip(params::membership(p)?),
        Operation::DisassociateHaVip => Call::DisassociateHaVip(params::membership(p)?),
        Operation::CreateHaVip => Call::CreateHaVip(params::create(p)?),
        Operation::DeleteHaVip => Call::DeleteHaVip(params::delete(p)?),
        Operation::DescribeHaVips => Call::DescribeHaVips(params::describe(p)?),
        Operation::ModifyHaVipAttributes => Call::ModifyHaVipAttributes(params::modify(p)?),
        Operation::TagResources => Call::TagResources(params::tag(p)?),
        Operation::UntagResources => Call::UntagResources(params::untag(p)?),
        Operation::ListTagsForResources => Call::ListTagsForResources(params::list_tags(p)?),
        Operation::DescribeSubnets => Call::DescribeSubnets(params::describe_subnets(p)?),
        Operation::DescribeNetworkInterfaces => {
            Call::DescribeNetworkInterfaces(params::describe_network_interfaces(p)?)
        }
    })
}

/// Runs one call as `caller`.
pub async fn run(call: Call, service: &Service, caller: &Caller) -> ActionResult {
    match call {
        Call::AssociateHaVip(c) => membership::associate(service, caller, c).await,
        Call::DisassociateHaVip(c) => membership::disassociate(service, caller, c).await,
        Call::CreateHaVip(c) => create::run(service, caller, c).await,
        Call::DeleteHaVip(c) => delete::run(service, caller, c).await,
        Call::DescribeHaVips(c) => describe::run(service, caller, c).await,
        Call::ModifyHaVipAttributes(c) => modify::run(service, caller, c).await,
        Call::TagResources(c) => tags::tag(service, caller, c).await,
        Call::UntagResources(c) => tags::untag(service, caller, c).await,
        Call::ListTagsForResources(c) => tags::list(service, caller, c).await,
        Call::DescribeSubnets(c) => lookups::subnets(service, caller, c).await,
        Call::DescribeNetworkInterfaces(c) => lookups::network_interfaces(service, caller, c).await,
    }
}
