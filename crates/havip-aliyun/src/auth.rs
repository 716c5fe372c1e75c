//! Who is calling: the request's Alibaba signature (ACS3-HMAC-SHA256 or RPC HMAC-SHA1,
//! via `havip_signature::aliyun`), the access key's account, the ±15 minute clock window
//! and the replay nonce (remembered in the store for the window), by the skeleton every
//! face shares (`havip_api::auth`). Unsigned requests are served as `insecure_account`
//! only when the server runs with `--insecure-no-auth`.

use havip_api::auth::{self, AuthFailure, ReadFailure, SignatureScheme};
use havip_api::{AppState, BodyError, Incoming};
use havip_signature::{aliyun, Scheme};

use crate::errors::FaceError;

/// How the request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub account: String,
    /// True for ACS3 (the operation is in `x-acs-action`/`x-acs-version`).
    pub acs3: bool,
}

const SCHEME: SignatureScheme = SignatureScheme {
    parse: aliyun::parse,
    verify: aliyun::verify,
    clock_window: havip_signature::check_clock_window,
};

/// Alibaba's view of an authentication failure.
fn refused(f: AuthFailure) -> FaceError {
    match f {
        AuthFailure::Signature(e) => FaceError::Signature(e),
        AuthFailure::UnknownKey(id) => FaceError::UnknownAccessKey(id),
        AuthFailure::DisabledKey(id) => FaceError::AccessKeyDisabled(id),
        AuthFailure::NonceUsed => FaceError::NonceUsed,
        AuthFailure::Service(e) => e.into(),
    }
}

/// Reads the request whole (see [`auth::read_request`]).
pub async fn read(state: &AppState, req: axum::extract::Request) -> Result<Incoming, FaceError> {
    auth::read_request(state, req, SCHEME)
        .await
        .map_err(|f| match f {
            ReadFailure::Auth { failure, .. } => refused(failure),
            ReadFailure::Body(BodyError::TooLarge) => FaceError::BodyTooLarge,
            ReadFailure::Body(BodyError::Broken | BodyError::TimedOut) => FaceError::BodyBroken,
            ReadFailure::Body(BodyError::Busy) => FaceError::Unavailable,
        })
}

pub async fn authenticate(
    state: &AppState,
    incoming: &Incoming,
) -> Result<Authenticated, FaceError> {
    match auth::authenticate(state, incoming, SCHEME)
        .await
        .map_err(refused)?
    {
        auth::Caller::Signed { parsed, key } => Ok(Authenticated {
            account: key.account,
            acs3: parsed.scheme == Scheme::AliyunAcs3,
        }),
        auth::Caller::Unsigned { account } => Ok(Authenticated {
            account,
            acs3: incoming.header("x-acs-action").is_some(),
        }),
    }
}
