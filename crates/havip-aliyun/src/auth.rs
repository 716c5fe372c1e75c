//! Who is calling: the request's Alibaba signature (ACS3-HMAC-SHA256 or RPC HMAC-SHA1,
//! via `havip_signature::aliyun`), the access key's account, the ±15 minute clock window
//! and the replay nonce (remembered in the store for the window). Unsigned requests are
//! served as `insecure_account` only when the server runs with `--insecure-no-auth`.

use havip_api::{now_utc, AppState, Incoming};
use havip_signature::{aliyun, ParsedAuth, SignatureError, MAX_CLOCK_SKEW_MINUTES};
use havip_store::AccessKey;

use crate::errors::FaceError;

/// How the request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub account: String,
    /// True for ACS3 (the operation is in `x-acs-action`/`x-acs-version`).
    pub acs3: bool,
}

const WINDOW_MS: i64 = MAX_CLOCK_SKEW_MINUTES * 60 * 1000;

/// What can be checked before the body is read: when the headers (or the query) carry
/// the credentials, the key must exist and be enabled and the request's date be inside
/// the window, with the errors `authenticate` gives for the same faults. What the head
/// cannot tell (RPC credentials in a form body, no credentials) is left to `authenticate`.
/// The access key a request claims, if it exists and is enabled.
async fn usable_key(state: &AppState, parsed: &ParsedAuth) -> Result<AccessKey, FaceError> {
    let key = state
        .service
        .access_key(&parsed.access_key_id)
        .await?
        .ok_or_else(|| FaceError::UnknownAccessKey(parsed.access_key_id.clone()))?;
    if !key.enabled {
        return Err(FaceError::AccessKeyDisabled(key.id));
    }
    Ok(key)
}

pub async fn check_head(state: &AppState, head: &Incoming) -> Result<(), FaceError> {
    let Ok(parsed) = aliyun::parse(&head.parts()) else {
        return Ok(());
    };
    usable_key(state, &parsed).await?;
    havip_signature::check_clock_window(&parsed, now_utc(&state.service))
        .map_err(FaceError::Signature)
}

pub async fn authenticate(
    state: &AppState,
    incoming: &Incoming,
) -> Result<Authenticated, FaceError> {
    let parts = incoming.parts();
    let parsed = match aliyun::parse(&parts) {
        Ok(p) => p,
        Err(SignatureError::Missing) => {
            return match &state.insecure_account {
                Some(account) => Ok(Authenticated {
                    account: account.clone(),
                    acs3: incoming.header("x-acs-action").is_some(),
                }),
                None => Err(FaceError::Signature(SignatureError::Missing)),
            }
        }
        Err(e) => return Err(FaceError::Signature(e)),
    };
    let key = usable_key(state, &parsed).await?;
    aliyun::verify(&parts, &parsed, &key.secret, now_utc(&state.service))
        .map_err(FaceError::Signature)?;
    if let Some(nonce) = &parsed.nonce {
        let now = state.service.now_ms();
        // Remember the nonce for as long as its timestamp stays inside the window.
        let expires_at = now.max(parsed.timestamp.timestamp_millis()) + WINDOW_MS;
        let fresh = state
            .service
            .store()
            .remember_nonce(&key.id, nonce, now, expires_at)
            .await
            .map_err(|_| FaceError::Unavailable)?;
        if !fresh {
            return Err(FaceError::NonceUsed);
        }
    }
    Ok(Authenticated {
        account: key.account,
        acs3: parsed.scheme == havip_signature::Scheme::AliyunAcs3,
    })
}
