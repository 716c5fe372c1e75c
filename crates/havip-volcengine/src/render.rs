//! The Volcengine envelope on every answer:
//! `{"ResponseMetadata": {RequestId, Action, Version, Service, Region, Error?}, "Result": {...}}`,
//! and how a HaVip is shown through this face (statuses, times, field names).

use axum::response::{IntoResponse, Response};
use chrono::{FixedOffset, TimeZone};
use havip_core::{HaVip, HaVipStatus, Profile};
use http::{header, HeaderValue, StatusCode};
use serde_json::{json, Map, Value};

use crate::errors::ErrorSpec;

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
pub fn ok(meta: &Meta, result: Map<String, Value>) -> Response {
    respond(StatusCode::OK, &ok_body(meta, result), &meta.request_id)
}

/// The body of a success.
pub fn ok_body(meta: &Meta, mut result: Map<String, Value>) -> Value {
    result.insert("RequestId".into(), json!(meta.request_id));
    json!({ "ResponseMetadata": metadata(meta), "Result": result })
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

/// The statuses Volcengine documents for a HaVip, the only ones this face shows.
pub const STATUSES: [HaVipStatus; 4] = [
    HaVipStatus::Creating,
    HaVipStatus::Available,
    HaVipStatus::InUse,
    HaVipStatus::Deleting,
];

/// A HaVip's status as this face shows it: Volcengine documents no transient association
/// status, so its profile shows, while an association change is in flight, the status
/// the HaVip had before the change (`HaVip::settled_status`), never Associating or
/// Unassociating.
pub fn status(profile: &Profile, h: &HaVip) -> &'static str {
    profile.shown_status(h).as_str()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The HaVip as DescribeHaVips lists it, as JSON.
    fn item(h: &HaVip) -> Value {
        serde_json::to_value(crate::answers::HaVipItem::of(&crate::profile::profile(), h))
            .expect("json")
    }

    use havip_core::{Member, MemberKind, MemberState};

    fn member(id: &str, state: MemberState, position: i64) -> Member {
        Member {
            id: id.into(),
            kind: MemberKind::EcsInstance,
            instance: id.into(),
            state,
            position,
        }
    }

    fn sample(status: HaVipStatus, members: Vec<Member>) -> HaVip {
        HaVip {
            id: "havip-1".into(),
            account: "a".into(),
            region: "cn-beijing".into(),
            vpc: "vpc-1".into(),
            subnet: "subnet-1".into(),
            ip: "192.168.1.100".parse().unwrap(),
            name: String::new(),
            description: String::new(),
            status,
            master: members
                .iter()
                .find(|m| m.state != MemberState::Associating)
                .map(|m| m.id.clone()),
            master_claim: None,
            members,
            tags: Default::default(),
            eip: None,
            resource_group: String::new(),
            pending: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn statuses_and_times() {
        assert_eq!(time(0), "1970-01-01T08:00:00+08:00");
        for s in STATUSES {
            assert_eq!(
                status(&crate::profile::profile(), &sample(s, Vec::new())),
                s.as_str()
            );
        }
    }

    #[test]
    fn a_change_in_flight_shows_the_havip_as_it_was() {
        // Associating on an Available HaVip: Available, nothing listed, no type.
        let h = sample(
            HaVipStatus::Associating,
            vec![member("i-1", MemberState::Associating, 0)],
        );
        let j = item(&h);
        assert_eq!(j["Status"], "Available");
        assert_eq!(j["AssociatedInstanceIds"], json!([]));
        assert_eq!(j["AssociatedInstanceType"], "");
        assert_eq!(j["MasterInstanceId"], "");
        // Associating a second member: InUse with the first only.
        let h = sample(
            HaVipStatus::Associating,
            vec![
                member("i-1", MemberState::Associated, 0),
                member("i-2", MemberState::Associating, 1),
            ],
        );
        let j = item(&h);
        assert_eq!(j["Status"], "InUse");
        assert_eq!(j["AssociatedInstanceIds"], json!(["i-1"]));
        assert_eq!(j["AssociatedInstanceType"], "EcsInstance");
        // Disassociating the last member: InUse, the leaving member still listed.
        let h = sample(
            HaVipStatus::Unassociating,
            vec![member("i-1", MemberState::Disassociating, 0)],
        );
        let j = item(&h);
        assert_eq!(j["Status"], "InUse");
        assert_eq!(j["AssociatedInstanceIds"], json!(["i-1"]));
        assert_eq!(j["MasterInstanceId"], "i-1");
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
