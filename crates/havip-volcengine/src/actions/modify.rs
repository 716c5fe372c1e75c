//! ModifyHaVipAttributes: name and/or description; omitted fields stay as they are.

use havip_service::{Caller, Service};

use super::ActionResult;
use crate::answers::{Answer, Empty};
use crate::params::ModifyCall;

pub async fn run(service: &Service, caller: &Caller, call: ModifyCall) -> ActionResult {
    service
        .modify_havip(
            caller,
            &call.havip_id,
            call.name.as_deref(),
            call.description.as_deref(),
        )
        .await?;
    Ok(Answer::Empty(Empty {}))
}
