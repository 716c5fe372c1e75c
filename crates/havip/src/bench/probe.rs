//! One unmeasured pass of every case before any is measured, so that the figures are of
//! requests that do what they claim: a describe must answer a full page out of at least
//! the HaVips built for it, and a cycle must leave the HaVip InUse after the associate and
//! Available after the disassociate (read back through the native API).

use serde_json::Value;

use super::cases::{Case, Target, PAGE_SIZE};
use super::fixtures::Native;
use super::load::send;
use super::BenchError;

fn failed(case: Case, what: impl std::fmt::Display) -> BenchError {
    BenchError::Probe(format!("{}: {what}", case.name()))
}

/// The page of HaVips (or VIP ports) a describe answered, and the total when the face
/// gives one.
fn page_and_total(case: Case, body: &Value) -> (Option<usize>, Option<u64>) {
    let (items, total) = match case {
        Case::AliyunAcs3Describe | Case::AliyunRpcDescribe => {
            (&body["HaVips"]["HaVip"], &body["TotalCount"])
        }
        Case::VolcengineDescribe => (&body["Result"]["HaVips"], &body["Result"]["TotalCount"]),
        Case::HuaweiDescribe => (&body["ports"], &Value::Null),
        Case::NativeDescribe => (&body["items"], &body["total"]),
        _ => (&Value::Null, &Value::Null),
    };
    (items.as_array().map(Vec::len), total.as_u64())
}

async fn status_of(native: &Native, havip: &str) -> Result<String, BenchError> {
    let v = native.get(&format!("/v1/havips/{havip}")).await?;
    Ok(v["status"].as_str().unwrap_or("").to_string())
}

/// Runs `case` once as client 0 and checks its effect.
pub async fn probe(
    http: &reqwest::Client,
    native: &Native,
    target: &Target,
    case: Case,
    describe_havips: usize,
) -> Result<(), BenchError> {
    let first = send(http, &target.url, target.request(case, 0, 0))
        .await
        .map_err(|e| failed(case, e))?;
    if case == Case::Healthz {
        return Ok(());
    }
    if !case.is_cycle() {
        let body: Value = serde_json::from_slice(&first).map_err(|e| failed(case, e))?;
        let page: usize = PAGE_SIZE.parse().unwrap_or(0);
        let want_page = page.min(describe_havips);
        match page_and_total(case, &body) {
            (Some(n), total) if n >= want_page => {
                if let Some(t) = total.filter(|t| *t < describe_havips as u64) {
                    return Err(failed(case, format!("{t} HaVips, not {describe_havips}")));
                }
            }
            _ => return Err(failed(case, format!("not a page of {want_page}: {body}"))),
        }
        return Ok(());
    }
    let havip = &target.pair(case.region(), 0).havip;
    let status = status_of(native, havip).await?;
    if status != "InUse" {
        return Err(failed(
            case,
            format!("{havip} is {status} after the associate"),
        ));
    }
    send(http, &target.url, target.request(case, 0, 1))
        .await
        .map_err(|e| failed(case, e))?;
    let status = status_of(native, havip).await?;
    if status != "Available" {
        return Err(failed(
            case,
            format!("{havip} is {status} after the disassociate"),
        ));
    }
    Ok(())
}
