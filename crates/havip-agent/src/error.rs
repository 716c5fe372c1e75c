//! What can stop one round of the agent (the loop logs it and tries again).

use havip_fabric::FabricError;
use havip_lab::{LabError, PlanError};

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("the control plane at {url} cannot be reached: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the control plane answered {status} to {what}: {body}")]
    Refused {
        what: &'static str,
        status: u16,
        body: String,
    },
    #[error("the control plane's answer to {what} does not read: {reason}")]
    Unreadable { what: &'static str, reason: String },
    #[error("the desired state cannot be built on this host: {0}")]
    Plan(#[from] PlanError),
    #[error("the desired state names something that does not exist: {0}")]
    Inconsistent(String),
    #[error(transparent)]
    Lab(#[from] LabError),
    #[error(transparent)]
    Fabric(#[from] FabricError),
    #[error("the enforcing task failed: {0}")]
    Task(String),
    #[error(transparent)]
    Arp(#[from] crate::arp::ArpError),
    #[error(transparent)]
    Vrrp(#[from] havip_lab::keepalived::VrrpError),
}
