//! What the root tests of `havip lab` and its fabric share: running the host's tools,
//! telling why a test cannot run here, and a lab per test whose prefix carries this
//! process's id (`z`, a letter per test, the pid in base 36), with leftovers of dead runs
//! swept at start and the lab removed on drop, also when the test fails.

#![allow(dead_code)] // each test file uses its own part of this module

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const HAVIP: &str = env!("CARGO_BIN_EXE_havip");

/// Why these tests cannot run here (not root, or a `(tool, Debian package)` missing).
pub fn missing(tools: &[(&str, &str)]) -> Option<String> {
    if !havip_lab::is_root() {
        return Some("not root".into());
    }
    tools.iter().find_map(|(tool, package)| {
        havip_lab::find(tool)
            .is_none()
            .then(|| format!("`{tool}` ({package}) is not installed"))
    })
}

pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `PROGRAM ARGS`, which must succeed; its standard output.
pub fn ok(program: &str, args: &[&str]) -> String {
    let o = run(program, args);
    assert!(
        o.status.success(),
        "{program} {args:?} failed: {}",
        text(&o)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every namespace on the host.
pub fn namespaces() -> Vec<String> {
    ok("ip", &["netns", "list"])
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

fn base36(mut n: u32) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    for _ in 0..5 {
        out.push(digits[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Removes the labs of this test's letter left by runs whose process is gone.
fn sweep_dead_runs(letter: char) {
    let own = format!("z{letter}");
    for ns in namespaces() {
        let Some((prefix, _)) = ns.split_once('-') else {
            continue;
        };
        let Some(pid36) = prefix.strip_prefix(&own) else {
            continue;
        };
        let alive = u32::from_str_radix(pid36, 36)
            .is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if pid36.len() == 5 && !alive {
            let _ = run(HAVIP, &["lab", "down", "--prefix", prefix]);
        }
    }
}

/// The lab of one test, removed on drop.
pub struct Lab {
    pub prefix: String,
    seed: tempfile::NamedTempFile,
}

impl Lab {
    pub fn new(letter: char, seed: &str) -> Lab {
        sweep_dead_runs(letter);
        let prefix = format!("z{letter}{}", base36(std::process::id()));
        let mut file = tempfile::NamedTempFile::new().expect("seed file");
        file.write_all(seed.as_bytes()).expect("write seed");
        let lab = Lab { prefix, seed: file };
        // Leftovers of an earlier lab of this process with the same letter.
        lab.down();
        lab
    }

    /// The seed file's path as an argument.
    pub fn seed_arg(&self) -> String {
        self.seed.path().to_string_lossy().into_owned()
    }

    pub fn up(&self) -> String {
        ok(
            HAVIP,
            &[
                "lab",
                "up",
                "--seed",
                &self.seed_arg(),
                "--prefix",
                &self.prefix,
            ],
        )
    }

    pub fn down(&self) {
        let _ = run(HAVIP, &["lab", "down", "--prefix", &self.prefix]);
    }

    pub fn exec(&self, target: &str, cmd: &[&str]) -> Output {
        let mut args = vec!["lab", "exec", "--prefix", &self.prefix, target, "--"];
        args.extend_from_slice(cmd);
        run(HAVIP, &args)
    }

    pub fn exec_ok(&self, target: &str, cmd: &[&str]) -> String {
        let o = self.exec(target, cmd);
        assert!(o.status.success(), "exec {target} {cmd:?}: {}", text(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.down();
    }
}

/// `from` pings `to`; the first ping after a link comes up can be lost to ARP, so a few
/// tries are allowed.
pub fn ping(lab: &Lab, from: &str, to: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let o = lab.exec(from, &["ping", "-c", "1", "-W", "1", to]);
        if o.status.success() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{from} cannot ping {to}: {}",
            text(&o)
        );
    }
}
