//! keepalived processes in the lab's instance namespaces, driven by their files under
//! `/run/havip-lab/PREFIX/NAMESPACE/` (configuration, notify script, pid files, log,
//! state files): `/run` is shared by every namespace, so each instance has its own pid
//! files. Nothing else is remembered: whether a keepalived runs is read from its pid
//! file, its process (alive, named keepalived, not a zombie) and that process's network
//! namespace, so an agent that restarts picks up what is running.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::error::LabError;
use crate::host::{self, Host};
use crate::keepalived::config::{notify_script, InstanceFiles, KeepalivedSpec};
use crate::lock::LOCK_DIR;
use crate::names::Prefix;

/// How long keepalived gets to write its pid files after it is started.
const START: Duration = Duration::from_secs(3);
/// How long keepalived gets to exit after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

/// The directory of a lab's keepalived files (one subdirectory per namespace).
pub fn lab_dir(prefix: &Prefix) -> PathBuf {
    Path::new(LOCK_DIR).join(prefix.as_str())
}

/// The files of the keepalived in namespace `namespace` of the lab.
pub fn files(prefix: &Prefix, namespace: &str) -> InstanceFiles {
    InstanceFiles::new(lab_dir(prefix).join(namespace))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> LabError + '_ {
    move |source| LabError::File {
        path: path.to_path_buf(),
        source,
    }
}

/// The pid in a pid file, if it names a live keepalived in namespace `namespace`.
fn live_pid(pid_file: &Path, namespace: Option<&str>) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(pid_file)
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let comm = std::fs::read_to_string(proc.join("comm")).ok()?;
    if comm.trim() != "keepalived" {
        return None;
    }
    // `PID (comm) STATE ...`: a zombie has exited.
    let stat = std::fs::read_to_string(proc.join("stat")).ok()?;
    let state = stat.rsplit_once(')')?.1.split_whitespace().next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    if let Some(ns) = namespace {
        let theirs = std::fs::metadata(proc.join("ns/net")).ok()?;
        let wanted = std::fs::metadata(Path::new("/run/netns").join(ns)).ok()?;
        if (theirs.dev(), theirs.ino()) != (wanted.dev(), wanted.ino()) {
            return None;
        }
    }
    Some(pid)
}

/// Whether the keepalived of these files runs (in `namespace`).
pub fn is_running(files: &InstanceFiles, namespace: &str) -> bool {
    live_pid(&files.pid(), Some(namespace)).is_some()
}

/// Writes `content` to `path` (mode `mode`) unless it holds it already; whether it
/// changed.
fn write_if_changed(path: &Path, content: &str, mode: u32) -> Result<bool, LabError> {
    let mut current = String::new();
    let same = File::open(path)
        .and_then(|mut f| f.read_to_string(&mut current))
        .is_ok()
        && current == content;
    if same {
        return Ok(false);
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, content).map_err(io_error(&tmp))?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))
        .map_err(io_error(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_error(path))?;
    Ok(true)
}

fn make_dir(dir: &Path) -> Result<(), LabError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_error(dir))
}

/// What [`ensure`] did to one keepalived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ensured {
    Started,
    /// Running with another configuration: told to reload it (SIGHUP).
    Reloaded,
    Unchanged,
}

/// Makes the keepalived of `spec` run with its configuration: started if it does not
/// run, reloaded if its configuration changed, left alone otherwise.
pub fn ensure(host: &Host, prefix: &Prefix, spec: &KeepalivedSpec) -> Result<Ensured, LabError> {
    let keepalived = host::find("keepalived").ok_or(LabError::MissingTool {
        tool: "keepalived",
        package: "keepalived",
    })?;
    if !crate::state::namespaces(host)?.contains(&spec.namespace) {
        return Err(LabError::NoSuchTarget {
            prefix: prefix.to_string(),
            target: format!("instance {}", spec.instance),
        });
    }
    let files = files(prefix, &spec.namespace);
    make_dir(&files.dir)?;
    write_if_changed(&files.notify(), &notify_script(&files.dir), 0o755)?;
    let changed = write_if_changed(&files.config(), &spec.render(&files), 0o600)?;
    if let Some(pid) = live_pid(&files.pid(), Some(&spec.namespace)) {
        if !changed {
            return Ok(Ensured::Unchanged);
        }
        host.kill(&["-HUP", "--", &pid.to_string()])?;
        return Ok(Ensured::Reloaded);
    }
    // A keepalived that is not running (killed, or in a namespace made anew) may have
    // left its pid files: keepalived refuses to start over them.
    stop(host, &files)?;
    start(host, &keepalived, spec, &files)?;
    Ok(Ensured::Started)
}

fn start(
    host: &Host,
    keepalived: &Path,
    spec: &KeepalivedSpec,
    files: &InstanceFiles,
) -> Result<(), LabError> {
    let log = files.log();
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&log)
        .map_err(io_error(&log))?;
    let err = out.try_clone().map_err(io_error(&log))?;
    let (config, pid, vrrp_pid) = (files.config(), files.pid(), files.vrrp_pid());
    let mut cmd = Command::new(&host.ip);
    cmd.arg("netns")
        .arg("exec")
        .arg(&spec.namespace)
        .arg(keepalived)
        .args(["-n", "-l", "-D", "-G", "-f"])
        .arg(&config)
        .arg("-p")
        .arg(&pid)
        .arg("-r")
        .arg(&vrrp_pid)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    let command = format!("ip netns exec {} keepalived -n ...", spec.namespace);
    let mut child = cmd.spawn().map_err(|source| LabError::Spawn {
        command: command.clone(),
        source,
    })?;
    let deadline = Instant::now() + START;
    loop {
        if live_pid(&pid, Some(&spec.namespace)).is_some()
            && live_pid(&vrrp_pid, Some(&spec.namespace)).is_some()
        {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(LabError::Command {
                command,
                stderr: format!("exited with {status}; see {}", log.display()),
            });
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(LabError::Command {
                command,
                stderr: format!("wrote no pid files within {START:?}; see {}", log.display()),
            });
        }
        sleep(Duration::from_millis(20));
    }
    // `ip netns exec` execs keepalived (same pid); reap it whenever it exits, so that a
    // stopped keepalived does not linger as a zombie of this process.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Stops the keepalived of `files` (SIGTERM, then SIGKILL after [`GRACE`]) and removes
/// its pid files. Whether one was running.
pub fn stop(host: &Host, files: &InstanceFiles) -> Result<bool, LabError> {
    let pid_files = [files.pid(), files.vrrp_pid()];
    let live = || -> Vec<u32> { pid_files.iter().filter_map(|p| live_pid(p, None)).collect() };
    let first = live();
    for signal in ["-TERM", "-KILL"] {
        let now = live();
        if now.is_empty() {
            break;
        }
        let ids: Vec<String> = now.iter().map(u32::to_string).collect();
        let mut args = vec![signal, "--"];
        args.extend(ids.iter().map(String::as_str));
        // It may exit between reading and signalling.
        let _ = host.kill(&args);
        let deadline = Instant::now() + GRACE;
        while Instant::now() < deadline && !live().is_empty() {
            sleep(Duration::from_millis(20));
        }
    }
    let left = live();
    if !left.is_empty() {
        return Err(LabError::Busy {
            namespace: files.dir.display().to_string(),
            pids: left,
        });
    }
    for p in &pid_files {
        match std::fs::remove_file(p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_error(p)(e)),
            _ => {}
        }
    }
    Ok(!first.is_empty())
}

/// The namespaces that have keepalived files in the lab's directory.
pub fn existing(prefix: &Prefix) -> Result<Vec<String>, LabError> {
    let dir = lab_dir(prefix);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(&dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_error(&dir))?;
        if entry.file_type().map_err(io_error(&dir))?.is_dir() {
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    Ok(out)
}

/// Stops the keepalived of `namespace` and removes its files.
pub fn remove(host: &Host, prefix: &Prefix, namespace: &str) -> Result<bool, LabError> {
    let files = files(prefix, namespace);
    let was_running = stop(host, &files)?;
    match std::fs::remove_dir_all(&files.dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(&files.dir)(e)),
        _ => Ok(was_running),
    }
}

/// Stops every keepalived of the lab and removes the lab's directory.
pub fn remove_all(host: &Host, prefix: &Prefix) -> Result<Vec<String>, LabError> {
    let mut stopped = Vec::new();
    for ns in existing(prefix)? {
        if remove(host, prefix, &ns)? {
            stopped.push(ns);
        }
    }
    let dir = lab_dir(prefix);
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(&dir)(e)),
        _ => Ok(stopped),
    }
}
