#![no_main]
//! Fuzz target `sig_aliyun_acs3`: see `havip_fuzzing::targets::sig_aliyun_acs3` for what it checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| havip_fuzzing::targets::sig_aliyun_acs3(data));
