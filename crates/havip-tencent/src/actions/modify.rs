//! ModifyHaVipAttribute: the name, the only attribute Tencent's HaVip has to modify.

use havip_service::{Caller, Service};

use super::name_error;
use crate::errors::FaceError;
use crate::params::ModifyCall;
use crate::render::{Answer, ModifyHaVipAttributeAnswer};

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: &ModifyCall,
) -> Result<Answer, FaceError> {
    service
        .modify_havip(caller, &call.havip_id, Some(&call.name), None)
        .await
        .map_err(|e| name_error(e.into(), caller, &call.name))?;
    Ok(Answer::ModifyHaVipAttribute(ModifyHaVipAttributeAnswer {}))
}
