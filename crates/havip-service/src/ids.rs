//! Resource and request ids in each cloud's style, and where address allocation starts.
//! The service holds an [`IdGenerator`] the way it holds a clock: random in production,
//! deterministic in tests (a seeded generator that also allocates the lowest free
//! address), so that no test depends on chance.

use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};

/// Where the service's ids and address choices come from.
pub trait IdGenerator: Send + Sync + 'static {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]);

    /// Where a scan for a free address starts in a subnet; 0 gives the lowest free one.
    fn alloc_start(&self) -> u32;

    /// `n` lowercase alphanumerics, each equally likely.
    fn lower_alnum(&self, n: usize) -> String {
        const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut out = String::with_capacity(n);
        while out.len() < n {
            let mut bytes = [0u8; 32];
            self.fill(&mut bytes);
            // 252 = 7 × 36: bytes above it would favour the first letters.
            for b in bytes.into_iter().filter(|b| *b < 252).take(n - out.len()) {
                out.push(char::from(ALPHABET[usize::from(b % 36)]));
            }
        }
        out
    }

    /// `havip-` and 21 lowercase alphanumerics, as Alibaba and Volcengine write HaVip ids.
    fn havip_id(&self) -> String {
        self.shaped(&havip_core::IdShape::default())
    }

    /// An id of the given shape (a face's HaVip ids).
    fn shaped(&self, shape: &havip_core::IdShape) -> String {
        format!("{}{}", shape.prefix, self.lower_alnum(shape.random_chars))
    }

    /// An id with the given prefix and 20 lowercase alphanumerics (`i-`, `eni-`, `vpc-`...).
    fn prefixed(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.lower_alnum(20))
    }

    /// A version-4 UUID (Huawei port ids).
    fn uuid(&self) -> String {
        self.uuid_value().to_string()
    }

    /// A request id in the upper-case UUID form Alibaba, Volcengine and the native API use.
    fn request_id(&self) -> String {
        self.uuid().to_ascii_uppercase()
    }

    /// A request id as Huawei writes them: 32 lowercase hex digits.
    fn hex_request_id(&self) -> String {
        self.uuid_value().simple().to_string()
    }

    /// Id of an in-flight change.
    fn change_id(&self) -> String {
        format!("chg-{}", self.uuid_value().simple())
    }

    #[doc(hidden)]
    fn uuid_value(&self) -> uuid::Uuid {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid()
    }
}

/// Ids from the operating system's generator; allocation starts at a random address, so
/// that addresses look assigned at random, as on the clouds.
pub struct RandomIds;

impl IdGenerator for RandomIds {
    fn fill(&self, buf: &mut [u8]) {
        rand::thread_rng().fill_bytes(buf);
    }

    fn alloc_start(&self) -> u32 {
        rand::thread_rng().gen()
    }
}

/// Ids from a seeded generator: the same seed gives the same ids in the same order, and
/// allocation always takes the lowest free address. For tests and reproducible runs
/// (`havip serve --id-seed N`); two replicas on one database must not share a seed.
pub struct SeededIds(Mutex<StdRng>);

impl SeededIds {
    pub fn new(seed: u64) -> Self {
        SeededIds(Mutex::new(StdRng::seed_from_u64(seed)))
    }
}

impl IdGenerator for SeededIds {
    fn fill(&self, buf: &mut [u8]) {
        // A poisoned lock only means another thread panicked mid-draw; the generator's
        // state is still a valid generator state.
        let mut rng = self.0.lock().unwrap_or_else(|p| p.into_inner());
        rng.fill_bytes(buf);
    }

    fn alloc_start(&self) -> u32 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn havip_ids_have_the_cloud_shape() {
        let ids = RandomIds;
        let id = ids.havip_id();
        assert_eq!(id.len(), 6 + 21);
        assert!(id.starts_with("havip-"));
        assert!(id[6..]
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
        assert_ne!(ids.havip_id(), id);
        let short = havip_core::IdShape {
            prefix: "havip-".into(),
            random_chars: 8,
        };
        let id = ids.shaped(&short);
        assert_eq!(id.len(), 6 + 8);
        assert!(id.starts_with("havip-"));
    }

    #[test]
    fn a_seed_gives_the_same_ids_in_the_same_order() {
        let (a, b) = (SeededIds::new(7), SeededIds::new(7));
        for _ in 0..5 {
            assert_eq!(a.havip_id(), b.havip_id());
            assert_eq!(a.uuid(), b.uuid());
            assert_eq!(a.prefixed("eni"), b.prefixed("eni"));
        }
        assert_ne!(SeededIds::new(8).havip_id(), SeededIds::new(7).havip_id());
        assert_eq!(a.alloc_start(), 0);
    }

    #[test]
    fn ids_in_each_style() {
        let ids = SeededIds::new(1);
        let uuid = ids.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        let rid = ids.request_id();
        assert_eq!(rid, rid.to_ascii_uppercase());
        let hex = ids.hex_request_id();
        assert_eq!(hex.len(), 32);
        assert!(hex
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert!(ids.change_id().starts_with("chg-"));
        let p = ids.prefixed("vpc");
        assert_eq!(p.len(), 4 + 20);
    }
}
