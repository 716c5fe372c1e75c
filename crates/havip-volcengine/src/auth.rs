//! Who is calling: the Volcengine HMAC-SHA256 signature (havip_signature::volcengine)
//! checked against the access key's secret, with the credential-scope region selecting the
//! region. Unsigned requests are served as `state.insecure_account` when the server runs
//! with `--insecure-no-auth` (region from a `Region` header or parameter).

use havip_api::auth::{self, AuthFailure, ReadFailure, SignatureScheme};
use havip_api::{AppState, BodyError, Incoming};
use havip_signature::{volcengine, SignatureError};

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

const SCHEME: SignatureScheme = SignatureScheme {
    parse: volcengine::parse,
    verify: volcengine::verify,
    clock_window: havip_signature::check_clock_window,
};

/// Volcengine's view of an authentication failure: an unknown and a disabled key are
/// one error, as on the gateway.
fn refused(f: AuthFailure, incoming: &Incoming) -> FaceError {
    match f {
        AuthFailure::Signature(e) => signature_error(e, incoming),
        AuthFailure::UnknownKey(id) | AuthFailure::DisabledKey(id) => {
            FaceError::InvalidAccessKey(id)
        }
        // Volcengine's scheme carries no nonce.
        AuthFailure::NonceUsed => FaceError::SignatureDoesNotMatch,
        AuthFailure::Service(e) => e.into(),
    }
}

/// Reads the request whole (see [`auth::read_request`]).
pub async fn read(state: &AppState, req: axum::extract::Request) -> Result<Incoming, FaceError> {
    auth::read_request(state, req, SCHEME)
        .await
        .map_err(|f| match f {
            ReadFailure::Auth { failure, head } => refused(failure, &head),
            ReadFailure::Body(BodyError::TooLarge) => FaceError::BodyTooLarge,
            ReadFailure::Body(BodyError::Broken | BodyError::TimedOut) => FaceError::BodyBroken,
            ReadFailure::Body(BodyError::Busy) => FaceError::Unavailable,
        })
}

/// Verifies the request and returns the caller's account and region.
pub async fn authenticate(
    state: &AppState,
    incoming: &Incoming,
    params: &Params,
) -> Result<Identity, FaceError> {
    let caller = auth::authenticate(state, incoming, SCHEME)
        .await
        .map_err(|f| refused(f, incoming))?;
    let (account, parsed) = match caller {
        auth::Caller::Unsigned { account } => {
            let region =
                unsigned_region(incoming, params).ok_or(FaceError::MissingRequestInfo("Region"))?;
            return Ok(Identity { account, region });
        }
        auth::Caller::Signed { parsed, key } => (key.account, parsed),
    };
    let service = parsed.service.clone().unwrap_or_default();
    if service != SERVICE {
        return Err(FaceError::ServiceNotFound(service));
    }
    let region = parsed.region.clone().unwrap_or_default();
    if region.is_empty() {
        return Err(FaceError::MissingRequestInfo("Region"));
    }
    Ok(Identity { account, region })
}
