//! The havip domain, pure: resources (VPC, subnet, instance, ENI, HaVip), the HaVip state
//! machine and every rule of the source documents, as functions over a snapshot of state
//! that return the new state or a typed [`DomainError`] naming the broken rule.
//! No I/O, no clock, no randomness: callers pass `now`, new ids and the facts they loaded.

pub mod error;
pub mod havip;
pub mod ip;
pub mod limits;
pub mod model;
pub mod ops;
pub mod ports;
pub mod profile;
pub mod query;
pub mod records;
pub mod validate;
pub mod world;

pub use error::DomainError;
pub use havip::{HaVip, HaVipStatus, MasterClaim, Member, MemberState, PendingChange, PendingKind};
pub use limits::{LimitOverrides, Limits};
pub use model::{Eni, Instance, InstanceStatus, MemberKind, Subnet, Target, TargetResource, Vpc};
pub use profile::{Charset, IdShape, Profile, Profiles, TextRule};
