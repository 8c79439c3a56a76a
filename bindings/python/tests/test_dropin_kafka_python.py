"""Drop-in proof: the same kafka-python code runs against ``kafka`` (kafka-python 3.x from PyPI)
and ``ferrokafka`` with the same results.

Every test takes ``lib`` (the imported package) and uses only kafka-python's public API through
it: ``lib.KafkaProducer``, ``lib.KafkaConsumer``, ``lib.admin``, ``lib.errors``,
``lib.structs``. Results both libraries must agree on are compared across the two runs.
"""
import importlib
import threading
import uuid

import pytest

from conftest import wait_until

LIBS = ["kafka", "ferrokafka"]
_results = {}


@pytest.fixture(params=LIBS)
def lib(request):
    return importlib.import_module(request.param)


def _admin(lib, bootstrap):
    admin_mod = importlib.import_module(lib.__name__ + ".admin")
    return admin_mod, admin_mod.KafkaAdminClient(bootstrap_servers=bootstrap)


def _create(lib, bootstrap, name, partitions=3):
    admin_mod, admin = _admin(lib, bootstrap)
    try:
        admin.create_topics([admin_mod.NewTopic(name, partitions, 1)])
    finally:
        admin.close()


def test_partitions_per_key_and_order(lib, bootstrap):
    topic = "keys-" + lib.__name__ + "-" + uuid.uuid4().hex[:8]
    _create(lib, bootstrap, topic)
    producer = lib.KafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                 key_serializer=str.encode, value_serializer=str.encode)
    futures = [(k, producer.send(topic, key="user-%d" % k, value="v-%d-%d" % (k, i)))
               for i in range(3) for k in range(40)]
    placed = {}
    for k, f in futures:
        md = f.get(timeout=30)
        assert md.topic == topic
        placed.setdefault(k, set()).add(md.partition)
    producer.close()
    assert all(len(p) == 1 for p in placed.values())
    by_key = {k: p.pop() for k, p in placed.items()}
    _results.setdefault("partitions", {})[lib.__name__] = by_key

    consumer = lib.KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id="g-" + topic,
                                 auto_offset_reset="earliest", consumer_timeout_ms=10000,
                                 key_deserializer=bytes.decode, value_deserializer=bytes.decode)
    seen = {}
    for rec in consumer:
        seen.setdefault(rec.key, []).append(rec.value)
        if sum(len(v) for v in seen.values()) == 120:
            break
    consumer.close()
    for k in range(40):
        assert seen["user-%d" % k] == ["v-%d-%d" % (k, i) for i in range(3)]


def test_same_partition_for_every_key_in_both_libraries():
    found = _results.get("partitions", {})
    if set(found) != set(LIBS):
        pytest.skip("needs test_partitions_per_key_and_order to have run for both libraries")
    assert found["kafka"] == found["ferrokafka"]


def test_group_splits_partitions(lib, bootstrap, topic_name):
    _create(lib, bootstrap, topic_name)
    group = "split-" + topic_name
    seen = {}
    stop = threading.Event()

    def member(name):
        # No auto-commit: kafka-python's pre-rebalance commit within a 100 ms poll can time out
        # and stall its rejoin (seen against Apache Kafka too); commits are tested elsewhere.
        c = lib.KafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                              auto_offset_reset="earliest", session_timeout_ms=10000,
                              heartbeat_interval_ms=500, enable_auto_commit=False)
        # kafka-python's group leader assigns from its own metadata: subscribe once it lists
        # the new topic's partitions (otherwise nobody may get partitions until a refresh).
        wait_until(lambda: c.partitions_for_topic(topic_name) == {0, 1, 2}, what="topic metadata")
        c.subscribe([topic_name])
        try:
            while not stop.is_set():
                c.poll(timeout_ms=100)
                seen[name] = set(c.assignment())
        finally:
            c.close()

    threads = [threading.Thread(target=member, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    try:
        def split():
            sa, sb = seen.get("a"), seen.get("b")
            return sa and sb and not (sa & sb) and len(sa | sb) == 3
        wait_until(split, timeout=90, what="two members to split 3 partitions")
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    TP = lib.structs.TopicPartition
    assert seen["a"] | seen["b"] == {TP(topic_name, p) for p in range(3)}


def test_commit_and_resume(lib, bootstrap, topic_name):
    _create(lib, bootstrap, topic_name, partitions=1)
    TP = lib.structs.TopicPartition
    tp = TP(topic_name, 0)
    producer = lib.KafkaProducer(bootstrap_servers=bootstrap)
    for i in range(10):
        producer.send(topic_name, value=b"first-%d" % i)
    producer.flush()
    group = "resume-" + topic_name
    c1 = lib.KafkaConsumer(topic_name, bootstrap_servers=bootstrap, group_id=group,
                           auto_offset_reset="earliest", enable_auto_commit=False,
                           consumer_timeout_ms=10000)
    got = []
    for rec in c1:
        got.append(rec.value)
        if len(got) == 10:
            break
    c1.commit()
    assert c1.committed(tp) == 10
    c1.close()
    for i in range(5):
        producer.send(topic_name, value=b"second-%d" % i)
    producer.close()
    c2 = lib.KafkaConsumer(topic_name, bootstrap_servers=bootstrap, group_id=group,
                           auto_offset_reset="earliest", enable_auto_commit=False,
                           consumer_timeout_ms=10000)
    rest = []
    for rec in c2:
        rest.append((rec.offset, rec.value))
        if len(rest) == 5:
            break
    assert got == [b"first-%d" % i for i in range(10)]
    assert rest == [(10 + i, b"second-%d" % i) for i in range(5)]
    c2.commit({tp: lib.structs.OffsetAndMetadata(15, "done", -1)})
    om = c2.committed(tp, metadata=True)
    assert (om.offset, om.metadata) == (15, "done")
    c2.close()
    _results.setdefault("committed", {})[lib.__name__] = (got, rest)


def test_manual_assign_seek_and_offsets(lib, bootstrap, topic_name):
    _create(lib, bootstrap, topic_name, partitions=1)
    TP = lib.structs.TopicPartition
    tp = TP(topic_name, 0)
    producer = lib.KafkaProducer(bootstrap_servers=bootstrap)
    for i in range(20):
        producer.send(topic_name, value=b"%d" % i, partition=0)
    producer.close()
    consumer = lib.KafkaConsumer(bootstrap_servers=bootstrap)
    consumer.assign([tp])
    assert consumer.assignment() == {tp}
    assert consumer.beginning_offsets([tp]) == {tp: 0}
    assert consumer.end_offsets([tp]) == {tp: 20}
    consumer.seek(tp, 15)
    records = []
    wait_until(lambda: records.extend(consumer.poll(timeout_ms=200).get(tp, [])) or len(records) >= 5,
               what="records after seek")
    assert [r.offset for r in records] == [15, 16, 17, 18, 19]
    assert consumer.position(tp) == 20
    assert consumer.highwater(tp) == 20, "the high watermark of the last fetch"
    with pytest.raises(TypeError):
        consumer.highwater((topic_name, 0))
    consumer.seek_to_beginning(tp)
    assert consumer.position(tp) == 0
    consumer.close()


def test_bad_topic_name_error(lib, bootstrap):
    """kafka-python checks names client-side: ValueError from send and subscribe."""
    producer = lib.KafkaProducer(bootstrap_servers=bootstrap, max_block_ms=10000)
    try:
        with pytest.raises(ValueError) as info:
            producer.send("bad topic name!", value=b"x").get(timeout=15)
    finally:
        producer.close(timeout=5)
    consumer = lib.KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-bad")
    with pytest.raises(ValueError):
        consumer.subscribe(["bad topic name!"])
    consumer.close()
    _results.setdefault("bad_topic", {})[lib.__name__] = (type(info.value).__name__, str(info.value))


def test_topic_name_the_broker_refuses(lib, bootstrap, topic_name):
    """A name legal on the client that the broker refuses: the broker's error class."""
    admin_mod, admin = _admin(lib, bootstrap)
    try:
        admin.create_topics([admin_mod.NewTopic(topic_name, 1, 1)])
        with pytest.raises(lib.errors.TopicAlreadyExistsError) as info:
            admin.create_topics([admin_mod.NewTopic(topic_name, 1, 1)])
    finally:
        admin.close()
    assert info.value.errno == 36


def test_oversized_record_error(lib, bootstrap, topic_name):
    producer = lib.KafkaProducer(bootstrap_servers=bootstrap)
    try:
        with pytest.raises(lib.errors.MessageSizeTooLargeError) as info:
            producer.send(topic_name, value=b"x" * 2_000_000).get(timeout=15)
    finally:
        producer.close(timeout=5)
    assert info.value.errno == 10


def test_oversized_for_the_broker(lib, bootstrap, topic_name):
    """The client's limit raised above the broker's message.max.bytes: the broker's error."""
    _create(lib, bootstrap, topic_name, partitions=1)
    producer = lib.KafkaProducer(bootstrap_servers=bootstrap, max_request_size=5_000_000, retries=0)
    try:
        with pytest.raises(lib.errors.MessageSizeTooLargeError) as info:
            producer.send(topic_name, value=b"x" * 2_000_000).get(timeout=30)
    finally:
        producer.close(timeout=5)
    assert info.value.errno == 10


def test_unknown_config_key(lib, bootstrap):
    with pytest.raises(ValueError, match="Unrecognized configs"):
        lib.KafkaProducer(bootstrap_servers=bootstrap, no_such_setting=1)
    with pytest.raises(lib.errors.KafkaConfigurationError):
        lib.KafkaConsumer(bootstrap_servers=bootstrap, no_such_setting=1)


def test_same_error_classes_in_both_libraries():
    found = _results.get("bad_topic", {})
    if set(found) != set(LIBS):
        pytest.skip("needs test_bad_topic_name_error to have run for both libraries")
    assert found["kafka"] == found["ferrokafka"]
