//! The six HaVip operations of Volcengine VPC 2020-04-01, each in its own module: a typed
//! call parsed by `params.rs`, one service call, and the `Result` fields of the answer.

mod create;
mod delete;
mod describe;
mod membership;
mod modify;

use havip_core::HaVip;
use havip_service::{Caller, Service};

use crate::answers::{Answer, AsyncTask};
use crate::errors::FaceError;
use crate::params::Params;

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
            _ => return None,
        })
    }
}

pub async fn run(
    op: Operation,
    service: &Service,
    caller: &Caller,
    params: &Params,
) -> ActionResult {
    match op {
        Operation::AssociateHaVip => membership::associate(service, caller, params).await,
        Operation::DisassociateHaVip => membership::disassociate(service, caller, params).await,
        Operation::CreateHaVip => create::run(service, caller, params).await,
        Operation::DeleteHaVip => delete::run(service, caller, params).await,
        Operation::DescribeHaVips => describe::run(service, caller, params).await,
        Operation::ModifyHaVipAttributes => modify::run(service, caller, params).await,
    }
}
