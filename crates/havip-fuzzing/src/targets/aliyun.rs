//! Check of the Alibaba face's request parser: the merged query + form parameters read
//! with every typed reader the operations use; each refusal is a 4xx of the face's table,
//! whatever the operation.

use havip_aliyun::actions::Operation;
use havip_aliyun::errors::{table, FaceError};
use havip_aliyun::params::{Params, MAX_RESOURCE_IDS, MAX_TAG_INDEX, MAX_TAG_PARAMS};
use havip_core::{validate, MemberKind};
use havip_signature::aliyun::request_params;

use crate::request;

/// Parameters the operations read as plain values.
const SCALARS: [&str; 12] = [
    "Action",
    "Version",
    "RegionId",
    "HaVipId",
    "VSwitchId",
    "InstanceId",
    "ResourceType",
    "IpAddress",
    "Name",
    "Description",
    "ResourceGroupId",
    "NextToken",
];

pub fn aliyun_params(data: &[u8]) {
    let req = request::parse(data);
    let Ok(pairs) = request_params(&req.parts()) else {
        return;
    };
    let p = Params::new(pairs);
    let mut refusals: Vec<FaceError> = Vec::new();
    let mut keep = |r: Result<(), FaceError>| {
        if let Err(e) = r {
            refusals.push(e);
        }
    };
    for key in SCALARS {
        let _ = (p.get(key), p.opt(key));
        keep(p.required(key).map(drop));
    }
    keep(p.bool("Force", false).map(drop));
    keep(p.bool("All", false).map(drop));
    keep(p.int("PageNumber", 1, 1, u64::from(u32::MAX)).map(drop));
    keep(p.int("PageSize", 10, 1, 50).map(drop));
    keep(p.int("MaxResults", 20, 1, 1000).map(drop));
    keep(p.filters().map(drop));
    keep(p.key_values("Tag", MAX_TAG_INDEX).map(drop));
    keep(p.key_values("Tag", MAX_TAG_PARAMS).map(drop));
    keep(p.key_values("Tags", MAX_TAG_PARAMS).map(drop));
    keep(p.list("ResourceId", MAX_RESOURCE_IDS).map(drop));
    keep(p.list("TagKey", MAX_TAG_PARAMS).map(drop));
    keep(
        validate::client_token(p.get("ClientToken"))
            .map(drop)
            .map_err(FaceError::from),
    );
    keep(
        MemberKind::parse_param(p.opt("InstanceType"))
            .map(drop)
            .map_err(FaceError::from),
    );
    if let Some(action) = p.opt("Action") {
        let _ = Operation::parse(action);
    }
    for e in &refusals {
        for op in Operation::ALL.map(Some).into_iter().chain([None]) {
            let reply = table(e, op);
            assert!(
                reply.status.is_client_error(),
                "{e:?} in {op:?} answers {}",
                reply.status
            );
        }
    }
}
