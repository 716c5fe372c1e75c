#![no_main]
//! Fuzz target `native_dto`: see `havip_fuzzing::targets::native_dto` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| havip_fuzzing::targets::native_dto(data));
