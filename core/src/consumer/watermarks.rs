//! What the consumer knows of each assigned partition's end: the high watermark of its last
//! fetch response (kafkajs's `batch.highWatermark`, Java's `currentLag`). Read-only; no
//! requests are sent.

use super::Consumer;
use crate::types::TopicPartition;

impl Consumer {
    /// The high watermark the last fetch of `tp` reported, if `tp` is assigned and was fetched.
    pub fn high_watermark(&self, tp: &TopicPartition) -> Option<i64> {
        self.state().parts.get(tp).and_then(|p| p.high_watermark)
    }

    /// Java's `currentLag`: the last fetched high watermark minus the position, when the
    /// partition is assigned and both are known.
    pub fn current_lag(&self, tp: &TopicPartition) -> Option<i64> {
        let st = self.state();
        let p = st.parts.get(tp)?;
        Some(p.high_watermark? - p.position?)
    }
}
