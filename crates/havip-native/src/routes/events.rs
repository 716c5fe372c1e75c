//! `GET /v1/events`: what happened to HaVips (today: every change of a master, learned
//! from the data plane's ARP or made by a change), oldest first, paged by a `since`
//! cursor.

use axum::extract::State;
use axum::Json;
use havip_api::SharedState;
use serde::Serialize;
use serde_json::Value;

use crate::dto::rfc3339;
use crate::extract::QueryPairs;
use crate::problem::NativeResult;

pub const DEFAULT_LIMIT: u64 = 100;
pub const MAX_LIMIT: u64 = 1000;

#[derive(Debug, Serialize)]
pub struct EventDto {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub havip: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// What happened (for `MasterChanged`: `havip`, `vip`, `from`, `to`, `cause` and the
    /// `claim`).
    pub detail: Value,
}

#[derive(Debug, Serialize)]
pub struct EventPage {
    pub items: Vec<EventDto>,
    /// Give it as `since` to get the events after these.
    pub next_since: i64,
}

/// Events after `since` (default 0), at most `limit` (1 to 1000, default 100).
pub async fn list_events(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<Json<EventPage>> {
    q.allow(&["since", "limit"])?;
    let since = q.number("since", 0, 0, i64::MAX.unsigned_abs())?;
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    let limit = q.number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)?;
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    let events = st.service.events(since, limit).await?;
    let next_since = events.last().map_or(since, |e| e.seq);
    Ok(Json(EventPage {
        items: events
            .into_iter()
            .map(|e| EventDto {
                seq: e.seq,
                at: rfc3339(e.at),
                kind: e.kind,
                havip: e.havip,
                account: e.account,
                region: e.region,
                detail: serde_json::from_str(&e.body).unwrap_or(Value::Null),
            })
            .collect(),
        next_since,
    }))
}
