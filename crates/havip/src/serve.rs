//! `havip serve`: open the store, load the seed, start the worker, serve every face on one
//! listener, and shut down gracefully on SIGTERM or ctrl-c (requests in flight finish; every
//! write is a transaction, so nothing is half-written).

use std::sync::Arc;

use anyhow::Context;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use havip_api::{AppState, BodyLimits, SharedState};
use havip_service::{
    IdGenerator, RandomIds, SeededIds, Service, ServiceConfig, SystemClock, Worker,
};
use havip_store::postgres::{PgSettings, PgStore};
use havip_store::sqlite::SqliteStore;
use havip_store::Store;
use tokio::sync::watch;

use crate::cli::ServeArgs;
use crate::dispatch::{self, DispatchState, Faces};
use crate::http_server::{self, ConnectionLimits};
use crate::metrics::{self, Metrics};

/// The router that serves every face; `/metrics` asks for the admin token when
/// `metrics_auth` is set.
pub fn app(state: SharedState, faces: Arc<Faces>, metrics_auth: bool) -> Router {
    let metrics = Arc::new(Metrics::new(faces.names()));
    let mut metrics_route = Router::new()
        .route("/metrics", get(metrics::render))
        .with_state(metrics::MetricsState {
            metrics: metrics.clone(),
            app: state.clone(),
        });
    if metrics_auth {
        let tokens = Arc::new(state.admin_tokens.clone());
        metrics_route = metrics_route.route_layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let tokens = tokens.clone();
                async move {
                    if havip_native::auth::authorized(req.headers(), &tokens) {
                        next.run(req).await
                    } else {
                        havip_native::problem::NativeError::Unauthorized.into_response()
                    }
                }
            },
        ));
    }
    let faces = Router::new()
        .route("/healthz", get(dispatch::healthz))
        .fallback(dispatch::dispatch)
        .with_state(DispatchState { app: state, faces });
    metrics_route
        .merge(faces)
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::record,
        ))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

async fn open_postgres(url: &str, timeout: std::time::Duration) -> anyhow::Result<PgStore> {
    let settings = PgSettings {
        timeout,
        ..PgSettings::default()
    };
    PgStore::connect(url, &settings)
        .await
        .context("connecting to PostgreSQL and applying migrations")
}

async fn open_store(args: &ServeArgs) -> anyhow::Result<Arc<dyn Store>> {
    match &args.database_url {
        Some(url) if is_postgres(url) => {
            Ok(Arc::new(open_postgres(url, args.database_timeout).await?))
        }
        Some(url) => anyhow::bail!("--database-url {url:?}: only postgres:// URLs are supported"),
        None => {
            let store = SqliteStore::open(&args.data_dir)
                .await
                .with_context(|| format!("opening the store in {}", args.data_dir.display()))?;
            Ok(Arc::new(store))
        }
    }
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if args.keepalived.keepalived && !args.lab {
        anyhow::bail!("--keepalived runs keepalived in the lab: it needs --lab");
    }
    if args.lab && args.tls_cert.is_some() {
        anyhow::bail!(
            "--lab's agent reaches the listener over plain HTTP: run it without --tls-cert"
        );
    }
    // Certificate and key are checked before anything is created.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::acceptor(cert, key)?),
        (None, None) => None,
        _ => anyhow::bail!("--tls-cert and --tls-key go together"),
    };
    // The host is checked before anything is created.
    let lab_agent = if args.lab {
        Some(crate::agent::LabAgent::prepare(
            &args.lab_prefix,
            &args.keepalived,
        )?)
    } else {
        None
    };
    crate::data_dir::prepare(&args.data_dir)?;
    let seed = match &args.seed {
        Some(path) => Some(
            havip_seed::load_seed(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
        ),
        None => None,
    };
    let (faces, operator) = Faces::standard(seed.as_ref()).map_err(|e| match &args.seed {
        Some(path) => anyhow::anyhow!("{}: {e}", path.display()),
        None => e,
    })?;
    let store = open_store(&args).await?;
    let config = ServiceConfig {
        operator: Arc::new(operator),
        transition_delay: args.transition_delay,
        dataplane: args.dataplane || args.lab || seed.as_ref().is_some_and(|s| s.dataplane),
        ..ServiceConfig::default()
    };
    let ids: Arc<dyn IdGenerator> = match args.id_seed {
        Some(seed) => Arc::new(SeededIds::new(seed)),
        None => Arc::new(RandomIds),
    };
    let service = Arc::new(Service::new(
        store.clone(),
        config,
        Arc::new(SystemClock),
        ids,
    ));
    if let Some(seed) = &seed {
        let report = service.load_seed(seed).await.context("loading the seed")?;
        tracing::info!(
            created = report.created,
            existing = report.existing,
            "seed loaded"
        );
    }
    let insecure_account = if args.insecure_no_auth {
        let first = seed
            .as_ref()
            .and_then(|s| s.accounts.first())
            .map(|a| a.id.clone());
        let first = match first {
            Some(a) => Some(a),
            None => service.accounts().await?.first().map(|a| a.id.clone()),
        };
        Some(first.context("--insecure-no-auth needs an account (give a seed with one)")?)
    } else {
        None
    };
    let admin_tokens = crate::admin_token::load_or_create(&args.data_dir)?;
    let agent_token = admin_tokens.first().cloned().unwrap_or_default();
    let state = Arc::new(AppState {
        service: service.clone(),
        admin_tokens,
        insecure_account,
        bodies: BodyLimits::new(args.body_read_timeout, args.max_body_memory),
    });

    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = tokio::spawn(Worker::new(service.clone()).run(stop_rx));

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let local = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{local}");
    let agent = match lab_agent {
        Some(a) => {
            println!(
                "lab {p}: built from the inventory by the agent in this process; \
                 `havip lab exec --prefix {p} INSTANCE -- CMD` runs a command in an instance",
                p = args.lab_prefix
            );
            Some(a.start(local, agent_token, stop_tx.subscribe())?)
        }
        None => None,
    };
    use std::io::Write;
    std::io::stdout().flush().ok();

    let room = crate::process::prepare();
    let max_connections = u64::from(args.max_connections).min(room);
    if max_connections < u64::from(args.max_connections) {
        tracing::warn!(
            max_connections,
            "the open-file limit leaves room for fewer connections than --max-connections"
        );
    }
    let limits = ConnectionLimits {
        header_read_timeout: args.header_read_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: usize::try_from(max_connections.max(1)).unwrap_or(usize::MAX),
        shutdown_timeout: args.shutdown_timeout,
    };
    let closing = service.clone();
    http_server::serve(
        listener,
        app(state, Arc::new(faces), args.metrics_auth),
        limits,
        tls,
        async move {
            shutdown_signal().await;
            // Long polls of the change feed answer now instead of holding the shutdown.
            closing.begin_shutdown();
        },
    )
    .await;
    stop_tx.send(true).ok();
    worker.await.ok();
    if let Some(agent) = agent {
        agent.await.ok();
    }
    drop(service);
    tracing::info!("stopped");
    Ok(())
}

/// Resolves at SIGINT or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// `havip migrate`: copies the embedded store of `data_dir` into an empty PostgreSQL database.
pub async fn migrate(data_dir: &std::path::Path, url: &str) -> anyhow::Result<()> {
    if !is_postgres(url) {
        anyhow::bail!("--database-url {url:?}: only postgres:// URLs are supported");
    }
    let file = data_dir.join(havip_store::sqlite::DB_FILE);
    if !file.exists() {
        anyhow::bail!("{} holds no havip store", data_dir.display());
    }
    let from = SqliteStore::open(data_dir)
        .await
        .context("opening the embedded store")?;
    let to = open_postgres(url, std::time::Duration::from_secs(30)).await?;
    let report = havip_store::copy::copy_all(&from, &to)
        .await
        .context("copying")?;
    println!(
        "migrated {} accounts, {} access keys, {} VPCs, {} subnets, {} instances, {} ENIs, {} HaVips",
        report.accounts, report.access_keys, report.vpcs, report.subnets, report.instances, report.enis, report.havips
    );
    from.close().await;
    to.close().await;
    Ok(())
}
