//! CreateHaVip: a HaVip in the caller's region, `Creating` until the worker completes it.

use havip_service::{Caller, Service};
use serde_json::json;

use super::{async_task, ActionResult};
use crate::params::{self, Params};

pub async fn run(service: &Service, caller: &Caller, p: &Params) -> ActionResult {
    let call = params::create(p)?;
    let created = service
        .create_havip(caller, &call.create, call.client_token.as_deref())
        .await?;
    let now = service.get_havip(caller, &created.id).await.ok();
    let mut out = async_task(now.as_ref());
    out.insert("HaVipId".into(), json!(created.id));
    out.insert("IpAddress".into(), json!(created.ip.to_string()));
    Ok(out)
}
