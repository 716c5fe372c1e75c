#![no_main]
//! Fuzz target `faces`: see `havip_fuzzing::targets::faces` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| havip_fuzzing::targets::faces(data));
