//! Check of the native face's request parser: every request body shape of `dto.rs`, read
//! as the face reads it (an empty body is `{}`); a refusal is a 400 problem.

use havip_native::dto::*;
use havip_native::problem::NativeError;
use serde::de::DeserializeOwned;

fn read<T: DeserializeOwned>(body: &[u8]) {
    let body = if body.is_empty() { &b"{}"[..] } else { body };
    if let Err(e) = serde_json::from_slice::<T>(body) {
        let (status, _) = NativeError::InvalidBody(e.to_string()).status_and_code();
        assert_eq!(status, http::StatusCode::BAD_REQUEST);
    }
}

pub fn native_dto(data: &[u8]) {
    read::<NewAccountReq>(data);
    read::<NewAccessKeyReq>(data);
    read::<NewHuaweiProjectReq>(data);
    read::<NewVpcReq>(data);
    read::<NewSubnetReq>(data);
    read::<NewInstanceReq>(data);
    read::<InstanceStatusReq>(data);
    read::<NewEniReq>(data);
    read::<AttachEniReq>(data);
    read::<EmptyReq>(data);
    read::<NewHaVipReq>(data);
    read::<ModifyHaVipReq>(data);
    read::<AssociateReq>(data);
    read::<DisassociateReq>(data);
    read::<FailoverReq>(data);
}
