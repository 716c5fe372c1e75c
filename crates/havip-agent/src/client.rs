//! The control plane's change feed over HTTP: the desired state (a long poll from a
//! revision) and the acknowledgement, with the admin token as a bearer token.

use std::time::Duration;

use havip_native::feed::{
    AckRequest, AckResponse, ClaimView, ClaimsRequest, ClaimsResponse, DesiredState, PortView,
};
use serde_json::Value;

use crate::error::AgentError;

/// How much longer than the long poll itself a request may take.
const SLACK: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct FeedClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl FeedClient {
    /// `base` is the server's URL (`http://127.0.0.1:8080`).
    pub fn new(base: &str, token: &str) -> Result<FeedClient, AgentError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|source| AgentError::Unreachable {
                url: base.to_string(),
                source,
            })?;
        Ok(FeedClient {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The desired state; with `after`, once the revision has passed it or `wait` has
    /// gone by.
    pub async fn desired(
        &self,
        after: Option<i64>,
        wait: Duration,
    ) -> Result<DesiredState, AgentError> {
        let url = format!("{}/v1/dataplane/desired", self.base);
        let mut req = self
            .http
            .get(&url)
            .bearer_auth(&self.token)
            .timeout(wait + SLACK);
        if let Some(after) = after {
            let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            req = req.query(&[
                ("after", after.to_string()),
                ("wait_ms", wait_ms.to_string()),
            ]);
        }
        let resp = req.send().await.map_err(|source| AgentError::Unreachable {
            url: url.clone(),
            source,
        })?;
        read(resp, "GET /v1/dataplane/desired", &url).await
    }

    /// Acknowledges `revision`, with the fabric's view per port.
    pub async fn acknowledge(
        &self,
        revision: i64,
        agent: &str,
        ports: Vec<PortView>,
    ) -> Result<AckResponse, AgentError> {
        let body = AckRequest {
            revision,
            agent: agent.to_string(),
            ports: Some(ports),
        };
        self.post("/v1/dataplane/ack", "POST /v1/dataplane/ack", &body)
            .await
    }

    /// Reports ARP claims the fabric let through, in the order they were seen.
    pub async fn report_claims(
        &self,
        agent: &str,
        claims: Vec<ClaimView>,
    ) -> Result<ClaimsResponse, AgentError> {
        let body = ClaimsRequest {
            agent: agent.to_string(),
            claims,
        };
        self.post("/v1/dataplane/claims", "POST /v1/dataplane/claims", &body)
            .await
    }

    /// POSTs `body` as JSON to `path` and reads the answer.
    async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        what: &'static str,
        body: &B,
    ) -> Result<T, AgentError> {
        let url = format!("{}{path}", self.base);
        let resp = self
            .http
            .post(&url)
            .bearer_auth(&self.token)
            .timeout(SLACK)
            .json(body)
            .send()
            .await
            .map_err(|source| AgentError::Unreachable {
                url: url.clone(),
                source,
            })?;
        read(resp, what, &url).await
    }
}

async fn read<T: serde::de::DeserializeOwned>(
    resp: reqwest::Response,
    what: &'static str,
    url: &str,
) -> Result<T, AgentError> {
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|source| AgentError::Unreachable {
            url: url.to_string(),
            source,
        })?;
    if !status.is_success() {
        // The problem JSON's detail when there is one, else the body as text.
        let body = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["detail"].as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
        return Err(AgentError::Refused {
            what,
            status: status.as_u16(),
            body,
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| AgentError::Unreadable {
        what,
        reason: e.to_string(),
    })
}
