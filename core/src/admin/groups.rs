//! Consumer groups: list, describe, delete; list, alter and delete committed offsets (what
//! `kafka-consumer-groups --reset-offsets` needs). Requests go to the group coordinator.

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;

use kafka_protocol::messages::offset_delete_request::{
    OffsetDeleteRequestPartition, OffsetDeleteRequestTopic,
};
use kafka_protocol::messages::{
    DeleteGroupsRequest, DescribeGroupsRequest, GroupId, ListGroupsRequest, OffsetDeleteRequest,
    TopicName,
};

use super::Admin;
use crate::error::{Error, Result};
use crate::requests::consumer_protocol::decode_assignment;
use crate::requests::coordinator::{commit_offsets, fetch_committed, find_coordinator};
use crate::requests::sb;
use crate::types::OffsetAndMetadata;
use crate::types::TopicPartition;

/// A group as ListGroups reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupListing {
    pub group_id: String,
    pub protocol_type: String,
    pub state: Option<String>,
    /// `classic`, `consumer`... (ListGroups v5+; None from older brokers).
    pub group_type: Option<String>,
}

/// One member of a described group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDescription {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub host: String,
    pub assignment: Vec<TopicPartition>,
    /// The member's protocol metadata as the broker returned it (for a consumer group, the
    /// subscription in the consumer protocol's encoding).
    pub member_metadata: Bytes,
    /// The member's assignment as the broker returned it (encoded as `assignment` decodes it).
    pub member_assignment: Bytes,
}

/// A described group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDescription {
    pub group_id: String,
    pub state: String,
    pub protocol_type: String,
    /// The assignor in use (`range`, `cooperative-sticky`, ...).
    pub protocol: String,
    pub members: Vec<MemberDescription>,
    /// The operations this client may perform on the group (Kafka's `AclOperation` codes as
    /// bits); None where the broker did not say (DescribeGroups before v3).
    pub authorized_operations: Option<i32>,
}

impl Admin {
    /// Every group on every broker.
    pub async fn list_groups(&self) -> Result<Vec<GroupListing>> {
        let md = self
            .retry("listing groups", || self.cluster.refresh())
            .await?;
        let mut out = Vec::new();
        let mut ids: Vec<i32> = md.brokers.keys().copied().collect();
        ids.sort();
        for id in ids {
            let resp = self
                .retry("listing groups", || async {
                    self.cluster
                        .broker(id)
                        .await?
                        .request(&ListGroupsRequest::default())
                        .await
                })
                .await?;
            if resp.error_code != 0 {
                return Err(Error::from_code(
                    resp.error_code,
                    format!("listing groups on broker {id}"),
                ));
            }
            out.extend(resp.groups.iter().map(|g| GroupListing {
                group_id: g.group_id.0.to_string(),
                protocol_type: g.protocol_type.to_string(),
                state: Some(g.group_state.to_string()).filter(|s| !s.is_empty()),
                group_type: Some(g.group_type.to_string()).filter(|s| !s.is_empty()),
            }));
        }
        out.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        Ok(out)
    }

    /// State, assignor, members and their assignments.
    pub async fn describe_group(&self, group: &str) -> Result<GroupDescription> {
        let req = DescribeGroupsRequest::default()
            .with_groups(vec![GroupId(sb(group))])
            .with_include_authorized_operations(true);
        let resp = self
            .retry("describing group", || async {
                let conn = find_coordinator(&self.cluster, group, 0, self.deadline(), None).await?;
                let resp = conn.request(&req).await?;
                if let Some(g) = resp.groups.first() {
                    if g.error_code != 0 {
                        return Err(Error::from_code(
                            g.error_code,
                            format!("describing group {group}"),
                        ));
                    }
                }
                Ok(resp)
            })
            .await?;
        let g = resp
            .groups
            .into_iter()
            .next()
            .ok_or_else(|| Error::protocol("DescribeGroups returned no group"))?;
        let consumer = g.protocol_type.as_str() == "consumer";
        let authorized_operations =
            (g.authorized_operations != i32::MIN).then_some(g.authorized_operations);
        Ok(GroupDescription {
            authorized_operations,
            group_id: g.group_id.0.to_string(),
            state: g.group_state.to_string(),
            protocol_type: g.protocol_type.to_string(),
            protocol: g.protocol_data.to_string(),
            members: g
                .members
                .into_iter()
                .map(|m| MemberDescription {
                    member_id: m.member_id.to_string(),
                    group_instance_id: m.group_instance_id.map(|s| s.to_string()),
                    client_id: m.client_id.to_string(),
                    host: m.client_host.to_string(),
                    assignment: if consumer {
                        decode_assignment(m.member_assignment.clone()).unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                    member_metadata: m.member_metadata,
                    member_assignment: m.member_assignment,
                })
                .collect(),
        })
    }

    /// Deletes empty groups.
    pub async fn delete_groups(&self, groups: &[&str]) -> Result<()> {
        for group in groups {
            let req = DeleteGroupsRequest::default().with_groups_names(vec![GroupId(sb(group))]);
            self.retry("deleting group", || async {
                let conn = find_coordinator(&self.cluster, group, 0, self.deadline(), None).await?;
                let resp = conn.request(&req).await?;
                for r in &resp.results {
                    if r.error_code != 0 {
                        return Err(Error::from_code(
                            r.error_code,
                            format!("deleting group {group}"),
                        ));
                    }
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    /// Committed offsets of `group` (every partition with one when `partitions` is `None`).
    pub async fn list_group_offsets(
        &self,
        group: &str,
        partitions: Option<&[TopicPartition]>,
    ) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
        fetch_committed(&self.cluster, group, partitions, self.deadline(), None).await
    }

    /// Sets committed offsets of an inactive group (`--reset-offsets --execute`).
    pub async fn alter_group_offsets(
        &self,
        group: &str,
        offsets: &BTreeMap<TopicPartition, OffsetAndMetadata>,
    ) -> Result<()> {
        commit_offsets(
            &self.cluster,
            group,
            "",
            -1,
            None,
            offsets,
            self.deadline(),
            None,
        )
        .await
    }

    /// Deletes committed offsets of `partitions` in `group` (OffsetDelete).
    pub async fn delete_group_offsets(
        &self,
        group: &str,
        partitions: &[TopicPartition],
    ) -> Result<()> {
        let mut by: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
        for tp in partitions {
            by.entry(&tp.topic).or_default().push(tp.partition);
        }
        let req = OffsetDeleteRequest::default()
            .with_group_id(GroupId(sb(group)))
            .with_topics(
                by.into_iter()
                    .map(|(t, ps)| {
                        OffsetDeleteRequestTopic::default()
                            .with_name(TopicName(sb(t)))
                            .with_partitions(
                                ps.into_iter()
                                    .map(|p| {
                                        OffsetDeleteRequestPartition::default()
                                            .with_partition_index(p)
                                    })
                                    .collect(),
                            )
                    })
                    .collect(),
            );
        self.retry("deleting group offsets", || async {
            let conn = find_coordinator(&self.cluster, group, 0, self.deadline(), None).await?;
            let resp = conn.request(&req).await?;
            if resp.error_code != 0 {
                return Err(Error::from_code(
                    resp.error_code,
                    format!("deleting offsets of group {group}"),
                ));
            }
            for t in &resp.topics {
                for p in &t.partitions {
                    if p.error_code != 0 {
                        return Err(Error::from_code(
                            p.error_code,
                            format!("deleting offset of {}-{}", t.name.0, p.partition_index),
                        ));
                    }
                }
            }
            Ok(())
        })
        .await
    }
}
