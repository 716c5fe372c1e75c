#![no_main]
//! Fuzz target `sig_volcengine`: see `havip_fuzzing::targets::sig_volcengine` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| havip_fuzzing::targets::sig_volcengine(data));
