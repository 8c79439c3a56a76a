//! The rebalance callbacks an application registers with `subscribe_with_listener`.
//!
//! Owns the [`RebalanceListener`] trait only. Callbacks run on the task that called `poll`
//! (or `close`), before poll returns, like Java's `ConsumerRebalanceListener`.

use crate::types::TopicPartition;

/// Called when partitions move (Java's `ConsumerRebalanceListener`).
pub trait RebalanceListener: Send + Sync {
    /// Partitions newly given to this consumer (cooperative: only the added ones).
    fn on_partitions_assigned(&self, partitions: &[TopicPartition]);
    /// Partitions taken away in an orderly rebalance; commit their progress here.
    fn on_partitions_revoked(&self, partitions: &[TopicPartition]);
    /// Partitions that now belong to someone else already (session expired, fenced): do not
    /// commit them. Defaults to `on_partitions_revoked`, as in Java.
    fn on_partitions_lost(&self, partitions: &[TopicPartition]) {
        self.on_partitions_revoked(partitions);
    }
}
