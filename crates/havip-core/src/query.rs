//! How HaVips and inventory are asked for: filters, paging, and a page of answers.
//! Plain data that faces build and the store answers.

use crate::havip::HaVip;

/// Which HaVips to list. Empty lists mean "any"; values of one list are ORed, lists ANDed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HaVipQuery {
    pub account: Option<String>,
    pub region: Option<String>,
    pub ids: Vec<String>,
    pub vpcs: Vec<String>,
    pub subnets: Vec<String>,
    pub statuses: Vec<String>,
    /// Statuses as they were before the association change in flight, the way
    /// `HaVip::settled_status` names them: an Associating HaVip counts as InUse when it
    /// already carried a member and as Available otherwise, an Unassociating one as InUse.
    pub settled_statuses: Vec<String>,
    pub ips: Vec<String>,
    pub names: Vec<String>,
    /// Each (key, values): the HaVip has tag `key` with one of `values` (any value if empty).
    pub tags: Vec<(String, Vec<String>)>,
    pub page: Paging,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Skip `offset` matches, return at most `limit`.
    Offset { offset: u64, limit: u64 },
    /// Matches after the one with sequence number `after`, at most `limit`.
    After { after: i64, limit: u64 },
}

impl Default for Paging {
    fn default() -> Self {
        Paging::Offset {
            offset: 0,
            limit: 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaVipPage {
    /// Each HaVip with its sequence number (stable creation order, for keyset paging).
    pub items: Vec<(i64, HaVip)>,
    /// How many HaVips match the query in all.
    pub total: u64,
}

/// A listing filter for inventory: by account and/or region, or everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub account: Option<String>,
    pub region: Option<String>,
}
