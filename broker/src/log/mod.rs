//! Per-partition segmented log in Kafka's on-disk layout: record batches stored verbatim,
//! sparse offset and time indexes, roll, retention, crash recovery, idempotent producer state.
