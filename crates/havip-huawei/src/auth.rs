//! Who is calling: the SDK-HMAC-SHA256 signature (havip_signature::huawei) checked against
//! the access key's secret, `X-Sdk-Date` within 15 minutes, then the project id (path, or
//! `X-Project-Id` for `/v2.0`) mapped to the caller's (account, region). Failures are the
//! API gateway's: 401 APIGW.0301 for credentials, 403 APIGW.0302 for a foreign project.

use std::sync::Arc;

use havip_api::auth::{self, AuthFailure, ReadFailure, SignatureScheme};
use havip_api::{AppState, BodyError, Incoming};
use havip_core::Profile;
use havip_service::Caller;
use havip_signature::{huawei, SignatureError};

use crate::errors::FaceError;

/// Where a request names its project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectSource {
    /// `/v1/{project_id}/...`; an `X-Project-Id` header, when sent, must be the same.
    Path(String),
    /// `/v2.0/...`: only the `X-Project-Id` header.
    Header,
}

const SCHEME: SignatureScheme = SignatureScheme {
    parse: huawei::parse,
    verify: huawei::verify,
    clock_window: havip_signature::check_clock_window,
};

/// The gateway's view of an authentication failure: an unknown and a disabled key are
/// one error.
fn refused(f: AuthFailure) -> FaceError {
    match f {
        AuthFailure::Signature(e) => signature_error(e),
        AuthFailure::UnknownKey(_) | AuthFailure::DisabledKey(_) => FaceError::UnknownAccessKey,
        // Huawei's scheme carries no nonce.
        AuthFailure::NonceUsed => FaceError::BadSignature("the request was replayed".into()),
        AuthFailure::Service(e) => e.into(),
    }
}

/// The account whose key signed the request (or the `--insecure-no-auth` account for an
/// unsigned request).
pub async fn account(state: &AppState, req: &Incoming) -> Result<String, FaceError> {
    let caller = auth::authenticate(state, req, SCHEME)
        .await
        .map_err(refused)?;
    Ok(caller.account().to_string())
}

/// Reads the request whole (see [`auth::read_request`]).
pub async fn read(state: &AppState, req: axum::extract::Request) -> Result<Incoming, FaceError> {
    auth::read_request(state, req, SCHEME)
        .await
        .map_err(|f| match f {
            ReadFailure::Auth { failure, .. } => refused(failure),
            ReadFailure::Body(BodyError::TooLarge) => FaceError::BodyTooLarge,
            ReadFailure::Body(BodyError::Broken | BodyError::TimedOut) => FaceError::BodyUnreadable,
            ReadFailure::Body(BodyError::Busy) => FaceError::Unavailable,
        })
}

/// The gateway's view of a signature failure.
pub fn signature_error(e: SignatureError) -> FaceError {
    match e {
        SignatureError::Missing => FaceError::Unsigned,
        SignatureError::TimestampExpired => FaceError::SignatureExpired,
        SignatureError::Mismatch {
            canonical_request, ..
        } => FaceError::BadSignature(format!(
            "canonicalRequest:{}",
            canonical_request.unwrap_or_default().replace('\n', "|")
        )),
        other => FaceError::BadSignature(other.to_string()),
    }
}

/// The caller for `account` in the request's project, and that project's id.
pub async fn caller(
    state: &AppState,
    profile: Arc<Profile>,
    req: &Incoming,
    account: &str,
    source: &ProjectSource,
) -> Result<(Caller, String), FaceError> {
    let header = req.header("x-project-id").map(str::trim);
    let project = match source {
        ProjectSource::Path(p) => {
            if header.is_some_and(|h| h != p) {
                return Err(FaceError::ProjectForbidden(format!(
                    "the project id in the path ({p}) is not the X-Project-Id header"
                )));
            }
            p.as_str()
        }
        ProjectSource::Header => header.ok_or_else(|| {
            FaceError::ProjectForbidden(
                "X-Project-Id is missing: give the project id to BasicCredentials(ak, sk, project_id)".into(),
            )
        })?,
    };
    if project.is_empty() || project == "{project_id}" {
        return Err(FaceError::ProjectForbidden(
            "no project id: give the project id to BasicCredentials(ak, sk, project_id)".into(),
        ));
    }
    match state.service.huawei_project(project).await? {
        Some(p) if p.account == account => Ok((Caller::tenant(profile, account, p.region), p.id)),
        _ => Err(FaceError::ProjectForbidden(format!(
            "project {project} is not a project of the caller's account"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use havip_signature::{ParsedAuth, RequestParts};

    /// Verifies a parsed request with the key's secret at `now`.
    fn check(
        parts: &RequestParts<'_>,
        parsed: &ParsedAuth,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), FaceError> {
        huawei::verify(parts, parsed, secret, now).map_err(signature_error)
    }

    use chrono::TimeDelta;
    use http::HeaderMap;

    /// The ECS bind request captured from huaweicloudsdkecs 3.1.219
    /// (shared/vectors/signatures.json, "ECS bind a VIP to a NIC").
    const PATH: &str = "/v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/cloudservers/nics/d0f8e3b4-1111-2222-3333-444444444444";
    const BODY: &[u8] = br#"{"nic": {"subnet_id": "a1b2c3d4-5555-6666-7777-888888888888", "ip_address": "192.168.0.100", "reverse_binding": true}}"#;
    const SECRET: &str = "vector-secret-0000000000000001";

    fn headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("user-agent", "huaweicloud-usdk-python/3.0; os/Linux##1_SMP_PREEMPT_DYNAMIC_@0#x86_64 python/3.11.7 impl/CPython; app/6a2517a5-e548-4d68-b9f4-364ae5296417"),
            ("accept-encoding", "gzip, deflate"),
            ("accept", "*/*"),
            ("connection", "keep-alive"),
            ("content-type", "application/json;charset=utf-8"),
            ("x-project-id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
            ("x-sdk-date", "20261121T234632Z"),
            ("host", "127.0.0.1:40167"),
            ("authorization", "SDK-HMAC-SHA256 Access=AKVECTOR00000001, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=5fb4af53a65ae7145a9aaf1472bc3b0288bad2cc69b9f8992ca8b0359a760fae"),
            ("content-length", "118"),
        ] {
            h.insert(k, v.parse().unwrap());
        }
        h
    }

    fn parts<'a>(h: &'a HeaderMap, body: &'a [u8]) -> RequestParts<'a> {
        RequestParts {
            method: "PUT",
            path: PATH,
            query: "",
            headers: h,
            body,
        }
    }

    #[test]
    fn the_sdk_request_verifies_and_a_changed_one_does_not() {
        let h = headers();
        let parsed = huawei::parse(&parts(&h, BODY)).unwrap();
        assert_eq!(parsed.access_key_id, "AKVECTOR00000001");
        let now = parsed.timestamp;
        assert_eq!(check(&parts(&h, BODY), &parsed, SECRET, now), Ok(()));
        // Within 15 minutes either way; not beyond.
        assert_eq!(
            check(
                &parts(&h, BODY),
                &parsed,
                SECRET,
                now + TimeDelta::minutes(14)
            ),
            Ok(())
        );
        assert_eq!(
            check(
                &parts(&h, BODY),
                &parsed,
                SECRET,
                now + TimeDelta::minutes(16)
            ),
            Err(FaceError::SignatureExpired)
        );
        assert_eq!(
            check(
                &parts(&h, BODY),
                &parsed,
                SECRET,
                now - TimeDelta::minutes(16)
            ),
            Err(FaceError::SignatureExpired)
        );
        // A changed body: the gateway message carries the canonical request (wire-huawei.md
        // 2.3: trailing slash, empty query line, signed headers, body hash), `|` for newlines.
        let tampered = [BODY, b" "].concat();
        let Err(FaceError::BadSignature(detail)) =
            check(&parts(&h, &tampered), &parsed, SECRET, now)
        else {
            panic!("a changed body must not verify");
        };
        assert!(detail.starts_with(&format!("canonicalRequest:PUT|{PATH}/||content-type:application/json;charset=utf-8|host:127.0.0.1:40167|")), "{detail}");
        assert!(detail.contains("|x-sdk-date:20261121T234632Z||content-type;host;user-agent;x-project-id;x-sdk-date|"), "{detail}");
        assert!(matches!(
            check(&parts(&h, BODY), &parsed, "other", now),
            Err(FaceError::BadSignature(_))
        ));
    }

    #[test]
    fn signature_errors_map_to_the_gateway() {
        assert_eq!(
            signature_error(SignatureError::Missing),
            FaceError::Unsigned
        );
        assert_eq!(
            signature_error(SignatureError::TimestampExpired),
            FaceError::SignatureExpired
        );
        assert!(matches!(
            signature_error(SignatureError::UnsupportedMethod("SDK-HMAC-SM3".into())),
            FaceError::BadSignature(_)
        ));
        assert!(matches!(
            signature_error(SignatureError::TimestampMalformed),
            FaceError::BadSignature(_)
        ));
    }

    #[test]
    fn an_unsigned_required_header_is_named_in_error_msg() {
        let mut h = headers();
        let without_project = h
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .replace("x-project-id;", "");
        h.insert("authorization", without_project.parse().unwrap());
        let e = huawei::parse(&parts(&h, BODY)).map_err(signature_error);
        let Err(e) = e else {
            panic!("x-project-id is sent, so it must be signed");
        };
        let (status, code, message) = crate::errors::gateway(&e).unwrap();
        assert_eq!((status.as_u16(), code), (401, "APIGW.0301"));
        assert!(
            message.contains("header x-project-id must be signed"),
            "{message}"
        );
    }

    #[test]
    fn a_request_signed_as_the_go_sdk_signs_it_verifies() {
        // huaweicloud-sdk-go-v3 `core/auth/signer/signer.go` (`extractSignedHeaders`): the
        // signed headers are the header parameters the SDK set, minus content-type and
        // names with `_`; Host is not among them (the HTTP client adds it).
        let mut h = headers();
        let signed = ["user-agent", "x-project-id", "x-sdk-date"];
        let creds = havip_signature::Credentials {
            access_key_id: "AKVECTOR00000001",
            secret: SECRET,
            security_token: None,
        };
        let a = huawei::authorization(&parts(&h, BODY), &signed, &creds).unwrap();
        assert!(
            a.contains("SignedHeaders=user-agent;x-project-id;x-sdk-date,"),
            "{a}"
        );
        h.insert("authorization", a.parse().unwrap());
        let parsed = huawei::parse(&parts(&h, BODY)).unwrap();
        assert_eq!(
            check(&parts(&h, BODY), &parsed, SECRET, parsed.timestamp),
            Ok(())
        );
    }
}
