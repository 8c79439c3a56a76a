//! The producer: partitioner → accumulator → sender → delivery results.

pub mod accumulator;
pub mod batch;
pub mod memory;
pub mod record;

pub use record::{DeliveryFuture, ProducerRecord, RecordHeader, RecordMetadata};
