//! Maps and sets keyed by fingerprints. A fingerprint is already a hash of
//! its text or URL (xxh3, see [`super::prints::text_key`]), evenly spread
//! over 64 bits, so it serves as its own hash: hashing it again with the
//! standard library's SipHash only costs time.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher that passes a `u64` key through as its own hash.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    /// Other keys than `u64`s (never used for fingerprints) still hash:
    /// each byte is folded in.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map from fingerprints.
pub type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// A set of fingerprints.
pub type KeySet = HashSet<u64, BuildHasherDefault<KeyHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_its_own_hash_and_sets_work() {
        use std::hash::BuildHasher;
        let b = BuildHasherDefault::<KeyHasher>::default();
        assert_eq!(b.hash_one(0x1234_5678_9abc_def0_u64), 0x1234_5678_9abc_def0);
        let set: KeySet = [1u64, 2, 3, 2].into_iter().collect();
        assert_eq!(set.len(), 3);
        assert!(set.contains(&3) && !set.contains(&4));
    }
}
