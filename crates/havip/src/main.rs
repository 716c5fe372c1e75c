//! `havip`: the command-line entry point.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = havip::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HAVIP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match havip::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("havip: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
