//! DescribeHaVips: the caller's HaVips in its region, filtered (criteria ANDed) and paged
//! by PageNumber/PageSize or MaxResults/NextToken; `NextToken` is set when more follow.

use havip_service::{Caller, Service};
use serde_json::{json, Map, Value};

use super::ActionResult;
use crate::params::{self, PageStyle, Params};
use crate::render;

pub async fn run(service: &Service, caller: &Caller, p: &Params) -> ActionResult {
    let call = params::describe(p)?;
    let page = service.describe_havips(caller, &call.query).await?;
    let (mut items, total) = if call.project_matches {
        (page.items, page.total)
    } else {
        (Vec::new(), 0)
    };
    let size = usize::try_from(call.style.size()).unwrap_or(usize::MAX);
    let more = items.len() > size;
    items.truncate(size);
    let next_token = match items.last() {
        Some((seq, _)) if more => params::next_token(*seq),
        _ => String::new(),
    };
    let havips: Vec<Value> = items
        .iter()
        .map(|(_, h)| render::havip(&caller.profile, h))
        .collect();
    let mut out = Map::new();
    out.insert("HaVips".into(), Value::Array(havips));
    out.insert("TotalCount".into(), json!(total));
    if let PageStyle::Numbered { number, .. } = call.style {
        out.insert("PageNumber".into(), json!(number));
    }
    out.insert("PageSize".into(), json!(call.style.size()));
    out.insert("NextToken".into(), json!(next_token));
    Ok(out)
}
