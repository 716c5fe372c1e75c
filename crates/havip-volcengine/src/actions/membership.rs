//! AssociateHaVip and DisassociateHaVip: asynchronous; the answer carries only the
//! RequestId (and AsyncTaskId while the change is in flight). Until the worker is done the
//! HaVip shows the status and members it had before the change (Volcengine documents no
//! Associating/Disassociating status), and further changes get InvalidHaVip.InvalidStatus.

use havip_core::DomainError;
use havip_service::{Caller, Service};

use super::{async_task, ActionResult};
use crate::errors::FaceError;
use crate::params::MembershipCall;

pub async fn associate(service: &Service, caller: &Caller, call: MembershipCall) -> ActionResult {
    let havip = service
        .associate(
            caller,
            &call.havip_id,
            &call.target,
            call.client_token.as_deref(),
        )
        .await?;
    Ok(async_task(Some(&havip)))
}

pub async fn disassociate(
    service: &Service,
    caller: &Caller,
    call: MembershipCall,
) -> ActionResult {
    let done = service
        .disassociate(
            caller,
            &call.havip_id,
            &call.target,
            false,
            call.client_token.as_deref(),
        )
        .await;
    match done {
        Ok(havip) => Ok(async_task(Some(&havip))),
        // Naming the other member type than the one the HaVip carries is an operation
        // this HaVip does not support; any other unassociated pair is a mismatch.
        Err(havip_service::ServiceError::Domain(DomainError::NotAssociated)) => {
            let carried = service
                .get_havip(caller, &call.havip_id)
                .await
                .ok()
                .and_then(|h| h.carried_kind());
            match carried {
                Some(kind) if kind != call.target.kind => Err(FaceError::HaVipNotSupport),
                _ => Err(DomainError::NotAssociated.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}
