//! Applying the rules in a lab's fabric namespace and reading them back: every `nft` run
//! is `ip netns exec FABRIC nft ...` from an argument vector, a transaction's JSON goes
//! on standard input (`nft -j -f -`), so the whole table changes at once or not at all.

use std::path::PathBuf;

use havip_lab::{Host, Prefix};
use serde_json::Value;

use crate::counters::{parse_counters, Counters};
use crate::error::FabricError;
use crate::names;
use crate::ruleset::{Existing, Ruleset};

/// What [`Nft::apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyReport {
    /// Whether the table differs from before (handles and counter values aside).
    pub changed: bool,
}

/// `nft` in a lab's fabric namespace.
#[derive(Debug, Clone)]
pub struct Nft {
    host: Host,
    nft: PathBuf,
}

impl Nft {
    /// Checks for root and finds `ip` and `nft`.
    pub fn detect() -> Result<Nft, FabricError> {
        let host = Host::detect()?;
        let nft = havip_lab::find("nft").ok_or(FabricError::MissingNft)?;
        Ok(Nft { host, nft })
    }

    /// The fabric namespace of the lab with prefix `prefix`, which must exist.
    fn fabric(&self, prefix: &Prefix) -> Result<String, FabricError> {
        let ns = havip_lab::fabric_ns(prefix);
        if havip_lab::namespaces(&self.host)?.contains(&ns) {
            Ok(ns)
        } else {
            Err(FabricError::NoFabric {
                prefix: prefix.to_string(),
                namespace: ns,
            })
        }
    }

    /// Makes the fabric table of `ruleset`'s lab hold exactly `ruleset`, in one
    /// transaction.
    pub fn apply(&self, prefix: &Prefix, ruleset: &Ruleset) -> Result<ApplyReport, FabricError> {
        let ns = self.fabric(prefix)?;
        let before = self.table_json(&ns, &ruleset.table)?;
        let existing = before
            .as_ref()
            .map(|b| Existing::from_listing(b, &ruleset.table))
            .unwrap_or_default();
        let commands = ruleset.commands(&existing);
        let input = serde_json::to_vec(&commands).map_err(|e| FabricError::Output {
            command: "nft -j -f -".into(),
            detail: e.to_string(),
        })?;
        self.run(&ns, &["-j", "-f", "-"], Some(&input))?;
        let after = self.table_json(&ns, &ruleset.table)?;
        Ok(ApplyReport {
            changed: before.as_ref().map(normalize) != after.as_ref().map(normalize),
        })
    }

    /// The drop counters of the lab's fabric table, per port, reason and VIP (none if
    /// there is no table).
    pub fn counters(&self, prefix: &Prefix) -> Result<Counters, FabricError> {
        let ns = self.fabric(prefix)?;
        let table = names::table_name(prefix);
        if !self.has_table(&ns, &table)? {
            return Ok(Counters::default());
        }
        let out = self.run(&ns, &["-j", "list", "table", "bridge", &table], None)?;
        Ok(parse_counters(&parse(&out)?, &table))
    }

    /// `nft list table bridge TABLE` of the lab, as nft prints it (`None` if absent).
    pub fn listing(&self, prefix: &Prefix) -> Result<Option<String>, FabricError> {
        let ns = self.fabric(prefix)?;
        let table = names::table_name(prefix);
        if !self.has_table(&ns, &table)? {
            return Ok(None);
        }
        self.run(&ns, &["list", "table", "bridge", &table], None)
            .map(Some)
    }

    fn has_table(&self, ns: &str, table: &str) -> Result<bool, FabricError> {
        let out = self.run(ns, &["-j", "list", "tables", "bridge"], None)?;
        let tables = parse(&out)?;
        Ok(tables
            .get("nftables")
            .and_then(Value::as_array)
            .is_some_and(|items| {
                items.iter().filter_map(|i| i.get("table")).any(|t| {
                    t.get("name").and_then(Value::as_str) == Some(table)
                        && t.get("family").and_then(Value::as_str) == Some("bridge")
                })
            }))
    }

    fn table_json(&self, ns: &str, table: &str) -> Result<Option<Value>, FabricError> {
        if !self.has_table(ns, table)? {
            return Ok(None);
        }
        let out = self.run(ns, &["-j", "list", "table", "bridge", table], None)?;
        parse(&out).map(Some)
    }

    /// `ip netns exec NS nft ARGS`, with `stdin` fed to it; its standard output.
    fn run(&self, ns: &str, args: &[&str], stdin: Option<&[u8]>) -> Result<String, FabricError> {
        Ok(self.host.in_ns_with_input(ns, &self.nft, args, stdin)?)
    }
}

fn parse(out: &str) -> Result<Value, FabricError> {
    serde_json::from_str(out).map_err(|e| FabricError::Output {
        command: "nft -j list".into(),
        detail: e.to_string(),
    })
}

/// A listing without what changes on every apply or with traffic: handles, counter
/// values and nft's version.
/// A listing without what changes by itself: handles, counter values, and the claims
/// traffic adds to `vip_claims`.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "handle" | "packets" | "bytes" | "metainfo"))
                .filter(|(k, _)| {
                    !(k.as_str() == "elem"
                        && m.get("name").and_then(Value::as_str)
                            == Some(crate::ruleset::SET_VIP_CLAIMS))
                })
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|i| i.get("metainfo").is_none())
                .map(normalize)
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn handles_and_counter_values_do_not_count_as_changes() {
        let a = json!({"nftables": [{"metainfo": {"version": "1.0.6"}},
            {"counter": {"name": "x", "handle": 3, "packets": 1, "bytes": 60}}]});
        let b = json!({"nftables": [{"metainfo": {"version": "1.0.7"}},
            {"counter": {"name": "x", "handle": 9, "packets": 4, "bytes": 240}}]});
        let c = json!({"nftables": [{"counter": {"name": "y", "handle": 3}}]});
        assert_eq!(normalize(&a), normalize(&b));
        assert_ne!(normalize(&a), normalize(&c));
    }
}
