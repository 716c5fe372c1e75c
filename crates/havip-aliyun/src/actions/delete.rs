//! DeleteHaVip: `HaVipId` (required), `ClientToken` → `{}`. Only an Available HaVip.

use havip_service::{Caller, Service};

use super::{client_token, empty};
use crate::answers::Answer;
use crate::errors::FaceError;
use crate::params::Params;

#[derive(Debug)]
pub struct DeleteCall {
    pub havip: String,
    pub client_token: Option<String>,
}

pub fn parse(p: &Params) -> Result<DeleteCall, FaceError> {
    Ok(DeleteCall {
        havip: p.required("HaVipId")?.to_string(),
        client_token: client_token(p)?,
    })
}

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: DeleteCall,
) -> Result<Answer, FaceError> {
    service
        .delete_havip(caller, &call.havip, call.client_token.as_deref())
        .await?;
    Ok(empty())
}
