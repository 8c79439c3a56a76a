//! Positions and fetching for [`Consumer`]: resetting unknown positions (committed offset,
//! else `auto.offset.reset`), applying fetch results to partition buffers, keeping one fetch
//! per leader in flight, and auto commit.
//!
//! It must not talk to the group protocol beyond committing and reading offsets.

use std::collections::{BTreeMap, HashMap};

use tokio::time::Instant;
use tracing::{debug, warn};

use super::fetcher::{spawn_fetch, FetchResult, FetchTarget};
use super::offsets::{self, list_offsets};
use super::state::Subscription;
use super::{group, Consumer, OffsetAndMetadata};
use crate::config::OffsetReset;
use crate::error::{Error, ErrorKind, Result};
use crate::types::TopicPartition;

const OFFSET_OUT_OF_RANGE: i16 = 1;

impl Consumer {
    /// Gives every assigned partition without a position one.
    pub(crate) async fn reset_positions(&self, deadline: Instant) -> Result<()> {
        let (need_committed, need_policy): (Vec<TopicPartition>, Vec<TopicPartition>) = {
            let st = self.state();
            let missing: Vec<(TopicPartition, bool)> = st
                .parts
                .iter()
                .filter(|(_, p)| p.position.is_none())
                .map(|(tp, p)| (tp.clone(), p.out_of_range))
                .collect();
            let (oor, fresh): (Vec<_>, Vec<_>) = missing.into_iter().partition(|(_, o)| *o);
            (
                fresh.into_iter().map(|(t, _)| t).collect(),
                oor.into_iter().map(|(t, _)| t).collect(),
            )
        };
        if need_committed.is_empty() && need_policy.is_empty() {
            return Ok(());
        }
        let mut by_policy = need_policy;
        if !need_committed.is_empty() {
            let committed = match &self.inner.group {
                Some(g) => {
                    group::fetch_committed(
                        &self.inner.cluster,
                        &g.group_id,
                        Some(&need_committed),
                        deadline,
                        Some(&g.state),
                    )
                    .await?
                }
                None => HashMap::new(),
            };
            let mut st = self.state();
            for tp in need_committed {
                match committed.get(&tp) {
                    Some(om) => {
                        if let Some(p) = st.parts.get_mut(&tp) {
                            if p.position.is_none() {
                                p.position = Some(om.offset);
                                p.leader_epoch = om.leader_epoch;
                            }
                        }
                    }
                    None => by_policy.push(tp),
                }
            }
        }
        if by_policy.is_empty() {
            return Ok(());
        }
        let spec = match self.inner.cfg.consumer.auto_offset_reset {
            OffsetReset::Earliest => offsets::EARLIEST,
            OffsetReset::Latest => offsets::LATEST,
            OffsetReset::None => {
                let names: Vec<String> = by_policy.iter().map(ToString::to_string).collect();
                return Err(Error::new(
                    ErrorKind::OffsetOutOfRange,
                    format!(
                        "no valid offset for partitions {} and auto.offset.reset=none; seek to an offset or set \
                         auto.offset.reset to earliest or latest",
                        names.join(", ")
                    ),
                ));
            }
        };
        let q: BTreeMap<TopicPartition, i64> =
            by_policy.iter().map(|tp| (tp.clone(), spec)).collect();
        let found = list_offsets(&self.inner.cluster, &q, self.isolation(), deadline).await?;
        let mut st = self.state();
        for (tp, o) in found {
            if let Some(p) = st.parts.get_mut(&tp) {
                if p.position.is_none() {
                    debug!(partition = %tp, offset = o.offset, "position reset by auto.offset.reset");
                    p.position = Some(o.offset);
                    p.out_of_range = false;
                }
            }
        }
        Ok(())
    }

    /// Applies one fetch response: buffers records, skips over control/empty batches, handles
    /// OFFSET_OUT_OF_RANGE.
    pub(crate) fn apply_fetch(&self, r: FetchResult) -> Result<()> {
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
                Ok(d) => {
                    p.high_watermark = Some(d.high_watermark);
                    let last = d.records.last().map(|r| r.offset + 1);
                    let next = last.max(d.next_offset);
                    lag_max = lag_max.max(d.high_watermark - next.unwrap_or(pf.fetch_offset));
                    match next.filter(|n| *n > pf.fetch_offset) {
                        None => {}
                        Some(n) if d.records.is_empty() && p.buffer.is_empty() => {
                            // Only control or compacted-away batches: skip past them.
                            p.position = Some(n);
                            p.fetch_offset = None;
                        }
                        Some(n) => p.buffer_records(d.records, n),
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

    /// Sends a fetch to every leader that has fetchable partitions and none in flight.
    ///
    /// A partition is fetchable while less than `max.partition.fetch.bytes` of its records wait
    /// in the buffer, so the next records are on their way while the application works through
    /// the current ones. A fetch made only of caught-up partitions (the broker would hold it for
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
            if p.buffered_bytes >= limit {
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
                if let Err(e) = me
                    .commit(offsets, Instant::now() + super::DEFAULT_API_TIMEOUT)
                    .await
                {
                    warn!(error = %e, "auto commit failed");
                }
            });
        }
    }
}
