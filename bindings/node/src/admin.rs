//! `NativeAdmin`: the core admin client behind one JS object (topics, partitions, offsets,
//! groups, configs, cluster). Each method converts arguments, runs the core call on the core's
//! runtime and converts the answer.

use std::collections::{BTreeMap, HashMap};

use ferrokafka_core::admin::{AlterConfigOp, ConfigResource, NewTopic};
use ferrokafka_core::{Admin, OffsetAndMetadata, TopicPartition};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::convert::{client_config, Tp, TpOffset};
use crate::error::{config, on_core, to_napi};
use crate::requests::{observer, RequestCallback};

/// A topic to create.
#[napi(object)]
pub struct TopicSpec {
    pub topic: String,
    /// `-1`: the broker's default.
    pub num_partitions: Option<i32>,
    /// `-1`: the broker's default.
    pub replication_factor: Option<i32>,
    pub configs: Option<HashMap<String, String>>,
}

/// One partition of a described topic.
#[napi(object)]
pub struct PartitionMeta {
    pub partition_id: i32,
    /// `-1` when there is no leader.
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
}

/// A described topic.
#[napi(object)]
pub struct TopicMeta {
    pub name: String,
    pub internal: bool,
    pub partitions: Vec<PartitionMeta>,
}

/// An offset and the timestamp ListOffsets reported with it.
#[napi(object)]
pub struct ListedOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub timestamp: i64,
}

/// A query for ListOffsets: `spec` is -2 (earliest), -1 (latest) or a timestamp in ms.
#[napi(object)]
pub struct OffsetQuery {
    pub topic: String,
    pub partition: i32,
    pub spec: i64,
}

/// A broker of the cluster.
#[napi(object)]
pub struct BrokerMeta {
    pub node_id: i32,
    pub host: String,
    pub port: i32,
}

/// The cluster as DescribeCluster reports it.
#[napi(object)]
pub struct ClusterMeta {
    pub cluster_id: Option<String>,
    pub controller: Option<i32>,
    pub brokers: Vec<BrokerMeta>,
}

/// A group as ListGroups reports it.
#[napi(object)]
pub struct GroupListing {
    pub group_id: String,
    pub protocol_type: String,
    pub state: Option<String>,
}

/// One member of a described group.
#[napi(object)]
pub struct GroupMember {
    pub member_id: String,
    pub client_id: String,
    pub client_host: String,
    pub group_instance_id: Option<String>,
    pub assignment: Vec<Tp>,
    /// The member's protocol metadata as the broker returned it.
    pub member_metadata: Buffer,
    /// The member's assignment as the broker returned it.
    pub member_assignment: Buffer,
}

/// A described group.
#[napi(object)]
pub struct GroupMeta {
    pub group_id: String,
    pub state: String,
    pub protocol_type: String,
    pub protocol: String,
    pub members: Vec<GroupMember>,
}

/// One config entry of a resource.
#[napi(object)]
pub struct ConfigValue {
    pub name: String,
    pub value: Option<String>,
    pub read_only: bool,
    pub is_default: bool,
    pub sensitive: bool,
}

/// A config change: `op` is `set`, `delete`, `append` or `subtract`.
#[napi(object)]
pub struct ConfigChange {
    pub name: String,
    pub value: Option<String>,
    pub op: String,
}

fn resource(kind: &str, name: String) -> napi::Result<ConfigResource> {
    match kind {
        "topic" => Ok(ConfigResource::topic(name)),
        "broker" => name
            .parse::<i32>()
            .map(ConfigResource::broker)
            .map_err(|_| {
                config(format!(
                    "broker config resource name must be a broker id, got {name:?}"
                ))
            }),
        other => Err(config(format!(
            "unsupported config resource type {other:?}; use TOPIC or BROKER"
        ))),
    }
}

/// A Kafka admin client from the core.
#[napi]
pub struct NativeAdmin {
    inner: Admin,
}

#[napi]
impl NativeAdmin {
    /// Creates an admin client from Java-named properties.
    #[napi(constructor)]
    pub fn new(props: HashMap<String, String>) -> napi::Result<Self> {
        let inner = Admin::new(client_config(props)?).map_err(to_napi)?;
        Ok(NativeAdmin { inner })
    }

    /// Reports every finished request of this client to `callback` (kafkajs's
    /// network.request events), or stops with `null`.
    #[napi(ts_args_type = "callback: ((event: RequestEventJs) => void) | null")]
    pub fn on_requests(&self, callback: Option<RequestCallback>) {
        self.inner
            .cluster()
            .set_request_observer(callback.map(observer));
    }

    /// Creates topics; any topic's error fails the call.
    #[napi]
    pub async fn create_topics(
        &self,
        topics: Vec<TopicSpec>,
        validate_only: bool,
    ) -> napi::Result<()> {
        let specs: Vec<NewTopic> = topics
            .into_iter()
            .map(|t| {
                let mut n = NewTopic::new(
                    t.topic,
                    t.num_partitions.unwrap_or(-1),
                    t.replication_factor.unwrap_or(-1) as i16,
                );
                for (k, v) in t.configs.unwrap_or_default() {
                    n = n.with_config(k, v);
                }
                n
            })
            .collect();
        let a = self.inner.clone();
        on_core(async move { a.create_topics(&specs, validate_only).await }).await
    }

    /// Deletes topics.
    #[napi]
    pub async fn delete_topics(&self, topics: Vec<String>) -> napi::Result<()> {
        let a = self.inner.clone();
        on_core(async move {
            let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
            a.delete_topics(&refs).await
        })
        .await
    }

    /// Raises `topic`'s partition count to `count`.
    #[napi]
    pub async fn create_partitions(
        &self,
        topic: String,
        count: i32,
        validate_only: bool,
    ) -> napi::Result<()> {
        let a = self.inner.clone();
        on_core(async move { a.create_partitions(&topic, count, validate_only).await }).await
    }

    /// Topic names (internal topics excluded unless asked).
    #[napi]
    pub async fn list_topics(&self, include_internal: bool) -> napi::Result<Vec<String>> {
        let a = self.inner.clone();
        on_core(async move { a.list_topics(include_internal).await }).await
    }

    /// Partitions, leaders and replicas of these topics.
    #[napi]
    pub async fn describe_topics(&self, topics: Vec<String>) -> napi::Result<Vec<TopicMeta>> {
        let a = self.inner.clone();
        let described = on_core(async move {
            let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
            a.describe_topics(&refs).await
        })
        .await?;
        Ok(described
            .into_iter()
            .map(|t| TopicMeta {
                name: t.name,
                internal: t.internal,
                partitions: t
                    .partitions
                    .into_iter()
                    .map(|p| PartitionMeta {
                        partition_id: p.partition,
                        leader: p.leader.unwrap_or(-1),
                        replicas: p.replicas,
                        isr: p.isr,
                    })
                    .collect(),
            })
            .collect())
    }

    /// ListOffsets for each query.
    #[napi]
    pub async fn list_offsets(&self, queries: Vec<OffsetQuery>) -> napi::Result<Vec<ListedOffset>> {
        let query: BTreeMap<TopicPartition, i64> = queries
            .into_iter()
            .map(|q| (TopicPartition::new(q.topic, q.partition), q.spec))
            .collect();
        let a = self.inner.clone();
        let found = on_core(async move { a.list_offsets(&query).await }).await?;
        let mut out: Vec<ListedOffset> = found
            .into_iter()
            .map(|(tp, o)| ListedOffset {
                topic: tp.topic.to_string(),
                partition: tp.partition,
                offset: o.offset,
                timestamp: o.timestamp,
            })
            .collect();
        out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        Ok(out)
    }

    /// Deletes records before the given offsets.
    #[napi]
    pub async fn delete_records(&self, before: Vec<TpOffset>) -> napi::Result<()> {
        let map: BTreeMap<TopicPartition, i64> = before
            .into_iter()
            .map(|o| (TopicPartition::new(o.topic, o.partition), o.offset))
            .collect();
        let a = self.inner.clone();
        on_core(async move { a.delete_records(&map).await.map(|_| ()) }).await
    }

    /// Cluster id, controller and brokers.
    #[napi]
    pub async fn describe_cluster(&self) -> napi::Result<ClusterMeta> {
        let a = self.inner.clone();
        let d = on_core(async move { a.describe_cluster().await }).await?;
        Ok(ClusterMeta {
            cluster_id: d.cluster_id,
            controller: d.controller_id,
            brokers: d
                .brokers
                .into_iter()
                .map(|b| BrokerMeta {
                    node_id: b.id,
                    host: b.host,
                    port: b.port,
                })
                .collect(),
        })
    }

    /// Every consumer group.
    #[napi]
    pub async fn list_groups(&self) -> napi::Result<Vec<GroupListing>> {
        let a = self.inner.clone();
        let groups = on_core(async move { a.list_groups().await }).await?;
        Ok(groups
            .into_iter()
            .map(|g| GroupListing {
                group_id: g.group_id,
                protocol_type: g.protocol_type,
                state: g.state,
            })
            .collect())
    }

    /// State, protocol and members of a group.
    #[napi]
    pub async fn describe_group(&self, group: String) -> napi::Result<GroupMeta> {
        let a = self.inner.clone();
        let g = on_core(async move { a.describe_group(&group).await }).await?;
        Ok(GroupMeta {
            group_id: g.group_id,
            state: g.state,
            protocol_type: g.protocol_type,
            protocol: g.protocol,
            members: g
                .members
                .into_iter()
                .map(|m| GroupMember {
                    member_id: m.member_id,
                    client_id: m.client_id,
                    client_host: m.host,
                    group_instance_id: m.group_instance_id,
                    assignment: m.assignment.iter().map(Tp::from).collect(),
                    member_metadata: m.member_metadata.to_vec().into(),
                    member_assignment: m.member_assignment.to_vec().into(),
                })
                .collect(),
        })
    }

    /// Deletes (empty) groups.
    #[napi]
    pub async fn delete_groups(&self, groups: Vec<String>) -> napi::Result<()> {
        let a = self.inner.clone();
        on_core(async move {
            let refs: Vec<&str> = groups.iter().map(String::as_str).collect();
            a.delete_groups(&refs).await
        })
        .await
    }

    /// Committed offsets of a group (every partition with one when `partitions` is unset).
    #[napi]
    pub async fn group_offsets(
        &self,
        group: String,
        partitions: Option<Vec<Tp>>,
    ) -> napi::Result<Vec<TpOffset>> {
        let parts: Option<Vec<TopicPartition>> =
            partitions.map(|p| p.into_iter().map(Into::into).collect());
        let a = self.inner.clone();
        let found =
            on_core(async move { a.list_group_offsets(&group, parts.as_deref()).await }).await?;
        let mut out: Vec<TpOffset> = found
            .into_iter()
            .map(|(tp, o)| TpOffset {
                topic: tp.topic.to_string(),
                partition: tp.partition,
                offset: o.offset,
                metadata: Some(o.metadata),
            })
            .collect();
        out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        Ok(out)
    }

    /// Sets committed offsets of an inactive group.
    #[napi]
    pub async fn set_group_offsets(
        &self,
        group: String,
        offsets: Vec<TpOffset>,
    ) -> napi::Result<()> {
        let map: BTreeMap<TopicPartition, OffsetAndMetadata> = offsets
            .into_iter()
            .map(|o| {
                (
                    TopicPartition::new(o.topic, o.partition),
                    OffsetAndMetadata::with_metadata(o.offset, o.metadata.unwrap_or_default()),
                )
            })
            .collect();
        let a = self.inner.clone();
        on_core(async move { a.alter_group_offsets(&group, &map).await }).await
    }

    /// Configs of a resource (`kind` is `topic` or `broker`), all or only `keys`.
    #[napi]
    pub async fn describe_configs(
        &self,
        kind: String,
        name: String,
        keys: Option<Vec<String>>,
    ) -> napi::Result<Vec<ConfigValue>> {
        let res = resource(&kind, name)?;
        let a = self.inner.clone();
        let entries = on_core(async move {
            let refs: Option<Vec<&str>> = keys
                .as_ref()
                .map(|k| k.iter().map(String::as_str).collect());
            a.describe_configs(&res, refs.as_deref()).await
        })
        .await?;
        Ok(entries
            .into_iter()
            .map(|e| ConfigValue {
                name: e.name,
                value: e.value,
                read_only: e.read_only,
                is_default: e.is_default,
                sensitive: e.sensitive,
            })
            .collect())
    }

    /// Applies config changes to a resource (IncrementalAlterConfigs).
    #[napi]
    pub async fn alter_configs(
        &self,
        kind: String,
        name: String,
        changes: Vec<ConfigChange>,
        validate_only: bool,
    ) -> napi::Result<()> {
        let res = resource(&kind, name)?;
        let mut ops = Vec::with_capacity(changes.len());
        for c in changes {
            let value = c.value.unwrap_or_default();
            ops.push(match c.op.as_str() {
                "set" => AlterConfigOp::Set(c.name, value),
                "delete" => AlterConfigOp::Delete(c.name),
                "append" => AlterConfigOp::Append(c.name, value),
                "subtract" => AlterConfigOp::Subtract(c.name, value),
                other => {
                    return Err(config(format!(
                        "unknown config operation {other:?}; use set, delete, append or subtract"
                    )))
                }
            });
        }
        let a = self.inner.clone();
        on_core(async move { a.incremental_alter_configs(&res, &ops, validate_only).await }).await
    }

    /// Closes connections.
    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }
}
