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
}

pub type ServiceResult<T> = Result<T, ServiceError>;
