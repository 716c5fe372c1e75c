//! A face's profile: everything in which the clouds' rules differ (limits, what a name,
//! a description and a tag key may be, whether transient statuses are shown), as a value
//! the face supplies with each call. The rules in this crate read the caller's profile and
//! name no cloud; a new face brings its own profile and changes nothing here.

use std::collections::BTreeMap;

use crate::havip::{HaVip, HaVipStatus};
use crate::limits::{LimitOverrides, Limits};

/// The characters a text may hold beyond its length, when a face restricts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charset {
    /// Any character except C0 controls and DEL (refused on every face).
    Any,
    /// Starts with a letter, a digit or a Chinese character, and holds only those and
    /// the characters of `extra`.
    Words { extra: Vec<char> },
}

/// What one kind of text (a name, a description) may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRule {
    /// Length bounds, in characters. With `min_chars` 0, empty text is always accepted.
    pub min_chars: usize,
    pub max_chars: usize,
    /// Refuse text that starts with `http://` or `https://` (any case).
    pub no_url_prefix: bool,
    pub charset: Charset,
}

impl TextRule {
    /// Length bounds only.
    pub fn length(min_chars: usize, max_chars: usize) -> TextRule {
        TextRule {
            min_chars,
            max_chars,
            no_url_prefix: false,
            charset: Charset::Any,
        }
    }

    /// Whether `text` follows the rule (control characters are checked by the caller).
    pub fn admits(&self, text: &str) -> bool {
        let n = text.chars().count();
        if n == 0 && self.min_chars == 0 {
            return true;
        }
        if !(self.min_chars..=self.max_chars).contains(&n) {
            return false;
        }
        if self.no_url_prefix && starts_with_url(text) {
            return false;
        }
        match &self.charset {
            Charset::Any => true,
            Charset::Words { extra } => words_only(text, extra),
        }
    }
}

fn starts_with_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn words_only(s: &str, extra: &[char]) -> bool {
    let word = |c: char| c.is_alphanumeric() || is_cjk(c);
    s.chars().next().is_some_and(word) && s.chars().all(|c| word(c) || extra.contains(&c))
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// How the ids of the HaVips a face creates look: a prefix and that many lowercase letters
/// and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdShape {
    pub prefix: String,
    pub random_chars: usize,
}

impl Default for IdShape {
    /// `havip-` and 21 characters.
    fn default() -> Self {
        IdShape {
            prefix: "havip-".into(),
            random_chars: 21,
        }
    }
}

/// The rules of one face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub limits: Limits,
    pub name: TextRule,
    pub description: TextRule,
    /// Tag keys may not start with these (compared in ASCII lower case).
    pub reserved_tag_prefixes: Vec<String>,
    /// Whether Associating and Unassociating are shown as such; when false, a HaVip with
    /// an association change in flight shows the status it had before it
    /// ([`HaVip::settled_status`]).
    pub shows_transient_status: bool,
    /// The shape of the ids of the HaVips this face creates.
    pub havip_ids: IdShape,
}

impl Profile {
    /// A profile with `limits`, names and descriptions of 0–255 characters, no reserved
    /// tag prefix and every status shown: the plainest rules, for operators and tests.
    pub fn plain(limits: Limits) -> Profile {
        Profile {
            limits,
            name: TextRule::length(0, 255),
            description: TextRule::length(0, 255),
            reserved_tag_prefixes: Vec::new(),
            shows_transient_status: true,
            havip_ids: IdShape::default(),
        }
    }

    /// The status this face shows for `havip`.
    pub fn shown_status(&self, havip: &HaVip) -> HaVipStatus {
        if self.shows_transient_status {
            havip.status
        } else {
            havip.settled_status()
        }
    }
}

/// The profiles of the faces a server runs, by face name, with the limits a
/// configuration sets over each face's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profiles {
    by_face: BTreeMap<String, Profile>,
}

impl Profiles {
    pub fn insert(&mut self, face: impl Into<String>, profile: Profile) {
        self.by_face.insert(face.into(), profile);
    }

    pub fn get(&self, face: &str) -> Option<&Profile> {
        self.by_face.get(face)
    }

    /// The face names, in order.
    pub fn faces(&self) -> impl Iterator<Item = &str> {
        self.by_face.keys().map(String::as_str)
    }

    /// Applies `overrides` to the limits of `face`; `false` when no such face runs.
    pub fn override_limits(&mut self, face: &str, overrides: &LimitOverrides) -> bool {
        match self.by_face.get_mut(face) {
            Some(p) => {
                p.limits = p.limits.with(overrides);
                true
            }
            None => false,
        }
    }

    /// Every face's reserved tag prefixes, each once (in ASCII lower case).
    pub fn reserved_tag_prefixes(&self) -> Vec<String> {
        let all: std::collections::BTreeSet<String> = self
            .by_face
            .values()
            .flat_map(|p| {
                p.reserved_tag_prefixes
                    .iter()
                    .map(|t| t.to_ascii_lowercase())
            })
            .collect();
        all.into_iter().collect()
    }

    /// The largest of each number over every face, neither behaviour: what the operator
    /// may build, so that any state a face can reach can also be set up directly.
    pub fn widest_limits(&self) -> Option<Limits> {
        self.by_face
            .values()
            .map(|p| p.limits)
            .reduce(Limits::widest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(n: u32) -> Limits {
        Limits {
            instances_per_havip: n,
            havips_per_instance: n,
            havips_per_region: n,
            master_needs_force: true,
            processing_is_error: false,
        }
    }

    #[test]
    fn text_rules() {
        let urlless = TextRule {
            no_url_prefix: true,
            ..TextRule::length(1, 128)
        };
        assert!(urlless.admits("web-vip"));
        assert!(!urlless.admits(""));
        assert!(!urlless.admits("HTTPS://x"));
        assert!(!urlless.admits(&"x".repeat(129)));
        let words = TextRule {
            charset: Charset::Words {
                extra: vec!['.', '_', '-'],
            },
            ..TextRule::length(1, 128)
        };
        assert!(words.admits("高可用-1.a_b"));
        assert!(!words.admits("-bad"));
        assert!(!words.admits("bad name"));
        let optional_words = TextRule {
            min_chars: 0,
            ..words
        };
        assert!(optional_words.admits(""));
        assert!(!optional_words.admits(";"));
        assert!(TextRule::length(0, 255).admits(""));
    }

    #[test]
    fn overrides_and_the_widest_limits() {
        let mut p = Profiles::default();
        assert_eq!(p.widest_limits(), None);
        p.insert(
            "a",
            Profile {
                reserved_tag_prefixes: vec!["X:".into(), "y".into()],
                ..Profile::plain(limits(2))
            },
        );
        p.insert("b", Profile::plain(limits(5)));
        assert_eq!(p.widest_limits().map(|l| l.instances_per_havip), Some(5));
        let more = LimitOverrides {
            havips_per_region: Some(9),
            ..LimitOverrides::default()
        };
        assert!(p.override_limits("a", &more));
        assert!(!p.override_limits("z", &more));
        assert_eq!(p.get("a").map(|p| p.limits.havips_per_region), Some(9));
        assert_eq!(p.widest_limits().map(|l| l.havips_per_region), Some(9));
        assert_eq!(p.faces().collect::<Vec<_>>(), ["a", "b"]);
        p.insert(
            "c",
            Profile {
                reserved_tag_prefixes: vec!["y".into(), "z".into()],
                ..Profile::plain(limits(1))
            },
        );
        assert_eq!(p.reserved_tag_prefixes(), ["x:", "y", "z"]);
    }
}
