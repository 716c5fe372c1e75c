//! One check per fuzz target, by name. Each takes the fuzzer's bytes and panics only
//! when a property of its parser fails; [`ALL`] lists them for the tests and the script.

mod aliyun;
mod faces;
mod huawei;
mod native;
mod seed;
mod signature;
mod volcengine;

pub use aliyun::aliyun_params;
pub use faces::{faces, ADMIN_TOKEN};
pub use huawei::{huawei_nic, huawei_ports};
pub use native::native_dto;
pub use seed::seed;
pub use signature::{sig_aliyun_acs3, sig_aliyun_rpc, sig_huawei, sig_volcengine};
pub use volcengine::volcengine_params;

/// A check: the fuzzer's bytes in, a panic when a property fails.
pub type Check = fn(&[u8]);

/// Every target: its name (the fuzz target's and its corpus directory's) and its check.
pub const ALL: [(&str, Check); 11] = [
    ("sig_aliyun_acs3", sig_aliyun_acs3),
    ("sig_aliyun_rpc", sig_aliyun_rpc),
    ("sig_volcengine", sig_volcengine),
    ("sig_huawei", sig_huawei),
    ("aliyun_params", aliyun_params),
    ("volcengine_params", volcengine_params),
    ("huawei_ports", huawei_ports),
    ("huawei_nic", huawei_nic),
    ("native_dto", native_dto),
    ("seed", seed),
    ("faces", faces),
];

/// The check named `name`.
pub fn by_name(name: &str) -> Option<Check> {
    ALL.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// The secret the verifiers are given: the one that signed every request of the corpus
/// (`shared/vectors/signatures.json`), so that a well-signed input reaches the clock check.
pub const SECRET: &str = "vector-secret-0000000000000001";
