"""The kafka-python shape program: a broad set of kafka-python's API run through one library.

``run(lib, bootstrap, prefix)`` takes ``kafka`` or ``ferrokafka`` (imported) and records, with
``shapes_common.Recorder``, the shape of each admin, producer and consumer result and of each
error (see ``test_shapes.py``, which runs it with both libraries against one broker and diffs).
``python shapes_kafka_python.py kafka|ferrokafka`` prints one recording against a LocalBroker.
"""
import importlib
import inspect
import time

from shapes_common import Recorder, error_shape, shape, value

MAX_WAIT_S = 20.0
# Record timestamp: one value for both libraries' runs, recent so retention keeps the record.
_TS = int(time.time()) * 1000


def structs_and_errors(lib, rec):
    structs = importlib.import_module(lib.__name__ + ".structs")
    for name in ("TopicPartition", "OffsetAndMetadata", "OffsetAndTimestamp", "BrokerMetadata",
                 "PartitionMetadata"):
        cls = getattr(structs, name, None)
        rec.put("structs/" + name, None if cls is None else
                {"fields": list(cls._fields), "defaults": cls._field_defaults})
    errors = importlib.import_module(lib.__name__ + ".errors")
    for name, cls in sorted(vars(importlib.import_module("kafka.errors")).items()):
        if not (inspect.isclass(cls) and issubclass(cls, BaseException)) or name.startswith("_"):
            continue
        ours = getattr(errors, name, None)
        if ours is None:
            rec.put("errors/" + name, None)
            continue
        rec.put("errors/" + name, {
            "mro": [c.__name__ for c in ours.__mro__],
            "errno": getattr(ours, "errno", None),
            "retriable": getattr(ours, "retriable", None),
            "invalid_metadata": getattr(ours, "invalid_metadata", None),
            "message": getattr(ours, "message", None),
        })
    rec.put("errors/for_code(3)", errors.for_code(3).__name__ if hasattr(errors, "for_code") else None)


def admin_calls(lib, bootstrap, rec):
    p = rec.prefix
    admin_mod = importlib.import_module(lib.__name__ + ".admin")
    NewTopic, NewPartitions = admin_mod.NewTopic, admin_mod.NewPartitions
    ConfigResource, ConfigResourceType = admin_mod.ConfigResource, admin_mod.ConfigResourceType
    TopicPartition = lib.TopicPartition
    admin = admin_mod.KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        rec.call("admin/create_topics", admin.create_topics,
                 [NewTopic(p + "a", 2, 1), NewTopic(p + "b", 1, 1)])
        rec.call("admin/create_topics existing", admin.create_topics, [NewTopic(p + "a", 2, 1)])
        rec.call("admin/create_topics existing no raise", admin.create_topics,
                 [NewTopic(p + "a", 2, 1)], raise_errors=False)
        rec.call("admin/create_topics invalid name", admin.create_topics,
                 [NewTopic(p + "bad name!", 1, 1)])
        rec.call("admin/list_topics", lambda: sorted(t for t in admin.list_topics() if t.startswith(p)),
                 keep=value)
        rec.call("admin/describe_topics", admin.describe_topics, [p + "a"])
        rec.call("admin/describe_topics missing", admin.describe_topics, [p + "missing"])
        rec.call("admin/describe_cluster", admin.describe_cluster)
        # Configs on topic b: a retention change on a would delete its old-timestamped records.
        rec.call("admin/describe_configs topic", admin.describe_configs,
                 [ConfigResource(ConfigResourceType.TOPIC, p + "b", ["retention.ms"])])
        rec.call("admin/alter_configs", admin.alter_configs,
                 [ConfigResource(ConfigResourceType.TOPIC, p + "b", {"retention.ms": "3600000"})], keep=value)
        res = [ConfigResource(ConfigResourceType.TOPIC, p + "b", ["retention.ms", "cleanup.policy"])]
        rec.call("admin/describe_configs after alter", admin.describe_configs, res, keep=value)
        rec.call("admin/describe_configs all", admin.describe_configs, res, config_filter="all")
        # A missing topic: kafka-python reads no configs from its result (no error), so its
        # alter_configs' raise_on_unknown check finds the key unknown; unchecked, the result is
        # the broker's error.
        missing = p + "missing-c"
        rec.call("admin/describe_configs missing topic", admin.describe_configs,
                 [ConfigResource(ConfigResourceType.TOPIC, missing, ["retention.ms"])], keep=value)
        rec.call("admin/alter_configs missing topic", admin.alter_configs,
                 [ConfigResource(ConfigResourceType.TOPIC, missing, {"retention.ms": "1"})])
        rec.call("admin/alter_configs missing topic unchecked", admin.alter_configs,
                 [ConfigResource(ConfigResourceType.TOPIC, missing, {"retention.ms": "1"})],
                 raise_on_unknown=False, keep=value)
        rec.call("admin/alter_configs unknown name", admin.alter_configs,
                 [ConfigResource(ConfigResourceType.TOPIC, p + "b", {"no.such.config": "1"})])
        rec.call("admin/create_partitions", admin.create_partitions, {p + "b": NewPartitions(3)})
        rec.call("admin/create_partitions fewer", admin.create_partitions, {p + "b": NewPartitions(2)})
        # Records and a committed group, for the group and records calls.
        producer = lib.KafkaProducer(bootstrap_servers=bootstrap)
        for i in range(5):
            producer.send(p + "a", b"v%d" % i, partition=0).get(timeout=MAX_WAIT_S)
        producer.close()
        consumer = lib.KafkaConsumer(bootstrap_servers=bootstrap, group_id=p + "g",
                                     enable_auto_commit=False)
        tp0 = TopicPartition(p + "a", 0)
        consumer.commit({tp0: lib.OffsetAndMetadata(3, "meta", -1)})
        consumer.close()
        # kafka-python 3.0 names (2.x's *_consumer_group* ones are gone from 3.0).
        rec.call("admin/list_groups", lambda: [g for g in admin.list_groups() if p in str(g)])
        rec.call("admin/describe_groups", admin.describe_groups, [p + "g"])
        # A live member's client id (kafka-python's default: 'kafka-python-<version>').
        live = lib.KafkaConsumer(p + "a", bootstrap_servers=bootstrap, group_id=p + "live")
        deadline = time.time() + MAX_WAIT_S
        while not live.assignment() and time.time() < deadline:
            live.poll(timeout_ms=200)
        rec.call("admin/describe_groups live client_id",
                 lambda: [m["client_id"] for m in admin.describe_groups([p + "live"])[p + "live"]["members"]],
                 keep=value)
        live.close()
        rec.call("admin/describe_groups missing", admin.describe_groups, [p + "nog"])
        rec.call("admin/list_group_offsets", admin.list_group_offsets, {p + "g": None})
        rec.call("admin/list_group_offsets value", admin.list_group_offsets, {p + "g": None}, keep=value)
        rec.call("admin/delete_records", admin.delete_records, {tp0: 2})
        rec.call("admin/delete_records value", lambda: admin.delete_records({tp0: 3}), keep=value)
        rec.call("admin/delete_groups", admin.delete_groups, [p + "g"])
        rec.call("admin/delete_groups missing", admin.delete_groups, [p + "nog"])
        rec.call("admin/delete_topics", admin.delete_topics, [p + "b"])
        rec.call("admin/delete_topics missing", admin.delete_topics, [p + "missing"])
    finally:
        admin.close()


def producer_calls(lib, bootstrap, rec):
    p = rec.prefix
    producer = lib.KafkaProducer(bootstrap_servers=bootstrap, max_block_ms=3000)
    try:
        fut = rec.call("producer/send", producer.send, p + "a", value=b"hello", key=b"k", partition=1,
                       headers=[("h", b"1")], timestamp_ms=_TS)
        md = rec.call("producer/send.get", fut.get, timeout=MAX_WAIT_S)
        if md is not None:
            rec.put("producer/RecordMetadata values", {
                "topic": md.topic, "partition": md.partition, "topic_partition": md.topic_partition,
                "timestamp": md.timestamp, "serialized_key_size": md.serialized_key_size,
                "serialized_value_size": md.serialized_value_size,
                "serialized_header_size": md.serialized_header_size, "checksum": md.checksum})
        rec.call("producer/send no key", lambda: producer.send(p + "a", b"x", partition=0).get(MAX_WAIT_S))
        rec.call("producer/partitions_for", producer.partitions_for, p + "a", keep=value)
        rec.call("producer/send missing topic", lambda: producer.send(
            p + "nope", b"x").get(MAX_WAIT_S))
        rec.call("producer/send bad partition", producer.send, p + "a", b"x", partition=7)
        rec.call("producer/send oversized", lambda: producer.send(p + "a", b"x" * 2_000_000).get(MAX_WAIT_S))
        rec.call("producer/send bad value type", producer.send, p + "a", value="text")
        rec.call("producer/send bad key type", producer.send, p + "a", value=b"v", key=12)
        rec.call("producer/send no key no value", producer.send, p + "a")
        rec.call("producer/flush", producer.flush, timeout=MAX_WAIT_S)
        rec.call("producer/metrics type", lambda: type(producer.metrics()).__name__, keep=value)
    finally:
        producer.close()
    rec.call("producer/bad config", lib.KafkaProducer, bootstrap_servers=bootstrap, no_such_option=1)
    rec.call("producer/bad acks", lib.KafkaProducer, bootstrap_servers=bootstrap, acks=7)


def consumer_calls(lib, bootstrap, rec):
    p = rec.prefix
    TopicPartition, OffsetAndMetadata = lib.TopicPartition, lib.OffsetAndMetadata
    c = lib.KafkaConsumer(bootstrap_servers=bootstrap, group_id=p + "cg", auto_offset_reset="earliest",
                          enable_auto_commit=False)
    try:
        c.subscribe([p + "a"])
        rec.put("consumer/subscription", c.subscription())
        records, deadline = [], time.monotonic() + MAX_WAIT_S
        while not records and time.monotonic() < deadline:
            batch = c.poll(timeout_ms=500)
            records = [r for recs in batch.values() for r in recs if r.partition == 1]
            if batch:
                rec.put("consumer/poll", shape(batch, p), keep=lambda x, _: x)
        if records:
            r = records[0]
            rec.put("consumer/record", shape(r, p), keep=lambda x, _: x)
            rec.put("consumer/record values", {f: getattr(r, f) for f in r._fields
                                               if f not in ("offset", "checksum")})
        tp0, tp1 = TopicPartition(p + "a", 0), TopicPartition(p + "a", 1)
        rec.call("consumer/assignment", c.assignment, keep=value)
        rec.call("consumer/position", c.position, tp1, keep=value)
        rec.call("consumer/committed none", c.committed, tp1, keep=value)
        rec.call("consumer/commit", c.commit, {tp1: OffsetAndMetadata(1, "m", -1)})
        rec.call("consumer/committed", c.committed, tp1, keep=value)
        rec.call("consumer/committed metadata", c.committed, tp1, metadata=True, keep=value)
        rec.call("consumer/end_offsets", c.end_offsets, [tp0, tp1], keep=value)
        rec.call("consumer/beginning_offsets", c.beginning_offsets, [tp0, tp1], keep=value)
        rec.call("consumer/offsets_for_times", c.offsets_for_times, {tp1: _TS - 1, tp0: 4102444800000},
                 keep=value)
        rec.call("consumer/seek", c.seek, tp1, 0)
        rec.call("consumer/position after seek", c.position, tp1, keep=value)
        rec.call("consumer/seek_to_end", c.seek_to_end, tp1)
        rec.call("consumer/seek not assigned", c.seek, TopicPartition(p + "zz", 0), 0)
        rec.call("consumer/seek negative", c.seek, tp1, -5)
        rec.call("consumer/pause", c.pause, tp1)
        rec.call("consumer/paused", c.paused, keep=value)
        rec.call("consumer/resume", c.resume, tp1)
        rec.call("consumer/paused after resume", c.paused, keep=value)
        rec.call("consumer/topics", lambda: sorted(t for t in c.topics() if t.startswith(p)), keep=value)
        rec.call("consumer/partitions_for_topic", c.partitions_for_topic, p + "a", keep=value)
        rec.call("consumer/partitions_for_topic missing", c.partitions_for_topic, p + "none", keep=value)
        # Internal topics (Apache Kafka's metadata lists __consumer_offsets once a group
        # committed, ferrokafka's broker lists none): topics() leaves them out,
        # partitions_for_topic finds them.
        rec.call("consumer/topics internal", lambda: sorted(t for t in c.topics() if t.startswith("__")),
                 keep=value)
        rec.call("consumer/partitions_for_topic internal",
                 lambda: len(c.partitions_for_topic("__consumer_offsets") or ()), keep=value)
        rec.call("consumer/highwater type", lambda: type(c.highwater(tp1)).__name__, keep=value)
        rec.call("consumer/assign while subscribed", c.assign, [tp0])
        rec.call("consumer/unsubscribe", c.unsubscribe)
        rec.call("consumer/assignment after unsubscribe", c.assignment, keep=value)
        rec.call("consumer/assign", c.assign, [tp0])
        rec.call("consumer/subscribe while assigned", c.subscribe, [p + "a"])
        rec.call("consumer/position assigned", c.position, tp0, keep=value)
    finally:
        c.close()
    rec.call("consumer/bad config", lib.KafkaConsumer, bootstrap_servers=bootstrap, no_such_option=1)


def run(lib, bootstrap, prefix):
    rec = Recorder(prefix)
    structs_and_errors(lib, rec)
    admin_calls(lib, bootstrap, rec)
    producer_calls(lib, bootstrap, rec)
    consumer_calls(lib, bootstrap, rec)
    return rec.out


if __name__ == "__main__":
    import json
    import sys
    import uuid

    from ferrokafka.testing import LocalBroker

    with LocalBroker() as broker:
        name = sys.argv[1] if len(sys.argv) > 1 else "kafka"
        out = run(importlib.import_module(name), broker.bootstrap_servers, "s-%s-" % uuid.uuid4().hex[:6])
        json.dump(out, sys.stdout, indent=1, default=str)
