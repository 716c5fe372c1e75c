//! TagResources, UntagResources and ListTagsForResources for `ResourceType=havip` (what
//! the Terraform provider sends to tag a HaVip): tags set and removed on several HaVips at
//! once, all or none; the list is paged by MaxResults and NextToken (an offset).

use havip_service::{Caller, Service, TagQuery};

use super::ActionResult;
use crate::answers::{Answer, Empty, ResourceTag, TagPage};
use crate::params::{ListTagsCall, TagCall, UntagCall, RESOURCE_TYPE};

pub async fn tag(service: &Service, caller: &Caller, call: TagCall) -> ActionResult {
    service.tag_havips(caller, &call.ids, &call.tags).await?;
    Ok(Answer::Empty(Empty {}))
}

pub async fn untag(service: &Service, caller: &Caller, call: UntagCall) -> ActionResult {
    service
        .untag_havips(caller, &call.ids, &call.keys, false)
        .await?;
    Ok(Answer::Empty(Empty {}))
}

pub async fn list(service: &Service, caller: &Caller, call: ListTagsCall) -> ActionResult {
    let query = TagQuery {
        ids: call.ids,
        tags: call.filters,
    };
    // The region is checked, and the HaVips read, even for system tags (there are none).
    let mut rows = service.list_tags(caller, &query).await?;
    if call.system {
        rows.clear();
    }
    let start = usize::try_from(call.offset)
        .unwrap_or(usize::MAX)
        .min(rows.len());
    let end = start
        .saturating_add(usize::try_from(call.max).unwrap_or(usize::MAX))
        .min(rows.len());
    let next_token = if end < rows.len() {
        end.to_string()
    } else {
        String::new()
    };
    Ok(Answer::ListTagsForResources(TagPage {
        next_token,
        resource_tags: rows[start..end]
            .iter()
            .map(|r| ResourceTag {
                resource_id: r.resource_id.clone(),
                resource_type: RESOURCE_TYPE.to_string(),
                tag_key: r.key.clone(),
                tag_value: r.value.clone(),
            })
            .collect(),
    }))
}
