//! The checks behind havip's fuzz targets, one function per parser that faces untrusted
//! input: each face's request parser, each signature scheme's parser and verifier, and the
//! seed parser. A check feeds raw bytes to its parser and panics only when a property
//! fails (the parser panicked, a refusal would answer 5xx, a round trip broke).
//!
//! The cargo-fuzz targets in `fuzz/` are one-line wrappers over [`targets`]; the
//! never-panic tests of this crate run the same checks on mutations of the corpus that
//! `fuzz/corpus/` keeps, so that `cargo test` covers them on every run.

#![forbid(unsafe_code)]

pub mod request;
pub mod targets;
