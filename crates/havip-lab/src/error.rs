//! What can go wrong: a seed whose topology cannot be built (found before anything is
//! created), a host that lacks what the lab needs, and a command that failed.

use std::net::Ipv4Addr;

use havip_core::DomainError;

/// Why a topology (a seed's, or the control plane's inventory) cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "lab prefix {0:?} must be 1 to 7 lower-case letters or digits, starting with a letter"
    )]
    BadPrefix(String),
    #[error("ENI {eni}: IP {ip} is outside its subnet {subnet} ({cidr})")]
    IpOutsideSubnet {
        eni: String,
        ip: Ipv4Addr,
        subnet: String,
        cidr: String,
    },
    #[error(
        "ENI {eni}: MAC {mac:?} cannot be given to an interface (bad syntax, multicast or zero)"
    )]
    BadMac { eni: String, mac: String },
    #[error(
        "ENI {eni}: IP {ip} is reserved in its subnet ({cidr}: network, gateway or broadcast)"
    )]
    ReservedIp {
        eni: String,
        ip: Ipv4Addr,
        cidr: String,
    },
    #[error("ENIs {first} and {second} both have the IP {ip}")]
    DuplicateIp {
        ip: Ipv4Addr,
        first: String,
        second: String,
    },
    #[error("{what} {id} appears twice")]
    Duplicate { what: &'static str, id: String },
    #[error("ENIs {first} and {second} would both have the MAC {mac}")]
    DuplicateMac {
        mac: String,
        first: String,
        second: String,
    },
    #[error("{what} {id} refers to the unknown {kind} {missing}")]
    Unknown {
        what: &'static str,
        id: String,
        kind: &'static str,
        missing: String,
    },
    #[error("subnet {subnet} has no free address left for its client namespace")]
    NoClientAddress { subnet: String },
    #[error("{first} and {second} would both be named {name}; choose another prefix")]
    NameCollision {
        name: String,
        first: String,
        second: String,
    },
    #[error("the seed's addresses cannot be assigned: {0}")]
    Addresses(DomainError),
}

/// Why `havip lab up`, `down` or `exec` failed.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("havip lab needs root (network namespaces and links need CAP_SYS_ADMIN and CAP_NET_ADMIN); run it as root")]
    NotRoot,
    #[error(
        "havip lab needs the `{tool}` command (Debian package {package}), which is not on PATH"
    )]
    MissingTool {
        tool: &'static str,
        package: &'static str,
    },
    #[error("`{command}` failed: {stderr}")]
    Command { command: String, stderr: String },
    #[error("could not run `{command}`: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("unexpected output of `{command}`: {detail}")]
    Output { command: String, detail: String },
    #[error("lab {prefix} has no namespace for {target} (is it up? `havip lab up --prefix {prefix} --seed FILE`)")]
    NoSuchTarget { prefix: String, target: String },
    #[error("could not take the lab's lock {path}: {source}")]
    Lock {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Vrrp(#[from] crate::keepalived::VrrpError),
    #[error("{path}: {source}")]
    File {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("processes {pids:?} in namespace {namespace} did not stop")]
    Busy { namespace: String, pids: Vec<u32> },
}
