//! CreateHaVip: `VSwitchId` (required), `IpAddress`, `Name`, `Description`, `Tag.N.*`,
//! `ResourceGroupId`, `ClientToken` → `{HaVipId, IpAddress}`.

use havip_core::ops::CreateHaVip;
use havip_service::{Caller, Service};

use super::client_token;
use crate::answers::{Answer, CreatedHaVip};
use crate::errors::FaceError;
use crate::params::{Params, MAX_TAG_INDEX};

#[derive(Debug)]
pub struct CreateCall {
    pub create: CreateHaVip,
    pub client_token: Option<String>,
}

pub fn parse(p: &Params) -> Result<CreateCall, FaceError> {
    let create = CreateHaVip {
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
    Ok(CreateCall {
        create,
        client_token: client_token(p)?,
    })
}

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: CreateCall,
) -> Result<Answer, FaceError> {
    let created = service
        .create_havip(caller, &call.create, call.client_token.as_deref())
        .await?;
    Ok(Answer::CreateHaVip(CreatedHaVip {
        ha_vip_id: created.id,
        ip_address: created.ip.to_string(),
    }))
}
