//! Full-jitter backoff and the injectable random source.

use std::time::Duration;

/// A source of uniformly distributed 32-bit values, injectable for tests.
pub trait RandomSource: Send {
    /// The next value.
    fn next_u32(&mut self) -> u32;
}

/// A small xorshift generator; drivers seed it (the core has no entropy source).
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a seed (zero is replaced by a fixed odd constant).
    pub fn new(seed: u64) -> Self {
        XorShift(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }
}

impl RandomSource for XorShift {
    fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 32) as u32
    }
}

/// A random source that repeats a fixed sequence (for tests and examples).
#[derive(Debug, Clone)]
pub struct FixedRandom(pub Vec<u32>, pub usize);

impl RandomSource for FixedRandom {
    fn next_u32(&mut self) -> u32 {
        if self.0.is_empty() {
            return 0;
        }
        let v = self.0[self.1 % self.0.len()];
        self.1 += 1;
        v
    }
}

/// Full jitter: `r / 2^32 × min(max_delay, base_delay × 2^index)`.
pub(crate) fn full_jitter(base: Duration, max: Duration, index: u32, r: u32) -> Duration {
    let factor = 1u128.checked_shl(index.min(64)).unwrap_or(u128::MAX);
    let ceiling = base.as_nanos().saturating_mul(factor).min(max.as_nanos());
    let nanos = ceiling.saturating_mul(u128::from(r)) >> 32;
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// A fresh seed from the standard library's per-process random hasher keys (each call builds
/// new keys, so successive seeds differ).
pub fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const B: Duration = Duration::from_millis(250);
    const M: Duration = Duration::from_secs(30);

    #[test]
    fn half_at_index_one_is_250ms() {
        assert_eq!(
            full_jitter(B, M, 1, 0x8000_0000),
            Duration::from_millis(250)
        );
        assert_eq!(full_jitter(B, M, 0, 0), Duration::ZERO);
        assert!(full_jitter(B, M, 2, u32::MAX) < Duration::from_millis(1000));
        assert!(full_jitter(B, M, 7, u32::MAX) < M);
        assert!(full_jitter(B, M, 6, u32::MAX) < Duration::from_millis(16_000));
    }

    proptest! {
        #[test]
        fn jitter_stays_within_cap(index in 0u32..200, r: u32, base_ms in 0u64..10_000, max_ms in 0u64..100_000) {
            let d = full_jitter(Duration::from_millis(base_ms), Duration::from_millis(max_ms), index, r);
            prop_assert!(d <= Duration::from_millis(max_ms));
        }
    }
}
