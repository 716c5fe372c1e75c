//! AssociateHaVip: `HaVipId`, `InstanceId` (required), `InstanceType` (`EcsInstance`, the
//! default, or `NetworkInterface`), `ClientToken` → `{}`. Asynchronous: the HaVip shows
//! `Associating` until the worker completes the change.

use havip_service::{Caller, Service};

use super::{empty, Membership};
use crate::answers::Answer;
use crate::errors::FaceError;
use crate::params::Params;

pub fn parse(p: &Params) -> Result<Membership, FaceError> {
    Membership::parse(p, false)
}

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: Membership,
) -> Result<Answer, FaceError> {
    service
        .associate(
            caller,
            &call.havip,
            &call.target,
            call.client_token.as_deref(),
        )
        .await?;
    Ok(empty())
}
