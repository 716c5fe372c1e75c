//! Resource and request ids in each cloud's style.

use rand::distributions::Alphanumeric;
use rand::Rng;

fn lower_alnum(n: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(|b| char::from(b).to_ascii_lowercase())
        .collect()
}

/// `havip-` and 21 lowercase alphanumerics, as Alibaba and Volcengine write HaVip ids.
pub fn havip_id() -> String {
    format!("havip-{}", lower_alnum(21))
}

/// An id with the given prefix and 20 lowercase alphanumerics (`i-`, `eni-`, `vpc-`...).
pub fn prefixed(prefix: &str) -> String {
    format!("{prefix}-{}", lower_alnum(20))
}

/// A random UUID (Huawei port ids, request ids).
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A request id in the upper-case UUID form the clouds use.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_ascii_uppercase()
}

/// Id of an in-flight change.
pub fn change_id() -> String {
    format!("chg-{}", uuid::Uuid::new_v4().simple())
}

/// A random start for address allocation.
pub fn alloc_start() -> u32 {
    rand::thread_rng().gen()
}

#[cfg(test)]
mod tests {
    #[test]
    fn havip_ids_have_the_cloud_shape() {
        let id = super::havip_id();
        assert_eq!(id.len(), 6 + 21);
        assert!(id.starts_with("havip-"));
        assert!(id[6..]
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
        assert_ne!(super::havip_id(), id);
    }
}
