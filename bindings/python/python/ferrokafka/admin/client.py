"""``KafkaAdminClient``: kafka-python's admin client over the native core.

Owns kafka-python's method names (3.0 names and the 2.x ones they replaced) and result shapes
built from the native admin's plain values. Protocol, coordinator lookup and retries are the
core's. ACLs, leader elections, log dirs and SCRAM are not offered.
"""
from ferrokafka import _config, errors as Errors
from ferrokafka._native import NativeAdmin, decode_member_assignment, decode_member_metadata
from ferrokafka.admin.types import ConfigResourceType, NewPartitions, NewTopic
from ferrokafka.structs import OffsetAndMetadata, TopicPartition

_EARLIEST, _LATEST = -2, -1


def _code(exc):
    return 0 if exc is None else exc.errno


def _broker_message(exc, ok):
    """The broker's message of a per-item error (the core's message, with its own wording)."""
    return ok if exc is None else (exc.args[0] if exc.args else "")


# DescribeConfigs' config type ids by name (kafka-python's ConfigType).
_CONFIG_TYPES = {0: "UNKNOWN", 1: "BOOLEAN", 2: "STRING", 3: "INT", 4: "SHORT", 5: "LONG", 6: "DOUBLE",
                 7: "LIST", 8: "CLASS", 9: "PASSWORD"}


def _skip_config(flt, source, read_only):
    modified = source not in ("DYNAMIC_DEFAULT_BROKER_CONFIG", "STATIC_BROKER_CONFIG", "DEFAULT_CONFIG")
    if flt == "modified":
        return not modified
    if flt == "default":
        return modified
    if flt == "static":
        return source != "STATIC_BROKER_CONFIG"
    if flt == "dynamic":
        return read_only
    return False


def _text(data):
    """Bytes as kafka-python's ``to_dict()`` renders them; None stays None."""
    return None if data is None else data.decode(errors="backslashreplace")


def _by_topic(pairs):
    return [{"topic": t, "partitions": list(ps)} for t, ps in pairs]


def _member_metadata(data):
    """A described member's subscription bytes decoded as kafka-python's describe_groups shows
    them: the fields of the version written (v0 ``topics, user_data``; v1 ``owned_partitions``;
    v2 ``generation_id``; v3 ``rack_id``). Empty or undecodable bytes are kept, as text."""
    if not data:
        return _text(data)
    try:
        version, topics, user_data, owned, generation, rack = decode_member_metadata(data)
    except Errors.KafkaError:
        return _text(data)
    out = {"topics": topics, "user_data": _text(user_data)}
    if version >= 1:
        out["owned_partitions"] = _by_topic(owned)
    if version >= 2:
        out["generation_id"] = generation
    if version >= 3:
        out["rack_id"] = rack
    return out


def _member_assignment(data):
    """A described member's assignment bytes: ``{assigned_partitions: [{topic, partitions}],
    user_data}``, as kafka-python's describe_groups shows them."""
    if not data:
        return _text(data)
    try:
        _version, assigned, user_data = decode_member_assignment(data)
    except Errors.KafkaError:
        return _text(data)
    return {"assigned_partitions": _by_topic(assigned), "user_data": _text(user_data)}


# Kafka's AclOperation names by code; 0-2 (UNKNOWN, ANY, ALL) are never reported.
_ACL_OPERATIONS = {3: "READ", 4: "WRITE", 5: "CREATE", 6: "DELETE", 7: "ALTER", 8: "DESCRIBE",
                   9: "CLUSTER_ACTION", 10: "DESCRIBE_CONFIGS", 11: "ALTER_CONFIGS",
                   12: "IDEMPOTENT_WRITE", 13: "CREATE_TOKENS", 14: "DESCRIBE_TOKENS"}


def _acl_operations(bits):
    """An authorized-operations bit field as kafka-python lists it (names by code); None stays."""
    if bits is None:
        return None
    return [name for code, name in sorted(_ACL_OPERATIONS.items()) if bits & (1 << code)]


def _created_topic(name, exc, answer):
    """One topic of kafka-python's create_topics result; ``answer``: the native create_topics
    tuple ``(name, topic_id, num_partitions, replication_factor, configs, config_error_code,
    error_message)`` of a created topic (the broker's message: None when it sent null)."""
    if exc is not None or answer is None:
        return {"name": name, "topic_id": None, "error_code": _code(exc),
                "error_message": _broker_message(exc, ""), "topic_config_error_code": 0,
                "num_partitions": -1, "replication_factor": -1}
    _, topic_id, partitions, replication, configs, config_error, message = answer
    out = {"name": name, "topic_id": topic_id, "error_code": 0, "error_message": message,
           "topic_config_error_code": config_error, "num_partitions": partitions,
           "replication_factor": replication}
    if configs:
        out["configs"] = {n: {"value": v, "read_only": ro, "config_source": src, "is_sensitive": sens}
                          for n, v, ro, src, sens in configs}
    return out


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

    def _per_item(self, items, call, raise_errors):
        """Runs ``call(item)`` for each item; ``[(item, error or None)]``; with ``raise_errors``
        the first broker error is raised once every item has been tried (as one request would)."""
        out, first = [], None
        for it in items:
            try:
                call(it)
                out.append((it, None))
            except Errors.BrokerResponseError as exc:
                out.append((it, exc))
                first = first or exc
        if first is not None and raise_errors:
            raise first
        return out

    def create_topics(self, new_topics, timeout_ms=None, validate_only=False, raise_errors=True,
                      wait_for_metadata=False):
        """Creates topics: topic names, ``{name: {num_partitions, replication_factor, configs}}``,
        ``NewTopic`` objects or ``{name, num_partitions, ...}`` dicts. Returns kafka-python 3.0's
        ``{'topics': [{name, topic_id, error_code, error_message, topic_config_error_code,
        num_partitions, replication_factor, configs}]}`` as the broker answered (``configs``:
        ``{name: {value, read_only, config_source, is_sensitive}}``, absent for an error)."""
        if validate_only and wait_for_metadata:
            raise ValueError('validate_only and wait_for_metadata are mutually exclusive')
        if isinstance(new_topics, dict):
            new_topics = [NewTopic(name, d.get("num_partitions", -1), d.get("replication_factor", -1),
                                   topic_configs=d.get("configs")) for name, d in new_topics.items()]
        specs = []
        for t in new_topics:
            if isinstance(t, str):
                t = NewTopic(t)
            elif isinstance(t, dict):
                t = NewTopic(t["name"], t.get("num_partitions", -1), t.get("replication_factor", -1),
                             topic_configs=t.get("topic_configs") or t.get("configs"))
            specs.append((t.name, int(t.num_partitions), int(t.replication_factor),
                          {str(k): str(v) for k, v in (t.topic_configs or {}).items()}))
        if not specs:
            raise ValueError(f"No valid topics found in new_topics: {new_topics}")
        answers = {}

        def create(spec):
            answers[spec[0]] = self._native.create_topics([spec], bool(validate_only))[0]
        done = self._per_item(specs, create, raise_errors)
        return {"topics": [_created_topic(s[0], e, answers.get(s[0])) for s, e in done]}

    def delete_topics(self, topics, timeout_ms=None, raise_errors=True):
        """kafka-python 3.0's ``{'topics': [{name, topic_id, error_code, error_message}]}``."""
        ids = {}

        def delete(topic):
            ids.update(self._native.delete_topics([topic]))
        done = self._per_item(list(topics), delete, raise_errors)
        return {"topics": [dict(name=t, topic_id=ids.get(t), error_code=_code(e),
                                error_message=_broker_message(e, None)) for t, e in done]}

    def list_topics(self):
        return self._native.list_topics(False)

    def describe_topics(self, topics=None):
        """kafka-python 3.0's metadata dicts: ``[{error_code, name, topic_id, is_internal, partitions:
        [{error_code, partition_index, leader_id, leader_epoch, replica_nodes, isr_nodes,
        offline_replicas}]}]``; a missing topic
        is an entry with its ``error_code``, as there."""
        names = list(topics) if topics is not None else self.list_topics()
        try:
            found = self._native.describe_topics(names)
        except Errors.BrokerResponseError:
            found = []
            for name in names:
                try:
                    found.extend(self._native.describe_topics([name]))
                except Errors.BrokerResponseError as exc:
                    found.append({"error_code": exc.errno, "topic": name, "is_internal": False,
                                  "partitions": []})
        return [{"error_code": t["error_code"], "name": t["topic"], "topic_id": t.get("topic_id"),
                 "is_internal": t["is_internal"],
                 "partitions": [{"error_code": p["error_code"], "partition_index": p["partition"],
                                 "leader_id": p["leader"], "leader_epoch": p["leader_epoch"],
                                 "replica_nodes": p["replicas"], "isr_nodes": p["isr"],
                                 "offline_replicas": p["offline_replicas"]} for p in t["partitions"]],
                 "authorized_operations": _acl_operations(t.get("authorized_operations"))}
                for t in found]

    def describe_cluster(self):
        """``{cluster_id, controller_id, brokers: [{broker_id, host, port, rack, is_fenced}],
        authorized_operations}``
        (the core lists the brokers of a Metadata answer, which holds no fenced broker)."""
        c = self._native.describe_cluster()
        return {
            "cluster_id": c["cluster_id"],
            "controller_id": c["controller_id"],
            "brokers": [{"broker_id": b[0], "host": b[1], "port": b[2], "rack": b[3], "is_fenced": False}
                        for b in c["brokers"]],
            "authorized_operations": _acl_operations(c["authorized_operations"]),
        }

    def create_partitions(self, topic_partitions, timeout_ms=None, validate_only=False, raise_errors=True):
        """``topic_partitions``: ``{topic: total_count}``, ``{topic: {count: n}}`` or
        ``{topic: NewPartitions}``. Returns None (kafka-python returns its protocol response
        object, which ferrokafka does not have)."""
        def one(item):
            topic, np = item
            if isinstance(np, NewPartitions):
                total = np.total_count
            elif isinstance(np, dict):
                total = np["count"]
            else:
                total = int(np)
            self._native.create_partitions(topic, total, bool(validate_only))
        self._per_item(list(topic_partitions.items()), one, raise_errors)

    # ---- configs ---------------------------------------------------------------------------

    def describe_configs(self, config_resources, include_synonyms=False, config_filter="modified"):
        """kafka-python 3.0's ``{resource_type: {resource_name: {name: {value, read_only,
        config_source, is_sensitive, synonyms, config_type, documentation}}}}`` filtered by
        ``config_filter`` ('modified': overrides only; 'all'; 'default'; 'dynamic'; 'static');
        ``synonyms`` ``[{name, value, source}]`` with ``include_synonyms``, else empty."""
        flt = str(getattr(config_filter, "name", config_filter)).lower()
        out = {}
        for res in config_resources:
            keys = None if res.configs is None else set(res.configs)
            entries = self._config_details(res, include_synonyms)
            configs = {}
            for name, value, ro, source, sensitive, synonyms, type_id, doc in entries:
                if (keys is None or name in keys) and not _skip_config(flt, source, ro):
                    configs[name] = {"value": value, "read_only": ro, "config_source": source,
                                     "is_sensitive": sensitive,
                                     "synonyms": [{"name": n, "value": v, "source": src}
                                                  for n, v, src in synonyms],
                                     "config_type": _CONFIG_TYPES.get(type_id, "UNKNOWN"),
                                     "documentation": doc}
            out.setdefault(res.resource_type.name.lower(), {})[str(res.name)] = configs
        return out

    def _config_details(self, res, include_synonyms):
        """The native config tuples of ``res``; none for a missing topic, whose
        UNKNOWN_TOPIC_OR_PARTITION kafka-python does not raise (it reads no configs from that
        resource's result)."""
        try:
            return self._native.describe_config_details(_resource_kind(res), str(res.name),
                                                        bool(include_synonyms))
        except Errors.UnknownTopicOrPartitionError:
            return []

    def _validate_dynamic_configs(self, config_resources):
        """kafka-python's ``raise_on_unknown`` check: each key must be a config the resource
        lists as changeable (not read-only); a missing topic lists none."""
        for res in config_resources:
            known = {entry[0] for entry in self._config_details(res, False) if not entry[2]}
            unknown = set(res.configs or []) - known
            if unknown:
                raise ValueError("Unrecognized configs: %s" % (unknown,))

    def alter_configs(self, config_resources, validate_only=False, raise_on_unknown=True, incremental=None):
        """Sets each resource's ``configs`` (a value of ``None`` deletes the override);
        ``{resource_type: {resource_name: 'OK' | error}}`` as kafka-python 3.0, which with
        ``raise_on_unknown`` first raises ValueError for a key the resource does not list."""
        if raise_on_unknown:
            self._validate_dynamic_configs(config_resources)
        out = {}
        for res in config_resources:
            ops = []
            for k, v in (res.configs or {}).items():
                op = None
                if isinstance(v, tuple) and len(v) == 2:
                    op, v = v
                    op = str(getattr(op, "name", op)).upper()
                if op in ("DELETE", "1") or v is None:
                    ops.append(("delete", str(k), None))
                else:
                    ops.append(("set", str(k), str(v)))
            try:
                self._native.alter_configs(_resource_kind(res), str(res.name), ops, bool(validate_only))
                result = "OK"
            except Errors.BrokerResponseError as exc:
                # kafka-python's str() of the resource's error with the broker's message.
                result = str(type(exc)(getattr(exc, "broker_message", None)))
            out.setdefault(res.resource_type.name.lower(), {})[str(res.name)] = result
        return out

    # ---- groups ----------------------------------------------------------------------------

    def list_groups(self, broker_ids=None, states_filter=None, types_filter=None):
        """kafka-python 3.0's ``[{group_id, protocol_type, group_state, group_type}]``."""
        return [{"group_id": g, "protocol_type": p, "group_state": s, "group_type": t}
                for g, p, s, t in self._native.list_groups()]

    def list_consumer_groups(self, broker_ids=None):
        """``[(group_id, protocol_type)]`` (2.x name and shape)."""
        return [(g, p) for g, p, _s, _t in self._native.list_groups()]

    def describe_groups(self, group_ids, group_coordinator_id=None, include_authorized_operations=False):
        """kafka-python 3.0's ``{group_id: {group_id, group_state, protocol_type, protocol_data,
        members: [{member_id, group_instance_id, client_id, client_host, member_metadata,
        member_assignment}], error}}``, the members' metadata and assignment decoded as there
        (see ``_member_metadata``); a missing group is an entry with ``error`` set, as there."""
        out = {}
        for g in group_ids:
            try:
                d = self._native.describe_group(g)
            except Errors.GroupIdNotFoundError:
                out[g] = {"group_id": g, "group_state": "Dead", "protocol_type": "", "protocol_data": "",
                          "members": [], "authorized_operations": None,
                          "error": str(Errors.GroupIdNotFoundError("Group %s not found." % g))}
                continue
            members = [{"member_id": m["member_id"], "group_instance_id": m["group_instance_id"],
                        "client_id": m["client_id"], "client_host": m["client_host"],
                        "member_metadata": _member_metadata(m["member_metadata"]),
                        "member_assignment": _member_assignment(m["member_assignment"])}
                       for m in d["members"]]
            out[g] = {"group_id": d["group_id"], "group_state": d["state"], "protocol_type": d["protocol_type"],
                      "protocol_data": d["protocol"], "members": members,
                      "authorized_operations": _acl_operations(d["authorized_operations"]), "error": None}
        return out

    def describe_consumer_groups(self, group_ids, group_coordinator_id=None, include_authorized_operations=False):
        """2.x name: ``[{group_id, state, protocol_type, protocol, members: [{..., assignment:
        [TopicPartition]}]}]``."""
        out = []
        for g in group_ids:
            d = self._native.describe_group(g)
            for m in d["members"]:
                m["assignment"] = [TopicPartition(t, p) for t, p in m["assignment"]]
            out.append(d)
        return out

    def delete_groups(self, group_ids, group_coordinator_id=None):
        """kafka-python 3.0's ``{group_id: 'OK' | error class name}``."""
        done = self._per_item(list(group_ids), lambda g: self._native.delete_groups([g]), False)
        return {g: "OK" if e is None else type(e).__name__ for g, e in done}

    def delete_consumer_groups(self, group_ids, group_coordinator_id=None):
        """2.x name: ``[(group_id, error class)]``."""
        return [(g, Errors.NoError if r == "OK" else getattr(Errors, r))
                for g, r in self.delete_groups(group_ids).items()]

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
        """``{TopicPartition: offset}`` -> ``{TopicPartition: {partition_index, low_watermark,
        error_code}}`` (kafka-python 3.0)."""
        found = self._native.delete_records([(tp.topic, tp.partition, int(o)) for tp, o in records_to_delete.items()])
        return {TopicPartition(t, p): {"partition_index": p, "low_watermark": low, "error_code": 0}
                for (t, p), low in found.items()}
