//! Committed offsets: OffsetCommit (simple/admin and member commits with Kafka 4.x validation),
//! OffsetFetch (v1-v7 one group, v8+ many groups) and OffsetDelete. Every accepted change is
//! written to the state files before the answer is built.

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::offset_delete_response::{
    OffsetDeleteResponsePartition, OffsetDeleteResponseTopic,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponseGroup, OffsetFetchResponsePartition, OffsetFetchResponsePartitions,
    OffsetFetchResponseTopic, OffsetFetchResponseTopics,
};
use kafka_protocol::messages::{
    GroupId, OffsetCommitRequest, OffsetCommitResponse, OffsetDeleteRequest, OffsetDeleteResponse,
    OffsetFetchRequest, OffsetFetchResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use tokio::time::Instant;

use super::group::{CommittedOffset, Group, GroupState};
use super::store::{OffsetEntry, Record};
use super::{lock_group, ms, now_ms, GroupCoordinator};

/// One partition's fetch result: (partition, offset, leader epoch, metadata, error).
type Fetched = (i32, i64, i32, String, i16);

impl GroupCoordinator {
    /// OffsetCommit.
    pub async fn offset_commit(
        &self,
        req: OffsetCommitRequest,
        version: i16,
    ) -> OffsetCommitResponse {
        self.ensure_started();
        let group_error = self.commit_and_validate(&req, version);
        let mut r = OffsetCommitResponse::default();
        r.topics = req
            .topics
            .iter()
            .zip(group_error.1)
            .map(|(t, codes)| {
                let mut rt = OffsetCommitResponseTopic::default();
                rt.name = t.name.clone();
                rt.partitions = t
                    .partitions
                    .iter()
                    .zip(codes)
                    .map(|(p, code)| {
                        let mut rp = OffsetCommitResponsePartition::default();
                        rp.partition_index = p.partition_index;
                        rp.error_code = group_error.0.map(|e| e.code()).unwrap_or(code);
                        rp
                    })
                    .collect();
                rt
            })
            .collect();
        r
    }

    /// Returns a group-wide error, or per-topic, per-partition codes.
    fn commit_and_validate(
        &self,
        req: &OffsetCommitRequest,
        version: i16,
    ) -> (Option<ResponseError>, Vec<Vec<i16>>) {
        let empty_codes: Vec<Vec<i16>> = req
            .topics
            .iter()
            .map(|t| vec![0; t.partitions.len()])
            .collect();
        if self.is_shut_down() {
            return (Some(ResponseError::CoordinatorNotAvailable), empty_codes);
        }
        let group_id = req.group_id.0.as_str();
        let generation = req.generation_id_or_member_epoch;
        let member_id = req.member_id.as_str();
        let instance_id = if version >= 7 {
            req.group_instance_id.as_deref()
        } else {
            None
        };
        let mut attempts = 0;
        let arc = loop {
            let arc = match self.find_group(group_id) {
                Some(g) => g,
                None if generation < 0 => self.find_or_create_group(group_id).0,
                None if version >= 9 => return (Some(ResponseError::GroupIdNotFound), empty_codes),
                None => return (Some(ResponseError::IllegalGeneration), empty_codes),
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
                let metadata = p
                    .committed_metadata
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_default();
                let code = if !self.topics.partition_exists(&t.name.0, p.partition_index) {
                    ResponseError::UnknownTopicOrPartition.code()
                } else if metadata.len() > max_meta {
                    ResponseError::OffsetMetadataTooLarge.code()
                } else {
                    entries.push(OffsetEntry {
                        topic: t.name.0.to_string(),
                        partition: p.partition_index,
                        offset: p.committed_offset,
                        leader_epoch: if version >= 6 {
                            p.committed_leader_epoch
                        } else {
                            -1
                        },
                        metadata: Some(metadata),
                        commit_ts: now,
                    });
                    0
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
                let code = e.kafka_code();
                for c in codes.iter_mut().flatten() {
                    if *c == 0 {
                        *c = code;
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

    /// OffsetFetch.
    pub async fn offset_fetch(&self, req: OffsetFetchRequest, version: i16) -> OffsetFetchResponse {
        self.ensure_started();
        let mut r = OffsetFetchResponse::default();
        if version <= 7 {
            let wanted: Option<Vec<(String, Vec<i32>)>> = req.topics.as_ref().map(|ts| {
                ts.iter()
                    .map(|t| (t.name.0.to_string(), t.partition_indexes.clone()))
                    .collect()
            });
            let (err, topics) = self.fetch_group(&req.group_id.0, wanted);
            if version >= 2 {
                r.error_code = err;
            }
            r.topics = topics
                .into_iter()
                .map(|(name, parts)| {
                    let mut t = OffsetFetchResponseTopic::default();
                    t.name = TopicName(StrBytes::from_string(name));
                    t.partitions = parts
                        .into_iter()
                        .map(|(p, o, e, m, code)| {
                            let mut rp = OffsetFetchResponsePartition::default();
                            rp.partition_index = p;
                            rp.committed_offset = o;
                            if version >= 5 {
                                rp.committed_leader_epoch = e;
                            }
                            rp.metadata = Some(StrBytes::from_string(m));
                            rp.error_code = if version >= 2 && err != 0 { 0 } else { code };
                            if version < 2 && err != 0 {
                                rp.error_code = err;
                            }
                            rp
                        })
                        .collect();
                    t
                })
                .collect();
        } else {
            r.groups = req
                .groups
                .iter()
                .map(|rg| {
                    let wanted = rg.topics.as_ref().map(|ts| {
                        ts.iter()
                            .map(|t| (t.name.0.to_string(), t.partition_indexes.clone()))
                            .collect()
                    });
                    let (err, topics) = self.fetch_group(&rg.group_id.0, wanted);
                    let mut g = OffsetFetchResponseGroup::default();
                    g.group_id = GroupId(rg.group_id.0.clone());
                    g.error_code = err;
                    g.topics = topics
                        .into_iter()
                        .map(|(name, parts)| {
                            let mut t = OffsetFetchResponseTopics::default();
                            t.name = TopicName(StrBytes::from_string(name));
                            t.partitions = parts
                                .into_iter()
                                .map(|(p, o, e, m, code)| {
                                    let mut rp = OffsetFetchResponsePartitions::default();
                                    rp.partition_index = p;
                                    rp.committed_offset = o;
                                    rp.committed_leader_epoch = e;
                                    rp.metadata = Some(StrBytes::from_string(m));
                                    rp.error_code = code;
                                    rp
                                })
                                .collect();
                            t
                        })
                        .collect();
                    g
                })
                .collect();
        }
        r
    }

    /// Offsets of one group: all committed ones (`wanted` = None) or the listed partitions
    /// (-1 when not committed). Returns the group error code and the topics.
    fn fetch_group(
        &self,
        group_id: &str,
        wanted: Option<Vec<(String, Vec<i32>)>>,
    ) -> (i16, Vec<(String, Vec<Fetched>)>) {
        if self.is_shut_down() {
            return (ResponseError::CoordinatorNotAvailable.code(), Vec::new());
        }
        let group = self.find_group(group_id);
        let guard = group.as_ref().map(lock_group);
        if guard.as_ref().is_some_and(|g| g.is(GroupState::Dead)) {
            return (ResponseError::GroupIdNotFound.code(), Vec::new());
        }
        let lookup = |t: &str, p: i32| -> Fetched {
            match guard
                .as_ref()
                .and_then(|g| g.offsets.get(&(t.to_string(), p)))
            {
                Some(c) => fetched(p, c),
                None => (p, -1, -1, String::new(), 0),
            }
        };
        match wanted {
            Some(topics) => {
                let out = topics
                    .iter()
                    .map(|(t, parts)| (t.clone(), parts.iter().map(|p| lookup(t, *p)).collect()))
                    .collect();
                (0, out)
            }
            None => {
                let mut out: Vec<(String, Vec<Fetched>)> = Vec::new();
                if let Some(g) = guard.as_ref() {
                    for ((t, p), c) in &g.offsets {
                        match out.last_mut() {
                            Some((last, parts)) if last == t => parts.push(fetched(*p, c)),
                            _ => out.push((t.clone(), vec![fetched(*p, c)])),
                        }
                    }
                }
                (0, out)
            }
        }
    }

    /// OffsetDelete.
    pub async fn offset_delete(
        &self,
        req: OffsetDeleteRequest,
        _version: i16,
    ) -> OffsetDeleteResponse {
        self.ensure_started();
        let mut r = OffsetDeleteResponse::default();
        let result = self.delete_offsets(&req);
        match result {
            Err(e) => r.error_code = e.code(),
            Ok(codes) => {
                r.topics = req
                    .topics
                    .iter()
                    .zip(codes)
                    .map(|(t, codes)| {
                        let mut rt = OffsetDeleteResponseTopic::default();
                        rt.name = t.name.clone();
                        rt.partitions = t
                            .partitions
                            .iter()
                            .zip(codes)
                            .map(|(p, code)| {
                                let mut rp = OffsetDeleteResponsePartition::default();
                                rp.partition_index = p.partition_index;
                                rp.error_code = code;
                                rp
                            })
                            .collect();
                        rt
                    })
                    .collect();
            }
        }
        r
    }

    fn delete_offsets(&self, req: &OffsetDeleteRequest) -> Result<Vec<Vec<i16>>, ResponseError> {
        if self.is_shut_down() {
            return Err(ResponseError::CoordinatorNotAvailable);
        }
        let arc = self
            .find_group(&req.group_id.0)
            .ok_or(ResponseError::GroupIdNotFound)?;
        let mut g = lock_group(&arc);
        match g.state {
            GroupState::Dead => return Err(ResponseError::GroupIdNotFound),
            GroupState::Stable
            | GroupState::PreparingRebalance
            | GroupState::CompletingRebalance
                if g.protocol_type.as_deref() != Some("consumer") =>
            {
                return Err(ResponseError::NonEmptyGroup)
            }
            _ => {}
        }
        let mut removed = Vec::new();
        let mut codes = Vec::new();
        for t in &req.topics {
            let name = t.name.0.to_string();
            let is_subscribed = g.is_subscribed_to(&name);
            let tcodes = t
                .partitions
                .iter()
                .map(|p| {
                    if !self.topics.partition_exists(&name, p.partition_index) {
                        ResponseError::UnknownTopicOrPartition.code()
                    } else if is_subscribed {
                        ResponseError::GroupSubscribedToTopic.code()
                    } else {
                        if g.offsets.contains_key(&(name.clone(), p.partition_index)) {
                            removed.push((name.clone(), p.partition_index));
                        }
                        0
                    }
                })
                .collect();
            codes.push(tcodes);
        }
        if !removed.is_empty() {
            self.remove_offsets(&mut g, removed)
                .map_err(|e| ResponseError::Unknown(e.kafka_code()))?;
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

fn fetched(p: i32, c: &CommittedOffset) -> Fetched {
    (
        p,
        c.offset,
        c.leader_epoch,
        c.metadata.clone().unwrap_or_default(),
        0,
    )
}

/// Kafka 4.x ClassicGroup.validateOffsetCommit.
fn validate_commit(
    g: &Group,
    member_id: &str,
    instance_id: Option<&str>,
    generation: i32,
) -> Result<(), ResponseError> {
    if g.is(GroupState::Dead) {
        return Err(ResponseError::CoordinatorNotAvailable);
    }
    if generation < 0 && g.is(GroupState::Empty) {
        return Ok(());
    }
    if generation >= 0 || !member_id.is_empty() || instance_id.is_some() {
        g.validate_member(member_id, instance_id)?;
        if generation != g.generation {
            return Err(ResponseError::IllegalGeneration);
        }
    } else if !g.is(GroupState::Empty) {
        return Err(ResponseError::UnknownMemberId);
    }
    if g.is(GroupState::CompletingRebalance) {
        return Err(ResponseError::RebalanceInProgress);
    }
    Ok(())
}
