//! Summaries of the cases (req/s, p50/p99/p999, errors, ratio to `/healthz`) and how they
//! are printed: a table for people, JSON (`--json`) for machines.

use std::fmt::Write as _;

use serde::Serialize;

use super::cases::Case;
use super::load::Outcome;

#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub case: &'static str,
    pub requests: u64,
    pub req_per_s: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    /// Answers outside 2xx.
    pub non_2xx: u64,
    /// Requests that got no answer.
    pub failed: u64,
    pub first_error: Option<String>,
    /// `req_per_s` over the `/healthz` figure of the same run (absent without it).
    pub ratio_to_healthz: Option<f64>,
}

impl CaseReport {
    pub fn errors(&self) -> u64 {
        self.non_2xx + self.failed
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub url: String,
    pub clients: usize,
    pub warmup_ms: u64,
    pub duration_ms: u64,
    pub describe_havips: usize,
    pub page_size: u64,
    pub cases: Vec<CaseReport>,
}

/// The `q`-quantile (0..=1) of sorted values, nearest rank; 0 when there are none.
pub fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn summarise(case: Case, mut outcome: Outcome) -> CaseReport {
    outcome.latencies_us.sort_unstable();
    let answered = outcome.latencies_us.len() as u64;
    let requests = answered + outcome.failed;
    let secs = outcome.elapsed.as_secs_f64();
    let l = &outcome.latencies_us;
    CaseReport {
        case: case.name(),
        requests,
        req_per_s: if secs > 0.0 {
            requests as f64 / secs
        } else {
            0.0
        },
        p50_us: quantile(l, 0.50),
        p99_us: quantile(l, 0.99),
        p999_us: quantile(l, 0.999),
        non_2xx: outcome.non_2xx,
        failed: outcome.failed,
        first_error: outcome.first_error,
        ratio_to_healthz: None,
    }
}

/// Fills in every case's ratio to the `healthz` case, when it ran.
pub fn add_ratios(cases: &mut [CaseReport]) {
    let health = cases
        .iter()
        .find(|c| c.case == Case::Healthz.name())
        .map(|c| c.req_per_s)
        .filter(|r| *r > 0.0);
    for c in cases {
        c.ratio_to_healthz = health.map(|h| c.req_per_s / h);
    }
}

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

/// The table people read.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "havip bench: {} clients, warm-up {} ms, measured {} ms, {} HaVips per region \
         described {} per page, against {}",
        report.clients,
        report.warmup_ms,
        report.duration_ms,
        report.describe_havips,
        report.page_size,
        report.url
    );
    let _ = writeln!(
        out,
        "{:<22} {:>9} {:>10} {:>9} {:>9} {:>9} {:>7} {:>9}",
        "case", "requests", "req/s", "p50 ms", "p99 ms", "p999 ms", "errors", "×healthz"
    );
    for c in &report.cases {
        let ratio = c
            .ratio_to_healthz
            .map_or_else(|| "-".to_string(), |r| format!("{r:.2}"));
        let flag = if c.errors() > 0 { "  ERRORS" } else { "" };
        let _ = writeln!(
            out,
            "{:<22} {:>9} {:>10.0} {:>9} {:>9} {:>9} {:>7} {:>9}{flag}",
            c.case,
            c.requests,
            c.req_per_s,
            ms(c.p50_us),
            ms(c.p99_us),
            ms(c.p999_us),
            c.errors(),
            ratio
        );
    }
    for c in report.cases.iter().filter(|c| c.errors() > 0) {
        let _ = writeln!(
            out,
            "{}: {} non-2xx, {} without an answer; first: {}",
            c.case,
            c.non_2xx,
            c.failed,
            c.first_error.as_deref().unwrap_or("-")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=1000).collect();
        assert_eq!(quantile(&v, 0.5), 500);
        assert_eq!(quantile(&v, 0.99), 990);
        assert_eq!(quantile(&v, 0.999), 999);
        assert_eq!(quantile(&[7], 0.999), 7);
        assert_eq!(quantile(&[], 0.5), 0);
    }

    #[test]
    fn ratios_are_to_healthz_and_errors_are_flagged() {
        let mk = |case, rps, non_2xx| CaseReport {
            case,
            requests: 10,
            req_per_s: rps,
            p50_us: 1000,
            p99_us: 2000,
            p999_us: 3000,
            non_2xx,
            failed: 0,
            first_error: (non_2xx > 0).then(|| "400: bad".to_string()),
            ratio_to_healthz: None,
        };
        let mut cases = vec![mk("healthz", 1000.0, 0), mk("native-describe", 250.0, 2)];
        add_ratios(&mut cases);
        assert_eq!(cases[1].ratio_to_healthz, Some(0.25));
        let text = table(&Report {
            url: "http://x".into(),
            clients: 2,
            warmup_ms: 1,
            duration_ms: 2,
            describe_havips: 100,
            page_size: 10,
            cases,
        });
        assert!(text.contains("ERRORS"), "{text}");
        assert!(text.contains("native-describe: 2 non-2xx"), "{text}");
    }
}
