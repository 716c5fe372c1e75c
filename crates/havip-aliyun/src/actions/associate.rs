//! AssociateHaVip: `HaVipId`, `InstanceId` (required), `InstanceType` (`EcsInstance`, the
//! default, or `NetworkInterface`), `ClientToken` → `{}`. Asynchronous: the HaVip shows
//! `Associating` until the worker completes the change.

use havip_core::{MemberKind, Target};
use serde_json::Value;

use super::{empty, Ctx};
use crate::errors::FaceError;

pub async fn run(ctx: &Ctx<'_>) -> Result<Value, FaceError> {
    let p = ctx.params;
    let havip = p.required("HaVipId")?;
    let instance = p.required("InstanceId")?;
    let kind = MemberKind::parse_param(p.opt("InstanceType"))?;
    let token = ctx.client_token()?;
    let target = Target {
        kind,
        id: instance.to_string(),
    };
    ctx.state
        .service
        .associate(&ctx.caller, havip, &target, token.as_deref())
        .await?;
    Ok(empty())
}
