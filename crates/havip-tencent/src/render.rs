//! What goes on the wire: every answer is HTTP 200 with `Content-Type: application/json`
//! (exactly: the SDK reads `Response.Error` only then) and a typed body,
//! `{"Response": {<the answer's fields>, "RequestId"}}` or
//! `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`; and how a HaVip is shown
//! through this face (the fields of the SDK's `models.HaVip`, in its order).

use axum::response::{IntoResponse, Response};
use chrono::{FixedOffset, TimeZone};
use havip_core::{HaVip, HaVipStatus, MemberKind, Profile};
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

use crate::errors::ErrorSpec;

/// `FlushedTime` of a HaVip whose VIP never moved ("default when never updated").
pub const NEVER_FLUSHED: &str = "0000-00-00 00:00:00";

/// The envelope of every answer.
#[derive(Debug, Serialize)]
struct Envelope<'a, T: Serialize> {
    #[serde(rename = "Response")]
    response: Body<'a, T>,
}

#[derive(Debug, Serialize)]
struct Body<'a, T: Serialize> {
    #[serde(flatten)]
    answer: &'a T,
    #[serde(rename = "RequestId")]
    request_id: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorAnswer<'a> {
    error: ErrorBody<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

/// The body of an answer, as bytes.
pub fn body<T: Serialize>(request_id: &str, answer: &T) -> Vec<u8> {
    let envelope = Envelope {
        response: Body { answer, request_id },
    };
    // Serializing these structs cannot fail: strings, numbers, booleans and lists only.
    serde_json::to_vec(&envelope).unwrap_or_default()
}

/// The body of an error answer, as bytes.
pub fn error_body(request_id: &str, spec: &ErrorSpec) -> Vec<u8> {
    let answer = ErrorAnswer {
        error: ErrorBody {
            code: spec.code,
            message: &spec.message,
        },
    };
    body(request_id, &answer)
}

fn respond(body: Vec<u8>) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A success.
pub fn ok<T: Serialize>(request_id: &str, answer: &T) -> Response {
    respond(body(request_id, answer))
}

/// An error: HTTP 200 too.
pub fn error(request_id: &str, spec: &ErrorSpec) -> Response {
    respond(error_body(request_id, spec))
}

// --- the answers, one struct each, field names as the SDK's response models read them ----

/// CreateHaVip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateHaVipAnswer {
    pub ha_vip: HaVipView,
}

/// DescribeHaVips: `TotalCount` counts every match, not the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeHaVipsAnswer {
    pub total_count: u64,
    pub ha_vip_set: Vec<HaVipView>,
}

/// ModifyHaVipAttribute: the RequestId only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModifyHaVipAttributeAnswer {}

/// DeleteHaVip: the RequestId only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeleteHaVipAnswer {}

/// HaVipAssociateAddressIp: the RequestId only (never answered: havip has no EIPs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HaVipAssociateAddressIpAnswer {}

/// HaVipDisassociateAddressIp: the RequestId only (never answered: no EIP is ever bound).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HaVipDisassociateAddressIpAnswer {}

/// The answer of one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    CreateHaVip(Box<CreateHaVipAnswer>),
    DescribeHaVips(DescribeHaVipsAnswer),
    ModifyHaVipAttribute(ModifyHaVipAttributeAnswer),
    DeleteHaVip(DeleteHaVipAnswer),
    HaVipAssociateAddressIp(HaVipAssociateAddressIpAnswer),
    HaVipDisassociateAddressIp(HaVipDisassociateAddressIpAnswer),
}

// --- the HaVip -------------------------------------------------------------------------

/// `models.HaVip`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HaVipView {
    pub ha_vip_id: String,
    pub ha_vip_name: String,
    pub vip: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub network_interface_id: String,
    pub instance_id: String,
    pub address_ip: String,
    pub state: &'static str,
    pub created_time: String,
    pub business: String,
    pub ha_vip_association_set: Vec<AssociationView>,
    pub check_associate: bool,
    pub cdc_id: String,
    pub flushed_time: String,
    pub tag_set: Vec<TagView>,
}

/// `models.HaVipAssociation`: one member of the drift range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociationView {
    pub instance_id: String,
    pub ha_vip_id: String,
    pub instance_type: &'static str,
}

/// `models.Tag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagView {
    pub key: String,
    pub value: String,
}

/// Where the VIP is now: the master's instance and network interface (`""` when none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holder {
    pub instance_id: String,
    pub network_interface_id: String,
}

/// `State`, from the status the face's profile shows: `AVAILABLE` ("running": the VIP is
/// bound to an instance, the HaVip is InUse) or `UNBIND` (not bound: Creating, Available,
/// Deleting; Tencent documents no other state). With this face's profile an association
/// change in flight shows the status before it, so Associating and Unassociating are not
/// seen here; a profile that showed them would see the VIP held while a member leaves.
pub fn state(profile: &Profile, h: &HaVip) -> &'static str {
    match profile.shown_status(h) {
        HaVipStatus::InUse | HaVipStatus::Unassociating => "AVAILABLE",
        HaVipStatus::Creating
        | HaVipStatus::Available
        | HaVipStatus::Associating
        | HaVipStatus::Deleting => "UNBIND",
    }
}

/// `HaVipAssociation.InstanceType`.
pub fn instance_type(kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::EcsInstance => "CVM",
        MemberKind::NetworkInterface => "ENI",
    }
}

/// Store times (ms since the epoch) as Tencent writes them, `YYYY-MM-DD HH:MM:SS` in
/// Beijing time (UTC+8, no offset written).
pub fn time(ms: i64) -> String {
    let Some(beijing) = FixedOffset::east_opt(8 * 3600) else {
        return String::new();
    };
    match beijing.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => String::new(),
    }
}

/// The master as this face shows it: the member that holds the VIP, among the members
/// carried now (a member still being associated does not hold it yet).
pub fn master(h: &HaVip) -> Option<&havip_core::Member> {
    let id = h.master.as_deref()?;
    h.carried_members().find(|m| m.id == id)
}

/// One HaVip. `holder` is where [`master`] is (its instance and network interface);
/// the drift range is the members the HaVip carries, which havip always enforces (with a
/// data plane only they may announce the VIP): `CheckAssociate` is true.
pub fn havip(profile: &Profile, h: &HaVip, holder: &Holder) -> HaVipView {
    HaVipView {
        ha_vip_id: h.id.clone(),
        ha_vip_name: h.name.clone(),
        vip: h.ip.to_string(),
        vpc_id: h.vpc.clone(),
        subnet_id: h.subnet.clone(),
        network_interface_id: holder.network_interface_id.clone(),
        instance_id: holder.instance_id.clone(),
        address_ip: String::new(),
        state: state(profile, h),
        created_time: time(h.created_at),
        business: String::new(),
        ha_vip_association_set: h
            .carried_members()
            .map(|m| AssociationView {
                instance_id: m.id.clone(),
                ha_vip_id: h.id.clone(),
                instance_type: instance_type(m.kind),
            })
            .collect(),
        check_associate: true,
        cdc_id: String::new(),
        flushed_time: h
            .master_claim
            .as_ref()
            .map(|c| time(c.at))
            .unwrap_or_else(|| NEVER_FLUSHED.to_string()),
        tag_set: h
            .tags
            .iter()
            .map(|(k, v)| TagView {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
