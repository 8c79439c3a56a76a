//! Committed offsets: OffsetCommit (simple/admin and member commits with Kafka 4.x validation),
//! OffsetFetch (one group per call) and OffsetDelete. Every accepted change is written to the
//! state files before the answer is built.

use ferrokafka_protocol::ErrorCode;
use tokio::time::Instant;

use super::group::{CommittedOffset, Group, GroupState};
use super::store::{OffsetEntry, Record};
use super::types::{GroupOffsets, OffsetCommit, PartitionOffset, PartitionResults, TopicOffsets};
use super::{lock_group, ms, now_ms, GroupCoordinator};

impl GroupCoordinator {
    /// OffsetCommit: one result per requested partition, in request order (a group-wide error
    /// is every partition's result).
    pub async fn offset_commit(&self, req: &OffsetCommit) -> PartitionResults {
        self.ensure_started();
        let (group_error, codes) = self.commit_and_validate(req);
        match group_error {
            Some(e) => codes
                .into_iter()
                .map(|t| t.into_iter().map(|_| Some(e)).collect())
                .collect(),
            None => codes,
        }
    }

    /// Returns a group-wide error, or per-topic, per-partition results.
    fn commit_and_validate(&self, req: &OffsetCommit) -> (Option<ErrorCode>, PartitionResults) {
        let empty_codes: PartitionResults = req
            .topics
            .iter()
            .map(|t| vec![None; t.partitions.len()])
            .collect();
        if self.is_shut_down() {
            return (Some(ErrorCode::CoordinatorNotAvailable), empty_codes);
        }
        let group_id = req.group_id.as_str();
        let generation = req.generation_id;
        let member_id = req.member_id.as_str();
        let instance_id = req.instance_id.as_deref();
        let mut attempts = 0;
        let arc = loop {
            let arc = match self.find_group(group_id) {
                Some(g) => g,
                None if generation < 0 => self.find_or_create_group(group_id).0,
                None if req.unknown_group_not_found => {
                    return (Some(ErrorCode::GroupIdNotFound), empty_codes)
                }
                None => return (Some(ErrorCode::IllegalGeneration), empty_codes),
            };
            // An empty group removed by housekeeping a moment ago: look it up (create) again.
            if generation < 0 && attempts < 3 && lock_group(&arc).is(GroupState::Dead) {
                attempts += 1;
                continue;
            }
            break arc;
        };
        let mut g = lock_group(&arc);
        if let Err(e) = validate_commit(&g, member_id, instance_id, generation) {
            return (Some(e), empty_codes);
        }
        let now = now_ms();
        let max_meta = self.config().offset_metadata_max_bytes;
        let mut entries = Vec::new();
        let mut codes = Vec::with_capacity(req.topics.len());
        for t in &req.topics {
            let mut tcodes = Vec::with_capacity(t.partitions.len());
            for p in &t.partitions {
                let metadata = p.metadata.clone().unwrap_or_default();
                let code = if !self.topics.partition_exists(&t.name, p.partition) {
                    Some(ErrorCode::UnknownTopicOrPartition)
                } else if metadata.len() > max_meta {
                    Some(ErrorCode::OffsetMetadataTooLarge)
                } else {
                    entries.push(OffsetEntry {
                        topic: t.name.clone(),
                        partition: p.partition,
                        offset: p.offset,
                        leader_epoch: p.leader_epoch,
                        metadata: Some(metadata),
                        commit_ts: now,
                    });
                    None
                };
                tcodes.push(code);
            }
            codes.push(tcodes);
        }
        if !entries.is_empty() {
            let record = Record::Offsets {
                group: g.id.clone(),
                entries,
            };
            if let Err(e) = self.persist(&g.id, &record) {
                let code = e.error_code();
                for c in codes.iter_mut().flatten() {
                    if c.is_none() {
                        *c = Some(code);
                    }
                }
                return (None, codes);
            }
            if let Record::Offsets { entries, .. } = &record {
                g.apply_offsets(entries);
            }
        }
        // A commit from a member counts as a sign of life, as in Kafka.
        if let Some(m) = g.members.get_mut(member_id) {
            m.heartbeat_deadline = Instant::now() + ms(m.session_timeout_ms);
        }
        (None, codes)
    }

    /// OffsetFetch of one group: all its committed offsets (`wanted` = None, by topic and
    /// partition) or the listed partitions (offset -1 when none is committed).
    pub async fn offset_fetch(
        &self,
        group_id: &str,
        wanted: Option<Vec<(String, Vec<i32>)>>,
    ) -> GroupOffsets {
        self.ensure_started();
        self.fetch_group(group_id, wanted)
    }

    /// Offsets of one group: all committed ones (`wanted` = None) or the listed partitions
    /// (-1 when not committed). Returns the group error code and the topics.
    fn fetch_group(&self, group_id: &str, wanted: Option<Vec<(String, Vec<i32>)>>) -> GroupOffsets {
        let failed = |e: ErrorCode| GroupOffsets {
            error: Some(e),
            topics: Vec::new(),
        };
        if self.is_shut_down() {
            return failed(ErrorCode::CoordinatorNotAvailable);
        }
        let group = self.find_group(group_id);
        let guard = group.as_ref().map(lock_group);
        if guard.as_ref().is_some_and(|g| g.is(GroupState::Dead)) {
            return failed(ErrorCode::GroupIdNotFound);
        }
        let lookup = |t: &str, p: i32| -> PartitionOffset {
            match guard
                .as_ref()
                .and_then(|g| g.offsets.get(&(t.to_string(), p)))
            {
                Some(c) => fetched(p, c),
                None => PartitionOffset {
                    partition: p,
                    offset: -1,
                    leader_epoch: -1,
                    metadata: String::new(),
                },
            }
        };
        match wanted {
            Some(topics) => {
                let out = topics
                    .iter()
                    .map(|(t, parts)| TopicOffsets {
                        name: t.clone(),
                        partitions: parts.iter().map(|p| lookup(t, *p)).collect(),
                    })
                    .collect();
                GroupOffsets {
                    error: None,
                    topics: out,
                }
            }
            None => {
                let mut out: Vec<TopicOffsets> = Vec::new();
                if let Some(g) = guard.as_ref() {
                    for ((t, p), c) in &g.offsets {
                        match out.last_mut() {
                            Some(last) if &last.name == t => last.partitions.push(fetched(*p, c)),
                            _ => out.push(TopicOffsets {
                                name: t.clone(),
                                partitions: vec![fetched(*p, c)],
                            }),
                        }
                    }
                }
                GroupOffsets {
                    error: None,
                    topics: out,
                }
            }
        }
    }

    /// OffsetDelete: removes the listed (topic, partitions) of `group_id`; a group-wide
    /// error, or one result per requested partition in request order.
    pub async fn offset_delete(
        &self,
        group_id: &str,
        topics: &[(String, Vec<i32>)],
    ) -> Result<PartitionResults, ErrorCode> {
        self.ensure_started();
        self.delete_offsets(group_id, topics)
    }

    fn delete_offsets(
        &self,
        group_id: &str,
        topics: &[(String, Vec<i32>)],
    ) -> Result<PartitionResults, ErrorCode> {
        if self.is_shut_down() {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        let arc = self
            .find_group(group_id)
            .ok_or(ErrorCode::GroupIdNotFound)?;
        let mut g = lock_group(&arc);
        match g.state {
            GroupState::Dead => return Err(ErrorCode::GroupIdNotFound),
            GroupState::Stable
            | GroupState::PreparingRebalance
            | GroupState::CompletingRebalance
                if g.protocol_type.as_deref() != Some("consumer") =>
            {
                return Err(ErrorCode::NonEmptyGroup)
            }
            _ => {}
        }
        let mut removed = Vec::new();
        let mut codes = Vec::new();
        for (name, partitions) in topics {
            let is_subscribed = g.is_subscribed_to(name);
            let tcodes = partitions
                .iter()
                .map(|&p| {
                    if !self.topics.partition_exists(name, p) {
                        Some(ErrorCode::UnknownTopicOrPartition)
                    } else if is_subscribed {
                        Some(ErrorCode::GroupSubscribedToTopic)
                    } else {
                        if g.offsets.contains_key(&(name.clone(), p)) {
                            removed.push((name.clone(), p));
                        }
                        None
                    }
                })
                .collect();
            codes.push(tcodes);
        }
        if !removed.is_empty() {
            self.remove_offsets(&mut g, removed)
                .map_err(|e| e.error_code())?;
        }
        Ok(codes)
    }

    /// Durably removes offsets of the locked group.
    pub(crate) fn remove_offsets(
        &self,
        g: &mut Group,
        partitions: Vec<(String, i32)>,
    ) -> Result<(), super::CoordinatorError> {
        let record = Record::OffsetTombstones {
            group: g.id.clone(),
            partitions,
        };
        self.persist(&g.id, &record)?;
        if let Record::OffsetTombstones { partitions, .. } = record {
            for k in partitions {
                g.offsets.remove(&k);
            }
        }
        Ok(())
    }
}

fn fetched(p: i32, c: &CommittedOffset) -> PartitionOffset {
    PartitionOffset {
        partition: p,
        offset: c.offset,
        leader_epoch: c.leader_epoch,
        metadata: c.metadata.clone().unwrap_or_default(),
    }
}

/// Kafka 4.x ClassicGroup.validateOffsetCommit.
fn validate_commit(
    g: &Group,
    member_id: &str,
    instance_id: Option<&str>,
    generation: i32,
) -> Result<(), ErrorCode> {
    if g.is(GroupState::Dead) {
        return Err(ErrorCode::CoordinatorNotAvailable);
    }
    if generation < 0 && g.is(GroupState::Empty) {
        return Ok(());
    }
    if generation >= 0 || !member_id.is_empty() || instance_id.is_some() {
        g.validate_member(member_id, instance_id)?;
        if generation != g.generation {
            return Err(ErrorCode::IllegalGeneration);
        }
    } else if !g.is(GroupState::Empty) {
        return Err(ErrorCode::UnknownMemberId);
    }
    if g.is(GroupState::CompletingRebalance) {
        return Err(ErrorCode::RebalanceInProgress);
    }
    Ok(())
}
