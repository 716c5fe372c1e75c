//! AssociateHaVip: `HaVipId`, `InstanceId` (required), `InstanceType` (`EcsInstance`, the
//! default, or `NetworkInterface`), `ClientToken` → `{}`. Asynchronous: the HaVip shows
//! `Associating` until the worker completes the change.

use super::{empty, Ctx};
use crate::answers::Answer;
use crate::errors::FaceError;

pub async fn run(ctx: &Ctx<'_>) -> Result<Answer, FaceError> {
    let (havip, target) = ctx.havip_and_target()?;
    let token = ctx.client_token()?;
    ctx.state
        .service
        .associate(&ctx.caller, havip, &target, token.as_deref())
        .await?;
    Ok(empty())
}
