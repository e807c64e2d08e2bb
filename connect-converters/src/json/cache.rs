//! A bounded least-recently-used map (Apache's `LRUCache`), plus a one-entry front slot.
//!
//! JsonConverter keeps two: Connect schema → its JSON bytes, and a schema's JSON bytes →
//! Connect schema. Records of one topic nearly always share one schema, so the front slot
//! (compared by pointer or by bytes) answers most lookups without hashing.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// An LRU map holding at most `capacity` entries (0 keeps nothing).
#[derive(Debug)]
pub(crate) struct LruCache<K, V> {
    map: HashMap<K, (V, u64)>,
    capacity: usize,
    tick: u64,
}

impl<K: Hash + Eq + Clone, V: Clone> LruCache<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        LruCache {
            map: HashMap::new(),
            capacity,
            tick: 0,
        }
    }

    /// The value for `key`, marking it most recently used.
    pub(crate) fn get<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.tick += 1;
        let tick = self.tick;
        self.map.get_mut(key).map(|(v, used)| {
            *used = tick;
            v.clone()
        })
    }

    /// Inserts, evicting the least recently used entry when full.
    pub(crate) fn put(&mut self, key: K, value: V) {
        if self.capacity == 0 {
            return;
        }
        self.tick += 1;
        if self.map.len() >= self.capacity && !self.map.contains_key(&key) {
            // Eviction scans the map; it only happens when more distinct schemas than the
            // cache size are in use, which Apache's default size (1000) makes rare.
            let oldest = self
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.map.remove(&oldest);
            }
        }
        self.map.insert(key, (value, self.tick));
    }

    /// The number of entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_least_recently_used() {
        let mut c = LruCache::new(2);
        c.put("a", 1);
        c.put("b", 2);
        assert_eq!(c.get("a"), Some(1));
        c.put("c", 3);
        assert_eq!(c.get("b"), None);
        assert_eq!(c.get("a"), Some(1));
        assert_eq!(c.get("c"), Some(3));
        assert_eq!(c.len(), 2);
        let mut none = LruCache::new(0);
        none.put("a", 1);
        assert_eq!(none.get("a"), None);
    }
}
