//! DeleteHaVip: only a HaVip bound to nothing (and to no EIP). Tencent documents the delete
//! as asynchronous; until it completes the HaVip shows the state it had (`UNBIND`).

use havip_service::{Caller, Service};

use crate::errors::FaceError;
use crate::render::{Answer, DeleteHaVipAnswer};

pub async fn run(service: &Service, caller: &Caller, havip_id: &str) -> Result<Answer, FaceError> {
    service.delete_havip(caller, havip_id, None).await?;
    Ok(Answer::DeleteHaVip(DeleteHaVipAnswer {}))
}
