//! DescribeHaVips: the caller's HaVips in its region, filtered (criteria ANDed) and paged
//! by PageNumber/PageSize or MaxResults/NextToken; `NextToken` is set when more follow.

use havip_service::{Caller, Service};

use super::ActionResult;
use crate::answers::{Answer, HaVipItem, HaVipPage, PageFields};
use crate::params::{self, DescribeCall, PageStyle};

pub async fn run(service: &Service, caller: &Caller, call: DescribeCall) -> ActionResult {
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
    let page_number = match call.style {
        PageStyle::Numbered { number, .. } => Some(number),
        _ => None,
    };
    Ok(Answer::DescribeHaVips(HaVipPage {
        ha_vips: items
            .iter()
            .map(|(_, h)| HaVipItem::of(&caller.profile, h))
            .collect(),
        paging: PageFields {
            total_count: total,
            page_number,
            page_size: call.style.size(),
            next_token,
        },
    }))
}
