//! `havip bench` end to end, tiny so that it cannot rot: against a server it starts itself,
//! every case runs with zero errors and `--json` parses; `--cases` narrows the run and the
//! table names each case. Speed is not asserted (machines are noisy).

use std::process::Command;

use serde_json::Value;

const ALL_CASES: [&str; 11] = [
    "healthz",
    "aliyun-acs3-describe",
    "aliyun-rpc-describe",
    "volcengine-describe",
    "huawei-describe",
    "native-describe",
    "aliyun-acs3-cycle",
    "aliyun-rpc-cycle",
    "volcengine-cycle",
    "huawei-cycle",
    "native-cycle",
];

fn bench(extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_havip"))
        .args([
            "bench",
            "--duration",
            "200ms",
            "--warmup",
            "50ms",
            "--clients",
            "2",
        ])
        .args(extra)
        .env_remove("HAVIP_ADMIN_TOKEN")
        .output()
        .expect("havip bench runs")
}

#[test]
fn every_case_runs_without_errors_and_the_json_parses() {
    let out = bench(&["--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("--json is JSON");
    assert_eq!(report["clients"], 2);
    assert_eq!(report["describe_havips"], 100);
    let cases = report["cases"].as_array().expect("cases");
    let names: Vec<&str> = cases.iter().filter_map(|c| c["case"].as_str()).collect();
    assert_eq!(names, ALL_CASES);
    for c in cases {
        assert!(c["requests"].as_u64().unwrap_or(0) > 0, "{c}");
        assert_eq!(c["non_2xx"], 0, "{c}");
        assert_eq!(c["failed"], 0, "{c}");
        assert!(c["req_per_s"].as_f64().unwrap_or(0.0) > 0.0, "{c}");
        assert!(c["p50_us"].as_u64().unwrap_or(0) > 0, "{c}");
        assert!(c["ratio_to_healthz"].as_f64().is_some(), "{c}");
    }
}

#[test]
fn cases_narrow_the_run_and_the_table_names_them() {
    let out = bench(&["--cases", "native-describe,huawei-cycle"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let rows: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| ALL_CASES.contains(w))
        .collect();
    assert_eq!(
        rows,
        ["healthz", "native-describe", "huawei-cycle"],
        "{stdout}"
    );
    assert!(!stdout.contains("ERRORS"), "{stdout}");
}

#[test]
fn a_url_without_an_admin_token_is_refused() {
    let out = bench(&["--url", "http://127.0.0.1:9"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--admin-token"), "{stderr}");
}
