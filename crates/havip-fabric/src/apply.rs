//! Applying the rules in a lab's fabric namespace and reading them back: every `nft` run
//! is `ip netns exec FABRIC nft ...` from an argument vector, a transaction's JSON goes
//! on standard input (`nft -j -f -`), so a change happens whole or not at all.
//!
//! [`Nft::apply`] is the full path: one listing of the namespace's bridge tables,
//! compared with the rules' own rendering ([`crate::diff`]); an equal table is left
//! alone, one that differs only in set elements gets those elements deleted and added,
//! anything else (no table, a rule or chain changed by hand, ports added or removed) is
//! rebuilt in one transaction. The counters come from the same listing.

use std::path::PathBuf;

use havip_lab::{Host, Prefix};
use serde_json::Value;

use crate::counters::{parse_counters, Counters};
use crate::diff::{Observed, Structure};
use crate::error::FabricError;
use crate::names;
use crate::ruleset::Ruleset;
use crate::schema::Batch;

/// How an apply brought the table to the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// Set elements changed against what was last applied, without listing the table
    /// ([`crate::Fabric`]'s fast path; nothing run at all when nothing changed).
    Elements,
    /// The table was listed and compared with the rules: it was equal, or only set
    /// elements differed and were changed.
    Verified,
    /// The table was listed and rebuilt in one transaction (it was missing, or it
    /// differed in more than set elements).
    Rebuilt,
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// Whether the table differs from before (handles and counter values aside).
    pub changed: bool,
    pub path: Path,
    /// The counters, when the table was listed (as they were just before the change;
    /// a rebuild keeps their values).
    pub counters: Option<Counters>,
    /// Why the fast path gave way to the full one, if it did.
    pub fast_path_failed: Option<String>,
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

    /// Makes the fabric table of `ruleset`'s lab hold exactly `ruleset`: the full path
    /// (one listing, then nothing, an element transaction or a rebuild).
    pub fn apply(&self, prefix: &Prefix, ruleset: &Ruleset) -> Result<ApplyReport, FabricError> {
        self.apply_with(prefix, ruleset, &ruleset.structure())
    }

    /// [`Nft::apply`], with `ruleset`'s structure already rendered.
    pub(crate) fn apply_with(
        &self,
        prefix: &Prefix,
        ruleset: &Ruleset,
        structure: &Structure,
    ) -> Result<ApplyReport, FabricError> {
        let ns = self.fabric(prefix)?;
        let listing = self.bridge_tables(&ns)?;
        let counters = Some(parse_counters(&listing, &ruleset.table));
        let observed = Observed::from_listing(listing, &ruleset.table);
        let changes = match &observed.elements {
            Some(have) if observed.structure == *structure => {
                Some(have.changes_to(&ruleset.elements()))
            }
            _ => None,
        };
        let (changed, path) = match changes {
            Some(changes) if changes.is_empty() => (false, Path::Verified),
            Some(changes) => {
                self.transaction(&ns, &ruleset.element_commands(&changes))?;
                (true, Path::Verified)
            }
            None => {
                self.transaction(&ns, &ruleset.commands(&observed.existing))?;
                (true, Path::Rebuilt)
            }
        };
        Ok(ApplyReport {
            changed,
            path,
            counters,
            fast_path_failed: None,
        })
    }

    /// Runs one transaction in the fabric namespace `ns` (nothing if it is empty).
    pub(crate) fn transaction(&self, ns: &str, batch: &Batch) -> Result<(), FabricError> {
        if batch.nftables.is_empty() {
            return Ok(());
        }
        let input = serde_json::to_vec(batch).map_err(|e| FabricError::Output {
            command: "nft -j -f -".into(),
            detail: e.to_string(),
        })?;
        self.run(ns, &["-j", "-f", "-"], Some(&input))?;
        Ok(())
    }

    /// The drop counters of the lab's fabric table, per port, reason and VIP (none if
    /// there is no table).
    pub fn counters(&self, prefix: &Prefix) -> Result<Counters, FabricError> {
        let ns = self.fabric(prefix)?;
        let listing = self.bridge_tables(&ns)?;
        Ok(parse_counters(&listing, &names::table_name(prefix)))
    }

    /// Every bridge table of the namespace, as JSON (one run, whether or not the lab's
    /// table exists; the lab's fabric namespace holds only the lab's table).
    fn bridge_tables(&self, ns: &str) -> Result<Value, FabricError> {
        parse(&self.run(ns, &["-j", "list", "ruleset", "bridge"], None)?)
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
