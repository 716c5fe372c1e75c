//! CreateHaVip: a HaVip in a subnet of the caller's VPC; the answer shows it at once
//! (`UNBIND`: Tencent's create is not asynchronous, and a HaVip still Creating here shows
//! the same).

use havip_core::query::Scope;
use havip_core::{ops, DomainError};
use havip_service::{Caller, Service};

use super::{name_error, view};
use crate::errors::FaceError;
use crate::params::CreateCall;
use crate::render::{Answer, CreateHaVipAnswer};

pub async fn run(
    service: &Service,
    caller: &Caller,
    call: &CreateCall,
) -> Result<Answer, FaceError> {
    let name = call.create.name.as_deref().unwrap_or_default();
    ops::check_create_shape(&caller.profile, &call.create)
        .map_err(|e| name_error(e.into(), caller, name))?;
    check_vpc(service, caller, call).await?;
    let created = service
        .create_havip(caller, &call.create, call.client_token.as_deref())
        .await
        .map_err(|e| name_error(e.into(), caller, name))?;
    let havip = service.get_havip(caller, &created.id).await?;
    Ok(Answer::CreateHaVip(Box::new(CreateHaVipAnswer {
        ha_vip: view(service, caller, &havip).await?,
    })))
}

/// `VpcId` must be one of the caller's VPCs in the region, and the subnet one of its
/// subnets (a subnet of another VPC does not exist there). A subnet the caller does not
/// have at all is left to the service, which answers the same.
async fn check_vpc(service: &Service, caller: &Caller, call: &CreateCall) -> Result<(), FaceError> {
    let scope = Scope {
        account: caller.account.clone(),
        region: caller.region.clone(),
    };
    let vpcs = service.vpcs(&scope).await?;
    if !vpcs.iter().any(|v| v.id == call.vpc) {
        return Err(DomainError::VpcNotFound(call.vpc.clone()).into());
    }
    let subnets = service.subnets(&scope).await?;
    match subnets.iter().find(|s| s.id == call.create.subnet) {
        Some(s) if s.vpc != call.vpc => {
            Err(DomainError::SubnetNotFound(call.create.subnet.clone()).into())
        }
        _ => Ok(()),
    }
}
