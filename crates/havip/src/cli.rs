//! The command line: `havip serve` (the contract in ARCHITECTURE.md), `havip check-seed`,
//! `havip migrate`, `havip lab` and `havip bench`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "havip",
    version,
    about = "A self-hostable control plane for high-availability virtual IPs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the service.
    Serve(ServeArgs),
    /// Parse and validate a seed file, then exit.
    CheckSeed {
        /// The seed file (TOML).
        file: PathBuf,
    },
    /// Copy the embedded store of a data directory into an empty PostgreSQL database.
    Migrate {
        /// The data directory whose embedded store is copied.
        #[arg(long)]
        data_dir: PathBuf,
        /// The postgres:// URL of the target database (migrations are applied first).
        #[arg(long, env = "HAVIP_DATABASE_URL")]
        database_url: String,
    },
    /// Enforce the control plane's desired state in a lab's fabric (needs root, iproute2
    /// and nftables), acknowledging each revision so that changes in flight complete.
    Agent(crate::agent::AgentArgs),
    /// Build a seed's topology on this host in network namespaces (needs root and iproute2).
    Lab {
        #[command(subcommand)]
        command: LabCommand,
    },
    /// Measure signed load through every face against a havip it starts (or --url), with
    /// /healthz of the same run as the reference.
    Bench(crate::bench::BenchArgs),
}

#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Measure the data plane on this host: how long a change takes to reach the
    /// fabric through `serve --lab`, and a full reconcile of a large fabric.
    Bench(crate::lab_bench::LabBenchArgs),
    /// Measure failover with keepalived on this host: from killing the master to its
    /// backup's notify, the first client reply, and the new master in the API.
    BenchFailover(crate::failover_bench::FailoverBenchArgs),
    /// Build the lab: a fabric namespace with a bridge per subnet, a namespace per instance
    /// (one veth per ENI, with its MAC and IP) and a client namespace per subnet. Running it
    /// again changes nothing.
    Up {
        /// The seed file (TOML).
        #[arg(long)]
        seed: PathBuf,
        /// Names of the lab's namespaces and links start with this (1-7 letters or digits).
        #[arg(long, default_value = havip_lab::DEFAULT_PREFIX, env = "HAVIP_LAB_PREFIX")]
        prefix: havip_lab::Prefix,
        /// Also keepalived in the members of each seed HaVip with two or more `members`.
        #[command(flatten)]
        keepalived: crate::agent::KeepalivedArgs,
    },
    /// Remove every namespace and link of the lab (also after a crash).
    Down {
        #[arg(long, default_value = havip_lab::DEFAULT_PREFIX, env = "HAVIP_LAB_PREFIX")]
        prefix: havip_lab::Prefix,
    },
    /// Run a command in an instance's namespace (INSTANCE) or in a subnet's client
    /// namespace (client:SUBNET): `havip lab exec i-1 -- ip addr`.
    Exec {
        #[arg(long, default_value = havip_lab::DEFAULT_PREFIX, env = "HAVIP_LAB_PREFIX")]
        prefix: havip_lab::Prefix,
        /// INSTANCE or client:SUBNET.
        target: String,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Apply the fabric's anti-spoofing rules to a lab that is up: each port may send only
    /// its own MAC and addresses, and a HaVip's VIP only from the members given here.
    /// Replaces the rules of an earlier run at once; running it again changes nothing.
    Fabric {
        #[arg(long, default_value = havip_lab::DEFAULT_PREFIX, env = "HAVIP_LAB_PREFIX")]
        prefix: havip_lab::Prefix,
        /// The seed file (TOML) the lab was built from.
        #[arg(long)]
        seed: PathBuf,
        /// HAVIP=MEMBER: the HaVip (its id in the seed, or its address) may be carried by
        /// MEMBER (an instance id: on its primary ENI; or an ENI id). Repeat as needed.
        #[arg(long, value_name = "HAVIP=MEMBER")]
        associate: Vec<String>,
    },
    /// Print the fabric's drops per port (packets): VIP claims refused, foreign MACs,
    /// foreign addresses, other protocols.
    Counters {
        #[arg(long, default_value = havip_lab::DEFAULT_PREFIX, env = "HAVIP_LAB_PREFIX")]
        prefix: havip_lab::Prefix,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080", env = "HAVIP_LISTEN")]
    pub listen: SocketAddr,
    /// Directory for the embedded store and the admin token.
    #[arg(long, default_value = "./data", env = "HAVIP_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Seed file (TOML) loaded at start; loading it again changes nothing.
    #[arg(long, env = "HAVIP_SEED")]
    pub seed: Option<PathBuf>,
    /// A postgres:// URL to keep state in PostgreSQL instead of the embedded store.
    #[arg(long, env = "HAVIP_DATABASE_URL")]
    pub database_url: Option<String>,
    /// How long a request waits for the database before failing as unavailable.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub database_timeout: Duration,
    /// How long an association change stays in flight (e.g. 0s, 500ms, 2s).
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    pub transition_delay: Duration,
    /// Serve unsigned cloud requests as the first account of the seed (throwaway local use).
    #[arg(long)]
    pub insecure_no_auth: bool,
    /// Draw ids from a generator seeded with N and allocate the lowest free address, so
    /// that a run can be repeated exactly (tests). Replicas sharing a database need
    /// different seeds. Without it ids and addresses are random, as on the clouds.
    #[arg(long, value_name = "N", env = "HAVIP_ID_SEED")]
    pub id_seed: Option<u64>,
    /// A request's headers must arrive within this (from accept on a new connection, from
    /// the request's first byte on a kept-alive one); the connection is closed otherwise.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub header_read_timeout: Duration,
    /// A request's whole body must arrive within this.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub body_read_timeout: Duration,
    /// A kept-alive connection with no request for this long is closed.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Connections served at once; past it a new connection is answered 503 and closed.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Memory that the bodies of requests in flight may hold together (e.g. 64MiB).
    #[arg(long, default_value = "64MiB", value_parser = parse_size)]
    pub max_body_memory: usize,
    /// After SIGTERM, how long requests in flight may take before the process exits anyway.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub shutdown_timeout: Duration,
    /// Serve HTTPS only, with the PEM certificate chain in FILE (the server's certificate
    /// first); needs --tls-key.
    #[arg(
        long,
        value_name = "FILE",
        env = "HAVIP_TLS_CERT",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key (PKCS#8, RSA or SEC1) of --tls-cert's certificate.
    #[arg(
        long,
        value_name = "FILE",
        env = "HAVIP_TLS_KEY",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Require the admin token on GET /metrics too (open by default, as Prometheus expects).
    #[arg(long)]
    pub metrics_auth: bool,
    /// A data plane is attached: association changes complete when its agent
    /// (`havip agent`) acknowledges them, not after --transition-delay. Also set by a
    /// seed's `[dataplane]` and by --lab.
    #[arg(long, env = "HAVIP_DATAPLANE")]
    pub dataplane: bool,
    /// The one-command demo (needs root, iproute2 and nftables): build the lab of the
    /// store's inventory in network namespaces, run the fabric agent in this process,
    /// and tear the lab down on exit.
    #[arg(long)]
    pub lab: bool,
    /// The lab's name prefix with --lab (1-7 letters or digits).
    #[arg(long, default_value = havip_lab::DEFAULT_PREFIX, env = "HAVIP_LAB_PREFIX")]
    pub lab_prefix: havip_lab::Prefix,
    /// With --lab: keepalived in the members of each HaVip with two or more.
    #[command(flatten)]
    pub keepalived: crate::agent::KeepalivedArgs,
}

/// A size in bytes: a number with an optional KiB, MiB or GiB suffix.
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let factor: usize = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => return Err(format!("{s:?} is not a size like 65536, 512KiB or 64MiB")),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("{s:?} is not a size like 65536, 512KiB or 64MiB"))
}

pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("{s:?} is not a duration like 0s, 500ms or 2s: {e}"))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => crate::serve::serve(args).await,
        Command::Agent(args) => crate::agent::run(args).await,
        Command::Bench(args) => crate::bench::run(args).await,
        Command::CheckSeed { file } => {
            let seed = havip_seed::load_seed(&file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            crate::dispatch::Faces::standard(Some(&seed))
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!(
                "{}: {} accounts, {} VPCs, {} subnets, {} instances, {} ENIs, {} HaVips",
                file.display(),
                seed.accounts.len(),
                seed.vpcs.len(),
                seed.subnets.len(),
                seed.instances.len(),
                seed.enis.len(),
                seed.havips.len()
            );
            Ok(())
        }
        Command::Migrate {
            data_dir,
            database_url,
        } => crate::serve::migrate(&data_dir, &database_url).await,
        Command::Lab { command } => match command {
            LabCommand::Up {
                seed,
                prefix,
                keepalived,
            } => crate::lab::up(&seed, &prefix, &keepalived),
            LabCommand::Down { prefix } => crate::lab::down(&prefix),
            LabCommand::Exec {
                prefix,
                target,
                command,
            } => crate::lab::exec(&prefix, &target, &command),
            LabCommand::Fabric {
                prefix,
                seed,
                associate,
            } => crate::fabric::apply(&seed, &prefix, &associate),
            LabCommand::Counters { prefix } => crate::fabric::counters(&prefix),
            LabCommand::Bench(args) => crate::lab_bench::run(args).await,
            LabCommand::BenchFailover(args) => crate::failover_bench::run(args).await,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_units() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert!(parse_size("64MB").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
    }
}
