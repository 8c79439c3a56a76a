//! Fetching for [`Consumer`]: applying fetch results to partition buffers (an
//! OFFSET_OUT_OF_RANGE marks the partition for a policy reset, see [`super::reset`]), keeping
//! one fetch per leader in flight, and auto commit.
//!
//! It must not talk to the group protocol beyond committing and reading offsets.

use std::collections::BTreeMap;

use tokio::time::Instant;
use tracing::{debug, warn};

use super::fetcher::{spawn_fetch, DecodedFetch, FetchEvent, FetchResult, FetchTarget};
use super::state::Subscription;
use super::{Consumer, OffsetAndMetadata};
use crate::error::{ErrorKind, Result};
use crate::types::TopicPartition;

const OFFSET_OUT_OF_RANGE: i16 = ferrokafka_protocol::ErrorCode::OffsetOutOfRange.code();

impl Consumer {
    /// Applies what a fetch task reported (see [`FetchEvent`]).
    pub(crate) fn apply_fetch(&self, event: FetchEvent) -> Result<()> {
        match event {
            FetchEvent::Answered(r) => self.apply_answer(r),
            FetchEvent::Decoded(d) => {
                self.apply_decoded(d);
                Ok(())
            }
        }
    }

    /// Applies one fetch response: frees its broker for the next fetch, notes the ranges whose
    /// records are being decoded, skips over control/empty batches, handles
    /// OFFSET_OUT_OF_RANGE.
    fn apply_answer(&self, r: FetchResult) -> Result<()> {
        let mut st = self.state();
        st.inflight_brokers.remove(&r.broker);
        let mut lag_max = 0i64;
        for pf in r.partitions {
            let Some(p) = st.parts.get_mut(&pf.tp) else {
                continue;
            };
            p.fetching = false;
            if p.next_fetch_offset() != Some(pf.fetch_offset) {
                continue; // seeked or reset meanwhile: stale
            }
            match pf.result {
                Ok(a) => {
                    p.high_watermark = Some(a.high_watermark);
                    let next = a.next_offset.unwrap_or(pf.fetch_offset);
                    lag_max = lag_max.max(a.high_watermark - next);
                    if next > pf.fetch_offset {
                        p.expect_decoded(r.id, pf.fetch_offset, next, a.bytes);
                    }
                }
                Err(e) if e.code() == Some(OFFSET_OUT_OF_RANGE) => {
                    warn!(partition = %pf.tp, offset = pf.fetch_offset, "fetch offset out of range; resetting");
                    p.seek(None);
                    p.out_of_range = true;
                }
                Err(e) if e.is_retriable() => {
                    debug!(partition = %pf.tp, error = %e, "fetch failed; retrying")
                }
                Err(e) if e.kind() == ErrorKind::Authorization => return Err(e),
                Err(e) => warn!(partition = %pf.tp, error = %e, "fetch failed"),
            }
        }
        self.inner.metrics.set_lag_max(lag_max);
        Ok(())
    }

    /// Buffers the decoded records of a fetch, in offset order per partition.
    fn apply_decoded(&self, d: DecodedFetch) {
        let mut st = self.state();
        for (tp, records) in d.partitions {
            let Some(p) = st.parts.get_mut(&tp) else {
                continue;
            };
            if let Err(e) = p.on_decoded(d.id, records) {
                // Fetched again from the first offset of the failed range.
                warn!(partition = %tp, error = %e, "fetched records could not be decoded");
            }
        }
    }

    /// Sends a fetch to every leader that has fetchable partitions and none in flight.
    ///
    /// A partition is fetchable while less than `max.partition.fetch.bytes` of its records wait
    /// in the buffer or in the decoder, so the next records are on their way while the
    /// application works through the current ones (and while the decoder works on the last
    /// answer). A fetch made only of caught-up partitions (the broker would hold it for
    /// `fetch.max.wait.ms`) is not sent while another partition of that leader still has records
    /// to fetch: it would make that partition wait behind the long poll.
    pub(crate) fn send_fetches(&self) {
        let meta = self.inner.cluster.metadata();
        let limit = usize::try_from(self.inner.cfg.consumer.max_partition_fetch_bytes)
            .unwrap_or(usize::MAX)
            .max(1);
        // Per leader: the partitions to fetch, and whether one of them or a partition left out
        // for now has records the broker already holds.
        let mut by_leader: BTreeMap<i32, (Vec<FetchTarget>, bool, bool)> = BTreeMap::new();
        let mut st = self.state();
        let busy = st.inflight_brokers.clone();
        let mut missing_leader = false;
        for (tp, p) in st.parts.iter() {
            let Some(offset) = p.next_fetch_offset() else {
                continue;
            };
            if p.paused || p.fetching {
                continue;
            }
            let Some(leader) = meta.leader(&tp.topic, tp.partition) else {
                missing_leader = true;
                continue;
            };
            if busy.contains(&leader) {
                continue;
            }
            let entry = by_leader.entry(leader).or_default();
            if p.prefetched_bytes() >= limit {
                entry.2 |= p.has_unfetched();
                continue;
            }
            entry.1 |= p.has_unfetched();
            entry.0.push(FetchTarget {
                tp: tp.clone(),
                offset,
                leader_epoch: None,
            });
        }
        for (leader, (targets, has_data, waiting_has_data)) in by_leader {
            if targets.is_empty() || (!has_data && waiting_has_data) {
                continue;
            }
            for t in &targets {
                if let Some(p) = st.parts.get_mut(&t.tp) {
                    p.fetching = true;
                }
            }
            st.inflight_brokers.insert(leader);
            spawn_fetch(
                self.inner.cluster.clone(),
                self.inner.cfg.consumer.clone(),
                leader,
                targets,
                self.inner.results_tx.clone(),
                self.inner.metrics.clone(),
                self.inner.fetch_sessions.clone(),
            );
        }
        drop(st);
        if missing_leader {
            self.inner.cluster.request_refresh();
        }
    }

    /// Commits positions every `auto.commit.interval.ms` when `enable.auto.commit`.
    pub(crate) async fn maybe_auto_commit(&self) {
        let c = &self.inner.cfg.consumer;
        if !c.enable_auto_commit || self.inner.group.is_none() || self.joining() {
            return; // during a rebalance the generation is changing: commit after it
        }
        let due = {
            let mut st = self.state();
            if matches!(st.subscription, Subscription::None) {
                return;
            }
            let now = Instant::now();
            let last = *st.last_auto_commit.get_or_insert(now);
            if now.duration_since(last) >= c.auto_commit_interval {
                st.last_auto_commit = Some(now);
                true
            } else {
                false
            }
        };
        if due {
            let offsets: BTreeMap<TopicPartition, OffsetAndMetadata> = self
                .state()
                .positions()
                .into_iter()
                .map(|(tp, (o, e))| {
                    (
                        tp,
                        OffsetAndMetadata {
                            offset: o,
                            metadata: String::new(),
                            leader_epoch: e,
                        },
                    )
                })
                .collect();
            let me = self.clone();
            crate::runtime::spawn(async move {
                if let Err(e) = me.commit(offsets, me.api_deadline()).await {
                    warn!(error = %e, "auto commit failed");
                }
            });
        }
    }
}
