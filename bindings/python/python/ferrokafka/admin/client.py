"""``KafkaAdminClient``: kafka-python's admin client over the native core.

Owns kafka-python's method names (3.0 names and the 2.x ones they replaced) and result shapes
built from the native admin's plain values. Protocol, coordinator lookup and retries are the
core's. ACLs, leader elections, log dirs and SCRAM are not offered.
"""
from ferrokafka import _config, errors as Errors
from ferrokafka._native import NativeAdmin
from ferrokafka.admin.types import ConfigResourceType, NewPartitions, NewTopic
from ferrokafka.structs import OffsetAndMetadata, TopicPartition

_EARLIEST, _LATEST = -2, -1


def _resource_kind(res):
    if res.resource_type == ConfigResourceType.TOPIC:
        return "topic"
    if res.resource_type == ConfigResourceType.BROKER:
        return "broker"
    raise Errors.IllegalArgumentError("unsupported config resource type %s" % (res.resource_type,))


class KafkaAdminClient:
    """kafka-python's ``KafkaAdminClient(**configs)``."""

    def __init__(self, **configs):
        core, _ = _config.translate(configs, _config.ADMIN, set(), _config.ADMIN_IGNORED, "admin")
        self.config = dict(configs)
        self._native = NativeAdmin(core)
        self._closed = False

    def close(self):
        if not self._closed:
            self._closed = True
            self._native.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- topics ----------------------------------------------------------------------------

    def create_topics(self, new_topics, timeout_ms=None, validate_only=False, raise_errors=True,
                      wait_for_metadata=False):
        """Creates topics (``NewTopic`` objects or ``{name, num_partitions, ...}`` dicts)."""
        specs = []
        for t in new_topics:
            if isinstance(t, dict):
                t = NewTopic(t["name"], t.get("num_partitions", -1), t.get("replication_factor", -1),
                             topic_configs=t.get("topic_configs") or t.get("configs"))
            specs.append((t.name, int(t.num_partitions), int(t.replication_factor),
                          {str(k): str(v) for k, v in (t.topic_configs or {}).items()}))
        try:
            self._native.create_topics(specs, bool(validate_only))
        except Errors.KafkaError:
            if raise_errors:
                raise

    def delete_topics(self, topics, timeout_ms=None, raise_errors=True):
        try:
            self._native.delete_topics(list(topics))
        except Errors.KafkaError:
            if raise_errors:
                raise

    def list_topics(self):
        return self._native.list_topics(False)

    def describe_topics(self, topics=None):
        names = list(topics) if topics is not None else self.list_topics()
        return self._native.describe_topics(names)

    def describe_cluster(self):
        c = self._native.describe_cluster()
        return {
            "cluster_id": c["cluster_id"],
            "controller_id": c["controller_id"],
            "brokers": [{"node_id": b[0], "host": b[1], "port": b[2], "rack": b[3]} for b in c["brokers"]],
        }

    def create_partitions(self, topic_partitions, timeout_ms=None, validate_only=False, raise_errors=True):
        """``topic_partitions``: ``{topic: NewPartitions}`` (or ``{topic: total_count}``)."""
        for topic, np in topic_partitions.items():
            total = np.total_count if isinstance(np, NewPartitions) else int(np)
            try:
                self._native.create_partitions(topic, total, bool(validate_only))
            except Errors.KafkaError:
                if raise_errors:
                    raise

    # ---- configs ---------------------------------------------------------------------------

    def describe_configs(self, config_resources, include_synonyms=False, config_filter=None):
        """One dict per resource: ``{resource_type, resource_name, configs: {name: {...}}}``."""
        out = []
        for res in config_resources:
            keys = list(res.configs) if res.configs else None
            entries = self._native.describe_configs(_resource_kind(res), str(res.name), keys)
            out.append({
                "resource_type": int(res.resource_type),
                "resource_name": str(res.name),
                "configs": {name: {"value": value, "read_only": ro, "is_default": default,
                                   "is_sensitive": sensitive}
                            for name, value, ro, default, sensitive in entries},
            })
        return out

    def alter_configs(self, config_resources, validate_only=False, raise_on_unknown=True, incremental=None):
        """Sets each resource's ``configs`` (a value of ``None`` deletes the override)."""
        for res in config_resources:
            ops = [("set" if v is not None else "delete", str(k), None if v is None else str(v))
                   for k, v in (res.configs or {}).items()]
            self._native.alter_configs(_resource_kind(res), str(res.name), ops, bool(validate_only))

    # ---- groups ----------------------------------------------------------------------------

    def list_groups(self, broker_ids=None, states_filter=None, types_filter=None):
        """``[{'group_id', 'protocol_type', 'state'}]`` (3.0 shape)."""
        return [{"group_id": g, "protocol_type": p, "state": s} for g, p, s in self._native.list_groups()]

    def list_consumer_groups(self, broker_ids=None):
        """``[(group_id, protocol_type)]`` (2.x shape)."""
        return [(g, p) for g, p, _ in self._native.list_groups()]

    def describe_groups(self, group_ids, group_coordinator_id=None, include_authorized_operations=False):
        out = []
        for g in group_ids:
            d = self._native.describe_group(g)
            for m in d["members"]:
                m["assignment"] = [TopicPartition(t, p) for t, p in m["assignment"]]
            out.append(d)
        return out

    describe_consumer_groups = describe_groups

    def delete_groups(self, group_ids, group_coordinator_id=None):
        self._native.delete_groups(list(group_ids))
        return [(g, Errors.NoError) for g in group_ids]

    delete_consumer_groups = delete_groups

    def list_consumer_group_offsets(self, group_id, group_coordinator_id=None, partitions=None):
        """``{TopicPartition: OffsetAndMetadata}`` committed by ``group_id``."""
        parts = None if partitions is None else [(tp.topic, tp.partition) for tp in partitions]
        found = self._native.list_group_offsets(group_id, parts)
        return {TopicPartition(t, p): OffsetAndMetadata(*om) for (t, p), om in found.items() if om[0] >= 0}

    def list_group_offsets(self, group_specs):
        """3.0 form: ``{group_id: partitions_or_None}`` -> ``{group_id: {tp: OffsetAndMetadata}}``."""
        if isinstance(group_specs, str):
            group_specs = {group_specs: None}
        return {g: self.list_consumer_group_offsets(g, partitions=parts) for g, parts in group_specs.items()}

    def alter_group_offsets(self, group_id, offsets, group_coordinator_id=None):
        """``offsets``: ``{TopicPartition: OffsetAndMetadata | int}`` (the group must be empty)."""
        tuples = []
        for tp, om in offsets.items():
            if isinstance(om, int):
                tuples.append((tp.topic, tp.partition, om, "", -1))
            else:
                tuples.append((tp.topic, tp.partition, om[0], (om[1] if len(om) > 1 else "") or "",
                               om[2] if len(om) > 2 and om[2] is not None else -1))
        self._native.alter_group_offsets(group_id, tuples)

    def reset_group_offsets(self, group_id, offset_specs, group_coordinator_id=None):
        """``offset_specs``: ``{TopicPartition: 'earliest' | 'latest' | offset}``."""
        query, fixed = [], {}
        for tp, spec in offset_specs.items():
            if spec in ("earliest", _EARLIEST):
                query.append((tp.topic, tp.partition, _EARLIEST))
            elif spec in ("latest", _LATEST):
                query.append((tp.topic, tp.partition, _LATEST))
            else:
                fixed[tp] = int(spec)
        if query:
            for (t, p), (off, _, _) in self._native.list_offsets(query).items():
                fixed[TopicPartition(t, p)] = off
        self.alter_group_offsets(group_id, fixed)
        return fixed

    def delete_group_offsets(self, group_id, partitions, group_coordinator_id=None):
        self._native.delete_group_offsets(group_id, [(tp.topic, tp.partition) for tp in partitions])

    # ---- records ---------------------------------------------------------------------------

    def list_partition_offsets(self, topic_partition_specs, isolation_level=None, timeout_ms=None):
        """``{TopicPartition: 'earliest'|'latest'|timestamp}`` -> ``{TopicPartition: offset}``."""
        query = []
        for tp, spec in topic_partition_specs.items():
            s = {"earliest": _EARLIEST, "latest": _LATEST}.get(spec, spec)
            query.append((tp.topic, tp.partition, int(s)))
        return {TopicPartition(t, p): v[0] for (t, p), v in self._native.list_offsets(query).items()}

    def delete_records(self, records_to_delete, timeout_ms=None, partition_leader_id=None):
        """``{TopicPartition: offset}`` -> ``{TopicPartition: {'low_watermark': n}}``."""
        found = self._native.delete_records([(tp.topic, tp.partition, int(o)) for tp, o in records_to_delete.items()])
        return {TopicPartition(t, p): {"low_watermark": low} for (t, p), low in found.items()}
