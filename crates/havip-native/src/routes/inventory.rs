//! Inventory handlers: accounts, access keys, Huawei projects, regions, VPCs, subnets,
//! instances (start/stop/status) and ENIs (attach/detach).

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use havip_api::SharedState;
use havip_core::query::Scope;
use havip_core::records::Project as HuaweiProject;
use havip_core::{DomainError, InstanceStatus};
use havip_service::{NewEni, NewInstance, NewSubnet, NewVpc};
use http::StatusCode;

use crate::dto::{
    AccessKeyDto, AccountDto, AttachEniReq, EmptyReq, EniDto, HuaweiProjectDto, InstanceDto,
    InstanceStatusReq, Items, NewAccessKeyReq, NewAccountReq, NewEniReq, NewHuaweiProjectReq,
    NewInstanceReq, NewSubnetReq, NewVpcReq, SubnetDto, VpcDto,
};
use crate::extract::{checked_id, JsonBody, PathId, QueryPairs};
use crate::problem::{NativeError, NativeResult};

/// `account` and `region` filters of a listing.
fn scope(q: &QueryPairs) -> NativeResult<Scope> {
    Ok(Scope {
        account: q.one("account")?,
        region: q.one("region")?,
    })
}

/// Keeps `items` whose field equals the filter, when the filter is given.
fn keep_if<T>(items: &mut Vec<T>, filter: Option<String>, field: impl Fn(&T) -> &str) {
    if let Some(want) = filter {
        items.retain(|i| field(i) == want);
    }
}

/// The item of `items` whose id is `id`, or that resource's "not found".
fn find_by_id<T>(
    items: Vec<T>,
    id: String,
    item_id: impl Fn(&T) -> &str,
    not_found: fn(String) -> DomainError,
) -> NativeResult<T> {
    match items.into_iter().find(|i| item_id(i) == id) {
        Some(item) => Ok(item),
        None => Err(not_found(id).into()),
    }
}

// --- accounts ------------------------------------------------------------------------

pub async fn list_accounts(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&[])?;
    let items = st.service.accounts().await?;
    Ok(Json(Items {
        items: items.iter().map(AccountDto::from).collect(),
    }))
}

pub async fn create_account(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<NewAccountReq>,
) -> NativeResult<impl IntoResponse> {
    let account = st
        .service
        .create_account(&req.id, req.name.as_deref().unwrap_or(""))
        .await?;
    Ok((StatusCode::CREATED, Json(AccountDto::from(&account))))
}

pub async fn get_account(
    State(st): State<SharedState>,
    PathId(id): PathId,
) -> NativeResult<impl IntoResponse> {
    let id = checked_id(id, DomainError::AccountNotFound)?;
    let account = find_by_id(
        st.service.accounts().await?,
        id,
        |a| &a.id,
        DomainError::AccountNotFound,
    )?;
    Ok(Json(AccountDto::from(&account)))
}

// --- access keys ---------------------------------------------------------------------

pub async fn list_access_keys(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&["account"])?;
    let account = q.one("account")?;
    let keys = st.service.access_keys(account.as_deref()).await?;
    Ok(Json(Items {
        items: keys.iter().map(AccessKeyDto::without_secret).collect(),
    }))
}

pub async fn create_access_key(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<NewAccessKeyReq>,
) -> NativeResult<impl IntoResponse> {
    let key = st
        .service
        .create_access_key(&req.account, req.id.as_deref(), req.secret.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(AccessKeyDto::with_secret(&key))))
}

pub async fn delete_access_key(
    State(st): State<SharedState>,
    PathId(id): PathId,
) -> NativeResult<impl IntoResponse> {
    if !havip_core::validate::id_syntax(&id) {
        return Err(NativeError::AccessKeyNotFound(id));
    }
    if st.service.delete_access_key(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(NativeError::AccessKeyNotFound(id))
    }
}

// --- Huawei projects and regions -------------------------------------------------------

pub async fn list_huawei_projects(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&["account"])?;
    let account = q.one("account")?;
    let items = st.service.huawei_projects(account.as_deref()).await?;
    Ok(Json(Items {
        items: items.iter().map(HuaweiProjectDto::from).collect(),
    }))
}

pub async fn create_huawei_project(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<NewHuaweiProjectReq>,
) -> NativeResult<impl IntoResponse> {
    let project = HuaweiProject {
        id: req.id,
        account: req.account,
        region: req.region,
    };
    let created = st.service.create_huawei_project(&project).await?;
    Ok((StatusCode::CREATED, Json(HuaweiProjectDto::from(&created))))
}

pub async fn list_regions(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&[])?;
    let items = st.service.regions().await?;
    Ok(Json(Items { items }))
}

// --- VPCs and subnets ----------------------------------------------------------------

pub async fn list_vpcs(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&["account", "region"])?;
    let items = st.service.vpcs(&scope(&q)?).await?;
    Ok(Json(Items {
        items: items.iter().map(VpcDto::from).collect(),
    }))
}

pub async fn create_vpc(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<NewVpcReq>,
) -> NativeResult<impl IntoResponse> {
    let new = NewVpc {
        id: req.id,
        account: req.account,
        region: req.region,
        cidr: req.cidr,
        name: req.name.unwrap_or_default(),
    };
    let vpc = st.service.create_vpc(&new).await?;
    Ok((StatusCode::CREATED, Json(VpcDto::from(&vpc))))
}

pub async fn get_vpc(
    State(st): State<SharedState>,
    PathId(id): PathId,
) -> NativeResult<impl IntoResponse> {
    let id = checked_id(id, DomainError::VpcNotFound)?;
    let vpc = find_by_id(
        st.service.vpcs(&Scope::default()).await?,
        id,
        |v| &v.id,
        DomainError::VpcNotFound,
    )?;
    Ok(Json(VpcDto::from(&vpc)))
}

pub async fn list_subnets(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&["account", "region", "vpc"])?;
    let mut items = st.service.subnets(&scope(&q)?).await?;
    keep_if(&mut items, q.one("vpc")?, |s| &s.vpc);
    Ok(Json(Items {
        items: items.iter().map(SubnetDto::from).collect(),
    }))
}

pub async fn create_subnet(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<NewSubnetReq>,
) -> NativeResult<impl IntoResponse> {
    let new = NewSubnet {
        id: req.id,
        vpc: req.vpc,
        zone: req.zone,
        cidr: req.cidr,
        name: req.name.unwrap_or_default(),
    };
    let subnet = st.service.create_subnet(&new).await?;
    Ok((StatusCode::CREATED, Json(SubnetDto::from(&subnet))))
}

pub async fn get_subnet(
    State(st): State<SharedState>,
    PathId(id): PathId,
) -> NativeResult<impl IntoResponse> {
    let id = checked_id(id, DomainError::SubnetNotFound)?;
    let subnet = find_by_id(
        st.service.subnets(&Scope::default()).await?,
        id,
        |s| &s.id,
        DomainError::SubnetNotFound,
    )?;
    Ok(Json(SubnetDto::from(&subnet)))
}

// --- instances -----------------------------------------------------------------------

pub async fn list_instances(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&["account", "region", "subnet", "status"])?;
    let mut items = st.service.instances(&scope(&q)?).await?;
    keep_if(&mut items, q.one("subnet")?, |i| &i.subnet);
    keep_if(&mut items, q.one("status")?, |i| i.status.as_str());
    Ok(Json(Items {
        items: items.iter().map(InstanceDto::from).collect(),
    }))
}

pub async fn create_instance(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<NewInstanceReq>,
) -> NativeResult<impl IntoResponse> {
    let new = NewInstance {
        id: req.id,
        subnet: req.subnet,
        status: req.status,
        primary_eni: req.primary_eni,
        ip: req.ip,
        name: req.name.unwrap_or_default(),
    };
    let instance = st.service.create_instance(&new).await?;
    Ok((StatusCode::CREATED, Json(InstanceDto::from(&instance))))
}

pub async fn get_instance(
    State(st): State<SharedState>,
    PathId(id): PathId,
) -> NativeResult<impl IntoResponse> {
    let id = checked_id(id, DomainError::InstanceNotFound)?;
    let instance = st.service.instance(&id).await?;
    Ok(Json(InstanceDto::from(&instance)))
}

async fn set_status(
    st: &SharedState,
    id: String,
    status: InstanceStatus,
) -> NativeResult<Json<InstanceDto>> {
    let id = checked_id(id, DomainError::InstanceNotFound)?;
    let instance = st.service.set_instance_status(&id, status).await?;
    Ok(Json(InstanceDto::from(&instance)))
}

pub async fn start_instance(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(_): JsonBody<EmptyReq>,
) -> NativeResult<impl IntoResponse> {
    set_status(&st, id, InstanceStatus::Running).await
}

pub async fn stop_instance(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(_): JsonBody<EmptyReq>,
) -> NativeResult<impl IntoResponse> {
    set_status(&st, id, InstanceStatus::Stopped).await
}

pub async fn set_instance_status(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(req): JsonBody<InstanceStatusReq>,
) -> NativeResult<impl IntoResponse> {
    let status = InstanceStatus::parse(&req.status).ok_or_else(|| {
        DomainError::invalid(
            "status",
            format!(
                "{:?} is not one of Pending, Starting, Running, Stopping, Stopped",
                req.status
            ),
        )
    })?;
    set_status(&st, id, status).await
}

// --- ENIs ----------------------------------------------------------------------------

pub async fn list_enis(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&["account", "region", "subnet", "instance"])?;
    let mut items = st.service.enis(&scope(&q)?).await?;
    keep_if(&mut items, q.one("subnet")?, |e| &e.subnet);
    keep_if(&mut items, q.one("instance")?, |e| {
        e.instance.as_deref().unwrap_or("")
    });
    Ok(Json(Items {
        items: items.iter().map(EniDto::from).collect(),
    }))
}

pub async fn create_eni(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<NewEniReq>,
) -> NativeResult<impl IntoResponse> {
    let new = NewEni {
        id: req.id,
        subnet: req.subnet,
        instance: req.instance,
        ip: req.ip,
        mac: req.mac,
        service_managed: req.service_managed,
    };
    let eni = st.service.create_eni(&new).await?;
    Ok((StatusCode::CREATED, Json(EniDto::from(&eni))))
}

pub async fn get_eni(
    State(st): State<SharedState>,
    PathId(id): PathId,
) -> NativeResult<impl IntoResponse> {
    let id = checked_id(id, DomainError::EniNotFound)?;
    let eni = st.service.eni(&id).await?;
    Ok(Json(EniDto::from(&eni)))
}

pub async fn attach_eni(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(req): JsonBody<AttachEniReq>,
) -> NativeResult<impl IntoResponse> {
    let id = checked_id(id, DomainError::EniNotFound)?;
    let eni = st.service.attach_eni(&id, &req.instance).await?;
    Ok(Json(EniDto::from(&eni)))
}

pub async fn detach_eni(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(_): JsonBody<EmptyReq>,
) -> NativeResult<impl IntoResponse> {
    let id = checked_id(id, DomainError::EniNotFound)?;
    let eni = st.service.detach_eni(&id).await?;
    Ok(Json(EniDto::from(&eni)))
}
