//! The load generator: N clients, each a task sending one unit of work (a request, or a
//! whole cycle) after another over a kept-alive connection, through a warm-up and then a
//! measured window. Only requests that start inside the window are counted; a cycle begun
//! before the window closes is finished, so that no HaVip is left half-way.

use std::sync::Arc;
use std::time::{Duration, Instant};

use havip_signature::OwnedRequest;

use super::cases::{Case, Target};

/// How one case went, before it is summarised.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Latencies of the counted requests, in microseconds (answered, whatever the status).
    pub latencies_us: Vec<u64>,
    /// Counted requests answered with a status outside 2xx.
    pub non_2xx: u64,
    /// Counted requests that got no answer (connection or protocol errors).
    pub failed: u64,
    /// The first error seen (status and the start of the body, or the transport error).
    pub first_error: Option<String>,
    /// From the window's start to the end of the last counted request.
    pub elapsed: Duration,
}

pub struct Window {
    pub clients: usize,
    pub warmup: Duration,
    pub duration: Duration,
}

/// Runs `case` with `window.clients` clients and gathers what they saw.
pub async fn run(
    http: &reqwest::Client,
    target: &Arc<Target>,
    case: Case,
    window: &Window,
) -> Outcome {
    let start = Instant::now();
    let measure_from = start + window.warmup;
    let until = measure_from + window.duration;
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..window.clients {
        let http = http.clone();
        let target = target.clone();
        tasks.spawn(
            async move { client_loop(&http, &target, case, client, measure_from, until).await },
        );
    }
    let mut total = Outcome::default();
    let mut last_end = measure_from;
    while let Some(joined) = tasks.join_next().await {
        let Ok((outcome, end)) = joined else {
            total.failed += 1;
            total
                .first_error
                .get_or_insert_with(|| "a client task panicked".into());
            continue;
        };
        last_end = last_end.max(end);
        total.latencies_us.extend(outcome.latencies_us);
        total.non_2xx += outcome.non_2xx;
        total.failed += outcome.failed;
        if total.first_error.is_none() {
            total.first_error = outcome.first_error;
        }
    }
    total.elapsed = last_end.saturating_duration_since(measure_from);
    total
}

async fn client_loop(
    http: &reqwest::Client,
    target: &Target,
    case: Case,
    client: usize,
    measure_from: Instant,
    until: Instant,
) -> (Outcome, Instant) {
    let mut out = Outcome::default();
    let mut last_end = measure_from;
    while Instant::now() < until {
        for step in 0..case.steps() {
            let req = target.request(case, client, step);
            let began = Instant::now();
            let answer = send(http, &target.url, req).await;
            let ended = Instant::now();
            if began < measure_from {
                continue;
            }
            last_end = ended;
            match answer {
                Ok(_) => {
                    let us = ended.duration_since(began).as_micros();
                    out.latencies_us.push(u64::try_from(us).unwrap_or(u64::MAX));
                }
                Err(Failure::Status(status, text)) => {
                    let us = ended.duration_since(began).as_micros();
                    out.latencies_us.push(u64::try_from(us).unwrap_or(u64::MAX));
                    out.non_2xx += 1;
                    out.first_error.get_or_insert_with(|| {
                        let text: String = text.chars().take(300).collect();
                        format!("{status}: {text}")
                    });
                }
                Err(Failure::Transport(e)) => {
                    out.failed += 1;
                    out.first_error.get_or_insert(e);
                }
            }
        }
    }
    (out, last_end)
}

pub enum Failure {
    Status(u16, String),
    Transport(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status(status, text) => write!(f, "{status}: {text}"),
            Failure::Transport(e) => f.write_str(e),
        }
    }
}

/// Sends `req` to `url` and reads the whole answer: its body when the status is 2xx.
pub async fn send(
    http: &reqwest::Client,
    url: &str,
    req: OwnedRequest,
) -> Result<bytes::Bytes, Failure> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|e| Failure::Transport(e.to_string()))?;
    let mut headers = req.headers;
    // The client computes the length of the body it sends itself.
    headers.remove(http::header::CONTENT_LENGTH);
    let resp = http
        .request(method, format!("{url}{}", target_of(&req.path, &req.query)))
        .headers(headers)
        .body(req.body)
        .send()
        .await
        .map_err(|e| Failure::Transport(e.to_string()))?;
    let status = resp.status();
    let body = resp
        .bytes()
        .await
        .map_err(|e| Failure::Transport(e.to_string()))?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(Failure::Status(
            status.as_u16(),
            String::from_utf8_lossy(&body).into_owned(),
        ))
    }
}

fn target_of(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}
