//! `GET /metrics`: request counts per face and status class, and request time, in the
//! Prometheus text format. Counters are atomics: nothing on the request path takes a lock.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::dispatch::{classify, Face};

const FACES: [(Face, &str); 4] = [
    (Face::Native, "native"),
    (Face::Aliyun, "aliyun"),
    (Face::Volcengine, "volcengine"),
    (Face::Huawei, "huawei"),
];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

#[derive(Default)]
pub struct Metrics {
    requests: [[AtomicU64; 5]; 4],
    micros: [AtomicU64; 4],
}

fn face_index(face: Face) -> usize {
    FACES.iter().position(|(f, _)| *f == face).unwrap_or(0)
}

impl Metrics {
    fn record(&self, face: Face, status: u16, micros: u64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        let f = face_index(face);
        self.requests[f][class].fetch_add(1, Ordering::Relaxed);
        self.micros[f].fetch_add(micros, Ordering::Relaxed);
    }

    fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP havip_requests_total Requests answered, by face and status class.\n");
        out.push_str("# TYPE havip_requests_total counter\n");
        for (f, (_, face)) in FACES.iter().enumerate() {
            for (c, class) in CLASSES.iter().enumerate() {
                let n = self.requests[f][c].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "havip_requests_total{{face=\"{face}\",status=\"{class}\"}} {n}"
                );
            }
        }
        out.push_str(
            "# HELP havip_request_seconds_total Time spent answering requests, by face.\n",
        );
        out.push_str("# TYPE havip_request_seconds_total counter\n");
        for (f, (_, face)) in FACES.iter().enumerate() {
            let s = self.micros[f].load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "havip_request_seconds_total{{face=\"{face}\"}} {s}");
        }
        out
    }
}

/// Middleware: counts every answered request of the cloud and native faces.
pub async fn record(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/metrics" || path == "/healthz" {
        return next.run(req).await;
    }
    let face = classify(path, req.uri().query().unwrap_or(""), req.headers());
    let started = Instant::now();
    let response = next.run(req).await;
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    metrics.record(face, response.status().as_u16(), micros);
    response
}

pub async fn render(State(metrics): State<Arc<Metrics>>) -> Response {
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_per_face_and_class() {
        let m = Metrics::default();
        m.record(Face::Aliyun, 200, 1500);
        m.record(Face::Aliyun, 404, 500);
        m.record(Face::Huawei, 503, 10);
        let text = m.render();
        assert!(text.contains("havip_requests_total{face=\"aliyun\",status=\"2xx\"} 1"));
        assert!(text.contains("havip_requests_total{face=\"aliyun\",status=\"4xx\"} 1"));
        assert!(text.contains("havip_requests_total{face=\"huawei\",status=\"5xx\"} 1"));
        assert!(text.contains("havip_request_seconds_total{face=\"aliyun\"} 0.002"));
    }
}
