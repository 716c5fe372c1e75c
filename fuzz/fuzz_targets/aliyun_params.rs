#![no_main]
//! Fuzz target `aliyun_params`: see `havip_fuzzing::targets::aliyun_params` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| havip_fuzzing::targets::aliyun_params(data));
