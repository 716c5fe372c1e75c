//! CreateHaVip: a HaVip in the caller's region, `Creating` until the worker completes it.

use havip_service::{Caller, Service};

use super::ActionResult;
use crate::answers::{Answer, AsyncTask, CreatedHaVip};
use crate::params::CreateCall;

pub async fn run(service: &Service, caller: &Caller, call: CreateCall) -> ActionResult {
    let created = service
        .create_havip(caller, &call.create, call.client_token.as_deref())
        .await?;
    let now = service.get_havip(caller, &created.id).await.ok();
    Ok(Answer::CreateHaVip(CreatedHaVip {
        task: AsyncTask::of(now.as_ref()),
        ha_vip_id: created.id,
        ip_address: created.ip.to_string(),
    }))
}
