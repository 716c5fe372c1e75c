#![no_main]
//! Fuzz target `seed`: see `havip_fuzzing::targets::seed` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| havip_fuzzing::targets::seed(data));
