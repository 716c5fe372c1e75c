//! UnassociateHaVip: `HaVipId`, `InstanceId` (required), `InstanceType`, `Force`
//! (`True`/`False` in any case, default false: the master needs `Force=True`),
//! `ClientToken` → `{}`. Asynchronous: the HaVip shows `Unassociating` meanwhile.

use super::{empty, Ctx};
use crate::answers::Answer;
use crate::errors::FaceError;

pub async fn run(ctx: &Ctx<'_>) -> Result<Answer, FaceError> {
    let (havip, target) = ctx.havip_and_target()?;
    let force = ctx.params.bool("Force", false)?;
    let token = ctx.client_token()?;
    ctx.state
        .service
        .disassociate(&ctx.caller, havip, &target, force, token.as_deref())
        .await?;
    Ok(empty())
}
