//! The authentication every cloud face shares, whatever its signature scheme: read the
//! credentials out of the request, find the access key (it must exist and be enabled),
//! verify the signature with its secret inside the clock window, and remember a replay
//! nonce when the scheme carries one. An unsigned request is served as the
//! `--insecure-no-auth` account, only when the server runs so. Each face maps an
//! [`AuthFailure`] to its cloud's codes; what differs between faces is only the
//! [`SignatureScheme`].

use chrono::{DateTime, Utc};
use havip_core::records::AccessKey;
use havip_service::ServiceError;
use havip_signature::{ParsedAuth, RequestParts, SignatureError, MAX_CLOCK_SKEW_MINUTES};

use crate::{now_utc, AppState, BodyError, Incoming};

/// A face's signature scheme, as `havip_signature` implements it.
#[derive(Clone, Copy)]
pub struct SignatureScheme {
    /// Reads the credentials; `SignatureError::Missing` when the request carries none.
    pub parse: fn(&RequestParts<'_>) -> Result<ParsedAuth, SignatureError>,
    /// Recomputes the signature with the secret, the clock window included.
    pub verify:
        fn(&RequestParts<'_>, &ParsedAuth, &str, DateTime<Utc>) -> Result<(), SignatureError>,
    /// The clock window alone (checked before the body is read).
    pub clock_window: fn(&ParsedAuth, DateTime<Utc>) -> Result<(), SignatureError>,
}

/// Why a request was not authenticated.
#[derive(Debug)]
pub enum AuthFailure {
    /// The signature is missing, malformed, outside the window, or not the server's.
    Signature(SignatureError),
    /// No access key has this id.
    UnknownKey(String),
    /// The access key exists but is disabled.
    DisabledKey(String),
    /// The request's replay nonce was used before, inside the window.
    NonceUsed,
    /// The key could not be looked up (the store is unavailable).
    Service(ServiceError),
}

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A verified request: its credentials and the key that signed it.
    Signed {
        parsed: Box<ParsedAuth>,
        key: AccessKey,
    },
    /// An unsigned request on a server that serves them (`--insecure-no-auth`), as this
    /// account.
    Unsigned { account: String },
}

impl Caller {
    /// The account the request acts for.
    pub fn account(&self) -> &str {
        match self {
            Caller::Signed { key, .. } => &key.account,
            Caller::Unsigned { account } => account,
        }
    }

    /// The credentials, for a signed request.
    pub fn parsed(&self) -> Option<&ParsedAuth> {
        match self {
            Caller::Signed { parsed, .. } => Some(parsed),
            Caller::Unsigned { .. } => None,
        }
    }
}

/// How long a nonce is remembered past its request's own time: the clock window.
const NONCE_WINDOW_MS: i64 = MAX_CLOCK_SKEW_MINUTES * 60 * 1000;

/// The access key a request claims, if it exists and is enabled.
pub async fn usable_key(state: &AppState, parsed: &ParsedAuth) -> Result<AccessKey, AuthFailure> {
    let key = state
        .service
        .access_key(&parsed.access_key_id)
        .await
        .map_err(AuthFailure::Service)?
        .ok_or_else(|| AuthFailure::UnknownKey(parsed.access_key_id.clone()))?;
    if !key.enabled {
        return Err(AuthFailure::DisabledKey(key.id));
    }
    Ok(key)
}

/// What can be checked before the body is read: when the head carries credentials, the
/// key must be usable and the request's date inside the window, with the failures
/// [`authenticate`] gives for the same faults. What the head cannot tell (no
/// credentials, credentials in a form body) is left to [`authenticate`].
pub async fn check_head(
    state: &AppState,
    head: &Incoming,
    scheme: SignatureScheme,
) -> Result<(), AuthFailure> {
    let Ok(parsed) = (scheme.parse)(&head.parts()) else {
        return Ok(());
    };
    usable_key(state, &parsed).await?;
    (scheme.clock_window)(&parsed, now_utc(&state.service)).map_err(AuthFailure::Signature)
}

/// Why a request could not be read.
#[derive(Debug)]
pub enum ReadFailure {
    /// Its head already proves the credentials wrong (the head comes back, for the
    /// face's error).
    Auth {
        failure: AuthFailure,
        head: Box<Incoming>,
    },
    /// The body could not be read within the limits.
    Body(BodyError),
}

/// Reads a request whole, the way every face does: when the body may be large, what its
/// head can prove ([`check_head`]) first, so that a request with bad credentials costs no
/// memory; then the body, within the server's limits.
pub async fn read_request(
    state: &AppState,
    req: axum::extract::Request,
    scheme: SignatureScheme,
) -> Result<Incoming, ReadFailure> {
    let (head, body) = Incoming::split(req);
    if head.body_worth_a_precheck() {
        if let Err(failure) = check_head(state, &head, scheme).await {
            return Err(ReadFailure::Auth {
                failure,
                head: Box::new(head),
            });
        }
    }
    head.read_body(body, &state.bodies)
        .await
        .map_err(ReadFailure::Body)
}

/// Authenticates a request read whole.
pub async fn authenticate(
    state: &AppState,
    incoming: &Incoming,
    scheme: SignatureScheme,
) -> Result<Caller, AuthFailure> {
    let parts = incoming.parts();
    let parsed = match (scheme.parse)(&parts) {
        Ok(p) => p,
        Err(SignatureError::Missing) => {
            return match &state.insecure_account {
                Some(account) => Ok(Caller::Unsigned {
                    account: account.clone(),
                }),
                None => Err(AuthFailure::Signature(SignatureError::Missing)),
            }
        }
        Err(e) => return Err(AuthFailure::Signature(e)),
    };
    let key = usable_key(state, &parsed).await?;
    (scheme.verify)(&parts, &parsed, &key.secret, now_utc(&state.service))
        .map_err(AuthFailure::Signature)?;
    if let Some(nonce) = &parsed.nonce {
        let now = state.service.now_ms();
        // Remembered for as long as the request's own time stays inside the window.
        let expires_at = now.max(parsed.timestamp.timestamp_millis()) + NONCE_WINDOW_MS;
        let fresh = state
            .service
            .remember_nonce(&key.id, nonce, expires_at)
            .await
            .map_err(AuthFailure::Service)?;
        if !fresh {
            return Err(AuthFailure::NonceUsed);
        }
    }
    Ok(Caller::Signed {
        parsed: Box::new(parsed),
        key,
    })
}
