//! Who is calling: the TC3-HMAC-SHA256 signature (havip_signature::tencent, with Tencent's
//! five-minute clock window) checked against the SecretId's secret; the account is the
//! key's. Unsigned requests are served as `state.insecure_account` when the server runs
//! with `--insecure-no-auth`. The region is not part of the signature: it is the
//! `X-TC-Region` header, read with the action and version (`lib.rs`).

use havip_api::{now_utc, AppState, Incoming};
use havip_signature::{tencent, ParsedAuth, SignatureError};

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

/// (secret, account) of the SecretId a request claims, if the key exists and is enabled.
async fn usable_key(state: &AppState, auth: &ParsedAuth) -> Result<(String, String), FaceError> {
    state
        .service
        .access_key(&auth.access_key_id)
        .await?
        .filter(|k| k.enabled)
        .map(|k| (k.secret, k.account))
        .ok_or_else(|| FaceError::SecretIdNotFound(auth.access_key_id.clone()))
}

/// What can be checked before the body is read: when the headers carry TC3 credentials,
/// the key must exist and be enabled and `X-TC-Timestamp` be inside the window, with the
/// errors [`authenticate`] gives for the same faults; anything else is left to it.
pub async fn check_head(state: &AppState, head: &Incoming) -> Result<(), FaceError> {
    let Ok(auth) = tencent::parse(&head.parts()) else {
        return Ok(());
    };
    usable_key(state, &auth).await?;
    tencent::check_clock_window(&auth, now_utc(&state.service)).map_err(signature_error)
}

/// Verifies the request and returns the caller's account.
pub async fn authenticate(state: &AppState, incoming: &Incoming) -> Result<String, FaceError> {
    let parts = incoming.parts();
    let auth = match tencent::parse(&parts) {
        Ok(a) => a,
        Err(SignatureError::Missing) if state.insecure_account.is_some() => {
            return Ok(state.insecure_account.clone().unwrap_or_default());
        }
        Err(e) => return Err(signature_error(e)),
    };
    let (secret, account) = usable_key(state, &auth).await?;
    tencent::verify(&parts, &auth, &secret, now_utc(&state.service)).map_err(signature_error)?;
    if auth.service.as_deref() != Some(SERVICE) {
        return Err(FaceError::InvalidAuthorization(
            "`Service` in Credential not valid".into(),
        ));
    }
    if auth
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
