//! The fuzz targets' checks, run by `cargo test` on a budget: every input of the corpus
//! and of the regressions (fuzz/corpus, fuzz/regressions), then, per target, proptest
//! cases made by mutating those inputs or drawn as raw bytes (`PROPTEST_CASES` cases per
//! target, 256 by default). A check panics when its parser panics or answers a refusal
//! with anything but the face's 4xx.

use std::path::PathBuf;

use havip_fuzzing::targets;
use proptest::prelude::*;

fn dir(kind: &str, target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(kind)
        .join(target)
}

/// The inputs kept in the repository for `target`, sorted by file name.
fn inputs(target: &str) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = ["corpus", "regressions"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(dir(kind, target)).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files.iter().filter_map(|f| std::fs::read(f).ok()).collect()
}

#[test]
fn every_target_has_a_corpus() {
    for (name, _) in targets::ALL {
        assert!(!inputs(name).is_empty(), "fuzz/corpus/{name} is empty");
    }
}

#[test]
fn corpus_and_regressions_pass_every_check() {
    for (name, check) in targets::ALL {
        for input in inputs(name) {
            check(&input);
        }
    }
}

/// Bytes that matter to the parsers: separators, escapes, JSON and TOML punctuation.
const INTERESTING: &[u8] = b"%&=;,/?:.+ \t\r\n\"'{}[]#0019AZaz-_~\\\x00\x7f\x80\xff";

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Repeat(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![proptest::sample::select(INTERESTING.to_vec()), any::<u8>()];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ]
}

fn apply(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = data.len();
        match *e {
            Edit::Replace(i, b) if len > 0 => data[i % len] = b,
            Edit::Insert(i, b) => data.insert(i % (len + 1), b),
            Edit::Delete(i) if len > 0 => {
                data.remove(i % len);
            }
            Edit::Repeat(i, n) if len > 0 => {
                let start = i % len;
                let end = (start + n).min(len);
                let piece = data[start..end].to_vec();
                data.splice(end..end, piece);
            }
            _ => {}
        }
    }
    data
}

/// A corpus input with a few edits, or raw bytes.
fn input_for(target: &'static str) -> BoxedStrategy<Vec<u8>> {
    let corpus = inputs(target);
    let raw = proptest::collection::vec(any::<u8>(), 0..512);
    if corpus.is_empty() {
        return raw.boxed();
    }
    let mutated = (
        proptest::sample::select(corpus),
        proptest::collection::vec(edit(), 0..8),
    )
        .prop_map(|(base, edits)| apply(base, &edits));
    prop_oneof![4 => mutated, 1 => raw].boxed()
}

macro_rules! never_panics {
    ($($target:ident),* $(,)?) => {
        proptest! {
            $(
                #[test]
                fn $target(input in input_for(stringify!($target))) {
                    targets::$target(&input);
                }
            )*
        }
    };
}

never_panics!(
    sig_aliyun_acs3,
    sig_aliyun_rpc,
    sig_volcengine,
    sig_huawei,
    aliyun_params,
    volcengine_params,
    huawei_ports,
    huawei_nic,
    native_dto,
    seed,
    faces,
);
