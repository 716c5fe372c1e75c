//! DeleteHaVip: only a HaVip that carries nothing and has no EIP; `Deleting`, then gone.

use havip_service::{Caller, Service};

use super::{async_task, ActionResult};
use crate::params::DeleteCall;

pub async fn run(service: &Service, caller: &Caller, call: DeleteCall) -> ActionResult {
    service
        .delete_havip(caller, &call.havip_id, call.client_token.as_deref())
        .await?;
    let now = service.get_havip(caller, &call.havip_id).await.ok();
    Ok(async_task(now.as_ref()))
}
