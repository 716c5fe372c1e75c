//! `havip agent`, and the agent that `havip serve --lab` runs beside the server: the
//! command-line side of the `havip-agent` crate (where the control plane is, which token,
//! which lab; the lab torn down when `serve --lab` stops).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use havip_agent::{AgentConfig, FeedClient, LabFabric, LabOptions};
use havip_lab::Prefix;
use tokio::sync::watch;

/// `havip agent`'s flags.
#[derive(Debug, clap::Args)]
pub struct AgentArgs {
    /// The control plane's URL (any replica).
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "HAVIP_SERVER")]
    pub server: String,
    /// The admin token; without it, the one in --data-dir's admin-token file.
    #[arg(long, env = "HAVIP_ADMIN_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The data directory of a server on this host, to read its admin token from.
    #[arg(long, default_value = "./data", env = "HAVIP_DATA_DIR")]
    pub data_dir: PathBuf,
    /// The lab whose fabric the agent enforces (built from the control plane's inventory).
    #[arg(long, default_value = havip_lab::DEFAULT_PREFIX, env = "HAVIP_LAB_PREFIX")]
    pub prefix: Prefix,
    /// How long one poll of the change feed waits; with no change, the fabric is
    /// enforced again then (a hand-edited ruleset or a deleted namespace comes back).
    #[arg(long, default_value = "5s", value_parser = crate::cli::parse_duration)]
    pub resync: Duration,
    /// Enforce and acknowledge once, then exit.
    #[arg(long)]
    pub once: bool,
    #[command(flatten)]
    pub keepalived: KeepalivedArgs,
}

/// keepalived in the lab (`havip agent` and `havip serve --lab`).
#[derive(Debug, Clone, clap::Args)]
pub struct KeepalivedArgs {
    /// Run keepalived (VRRPv3, unicast) in the instances associated with each HaVip that
    /// has two or more members; the first associated member is preferred.
    #[arg(long)]
    pub keepalived: bool,
    /// keepalived's advert interval (10 ms steps; VRRPv3 allows 0.1s).
    #[arg(long, default_value = "1s", value_parser = crate::cli::parse_duration)]
    pub advert_int: Duration,
}

impl KeepalivedArgs {
    /// keepalived's advert interval, when keepalived is asked for.
    pub fn advert(&self) -> Option<Duration> {
        self.keepalived.then_some(self.advert_int)
    }

    fn options(&self) -> LabOptions {
        LabOptions {
            keepalived: self.keepalived.then_some(self.advert_int),
            ..LabOptions::default()
        }
    }
}

/// Runs the enforcer's claim forwarder beside the loop.
fn spawn_claims(
    fabric: &mut LabFabric,
    client: &FeedClient,
    name: &str,
    stop: &watch::Receiver<bool>,
) {
    if let Some((claims, directory)) = fabric.take_claims() {
        tokio::spawn(havip_agent::claims::forward(
            client.clone(),
            name.to_string(),
            claims,
            directory,
            stop.clone(),
        ));
    }
}

/// Who acknowledges: host, process and lab.
pub fn agent_name(prefix: &Prefix) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    format!("{host} pid {} lab {prefix}", std::process::id())
}

fn config(prefix: &Prefix, resync: Duration, once: bool) -> AgentConfig {
    AgentConfig {
        name: agent_name(prefix),
        resync,
        retry: Duration::from_secs(1),
        once,
    }
}

/// `havip agent`: runs until SIGINT/SIGTERM (the lab stays up: another agent, or this
/// one restarted, takes over from the feed).
pub async fn run(args: AgentArgs) -> anyhow::Result<()> {
    let token = match args.token {
        Some(t) => t,
        None => {
            let path = args.data_dir.join(crate::admin_token::FILE);
            std::fs::read_to_string(&path)
                .map(|t| t.trim().to_string())
                .with_context(|| {
                    format!(
                        "no --token and no admin token in {} (give --token, \
                         HAVIP_ADMIN_TOKEN or the server's --data-dir)",
                        path.display()
                    )
                })?
        }
    };
    let mut fabric = LabFabric::detect(args.prefix.clone(), args.keepalived.options())?;
    let client = FeedClient::new(&args.server, &token)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let config = config(&args.prefix, args.resync, args.once);
    spawn_claims(&mut fabric, &client, &config.name, &stop_rx);
    tokio::spawn(async move {
        crate::serve::shutdown_signal().await;
        stop_tx.send(true).ok();
    });
    tracing::info!(server = %args.server, prefix = %args.prefix, "agent started");
    havip_agent::run(client, fabric, config, stop_rx, None).await?;
    Ok(())
}

/// The agent of `havip serve --lab`: checks the host before the server starts.
pub struct LabAgent {
    fabric: LabFabric,
    prefix: Prefix,
}

impl LabAgent {
    /// Root, `ip`, `sysctl` and `nft` are there, or the error names what is missing.
    pub fn prepare(prefix: &Prefix, keepalived: &KeepalivedArgs) -> anyhow::Result<LabAgent> {
        let fabric =
            LabFabric::detect(prefix.clone(), keepalived.options()).context("havip serve --lab")?;
        Ok(LabAgent {
            fabric,
            prefix: prefix.clone(),
        })
    }

    /// Follows the server at `listen` until `stop` turns true, then removes the lab.
    pub fn start(
        self,
        listen: SocketAddr,
        token: String,
        stop: watch::Receiver<bool>,
    ) -> anyhow::Result<tokio::task::JoinHandle<()>> {
        let url = format!("http://{}", loopback(listen));
        let client = FeedClient::new(&url, &token)?;
        let prefix = self.prefix.clone();
        let config = config(&prefix, Duration::from_secs(5), false);
        let mut fabric = self.fabric;
        spawn_claims(&mut fabric, &client, &config.name, &stop);
        Ok(tokio::spawn(async move {
            if let Err(e) = havip_agent::run(client, fabric, config, stop, None).await {
                tracing::error!(error = %e, "the lab's agent stopped");
            }
            match havip_lab::Host::detect().and_then(|h| havip_lab::down(&h, &prefix)) {
                Ok(report) => tracing::info!(
                    prefix = %prefix,
                    namespaces = report.namespaces.len(),
                    "lab torn down"
                ),
                Err(e) => {
                    tracing::error!(error = %e, prefix = %prefix, "tearing the lab down failed")
                }
            }
        }))
    }
}

/// The address to reach a server listening on `listen` from this host.
fn loopback(listen: SocketAddr) -> SocketAddr {
    match listen.ip() {
        ip if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), listen.port())
        }
        _ => listen,
    }
}
