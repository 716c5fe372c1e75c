//! The host's tools: finding `ip` and `sysctl`, checking for root, and running a
//! command from an argument vector (never a shell string) with its error kept.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::LabError;

/// The programs the lab drives.
#[derive(Debug, Clone)]
pub struct Host {
    pub ip: PathBuf,
    pub sysctl: Option<PathBuf>,
    pub kill: Option<PathBuf>,
}

impl Host {
    /// Checks for root and finds `ip`; `sysctl` and `kill` are looked up too and
    /// required by the steps that use them ([`Host::require_sysctl`]).
    pub fn detect() -> Result<Host, LabError> {
        if !is_root() {
            return Err(LabError::NotRoot);
        }
        let ip = find("ip").ok_or(LabError::MissingTool {
            tool: "ip",
            package: "iproute2",
        })?;
        Ok(Host {
            ip,
            sysctl: find("sysctl"),
            kill: find("kill"),
        })
    }

    pub fn require_sysctl(&self) -> Result<&Path, LabError> {
        self.sysctl.as_deref().ok_or(LabError::MissingTool {
            tool: "sysctl",
            package: "procps",
        })
    }

    /// Runs `ip ARGS` and returns its standard output.
    pub fn ip(&self, args: &[&str]) -> Result<String, LabError> {
        run(&self.ip, args)
    }

    /// Runs `ip ARGS`, only telling whether it succeeded.
    pub fn ip_ok(&self, args: &[&str]) -> bool {
        Command::new(&self.ip)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Runs `ip netns exec NS PROGRAM ARGS` and returns its standard output.
    pub fn in_ns(&self, ns: &str, program: &Path, args: &[&str]) -> Result<String, LabError> {
        self.in_ns_with_input(ns, program, args, None)
    }

    /// As [`Host::in_ns`], with `input` fed to the program's standard input.
    pub fn in_ns_with_input(
        &self,
        ns: &str,
        program: &Path,
        args: &[&str],
        input: Option<&[u8]>,
    ) -> Result<String, LabError> {
        let program = program.to_string_lossy();
        let mut all = vec!["netns", "exec", ns, program.as_ref()];
        all.extend_from_slice(args);
        run_with_input(&self.ip, &all, input)
    }

    /// Runs `kill ARGS`.
    pub fn kill(&self, args: &[&str]) -> Result<String, LabError> {
        let kill = self.kill.as_deref().ok_or(LabError::MissingTool {
            tool: "kill",
            package: "procps",
        })?;
        run(kill, args)
    }
}

fn render(program: &Path, args: &[&str]) -> String {
    let name = program
        .file_name()
        .map_or_else(|| program.to_string_lossy(), |n| n.to_string_lossy());
    std::iter::once(name.as_ref())
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(program: &Path, args: &[&str]) -> Result<String, LabError> {
    run_with_input(program, args, None)
}

/// Runs PROGRAM ARGS with `input` (if any) on its standard input; its standard output.
fn run_with_input(program: &Path, args: &[&str], input: Option<&[u8]>) -> Result<String, LabError> {
    let spawn_error = |source| LabError::Spawn {
        command: render(program, args),
        source,
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_error)?;
    if let (Some(input), Some(mut pipe)) = (input, child.stdin.take()) {
        // A failed write shows up as the program's own error below.
        let _ = pipe.write_all(input);
    }
    let out = child.wait_with_output().map_err(spawn_error)?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(LabError::Command {
            command: render(program, args),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// Whether the effective user is root (from `/proc/self/status`, so no unsafe call).
pub fn is_root() -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1).map(|e| e == "0"))
        .unwrap_or(false)
}

/// The first executable `name` on `PATH`.
pub fn find(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}
