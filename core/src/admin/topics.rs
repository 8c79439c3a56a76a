//! Topic administration: create (with configs, validate_only), delete, create partitions,
//! list and describe.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use kafka_protocol::messages::create_partitions_request::CreatePartitionsTopic;
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::create_topics_response::CreatableTopicResult;
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::{
    CreatePartitionsRequest, CreateTopicsRequest, DeleteTopicsRequest,
    DescribeTopicPartitionsRequest, TopicName,
};
use tracing::debug;

use super::{config_source_name, Admin};
use crate::error::{Error, ErrorKind, Result};
use crate::requests::metadata::partition_infos;
use crate::requests::sb;
use crate::types::PartitionInfo;

/// A topic to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTopic {
    pub name: String,
    /// `-1`: the broker's `num.partitions`.
    pub partitions: i32,
    /// `-1`: the broker's `default.replication.factor`.
    pub replication_factor: i16,
    pub configs: BTreeMap<String, String>,
}

impl NewTopic {
    pub fn new(name: impl Into<String>, partitions: i32, replication_factor: i16) -> NewTopic {
        NewTopic {
            name: name.into(),
            partitions,
            replication_factor,
            configs: BTreeMap::new(),
        }
    }

    pub fn with_config(mut self, key: impl Into<String>, value: impl Into<String>) -> NewTopic {
        self.configs.insert(key.into(), value.into());
        self
    }
}

/// A listed topic: what one Metadata answer says of it (Java's `TopicListing`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicListing {
    pub name: String,
    /// Nil from a broker that predates topic ids (Metadata v10).
    pub topic_id: uuid::Uuid,
    pub internal: bool,
}

/// A described topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicDescription {
    pub name: String,
    pub topic_id: uuid::Uuid,
    pub internal: bool,
    pub partitions: Vec<PartitionInfo>,
    /// Each partition's leader epoch and offline replicas, in `partitions`' order.
    pub partition_states: Vec<PartitionState>,
    /// The operations this client may perform on the topic (Kafka's `AclOperation` codes as
    /// bits); None where the broker did not say (Metadata is not asked for them).
    pub authorized_operations: Option<i32>,
}

/// What Metadata/DescribeTopicPartitions also say of a described partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionState {
    pub partition: i32,
    /// `-1` where the broker's version does not carry it.
    pub leader_epoch: i32,
    pub offline_replicas: Vec<i32>,
}

/// A topic as CreateTopics answered for it (v5+ carries the counts and configs, v7+ the id).
///
/// Java's `CreateTopicsResult` reads these fields: a non-zero `config_error_code` makes its
/// `config()`/`numPartitions()`/`replicationFactor()` fail with that error, and
/// `num_partitions == -1` (a broker before v5) with `UnsupportedVersionException`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTopic {
    pub name: String,
    /// Nil where the broker's CreateTopics version has no topic ids (or with `validate_only`).
    pub topic_id: uuid::Uuid,
    /// The broker's message for the topic (`None` when it sent null, as Kafka does for a
    /// created topic).
    pub error_message: Option<String>,
    /// `-1` where the broker's version does not report it.
    pub num_partitions: i32,
    /// `-1` where the broker's version does not report it.
    pub replication_factor: i16,
    /// The topic's configs as created (empty before v5).
    pub configs: Vec<CreatedTopicConfig>,
    /// Why the broker sent no configs though the topic was created (v5+'s
    /// `topic_config_error_code`, e.g. TOPIC_AUTHORIZATION_FAILED without DescribeConfigs
    /// rights); 0 when it sent them.
    pub config_error_code: i16,
}

/// One config of a created topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTopicConfig {
    pub name: String,
    pub value: Option<String>,
    pub read_only: bool,
    /// Kafka's `ConfigEntry.ConfigSource` name.
    pub source: &'static str,
    pub sensitive: bool,
}

fn tn(s: &str) -> TopicName {
    TopicName(sb(s))
}

fn timeout_ms(admin: &Admin) -> i32 {
    admin.cluster.config().common.request_timeout.as_millis() as i32
}

impl Admin {
    /// Creates topics; with `validate_only` the broker only checks the request. An error for
    /// any topic fails the call (the message names the topic).
    pub async fn create_topics(&self, topics: &[NewTopic], validate_only: bool) -> Result<()> {
        self.create_topics_detailed(topics, validate_only)
            .await
            .map(drop)
    }

    /// [`create_topics`](Self::create_topics), returning what the broker answered for each
    /// topic (id, counts, configs).
    pub async fn create_topics_detailed(
        &self,
        topics: &[NewTopic],
        validate_only: bool,
    ) -> Result<Vec<CreatedTopic>> {
        let req = CreateTopicsRequest::default()
            .with_topics(
                topics
                    .iter()
                    .map(|t| {
                        CreatableTopic::default()
                            .with_name(tn(&t.name))
                            .with_num_partitions(t.partitions)
                            .with_replication_factor(t.replication_factor)
                            .with_configs(
                                t.configs
                                    .iter()
                                    .map(|(k, v)| {
                                        CreatableTopicConfig::default()
                                            .with_name(sb(k))
                                            .with_value(Some(sb(v)))
                                    })
                                    .collect(),
                            )
                    })
                    .collect(),
            )
            .with_timeout_ms(timeout_ms(self))
            .with_validate_only(validate_only);
        self.retry("creating topics", || async {
            let resp = self.controller().await?.request(&req).await?;
            for t in &resp.topics {
                if t.error_code != 0 {
                    let msg = t
                        .error_message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default();
                    return Err(Error::from_code(
                        t.error_code,
                        format!("creating topic {} {msg}", t.name.0),
                    )
                    .with_broker_message(t.error_message.as_deref()));
                }
            }
            Ok(resp.topics.iter().map(created_topic).collect())
        })
        .await
    }

    /// Deletes topics by name. A topic's own error (it does not exist, say) is reported at once,
    /// as Java's admin client does; only a controller move is retried.
    pub async fn delete_topics(&self, names: &[&str]) -> Result<()> {
        self.delete_topics_detailed(names).await.map(drop)
    }

    /// [`delete_topics`](Self::delete_topics), returning each deleted topic's `(name, id)` as
    /// the broker answered (the id is nil before DeleteTopics v6).
    pub async fn delete_topics_detailed(
        &self,
        names: &[&str],
    ) -> Result<Vec<(String, uuid::Uuid)>> {
        // Set when an attempt failed after its request may have reached the broker (no answer
        // within request.timeout.ms, or the connection lost): the broker may have deleted the
        // topic then, so the retry's UNKNOWN_TOPIC_OR_PARTITION for it means "deleted".
        let maybe_applied = AtomicBool::new(false);
        let resp = self
            .retry("deleting topics", || async {
                let conn = self.controller().await?;
                let req = if conn.version::<DeleteTopicsRequest>()? >= 6 {
                    DeleteTopicsRequest::default().with_topics(
                        names
                            .iter()
                            .map(|n| DeleteTopicState::default().with_name(Some(tn(n))))
                            .collect(),
                    )
                } else {
                    DeleteTopicsRequest::default()
                        .with_topic_names(names.iter().map(|n| tn(n)).collect())
                }
                .with_timeout_ms(timeout_ms(self));
                let resp = conn.request(&req).await.inspect_err(|e| {
                    if matches!(e.kind(), ErrorKind::Timeout | ErrorKind::Network) {
                        maybe_applied.store(true, Ordering::Relaxed);
                    }
                })?;
                match resp
                    .responses
                    .iter()
                    .find(|t| retried_per_topic(t.error_code))
                {
                    Some(t) => Err(Error::from_code(t.error_code, "deleting topics")),
                    None => Ok(resp),
                }
            })
            .await?;
        let retried_after_send = maybe_applied.load(Ordering::Relaxed);
        for t in &resp.responses {
            if t.error_code == UNKNOWN_TOPIC_OR_PARTITION && retried_after_send {
                debug!(topic = ?t.name, "deleted by an earlier attempt whose answer was lost");
                continue;
            }
            if t.error_code != 0 {
                let name = t.name.as_ref().map(|n| n.0.to_string()).unwrap_or_default();
                return Err(
                    Error::from_code(t.error_code, format!("deleting topic {name}"))
                        .with_broker_message(t.error_message.as_deref())
                        .context("deleting topics"),
                );
            }
        }
        Ok(resp
            .responses
            .iter()
            .map(|t| {
                let name = t.name.as_ref().map(|n| n.0.to_string()).unwrap_or_default();
                (name, t.topic_id)
            })
            .collect())
    }

    /// Raises the partition count of `topic` to `total`.
    pub async fn create_partitions(
        &self,
        topic: &str,
        total: i32,
        validate_only: bool,
    ) -> Result<()> {
        let req = CreatePartitionsRequest::default()
            .with_topics(vec![CreatePartitionsTopic::default()
                .with_name(tn(topic))
                .with_count(total)
                .with_assignments(None)])
            .with_timeout_ms(timeout_ms(self))
            .with_validate_only(validate_only);
        let resp = self
            .retry("creating partitions", || async {
                let resp = self.controller().await?.request(&req).await?;
                match resp
                    .results
                    .iter()
                    .find(|r| retried_per_topic(r.error_code))
                {
                    Some(r) => Err(Error::from_code(r.error_code, "creating partitions")),
                    None => Ok(resp),
                }
            })
            .await?;
        // The topic's own error (it does not exist, too few partitions asked) is reported at
        // once, as Java's admin client does.
        for r in &resp.results {
            if r.error_code != 0 {
                let msg = r
                    .error_message
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_default();
                return Err(Error::from_code(
                    r.error_code,
                    format!("creating partitions of {topic} {msg}"),
                )
                .with_broker_message(r.error_message.as_deref())
                .context("creating partitions"));
            }
        }
        Ok(())
    }

    /// Names of every topic (internal ones only when `include_internal`), sorted.
    pub async fn list_topics(&self, include_internal: bool) -> Result<Vec<String>> {
        let listings = self.list_topic_listings(include_internal).await?;
        Ok(listings.into_iter().map(|t| t.name).collect())
    }

    /// Every topic with its id and internal flag, sorted by name, from one Metadata answer (as
    /// Java's `listTopics`): a topic deleted meanwhile is simply not listed.
    pub async fn list_topic_listings(&self, include_internal: bool) -> Result<Vec<TopicListing>> {
        let md = self
            .retry("listing topics", || self.cluster.fetch_metadata(None))
            .await?;
        let mut listings: Vec<TopicListing> = md
            .topics
            .iter()
            .filter(|t| include_internal || !t.is_internal)
            .filter_map(|t| {
                t.name.as_ref().map(|n| TopicListing {
                    name: n.0.to_string(),
                    topic_id: t.topic_id,
                    internal: t.is_internal,
                })
            })
            .collect();
        listings.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(listings)
    }

    /// Partitions, leaders, replicas, ISR (and ELR where the broker serves
    /// DescribeTopicPartitions) of `names`.
    pub async fn describe_topics(&self, names: &[&str]) -> Result<Vec<TopicDescription>> {
        let list: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        if list.is_empty() {
            // DescribeTopicPartitions reads an empty list as "every topic"; this call does not.
            return Ok(Vec::new());
        }
        self.retry("describing topics", || async {
            let conn = self.cluster.any_broker().await?;
            if conn.version::<DescribeTopicPartitionsRequest>().is_ok() {
                return super::topic_partitions::describe(&conn, &list).await;
            }
            let md = self.cluster.fetch_metadata(Some(&list)).await?;
            let mut out = Vec::new();
            for t in &md.topics {
                let name = t.name.as_ref().map(|n| n.0.to_string()).unwrap_or_default();
                if t.error_code != 0 {
                    return Err(Error::from_code(
                        t.error_code,
                        format!("describing topic {name}"),
                    ));
                }
                let partitions = partition_infos(t);
                let mut partition_states: Vec<PartitionState> = t
                    .partitions
                    .iter()
                    .map(|p| PartitionState {
                        partition: p.partition_index,
                        leader_epoch: p.leader_epoch,
                        offline_replicas: p.offline_replicas.iter().map(|b| b.0).collect(),
                    })
                    .collect();
                partition_states.sort_by_key(|p| p.partition);
                out.push(TopicDescription {
                    name,
                    topic_id: t.topic_id,
                    internal: t.is_internal,
                    partitions,
                    partition_states,
                    authorized_operations: None,
                });
            }
            Ok(out)
        })
        .await
    }
}

fn created_topic(t: &CreatableTopicResult) -> CreatedTopic {
    CreatedTopic {
        name: t.name.0.to_string(),
        topic_id: t.topic_id,
        error_message: t.error_message.as_ref().map(|m| m.to_string()),
        num_partitions: t.num_partitions,
        replication_factor: t.replication_factor,
        config_error_code: t.topic_config_error_code,
        configs: t
            .configs
            .iter()
            .flatten()
            .map(|c| CreatedTopicConfig {
                name: c.name.to_string(),
                value: c.value.as_ref().map(|v| v.to_string()),
                read_only: c.read_only,
                source: config_source_name(c.config_source),
                sensitive: c.is_sensitive,
            })
            .collect(),
    }
}

/// What DeleteTopics answers for a topic that is not there (any more).
const UNKNOWN_TOPIC_OR_PARTITION: i16 =
    ferrokafka_protocol::ErrorCode::UnknownTopicOrPartition.code();

/// Per-topic errors of DeleteTopics/CreatePartitions worth another attempt: the controller
/// moved (NOT_CONTROLLER, 41) or a quota held the request back (THROTTLING_QUOTA_EXCEEDED, 89).
fn retried_per_topic(code: i16) -> bool {
    matches!(code, 41 | 89)
}
