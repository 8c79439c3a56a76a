//! Cheap, non-cryptographic randomness for jitter and sticky-partition choice.
//!
//! Owns a per-thread xorshift generator seeded from std's `RandomState`; it must never be used
//! for anything security-related.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

thread_local! {
    static STATE: Cell<u64> = Cell::new({
        let mut h = RandomState::new().build_hasher();
        h.write_u64(0x9e37_79b9_7f4a_7c15);
        h.finish() | 1
    });
}

/// A uniformly distributed `u64`.
pub fn next_u64() -> u64 {
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x
    })
}

/// A value in `0..n` (`n` must be non-zero; returns 0 for 0).
pub fn below(n: u64) -> u64 {
    if n == 0 {
        0
    } else {
        next_u64() % n
    }
}

/// A float in `[0, 1)`.
pub fn unit() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn below_stays_in_range_and_varies() {
        let vals: Vec<u64> = (0..1000).map(|_| super::below(7)).collect();
        assert!(vals.iter().all(|v| *v < 7));
        assert!((0..7).all(|k| vals.contains(&k)));
        let u = super::unit();
        assert!((0.0..1.0).contains(&u));
    }
}
