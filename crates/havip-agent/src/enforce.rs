//! The seam between the loop and the host: whatever makes the host match a desired
//! state and reports the fabric's view per port.

use havip_native::feed::{DesiredState, PortView};

use crate::error::AgentError;

/// Makes the host match a desired state. Runs on a blocking thread (it starts processes);
/// the loop calls it again with the same state every resync, so it must be idempotent.
pub trait Enforce: Send + 'static {
    fn enforce(&mut self, desired: &DesiredState) -> Result<Vec<PortView>, AgentError>;
}
