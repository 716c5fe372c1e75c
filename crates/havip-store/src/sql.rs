//! Encoding shared by the SQL stores: how a HaVip aggregate is kept in its `body` column,
//! and how text columns turn back into domain values.

use std::net::Ipv4Addr;

use havip_core::{HaVip, InstanceStatus};
use ipnet::Ipv4Net;

use crate::StoreError;

pub(crate) fn havip_body(h: &HaVip) -> Result<String, StoreError> {
    serde_json::to_string(h).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn havip_from_body(body: &str) -> Result<HaVip, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("havip body: {e}")))
}

pub(crate) fn cidr(text: &str) -> Result<Ipv4Net, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("cidr {text:?}")))
}

pub(crate) fn ip(text: &str) -> Result<Ipv4Addr, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("ip {text:?}")))
}

pub(crate) fn instance_status(text: &str) -> Result<InstanceStatus, StoreError> {
    InstanceStatus::parse(text).ok_or_else(|| StoreError::Corrupt(format!("status {text:?}")))
}

/// The `due_at` column: when the change in flight is due, if any.
/// When the worker completes the HaVip's change in flight (none when the fabric does).
pub(crate) fn due_at(h: &HaVip) -> Option<i64> {
    h.pending.as_ref().and_then(|p| p.timer())
}

/// The revision whose acknowledgement completes the HaVip's change in flight, when the
/// fabric completes it.
pub(crate) fn fabric_wait(h: &HaVip, revision: i64) -> Option<i64> {
    h.pending
        .as_ref()
        .is_some_and(|p| p.awaits_fabric)
        .then_some(revision)
}

/// Maps a driver error: unique keys taken are `Duplicate`, the backend's codes for
/// "transactions collided, retry" are `Conflict`, undecodable rows `Corrupt`, and
/// everything else (connections, pool time-outs, I/O) `Unavailable`.
pub(crate) fn map_sqlx_error(e: sqlx::Error, conflict_codes: &[&str]) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(db.message().to_string())
        }
        sqlx::Error::Database(db) if db.code().is_some_and(|c| conflict_codes.contains(&&*c)) => {
            StoreError::Conflict
        }
        sqlx::Error::RowNotFound
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::Decode(_)
        | sqlx::Error::TypeNotFound { .. } => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Unavailable(e.to_string()),
    }
}

/// Records a nonce of an access key (`$1`, `$2`) until `$3`, unless it is there and has
/// not expired at `$4`: one row affected means the nonce is fresh.
pub(crate) const REMEMBER_NONCE: &str =
    "INSERT INTO signature_nonces (access_key_id, nonce, expires_at) VALUES ($1, $2, $3) \
     ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at \
     WHERE signature_nonces.expires_at <= $4";
