//! Which offsets may be committed: per partition, everything below the lowest record still
//! in flight. Records are applied concurrently, so one that finishes early never lets the
//! commit pass one that has not finished (at-least-once, never at-most-once).

use std::collections::{BTreeMap, BTreeSet};

/// A topic and partition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
}

#[derive(Debug, Default)]
struct PartitionState {
    in_flight: BTreeSet<i64>,
    /// One past the highest offset started.
    next: i64,
    /// The last frontier handed out for storing.
    stored: i64,
}

/// In-flight offsets of every partition a task consumes.
#[derive(Debug, Default)]
pub struct OffsetTracker {
    partitions: BTreeMap<TopicPartition, PartitionState>,
}

impl OffsetTracker {
    /// A record was taken from the consumer and is being applied.
    pub fn start(&mut self, tp: &TopicPartition, offset: i64) {
        let st = self
            .partitions
            .entry(tp.clone())
            .or_insert_with(|| PartitionState {
                in_flight: BTreeSet::new(),
                next: offset,
                stored: offset,
            });
        st.in_flight.insert(offset);
        st.next = st.next.max(offset + 1);
    }

    /// A record was applied (or dead-lettered). Returns the offset to store (the next one
    /// to consume) when the committable frontier moved.
    pub fn finish(&mut self, tp: &TopicPartition, offset: i64) -> Option<i64> {
        let st = self.partitions.get_mut(tp)?;
        st.in_flight.remove(&offset);
        let frontier = st.in_flight.first().copied().unwrap_or(st.next);
        (frontier > st.stored).then(|| {
            st.stored = frontier;
            frontier
        })
    }

    /// Records still being applied.
    pub fn in_flight(&self) -> usize {
        self.partitions.values().map(|p| p.in_flight.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frontier_never_passes_an_unfinished_record() {
        let tp = TopicPartition {
            topic: "t".into(),
            partition: 0,
        };
        let mut t = OffsetTracker::default();
        for o in 10..13 {
            t.start(&tp, o);
        }
        assert_eq!(t.finish(&tp, 11), None);
        assert_eq!(t.finish(&tp, 12), None);
        assert_eq!(t.finish(&tp, 10), Some(13));
        assert_eq!(t.in_flight(), 0);
        t.start(&tp, 13);
        assert_eq!(t.finish(&tp, 13), Some(14));
    }
}
