//! `_native.NativeAdmin`: the admin handle.
//!
//! Owns converting admin calls' arguments and results between plain Python values (tuples,
//! dicts) and the core's admin types, waiting with the GIL released. kafka-python's shapes
//! (NewTopic, ConfigResource, response objects) are built in `ferrokafka/admin`; retries and
//! protocol live in the core.

use std::collections::{BTreeMap, HashMap};

use ferrokafka_core::admin::{
    self, AlterConfigOp, ConfigResource, ConfigResourceType, NewTopic, PartitionState,
};
use ferrokafka_core::{Admin, ClientConfig, TopicPartition};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::convert::{self, tp_list, tp_tuple, OffsetTuple};
use crate::errors;
use crate::wait::block_on;

/// One config entry for Python: `(name, value, read_only, is_default, sensitive)`.
type ConfigTuple = (String, Option<String>, bool, bool, bool);
/// A synonym: `(name, value, source)`.
type SynonymTuple = (String, Option<String>, &'static str);
/// One config entry with Kafka's source name and synonyms:
/// `(name, value, read_only, source, sensitive, [synonym], config_type id, documentation)`.
type ConfigDetailTuple = (
    String,
    Option<String>,
    bool,
    &'static str,
    bool,
    Vec<SynonymTuple>,
    i8,
    Option<String>,
);
/// A created config: `(name, value, read_only, source, sensitive)`.
type CreatedConfigTuple = (String, Option<String>, bool, &'static str, bool);
/// A created topic: `(name, topic_id, num_partitions, replication_factor, [config])`.
type CreatedTuple = (
    String,
    Option<String>,
    i32,
    i16,
    Vec<CreatedConfigTuple>,
    i16,
    Option<String>,
);
/// A listed group: `(group_id, protocol_type, state, group_type)`.
type GroupTuple = (String, String, Option<String>, Option<String>);
/// `(topic, [partition])` as a consumer-protocol message groups them.
type TopicPartitions = Vec<(String, Vec<i32>)>;

/// An admin client over the core (`KafkaAdminClient` / `AIOKafkaAdminClient` wrap it).
#[pyclass(module = "ferrokafka._native", frozen)]
pub struct NativeAdmin {
    admin: Admin,
}

/// A topic id as kafka-python renders it: the UUID's text, None for the nil id.
fn topic_id<T: PartialEq + Default + ToString>(id: T) -> Option<String> {
    (id != T::default()).then(|| id.to_string())
}

fn resource(kind: &str, name: String) -> PyResult<ConfigResource> {
    let kind = match kind {
        "topic" => ConfigResourceType::Topic,
        "broker" => ConfigResourceType::Broker,
        other => {
            return Err(PyValueError::new_err(format!(
                "config resource type {other:?} is not supported; use TOPIC or BROKER"
            )))
        }
    };
    Ok(ConfigResource { kind, name })
}

#[pymethods]
impl NativeAdmin {
    #[new]
    fn new(py: Python<'_>, config: HashMap<String, String>) -> PyResult<NativeAdmin> {
        let cfg = errors::check(py, ClientConfig::from_pairs(config))?;
        let admin = errors::check(py, Admin::new(cfg))?;
        Ok(NativeAdmin { admin })
    }

    /// `topics`: `[(name, num_partitions, replication_factor, {config: value})]`; returns
    /// `[(name, topic_id, num_partitions, replication_factor, [(config, value, read_only,
    /// source, sensitive)], config_error_code, error_message)]` as the broker answered
    /// (topic_id None where it sent none, error_message None where it sent null).
    fn create_topics(
        &self,
        py: Python<'_>,
        topics: Vec<(String, i32, i16, HashMap<String, String>)>,
        validate_only: bool,
    ) -> PyResult<Vec<CreatedTuple>> {
        let list: Vec<NewTopic> = topics
            .into_iter()
            .map(|(name, parts, rf, configs)| {
                configs
                    .into_iter()
                    .fold(NewTopic::new(name, parts, rf), |t, (k, v)| {
                        t.with_config(k, v)
                    })
            })
            .collect();
        let a = self.admin.clone();
        let created = block_on(py, async move {
            a.create_topics_detailed(&list, validate_only).await
        })?;
        Ok(created
            .into_iter()
            .map(|t| {
                let configs = t
                    .configs
                    .into_iter()
                    .map(|c| (c.name, c.value, c.read_only, c.source, c.sensitive))
                    .collect();
                let id = topic_id(t.topic_id);
                (
                    t.name,
                    id,
                    t.num_partitions,
                    t.replication_factor,
                    configs,
                    t.config_error_code,
                    t.error_message,
                )
            })
            .collect())
    }

    /// `[(name, topic_id)]` of the deleted topics (topic_id None where the broker sent none).
    fn delete_topics(
        &self,
        py: Python<'_>,
        topics: Vec<String>,
    ) -> PyResult<Vec<(String, Option<String>)>> {
        let a = self.admin.clone();
        let deleted = block_on(py, async move {
            let names: Vec<&str> = topics.iter().map(String::as_str).collect();
            a.delete_topics_detailed(&names).await
        })?;
        Ok(deleted
            .into_iter()
            .map(|(name, id)| (name, topic_id(id)))
            .collect())
    }

    fn list_topics(&self, py: Python<'_>, include_internal: bool) -> PyResult<Vec<String>> {
        let a = self.admin.clone();
        block_on(py, async move { a.list_topics(include_internal).await })
    }

    /// `[{topic, topic_id, is_internal, partitions: [{partition, leader, replicas, isr,
    /// leader_epoch, offline_replicas}]}]`.
    fn describe_topics<'py>(
        &self,
        py: Python<'py>,
        topics: Vec<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let a = self.admin.clone();
        let found = block_on(py, async move {
            let names: Vec<&str> = topics.iter().map(String::as_str).collect();
            a.describe_topics(&names).await
        })?;
        let out = PyList::empty(py);
        for t in &found {
            let d = PyDict::new(py);
            d.set_item("error_code", 0)?;
            d.set_item("topic", &t.name)?;
            d.set_item("topic_id", topic_id(t.topic_id))?;
            d.set_item("is_internal", t.internal)?;
            d.set_item("authorized_operations", t.authorized_operations)?;
            let parts = PyList::empty(py);
            let states: HashMap<i32, &PartitionState> = t
                .partition_states
                .iter()
                .map(|s| (s.partition, s))
                .collect();
            for p in &t.partitions {
                let state = states.get(&p.partition);
                let pd = PyDict::new(py);
                pd.set_item("error_code", 0)?;
                pd.set_item("partition", p.partition)?;
                pd.set_item("leader", p.leader.unwrap_or(-1))?;
                pd.set_item("replicas", p.replicas.clone())?;
                pd.set_item("isr", p.isr.clone())?;
                pd.set_item("leader_epoch", state.map_or(-1, |s| s.leader_epoch))?;
                let offline = state
                    .map(|s| s.offline_replicas.clone())
                    .unwrap_or_default();
                pd.set_item("offline_replicas", offline)?;
                parts.append(pd)?;
            }
            d.set_item("partitions", parts)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// `{cluster_id, controller_id, brokers: [(node_id, host, port, rack)],
    /// authorized_operations}` (the operations as bits, None when not reported).
    fn describe_cluster<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let a = self.admin.clone();
        let c = block_on(py, async move { a.describe_cluster().await })?;
        let d = PyDict::new(py);
        d.set_item("cluster_id", c.cluster_id)?;
        d.set_item("controller_id", c.controller_id.unwrap_or(-1))?;
        let brokers: Vec<(i32, String, i32, Option<String>)> = c
            .brokers
            .iter()
            .map(|b| (b.id, b.host.clone(), b.port, b.rack.clone()))
            .collect();
        d.set_item("brokers", brokers)?;
        d.set_item("authorized_operations", c.authorized_operations)?;
        Ok(d)
    }

    /// `[(name, value, read_only, is_default, sensitive)]` of a `"topic"`/`"broker"` resource.
    #[pyo3(signature = (kind, name, keys=None))]
    fn describe_configs(
        &self,
        py: Python<'_>,
        kind: &str,
        name: String,
        keys: Option<Vec<String>>,
    ) -> PyResult<Vec<ConfigTuple>> {
        let res = resource(kind, name)?;
        let a = self.admin.clone();
        let entries = block_on(py, async move {
            let ks: Option<Vec<&str>> = keys
                .as_ref()
                .map(|k| k.iter().map(String::as_str).collect());
            a.describe_configs(&res, ks.as_deref()).await
        })?;
        Ok(entries
            .into_iter()
            .map(|e| (e.name, e.value, e.read_only, e.is_default, e.sensitive))
            .collect())
    }

    /// Every config of a `"topic"`/`"broker"` resource with its source (Kafka's
    /// `ConfigSource` name) and, with `synonyms`, its synonyms.
    fn describe_config_details(
        &self,
        py: Python<'_>,
        kind: &str,
        name: String,
        synonyms: bool,
    ) -> PyResult<Vec<ConfigDetailTuple>> {
        let res = resource(kind, name)?;
        let a = self.admin.clone();
        let entries = block_on(py, async move {
            a.describe_config_details(&res, synonyms).await
        })?;
        Ok(entries
            .into_iter()
            .map(|e| {
                let syns = e
                    .synonyms
                    .into_iter()
                    .map(|s| (s.name, s.value, s.source))
                    .collect();
                (
                    e.name,
                    e.value,
                    e.read_only,
                    e.source,
                    e.sensitive,
                    syns,
                    e.config_type,
                    e.documentation,
                )
            })
            .collect())
    }

    /// `ops`: `[("set" | "delete", key, value)]`.
    fn alter_configs(
        &self,
        py: Python<'_>,
        kind: &str,
        name: String,
        ops: Vec<(String, String, Option<String>)>,
        validate_only: bool,
    ) -> PyResult<()> {
        let res = resource(kind, name)?;
        let mut list = Vec::new();
        for (op, key, value) in ops {
            list.push(match (op.as_str(), value) {
                ("set", Some(v)) => AlterConfigOp::Set(key, v),
                ("set", None) | ("delete", _) => AlterConfigOp::Delete(key),
                (other, _) => {
                    return Err(PyValueError::new_err(format!(
                        "unknown config operation {other:?}"
                    )))
                }
            });
        }
        let a = self.admin.clone();
        block_on(py, async move {
            a.incremental_alter_configs(&res, &list, validate_only)
                .await
        })
    }

    fn create_partitions(
        &self,
        py: Python<'_>,
        topic: String,
        total: i32,
        validate_only: bool,
    ) -> PyResult<()> {
        let a = self.admin.clone();
        block_on(py, async move {
            a.create_partitions(&topic, total, validate_only).await
        })
    }

    /// `[(group_id, protocol_type, state, group_type)]` (state and type: None where the
    /// broker's ListGroups version does not carry them).
    fn list_groups(&self, py: Python<'_>) -> PyResult<Vec<GroupTuple>> {
        let a = self.admin.clone();
        let groups = block_on(py, async move { a.list_groups().await })?;
        Ok(groups
            .into_iter()
            .map(|g| (g.group_id, g.protocol_type, g.state, g.group_type))
            .collect())
    }

    /// `{group_id, state, protocol_type, protocol, authorized_operations, members: [{member_id, group_instance_id,
    /// client_id, client_host, assignment: [(topic, partition)], member_metadata,
    /// member_assignment}]}` (the last two: the bytes the broker returned).
    fn describe_group<'py>(&self, py: Python<'py>, group: String) -> PyResult<Bound<'py, PyDict>> {
        let a = self.admin.clone();
        let g = block_on(py, async move { a.describe_group(&group).await })?;
        let d = PyDict::new(py);
        d.set_item("group_id", &g.group_id)?;
        d.set_item("state", &g.state)?;
        d.set_item("protocol_type", &g.protocol_type)?;
        d.set_item("protocol", &g.protocol)?;
        d.set_item("authorized_operations", g.authorized_operations)?;
        let members = PyList::empty(py);
        for m in &g.members {
            let md = PyDict::new(py);
            md.set_item("member_id", &m.member_id)?;
            md.set_item("group_instance_id", &m.group_instance_id)?;
            md.set_item("client_id", &m.client_id)?;
            md.set_item("client_host", &m.host)?;
            md.set_item("assignment", tp_list(py, &m.assignment)?)?;
            md.set_item("member_metadata", PyBytes::new(py, &m.member_metadata))?;
            md.set_item("member_assignment", PyBytes::new(py, &m.member_assignment))?;
            members.append(md)?;
        }
        d.set_item("members", members)?;
        Ok(d)
    }

    fn delete_groups(&self, py: Python<'_>, groups: Vec<String>) -> PyResult<()> {
        let a = self.admin.clone();
        block_on(py, async move {
            let names: Vec<&str> = groups.iter().map(String::as_str).collect();
            a.delete_groups(&names).await
        })
    }

    /// `{(topic, partition): (offset, metadata, leader_epoch)}`.
    #[pyo3(signature = (group, partitions=None))]
    fn list_group_offsets<'py>(
        &self,
        py: Python<'py>,
        group: String,
        partitions: Option<Vec<(String, i32)>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let a = self.admin.clone();
        let parts = partitions.map(convert::tps);
        let found = block_on(py, async move {
            a.list_group_offsets(&group, parts.as_deref()).await
        })?;
        convert::offsets_dict(py, found.iter())
    }

    fn alter_group_offsets(
        &self,
        py: Python<'_>,
        group: String,
        offsets: Vec<OffsetTuple>,
    ) -> PyResult<()> {
        let a = self.admin.clone();
        let offsets = convert::offsets(offsets);
        block_on(
            py,
            async move { a.alter_group_offsets(&group, &offsets).await },
        )
    }

    fn delete_group_offsets(
        &self,
        py: Python<'_>,
        group: String,
        partitions: Vec<(String, i32)>,
    ) -> PyResult<()> {
        let a = self.admin.clone();
        let parts = convert::tps(partitions);
        block_on(
            py,
            async move { a.delete_group_offsets(&group, &parts).await },
        )
    }

    /// `query`: `[(topic, partition, spec)]` with spec -2 earliest, -1 latest, -3 max
    /// timestamp or a timestamp; `{(topic, partition): (offset, timestamp, leader_epoch)}`.
    fn list_offsets<'py>(
        &self,
        py: Python<'py>,
        query: Vec<(String, i32, i64)>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let a = self.admin.clone();
        let q: BTreeMap<TopicPartition, i64> = query
            .into_iter()
            .map(|(t, p, s)| (TopicPartition::new(t, p), s))
            .collect();
        let found = block_on(py, async move { a.list_offsets(&q).await })?;
        let d = PyDict::new(py);
        for (tp, o) in &found {
            d.set_item(
                tp_tuple(py, tp)?,
                (o.offset, o.timestamp, o.leader_epoch.unwrap_or(-1)),
            )?;
        }
        Ok(d)
    }

    /// `before`: `[(topic, partition, offset)]`; `{(topic, partition): low_watermark}`.
    fn delete_records<'py>(
        &self,
        py: Python<'py>,
        before: Vec<(String, i32, i64)>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let a = self.admin.clone();
        let q: BTreeMap<TopicPartition, i64> = before
            .into_iter()
            .map(|(t, p, o)| (TopicPartition::new(t, p), o))
            .collect();
        let found = block_on(py, async move { a.delete_records(&q).await })?;
        let d = PyDict::new(py);
        for (tp, low) in &found {
            d.set_item(tp_tuple(py, tp)?, low)?;
        }
        Ok(d)
    }

    fn close(&self) {
        self.admin.close();
    }
}

/// A described member's `member_metadata` (ConsumerProtocolSubscription): `(version, topics,
/// user_data, [(topic, [partition])] owned, generation_id, rack_id)`; malformed bytes raise.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn decode_member_metadata<'py>(
    py: Python<'py>,
    data: &[u8],
) -> PyResult<(
    i16,
    Vec<String>,
    Option<Bound<'py, PyBytes>>,
    TopicPartitions,
    i32,
    Option<String>,
)> {
    let s = errors::check(py, admin::decode_member_subscription(data))?;
    Ok((
        s.version,
        s.topics,
        s.user_data.map(|u| PyBytes::new(py, &u)),
        s.owned_partitions,
        s.generation_id,
        s.rack_id,
    ))
}

/// A described member's `member_assignment` (ConsumerProtocolAssignment): `(version,
/// [(topic, [partition])], user_data)`; malformed bytes raise.
#[pyfunction]
pub fn decode_member_assignment<'py>(
    py: Python<'py>,
    data: &[u8],
) -> PyResult<(i16, TopicPartitions, Option<Bound<'py, PyBytes>>)> {
    let a = errors::check(py, admin::decode_member_assignment(data))?;
    Ok((
        a.version,
        a.assigned_partitions,
        a.user_data.map(|u| PyBytes::new(py, &u)),
    ))
}
