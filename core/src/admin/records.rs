//! Partition offsets and records: ListOffsets (earliest, latest, max-timestamp, by timestamp)
//! and DeleteRecords, each sent to the partition leaders.

use std::collections::{BTreeMap, HashMap};

use kafka_protocol::messages::delete_records_request::{
    DeleteRecordsPartition, DeleteRecordsTopic,
};
use kafka_protocol::messages::{DeleteRecordsRequest, TopicName};

use super::Admin;
use crate::error::{Error, Result};
use crate::requests::offsets::{list_offsets, ListedOffset};
use crate::requests::sb;
use crate::types::TopicPartition;

impl Admin {
    /// Offsets per partition for a spec: [`EARLIEST`](super::EARLIEST), [`LATEST`](super::LATEST), [`MAX_TIMESTAMP`](super::MAX_TIMESTAMP) or a
    /// timestamp in ms (`-1` offset when no record is that recent).
    pub async fn list_offsets(
        &self,
        query: &BTreeMap<TopicPartition, i64>,
    ) -> Result<HashMap<TopicPartition, ListedOffset>> {
        list_offsets(&self.cluster, query, 0, self.deadline()).await
    }

    /// Deletes records before the given offsets; returns the new low watermarks.
    pub async fn delete_records(
        &self,
        before: &BTreeMap<TopicPartition, i64>,
    ) -> Result<HashMap<TopicPartition, i64>> {
        let mut out = HashMap::new();
        for t in before
            .keys()
            .map(|tp| tp.topic.to_string())
            .collect::<std::collections::BTreeSet<_>>()
        {
            self.cluster.topic(&t, self.deadline()).await?;
        }
        let mut by_leader: BTreeMap<i32, Vec<(&TopicPartition, i64)>> = BTreeMap::new();
        let md = self.cluster.metadata();
        for (tp, off) in before {
            let leader = md
                .leader(&tp.topic, tp.partition)
                .ok_or_else(|| Error::from_code(5, format!("no leader for {tp}")))?;
            by_leader.entry(leader).or_default().push((tp, *off));
        }
        for (leader, parts) in by_leader {
            let mut topics: BTreeMap<&str, Vec<DeleteRecordsPartition>> = BTreeMap::new();
            for (tp, off) in parts {
                topics.entry(&tp.topic).or_default().push(
                    DeleteRecordsPartition::default()
                        .with_partition_index(tp.partition)
                        .with_offset(off),
                );
            }
            let req = DeleteRecordsRequest::default()
                .with_topics(
                    topics
                        .into_iter()
                        .map(|(t, p)| {
                            DeleteRecordsTopic::default()
                                .with_name(TopicName(sb(t)))
                                .with_partitions(p)
                        })
                        .collect(),
                )
                .with_timeout_ms(self.cluster.config().common.request_timeout.as_millis() as i32);
            let resp = self
                .retry("deleting records", || async {
                    self.cluster.broker(leader).await?.request(&req).await
                })
                .await?;
            for t in resp.topics {
                for p in t.partitions {
                    let tp = TopicPartition::new(t.name.0.as_str(), p.partition_index);
                    if p.error_code != 0 {
                        return Err(Error::from_code(
                            p.error_code,
                            format!("deleting records of {tp}"),
                        ));
                    }
                    out.insert(tp, p.low_watermark);
                }
            }
        }
        Ok(out)
    }
}
