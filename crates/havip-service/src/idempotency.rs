//! ClientToken idempotency: a token is scoped to (account, action); the first request's
//! parameters (as a fingerprint) and answer are stored in the same transaction as its
//! effect, so a retry gets the first answer, a retry with other parameters is refused, and
//! a retry while the started change is still in flight is refused where the cloud says so.

use havip_core::{DomainError, Limits};
use havip_store::{IdempotencyRecord, Tx};
use serde::Serialize;

use crate::{Caller, ServiceResult};

/// A request's ClientToken and what identifies its parameters.
pub(crate) struct Token<'a> {
    pub action: &'static str,
    pub token: &'a str,
    pub fingerprint: String,
}

impl<'a> Token<'a> {
    /// `None` when the request carries no token (then nothing is checked or stored).
    pub fn new(
        action: &'static str,
        token: Option<&'a str>,
        params: &impl Serialize,
    ) -> Option<Self> {
        let token = token.filter(|t| !t.is_empty())?;
        let fingerprint = serde_json::to_string(params).unwrap_or_default();
        Some(Token {
            action,
            token,
            fingerprint,
        })
    }
}

fn account_of(caller: &Caller) -> &str {
    caller.account.as_deref().unwrap_or("")
}

/// Looks the token up: `Some(first answer)` to replay it, `None` to go on with the request.
pub(crate) async fn check(
    tx: &mut dyn Tx,
    caller: &Caller,
    token: Option<&Token<'_>>,
    limits: &Limits,
    now: i64,
) -> ServiceResult<Option<serde_json::Value>> {
    let Some(t) = token else { return Ok(None) };
    let Some(record) = tx
        .idempotency(account_of(caller), t.action, t.token)
        .await?
    else {
        return Ok(None);
    };
    if record.expires_at <= now {
        return Ok(None);
    }
    if record.fingerprint != t.fingerprint {
        return Err(DomainError::IdempotentParameterMismatch.into());
    }
    if limits.processing_is_error {
        if let (Some(havip), Some(change)) = (&record.havip, &record.change) {
            let in_flight = tx
                .havip(havip)
                .await?
                .and_then(|h| h.pending)
                .is_some_and(|p| &p.id == change);
            if in_flight {
                return Err(DomainError::IdempotentProcessing.into());
            }
        }
    }
    Ok(Some(record.result))
}

/// Stores the first answer for the token, in the request's own transaction.
pub(crate) async fn remember(
    tx: &mut dyn Tx,
    caller: &Caller,
    token: Option<&Token<'_>>,
    havip: Option<&str>,
    change: Option<&str>,
    result: serde_json::Value,
    expires_at: i64,
) -> ServiceResult<()> {
    let Some(t) = token else { return Ok(()) };
    tx.put_idempotency(&IdempotencyRecord {
        account: account_of(caller).to_string(),
        action: t.action.to_string(),
        token: t.token.to_string(),
        fingerprint: t.fingerprint.clone(),
        havip: havip.map(str::to_string),
        change: change.map(str::to_string),
        result,
        expires_at,
    })
    .await?;
    Ok(())
}
