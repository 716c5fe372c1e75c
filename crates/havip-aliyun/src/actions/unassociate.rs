//! UnassociateHaVip: `HaVipId`, `InstanceId` (required), `InstanceType`, `Force`
//! (`True`/`False` in any case, default false: the master needs `Force=True`),
//! `ClientToken` → `{}`. Asynchronous: the HaVip shows `Unassociating` meanwhile.

use havip_service::{Caller, Service};

use super::{empty, Membership};
use crate::answers::Answer;
use crate::errors::FaceError;
use crate::params::Params;

pub fn parse(p: &Params) -> Result<Membership, FaceError> {
    Membership::parse(p, true)
}

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: Membership,
) -> Result<Answer, FaceError> {
    service
        .disassociate(
            caller,
            &call.havip,
            &call.target,
            call.force,
            call.client_token.as_deref(),
        )
        .await?;
    Ok(empty())
}
