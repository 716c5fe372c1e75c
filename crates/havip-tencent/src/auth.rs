//! Who is calling: the TC3-HMAC-SHA256 signature (havip_signature::tencent, with Tencent's
//! five-minute clock window) checked against the SecretId's secret; the account is the
//! key's. Unsigned requests are served as `state.insecure_account` when the server runs
//! with `--insecure-no-auth`. The region is not part of the signature: it is the
//! `X-TC-Region` header, read with the action and version (`lib.rs`).

use havip_api::auth::{self, AuthFailure, ReadFailure, SignatureScheme};
use havip_api::{AppState, BodyError, Incoming};
use havip_signature::{tencent, SignatureError};

use crate::errors::FaceError;

/// The service the credential scope must name.
pub const SERVICE: &str = "vpc";

/// A signature failure as Tencent's gateway answers it.
pub fn signature_error(e: SignatureError) -> FaceError {
    match e {
        SignatureError::Missing => {
            FaceError::InvalidAuthorization("the request carries no `Authorization` header".into())
        }
        SignatureError::Malformed(why) => FaceError::InvalidAuthorization(why),
        SignatureError::HeaderNotSigned(name) => FaceError::InvalidAuthorization(format!(
            "the header `{name}` must be signed: list it in SignedHeaders"
        )),
        SignatureError::UnsupportedMethod(method) => FaceError::InvalidAuthorization(format!(
            "`{method}` is not supported: sign with TC3-HMAC-SHA256 and a signed payload"
        )),
        SignatureError::TimestampMalformed => {
            FaceError::InvalidAuthorization("`X-TC-Timestamp` is not a Unix time in seconds".into())
        }
        SignatureError::TimestampExpired => FaceError::SignatureExpire,
        SignatureError::ContentHashMismatch | SignatureError::Mismatch { .. } => {
            FaceError::SignatureFailure
        }
    }
}

const SCHEME: SignatureScheme = SignatureScheme {
    parse: tencent::parse,
    verify: tencent::verify,
    clock_window: tencent::check_clock_window,
};

/// Tencent's view of an authentication failure: an unknown and a disabled SecretId are
/// one error.
fn refused(f: AuthFailure) -> FaceError {
    match f {
        AuthFailure::Signature(e) => signature_error(e),
        AuthFailure::UnknownKey(id) | AuthFailure::DisabledKey(id) => {
            FaceError::SecretIdNotFound(id)
        }
        // Tencent's scheme carries no nonce.
        AuthFailure::NonceUsed => FaceError::SignatureFailure,
        AuthFailure::Service(e) => e.into(),
    }
}

/// Reads the request whole (see [`auth::read_request`]).
pub async fn read(state: &AppState, req: axum::extract::Request) -> Result<Incoming, FaceError> {
    auth::read_request(state, req, SCHEME)
        .await
        .map_err(|f| match f {
            ReadFailure::Auth { failure, .. } => refused(failure),
            ReadFailure::Body(BodyError::TooLarge) => {
                FaceError::RequestTooLarge("a body holds at most 1 MiB")
            }
            ReadFailure::Body(BodyError::Broken | BodyError::TimedOut) => FaceError::BodyBroken,
            ReadFailure::Body(BodyError::Busy) => FaceError::Unavailable,
        })
}

/// Verifies the request and returns the caller's account.
pub async fn authenticate(state: &AppState, incoming: &Incoming) -> Result<String, FaceError> {
    let (parsed, account) = match auth::authenticate(state, incoming, SCHEME)
        .await
        .map_err(refused)?
    {
        auth::Caller::Unsigned { account } => return Ok(account),
        auth::Caller::Signed { parsed, key } => (parsed, key.account),
    };
    if parsed.service.as_deref() != Some(SERVICE) {
        return Err(FaceError::InvalidAuthorization(
            "`Service` in Credential not valid".into(),
        ));
    }
    if parsed
        .security_token
        .as_deref()
        .is_some_and(|t| !t.is_empty())
    {
        return Err(FaceError::TokenFailure);
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_errors_map_to_tencents_codes() {
        let code = |e| signature_error(e).spec().code;
        assert_eq!(
            code(SignatureError::Missing),
            "AuthFailure.InvalidAuthorization"
        );
        assert_eq!(
            code(SignatureError::Malformed("x".into())),
            "AuthFailure.InvalidAuthorization"
        );
        assert_eq!(
            code(SignatureError::HeaderNotSigned("host".into())),
            "AuthFailure.InvalidAuthorization"
        );
        assert_eq!(
            code(SignatureError::UnsupportedMethod("UNSIGNED-PAYLOAD".into())),
            "AuthFailure.InvalidAuthorization"
        );
        assert_eq!(
            code(SignatureError::TimestampMalformed),
            "AuthFailure.InvalidAuthorization"
        );
        assert_eq!(
            code(SignatureError::TimestampExpired),
            "AuthFailure.SignatureExpire"
        );
        assert_eq!(
            code(SignatureError::ContentHashMismatch),
            "AuthFailure.SignatureFailure"
        );
        assert_eq!(
            code(SignatureError::Mismatch {
                string_to_sign: String::new(),
                canonical_request: None
            }),
            "AuthFailure.SignatureFailure"
        );
    }
}
