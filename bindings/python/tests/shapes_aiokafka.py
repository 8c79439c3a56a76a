"""The aiokafka shape program: a broad set of aiokafka 0.14's public API run through one library.

``run(mods, bootstrap, prefix)`` takes the modules of one library (``aio``: ``aiokafka`` or
``ferrokafka.aio``; ``admin``, ``errors``, ``structs``: its ``.admin``, ``.errors``,
``.structs``) and records, with ``shapes_common.Recorder``, the shape of each admin, producer and
consumer result and of each error (see ``test_shapes_aio.py``, which runs it with both libraries
against one broker and diffs). ``python shapes_aiokafka.py aiokafka|ferrokafka`` prints one
recording against a LocalBroker.
"""
import asyncio
import dataclasses
import importlib
import inspect
import time

from shapes_common import Recorder, error_shape, shape, value

MAX_WAIT_S = 20.0
_TS = int(time.time()) * 1000

LIBS = {
    "aiokafka": ("aiokafka", "aiokafka.admin", "aiokafka.errors", "aiokafka.structs"),
    "ferrokafka": ("ferrokafka.aio", "ferrokafka.aio.admin", "ferrokafka.aio.errors",
                   "ferrokafka.aio.structs"),
}


class Mods:
    def __init__(self, name):
        self.name = name
        self.aio, self.admin, self.errors, self.structs = (importlib.import_module(m) for m in LIBS[name])


def struct_shape(obj, prefix="", keep=shape):
    """A protocol response (aiokafka's ``Struct``: class name and ``to_object()``), a dataclass
    (its fields) or anything ``keep`` handles."""
    if callable(getattr(obj, "to_object", None)) and callable(getattr(obj, "get_item", None)):
        return {"__struct__": type(obj).__name__, "object": keep(obj.to_object(), prefix)}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"__dataclass__": type(obj).__name__,
                **{f.name: keep(getattr(obj, f.name), prefix) for f in dataclasses.fields(obj)}}
    if isinstance(obj, list) and obj and all(callable(getattr(o, "to_object", None)) for o in obj):
        return ["list"] + [struct_shape(o, prefix, keep) for o in obj]
    return keep(obj, prefix)


def struct_value(obj, prefix=""):
    return struct_shape(obj, prefix, keep=value)


def named_mro(cls, errors):
    """The classes of ``cls``'s MRO that the errors module names (builtins too): ferrokafka's
    also derive from ferrokafka.errors' same-named classes, which test_shapes_aio checks apart."""
    return [c.__name__ for c in cls.__mro__
            if c.__module__ == "builtins" or getattr(errors, c.__name__, None) is c]


async def acall(rec, case, fn, *args, keep=shape, timeout=MAX_WAIT_S, **kwargs):
    """Awaits ``fn(*args, **kwargs)`` (or calls it, when it is not a coroutine function);
    records ``keep(result)`` or the error."""
    try:
        result = fn(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await asyncio.wait_for(result, timeout)
    except Exception as exc:  # noqa: BLE001 - recording errors is the point
        rec.out[case] = dict(error_shape(exc, rec.prefix), mro=named_mro(type(exc), rec.errors))
        return None
    rec.out[case] = keep(result, rec.prefix)
    return result


def exports(m, rec):
    ref = importlib.import_module("aiokafka")
    rec.put("exports/aio", {n: hasattr(m.aio, n) for n in ref.__all__})
    for mod in ("admin", "errors", "structs"):
        r = importlib.import_module("aiokafka." + mod)
        rec.put("exports/" + mod, {n: hasattr(getattr(m, mod), n) for n in getattr(r, "__all__", ())})
    abc_mod = importlib.import_module(m.aio.__name__ + ".abc")
    rec.put("exports/abc", [n for n in ("ConsumerRebalanceListener", "AbstractTokenProvider")
                            if hasattr(abc_mod, n)])
    rec.put("exports/abc listener is aio's", abc_mod.ConsumerRebalanceListener is m.aio.ConsumerRebalanceListener)
    cfg = m.admin.__name__ + ".config_resource"
    try:
        mod = importlib.import_module(cfg)
        rec.put("exports/admin.config_resource", [hasattr(mod, "ConfigResource"), hasattr(mod, "ConfigResourceType")])
    except ImportError as exc:
        rec.put("exports/admin.config_resource", type(exc).__name__)


def structs_and_errors(m, rec):
    for name in ("TopicPartition", "OffsetAndMetadata", "OffsetAndTimestamp", "RecordMetadata",
                 "BrokerMetadata", "PartitionMetadata"):
        cls = getattr(m.structs, name, None)
        rec.put("structs/" + name, None if cls is None else
                {"fields": list(cls._fields), "defaults": cls._field_defaults})
    rec.put("structs/ConsumerRecord", [f.name for f in dataclasses.fields(m.structs.ConsumerRecord)])
    rec.put("structs/TopicPartition repr", repr(m.structs.TopicPartition("t", 1)))
    rec.put("structs/aio is structs", [getattr(m.aio, n) is getattr(m.structs, n)
                                       for n in ("TopicPartition", "ConsumerRecord", "OffsetAndMetadata")])
    ref = importlib.import_module("aiokafka.errors")
    for name, cls in sorted(vars(ref).items()):
        if not (inspect.isclass(cls) and issubclass(cls, BaseException)) or name.startswith("_"):
            continue
        ours = getattr(m.errors, name, None)
        if ours is None:
            rec.put("errors/" + name, None)
            continue
        try:
            plain, with_arg = str(ours()), str(ours("detail"))
        except Exception as exc:  # noqa: BLE001
            plain = with_arg = type(exc).__name__
        rec.put("errors/" + name, {
            "mro": named_mro(ours, m.errors),
            "errno": getattr(ours, "errno", None),
            "retriable": getattr(ours, "retriable", None),
            "invalid_metadata": getattr(ours, "invalid_metadata", None),
            "message": getattr(ours, "message", None),
            "description": getattr(ours, "description", None),
            "str()": plain, "str('detail')": with_arg,
        })
    rec.put("errors/for_code", [m.errors.for_code(c).__name__ for c in (3, 10, 13, 36, 87, 9999)])
    rec.put("errors/kafka_errors", sorted(getattr(m.errors, "kafka_errors", {})))


async def admin_calls(m, bootstrap, rec):
    p = rec.prefix
    A = m.admin
    cr = importlib.import_module(A.__name__ + ".config_resource")
    ConfigResource, ConfigResourceType = cr.ConfigResource, cr.ConfigResourceType
    TopicPartition = m.aio.TopicPartition
    await acall(rec, "admin/before start", lambda: A.AIOKafkaAdminClient(
        bootstrap_servers=bootstrap).list_topics(), timeout=5)
    admin = A.AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await acall(rec, "admin/start", admin.start)
    try:
        await acall(rec, "admin/create_topics", admin.create_topics,
                    [A.NewTopic(p + "a", 2, 1), A.NewTopic(p + "b", 1, 1)], keep=struct_value)
        await acall(rec, "admin/create_topics existing", admin.create_topics,
                    [A.NewTopic(p + "a", 2, 1)], keep=struct_shape)
        await acall(rec, "admin/create_topics invalid name", admin.create_topics,
                    [A.NewTopic(p + "bad name!", 1, 1)], keep=struct_shape)
        await acall(rec, "admin/NewTopic bad args", A.NewTopic, p + "x", 1, 1, {0: [1]})
        await acall(rec, "admin/list_topics", admin.list_topics, keep=shape)
        await acall(rec, "admin/list_topics values",
                    lambda: _filtered(admin.list_topics(), p), keep=value)
        await acall(rec, "admin/describe_topics", admin.describe_topics, [p + "a"])
        await acall(rec, "admin/describe_topics value", admin.describe_topics, [p + "b"], keep=value)
        await acall(rec, "admin/describe_topics missing", admin.describe_topics, [p + "missing"])
        await acall(rec, "admin/describe_cluster", admin.describe_cluster)
        res = [ConfigResource(ConfigResourceType.TOPIC, p + "b", {"retention.ms": None})]
        await acall(rec, "admin/describe_configs", admin.describe_configs, res, keep=struct_shape)
        await acall(rec, "admin/alter_configs", admin.alter_configs,
                    [ConfigResource(ConfigResourceType.TOPIC, p + "b", {"retention.ms": "3600000"})],
                    keep=struct_value)
        await acall(rec, "admin/describe_configs after alter", admin.describe_configs,
                    [ConfigResource("topic", p + "b", {"retention.ms": None, "cleanup.policy": None})],
                    keep=struct_value)
        await acall(rec, "admin/describe_configs synonyms", admin.describe_configs,
                    [ConfigResource("topic", p + "b", {"retention.ms": None})], include_synonyms=True,
                    keep=struct_value)
        await acall(rec, "admin/describe_configs missing topic", admin.describe_configs,
                    [ConfigResource("topic", p + "missing-c", {"retention.ms": None})], keep=struct_value)
        await acall(rec, "admin/alter_configs missing topic", admin.alter_configs,
                    [ConfigResource(ConfigResourceType.TOPIC, p + "missing-c", {"retention.ms": "1"})],
                    keep=struct_value)
        cluster = await admin.describe_cluster()
        node = str(cluster["brokers"][0]["node_id"])
        await acall(rec, "admin/describe_configs broker", admin.describe_configs,
                    [ConfigResource(ConfigResourceType.BROKER, node, {"log.retention.hours": None,
                                                                      "num.partitions": None})],
                    keep=struct_value)
        await acall(rec, "admin/create_topics repr", lambda: _repr(admin.create_topics(
            [A.NewTopic(p + "c", 1, 1), A.NewTopic(p + "a", 1, 1)])), keep=value)
        await acall(rec, "admin/create_partitions", admin.create_partitions,
                    {p + "b": A.NewPartitions(3)}, keep=struct_value)
        await acall(rec, "admin/create_partitions fewer", admin.create_partitions,
                    {p + "b": A.NewPartitions(2)})
        producer = m.aio.AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        for i in range(5):
            await producer.send_and_wait(p + "a", b"v%d" % i, partition=0)
        await producer.stop()
        consumer = m.aio.AIOKafkaConsumer(p + "a", bootstrap_servers=bootstrap, group_id=p + "g",
                                          enable_auto_commit=False, auto_offset_reset="earliest")
        await consumer.start()
        tp0 = TopicPartition(p + "a", 0)
        await asyncio.wait_for(consumer.getmany(timeout_ms=2000), MAX_WAIT_S)
        while not consumer.assignment():
            await asyncio.wait_for(consumer.getmany(timeout_ms=200), MAX_WAIT_S)
        await consumer.commit({tp0: (3, "meta")})
        await acall(rec, "admin/describe_consumer_groups active", admin.describe_consumer_groups,
                    [p + "g"], keep=struct_shape)
        # A member's client id (aiokafka's default: 'aiokafka-<version>').
        await acall(rec, "admin/describe_consumer_groups active client_id",
                    lambda: _member_client_ids(admin, p + "g"), keep=value)
        await consumer.stop()
        await acall(rec, "admin/list_consumer_groups",
                    lambda: _filtered_groups(admin.list_consumer_groups(), p), keep=value)
        await acall(rec, "admin/list_consumer_groups shape", admin.list_consumer_groups)
        await acall(rec, "admin/describe_consumer_groups", admin.describe_consumer_groups,
                    [p + "g"], keep=struct_value)
        await acall(rec, "admin/describe_consumer_groups missing", admin.describe_consumer_groups,
                    [p + "nog"], keep=struct_value)
        await acall(rec, "admin/find_coordinator", admin.find_coordinator, p + "g")
        await acall(rec, "admin/list_consumer_group_offsets", admin.list_consumer_group_offsets,
                    p + "g", keep=value)
        await acall(rec, "admin/list_consumer_group_offsets partitions", admin.list_consumer_group_offsets,
                    p + "g", partitions=[tp0, TopicPartition(p + "a", 1)], keep=value)
        await acall(rec, "admin/list_consumer_group_offsets missing", admin.list_consumer_group_offsets,
                    p + "nog", keep=value)
        await acall(rec, "admin/delete_records", admin.delete_records, {tp0: A.RecordsToDelete(2)},
                    keep=value)
        await acall(rec, "admin/delete_records beyond", admin.delete_records,
                    {tp0: A.RecordsToDelete(99)})
        await acall(rec, "admin/delete_topics", admin.delete_topics, [p + "b"], keep=struct_value)
        await acall(rec, "admin/delete_topics missing", admin.delete_topics, [p + "missing-d"],
                    keep=struct_value)
    finally:
        await admin.close()
    await acall(rec, "admin/close twice", admin.close)
    bad = A.AIOKafkaAdminClient(bootstrap_servers="127.0.0.1:1", request_timeout_ms=1000)
    await acall(rec, "admin/unreachable start", bad.start, timeout=30)
    await acall(rec, "admin/bad config", A.AIOKafkaAdminClient, bootstrap_servers=bootstrap, no_such_option=1)


async def _repr(coro):
    return repr(await coro)


async def _filtered(coro, p, leave_out=None):
    return sorted(t for t in await coro if t.startswith(p) and t != leave_out)


async def _member_client_ids(admin, group):
    (resp,) = await admin.describe_consumer_groups([group])
    return [member[1] for member in resp.groups[0][5]]


async def _filtered_groups(coro, p):
    return sorted(g for g in await coro if p in str(g))


async def producer_calls(m, bootstrap, rec):
    p = rec.prefix
    P = m.aio.AIOKafkaProducer
    early = P(bootstrap_servers=bootstrap)
    await acall(rec, "producer/send before start", early.send, p + "a", b"x", timeout=5)
    await acall(rec, "producer/stop before start", early.stop, timeout=5)
    producer = P(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    await producer.start()
    try:
        fut = await acall(rec, "producer/send", producer.send, p + "a", value=b"hello", key=b"k",
                          partition=1, headers=[("h", b"1")], timestamp_ms=_TS)
        md = await acall(rec, "producer/send result", lambda: fut)
        if md is not None:
            rec.put("producer/RecordMetadata values", {
                "topic": md.topic, "partition": md.partition, "topic_partition": md.topic_partition,
                "timestamp": md.timestamp, "timestamp_type": md.timestamp_type,
                "log_start_offset": md.log_start_offset, "repr_prefix": repr(md).split("offset=")[0]})
        await acall(rec, "producer/send_and_wait no key", producer.send_and_wait, p + "a", b"x", partition=0)
        await acall(rec, "producer/send_and_wait key only", producer.send_and_wait, p + "a", key=b"k",
                    partition=1, headers=[("n", None), ("e", b"")])
        await acall(rec, "producer/send_and_wait empty value", producer.send_and_wait, p + "a", b"",
                    partition=1)
        await acall(rec, "producer/send_and_wait no timestamp", lambda: _ts_type(
            producer.send_and_wait(p + "a", b"x", partition=0)), keep=value)
        await acall(rec, "producer/partitions_for", producer.partitions_for, p + "a", keep=value)
        await acall(rec, "producer/partitions_for missing", producer.partitions_for, p + "nope", timeout=10)
        await acall(rec, "producer/send bad partition", producer.send, p + "a", b"x", partition=7)
        await acall(rec, "producer/send negative partition", producer.send, p + "a", b"x", partition=-1)
        await acall(rec, "producer/send oversized", producer.send, p + "a", b"x" * 2_000_000)
        await acall(rec, "producer/send bad value type", lambda: _sent(producer.send(p + "a", value="text")))
        await acall(rec, "producer/send bad key type", lambda: _sent(producer.send(p + "a", b"v", key=12)))
        await acall(rec, "producer/send bad header", lambda: _sent(
            producer.send(p + "a", b"v", headers=[("h", "str")])))
        await acall(rec, "producer/send no key no value", producer.send, p + "a")
        await acall(rec, "producer/send bad topic name", producer.send, "bad name!", b"x", timeout=10)
        await acall(rec, "producer/flush", producer.flush)
        batch = producer.create_batch()
        rec.put("producer/batch append", type(batch.append(key=None, value=b"b", timestamp=None)).__name__)
        rec.put("producer/batch record_count", batch.record_count())
        await acall(rec, "producer/send_batch", lambda: _sent(producer.send_batch(batch, p + "a", partition=0)))
    finally:
        await producer.stop()
    ser = P(bootstrap_servers=bootstrap, key_serializer=lambda k: ("k" + repr(k)).encode(),
            value_serializer=str.encode)
    await ser.start()
    try:
        await acall(rec, "producer/serialized send_and_wait", lambda: _ts_type(
            ser.send_and_wait(p + "a", "text", partition=0)), keep=value)
        await acall(rec, "producer/serializer error", ser.send, p + "a", 12)
    finally:
        await ser.stop()
    big = P(bootstrap_servers=bootstrap, max_request_size=5_000_000, request_timeout_ms=5000)
    await big.start()
    try:
        await acall(rec, "producer/broker rejects oversized", big.send_and_wait, p + "a", b"x" * 2_000_000,
                    partition=0)
    finally:
        await big.stop()
    for case, extra in (("acks 0", {"acks": 0}), ("idempotent", {"enable_idempotence": True})):
        other = P(bootstrap_servers=bootstrap, **extra)
        await other.start()
        try:
            await acall(rec, "producer/%s send_and_wait" % case, lambda: _metadata_fields(
                other.send_and_wait(p + "a", b"x", partition=0)), keep=value)
        finally:
            await other.stop()
    await acall(rec, "producer/send after stop", producer.send, p + "a", b"x", timeout=5)
    await acall(rec, "producer/stop twice", producer.stop)
    await acall(rec, "producer/bad config", P, bootstrap_servers=bootstrap, no_such_option=1)
    await acall(rec, "producer/bad acks", P, bootstrap_servers=bootstrap, acks=7)
    await acall(rec, "producer/bad compression", P, bootstrap_servers=bootstrap, compression_type="x")
    await acall(rec, "producer/idempotent acks 1", P, bootstrap_servers=bootstrap,
                enable_idempotence=True, acks=1)
    bad = P(bootstrap_servers="127.0.0.1:1", request_timeout_ms=1000)
    await acall(rec, "producer/unreachable start", bad.start, timeout=30)


async def _ts_type(coro):
    md = await coro
    return [type(md.timestamp).__name__, md.timestamp_type]


async def _metadata_fields(coro):
    md = await coro
    return {"type": type(md).__name__, "offset is int": isinstance(md.offset, int),
            "offset -1": md.offset == -1, "timestamp": type(md.timestamp).__name__,
            "timestamp_type": md.timestamp_type, "log_start_offset": md.log_start_offset}


async def _sent(coro):
    fut = await coro
    return await fut


class _Listener:
    """Records what the rebalance listener is handed (built on the library's base class)."""

    def __new__(cls, base, calls):
        class L(base):
            async def on_partitions_revoked(self, revoked):
                calls.append(("revoked", type(revoked).__name__, sorted(revoked)))

            async def on_partitions_assigned(self, assigned):
                calls.append(("assigned", type(assigned).__name__, sorted(assigned)))
        return L()


async def consumer_calls(m, bootstrap, rec):
    p = rec.prefix
    C, TopicPartition = m.aio.AIOKafkaConsumer, m.aio.TopicPartition
    tp0, tp1 = TopicPartition(p + "a", 0), TopicPartition(p + "a", 1)
    early = C(bootstrap_servers=bootstrap, group_id=p + "early")
    await acall(rec, "consumer/getmany before start", early.getmany, timeout_ms=10, timeout=5)
    await acall(rec, "consumer/assignment before start", early.assignment, keep=value)
    await acall(rec, "consumer/stop before start", early.stop, timeout=5)
    c = C(bootstrap_servers=bootstrap, group_id=p + "cg", auto_offset_reset="earliest",
          enable_auto_commit=False)
    await acall(rec, "consumer/start", c.start)
    calls = []
    try:
        await acall(rec, "consumer/subscribe str", c.subscribe, p + "a")
        await acall(rec, "consumer/subscribe none", c.subscribe)
        await acall(rec, "consumer/subscribe bad listener", c.subscribe, [p + "a"], listener=object())
        await acall(rec, "consumer/subscribe", c.subscribe, [p + "a"],
                    listener=_Listener(m.aio.ConsumerRebalanceListener, calls))
        rec.put("consumer/subscription", c.subscription())
        rec.put("consumer/subscription type", type(c.subscription()).__name__)
        records, deadline = [], time.monotonic() + MAX_WAIT_S
        while not records and time.monotonic() < deadline:
            batch = await c.getmany(timeout_ms=500)
            records = [r for recs in batch.values() for r in recs if r.partition == 1]
            if batch:
                rec.put("consumer/getmany", shape(batch, p), keep=lambda x, _: x)
        if records:
            r = records[0]
            rec.put("consumer/record", struct_shape(r, p), keep=lambda x, _: x)
            rec.put("consumer/record values", {f.name: getattr(r, f.name) for f in dataclasses.fields(r)
                                               if f.name not in ("offset", "checksum")})
            rec.put("consumer/record repr", repr(r).split("offset=")[0])
        rec.put("consumer/listener calls", calls)
        await acall(rec, "consumer/assignment", c.assignment, keep=value)
        await acall(rec, "consumer/assignment type", lambda: type(c.assignment()).__name__, keep=value)
        await acall(rec, "consumer/position", c.position, tp1, keep=value)
        await acall(rec, "consumer/position not assigned", c.position, TopicPartition(p + "zz", 0))
        await acall(rec, "consumer/highwater", c.highwater, tp1, keep=value)
        await acall(rec, "consumer/highwater not assigned", c.highwater, TopicPartition(p + "zz", 0))
        await acall(rec, "consumer/last_stable_offset", c.last_stable_offset, tp1, keep=value)
        await acall(rec, "consumer/last_poll_timestamp type",
                    lambda: type(c.last_poll_timestamp(tp1)).__name__, keep=value)
        await acall(rec, "consumer/committed none", c.committed, tp1, keep=value)
        await acall(rec, "consumer/commit", c.commit, {tp1: (1, "m")})
        await acall(rec, "consumer/commit int", c.commit, {tp0: 1})
        await acall(rec, "consumer/commit not assigned", c.commit, {TopicPartition(p + "zz", 0): 1})
        await acall(rec, "consumer/commit bad offsets", c.commit, {tp1: "x"})
        await acall(rec, "consumer/committed", c.committed, tp1, keep=value)
        await acall(rec, "consumer/end_offsets", c.end_offsets, [tp0, tp1], keep=value)
        await acall(rec, "consumer/beginning_offsets", c.beginning_offsets, [tp0, tp1], keep=value)
        await acall(rec, "consumer/offsets_for_times", c.offsets_for_times,
                    {tp1: _TS - 1, tp0: 4102444800000}, keep=value)
        await acall(rec, "consumer/offsets_for_times negative", c.offsets_for_times, {tp1: -5})
        await acall(rec, "consumer/seek", c.seek, tp1, 0)
        await acall(rec, "consumer/position after seek", c.position, tp1, keep=value)
        await acall(rec, "consumer/seek_to_end", c.seek_to_end, tp1, keep=value)
        await acall(rec, "consumer/seek_to_beginning", c.seek_to_beginning, keep=value)
        await acall(rec, "consumer/seek_to_committed", c.seek_to_committed, keep=value)
        await acall(rec, "consumer/seek_to_committed one", c.seek_to_committed, tp1, keep=value)
        await acall(rec, "consumer/seek_to_end str", c.seek_to_end, "x")
        await acall(rec, "consumer/seek not assigned", c.seek, TopicPartition(p + "zz", 0), 0)
        await acall(rec, "consumer/seek negative", c.seek, tp1, -5)
        await acall(rec, "consumer/seek_to_beginning not assigned", c.seek_to_beginning,
                    TopicPartition(p + "zz", 0))
        await acall(rec, "consumer/pause", c.pause, tp1)
        await acall(rec, "consumer/paused", c.paused, keep=value)
        await acall(rec, "consumer/paused type", lambda: type(c.paused()).__name__, keep=value)
        await acall(rec, "consumer/pause str", c.pause, "x")
        await acall(rec, "consumer/resume", c.resume, tp1)
        await acall(rec, "consumer/paused after resume", c.paused, keep=value)
        # Without the topic aiokafka's describe_topics auto-created (test_shapes_aio's KNOWN).
        await acall(rec, "consumer/topics", lambda: _filtered(c.topics(), p, p + "missing"), keep=value)
        await acall(rec, "consumer/topics type", lambda: _type_of(c.topics()), keep=value)
        await acall(rec, "consumer/partitions_for_topic", c.partitions_for_topic, p + "a", keep=value)
        await acall(rec, "consumer/partitions_for_topic missing", c.partitions_for_topic, p + "none",
                    keep=value)
        # Internal topics (listed by Apache Kafka's metadata, not by ferrokafka's broker):
        # topics() leaves them out, and partitions_for_topic answers from the consumer's own
        # metadata, which holds no internal topic it does not follow.
        await acall(rec, "consumer/topics internal",
                    lambda: _filtered(c.topics(), "__"), keep=value)
        await acall(rec, "consumer/partitions_for_topic internal",
                    lambda: len(c.partitions_for_topic("__consumer_offsets") or ()), keep=value)
        await acall(rec, "consumer/getmany max_records 0", c.getmany, max_records=0)
        await acall(rec, "consumer/assign while subscribed", c.assign, [tp0])
        await acall(rec, "consumer/unsubscribe", c.unsubscribe)
        await acall(rec, "consumer/assignment after unsubscribe", c.assignment, keep=value)
        await acall(rec, "consumer/assign", c.assign, [tp0])
        await acall(rec, "consumer/subscribe while assigned", c.subscribe, [p + "a"])
        await acall(rec, "consumer/position assigned", c.position, tp0, keep=value)
    finally:
        await c.stop()
    rec.put("consumer/listener calls after stop", calls)
    await acall(rec, "consumer/getmany after stop", c.getmany, timeout_ms=10)
    await acall(rec, "consumer/getone after stop", c.getone)
    await acall(rec, "consumer/stop twice", c.stop)
    nog = C(bootstrap_servers=bootstrap)
    await nog.start()
    try:
        nog.assign([tp0])
        await acall(rec, "consumer/no group commit", nog.commit)
        await acall(rec, "consumer/no group committed", nog.committed, tp0)
        await acall(rec, "consumer/no group position", nog.position, tp0, keep=value)
        await acall(rec, "consumer/no group getone", lambda: _record_offset(nog.getone()), keep=value)
        await acall(rec, "consumer/no group highwater", nog.highwater, tp0, keep=value)
    finally:
        await nog.stop()
    des = C(bootstrap_servers=bootstrap, key_deserializer=lambda k: "key:%r" % (k,),
            value_deserializer=lambda v: v.decode(), auto_offset_reset="earliest")
    await des.start()
    try:
        des.assign([tp0])
        await acall(rec, "consumer/deserialized seek_to_beginning", des.seek_to_beginning, tp0, keep=value)
        await acall(rec, "consumer/deserialized getone", lambda: _record_fields(des.getone()), keep=value)
        await acall(rec, "consumer/async for", lambda: _first_of_iteration(des), keep=value)
    finally:
        await des.stop()
    raw = C(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await raw.start()
    try:
        raw.assign([tp1])
        await acall(rec, "consumer/partition 1 records", lambda: _all_records(raw, tp1, 3), keep=value)
    finally:
        await raw.stop()
    pat = C(bootstrap_servers=bootstrap, group_id=p + "pg", auto_offset_reset="earliest")
    await pat.start()
    try:
        await acall(rec, "consumer/subscribe pattern", pat.subscribe, pattern="^" + p + "a$")
        await acall(rec, "consumer/pattern assignment", lambda: _assigned(pat), keep=value)
        await acall(rec, "consumer/pattern subscription", pat.subscription, keep=value)
    finally:
        await pat.stop()
    none = C(bootstrap_servers=bootstrap, group_id=p + "none", auto_offset_reset="none")
    await none.start()
    try:
        none.assign([tp0])
        await acall(rec, "consumer/reset none getmany", none.getmany, timeout_ms=1000)
    finally:
        await none.stop()
    await rebalance(m, bootstrap, rec)
    auto = C(bootstrap_servers=bootstrap, group_id=p + "auto")
    await auto.start()
    try:
        await acall(rec, "consumer/subscribe missing topic", auto.subscribe, [p + "auto"])
        await acall(rec, "consumer/missing topic assignment", lambda: _assigned(auto), keep=value)
    finally:
        await auto.stop()
    await acall(rec, "consumer/bad config", C, bootstrap_servers=bootstrap, no_such_option=1)
    await acall(rec, "consumer/bad max_poll_records", C, bootstrap_servers=bootstrap, max_poll_records=0)
    bad = C(bootstrap_servers="127.0.0.1:1", request_timeout_ms=1000)
    await acall(rec, "consumer/unreachable start", bad.start, timeout=30)


async def _record_fields(coro):
    r = await coro
    return {f.name: getattr(r, f.name) for f in dataclasses.fields(r) if f.name not in ("timestamp",)}


async def _first_of_iteration(consumer):
    async for r in consumer:
        return [type(r).__name__, r.key, r.value]


async def _all_records(consumer, tp, n):
    got, deadline = [], time.monotonic() + MAX_WAIT_S
    while len(got) < n and time.monotonic() < deadline:
        batch = await consumer.getmany(tp, timeout_ms=200)
        got.extend(batch.get(tp, []))
    return [{f.name: getattr(r, f.name) for f in dataclasses.fields(r) if f.name != "timestamp"}
            for r in got[:n]]


async def _assigned(consumer):
    deadline = time.monotonic() + MAX_WAIT_S
    while not consumer.assignment() and time.monotonic() < deadline:
        await consumer.getmany(timeout_ms=200)
    return [type(consumer.assignment()).__name__, sorted(consumer.assignment())]


async def rebalance(m, bootstrap, rec):
    """Two members of one group: what each listener is handed (partition counts: which member
    gets which partition depends on the member ids) as the second joins and leaves."""
    p, C = rec.prefix, m.aio.AIOKafkaConsumer

    class Counting(m.aio.ConsumerRebalanceListener):
        def __init__(self):
            self.calls = []

        async def on_partitions_revoked(self, revoked):
            self.calls.append(("revoked", len(revoked)))

        async def on_partitions_assigned(self, assigned):
            self.calls.append(("assigned", len(assigned)))

    async def until(cond, *consumers):
        deadline = time.monotonic() + MAX_WAIT_S
        while not cond() and time.monotonic() < deadline:
            await asyncio.gather(*(c.getmany(timeout_ms=100) for c in consumers))

    l1, l2 = Counting(), Counting()
    c1 = C(bootstrap_servers=bootstrap, group_id=p + "rb", heartbeat_interval_ms=200)
    c2 = C(bootstrap_servers=bootstrap, group_id=p + "rb", heartbeat_interval_ms=200)
    await c1.start()
    await c2.start()
    try:
        c1.subscribe([p + "a"], listener=l1)
        await until(lambda: len(c1.assignment()) == 2, c1)
        c2.subscribe([p + "a"], listener=l2)
        # Wait for the listeners, not the assignments: aiokafka updates assignment() before it
        # calls on_partitions_assigned.
        await until(lambda: l1.calls[-1:] == [("assigned", 1)] and l2.calls[-1:] == [("assigned", 1)],
                    c1, c2)
        rec.put("rebalance/joined", {"first": l1.calls, "second": l2.calls})
        await c2.stop()
        await until(lambda: l1.calls[-1:] == [("assigned", 2)], c1)
        rec.put("rebalance/left", {"first": l1.calls, "second": l2.calls})
    finally:
        await c2.stop()
        await c1.stop()


async def _type_of(coro):
    return type(await coro).__name__


async def _record_offset(coro):
    r = await coro
    return [r.topic_partition if hasattr(r, "topic_partition") else None, r.offset]


async def run_async(m, bootstrap, prefix):
    rec = Recorder(prefix)
    rec.errors = m.errors
    exports(m, rec)
    structs_and_errors(m, rec)
    await admin_calls(m, bootstrap, rec)
    await producer_calls(m, bootstrap, rec)
    await consumer_calls(m, bootstrap, rec)
    return rec.out


def run(name, bootstrap, prefix):
    return asyncio.run(run_async(Mods(name), bootstrap, prefix))


if __name__ == "__main__":
    import json
    import sys
    import uuid

    from ferrokafka.testing import LocalBroker

    with LocalBroker() as broker:
        name = sys.argv[1] if len(sys.argv) > 1 else "aiokafka"
        out = run(name, broker.bootstrap_servers, "s-%s-" % uuid.uuid4().hex[:6])
        json.dump(out, sys.stdout, indent=1, default=str)
