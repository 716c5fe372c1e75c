//! The agent's loop: follow the feed, enforce, acknowledge; on any failure log it, wait
//! a little and start the round again from the current desired state.

use std::time::Duration;

use tokio::sync::watch;

use crate::client::FeedClient;
use crate::enforce::Enforce;
use crate::error::AgentError;

#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Who acknowledges (shown by the control plane).
    pub name: String,
    /// How long one long poll waits; with no change the state is enforced again then
    /// (which is how a hand-edited ruleset or a deleted namespace comes back).
    pub resync: Duration,
    /// How long to wait after a failed round.
    pub retry: Duration,
    /// Stop after the first acknowledged round.
    pub once: bool,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            name: "havip-agent".into(),
            resync: Duration::from_secs(5),
            retry: Duration::from_secs(1),
            once: false,
        }
    }
}

/// What the loop reports after each round (for logs and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// `revision` is enforced and acknowledged; `completed` changes finished with it.
    Acknowledged {
        revision: i64,
        completed: Vec<String>,
    },
    Failed(String),
}

/// Runs until `shutdown` turns true (or after one acknowledged round with `once`).
/// `progress`, when given, receives every round's outcome.
pub async fn run<E: Enforce>(
    client: FeedClient,
    mut enforcer: E,
    config: AgentConfig,
    mut shutdown: watch::Receiver<bool>,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Progress>>,
) -> Result<(), AgentError> {
    let mut enforced: Option<i64> = None;
    loop {
        if *shutdown.borrow() {
            return Ok(());
        }
        let round = tokio::select! {
            r = round(&client, &mut enforcer, &config, enforced) => r,
            _ = shutdown.changed() => return Ok(()),
        };
        let outcome = match round {
            Ok((revision, completed)) => {
                if !completed.is_empty() || enforced != Some(revision) {
                    tracing::info!(revision, completed = ?completed, "fabric enforced");
                }
                enforced = Some(revision);
                Progress::Acknowledged {
                    revision,
                    completed,
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "fabric round failed; trying again");
                // Start again from the current state, not from a long poll.
                enforced = None;
                Progress::Failed(e.to_string())
            }
        };
        let failed = matches!(outcome, Progress::Failed(_));
        if let Some(p) = &progress {
            p.send(outcome).ok();
        }
        if config.once && !failed {
            return Ok(());
        }
        if failed {
            tokio::select! {
                _ = tokio::time::sleep(config.retry) => {}
                _ = shutdown.changed() => return Ok(()),
            }
        }
    }
}

/// One round: the next desired state, enforced, acknowledged.
async fn round<E: Enforce>(
    client: &FeedClient,
    enforcer: &mut E,
    config: &AgentConfig,
    enforced: Option<i64>,
) -> Result<(i64, Vec<String>), AgentError> {
    let desired = client.desired(enforced, config.resync).await?;
    let revision = desired.revision;
    // The enforcer starts processes and waits for them: the runtime hands this worker's
    // other tasks to another thread meanwhile.
    let ports = tokio::task::block_in_place(|| enforcer.enforce(&desired))?;
    let ack = client.acknowledge(revision, &config.name, ports).await?;
    Ok((revision, ack.completed))
}
