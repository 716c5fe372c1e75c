//! The Volcengine envelope on every answer:
//! `{"ResponseMetadata": {RequestId, Action, Version, Service, Region, Error?}, "Result": {...}}`,
//! and how a HaVip is shown through this face (statuses, times, field names).

use axum::response::{IntoResponse, Response};
use chrono::{FixedOffset, TimeZone};
use havip_core::{HaVip, HaVipStatus, MemberKind};
use http::{header, HeaderValue, StatusCode};
use serde_json::{json, Map, Value};

use crate::errors::ErrorSpec;
use crate::params::PROJECT;

/// What `ResponseMetadata` says about the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub request_id: String,
    pub action: String,
    pub version: String,
    pub region: String,
}

fn metadata(meta: &Meta) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("RequestId".into(), json!(meta.request_id));
    m.insert("Action".into(), json!(meta.action));
    m.insert("Version".into(), json!(meta.version));
    m.insert("Service".into(), json!(crate::auth::SERVICE));
    m.insert("Region".into(), json!(meta.region));
    m
}

fn respond(status: StatusCode, body: &Value, request_id: &str) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-tt-logid", v);
    }
    resp
}

/// A success: HTTP 200, `Result` with the fields given plus `RequestId`.
pub fn ok(meta: &Meta, mut result: Map<String, Value>) -> Response {
    result.insert("RequestId".into(), json!(meta.request_id));
    let body = json!({ "ResponseMetadata": metadata(meta), "Result": result });
    respond(StatusCode::OK, &body, &meta.request_id)
}

/// An error: its HTTP status and `ResponseMetadata.Error` with an integer `CodeN`.
pub fn error(meta: &Meta, spec: &ErrorSpec) -> Response {
    let mut m = metadata(meta);
    m.insert(
        "Error".into(),
        json!({ "CodeN": spec.code_n, "Code": spec.code, "Message": spec.message }),
    );
    respond(
        spec.status,
        &json!({ "ResponseMetadata": m }),
        &meta.request_id,
    )
}

/// A HaVip status as this face names it.
pub fn status(s: HaVipStatus) -> &'static str {
    match s {
        HaVipStatus::Creating => "Creating",
        HaVipStatus::Available => "Available",
        HaVipStatus::Associating => "Associating",
        HaVipStatus::Unassociating => "Disassociating",
        HaVipStatus::InUse => "InUse",
        HaVipStatus::Deleting => "Deleting",
    }
}

/// Store times (ms since the epoch) in Volcengine's style, RFC 3339 in Beijing time.
pub fn time(ms: i64) -> String {
    let Some(beijing) = FixedOffset::east_opt(8 * 3600) else {
        return String::new();
    };
    match beijing.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        None => String::new(),
    }
}

/// One HaVip as DescribeHaVips lists it.
pub fn havip(h: &HaVip) -> Value {
    let carried: Vec<&str> = h.carried_members().map(|m| m.id.as_str()).collect();
    let kind = h
        .carried_members()
        .next()
        .map(|m| m.kind)
        .or_else(|| h.member_kind());
    let tags: Vec<Value> = h
        .tags
        .iter()
        .map(|(k, v)| json!({ "Key": k, "Value": v }))
        .collect();
    json!({
        "HaVipId": h.id,
        "HaVipName": if h.name.is_empty() { &h.id } else { &h.name },
        "Description": h.description,
        "IpAddress": h.ip.to_string(),
        "Status": status(h.status),
        "VpcId": h.vpc,
        "SubnetId": h.subnet,
        "AccountId": h.account,
        "ProjectName": PROJECT,
        "AssociatedInstanceType": kind.map(MemberKind::as_str).unwrap_or(""),
        "AssociatedInstanceIds": carried,
        "AssociatedEipId": h.eip.clone().unwrap_or_default(),
        "AssociatedEipAddress": "",
        "MasterInstanceId": h.master.clone().unwrap_or_default(),
        "CreatedAt": time(h.created_at),
        "UpdatedAt": time(h.updated_at),
        "Tags": tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_times() {
        assert_eq!(status(HaVipStatus::Unassociating), "Disassociating");
        assert_eq!(status(HaVipStatus::InUse), "InUse");
        assert_eq!(time(0), "1970-01-01T08:00:00+08:00");
    }

    #[test]
    fn error_envelope_has_integer_code_n() {
        let meta = Meta {
            request_id: "r".into(),
            action: "A".into(),
            version: "2020-04-01".into(),
            region: "cn-beijing".into(),
        };
        let spec = crate::errors::FaceError::MissingSignature.spec();
        let resp = error(&meta, &spec);
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            resp.headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
    }
}
