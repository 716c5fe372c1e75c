//! DeleteHaVip: `HaVipId` (required), `ClientToken` → `{}`. Only an Available HaVip.

use serde_json::Value;

use super::{empty, Ctx};
use crate::errors::FaceError;

pub async fn run(ctx: &Ctx<'_>) -> Result<Value, FaceError> {
    let id = ctx.params.required("HaVipId")?;
    let token = ctx.client_token()?;
    ctx.state
        .service
        .delete_havip(&ctx.caller, id, token.as_deref())
        .await?;
    Ok(empty())
}
