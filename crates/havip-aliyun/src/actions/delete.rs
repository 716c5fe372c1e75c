//! DeleteHaVip: `HaVipId` (required), `ClientToken` → `{}`. Only an Available HaVip.

use super::{empty, Ctx};
use crate::answers::Answer;
use crate::errors::FaceError;

pub async fn run(ctx: &Ctx<'_>) -> Result<Answer, FaceError> {
    let id = ctx.params.required("HaVipId")?;
    let token = ctx.client_token()?;
    ctx.state
        .service
        .delete_havip(&ctx.caller, id, token.as_deref())
        .await?;
    Ok(empty())
}
