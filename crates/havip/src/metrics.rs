//! `GET /metrics`: request counts per face and status class, and request time, in the
//! Prometheus text format; and the data plane's state from the store (revision, the
//! agent's acknowledged revision and lag, drops per port and per VIP as it reported
//! them). Request counters are atomics: nothing on the request path takes a lock.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::dispatch::AnsweredBy;

const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Counters per face (in the order of the server's face list).
pub struct Metrics {
    faces: Vec<&'static str>,
    requests: Vec<[AtomicU64; 5]>,
    micros: Vec<AtomicU64>,
}

impl Metrics {
    pub fn new(faces: Vec<&'static str>) -> Metrics {
        Metrics {
            requests: faces.iter().map(|_| Default::default()).collect(),
            micros: faces.iter().map(|_| AtomicU64::new(0)).collect(),
            faces,
        }
    }

    fn record(&self, face: usize, status: u16, micros: u64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        if let (Some(requests), Some(time)) = (self.requests.get(face), self.micros.get(face)) {
            requests[class].fetch_add(1, Ordering::Relaxed);
            time.fetch_add(micros, Ordering::Relaxed);
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP havip_requests_total Requests answered, by face and status class.\n");
        out.push_str("# TYPE havip_requests_total counter\n");
        for (f, face) in self.faces.iter().enumerate() {
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
        for (f, face) in self.faces.iter().enumerate() {
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
    let started = Instant::now();
    let response = next.run(req).await;
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    if let Some(AnsweredBy(face)) = response.extensions().get::<AnsweredBy>() {
        metrics.record(*face, response.status().as_u16(), micros);
    }
    response
}

/// What `/metrics` reads: the request counters and the service.
#[derive(Clone)]
pub struct MetricsState {
    pub metrics: Arc<Metrics>,
    pub app: havip_api::SharedState,
}

pub async fn render(State(st): State<MetricsState>) -> Response {
    let mut text = st.metrics.render();
    let service = &st.app.service;
    match service.fabric_status().await {
        Ok(status) => text.push_str(&render_dataplane(
            service.config().dataplane,
            &status,
            service.now_ms(),
        )),
        // The request counters still answer; the data plane's figures are left out.
        Err(e) => tracing::warn!(error = %e, "metrics: reading the data plane's state failed"),
    }
    let _ = writeln!(
        text,
        "# HELP havip_dataplane_ignored_claims_total ARP claims the data plane reported that \
         did not count (not an associated member), since this process started.\n\
         # TYPE havip_dataplane_ignored_claims_total counter\n\
         havip_dataplane_ignored_claims_total {}",
        service.ignored_claims()
    );
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        text,
    )
        .into_response()
}

/// A label value with `\`, `"` and line feeds escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The data plane's figures: always the revision and the acknowledged revision; drops
/// once an agent has reported.
fn render_dataplane(attached: bool, status: &havip_store::FabricRecord, now_ms: i64) -> String {
    let mut out = String::new();
    let lag = status.revision.saturating_sub(status.acked).max(0);
    for (name, help, value) in [
        (
            "havip_dataplane_attached",
            "1 when changes wait for the data plane's acknowledgement.",
            i64::from(attached),
        ),
        (
            "havip_dataplane_revision",
            "The change feed's revision (grows with every committed change).",
            status.revision,
        ),
        (
            "havip_dataplane_acked_revision",
            "The highest revision the data plane's agent acknowledged.",
            status.acked,
        ),
        (
            "havip_dataplane_lag_revisions",
            "Revisions the agent has not acknowledged yet.",
            lag,
        ),
    ] {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
        );
    }
    if let Some(at) = status.acked_at {
        let age = (now_ms.saturating_sub(at)).max(0) as f64 / 1000.0;
        let _ = writeln!(
            out,
            "# HELP havip_dataplane_ack_age_seconds Time since the agent's last acknowledgement.\n\
             # TYPE havip_dataplane_ack_age_seconds gauge\n\
             havip_dataplane_ack_age_seconds {age}"
        );
    }
    let ports: Vec<havip_native::feed::PortView> = status
        .report
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    if ports.is_empty() {
        return out;
    }
    out.push_str(
        "# HELP havip_dataplane_drops_total Packets the fabric dropped, by port and reason.\n\
         # TYPE havip_dataplane_drops_total counter\n",
    );
    for p in &ports {
        for (reason, n) in &p.drops {
            let _ = writeln!(
                out,
                "havip_dataplane_drops_total{{port=\"{}\",label=\"{}\",reason=\"{}\"}} {n}",
                label(&p.port),
                label(&p.label),
                label(reason)
            );
        }
    }
    out.push_str(
        "# HELP havip_dataplane_vip_drops_total Claims on a VIP the fabric dropped, by port.\n\
         # TYPE havip_dataplane_vip_drops_total counter\n",
    );
    for p in &ports {
        for (vip, n) in &p.vip_drops {
            let _ = writeln!(
                out,
                "havip_dataplane_vip_drops_total{{port=\"{}\",vip=\"{vip}\"}} {n}",
                label(&p.port)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_per_face_and_class() {
        let m = Metrics::new(vec!["aliyun", "huawei"]);
        m.record(0, 200, 1500);
        m.record(0, 404, 500);
        m.record(1, 503, 10);
        m.record(7, 200, 1);
        let text = m.render();
        assert!(text.contains("havip_requests_total{face=\"aliyun\",status=\"2xx\"} 1"));
        assert!(text.contains("havip_requests_total{face=\"aliyun\",status=\"4xx\"} 1"));
        assert!(text.contains("havip_requests_total{face=\"huawei\",status=\"5xx\"} 1"));
        assert!(text.contains("havip_request_seconds_total{face=\"aliyun\"} 0.002"));
    }

    #[test]
    fn renders_the_data_plane_from_the_agents_report() {
        let status = havip_store::FabricRecord {
            revision: 12,
            acked: 9,
            acked_at: Some(1_000),
            agent: Some("agent".into()),
            report: Some(
                r#"[{"port":"hvp1","label":"i-a \"eth0\"","mac":"00:16:3e:00:00:01",
                    "allowed":["10.0.0.5"],"drops":{"vip":4,"mac":1},
                    "vip_drops":{"10.0.0.100":4}}]"#
                    .into(),
            ),
        };
        let text = render_dataplane(true, &status, 3_500);
        assert!(text.contains("havip_dataplane_attached 1\n"));
        assert!(text.contains("havip_dataplane_revision 12\n"));
        assert!(text.contains("havip_dataplane_acked_revision 9\n"));
        assert!(text.contains("havip_dataplane_lag_revisions 3\n"));
        assert!(text.contains("havip_dataplane_ack_age_seconds 2.5\n"));
        assert!(text.contains(
            "havip_dataplane_drops_total{port=\"hvp1\",label=\"i-a \\\"eth0\\\"\",reason=\"vip\"} 4\n"
        ));
        assert!(
            text.contains("havip_dataplane_vip_drops_total{port=\"hvp1\",vip=\"10.0.0.100\"} 4\n")
        );
        let quiet = render_dataplane(false, &havip_store::FabricRecord::default(), 0);
        assert!(quiet.contains("havip_dataplane_attached 0\n"));
        assert!(!quiet.contains("drops"));
    }
}
