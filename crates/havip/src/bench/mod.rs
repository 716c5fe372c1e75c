//! `havip bench`: signed load through every face against a havip, either one it starts
//! itself (this binary as a child process, fresh data directory, the example seed) or one
//! given by `--url`. It builds its fixtures through the native API, measures `/healthz` and
//! each chosen case in turn, and prints req/s, latency quantiles, errors and each case's
//! ratio to `/healthz` of the same run.

pub mod cases;
pub mod fixtures;
pub mod load;
pub mod probe;
pub mod report;
pub mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cases::{Case, Target};
use fixtures::{Native, Region};

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("the seed: {0}")]
    Seed(String),
    #[error("starting the server: {0}")]
    Start(String),
    #[error("building the fixtures: {0}")]
    Setup(String),
    #[error("checking a case before measuring it: {0}")]
    Probe(String),
    #[error("--url {0:?} is not an http:// URL with a host")]
    Url(String),
    #[error("--url needs --admin-token (or HAVIP_ADMIN_TOKEN) for the native API")]
    NoAdminToken,
    #[error("the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Io(std::io::Error),
    #[error("{0} of the cases had errors (see above)")]
    CasesFailed(usize),
}

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// A running havip to measure; without it one is started from this binary.
    #[arg(long)]
    pub url: Option<String>,
    /// The admin token of the havip at --url (the native API builds the fixtures).
    #[arg(long, env = "HAVIP_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// Access key id that signs the cloud requests.
    #[arg(long, default_value = "AKDEMO0000000001")]
    pub access_key_id: String,
    /// Secret of that access key.
    #[arg(long, default_value = "demo-secret-0000000000000001")]
    pub access_key_secret: String,
    /// The account that owns the access key; the fixtures are built in it.
    #[arg(long, default_value = "1000000000000001")]
    pub account: String,
    /// The Huawei project id mapped to (account, cn-north-4).
    #[arg(long, default_value = "0a1b2c3d4e5f60718293a4b5c6d7e8f9")]
    pub huawei_project: String,
    /// The seed of the started server (default: examples/seed.toml, built in); its HaVip
    /// quotas are raised to fit the fixtures.
    #[arg(long, conflicts_with = "url")]
    pub seed: Option<PathBuf>,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub clients: u32,
    /// Load before each measured window, not counted.
    #[arg(long, default_value = "1s", value_parser = crate::cli::parse_duration)]
    pub warmup: Duration,
    /// The measured window of each case.
    #[arg(long, default_value = "5s", value_parser = crate::cli::parse_duration)]
    pub duration: Duration,
    /// The cases to run, comma-separated (healthz always runs: it is the reference).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub cases: Vec<Case>,
    /// HaVips created in each region for the describes to page through.
    #[arg(long, default_value_t = 100)]
    pub describe_havips: usize,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The `Host` header value of `url` (`host:port`, or `host` at the default port).
fn host_of(url: &str) -> Result<String, BenchError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| BenchError::Url(url.into()))?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(BenchError::Url(url.into()));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| BenchError::Url(url.into()))?;
    Ok(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

fn chosen_cases(args: &BenchArgs) -> Vec<Case> {
    let mut cases = vec![Case::Healthz];
    let wanted: &[Case] = if args.cases.is_empty() {
        &Case::ALL
    } else {
        &args.cases
    };
    for c in wanted {
        if !cases.contains(c) {
            cases.push(*c);
        }
    }
    cases
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let clients = usize::try_from(args.clients).unwrap_or(1);
    let (server, url, admin_token) = match &args.url {
        Some(url) => {
            let token = args.admin_token.clone().ok_or(BenchError::NoAdminToken)?;
            (None, url.trim_end_matches('/').to_string(), token)
        }
        None => {
            let seed = match &args.seed {
                Some(path) => std::fs::read_to_string(path).map_err(BenchError::Io)?,
                None => server::EXAMPLE_SEED.to_string(),
            };
            let room = (args.describe_havips + clients + 100) as u64;
            let seed = server::seed_with_quota(&seed, room)?;
            let exe = std::env::current_exe().map_err(BenchError::Io)?;
            let s = server::Server::start(&exe, &seed).await?;
            let (url, token) = (s.url.clone(), s.admin_token.clone());
            (Some(s), url, token)
        }
    };
    let result = measure(&args, clients, &url, admin_token).await;
    if let Some(s) = server {
        s.stop().await;
    }
    let report = result?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report::table(&report));
    }
    let failed = report.cases.iter().filter(|c| c.errors() > 0).count();
    if failed > 0 {
        return Err(BenchError::CasesFailed(failed).into());
    }
    Ok(())
}

async fn measure(
    args: &BenchArgs,
    clients: usize,
    url: &str,
    admin_token: String,
) -> Result<report::Report, BenchError> {
    let host = host_of(url)?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients + 8)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| BenchError::Client(e.to_string()))?;
    let native = Native {
        http: http.clone(),
        url: url.to_string(),
        token: admin_token.clone(),
    };
    let cases = chosen_cases(args);
    let cycles = cases.iter().any(|c| c.is_cycle());
    let describes = if cases.iter().any(|c| !c.is_cycle() && *c != Case::Healthz) {
        args.describe_havips
    } else {
        0
    };
    let pairs = if cycles { clients } else { 0 };
    let mut built = Vec::new();
    for region in Region::ALL {
        built.push(fixtures::build(&native, &args.account, region, describes, pairs).await?);
    }
    let mut built = built.into_iter();
    let (Some(shanghai), Some(beijing), Some(north4)) = (built.next(), built.next(), built.next())
    else {
        return Err(BenchError::Setup("a region is missing".into()));
    };
    let target = Arc::new(Target {
        url: url.to_string(),
        host,
        admin_token,
        account: args.account.clone(),
        access_key_id: args.access_key_id.clone(),
        secret: args.access_key_secret.clone(),
        huawei_project: args.huawei_project.clone(),
        shanghai,
        beijing,
        north4,
    });
    let window = load::Window {
        clients,
        warmup: args.warmup,
        duration: args.duration,
    };
    for case in &cases {
        probe::probe(&http, &native, &target, *case, describes).await?;
    }
    let mut reports = Vec::new();
    for case in cases {
        if !args.json {
            eprintln!("havip bench: {} ...", case.name());
        }
        let outcome = load::run(&http, &target, case, &window).await;
        reports.push(report::summarise(case, outcome));
    }
    report::add_ratios(&mut reports);
    Ok(report::Report {
        url: url.to_string(),
        clients,
        warmup_ms: u64::try_from(args.warmup.as_millis()).unwrap_or(u64::MAX),
        duration_ms: u64::try_from(args.duration.as_millis()).unwrap_or(u64::MAX),
        describe_havips: describes,
        page_size: cases::PAGE_SIZE.parse().unwrap_or(0),
        cases: reports,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_header_keeps_a_port_that_is_not_the_default() {
        assert_eq!(
            host_of("http://127.0.0.1:8080").ok().as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            host_of("http://localhost/").ok().as_deref(),
            Some("localhost")
        );
        assert!(host_of("not a url").is_err());
        assert!(host_of("ftp://x").is_err());
    }
}
