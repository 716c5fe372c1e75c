//! Shape rules of request parameters that the documents state: ClientToken, names,
//! descriptions and tags, per cloud where the clouds differ.

use std::collections::BTreeMap;

use crate::error::DomainError;
use crate::limits::Cloud;

pub const MAX_TAGS_PER_RESOURCE: usize = 20;
pub const MAX_CLIENT_TOKEN_LEN: usize = 64;

/// ClientToken: at most 64 characters, ASCII only (all clouds). Empty means absent.
pub fn client_token(token: Option<&str>) -> Result<Option<String>, DomainError> {
    match token {
        None | Some("") => Ok(None),
        Some(t) if t.len() <= MAX_CLIENT_TOKEN_LEN && t.is_ascii() => Ok(Some(t.to_string())),
        Some(_) => Err(DomainError::ClientTokenMalformed),
    }
}

fn starts_with_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn volcengine_text_ok(s: &str, extra: &[char]) -> bool {
    let mut chars = s.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_alphanumeric() || is_cjk(c));
    first_ok
        && s.chars()
            .all(|c| c.is_alphanumeric() || is_cjk(c) || extra.contains(&c))
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// A C0 control character (U+0000 to U+001F, NUL, tab and newline among them) or DEL.
/// No cloud's name or description rule admits one: Volcengine's character sets leave
/// them out, and Alibaba's and Huawei's rules state lengths only, but such text cannot
/// travel in Alibaba's XML answers (XML 1.0 has no NUL and almost no C0 characters) and
/// breaks the line-oriented tools that read names. havip refuses them on every face.
fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_control())
}

/// HaVip name. Alibaba: 1–128 characters, not starting with `http://` or `https://`.
/// Volcengine: 1–128, starts with a letter, a Chinese character or a digit, and holds
/// only those and `. _ -`. Huawei port names: 0–255 characters. No control characters
/// anywhere ([`has_control`]).
pub fn name(cloud: Cloud, name: &str) -> Result<(), DomainError> {
    if has_control(name) {
        return Err(DomainError::NameMalformed);
    }
    let n = name.chars().count();
    let ok = match cloud {
        Cloud::Aliyun | Cloud::Native => (1..=128).contains(&n) && !starts_with_url(name),
        Cloud::Volcengine => (1..=128).contains(&n) && volcengine_text_ok(name, &['.', '_', '-']),
        Cloud::Huawei => n <= 255,
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::NameMalformed)
    }
}

/// HaVip description. Alibaba: 1–255 characters, not starting with `http(s)://`.
/// Volcengine: 0–255, starts with a letter, a Chinese character or a digit, and holds
/// only those and `, . _ space = - ，。`. No control characters anywhere
/// ([`has_control`]).
pub fn description(cloud: Cloud, text: &str) -> Result<(), DomainError> {
    if has_control(text) {
        return Err(DomainError::DescriptionMalformed);
    }
    let n = text.chars().count();
    let ok = match cloud {
        Cloud::Aliyun | Cloud::Native => (1..=255).contains(&n) && !starts_with_url(text),
        Cloud::Volcengine => {
            n == 0
                || (n <= 255
                    && volcengine_text_ok(text, &[',', '.', '_', ' ', '=', '-', '，', '。']))
        }
        Cloud::Huawei => n <= 255,
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::DescriptionMalformed)
    }
}

/// One tag. Key: not empty, at most 128 characters, not starting with `aliyun` or `acs:`,
/// no `http://` or `https://` in it. Value: may be empty, at most 128 characters.
pub fn tag(key: &str, value: &str) -> Result<(), DomainError> {
    let lower = key.to_ascii_lowercase();
    if key.is_empty()
        || key.chars().count() > 128
        || lower.starts_with("aliyun")
        || lower.starts_with("acs:")
        || lower.contains("http://")
        || lower.contains("https://")
    {
        return Err(DomainError::TagKeyMalformed(key.to_string()));
    }
    if value.chars().count() > 128 || value.to_ascii_lowercase().contains("http://") {
        return Err(DomainError::TagValueMalformed(key.to_string()));
    }
    Ok(())
}

/// A list of tags given in one request: each valid, keys unique, at most 20.
pub fn tag_list(tags: &[(String, String)]) -> Result<BTreeMap<String, String>, DomainError> {
    let mut out = BTreeMap::new();
    for (k, v) in tags {
        tag(k, v)?;
        if out.insert(k.clone(), v.clone()).is_some() {
            return Err(DomainError::TagKeyDuplicated(k.clone()));
        }
    }
    if out.len() > MAX_TAGS_PER_RESOURCE {
        return Err(DomainError::TooManyTags {
            limit: MAX_TAGS_PER_RESOURCE,
        });
    }
    Ok(out)
}

/// Merges `new` tags into `existing` (a key given again replaces its value); the result
/// may hold at most 20 tags.
pub fn merge_tags(
    existing: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, DomainError> {
    let mut out = existing.clone();
    for (k, v) in new {
        out.insert(k.clone(), v.clone());
    }
    if out.len() > MAX_TAGS_PER_RESOURCE {
        return Err(DomainError::TooManyTags {
            limit: MAX_TAGS_PER_RESOURCE,
        });
    }
    Ok(out)
}

/// Ids are opaque, but they travel in URL paths and SQL: only `[A-Za-z0-9._:-]`, 1–128
/// characters, and never `.` or `..` alone. Anything else cannot name a resource.
pub fn id_syntax(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_token_rules() {
        assert_eq!(client_token(None), Ok(None));
        assert_eq!(client_token(Some("")), Ok(None));
        assert_eq!(
            client_token(Some(&"a".repeat(64))),
            Ok(Some("a".repeat(64)))
        );
        assert_eq!(
            client_token(Some(&"a".repeat(65))),
            Err(DomainError::ClientTokenMalformed)
        );
        assert_eq!(
            client_token(Some("tök")),
            Err(DomainError::ClientTokenMalformed)
        );
    }

    #[test]
    fn name_rules_per_cloud() {
        assert!(name(Cloud::Aliyun, "web-vip").is_ok());
        assert!(name(Cloud::Aliyun, "").is_err());
        assert!(name(Cloud::Aliyun, "http://x").is_err());
        assert!(name(Cloud::Aliyun, &"x".repeat(129)).is_err());
        assert!(name(Cloud::Volcengine, "高可用-1.a_b").is_ok());
        assert!(name(Cloud::Volcengine, "-bad").is_err());
        assert!(name(Cloud::Volcengine, "bad name").is_err());
        assert!(name(Cloud::Huawei, "").is_ok());
    }

    #[test]
    fn description_rules_per_cloud() {
        assert!(description(Cloud::Aliyun, "d").is_ok());
        assert!(description(Cloud::Aliyun, "").is_err());
        assert!(description(Cloud::Aliyun, "https://x").is_err());
        assert!(description(Cloud::Aliyun, &"d".repeat(256)).is_err());
        assert!(description(Cloud::Volcengine, "").is_ok());
        assert!(description(Cloud::Volcengine, "a b=c，。").is_ok());
        assert!(description(Cloud::Volcengine, "a;b").is_err());
    }

    #[test]
    fn control_characters_are_refused_on_every_cloud() {
        let clouds = [
            Cloud::Aliyun,
            Cloud::Volcengine,
            Cloud::Huawei,
            Cloud::Native,
        ];
        for cloud in clouds {
            for bad in ["a\u{0}b", "vip\n", "a\tb", "\u{1f}x", "x\u{7f}", "\r"] {
                assert_eq!(
                    name(cloud, bad),
                    Err(DomainError::NameMalformed),
                    "{cloud:?} {bad:?}"
                );
                assert_eq!(
                    description(cloud, bad),
                    Err(DomainError::DescriptionMalformed),
                    "{cloud:?} {bad:?}"
                );
            }
            // Beyond ASCII, text is the clouds' own rules' business.
            assert!(name(cloud, "高可用1").is_ok(), "{cloud:?}");
        }
    }

    #[test]
    fn tag_rules() {
        assert!(tag("env", "").is_ok());
        assert!(tag("", "v").is_err());
        assert!(tag("aliyun-x", "v").is_err());
        assert!(tag("acs:x", "v").is_err());
        assert!(tag("a http://b", "v").is_err());
        assert!(tag("k", &"v".repeat(129)).is_err());
        let dup = vec![
            ("k".to_string(), "1".to_string()),
            ("k".to_string(), "2".to_string()),
        ];
        assert_eq!(
            tag_list(&dup),
            Err(DomainError::TagKeyDuplicated("k".into()))
        );
        let many: Vec<_> = (0..21).map(|i| (format!("k{i}"), String::new())).collect();
        assert_eq!(tag_list(&many), Err(DomainError::TooManyTags { limit: 20 }));
    }

    #[test]
    fn id_syntax_refuses_traversal() {
        assert!(id_syntax("havip-abc123"));
        assert!(!id_syntax(".."));
        assert!(!id_syntax("a/b"));
        assert!(!id_syntax("a b"));
        assert!(!id_syntax(""));
        assert!(!id_syntax(&"a".repeat(129)));
    }
}
