//! HaVipAssociateAddressIp and HaVipDisassociateAddressIp. havip has no EIPs yet, so the
//! answers are the real API's for an account without them: associating any well-formed
//! `AddressIp` is `ResourceNotFound` (the address is not an EIP of the account), and
//! disassociating is `UnsupportedOperation.UnbindEIP` (the HaVip is bound to no EIP). The
//! HaVip is looked up first: one the caller does not have is `ResourceNotFound` too.

use havip_service::{Caller, Service};

use crate::errors::FaceError;
use crate::params::AssociateAddressCall;
use crate::render::Answer;

pub async fn associate(
    service: &Service,
    caller: &Caller,
    call: &AssociateAddressCall,
) -> Result<Answer, FaceError> {
    service.get_havip(caller, &call.havip_id).await?;
    Err(FaceError::AddressNotFound(call.address.to_string()))
}

pub async fn disassociate(
    service: &Service,
    caller: &Caller,
    havip_id: &str,
) -> Result<Answer, FaceError> {
    let havip = service.get_havip(caller, havip_id).await?;
    Err(FaceError::NoEipBound(havip.id))
}
