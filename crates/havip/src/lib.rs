//! The havip server as a library: the command line, start-up (store, seed, worker), the
//! one listener that serves every face, and graceful shutdown. `main.rs` only calls it.

pub mod admin_token;
pub mod agent;
pub mod bench;
pub mod cli;
pub mod data_dir;
pub mod dispatch;
pub mod fabric;
pub mod failover_bench;
pub mod http_server;
pub mod lab;
pub mod lab_bench;
pub mod metrics;
pub mod process;
pub mod serve;
pub mod tls;
