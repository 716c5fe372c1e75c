//! `havip check-seed`: a valid seed is summed up and exits 0; a seed with a
//! `[limits.<face>]` table for a face the server does not run is refused with its line,
//! and the faces it does run are named.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_havip");

fn check_seed(file: &Path) -> Output {
    Command::new(BIN)
        .arg("check-seed")
        .arg(file)
        .env("HAVIP_LOG", "warn")
        .output()
        .expect("run havip check-seed")
}

fn example_seed() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml");
    std::fs::read_to_string(path).expect("examples/seed.toml")
}

fn write_seed(dir: &Path, text: &str) -> std::path::PathBuf {
    let file = dir.join("seed.toml");
    std::fs::write(&file, text).expect("write the seed");
    file
}

#[test]
fn the_example_seed_is_summed_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = check_seed(&write_seed(dir.path(), &example_seed()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" accounts, "), "{stdout}");
    assert!(stdout.contains(" HaVips"), "{stdout}");
}

#[test]
fn limits_of_every_face_the_server_runs_are_accepted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut seed = example_seed();
    for face in ["aliyun", "volcengine", "huawei", "tencent"] {
        seed.push_str(&format!("\n[limits.{face}]\nhavips_per_region = 7\n"));
    }
    let out = check_seed(&write_seed(dir.path(), &seed));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn limits_of_an_unknown_face_are_refused_with_their_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut seed = example_seed();
    seed.push_str("\n[limits.gcp]\nhavips_per_region = 7\n");
    let line = seed.lines().count() - 1;
    let out = check_seed(&write_seed(dir.path(), &seed));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains(r#"[limits.gcp]: no face is called "gcp""#),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("line {line}")), "{stderr}");
    for face in ["aliyun", "volcengine", "huawei", "tencent"] {
        assert!(stderr.contains(face), "{stderr}");
    }
}
