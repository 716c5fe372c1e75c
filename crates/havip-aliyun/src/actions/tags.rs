//! TagResources, UnTagResources and ListTagResources for `ResourceType=HAVIP` (any case):
//! `ResourceId.N` (at most 50), `Tag.N.Key`/`Tag.N.Value`, `TagKey.N`, `All`,
//! `MaxResults` (1–50, default 50) and `NextToken` (an offset; empty on the last page).

use havip_service::{Caller, Service, TagQuery};

use super::empty;
use crate::answers::{Answer, TagResource, TagResourceList, TagResourcePage};
use crate::errors::FaceError;
use crate::params::{Params, MAX_RESOURCE_IDS, MAX_TAG_INDEX, MAX_TAG_PARAMS};

/// The only resource type of these APIs that havip knows.
pub const RESOURCE_TYPE: &str = "HAVIP";
pub const DEFAULT_MAX_RESULTS: u64 = 50;

fn check_resource_type(p: &Params) -> Result<(), FaceError> {
    let t = p.required("ResourceType")?;
    if t.eq_ignore_ascii_case(RESOURCE_TYPE) {
        Ok(())
    } else {
        Err(FaceError::InvalidResourceType(t.to_string()))
    }
}

fn resource_ids(p: &Params, required: bool) -> Result<Vec<String>, FaceError> {
    let ids = p.list("ResourceId", MAX_RESOURCE_IDS)?;
    if required && ids.is_empty() {
        return Err(FaceError::MissingParameter("ResourceId.1".into()));
    }
    Ok(ids)
}

#[derive(Debug)]
pub struct TagCall {
    pub ids: Vec<String>,
    pub tags: Vec<(String, String)>,
}

pub fn parse_tag(p: &Params) -> Result<TagCall, FaceError> {
    check_resource_type(p)?;
    let ids = resource_ids(p, true)?;
    let tags: Vec<(String, String)> = p
        .key_values("Tag", MAX_TAG_INDEX)?
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    if tags.is_empty() {
        return Err(FaceError::MissingParameter("Tag.1.Key".into()));
    }
    Ok(TagCall { ids, tags })
}

pub async fn tag(service: &Service, caller: &Caller, call: TagCall) -> Result<Answer, FaceError> {
    service.tag_havips(caller, &call.ids, &call.tags).await?;
    Ok(empty())
}

#[derive(Debug)]
pub struct UntagCall {
    pub ids: Vec<String>,
    pub keys: Vec<String>,
    pub all: bool,
}

pub fn parse_untag(p: &Params) -> Result<UntagCall, FaceError> {
    check_resource_type(p)?;
    let ids = resource_ids(p, true)?;
    let keys = p.list("TagKey", MAX_TAG_PARAMS)?;
    let all = p.bool("All", false)?;
    // `All` only counts when no TagKey.N is given (the API reference).
    let all = all && keys.is_empty();
    Ok(UntagCall { ids, keys, all })
}

pub async fn untag(
    service: &Service,
    caller: &Caller,
    call: UntagCall,
) -> Result<Answer, FaceError> {
    service
        .untag_havips(caller, &call.ids, &call.keys, call.all)
        .await?;
    Ok(empty())
}

/// `NextToken` is the offset of the next row; empty or absent is the first page.
pub fn parse_next_token(token: Option<&str>) -> Result<u64, FaceError> {
    match token {
        None | Some("") => Ok(0),
        Some(t) => t.parse().map_err(|_| FaceError::InvalidNextToken),
    }
}

#[derive(Debug)]
pub struct ListTagsCall {
    pub query: TagQuery,
    pub max: u64,
    pub offset: u64,
}

pub fn parse_list(p: &Params) -> Result<ListTagsCall, FaceError> {
    check_resource_type(p)?;
    let ids = resource_ids(p, false)?;
    let tags = p.key_values("Tag", MAX_TAG_PARAMS)?;
    if ids.is_empty() && tags.is_empty() {
        return Err(FaceError::MissingParameter("ResourceId.1".into()));
    }
    let max = p.int("MaxResults", DEFAULT_MAX_RESULTS, 1, 50)?;
    let offset = parse_next_token(p.get("NextToken"))?;
    let query = TagQuery {
        ids,
        tags: tags
            .into_iter()
            .map(|(k, v)| (k, v.filter(|v| !v.is_empty()).into_iter().collect()))
            .collect(),
    };
    Ok(ListTagsCall { query, max, offset })
}

pub async fn list(
    service: &Service,
    caller: &Caller,
    call: ListTagsCall,
) -> Result<Answer, FaceError> {
    let ListTagsCall { query, max, offset } = call;
    let rows = service.list_tags(caller, &query).await?;
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(rows.len());
    let end = start
        .saturating_add(usize::try_from(max).unwrap_or(usize::MAX))
        .min(rows.len());
    let next = if end < rows.len() {
        end.to_string()
    } else {
        String::new()
    };
    let page: Vec<TagResource> = rows[start..end]
        .iter()
        .map(|r| TagResource {
            resource_id: r.resource_id.clone(),
            resource_type: RESOURCE_TYPE.to_string(),
            tag_key: r.key.clone(),
            tag_value: r.value.clone(),
        })
        .collect();
    Ok(Answer::ListTagResources(TagResourcePage {
        next_token: next,
        tag_resources: TagResourceList { tag_resource: page },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_token_is_an_offset() {
        assert_eq!(parse_next_token(None), Ok(0));
        assert_eq!(parse_next_token(Some("")), Ok(0));
        assert_eq!(parse_next_token(Some("20")), Ok(20));
        assert_eq!(
            parse_next_token(Some("abc")),
            Err(FaceError::InvalidNextToken)
        );
    }

    #[test]
    fn resource_type_is_havip_in_any_case() {
        let p = |v: &str| Params::new(vec![("ResourceType".into(), v.into())]);
        assert!(check_resource_type(&p("HAVIP")).is_ok());
        assert!(check_resource_type(&p("havip")).is_ok());
        assert_eq!(
            check_resource_type(&p("VPC")),
            Err(FaceError::InvalidResourceType("VPC".into()))
        );
        assert_eq!(
            check_resource_type(&Params::default()),
            Err(FaceError::MissingParameter("ResourceType".into()))
        );
    }
}
