//! AssociateHaVip: `HaVipId`, `InstanceId` (required), `InstanceType` (`EcsInstance`, the
//! default, or `NetworkInterface`), `ClientToken` → `{}`. Asynchronous: the HaVip shows
//! `Associating` until the worker completes the change.

use serde_json::Value;

use super::{empty, Ctx};
use crate::errors::FaceError;

pub async fn run(ctx: &Ctx<'_>) -> Result<Value, FaceError> {
    let (havip, target) = ctx.havip_and_target()?;
    let token = ctx.client_token()?;
    ctx.state
        .service
        .associate(&ctx.caller, havip, &target, token.as_deref())
        .await?;
    Ok(empty())
}
