#![no_main]
//! Fuzz target `volcengine_params`: see `havip_fuzzing::targets::volcengine_params` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| havip_fuzzing::targets::volcengine_params(data));
