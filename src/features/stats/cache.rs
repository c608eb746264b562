//! A small in-process cache of numbers computed from the database. Each value is stored with the
//! stamp the database showed in the snapshot it was computed in, and served only to a snapshot that
//! shows the same stamp, so a cached value is always what a fresh computation would give. The
//! database stays the only source: every process keeps its own cache and a miss recomputes.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, LazyLock, Mutex};

use sqlx::PgPool;

struct Entry<S, V> {
    stamp: S,
    value: Arc<V>,
    last_used: u64,
}

/// Values by key, the least recently used dropped beyond `capacity`.
pub(crate) struct StampedCache<K, S, V> {
    entries: HashMap<K, Entry<S, V>>,
    clock: u64,
    capacity: usize,
}

impl<K: Hash + Eq + Clone, S: PartialEq, V> StampedCache<K, S, V> {
    pub fn new(capacity: usize) -> Self {
        StampedCache {
            entries: HashMap::new(),
            clock: 0,
            capacity: capacity.max(1),
        }
    }

    /// The value stored under `key`, if it was computed under `stamp`.
    pub fn get(&mut self, key: &K, stamp: &S) -> Option<Arc<V>> {
        self.clock += 1;
        let now = self.clock;
        let entry = self.entries.get_mut(key).filter(|e| e.stamp == *stamp)?;
        entry.last_used = now;
        Some(entry.value.clone())
    }

    pub fn put(&mut self, key: K, stamp: S, value: Arc<V>) {
        self.clock += 1;
        let now = self.clock;
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(
            key,
            Entry {
                stamp,
                value,
                last_used: now,
            },
        );
    }
}

/// A cache shared by the whole process.
pub(crate) type Shared<K, S, V> = LazyLock<Mutex<StampedCache<K, S, V>>>;

/// Locks a cache; a panic elsewhere while holding it leaves nothing half-written worth refusing.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Which database `pool` reads (server and name), part of every key: tests and tools may reach
/// several databases from one process.
pub(crate) fn database_of(pool: &PgPool) -> String {
    let options = pool.connect_options();
    format!(
        "{}:{}:{:?}/{}",
        options.get_host(),
        options.get_port(),
        options.get_socket(),
        options.get_database().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_only_under_the_same_stamp_and_drops_the_least_recently_used() {
        let mut c: StampedCache<&str, u32, i64> = StampedCache::new(2);
        c.put("a", 1, Arc::new(10));
        assert_eq!(c.get(&"a", &1).as_deref(), Some(&10));
        assert_eq!(c.get(&"a", &2), None);
        c.put("b", 1, Arc::new(20));
        c.get(&"a", &1);
        c.put("c", 1, Arc::new(30));
        assert_eq!(c.get(&"b", &1), None);
        assert_eq!(c.get(&"a", &1).as_deref(), Some(&10));
        assert_eq!(c.get(&"c", &1).as_deref(), Some(&30));
    }
}
