//! Shape rules of request parameters that the documents state: ClientToken, names,
//! descriptions and tags, each face's where the faces differ (its [`Profile`]).

use std::collections::BTreeMap;

use crate::error::DomainError;
use crate::profile::Profile;

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

/// A C0 control character (U+0000 to U+001F, NUL, tab and newline among them) or DEL.
/// No face's name or description rule admits one: such text cannot travel in XML answers
/// (XML 1.0 has no NUL and almost no C0 characters) and breaks the line-oriented tools
/// that read names. havip refuses them on every face.
fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_control())
}

/// HaVip name: the profile's rule, and no control characters anywhere ([`has_control`]).
pub fn name(profile: &Profile, name: &str) -> Result<(), DomainError> {
    if has_control(name) || !profile.name.admits(name) {
        return Err(DomainError::NameMalformed);
    }
    Ok(())
}

/// HaVip description: the profile's rule, and no control characters anywhere.
pub fn description(profile: &Profile, text: &str) -> Result<(), DomainError> {
    if has_control(text) || !profile.description.admits(text) {
        return Err(DomainError::DescriptionMalformed);
    }
    Ok(())
}

/// One tag. Key: not empty, at most 128 characters, not starting with one of the
/// profile's reserved prefixes, no `http://` or `https://` in it. Value: may be empty, at
/// most 128 characters.
pub fn tag(profile: &Profile, key: &str, value: &str) -> Result<(), DomainError> {
    let lower = key.to_ascii_lowercase();
    if key.is_empty()
        || key.chars().count() > 128
        || profile
            .reserved_tag_prefixes
            .iter()
            .any(|p| lower.starts_with(&p.to_ascii_lowercase()))
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
pub fn tag_list(
    profile: &Profile,
    tags: &[(String, String)],
) -> Result<BTreeMap<String, String>, DomainError> {
    let mut out = BTreeMap::new();
    for (k, v) in tags {
        tag(profile, k, v)?;
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
    use crate::profile::{Charset, TextRule};

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

    fn strict() -> Profile {
        Profile {
            name: TextRule {
                no_url_prefix: true,
                ..TextRule::length(1, 128)
            },
            description: TextRule {
                charset: Charset::Words { extra: vec![' '] },
                ..TextRule::length(0, 255)
            },
            reserved_tag_prefixes: vec!["sys".into(), "Acme:".into()],
            ..Profile::plain(limits())
        }
    }

    fn limits() -> crate::Limits {
        crate::Limits {
            instances_per_havip: 2,
            havips_per_instance: 2,
            havips_per_region: 2,
            master_needs_force: false,
            processing_is_error: false,
        }
    }

    #[test]
    fn names_and_descriptions_follow_the_profile() {
        let p = strict();
        assert!(name(&p, "web-vip").is_ok());
        assert_eq!(name(&p, ""), Err(DomainError::NameMalformed));
        assert_eq!(name(&p, "http://x"), Err(DomainError::NameMalformed));
        assert!(description(&p, "").is_ok());
        assert!(description(&p, "a b").is_ok());
        assert_eq!(
            description(&p, "a;b"),
            Err(DomainError::DescriptionMalformed)
        );
        let plain = Profile::plain(limits());
        assert!(name(&plain, "").is_ok());
        assert!(name(&plain, "http://x").is_ok());
    }

    #[test]
    fn control_characters_are_refused_whatever_the_profile() {
        for profile in [strict(), Profile::plain(limits())] {
            for bad in ["a\u{0}b", "vip\n", "a\tb", "\u{1f}x", "x\u{7f}", "\r"] {
                assert_eq!(
                    name(&profile, bad),
                    Err(DomainError::NameMalformed),
                    "{bad:?}"
                );
                assert_eq!(
                    description(&profile, bad),
                    Err(DomainError::DescriptionMalformed),
                    "{bad:?}"
                );
            }
            // Beyond ASCII, text is the profile's business.
            assert!(name(&profile, "高可用1").is_ok());
        }
    }

    #[test]
    fn tag_rules() {
        let p = strict();
        assert!(tag(&p, "env", "").is_ok());
        assert!(tag(&p, "", "v").is_err());
        assert!(tag(&p, "SYSTEM", "v").is_err());
        assert!(tag(&p, "acme:x", "v").is_err());
        assert!(tag(&Profile::plain(limits()), "acme:x", "v").is_ok());
        assert!(tag(&p, "a http://b", "v").is_err());
        assert!(tag(&p, "k", &"v".repeat(129)).is_err());
        let dup = vec![
            ("k".to_string(), "1".to_string()),
            ("k".to_string(), "2".to_string()),
        ];
        assert_eq!(
            tag_list(&p, &dup),
            Err(DomainError::TagKeyDuplicated("k".into()))
        );
        let many: Vec<_> = (0..21).map(|i| (format!("k{i}"), String::new())).collect();
        assert_eq!(
            tag_list(&p, &many),
            Err(DomainError::TooManyTags { limit: 20 })
        );
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
