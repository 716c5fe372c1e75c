//! The fabric table kept in place round after round: [`Fabric`] remembers what it last
//! applied, so that a change to associations costs the elements it changes.
//!
//! - [`Mode::Fast`]: if the rules have the shape of the ones last applied (same table,
//!   ports and labels: the same chains, rules and counters), only set elements can
//!   differ, and their deletes and adds go in one small transaction, without listing
//!   the table before or after; with nothing to change nothing is run at all.
//! - [`Mode::Verify`], or anything the fast path cannot do (nothing remembered, another
//!   shape, a failed transaction): the full path, [`Nft::apply`], which lists the table,
//!   repairs whatever differs from the rules (a hand edit, a deleted rule) and learns
//!   the state again.
//!
//! The fast path trusts that the table still holds what was applied; verifying now and
//! then (the agent does on its resync rounds) is what bounds how long a hand edit stays.

use havip_lab::Prefix;

use crate::apply::{ApplyReport, Nft, Path};
use crate::diff::{ElementChanges, Elements, Shape, Structure};
use crate::error::FabricError;
use crate::ruleset::Ruleset;

/// How much [`Fabric::apply`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Change only the set elements that differ from what was last applied, when the
    /// rules allow it; the full path otherwise.
    Fast,
    /// The full path: list the table, compare, repair.
    Verify,
}

/// What the fast path takes the table to hold: the shape and elements last applied
/// (and the structure of that shape, so that a verify need not render it again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    shape: Shape,
    structure: Structure,
    elements: Elements,
}

impl Known {
    /// What a successful apply of `ruleset` leaves in the table.
    pub fn of(ruleset: &Ruleset) -> Known {
        Known {
            shape: ruleset.shape(),
            structure: ruleset.structure(),
            elements: ruleset.elements(),
        }
    }

    /// The element changes that take the table from this to `ruleset`, or `None` if it
    /// needs more than element changes (another table, ports added, removed or
    /// relabelled).
    pub fn element_changes(&self, ruleset: &Ruleset) -> Option<ElementChanges> {
        (ruleset.shape() == self.shape).then(|| self.elements.changes_to(&ruleset.elements()))
    }
}

/// A lab's fabric table, with what was last applied to it.
#[derive(Debug, Clone)]
pub struct Fabric {
    nft: Nft,
    prefix: Prefix,
    known: Option<Known>,
}

impl Fabric {
    pub fn new(nft: Nft, prefix: Prefix) -> Fabric {
        Fabric {
            nft,
            prefix,
            known: None,
        }
    }

    pub fn prefix(&self) -> &Prefix {
        &self.prefix
    }

    pub fn nft(&self) -> &Nft {
        &self.nft
    }

    /// Makes the lab's fabric table hold `ruleset` (see the module's comment for what
    /// each mode does). After an error nothing is remembered.
    pub fn apply(&mut self, ruleset: &Ruleset, mode: Mode) -> Result<ApplyReport, FabricError> {
        let mut fast_path_failed = None;
        let fast = match (mode, &self.known) {
            (Mode::Fast, Some(known)) => known.element_changes(ruleset),
            _ => None,
        };
        if let (Some(changes), Some(known)) = (fast, &mut self.known) {
            let ns = havip_lab::fabric_ns(&self.prefix);
            match self
                .nft
                .transaction(&ns, &ruleset.element_commands(&changes))
            {
                Ok(()) => {
                    known.elements = ruleset.elements();
                    return Ok(ApplyReport {
                        changed: !changes.is_empty(),
                        path: Path::Elements,
                        counters: None,
                        fast_path_failed: None,
                    });
                }
                Err(e) => fast_path_failed = Some(e.to_string()),
            }
        }
        // The full path; the structure of the last shape is kept if it is this one.
        let shape = ruleset.shape();
        let structure = match self.known.take() {
            Some(known) if known.shape == shape => known.structure,
            _ => ruleset.structure(),
        };
        let mut report = self.nft.apply_with(&self.prefix, ruleset, &structure)?;
        self.known = Some(Known {
            shape,
            structure,
            elements: ruleset.elements(),
        });
        report.fast_path_failed = fast_path_failed;
        Ok(report)
    }
}
