//! Typed reading of the merged query + form parameters of an Alibaba RPC request: scalars,
//! case-insensitive booleans, bounded integers and the flattened lists the SDKs send
//! (`ResourceId.N`, `Tag.N.Key`/`Tag.N.Value`, `Filter.N.Key`/`Filter.N.Value.M`).

use std::collections::BTreeMap;

use crate::errors::FaceError;

/// The request's parameters, decoded, repeated keys collapsed (the last value wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

/// One `Filter.N` of DescribeHaVips: a key and the values that are ORed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub key: String,
    pub values: Vec<String>,
}

/// At most this many `Filter.N` and `Filter.N.Value.M` (wire-aliyun.md 4.2).
pub const MAX_FILTERS: u32 = 5;
pub const MAX_FILTER_VALUES: u32 = 5;
/// At most this many `ResourceId.N` in the tag APIs.
pub const MAX_RESOURCE_IDS: u32 = 50;
/// At most this many `TagKey.N` / `Tags.N` in one request.
pub const MAX_TAG_PARAMS: u32 = 20;
/// The largest `Tag.N` index read; how many tags a resource may have (20) is the
/// domain's rule, answered with its own code.
pub const MAX_TAG_INDEX: u32 = 1000;

/// Parameters `prefix.N<rest>` grouped by `N`: each entry is (rest after `N.`, value).
type Indexed<'p> = BTreeMap<u32, Vec<(&'p str, &'p str)>>;

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Params { pairs }
    }

    /// The value of `key` (exact name), present even when empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `key`, with an empty value taken as absent.
    pub fn opt(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// A required, non-empty value.
    pub fn required(&self, key: &str) -> Result<&str, FaceError> {
        self.opt(key)
            .ok_or_else(|| FaceError::MissingParameter(key.to_string()))
    }

    /// A boolean sent as `true`/`false` in any case (Python sends `True`/`False`);
    /// absent or empty is `default`.
    pub fn bool(&self, key: &str, default: bool) -> Result<bool, FaceError> {
        match self.opt(key) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(FaceError::invalid(key, "must be true or false")),
        }
    }

    /// An integer in `min..=max`; absent or empty is `default`.
    pub fn int(&self, key: &str, default: u64, min: u64, max: u64) -> Result<u64, FaceError> {
        match self.opt(key) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(FaceError::invalid(
                    key,
                    format!("must be an integer from {min} to {max}"),
                )),
            },
        }
    }

    /// Parameters named `prefix.N<rest>`: `N` (1-based) → (rest, value), for every
    /// parameter whose name starts with `prefix.`. `N` must be a positive integer no
    /// larger than `max_index`.
    fn indexed(&self, prefix: &str, max_index: u32) -> Result<Indexed<'_>, FaceError> {
        let mut out = Indexed::new();
        let dotted = format!("{prefix}.");
        for (k, v) in &self.pairs {
            let Some(tail) = k.strip_prefix(&dotted) else {
                continue;
            };
            let (index, rest) = match tail.split_once('.') {
                Some((i, r)) => (i, r),
                None => (tail, ""),
            };
            let n = parse_index(index)
                .filter(|n| *n <= max_index)
                .ok_or_else(|| {
                    FaceError::invalid_named(
                        k.clone(),
                        format!("the index must be an integer from 1 to {max_index}"),
                    )
                })?;
            out.entry(n).or_default().push((rest, v.as_str()));
        }
        Ok(out)
    }

    /// `prefix.N` values in index order, empty values skipped (`ResourceId.N`, `TagKey.N`).
    pub fn list(&self, prefix: &str, max: u32) -> Result<Vec<String>, FaceError> {
        let mut out = Vec::new();
        for (n, entries) in self.indexed(prefix, max)? {
            for (rest, value) in entries {
                if !rest.is_empty() {
                    return Err(FaceError::invalid_named(
                        format!("{prefix}.{n}.{rest}"),
                        "unknown parameter",
                    ));
                }
                if !value.is_empty() {
                    out.push(value.to_string());
                }
            }
        }
        Ok(out)
    }

    /// `prefix.N.Key` / `prefix.N.Value` pairs in index order; the value is `None` when
    /// `Value` is absent. An entry without a `Key` is an error.
    pub fn key_values(
        &self,
        prefix: &str,
        max: u32,
    ) -> Result<Vec<(String, Option<String>)>, FaceError> {
        let mut out = Vec::new();
        for (n, entries) in self.indexed(prefix, max)? {
            let mut key = None;
            let mut value = None;
            for (rest, v) in entries {
                match rest {
                    "Key" => key = Some(v.to_string()),
                    "Value" => value = Some(v.to_string()),
                    other => {
                        return Err(FaceError::invalid_named(
                            format!("{prefix}.{n}.{other}"),
                            "unknown parameter",
                        ))
                    }
                }
            }
            match key {
                Some(k) => out.push((k, value)),
                None => return Err(FaceError::MissingParameter(format!("{prefix}.{n}.Key"))),
            }
        }
        Ok(out)
    }

    /// `Filter.N.Key` / `Filter.N.Value.M` of DescribeHaVips, in index order.
    pub fn filters(&self) -> Result<Vec<Filter>, FaceError> {
        let mut out = Vec::new();
        for (n, entries) in self.indexed("Filter", MAX_FILTERS)? {
            let mut key = None;
            let mut values: BTreeMap<u32, String> = BTreeMap::new();
            for (rest, v) in entries {
                if rest == "Key" {
                    key = Some(v.to_string());
                    continue;
                }
                let m = rest
                    .strip_prefix("Value.")
                    .and_then(parse_index)
                    .filter(|m| *m <= MAX_FILTER_VALUES)
                    .ok_or_else(|| {
                        FaceError::invalid_named(
                            format!("Filter.{n}.{rest}"),
                            format!("expected Filter.{n}.Key or Filter.{n}.Value.M with M from 1 to {MAX_FILTER_VALUES}"),
                        )
                    })?;
                values.insert(m, v.to_string());
            }
            let key = key
                .filter(|k| !k.is_empty())
                .ok_or_else(|| FaceError::MissingParameter(format!("Filter.{n}.Key")))?;
            out.push(Filter {
                key,
                values: values.into_values().filter(|v| !v.is_empty()).collect(),
            });
        }
        Ok(out)
    }
}

/// A 1-based list index: decimal digits only, no sign, no leading zero.
fn parse_index(s: &str) -> Option<u32> {
    if s.is_empty() || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|n| *n >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        Params::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn scalars_and_required() {
        let q = p(&[("HaVipId", "havip-1"), ("Name", "")]);
        assert_eq!(q.required("HaVipId").ok(), Some("havip-1"));
        assert_eq!(q.get("Name"), Some(""));
        assert_eq!(q.opt("Name"), None);
        assert_eq!(
            q.required("Name"),
            Err(FaceError::MissingParameter("Name".into()))
        );
        assert_eq!(
            q.required("RegionId"),
            Err(FaceError::MissingParameter("RegionId".into()))
        );
    }

    #[test]
    fn booleans_ignore_case() {
        for (v, want) in [
            ("True", true),
            ("true", true),
            ("TRUE", true),
            ("False", false),
            ("false", false),
        ] {
            assert_eq!(p(&[("Force", v)]).bool("Force", false), Ok(want), "{v}");
        }
        assert_eq!(p(&[]).bool("Force", false), Ok(false));
        assert_eq!(p(&[("Force", "")]).bool("Force", true), Ok(true));
        assert!(matches!(
            p(&[("Force", "yes")]).bool("Force", false),
            Err(FaceError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn page_size_bounds() {
        assert_eq!(p(&[]).int("PageSize", 10, 1, 50), Ok(10));
        assert_eq!(p(&[("PageSize", "50")]).int("PageSize", 10, 1, 50), Ok(50));
        assert_eq!(p(&[("PageSize", "1")]).int("PageSize", 10, 1, 50), Ok(1));
        for bad in ["0", "51", "-1", "ten", "1.5"] {
            assert!(
                p(&[("PageSize", bad)]).int("PageSize", 10, 1, 50).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn resource_ids_in_index_order() {
        let q = p(&[
            ("ResourceId.2", "havip-2"),
            ("ResourceId.1", "havip-1"),
            ("ResourceId.10", "havip-10"),
            ("ResourceType", "HAVIP"),
        ]);
        assert_eq!(
            q.list("ResourceId", MAX_RESOURCE_IDS).ok(),
            Some(vec![
                "havip-1".to_string(),
                "havip-2".into(),
                "havip-10".into()
            ])
        );
        assert!(p(&[("ResourceId.51", "x")])
            .list("ResourceId", MAX_RESOURCE_IDS)
            .is_err());
        assert!(p(&[("ResourceId.0", "x")])
            .list("ResourceId", MAX_RESOURCE_IDS)
            .is_err());
        assert!(p(&[("ResourceId.x", "x")])
            .list("ResourceId", MAX_RESOURCE_IDS)
            .is_err());
    }

    #[test]
    fn tag_is_not_tags() {
        let q = p(&[
            ("Tag.1.Key", "k1"),
            ("Tag.1.Value", "v1"),
            ("Tag.2.Key", "k2"),
            ("Tag.2.Value", ""),
            ("Tags.1.Key", "env"),
        ]);
        assert_eq!(
            q.key_values("Tag", MAX_TAG_PARAMS).ok(),
            Some(vec![
                ("k1".to_string(), Some("v1".to_string())),
                ("k2".to_string(), Some(String::new()))
            ])
        );
        assert_eq!(
            q.key_values("Tags", MAX_TAG_PARAMS).ok(),
            Some(vec![("env".to_string(), None)])
        );
        assert_eq!(
            p(&[("Tag.1.Value", "v")]).key_values("Tag", MAX_TAG_PARAMS),
            Err(FaceError::MissingParameter("Tag.1.Key".into()))
        );
        assert!(p(&[("Tag.21.Key", "k")])
            .key_values("Tag", MAX_TAG_PARAMS)
            .is_err());
    }

    #[test]
    fn filters_group_values_by_key() {
        let q = p(&[
            ("Filter.1.Key", "HaVipId"),
            ("Filter.1.Value.1", "havip-1"),
            ("Filter.1.Value.2", "havip-2"),
            ("Filter.2.Key", "Status"),
            ("Filter.2.Value.1", "Available"),
            ("PageNumber", "1"),
        ]);
        assert_eq!(
            q.filters().ok(),
            Some(vec![
                Filter {
                    key: "HaVipId".into(),
                    values: vec!["havip-1".into(), "havip-2".into()]
                },
                Filter {
                    key: "Status".into(),
                    values: vec!["Available".into()]
                },
            ])
        );
        assert_eq!(
            p(&[("Filter.1.Value.1", "x")]).filters(),
            Err(FaceError::MissingParameter("Filter.1.Key".into()))
        );
        assert!(p(&[("Filter.6.Key", "VpcId")]).filters().is_err());
        assert!(p(&[("Filter.1.Key", "VpcId"), ("Filter.1.Value.6", "v")])
            .filters()
            .is_err());
        assert!(p(&[("Filter.1.Key", "VpcId"), ("Filter.1.Values", "v")])
            .filters()
            .is_err());
    }
}
