//! Errors of the native API as RFC 7807 `application/problem+json` answers, and the one
//! table that maps each domain error to its HTTP status and stable code.

use axum::response::{IntoResponse, Response};
use havip_core::DomainError;
use havip_service::ServiceError;
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Everything the native API can answer with instead of a success.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the store is unavailable; try again later")]
    Unavailable,
    #[error("a valid `Authorization: Bearer <admin token>` header is required")]
    Unauthorized,
    #[error("the access key {0:?} does not exist")]
    AccessKeyNotFound(String),
    #[error("no route {0}")]
    RouteNotFound(String),
    #[error("the method {method} is not allowed on {path}")]
    MethodNotAllowed { method: String, path: String },
    #[error("the request body is not valid JSON of the expected shape: {0}")]
    InvalidBody(String),
    #[error("the request body must be application/json")]
    UnsupportedMediaType,
    #[error("the request body is larger than 1 MiB")]
    PayloadTooLarge,
}

impl From<ServiceError> for NativeError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Domain(d) => NativeError::Domain(d),
            ServiceError::Store(s) => {
                tracing::warn!(error = %s, "store failure behind a native API request");
                NativeError::Unavailable
            }
        }
    }
}

pub type NativeResult<T> = Result<T, NativeError>;

/// The HTTP status and stable code of every domain error: the native API's error table.
pub fn domain_status_and_code(e: &DomainError) -> (StatusCode, &'static str) {
    use DomainError as D;
    use StatusCode as S;
    match e {
        // shape of the request
        D::MissingParameter(_) => (S::BAD_REQUEST, "MissingParameter"),
        D::InvalidParameter { .. } => (S::BAD_REQUEST, "InvalidParameter"),
        D::ClientTokenMalformed => (S::BAD_REQUEST, "ClientTokenMalformed"),
        D::InstanceTypeMalformed(_) => (S::BAD_REQUEST, "InstanceTypeMalformed"),
        D::NameMalformed => (S::BAD_REQUEST, "NameMalformed"),
        D::DescriptionMalformed => (S::BAD_REQUEST, "DescriptionMalformed"),
        D::IpMalformed(_) => (S::BAD_REQUEST, "IpMalformed"),
        D::TagKeyMalformed(_) => (S::BAD_REQUEST, "TagKeyMalformed"),
        D::TagValueMalformed(_) => (S::BAD_REQUEST, "TagValueMalformed"),
        D::TagKeyDuplicated(_) => (S::BAD_REQUEST, "TagKeyDuplicated"),
        D::CidrMalformed(_) => (S::BAD_REQUEST, "CidrMalformed"),
        D::CidrOutsideVpc => (S::BAD_REQUEST, "CidrOutsideVpc"),
        D::IpOutOfRange(_) => (S::BAD_REQUEST, "IpOutOfRange"),
        D::IpReserved(_) => (S::BAD_REQUEST, "IpReserved"),
        // existence
        D::RegionNotFound(_) => (S::NOT_FOUND, "RegionNotFound"),
        D::HaVipNotFound(_) => (S::NOT_FOUND, "HaVipNotFound"),
        D::InstanceNotFound(_) => (S::NOT_FOUND, "InstanceNotFound"),
        D::EniNotFound(_) => (S::NOT_FOUND, "EniNotFound"),
        D::SubnetNotFound(_) => (S::NOT_FOUND, "SubnetNotFound"),
        D::VpcNotFound(_) => (S::NOT_FOUND, "VpcNotFound"),
        D::AccountNotFound(_) => (S::NOT_FOUND, "AccountNotFound"),
        D::AlreadyExists(_) => (S::CONFLICT, "AlreadyExists"),
        // status
        D::HaVipStatus { .. } => (S::CONFLICT, "HaVipStatus"),
        D::InstanceStatus { .. } => (S::CONFLICT, "InstanceStatus"),
        // relations
        D::AlreadyAssociated => (S::CONFLICT, "AlreadyAssociated"),
        D::MixedTypes { .. } => (S::CONFLICT, "MixedTypes"),
        D::FreeEni => (S::CONFLICT, "FreeEni"),
        D::ServiceManagedEni => (S::CONFLICT, "ServiceManagedEni"),
        D::TwoEnisOfOneInstance => (S::CONFLICT, "TwoEnisOfOneInstance"),
        D::DifferentSubnet => (S::CONFLICT, "DifferentSubnet"),
        D::NotAssociated => (S::CONFLICT, "NotAssociated"),
        D::UnassociateMaster => (S::CONFLICT, "UnassociateMaster"),
        D::EniCarriesHaVip => (S::CONFLICT, "EniCarriesHaVip"),
        D::EniAttached => (S::CONFLICT, "EniAttached"),
        D::EniIsPrimary => (S::CONFLICT, "EniIsPrimary"),
        D::EipBound => (S::CONFLICT, "EipBound"),
        D::MasterFollowsArp => (S::CONFLICT, "MasterFollowsArp"),
        // limits
        D::InstancesPerHaVipLimit { .. } => (S::CONFLICT, "InstancesPerHaVipLimit"),
        D::HaVipsPerInstanceLimit { .. } => (S::CONFLICT, "HaVipsPerInstanceLimit"),
        D::HaVipQuotaExceeded { .. } => (S::CONFLICT, "HaVipQuotaExceeded"),
        D::TooManyTags { .. } => (S::CONFLICT, "TooManyTags"),
        // addresses
        D::IpInUse(_) => (S::CONFLICT, "IpInUse"),
        D::SubnetExhausted => (S::CONFLICT, "SubnetExhausted"),
        // idempotency
        D::IdempotentParameterMismatch => (S::CONFLICT, "IdempotentParameterMismatch"),
        D::IdempotentProcessing => (S::CONFLICT, "IdempotentProcessing"),
    }
}

impl NativeError {
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            NativeError::Domain(d) => domain_status_and_code(d),
            NativeError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable"),
            NativeError::Unauthorized => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            NativeError::AccessKeyNotFound(_) => (StatusCode::NOT_FOUND, "AccessKeyNotFound"),
            NativeError::RouteNotFound(_) => (StatusCode::NOT_FOUND, "RouteNotFound"),
            NativeError::MethodNotAllowed { .. } => {
                (StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed")
            }
            NativeError::InvalidBody(_) => (StatusCode::BAD_REQUEST, "InvalidBody"),
            NativeError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaType")
            }
            NativeError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, code) = self.status_and_code();
        Problem {
            kind: format!("urn:havip:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: code.to_string(),
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
}

impl IntoResponse for NativeError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut resp = (status, body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        if matches!(self, NativeError::Unauthorized) {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use havip_core::error::Action;
    use havip_core::{HaVipStatus, InstanceStatus, MemberKind};
    use std::net::Ipv4Addr;

    /// One row per variant: (error, status, code).
    fn table() -> Vec<(DomainError, u16, &'static str)> {
        let ip = Ipv4Addr::new(10, 0, 0, 1);
        vec![
            (DomainError::MissingParameter("x"), 400, "MissingParameter"),
            (DomainError::invalid("x", "y"), 400, "InvalidParameter"),
            (
                DomainError::ClientTokenMalformed,
                400,
                "ClientTokenMalformed",
            ),
            (
                DomainError::InstanceTypeMalformed("x".into()),
                400,
                "InstanceTypeMalformed",
            ),
            (DomainError::NameMalformed, 400, "NameMalformed"),
            (
                DomainError::DescriptionMalformed,
                400,
                "DescriptionMalformed",
            ),
            (DomainError::IpMalformed("x".into()), 400, "IpMalformed"),
            (
                DomainError::TagKeyMalformed("x".into()),
                400,
                "TagKeyMalformed",
            ),
            (
                DomainError::TagValueMalformed("x".into()),
                400,
                "TagValueMalformed",
            ),
            (
                DomainError::TagKeyDuplicated("x".into()),
                400,
                "TagKeyDuplicated",
            ),
            (DomainError::CidrMalformed("x".into()), 400, "CidrMalformed"),
            (DomainError::CidrOutsideVpc, 400, "CidrOutsideVpc"),
            (DomainError::IpOutOfRange(ip), 400, "IpOutOfRange"),
            (DomainError::IpReserved(ip), 400, "IpReserved"),
            (
                DomainError::RegionNotFound("x".into()),
                404,
                "RegionNotFound",
            ),
            (DomainError::HaVipNotFound("x".into()), 404, "HaVipNotFound"),
            (
                DomainError::InstanceNotFound("x".into()),
                404,
                "InstanceNotFound",
            ),
            (DomainError::EniNotFound("x".into()), 404, "EniNotFound"),
            (
                DomainError::SubnetNotFound("x".into()),
                404,
                "SubnetNotFound",
            ),
            (DomainError::VpcNotFound("x".into()), 404, "VpcNotFound"),
            (
                DomainError::AccountNotFound("x".into()),
                404,
                "AccountNotFound",
            ),
            (DomainError::AlreadyExists("x".into()), 409, "AlreadyExists"),
            (
                DomainError::HaVipStatus {
                    status: HaVipStatus::Creating,
                    action: Action::Associate,
                },
                409,
                "HaVipStatus",
            ),
            (
                DomainError::InstanceStatus {
                    status: InstanceStatus::Pending,
                    via_eni: false,
                },
                409,
                "InstanceStatus",
            ),
            (DomainError::AlreadyAssociated, 409, "AlreadyAssociated"),
            (
                DomainError::MixedTypes {
                    carried: MemberKind::EcsInstance,
                },
                409,
                "MixedTypes",
            ),
            (DomainError::FreeEni, 409, "FreeEni"),
            (DomainError::ServiceManagedEni, 409, "ServiceManagedEni"),
            (
                DomainError::TwoEnisOfOneInstance,
                409,
                "TwoEnisOfOneInstance",
            ),
            (DomainError::DifferentSubnet, 409, "DifferentSubnet"),
            (DomainError::NotAssociated, 409, "NotAssociated"),
            (DomainError::MasterFollowsArp, 409, "MasterFollowsArp"),
            (DomainError::UnassociateMaster, 409, "UnassociateMaster"),
            (DomainError::EniCarriesHaVip, 409, "EniCarriesHaVip"),
            (DomainError::EniAttached, 409, "EniAttached"),
            (DomainError::EniIsPrimary, 409, "EniIsPrimary"),
            (DomainError::EipBound, 409, "EipBound"),
            (
                DomainError::InstancesPerHaVipLimit { limit: 2 },
                409,
                "InstancesPerHaVipLimit",
            ),
            (
                DomainError::HaVipsPerInstanceLimit { limit: 5 },
                409,
                "HaVipsPerInstanceLimit",
            ),
            (
                DomainError::HaVipQuotaExceeded { limit: 50 },
                409,
                "HaVipQuotaExceeded",
            ),
            (DomainError::TooManyTags { limit: 20 }, 409, "TooManyTags"),
            (DomainError::IpInUse(ip), 409, "IpInUse"),
            (DomainError::SubnetExhausted, 409, "SubnetExhausted"),
            (
                DomainError::IdempotentParameterMismatch,
                409,
                "IdempotentParameterMismatch",
            ),
            (
                DomainError::IdempotentProcessing,
                409,
                "IdempotentProcessing",
            ),
        ]
    }

    #[test]
    fn every_domain_error_has_its_row() {
        for (err, status, code) in table() {
            let (s, c) = domain_status_and_code(&err);
            assert_eq!((s.as_u16(), c), (status, code), "{err:?}");
            let p = NativeError::Domain(err).problem();
            assert_eq!(p.status, status);
            assert_eq!(p.code, code);
            assert!(p.kind.ends_with(code));
        }
    }

    #[test]
    fn native_errors_have_their_statuses() {
        let rows = [
            (NativeError::Unavailable, 503),
            (NativeError::Unauthorized, 401),
            (NativeError::AccessKeyNotFound("k".into()), 404),
            (NativeError::RouteNotFound("/x".into()), 404),
            (
                NativeError::MethodNotAllowed {
                    method: "PUT".into(),
                    path: "/v1/regions".into(),
                },
                405,
            ),
            (NativeError::InvalidBody("x".into()), 400),
            (NativeError::UnsupportedMediaType, 415),
            (NativeError::PayloadTooLarge, 413),
        ];
        for (e, status) in rows {
            assert_eq!(e.problem().status, status, "{e:?}");
        }
    }

    #[test]
    fn store_failures_are_unavailable() {
        let e: NativeError = ServiceError::unavailable("down").into();
        assert!(matches!(e, NativeError::Unavailable));
    }
}
