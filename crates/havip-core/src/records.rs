//! The records of who may call: accounts, their access keys, and projects (an id that
//! stands for an account in a region). Plain data, kept by the store and read by the
//! faces through the service.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    pub id: String,
    pub account: String,
    pub secret: String,
    pub enabled: bool,
    pub created_at: i64,
}

/// A project: an id that stands for one (account, region), as a caller names its scope
/// by project on clouds that have them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub account: String,
    pub region: String,
}
