//! ModifyHaVipAttribute: `HaVipId` (required), `Name`, `Description`, `ClientToken` → `{}`.

use super::{empty, Ctx};
use crate::answers::Answer;
use crate::errors::FaceError;

pub async fn run(ctx: &Ctx<'_>) -> Result<Answer, FaceError> {
    let p = ctx.params;
    let id = p.required("HaVipId")?;
    ctx.client_token()?;
    ctx.state
        .service
        .modify_havip(&ctx.caller, id, p.opt("Name"), p.opt("Description"))
        .await?;
    Ok(empty())
}
