//! The data plane's routes: the change feed an agent follows (`GET /v1/dataplane/desired`,
//! a long poll from a revision), its acknowledgement (`POST /v1/dataplane/ack`, which
//! completes the changes it enforces), and the fabric's view per port
//! (`GET /v1/dataplane/ports`). Authenticated with the admin token like every `/v1` route.

use std::time::Duration;

use axum::extract::State;
use axum::Json;
use havip_api::SharedState;
use havip_core::DomainError;

use crate::dto::rfc3339;
use crate::extract::{JsonBody, QueryPairs};
use crate::feed::{
    AckRequest, AckResponse, ClaimResultView, ClaimView, ClaimsRequest, ClaimsResponse,
    DataplaneView, DesiredState, PortView,
};
use crate::problem::NativeResult;
use havip_service::{ArpClaim, ClaimResult};

/// The longest a request for the desired state waits for the next revision.
pub const MAX_WAIT_MS: u64 = 60_000;
/// The most claims one request may carry.
const MAX_CLAIMS: usize = 10_000;
/// The longest agent name kept.
const MAX_AGENT_LEN: usize = 256;
/// The most ports a report may hold.
const MAX_PORTS: usize = 100_000;

/// The agent's name: 1 to [`MAX_AGENT_LEN`] bytes, not only white space.
fn check_agent(agent: &str) -> Result<(), DomainError> {
    if agent.trim().is_empty() || agent.len() > MAX_AGENT_LEN {
        return Err(DomainError::invalid(
            "agent",
            format!("must name the agent in 1 to {MAX_AGENT_LEN} bytes"),
        ));
    }
    Ok(())
}

/// The latest time a claim may carry: the end of year 9999 (ms since the epoch), as far
/// as the answers' RFC 3339 dates go.
const MAX_CLAIM_MS: i64 = 253_402_300_799_999;

/// A claim as the OpenAPI document describes it: a known kind, a time the answers can
/// show.
fn check_claim(c: &ClaimView) -> Result<(), DomainError> {
    if !matches!(c.kind.as_str(), "GratuitousRequest" | "Reply") {
        return Err(DomainError::invalid(
            "claims.kind",
            format!("{:?} is not GratuitousRequest or Reply", c.kind),
        ));
    }
    if !(0..=MAX_CLAIM_MS).contains(&c.at_ms) {
        return Err(DomainError::invalid(
            "claims.at_ms",
            format!("must be from 0 to {MAX_CLAIM_MS} (ms since the Unix epoch)"),
        ));
    }
    Ok(())
}

/// The desired state now; with `after`, once the revision has passed it (or `wait_ms`
/// has gone by, when the answer is the same revision again).
pub async fn desired(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<Json<DesiredState>> {
    q.allow(&["after", "wait_ms"])?;
    let wait = q.number("wait_ms", 0, 0, MAX_WAIT_MS)?;
    if q.one("after")?.is_some() {
        let after = q.number("after", 0, 0, i64::MAX.unsigned_abs())?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        st.service
            .wait_for_revision(after, Duration::from_millis(wait))
            .await?;
    }
    let desired = st.service.fabric_desired().await?;
    Ok(Json(DesiredState::from(&desired)))
}

/// Records the agent's acknowledgement (and its view of the ports, when it sends one).
pub async fn acknowledge(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<AckRequest>,
) -> NativeResult<Json<AckResponse>> {
    check_agent(&req.agent)?;
    let report = match &req.ports {
        Some(ports) if ports.len() > MAX_PORTS => {
            return Err(
                DomainError::invalid("ports", format!("holds more than {MAX_PORTS} ports")).into(),
            )
        }
        Some(ports) => Some(
            serde_json::to_string(ports)
                .map_err(|e| DomainError::invalid("ports", format!("cannot be stored: {e}")))?,
        ),
        None => None,
    };
    let ack = st
        .service
        .acknowledge_fabric(req.revision, &req.agent, report.as_deref())
        .await?;
    Ok(Json(AckResponse {
        acked_revision: ack.acked,
        completed: ack.completed,
    }))
}

/// The fabric's view per port as the agent last reported it, and the agent's lag.
pub async fn ports(
    State(st): State<SharedState>,
    q: QueryPairs,
) -> NativeResult<Json<DataplaneView>> {
    q.allow(&[])?;
    let status = st.service.fabric_status().await?;
    // The report was checked when it was stored; one that no longer reads shows no port.
    let ports: Vec<PortView> = status
        .report
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    Ok(Json(DataplaneView {
        attached: st.service.config().dataplane,
        revision: status.revision,
        acked_revision: status.acked,
        lag: status.revision.saturating_sub(status.acked).max(0),
        acked_at: status.acked_at.map(rfc3339),
        agent: status.agent,
        ports,
    }))
}

/// Records ARP claims the fabric let through: the latest claim of an associated member
/// makes it the master.
pub async fn claims(
    State(st): State<SharedState>,
    JsonBody(req): JsonBody<ClaimsRequest>,
) -> NativeResult<Json<ClaimsResponse>> {
    check_agent(&req.agent)?;
    if req.claims.len() > MAX_CLAIMS {
        return Err(
            DomainError::invalid("claims", format!("holds more than {MAX_CLAIMS} claims")).into(),
        );
    }
    for c in &req.claims {
        check_claim(c)?;
    }
    let claims: Vec<ArpClaim> = req
        .claims
        .into_iter()
        .map(|c| ArpClaim {
            subnet: c.subnet,
            vip: c.vip,
            port: c.port,
            eni: c.eni,
            instance: c.instance,
            mac: c.mac,
            kind: c.kind,
            at: c.at_ms,
        })
        .collect();
    let results = st.service.record_claims(&claims).await?;
    Ok(Json(ClaimsResponse {
        results: results
            .into_iter()
            .map(|r| match r {
                ClaimResult::MasterChanged { havip, from, to } => {
                    ClaimResultView::MasterChanged { havip, from, to }
                }
                ClaimResult::Unchanged { havip } => ClaimResultView::Unchanged { havip },
                ClaimResult::Ignored { reason } => ClaimResultView::Ignored { reason },
            })
            .collect(),
    }))
}
