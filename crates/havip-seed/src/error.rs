//! Errors of the seed file: reading it, its TOML syntax and shape, and the meaning of
//! its values (references, CIDRs, IPs, statuses, limits). Every error that comes from
//! the file's text names the line, so that a person can fix the file.

use std::path::PathBuf;

/// Why a seed file was refused.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file could not be read.
    #[error("cannot read seed file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The text is not TOML, or its shape is not the seed's: an unknown table or field,
    /// a missing field, a value of the wrong type. `line` and `column` are 1-based.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },

    /// The TOML is well formed but a value is wrong: a reference to an id that does
    /// not exist, a duplicate id, a bad CIDR or IP, an unknown instance status, a limit
    /// of 0... `field` is `kind.field` (e.g. `instance.subnet`,
    /// `limits.aliyun.instances_per_havip`); `message` names the field too.
    #[error("line {line}: {message}")]
    Invalid {
        line: usize,
        field: String,
        message: String,
    },
}

impl SeedError {
    /// The 1-based line the error is about, if it comes from the file's text.
    pub fn line(&self) -> Option<usize> {
        match self {
            SeedError::Io { .. } => None,
            SeedError::Syntax { line, .. } | SeedError::Invalid { line, .. } => Some(*line),
        }
    }

    /// The field (`kind.field`) a validation error is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            SeedError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// A 1-based (line, column) for a byte offset into `text`; the column counts
/// characters. Offsets past the end or inside a character are tolerated.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let prefix = &bytes[..offset.min(bytes.len())];
    let line = prefix.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = prefix
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = prefix[line_start..]
        .iter()
        .filter(|b| (**b & 0xC0) != 0x80)
        .count()
        + 1;
    (line, column)
}

/// Turns toml's error into [`SeedError::Syntax`] with a line and column. When toml's
/// message does not name a field (type errors do not), the key written on that line
/// is added, so that the message always says which field is wrong.
pub(crate) fn syntax_error(text: &str, err: &toml::de::Error) -> SeedError {
    let offset = err.span().map_or(0, |s| s.start);
    let (line, column) = line_column(text, offset);
    let mut message = err
        .message()
        .trim()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if let Some(key) = key_on_line(text, offset) {
        if !message.contains(&format!("`{key}`")) {
            message = format!("field `{key}`: {message}");
        }
    } else if let Some(header) = header_on_line(text, offset) {
        if message.starts_with("invalid type: map, expected a sequence") {
            let name = header.trim_matches(|c| c == '[' || c == ']').trim();
            message = format!("`{header}` must be an array of tables: write `[[{name}]]`");
        } else if message.starts_with("missing field") {
            message = format!("in `{header}`: {message}");
        }
    }
    SeedError::Syntax {
        line,
        column,
        message,
    }
}

/// The key of a `key = value` line containing `offset`, if the offset is in the value.
fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let before = text.get(start..offset)?;
    let (key, _) = before.split_once('=')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    if key.is_empty() || key.starts_with('#') || key.starts_with('[') {
        return None;
    }
    Some(key.to_string())
}

/// The table header (`[[vpc]]`, `[limits.aliyun]`) written on the line of `offset`.
fn header_on_line(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?;
    let line = line.split('#').next()?.trim();
    (line.starts_with('[') && line.ends_with(']')).then(|| line.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // "bé " is 4 bytes but 3 characters.
        assert_eq!(line_column(text, 10), (2, 4));
        assert_eq!(line_column(text, 1000), (3, 1));
        // Inside a multi-byte character: no panic.
        assert_eq!(line_column(text, 8), (2, 3));
    }

    #[test]
    fn key_on_line_finds_the_key_of_a_value() {
        let text = "[[vpc]]\n  \"cidr\" = 5\n";
        let offset = text.find('5').unwrap_or_default();
        assert_eq!(key_on_line(text, offset).as_deref(), Some("cidr"));
        assert_eq!(key_on_line(text, 0), None);
    }
}
