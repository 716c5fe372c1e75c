//! Port attributes kept for the Huawei face: the name and `allowed_address_pairs` of a
//! VIP port (a HaVip) or a NIC port (an ENI), which the other resources do not hold.
//! Every transaction offers them through [`PortTx`], a supertrait of [`crate::Tx`].

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::StoreResult;

/// One `allowed_address_pairs` entry: an IP address or CIDR, and an optional MAC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressPair {
    pub ip_address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
}

/// What is kept for one port; absent attributes are the defaults (no name, no pairs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortAttrs {
    /// The port's name; `None` means the name held elsewhere (a HaVip's own name).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub allowed_address_pairs: Vec<AddressPair>,
}

/// Reads and writes of [`PortAttrs`], inside the transaction of the operation.
#[async_trait]
pub trait PortTx {
    async fn port_attrs(&mut self, port: &str) -> StoreResult<Option<PortAttrs>>;
    /// The attributes of each of `ports` that has some, in a few queries whatever the
    /// number of ports.
    async fn ports_attrs(
        &mut self,
        ports: &[String],
    ) -> StoreResult<std::collections::BTreeMap<String, PortAttrs>>;
    /// Stores (or replaces) the attributes of a port.
    async fn put_port_attrs(&mut self, port: &str, attrs: &PortAttrs) -> StoreResult<()>;
    async fn delete_port_attrs(&mut self, port: &str) -> StoreResult<()>;
}
