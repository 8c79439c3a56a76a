"""``AIOKafkaAdminClient``: aiokafka 0.14's admin client over ferrokafka's ``KafkaAdminClient``.

Owns aiokafka's method set and result shapes: the protocol response objects of
``responses.py`` where aiokafka returns its raw responses (create/delete topics, create
partitions, describe/alter configs, describe groups), metadata dicts for ``describe_topics`` and
``describe_cluster``, ``(group, protocol_type)`` tuples, ``{TopicPartition: OffsetAndMetadata}``
and ``{TopicPartition: low_watermark}``; and aiokafka's errors (``ferrokafka.aio.errors``). Each
call runs on one worker thread, so the event loop never waits.
"""
import asyncio
import concurrent.futures

from ferrokafka import errors as _kp
from ferrokafka.admin import KafkaAdminClient
from ferrokafka.aio._bootstrap import bootstrap_hosts
from ferrokafka.aio._raise import raises_aio
from ferrokafka.aio.admin import responses as R
from ferrokafka.aio.admin.config_resource import ConfigResourceType
from ferrokafka.aio.errors import NodeNotReadyError, for_code
from ferrokafka.aio.structs import OffsetAndMetadata, TopicPartition

# DescribeConfigs' config_source ids by Kafka's ConfigSource name.
_SOURCE = {"UNKNOWN": 0, "DYNAMIC_TOPIC_CONFIG": 1, "DYNAMIC_BROKER_CONFIG": 2,
           "DYNAMIC_DEFAULT_BROKER_CONFIG": 3, "STATIC_BROKER_CONFIG": 4, "DEFAULT_CONFIG": 5,
           "DYNAMIC_BROKER_LOGGER_CONFIG": 6, "DYNAMIC_CLIENT_METRICS_CONFIG": 7,
           "DYNAMIC_GROUP_CONFIG": 8}
_AIOKAFKA_ADMIN_KEYS = {
    "bootstrap_servers", "client_id", "request_timeout_ms", "connections_max_idle_ms",
    "retry_backoff_ms", "metadata_max_age_ms", "security_protocol", "ssl_context", "api_version",
    "sasl_mechanism", "sasl_plain_username", "sasl_plain_password", "sasl_kerberos_service_name",
    "sasl_kerberos_domain_name", "sasl_oauth_token_provider",
    # ferrokafka's own: TLS files where an ssl_context cannot be read back (aio/helpers.py)
    "ssl_cafile", "ssl_certfile", "ssl_keyfile",
}


def _kind(resource_type):
    return "broker" if int(resource_type) == ConfigResourceType.BROKER else "topic"


def _error(exc, ok_message=None):
    """``(error_code, error_message)`` of a per-item outcome: the broker's own message."""
    if exc is None:
        return 0, ok_message
    return exc.errno, getattr(exc, "broker_message", None)


class AIOKafkaAdminClient:
    """aiokafka's ``AIOKafkaAdminClient(**configs)`` (keyword-only, aiokafka's names)."""

    def __init__(self, *, loop=None, **configs):
        unknown = set(configs) - _AIOKAFKA_ADMIN_KEYS
        if unknown:
            raise TypeError("AIOKafkaAdminClient.__init__() got an unexpected keyword argument %r"
                            % sorted(unknown)[0])
        configs.setdefault("bootstrap_servers", "localhost")
        configs.setdefault("client_id", "aiokafka-0.14.0")
        self._request_timeout_ms = configs.get("request_timeout_ms", 40000)
        self._configs = configs
        self._admin = None
        self._started = False
        self._closed = False
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ferrokafka-aio-admin")

    @property
    def _sync(self):
        if self._admin is None:
            # aiokafka sends to a node of the metadata it has not fetched yet
            raise NodeNotReadyError("Attempt to send a request to node which is not ready (node id None).")
        return self._admin

    async def _call(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, lambda: fn(*args, **kwargs))

    @raises_aio
    async def start(self):
        if self._started:
            return
        loop = asyncio.get_running_loop()
        sync = await loop.run_in_executor(self._worker, lambda: KafkaAdminClient(**self._configs))
        try:
            await loop.run_in_executor(self._worker, sync._native.describe_cluster)
        except _kp.KafkaError:
            await loop.run_in_executor(self._worker, sync.close)
            raise _kp.KafkaConnectionError(
                "Unable to bootstrap from %s" % (bootstrap_hosts(self._configs["bootstrap_servers"]),)) from None
        self._admin = sync
        self._started = True

    async def close(self):
        if self._closed:
            return
        if self._admin is not None:
            await self._call(self._admin.close)
        self._closed = True
        self._worker.shutdown(wait=False)

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.close()

    def _per_item(self, items, call):
        return self._sync._per_item(items, call, False)

    # ---- topics --------------------------------------------------------------------------------

    @raises_aio
    async def create_topics(self, new_topics, timeout_ms=None, validate_only=False):
        """``CreateTopicsResponse_v3``: one ``(topic, error_code, error_message)`` per topic
        (aiokafka does not raise a topic's error)."""
        specs = [(t.name, int(t.num_partitions), int(t.replication_factor),
                  {str(k): str(v) for k, v in (t.topic_configs or {}).items()}) for t in new_topics]
        native = self._sync._native
        messages = {}

        def create(spec):
            # The broker's message for a created topic (None when it sent null, as Kafka does).
            messages[spec[0]] = native.create_topics([spec], bool(validate_only))[0][6]
        done = await self._call(self._per_item, specs, create)
        return R.CreateTopicsResponse_v3(
            0, [(s[0],) + _error(e, messages.get(s[0])) for s, e in done])

    @raises_aio
    async def delete_topics(self, topics, timeout_ms=None):
        """``DeleteTopicsResponse_v3``: one ``(topic, error_code)`` per topic."""
        native = self._sync._native
        done = await self._call(self._per_item, list(topics), lambda t: native.delete_topics([t]))
        return R.DeleteTopicsResponse_v3(0, [(t, _error(e)[0]) for t, e in done])

    @raises_aio
    async def list_topics(self):
        return await self._call(self._sync._native.list_topics, True)

    def _describe_topics(self, names):
        native = self._sync._native
        out = []
        for name in names:
            try:
                out.extend(native.describe_topics([name]))
            except _kp.BrokerResponseError as exc:
                out.append({"error_code": exc.errno, "topic": name, "is_internal": False, "partitions": []})
        for t in out:
            t.pop("topic_id", None)  # aiokafka's Metadata request is v1: no topic ids
            t.pop("authorized_operations", None)
            for p in t["partitions"]:
                p.pop("leader_epoch", None)  # Metadata v1 has none either
        return out

    @raises_aio
    async def describe_topics(self, topics=None):
        """The Metadata answer's topics: ``[{error_code, topic, is_internal, partitions:
        [{error_code, partition, leader, replicas, isr, offline_replicas}]}]``."""
        names = list(topics) if topics is not None else await self.list_topics()
        return await self._call(self._describe_topics, names)

    @raises_aio
    async def describe_cluster(self):
        """The Metadata answer without its topics: ``{throttle_time_ms, brokers: [{node_id, host,
        port, rack}], cluster_id, controller_id}``."""
        c = await self._call(self._sync._native.describe_cluster)
        return {"throttle_time_ms": 0,
                "brokers": [{"node_id": b[0], "host": b[1], "port": b[2], "rack": b[3]} for b in c["brokers"]],
                "cluster_id": c["cluster_id"], "controller_id": c["controller_id"]}

    @raises_aio
    async def create_partitions(self, topic_partitions, timeout_ms=None, validate_only=False):
        """``CreatePartitionsResponse_v1``; a topic's error is raised, as aiokafka does:
        ``<ErrorClass>("Could not create partitions for <topic>: <broker message>")``."""
        native = self._sync._native
        done = await self._call(self._per_item, list(topic_partitions.items()),
                                lambda item: native.create_partitions(item[0], int(item[1].total_count),
                                                                      bool(validate_only)))
        for (topic, _), e in done:
            if e is not None:
                code, message = _error(e)
                raise for_code(code)("Could not create partitions for %s: %s" % (topic, message))
        return R.CreatePartitionsResponse_v1(0, [(topic, 0, None) for (topic, _), _e in done])

    # ---- configs -------------------------------------------------------------------------------

    def _describe_one(self, res, include_synonyms):
        rtype = int(res.resource_type)
        try:
            entries = self._sync._native.describe_config_details(_kind(rtype), str(res.name),
                                                                 bool(include_synonyms))
        except _kp.BrokerResponseError as exc:
            code, message = _error(exc)
            return (code, message, rtype, str(res.name), [])
        keys = set(res.configs) if res.configs else None
        return (0, "", rtype, str(res.name),
                [(name, value, ro, _SOURCE.get(source, 0), sensitive,
                  [(sn, sv, _SOURCE.get(ss, 0)) for sn, sv, ss in synonyms])
                 for name, value, ro, source, sensitive, synonyms, *_ in entries
                 if keys is None or name in keys])

    @raises_aio
    async def describe_configs(self, config_resources, include_synonyms=False):
        """A list of ``DescribeConfigsResponse_v2``: one for the topics, one per broker."""
        topics = [r for r in config_resources if int(r.resource_type) != ConfigResourceType.BROKER]
        brokers = {}
        for r in config_resources:
            if int(r.resource_type) == ConfigResourceType.BROKER:
                brokers.setdefault(int(r.name), []).append(r)
        groups = list(brokers.values()) + ([topics] if topics else [])
        out = []
        for group in groups:
            found = [await self._call(self._describe_one, r, include_synonyms) for r in group]
            out.append(R.DescribeConfigsResponse_v2(0, found))
        return out

    def _alter_one(self, res):
        ops = [("delete", str(k), None) if v is None else ("set", str(k), str(v))
               for k, v in (res.configs or {}).items()]
        try:
            self._sync._native.alter_configs(_kind(res.resource_type), str(res.name), ops, False)
            return (0, None, int(res.resource_type), str(res.name))
        except _kp.BrokerResponseError as exc:
            code, message = _error(exc)
            return (code, message, int(res.resource_type), str(res.name))

    @raises_aio
    async def alter_configs(self, config_resources):
        """A list of ``AlterConfigsResponse_v1``: the topics' first, then one per broker."""
        topics = [r for r in config_resources if int(r.resource_type) != ConfigResourceType.BROKER]
        brokers = {}
        for r in config_resources:
            if int(r.resource_type) == ConfigResourceType.BROKER:
                brokers.setdefault(int(r.name), []).append(r)
        out = []
        for group in [topics] + list(brokers.values()):
            out.append(R.AlterConfigsResponse_v1(0, [await self._call(self._alter_one, r) for r in group]))
        return out

    # ---- groups --------------------------------------------------------------------------------

    def _describe_group(self, group_id):
        try:
            d = self._sync._native.describe_group(group_id)
        except _kp.GroupIdNotFoundError:
            # DescribeGroups up to v5 (aiokafka's) answers an unknown group as a Dead one
            return (0, group_id, "Dead", "", "", [])
        except _kp.BrokerResponseError as exc:
            return (exc.errno, group_id, "", "", "", [])
        members = [(m["member_id"], m["client_id"], m["client_host"], m["member_metadata"],
                    m["member_assignment"]) for m in d["members"]]
        return (0, d["group_id"], d["state"], d["protocol_type"], d["protocol"], members)

    @raises_aio
    async def describe_consumer_groups(self, group_ids, group_coordinator_id=None,
                                       include_authorized_operations=False):
        """A list with one ``DescribeGroupsResponse_v2`` per coordinator (one broker: one)."""
        found = [await self._call(self._describe_group, g) for g in dict.fromkeys(group_ids)]
        return [R.DescribeGroupsResponse_v2(0, found)] if found else []

    @raises_aio
    async def list_consumer_groups(self, broker_ids=None):
        """``[(group_id, protocol_type)]``."""
        return [(g, p) for g, p, _s, _t in await self._call(self._sync._native.list_groups)]

    @raises_aio
    async def find_coordinator(self, group_id, coordinator_type=0):
        """The coordinator's node id (one broker here: the controller's)."""
        c = await self._call(self._sync._native.describe_cluster)
        return c["brokers"][0][0] if len(c["brokers"]) == 1 else c["controller_id"]

    @raises_aio
    async def list_consumer_group_offsets(self, group_id, group_coordinator_id=None, partitions=None):
        """``{TopicPartition: OffsetAndMetadata(offset, metadata)}``; ``-1`` for a named
        partition without a committed offset."""
        parts = None if not partitions else [(tp.topic, tp.partition) for tp in partitions]
        found = await self._call(self._sync._native.list_group_offsets, group_id, parts)
        out = {TopicPartition(t, p): OffsetAndMetadata(om[0], om[1]) for (t, p), om in found.items()}
        for t, p in parts or ():
            out.setdefault(TopicPartition(t, p), OffsetAndMetadata(-1, ""))
        return out

    async def delete_consumer_groups(self, group_ids, group_coordinator_id=None):
        """Not in aiokafka 0.14 (kept from earlier ferrokafka): ``[(group_id, error class)]``."""
        return await self._call(self._sync.delete_consumer_groups, group_ids)

    # ---- records -------------------------------------------------------------------------------

    @raises_aio
    async def delete_records(self, records_to_delete, timeout_ms=None):
        """``{TopicPartition: low_watermark}``."""
        req = [(tp.topic, tp.partition, int(r.before_offset)) for tp, r in records_to_delete.items()]
        try:
            found = await self._call(self._sync._native.delete_records, req)
        except _kp.BrokerResponseError as exc:
            raise for_code(exc.errno)() from None  # aiokafka raises the bare class
        return {TopicPartition(t, p): low for (t, p), low in found.items()}
