//! What a consumer knows about its partitions: subscription, assignment, positions, pause
//! flags, buffered records, fetched batches still being decoded and in-flight fetches.
//!
//! Owns [`State`], kept behind a std mutex that is never held across an await: async work
//! (fetching, joining, listing offsets) snapshots what it needs, awaits, then applies.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::sync::Arc;

use regex::Regex;
use tokio::time::Instant;

use super::listener::RebalanceListener;
use super::record::{ConsumerRecord, OffsetAndMetadata};
use crate::types::TopicPartition;

/// How partitions are chosen.
#[derive(Clone, Default)]
pub enum Subscription {
    #[default]
    None,
    Topics(BTreeSet<String>),
    Pattern(Regex),
    /// `assign()`: fixed partitions, no group membership.
    Manual,
}

/// One assigned partition.
#[derive(Debug, Default)]
pub struct PartState {
    /// The next offset to hand out; `None` until reset from the committed offset or policy.
    pub position: Option<i64>,
    pub leader_epoch: Option<i32>,
    pub paused: bool,
    /// The last fetch hit OFFSET_OUT_OF_RANGE: reset by policy, not from the committed offset.
    pub out_of_range: bool,
    pub buffer: VecDeque<ConsumerRecord>,
    /// Approximate memory held by `buffer` (see [`approx_size`]); bounds prefetching.
    pub buffered_bytes: usize,
    /// Where the next fetch starts once records were fetched past `position`: the offset after
    /// the last batch seen. `None`: from `position`.
    pub fetch_offset: Option<i64>,
    /// The high watermark of the last fetch response, once one arrived.
    pub high_watermark: Option<i64>,
    pub fetching: bool,
    /// Fetched ranges whose records are still being decoded, in offset order: each starts where
    /// the previous one (or the buffer) ends. The next fetch starts after the last of them.
    pub decoding: VecDeque<Decoding>,
}

/// One fetch's records of a partition on their way from the decoder to the buffer.
#[derive(Debug)]
pub struct Decoding {
    /// The fetch they came with (see `fetcher::FetchResult::id`).
    pub fetch_id: u64,
    /// The offset after the range (it starts where the previous range, or the buffer, ends).
    pub next: i64,
    /// Their size as fetched, counted against `max.partition.fetch.bytes` until buffered.
    pub bytes: usize,
    /// The decoder's outcome, once it arrived (possibly before an earlier range's).
    pub done: Option<crate::error::Result<Vec<ConsumerRecord>>>,
}

impl PartState {
    /// The offset the next fetch of this partition starts at.
    pub fn next_fetch_offset(&self) -> Option<i64> {
        match self.decoding.back() {
            Some(d) => Some(d.next),
            None => self.fetch_offset.or(self.position),
        }
    }

    /// Bytes fetched and not yet handed out: buffered records plus ranges being decoded.
    pub fn prefetched_bytes(&self) -> usize {
        self.buffered_bytes + self.decoding.iter().map(|d| d.bytes).sum::<usize>()
    }

    /// Records `[from, next)` of fetch `fetch_id` are being decoded; `from` must be
    /// [`next_fetch_offset`](Self::next_fetch_offset).
    pub fn expect_decoded(&mut self, fetch_id: u64, from: i64, next: i64, bytes: usize) {
        debug_assert_eq!(
            self.next_fetch_offset(),
            Some(from),
            "ranges must be contiguous"
        );
        self.decoding.push_back(Decoding {
            fetch_id,
            next,
            bytes,
            done: None,
        });
    }

    /// The decoder's outcome for fetch `fetch_id`: buffers every range that is now complete,
    /// in offset order. A decoding error drops that range and every later one, so the next
    /// fetch starts again at its first offset; the error is returned. Outcomes of fetches this
    /// partition no longer waits for (a seek, a reset, an earlier error) are ignored.
    pub fn on_decoded(
        &mut self,
        fetch_id: u64,
        outcome: crate::error::Result<Vec<ConsumerRecord>>,
    ) -> crate::error::Result<()> {
        let Some(slot) = self.decoding.iter_mut().find(|d| d.fetch_id == fetch_id) else {
            return Ok(());
        };
        slot.done = Some(outcome);
        while self.decoding.front().is_some_and(|d| d.done.is_some()) {
            let Some(Decoding {
                next,
                done: Some(done),
                ..
            }) = self.decoding.pop_front()
            else {
                break;
            };
            match done {
                Ok(records) if records.is_empty() && self.buffer.is_empty() => {
                    // Only control or compacted-away batches: skip past them.
                    self.position = Some(next);
                    self.fetch_offset = None;
                }
                Ok(records) => self.buffer_records(records, next),
                Err(e) => {
                    self.decoding.clear();
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Whether the broker is known to hold records this consumer has not fetched yet.
    pub fn has_unfetched(&self) -> bool {
        match (self.next_fetch_offset(), self.high_watermark) {
            (Some(at), Some(hw)) => at < hw,
            _ => true,
        }
    }

    /// Moves to `offset`, dropping what was fetched from the old position.
    pub fn seek(&mut self, offset: Option<i64>) {
        self.position = offset;
        self.out_of_range = false;
        self.clear_buffer();
    }

    /// Drops buffered records and ranges being decoded; the next fetch starts at `position`.
    pub fn clear_buffer(&mut self) {
        self.buffer.clear();
        self.buffered_bytes = 0;
        self.fetch_offset = None;
        self.decoding.clear();
    }

    /// Appends fetched records; the next fetch starts at `next`.
    pub fn buffer_records(&mut self, records: Vec<ConsumerRecord>, next: i64) {
        self.buffered_bytes += records.iter().map(approx_size).sum::<usize>();
        if self.buffer.is_empty() {
            // Takes over the vector's allocation: no copy of the records.
            self.buffer = records.into();
        } else {
            self.buffer.extend(records);
        }
        self.fetch_offset = Some(next);
    }

    /// Takes buffered records into `out` until it holds `max` or `budget` (approximate bytes,
    /// see [`approx_size`]) is spent, advancing the position; once the buffer is empty the
    /// position moves past skipped batches (control or compacted) too. The record that crosses
    /// the budget is still taken, so a record larger than the budget is never stuck.
    fn take_into(&mut self, out: &mut Vec<ConsumerRecord>, max: usize, budget: &mut usize) {
        // Buffered offsets ascend, so records before the position (already handed out) are a
        // prefix: dropped without counting against `max` or the budget.
        if let Some(pos) = self.position {
            let stale = self.buffer.partition_point(|r| r.offset < pos);
            if stale > 0 {
                let freed: usize = self.buffer.drain(..stale).map(|r| approx_size(&r)).sum();
                self.buffered_bytes = self.buffered_bytes.saturating_sub(freed);
            }
        }
        let mut take = 0;
        let mut spent = 0;
        for r in self.buffer.iter().take(max.saturating_sub(out.len())) {
            if *budget == 0 {
                break;
            }
            let size = approx_size(r);
            *budget = budget.saturating_sub(size);
            spent += size;
            take += 1;
            self.position = Some(r.offset + 1);
            if r.leader_epoch.is_some() {
                self.leader_epoch = r.leader_epoch;
            }
        }
        self.buffered_bytes = self.buffered_bytes.saturating_sub(spent);
        if out.is_empty() && take == self.buffer.len() {
            // The whole buffer: hand over its allocation instead of moving each record.
            *out = Vec::from(std::mem::take(&mut self.buffer));
        } else {
            out.extend(self.buffer.drain(..take));
        }
        if self.buffer.is_empty() {
            self.buffered_bytes = 0;
            if let Some(next) = self.fetch_offset.take() {
                if self.position.is_some_and(|pos| next > pos) {
                    self.position = Some(next);
                }
            }
        }
    }
}

/// Memory a buffered record holds: key, value and headers plus the record itself.
pub fn approx_size(r: &ConsumerRecord) -> usize {
    let len = |b: &Option<bytes::Bytes>| b.as_ref().map_or(0, |b| b.len());
    let headers: usize = r.headers.iter().map(|(k, v)| k.len() + len(v) + 32).sum();
    std::mem::size_of::<ConsumerRecord>() + r.topic.len() + len(&r.key) + len(&r.value) + headers
}

/// Everything mutable of one consumer.
#[derive(Default)]
pub struct State {
    pub subscription: Subscription,
    /// Topics the current subscription resolves to.
    pub topics: BTreeSet<String>,
    pub parts: BTreeMap<TopicPartition, PartState>,
    pub inflight_brokers: HashSet<i32>,
    pub listener: Option<Arc<dyn RebalanceListener>>,
    pub last_auto_commit: Option<Instant>,
    pub pattern_checked: Option<Instant>,
    /// After a failed pattern lookup: not before this instant again.
    pub pattern_retry_at: Option<Instant>,
    /// After a failed position lookup: not before this instant again.
    pub reset_retry_at: Option<Instant>,
    pub closed: bool,
    /// Auto-commit positions of partitions revoked cooperatively, committed before rejoining.
    pub revoke_commit: BTreeMap<TopicPartition, OffsetAndMetadata>,
    /// The partition the last poll took records from: the next poll starts after it, so a
    /// partition that always has records buffered cannot starve the others.
    pub last_taken: Option<TopicPartition>,
}

impl State {
    /// The assigned partitions.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.parts.keys().cloned().collect()
    }

    /// Positions of every partition that has one, for committing.
    pub fn positions(&self) -> BTreeMap<TopicPartition, (i64, Option<i32>)> {
        self.parts
            .iter()
            .filter_map(|(tp, p)| p.position.map(|o| (tp.clone(), (o, p.leader_epoch))))
            .collect()
    }

    /// Adds partitions with no position yet.
    pub fn add(&mut self, parts: &[TopicPartition]) {
        for tp in parts {
            self.parts.entry(tp.clone()).or_default();
        }
    }

    /// Removes partitions (and their buffered records).
    pub fn remove(&mut self, parts: &[TopicPartition]) {
        for tp in parts {
            self.parts.remove(tp);
        }
    }

    /// Takes up to `max` buffered records of unpaused partitions, advancing positions. Starts
    /// with the partition after the one the previous call ended on (round robin).
    pub fn take_records(&mut self, max: usize) -> Vec<ConsumerRecord> {
        self.take_records_within(max, usize::MAX)
    }

    /// [`take_records`](Self::take_records), stopping once about `max_bytes` (as counted by
    /// [`approx_size`]) were taken; at least one record when any is buffered.
    pub fn take_records_within(&mut self, max: usize, max_bytes: usize) -> Vec<ConsumerRecord> {
        use std::ops::Bound::{Excluded, Unbounded};
        let ready = |(tp, p): (&TopicPartition, &PartState)| {
            (!p.paused && !p.buffer.is_empty()).then(|| tp.clone())
        };
        let order: Vec<TopicPartition> = match &self.last_taken {
            Some(last) => self
                .parts
                .range::<TopicPartition, _>((Excluded(last), Unbounded))
                .chain(self.parts.range::<TopicPartition, _>(..=last))
                .filter_map(ready)
                .collect(),
            None => self.parts.iter().filter_map(ready).collect(),
        };
        // No capacity up front: a poll that takes one partition's whole buffer takes its vector.
        let mut out = Vec::new();
        let mut budget = max_bytes.max(1);
        for tp in order {
            if out.len() >= max || budget == 0 {
                break;
            }
            if let Some(p) = self.parts.get_mut(&tp) {
                p.take_into(&mut out, max, &mut budget);
                self.last_taken = Some(tp);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consumer::record::TimestampType;

    fn rec(partition: i32, offset: i64) -> ConsumerRecord {
        ConsumerRecord {
            topic: "t".into(),
            partition,
            offset,
            timestamp: 0,
            timestamp_type: TimestampType::CreateTime,
            key: None,
            value: Some(bytes::Bytes::from(vec![0u8; 100])),
            headers: Vec::new(),
            leader_epoch: None,
            batch: std::sync::Arc::new(
                crate::protocol::BatchHeader::parse(&[0u8; 61])
                    .expect("a header's worth of bytes parses"),
            ),
        }
    }

    fn state_with(parts: &[(i32, std::ops::Range<i64>, i64)]) -> State {
        let mut st = State::default();
        for (p, offsets, next) in parts {
            let tp = TopicPartition::new("t", *p);
            st.add(std::slice::from_ref(&tp));
            let ps = st.parts.get_mut(&tp).unwrap();
            ps.position = Some(offsets.start);
            ps.buffer_records(offsets.clone().map(|o| rec(*p, o)).collect(), *next);
        }
        st
    }

    #[test]
    fn polls_rotate_over_partitions_that_keep_records_buffered() {
        let mut st = state_with(&[(0, 0..10, 10), (1, 0..10, 10), (2, 0..10, 10)]);
        let served: Vec<i32> = (0..4)
            .map(|_| {
                let rs = st.take_records(3);
                assert_eq!(rs.len(), 3);
                assert!(rs.iter().all(|r| r.partition == rs[0].partition));
                rs[0].partition
            })
            .collect();
        assert_eq!(served, vec![0, 1, 2, 0], "no partition starves another");
        let p0 = &st.parts[&TopicPartition::new("t", 0)];
        assert_eq!(p0.position, Some(6));
        assert_eq!(
            p0.next_fetch_offset(),
            Some(10),
            "prefetch continues after the buffer"
        );
    }

    #[test]
    fn draining_moves_position_past_skipped_batches_and_frees_the_budget() {
        // Records 0..5 buffered, but the fetch saw batches up to offset 8 (e.g. control batches).
        let mut st = state_with(&[(0, 0..5, 8)]);
        let tp = TopicPartition::new("t", 0);
        assert!(st.parts[&tp].buffered_bytes >= 5 * 100);
        assert_eq!(st.take_records(100).len(), 5);
        let p = &st.parts[&tp];
        assert_eq!(p.position, Some(8));
        assert_eq!(p.fetch_offset, None);
        assert_eq!(p.buffered_bytes, 0);
    }

    #[test]
    fn a_byte_budget_bounds_a_take_but_always_takes_one_record() {
        let mut st = state_with(&[(0, 0..10, 10)]);
        let one = approx_size(&rec(0, 0));
        let rs = st.take_records_within(100, 3 * one);
        assert_eq!(
            rs.iter().map(|r| r.offset).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert_eq!(
            st.take_records_within(100, 1).len(),
            1,
            "a budget below one record still takes one"
        );
        assert_eq!(st.take_records_within(100, usize::MAX).len(), 6);
        assert_eq!(st.parts[&TopicPartition::new("t", 0)].position, Some(10));
    }

    #[test]
    fn records_before_the_position_are_skipped_without_counting_against_max() {
        // A fetch that started before the position (e.g. a batch boundary) buffered 0..10.
        let mut st = state_with(&[(0, 0..10, 10)]);
        let tp = TopicPartition::new("t", 0);
        st.parts.get_mut(&tp).unwrap().position = Some(4);
        let rs = st.take_records(3);
        assert_eq!(
            rs.iter().map(|r| r.offset).collect::<Vec<_>>(),
            vec![4, 5, 6]
        );
        let rest = st.take_records(100);
        assert_eq!(
            rest.iter().map(|r| r.offset).collect::<Vec<_>>(),
            vec![7, 8, 9]
        );
        let p = &st.parts[&tp];
        assert_eq!((p.position, p.buffered_bytes), (Some(10), 0));
        assert!(p.buffer.is_empty());
    }

    #[test]
    fn seek_drops_prefetched_records() {
        let mut st = state_with(&[(0, 0..5, 5)]);
        let tp = TopicPartition::new("t", 0);
        st.parts.get_mut(&tp).unwrap().seek(Some(2));
        let p = &st.parts[&tp];
        assert_eq!((p.position, p.next_fetch_offset()), (Some(2), Some(2)));
        assert!(p.buffer.is_empty() && p.buffered_bytes == 0);
        assert!(st.take_records(10).is_empty());
    }

    #[test]
    fn unknown_high_watermark_counts_as_unfetched() {
        let mut p = PartState {
            position: Some(5),
            ..PartState::default()
        };
        assert!(p.has_unfetched());
        p.high_watermark = Some(5);
        assert!(!p.has_unfetched());
        p.high_watermark = Some(9);
        assert!(p.has_unfetched());
    }

    fn recs(range: std::ops::Range<i64>) -> crate::error::Result<Vec<ConsumerRecord>> {
        Ok(range.map(|o| rec(0, o)).collect())
    }

    fn fresh(position: i64) -> PartState {
        PartState {
            position: Some(position),
            ..PartState::default()
        }
    }

    #[test]
    fn decoded_ranges_are_buffered_in_offset_order_whatever_order_they_arrive_in() {
        let mut p = fresh(0);
        p.expect_decoded(1, 0, 10, 1000);
        assert_eq!(
            p.next_fetch_offset(),
            Some(10),
            "the next fetch need not wait"
        );
        p.expect_decoded(2, 10, 20, 1000);
        assert_eq!(p.prefetched_bytes(), 2000);
        p.on_decoded(2, recs(10..20)).unwrap();
        assert!(p.buffer.is_empty(), "range 2 waits for range 1");
        p.on_decoded(1, recs(0..10)).unwrap();
        let offsets: Vec<i64> = p.buffer.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, (0..20).collect::<Vec<_>>());
        assert!(p.decoding.is_empty());
        assert_eq!(p.next_fetch_offset(), Some(20));
        assert_eq!(p.prefetched_bytes(), p.buffered_bytes);
    }

    #[test]
    fn a_decoding_error_drops_later_ranges_and_fetches_again_from_its_start() {
        let mut p = fresh(0);
        p.buffer_records(recs(0..5).unwrap(), 5);
        p.expect_decoded(1, 5, 10, 500);
        p.expect_decoded(2, 10, 20, 1000);
        p.on_decoded(2, recs(10..20)).unwrap();
        let e = crate::error::Error::protocol("t-0 at offset 5: CRC-32C mismatch");
        assert!(p.on_decoded(1, Err(e)).is_err());
        assert!(p.decoding.is_empty());
        assert_eq!(p.buffer.len(), 5, "records before the bad range stay");
        assert_eq!(p.next_fetch_offset(), Some(5));
        // The second fetch's outcome, arriving late, is ignored.
        p.on_decoded(2, recs(10..20)).unwrap();
        assert_eq!(p.buffer.len(), 5);
    }

    #[test]
    fn a_seek_ignores_records_decoded_for_the_old_position_even_at_the_same_offset() {
        let mut p = fresh(5);
        p.expect_decoded(1, 5, 10, 500);
        p.seek(Some(5));
        assert_eq!(p.next_fetch_offset(), Some(5));
        p.expect_decoded(3, 5, 12, 700);
        p.on_decoded(1, recs(5..10)).unwrap();
        assert!(p.buffer.is_empty(), "fetch 1 was dropped by the seek");
        p.on_decoded(3, recs(5..12)).unwrap();
        assert_eq!(p.buffer.len(), 7);
        assert_eq!(p.next_fetch_offset(), Some(12));
    }

    #[test]
    fn a_range_of_control_batches_only_moves_the_position() {
        let mut p = fresh(3);
        p.expect_decoded(1, 3, 9, 200);
        p.on_decoded(1, Ok(Vec::new())).unwrap();
        assert_eq!((p.position, p.next_fetch_offset()), (Some(9), Some(9)));
        assert_eq!(p.prefetched_bytes(), 0);
    }
}
