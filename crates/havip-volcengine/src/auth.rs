//! Who is calling: the Volcengine HMAC-SHA256 signature (havip_signature::volcengine)
//! checked against the access key's secret, with the credential-scope region selecting the
//! region. Unsigned requests are served as `state.insecure_account` when the server runs
//! with `--insecure-no-auth` (region from a `Region` header or parameter).

use havip_api::{now_utc, AppState, Incoming};
use havip_signature::{volcengine, ParsedAuth, SignatureError};
use havip_store::AccessKey;

use crate::errors::FaceError;
use crate::params::Params;

/// The service name the credential scope must carry.
pub const SERVICE: &str = "vpc";

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub region: String,
}

/// The region a request names, before it is verified (for `ResponseMetadata.Region`).
pub fn claimed_region(incoming: &Incoming, params: &Params) -> String {
    match volcengine::parse(&incoming.parts()) {
        Ok(auth) => auth.region.unwrap_or_default(),
        Err(_) => unsigned_region(incoming, params).unwrap_or_default(),
    }
}

fn unsigned_region(incoming: &Incoming, params: &Params) -> Option<String> {
    incoming
        .header("region")
        .filter(|r| !r.is_empty())
        .or_else(|| params.get("Region"))
        .map(str::to_string)
}

/// Maps a signature failure to the gateway's error.
fn signature_error(e: SignatureError, incoming: &Incoming) -> FaceError {
    match e {
        SignatureError::Missing => FaceError::MissingAuthenticationToken,
        SignatureError::TimestampMalformed | SignatureError::TimestampExpired => {
            FaceError::InvalidTimestamp
        }
        SignatureError::Malformed(_) | SignatureError::UnsupportedMethod(_) => {
            let auth = incoming.header("authorization").unwrap_or_default();
            let has_signature = auth
                .split(',')
                .filter_map(|part| part.trim().strip_prefix("Signature="))
                .any(|sig| !sig.trim().is_empty());
            if has_signature {
                FaceError::SignatureDoesNotMatch
            } else {
                FaceError::MissingSignature
            }
        }
        SignatureError::HeaderNotSigned(name) => FaceError::HeaderNotSigned(name),
        SignatureError::ContentHashMismatch | SignatureError::Mismatch { .. } => {
            FaceError::SignatureDoesNotMatch
        }
    }
}

/// The access key a request claims, if it exists and is enabled.
async fn usable_key(state: &AppState, auth: &ParsedAuth) -> Result<AccessKey, FaceError> {
    state
        .service
        .access_key(&auth.access_key_id)
        .await?
        .filter(|k| k.enabled)
        .ok_or_else(|| FaceError::InvalidAccessKey(auth.access_key_id.clone()))
}

/// What can be checked before the body is read: when the headers carry the credentials,
/// the key must exist and be enabled and `X-Date` be inside the window, with the errors
/// `authenticate` gives for the same faults; anything else is left to `authenticate`.
pub async fn check_head(state: &AppState, head: &Incoming) -> Result<(), FaceError> {
    let Ok(auth) = volcengine::parse(&head.parts()) else {
        return Ok(());
    };
    usable_key(state, &auth).await?;
    havip_signature::check_clock_window(&auth, now_utc(&state.service))
        .map_err(|e| signature_error(e, head))
}

/// Verifies the request and returns the caller's account and region.
pub async fn authenticate(
    state: &AppState,
    incoming: &Incoming,
    params: &Params,
) -> Result<Identity, FaceError> {
    let parts = incoming.parts();
    let auth = match volcengine::parse(&parts) {
        Ok(a) => a,
        Err(SignatureError::Missing) if state.insecure_account.is_some() => {
            let account = state.insecure_account.clone().unwrap_or_default();
            let region =
                unsigned_region(incoming, params).ok_or(FaceError::MissingRequestInfo("Region"))?;
            return Ok(Identity { account, region });
        }
        Err(e) => return Err(signature_error(e, incoming)),
    };
    let key = usable_key(state, &auth).await?;
    volcengine::verify(&parts, &auth, &key.secret, now_utc(&state.service))
        .map_err(|e| signature_error(e, incoming))?;
    let service = auth.service.unwrap_or_default();
    if service != SERVICE {
        return Err(FaceError::ServiceNotFound(service));
    }
    let region = auth.region.unwrap_or_default();
    if region.is_empty() {
        return Err(FaceError::MissingRequestInfo("Region"));
    }
    Ok(Identity {
        account: key.account,
        region,
    })
}
