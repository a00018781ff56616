//! Memory the engine gives back after a load.
//!
//! Rust's hash maps and deques keep the largest capacity they ever had. The engine's map of
//! active WfRuns holds each [`RunState`](super::RunState) inline (over a kilobyte each), so
//! a burst of 100,000 WfRuns in flight left ~130,000 slots allocated once they had finished:
//! over a hundred megabytes held by an empty map (issue 15 §2, "Memory after load": 237 MB
//! after a load of 32 clients, still 240 MB after the drain). After each batch, a map or
//! queue using less than an eighth of its capacity is shrunk to twice its length; shrinking
//! is linear in the length, and happens only after the length fell by a factor of eight, so
//! its cost is amortised over the removals that made it possible.

use super::Engine;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;

/// Below this capacity nothing is shrunk (not worth a reallocation).
const MIN_CAPACITY: usize = 256;

fn worth_shrinking(len: usize, capacity: usize) -> bool {
    capacity > MIN_CAPACITY && len.saturating_mul(8) < capacity
}

fn shrink_map<K: Eq + Hash, V>(m: &mut HashMap<K, V>) {
    if worth_shrinking(m.len(), m.capacity()) {
        m.shrink_to(m.len() * 2);
    }
}

fn shrink_set<K: Eq + Hash>(m: &mut HashSet<K>) {
    if worth_shrinking(m.len(), m.capacity()) {
        m.shrink_to(m.len() * 2);
    }
}

fn shrink_deque<T>(q: &mut VecDeque<T>) {
    if worth_shrinking(q.len(), q.capacity()) {
        q.shrink_to(q.len() * 2);
    }
}

impl Engine {
    /// Shrinks the engine's maps and queues that a load left mostly empty.
    pub(super) fn release_idle_capacity(&mut self) {
        shrink_map(&mut self.runs);
        shrink_set(&mut self.redeliver);
        for q in self.queues.values_mut() {
            shrink_deque(q);
        }
        for q in self.pollers.values_mut() {
            shrink_deque(q);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_emptied_after_a_load_gives_its_memory_back() {
        let mut m: HashMap<u64, [u8; 1024]> = (0..100_000).map(|i| (i, [0; 1024])).collect();
        let peak = m.capacity();
        m.retain(|k, _| *k < 10);
        assert!(m.capacity() > peak / 2, "retain keeps the capacity");
        shrink_map(&mut m);
        assert!(m.capacity() < 64, "{}", m.capacity());
        assert_eq!(m.len(), 10);
        // A map in use keeps its room.
        let mut busy: HashMap<u64, u8> = (0..1000).map(|i| (i, 0)).collect();
        let cap = busy.capacity();
        shrink_map(&mut busy);
        assert_eq!(busy.capacity(), cap);
        assert!(
            std::mem::size_of::<super::super::RunState>() > 512,
            "a RunState is large inline: {} bytes",
            std::mem::size_of::<super::super::RunState>()
        );
    }
}
