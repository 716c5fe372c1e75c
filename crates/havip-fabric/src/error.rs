//! What can go wrong: a fabric state that cannot be turned into rules (found before the
//! host is touched), a host without `nft`, and an `nft` run that failed.

use std::net::Ipv4Addr;

use havip_lab::LabError;

#[derive(Debug, thiserror::Error)]
pub enum FabricError {
    #[error("HaVip {vip}: no instance or ENI {member} in the lab")]
    UnknownMember { vip: Ipv4Addr, member: String },
    #[error("HaVip {vip}: instance {instance} has no primary ENI in the lab")]
    NoPrimaryEni { vip: Ipv4Addr, instance: String },
    #[error("HaVip {vip} is also the own address of port {port}")]
    VipIsPortAddress { vip: Ipv4Addr, port: String },
    #[error("port {0} appears twice")]
    DuplicatePort(String),
    #[error("port name {0:?} cannot name a chain or counter (1 to 15 letters or digits)")]
    BadPortName(String),
    #[error("{0:?} is not a MAC address")]
    BadMac(String),
    #[error(transparent)]
    Lab(#[from] LabError),
    #[error(
        "the fabric rules need the `nft` command (Debian package nftables), which is not on PATH"
    )]
    MissingNft,
    #[error("lab {prefix} has no fabric namespace {namespace} (is it up? `havip lab up --prefix {prefix} --seed FILE`)")]
    NoFabric { prefix: String, namespace: String },
    #[error("unexpected output of `{command}`: {detail}")]
    Output { command: String, detail: String },
}
