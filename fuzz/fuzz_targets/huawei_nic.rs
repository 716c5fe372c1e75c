#![no_main]
//! Fuzz target `huawei_nic`: see `havip_fuzzing::targets::huawei_nic` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| havip_fuzzing::targets::huawei_nic(data));
