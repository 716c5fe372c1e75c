//! `havip lab exec`: the command that runs a program in an instance's namespace or in a
//! subnet's client namespace (through `ip netns exec`, which also gives the program
//! the namespace's own `/sys`).

use std::process::Command;

use crate::error::LabError;
use crate::host::Host;
use crate::names::{self, Prefix};
use crate::state;

/// Where `exec` runs: `INSTANCE` or `client:SUBNET`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Instance(String),
    Client(String),
}

impl Target {
    pub fn parse(s: &str) -> Target {
        match s.strip_prefix("client:") {
            Some(subnet) => Target::Client(subnet.to_string()),
            None => Target::Instance(s.to_string()),
        }
    }

    /// The namespace of this target in the lab with prefix `p`.
    pub fn namespace(&self, p: &Prefix) -> String {
        match self {
            Target::Instance(id) => names::instance_ns(p, id),
            Target::Client(subnet) => names::client_ns(p, subnet),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Instance(id) => write!(f, "instance {id}"),
            Target::Client(subnet) => write!(f, "the client of subnet {subnet}"),
        }
    }
}

/// `ip netns exec NS PROGRAM ARGS...` for `target`, once its namespace is known to exist.
pub fn command(
    host: &Host,
    prefix: &Prefix,
    target: &Target,
    program: &str,
    args: &[String],
) -> Result<Command, LabError> {
    let ns = target.namespace(prefix);
    if !state::namespaces(host)?.contains(&ns) {
        return Err(LabError::NoSuchTarget {
            prefix: prefix.to_string(),
            target: target.to_string(),
        });
    }
    let mut cmd = Command::new(&host.ip);
    cmd.args(["netns", "exec", &ns, program]).args(args);
    Ok(cmd)
}
