//! ModifyHaVipAttribute: `HaVipId` (required), `Name`, `Description`, `ClientToken` → `{}`.

use havip_service::{Caller, Service};

use super::{client_token, empty};
use crate::answers::Answer;
use crate::errors::FaceError;
use crate::params::Params;

#[derive(Debug)]
pub struct ModifyCall {
    pub havip: String,
    pub name: Option<String>,
    pub description: Option<String>,
}

/// The ClientToken is checked, and not kept: a modification is its own replay.
pub fn parse(p: &Params) -> Result<ModifyCall, FaceError> {
    let havip = p.required("HaVipId")?.to_string();
    client_token(p)?;
    Ok(ModifyCall {
        havip,
        name: p.opt("Name").map(str::to_string),
        description: p.opt("Description").map(str::to_string),
    })
}

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: ModifyCall,
) -> Result<Answer, FaceError> {
    service
        .modify_havip(
            caller,
            &call.havip,
            call.name.as_deref(),
            call.description.as_deref(),
        )
        .await?;
    Ok(empty())
}
