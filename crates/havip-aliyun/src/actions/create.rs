//! CreateHaVip: `VSwitchId` (required), `IpAddress`, `Name`, `Description`, `Tag.N.*`,
//! `ResourceGroupId`, `ClientToken` → `{HaVipId, IpAddress}`.

use havip_core::ops::CreateHaVip;

use super::Ctx;
use crate::answers::{Answer, CreatedHaVip};
use crate::errors::FaceError;
use crate::params::MAX_TAG_INDEX;

pub async fn run(ctx: &Ctx<'_>) -> Result<Answer, FaceError> {
    let p = ctx.params;
    let req = CreateHaVip {
        subnet: p.required("VSwitchId")?.to_string(),
        ip: p.opt("IpAddress").map(str::to_string),
        name: p.opt("Name").map(str::to_string),
        description: p.opt("Description").map(str::to_string),
        tags: p
            .key_values("Tag", MAX_TAG_INDEX)?
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect(),
        resource_group: p.opt("ResourceGroupId").map(str::to_string),
    };
    let token = ctx.client_token()?;
    let created = ctx
        .state
        .service
        .create_havip(&ctx.caller, &req, token.as_deref())
        .await?;
    Ok(Answer::CreateHaVip(CreatedHaVip {
        ha_vip_id: created.id,
        ip_address: created.ip.to_string(),
    }))
}
