//! HaVip handlers: list (filters and paging), create, get, modify, delete, associate,
//! disassociate, failover, tags, and the changes in flight (`/v1/operations`, and
//! finishing one at once). The
//! caller is the operator, who sees every account and region.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use havip_api::SharedState;
use havip_core::ops::CreateHaVip;
use havip_core::query::{HaVipQuery, Paging};
use havip_core::{validate, DomainError, HaVipStatus, MemberKind, Target};
use havip_service::{Caller, ServiceError};
use http::StatusCode;

use crate::dto::{
    AssociateReq, DisassociateReq, FailoverReq, HaVipDto, HaVipPageDto, Items, ModifyHaVipReq,
    NewHaVipReq, PendingDto,
};
use crate::extract::{checked_id, JsonBody, PathId, QueryPairs};
use crate::problem::NativeResult;

pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 500;

fn havip_id(id: String) -> NativeResult<String> {
    checked_id(id, DomainError::HaVipNotFound)
}

fn client_token(token: Option<&str>) -> NativeResult<Option<String>> {
    Ok(validate::client_token(token)?)
}

async fn answer(st: &SharedState, id: &str) -> NativeResult<Json<HaVipDto>> {
    let havip = st.service.get_havip(&st.service.operator(), id).await?;
    Ok(Json(HaVipDto::from(&havip)))
}

/// The filters of `GET /v1/havips`, checked.
fn havip_query(q: &QueryPairs) -> NativeResult<(HaVipQuery, u64, u64)> {
    q.allow(&[
        "account",
        "region",
        "vpc",
        "subnet",
        "status",
        "ip",
        "tag",
        "page",
        "page_size",
    ])?;
    let page = q.number("page", 1, 1, u64::MAX)?;
    let page_size = q.number("page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)?;
    let offset = (page - 1)
        .checked_mul(page_size)
        .filter(|o| i64::try_from(*o).is_ok())
        .ok_or_else(|| DomainError::invalid("page", "is too large"))?;
    let statuses = q.all("status");
    if let Some(bad) = statuses.iter().find(|s| HaVipStatus::parse(s).is_none()) {
        return Err(DomainError::invalid(
            "status",
            format!("{bad:?} is not one of Creating, Available, Associating, Unassociating, InUse, Deleting"),
        )
        .into());
    }
    let ips = q.all("ip");
    if let Some(bad) = ips
        .iter()
        .find(|ip| ip.parse::<std::net::Ipv4Addr>().is_err())
    {
        return Err(DomainError::IpMalformed(bad.clone()).into());
    }
    let mut tags: Vec<(String, Vec<String>)> = Vec::new();
    for tag in q.all("tag") {
        let (key, value) = match tag.split_once(':') {
            Some((k, v)) => (k.to_string(), vec![v.to_string()]),
            None => (tag.clone(), Vec::new()),
        };
        if key.is_empty() {
            return Err(DomainError::invalid("tag", "is key:value or key").into());
        }
        tags.push((key, value));
    }
    let query = HaVipQuery {
        account: q.one("account")?,
        region: q.one("region")?,
        vpcs: q.all("vpc"),
        subnets: q.all("subnet"),
        statuses,
        ips,
        tags,
        page: Paging::Offset {
            offset,
            limit: page_size,
        },
        ..HaVipQuery::default()
    };
    Ok((query, page, page_size))
}

pub async fn list_havips(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    let (query, page, page_size) = havip_query(&q)?;
    // The account and region filters are a caller's scope: the operator narrowed down.
    let caller = Caller {
        account: query.account.clone(),
        region: query.region.clone(),
        ..st.service.operator()
    };
    let found = match st.service.describe_havips(&caller, &query).await {
        Ok(found) => found,
        Err(ServiceError::Domain(DomainError::RegionNotFound(_))) => havip_core::query::HaVipPage {
            items: Vec::new(),
            total: 0,
        },
        Err(e) => return Err(e.into()),
    };
    Ok(Json(HaVipPageDto {
        items: found.items.iter().map(|(_, h)| HaVipDto::from(h)).collect(),
        total: found.total,
        page,
        page_size,
    }))
}

pub async fn create_havip(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<NewHaVipReq>,
) -> NativeResult<impl IntoResponse> {
    let token = client_token(req.client_token.as_deref())?;
    let create = CreateHaVip {
        subnet: req.subnet,
        ip: req.ip,
        name: req.name,
        description: req.description,
        tags: req.tags.into_iter().collect(),
        resource_group: None,
    };
    let created = st
        .service
        .create_havip(&st.service.operator(), &create, token.as_deref())
        .await?;
    let Json(havip) = answer(&st, &created.id).await?;
    Ok((StatusCode::CREATED, Json(havip)))
}

pub async fn get_havip(
    State(st): State<SharedState>,
    PathId(id): PathId,
) -> NativeResult<impl IntoResponse> {
    answer(&st, &havip_id(id)?).await
}

pub async fn modify_havip(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(req): JsonBody<ModifyHaVipReq>,
) -> NativeResult<impl IntoResponse> {
    let id = havip_id(id)?;
    let havip = st
        .service
        .modify_havip(
            &st.service.operator(),
            &id,
            req.name.as_deref(),
            req.description.as_deref(),
        )
        .await?;
    Ok(Json(HaVipDto::from(&havip)))
}

/// 204 when the HaVip is gone; 202 with the HaVip (Deleting) while the delete is in flight.
pub async fn delete_havip(
    State(st): State<SharedState>,
    PathId(id): PathId,
) -> NativeResult<Response> {
    let id = havip_id(id)?;
    st.service
        .delete_havip(&st.service.operator(), &id, None)
        .await?;
    match st.service.get_havip(&st.service.operator(), &id).await {
        Ok(h) => Ok((StatusCode::ACCEPTED, Json(HaVipDto::from(&h))).into_response()),
        Err(ServiceError::Domain(DomainError::HaVipNotFound(_))) => {
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The HaVip id, the target and the client token of an associate or disassociate,
/// checked in that order.
fn change_args(
    id: String,
    instance_id: String,
    instance_type: Option<&str>,
    client_token: Option<&str>,
) -> NativeResult<(String, Target, Option<String>)> {
    let id = havip_id(id)?;
    if instance_id.is_empty() {
        return Err(DomainError::MissingParameter("instance_id").into());
    }
    let target = Target {
        kind: MemberKind::parse_param(instance_type)?,
        id: instance_id,
    };
    Ok((id, target, self::client_token(client_token)?))
}

pub async fn associate(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(req): JsonBody<AssociateReq>,
) -> NativeResult<impl IntoResponse> {
    let (id, target, token) = change_args(
        id,
        req.instance_id,
        req.instance_type.as_deref(),
        req.client_token.as_deref(),
    )?;
    let havip = st
        .service
        .associate(&st.service.operator(), &id, &target, token.as_deref())
        .await?;
    Ok(Json(HaVipDto::from(&havip)))
}

pub async fn disassociate(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(req): JsonBody<DisassociateReq>,
) -> NativeResult<impl IntoResponse> {
    let (id, target, token) = change_args(
        id,
        req.instance_id,
        req.instance_type.as_deref(),
        req.client_token.as_deref(),
    )?;
    let havip = st
        .service
        .disassociate(
            &st.service.operator(),
            &id,
            &target,
            req.force,
            token.as_deref(),
        )
        .await?;
    Ok(Json(HaVipDto::from(&havip)))
}

pub async fn failover(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(req): JsonBody<FailoverReq>,
) -> NativeResult<impl IntoResponse> {
    let id = havip_id(id)?;
    let havip = st
        .service
        .failover(&st.service.operator(), &id, req.to.as_deref())
        .await?;
    Ok(Json(HaVipDto::from(&havip)))
}

/// Finishes the change in flight on a HaVip now, whatever the transition delay: 200 with
/// the HaVip, 204 when the change was a delete, 409 when nothing is in flight.
pub async fn complete_change(
    State(st): State<SharedState>,
    PathId(id): PathId,
) -> NativeResult<Response> {
    let id = havip_id(id)?;
    Ok(
        match st
            .service
            .complete_change_now(&st.service.operator(), &id)
            .await?
        {
            Some(h) => Json(HaVipDto::from(&h)).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

pub async fn put_tags(
    State(st): State<SharedState>,
    PathId(id): PathId,
    JsonBody(tags): JsonBody<std::collections::BTreeMap<String, String>>,
) -> NativeResult<impl IntoResponse> {
    let id = havip_id(id)?;
    let tags: Vec<(String, String)> = tags.into_iter().collect();
    st.service
        .tag_havips(&st.service.operator(), std::slice::from_ref(&id), &tags)
        .await?;
    answer(&st, &id).await
}

pub async fn delete_tags(
    State(st): State<SharedState>,
    PathId(id): PathId,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&["key"])?;
    let id = havip_id(id)?;
    let keys = q.all("key");
    if keys.is_empty() {
        return Err(DomainError::MissingParameter("key").into());
    }
    st.service
        .untag_havips(
            &st.service.operator(),
            std::slice::from_ref(&id),
            &keys,
            false,
        )
        .await?;
    answer(&st, &id).await
}

/// Every change in flight, soonest due first.
pub async fn list_operations(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<impl IntoResponse> {
    q.allow(&[])?;
    let query = HaVipQuery {
        statuses: HaVipStatus::ALL
            .into_iter()
            .filter(|s| s.is_transient())
            .map(|s| s.as_str().to_string())
            .collect(),
        page: Paging::Offset {
            offset: 0,
            limit: 100_000,
        },
        ..HaVipQuery::default()
    };
    let found = st
        .service
        .describe_havips(&st.service.operator(), &query)
        .await?;
    let mut pending: Vec<_> = found
        .items
        .iter()
        .filter_map(|(_, h)| {
            h.pending
                .as_ref()
                .map(|p| (p.due_at, PendingDto::of(p, Some(&h.id))))
        })
        .collect();
    pending.sort_by_key(|(due, _)| *due);
    Ok(Json(Items {
        items: pending.into_iter().map(|(_, p)| p).collect(),
    }))
}
