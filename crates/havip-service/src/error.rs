//! Errors of the service: a broken domain rule, or a store failure.

use havip_core::DomainError;
use havip_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// The store is down or failing: faces answer with their "service unavailable" error.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ServiceError::Store(_))
    }

    /// A stored row could not be read back (corruption or a schema mismatch): an
    /// internal error rather than an outage.
    pub fn is_corrupt(&self) -> bool {
        matches!(self, ServiceError::Store(StoreError::Corrupt(_)))
    }

    /// The store cannot be reached (what a face answers as "service unavailable").
    pub fn unavailable(reason: impl Into<String>) -> Self {
        ServiceError::Store(StoreError::Unavailable(reason.into()))
    }

    /// A stored row is not valid.
    pub fn corrupt(reason: impl Into<String>) -> Self {
        ServiceError::Store(StoreError::Corrupt(reason.into()))
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
