//! UnassociateHaVip: `HaVipId`, `InstanceId` (required), `InstanceType`, `Force`
//! (`True`/`False` in any case, default false: the master needs `Force=True`),
//! `ClientToken` → `{}`. Asynchronous: the HaVip shows `Unassociating` meanwhile.

use havip_core::{MemberKind, Target};
use serde_json::Value;

use super::{empty, Ctx};
use crate::errors::FaceError;

pub async fn run(ctx: &Ctx<'_>) -> Result<Value, FaceError> {
    let p = ctx.params;
    let havip = p.required("HaVipId")?;
    let instance = p.required("InstanceId")?;
    let kind = MemberKind::parse_param(p.opt("InstanceType"))?;
    let force = p.bool("Force", false)?;
    let token = ctx.client_token()?;
    let target = Target {
        kind,
        id: instance.to_string(),
    };
    ctx.state
        .service
        .disassociate(&ctx.caller, havip, &target, force, token.as_deref())
        .await?;
    Ok(empty())
}
