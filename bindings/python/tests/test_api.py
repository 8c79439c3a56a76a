"""ferrokafka's kafka-python API against the bundled broker: the parts the drop-in module does
not cover (callbacks and their thread, listeners, commit_async, pause/resume, admin calls, bad
input, Ctrl-C and the GIL)."""
import os
import signal
import threading
import time

import pytest

import ferrokafka
from ferrokafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition, errors
from ferrokafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
from ferrokafka.structs import OffsetAndMetadata

from conftest import wait_until


@pytest.fixture
def admin(bootstrap):
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    yield a
    a.close()


def produce(bootstrap, topic, n, partition=None, **kw):
    with KafkaProducer(bootstrap_servers=bootstrap, **kw) as p:
        futures = [p.send(topic, value=b"m-%d" % i, partition=partition) for i in range(n)]
        return [f.get(timeout=30) for f in futures]


def test_callbacks_run_on_the_calling_thread(bootstrap, admin, topic_name):
    # The topic takes records up to 200 bytes: a larger one is refused by the broker
    # (MESSAGE_TOO_LARGE), so its future fails (a partition the topic lacks is a ValueError
    # from send itself, as in kafka-python).
    admin.create_topics([NewTopic(topic_name, 1, 1, topic_configs={"max.message.bytes": "200"})])
    p = KafkaProducer(bootstrap_servers=bootstrap)
    threads, errs = [], []
    ok = p.send(topic_name, value=b"a", headers=[("h", b"v")])
    ok.add_callback(lambda md: threads.append((threading.get_ident(), md.offset)))
    p.flush()
    assert threads == [(threading.get_ident(), 0)]
    bad = p.send(topic_name, value=b"b" * 1000)
    bad.add_errback(lambda e: errs.append(type(e)))
    with pytest.raises(errors.KafkaError):
        bad.get(timeout=60)
    assert bad.failed() and not bad.succeeded()
    assert errs and issubclass(errs[0], errors.KafkaError)
    late = []
    ok.add_callback(late.append)  # already done: runs at once
    assert late[0].offset == 0
    assert "producer-metrics" in p.metrics()
    assert p.partitions_for(topic_name) == {0}
    p.close()
    with pytest.raises(errors.IllegalStateError):
        p.send(topic_name, value=b"c")


def test_send_future_has_kafka_pythons_surface_and_poll_keeps_gc_state(bootstrap, admin, topic_name):
    import gc

    from ferrokafka.future import Future
    from ferrokafka.producer import FutureRecordMetadata

    admin.create_topics([NewTopic(topic_name, 1, 1)])
    with KafkaProducer(bootstrap_servers=bootstrap) as p:
        f = p.send(topic_name, key=b"kk", value=b"vvv", headers=[("h", b"12"), ("\u00fc", None)])
        assert isinstance(f, FutureRecordMetadata)
        seen, chained = [], Future()
        f.add_both(lambda tag, v: seen.append((tag, v)), "both")
        f.chain(chained)
        md = f.get(timeout=30)
        assert f.is_done and f.value is md and f.exception is None and not f.retriable()
        assert (md.topic, md.partition, md.offset) == (topic_name, 0, 0)
        assert md.topic_partition == TopicPartition(topic_name, 0)
        # kafka-python's sizes: header keys in UTF-8 bytes plus values.
        assert (md.serialized_key_size, md.serialized_value_size, md.serialized_header_size) == (2, 3, 5)
        assert seen == [("both", md)] and chained.succeeded() and chained.value is md
        assert p.send(topic_name, value=b"x").get(timeout=30).serialized_key_size == -1
        # Off the native fast path (a bytearray, an equal but distinct topic str): same result.
        assert p.send("".join(topic_name), value=bytearray(b"y")).get(timeout=30).offset == 2
        with pytest.raises(ValueError):
            p.send(topic_name)
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    c.assign([TopicPartition(topic_name, 0)])
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            c.seek_to_beginning()
            recs = []
            wait_until(lambda: recs.extend(c.poll(timeout_ms=200).get(TopicPartition(topic_name, 0), [])) or len(recs) >= 3)
            # The native poll pauses the collector while it builds records, then restores it.
            assert gc.isenabled() is enabled
            assert [(r.key, r.value, r.headers) for r in recs[:3]] == [
                (b"kk", b"vvv", [("h", b"12"), ("\u00fc", None)]), (None, b"x", []), (None, b"y", [])]
    finally:
        (gc.enable if was else gc.disable)()
        c.close()


def test_send_takes_kafka_pythons_arguments_positional_or_by_name(bootstrap, admin, topic_name):
    # Without serializers `send` is native (a vectorcall builtin on Python 3.10+): every
    # argument form kafka-python's signature allows, and Python's TypeError for the others.
    admin.create_topics([NewTopic(topic_name, 2, 1)])
    ts = 1_700_000_000_000
    with KafkaProducer(bootstrap_servers=bootstrap) as p:
        p.send(topic_name, b"first", partition=0).get(timeout=30)  # the topic is checked once
        sent = [
            p.send(topic_name, b"v", b"kk", None, 1, ts),
            p.send(topic_name, value=b"v", key=b"kk", partition=1, timestamp_ms=ts),
            p.send(topic=topic_name, timestamp_ms=ts, partition=1, key=b"kk", value=b"v"),
            p.send(topic_name, b"v", partition=1, **{"key": b"kk", "timestamp_ms": ts}),
        ]
        mds = [f.get(timeout=30) for f in sent]
        assert [(m.topic, m.partition, m.timestamp, m.serialized_key_size, m.serialized_value_size)
                for m in mds] == [(topic_name, 1, ts, 2, 1)] * 4
        assert [m.offset for m in mds] == [0, 1, 2, 3]
        assert p.send(topic_name, None, b"k", partition=0).get(timeout=30).serialized_value_size == -1
        for bad in [lambda: p.send(topic_name, b"v", bogus=1),
                    lambda: p.send(topic_name, b"v", value=b"w"),
                    lambda: p.send(topic_name, b"v", None, None, None, None, 7),
                    lambda: p.send(value=b"v"),
                    lambda: p.send()]:
            with pytest.raises(TypeError):
                bad()
        with pytest.raises(ValueError):
            p.send(topic_name, partition=0)
        with pytest.raises(ValueError):
            p.send("not a topic!", b"v")


def test_headers_timestamps_and_keys_round_trip(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name, 1, 1)])
    # A recent explicit timestamp: one from years ago falls to the 7-day retention at once.
    ts = int(time.time() * 1000) - 60_000
    with KafkaProducer(bootstrap_servers=bootstrap, compression_type="lz4", linger_ms=5) as p:
        p.send(topic_name, key=b"k", value=None, headers=[("a", b"1"), ("b", None)], timestamp_ms=ts)
        p.send(topic_name, value=b"v2")
    c = KafkaConsumer(bootstrap_servers=bootstrap)
    tp = TopicPartition(topic_name, 0)
    c.assign([tp])
    c.seek_to_beginning()
    got = []
    wait_until(lambda: got.extend(c.poll(500, max_records=1).get(tp, [])) or len(got) >= 2)
    assert got[0].key == b"k" and got[0].value is None and got[0].timestamp == ts
    assert got[0].headers == [("a", b"1"), ("b", None)]
    assert got[1].value == b"v2" and got[1].key is None
    c.close()


def test_listener_commit_async_pause_resume(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name, 2, 1)])
    produce(bootstrap, topic_name, 10, partition=0)
    produce(bootstrap, topic_name, 10, partition=1)
    events = []

    class Listener(ferrokafka.ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            events.append(("revoked", sorted(revoked), threading.get_ident()))

        def on_partitions_assigned(self, assigned):
            events.append(("assigned", sorted(assigned), threading.get_ident()))

    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-" + topic_name,
                      auto_offset_reset="earliest", enable_auto_commit=False)
    c.subscribe([topic_name], listener=Listener())
    tp0, tp1 = TopicPartition(topic_name, 0), TopicPartition(topic_name, 1)
    wait_until(lambda: c.poll(100) is not None and c.assignment() == {tp0, tp1})
    assert any(e[0] == "assigned" and e[1] == [tp0, tp1] and e[2] == threading.get_ident() for e in events)
    c.pause(tp1)
    assert c.paused() == {tp1}
    c.seek_to_beginning()
    seen = {}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for tp, recs in c.poll(200).items():
            seen[tp] = seen.get(tp, 0) + len(recs)
    assert seen.get(tp0) == 10 and tp1 not in seen
    c.resume(tp1)
    wait_until(lambda: [seen.__setitem__(tp, seen.get(tp, 0) + len(r)) for tp, r in c.poll(200).items()] is not None
               and seen.get(tp1) == 10)
    results = []
    fut = c.commit_async(callback=lambda offsets, resp: results.append(resp))
    wait_until(lambda: c.poll(50) is not None and results)
    assert results == [True] and fut.succeeded()
    assert c.committed(tp0) == 10 and c.committed(tp1) == 10
    c.close()
    assert events[-1][0] == "revoked"


def test_pattern_subscription(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name + "-a", 1, 1), NewTopic(topic_name + "-b", 1, 1)])
    produce(bootstrap, topic_name + "-a", 3)
    produce(bootstrap, topic_name + "-b", 3)
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-" + topic_name, auto_offset_reset="earliest")
    c.subscribe(pattern=topic_name + "-.*")
    got = []
    wait_until(lambda: got.extend(r for rs in c.poll(200).values() for r in rs) or len(got) >= 6)
    assert {r.topic for r in got} == {topic_name + "-a", topic_name + "-b"}
    assert c.subscription() == {topic_name + "-a", topic_name + "-b"}
    c.close()


def test_offsets_for_times_and_topics(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name, 1, 1)])
    # Recent timestamps: records older than the retention period may be deleted at once.
    base = int(time.time() * 1000) - 60_000
    with KafkaProducer(bootstrap_servers=bootstrap) as p:
        for i in range(5):
            p.send(topic_name, value=b"x", timestamp_ms=base + i * 1000)
    c = KafkaConsumer(bootstrap_servers=bootstrap)
    tp = TopicPartition(topic_name, 0)
    found = c.offsets_for_times({tp: base + 2500})
    assert found[tp].offset == 3 and found[tp].timestamp == base + 3000
    assert topic_name in c.topics()
    assert c.partitions_for_topic(topic_name) == {0}
    assert c.partitions_for_topic("no-such-topic-" + topic_name) == set()
    c.close()


def test_admin_topics_configs_partitions(admin, topic_name):
    admin.create_topics([NewTopic(topic_name, 1, 1, topic_configs={"retention.ms": "604800000"})])
    assert topic_name in admin.list_topics()
    res = ConfigResource(ConfigResourceType.TOPIC, topic_name)
    cfg = admin.describe_configs([res])["topic"][topic_name]
    assert cfg["retention.ms"]["value"] == "604800000"
    assert cfg["retention.ms"]["config_source"] == "DYNAMIC_TOPIC_CONFIG"
    admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic_name, {"retention.ms": "1000"})])
    assert admin.describe_configs([res])["topic"][topic_name]["retention.ms"]["value"] == "1000"
    admin.create_partitions({topic_name: NewPartitions(3)})
    desc = admin.describe_topics([topic_name])[0]
    assert [p["partition_index"] for p in desc["partitions"]] == [0, 1, 2]
    assert admin.describe_cluster()["brokers"]
    with pytest.raises(errors.TopicAlreadyExistsError):
        admin.create_topics([NewTopic(topic_name, 1, 1)])
    admin.delete_topics([topic_name])
    wait_until(lambda: topic_name not in admin.list_topics())


def test_admin_groups_offsets_and_delete_records(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name, 1, 1)])
    produce(bootstrap, topic_name, 10)
    group = "g-" + topic_name
    tp = TopicPartition(topic_name, 0)
    c = KafkaConsumer(topic_name, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                      enable_auto_commit=False, consumer_timeout_ms=5000)
    assert len([r for _, r in zip(range(10), c)]) == 10
    c.commit()
    assert group in [g for g, _ in admin.list_consumer_groups()]
    desc = admin.describe_consumer_groups([group])[0]
    assert desc["state"] == "Stable" and desc["members"][0]["assignment"] == [tp]
    c.close()
    assert admin.list_consumer_group_offsets(group) == {tp: OffsetAndMetadata(10, "", -1)} or \
        admin.list_consumer_group_offsets(group)[tp].offset == 10
    admin.alter_group_offsets(group, {tp: OffsetAndMetadata(4, "", -1)})
    assert admin.list_consumer_group_offsets(group)[tp].offset == 4
    assert admin.reset_group_offsets(group, {tp: "earliest"}) == {tp: 0}
    assert admin.delete_records({tp: 6}) == {tp: {"partition_index": 0, "low_watermark": 6, "error_code": 0}}
    assert admin.list_partition_offsets({tp: "earliest"}) == {tp: 6}
    admin.delete_group_offsets(group, [tp])
    assert admin.list_consumer_group_offsets(group) == {}
    admin.delete_groups([group])
    assert group not in [g for g, _ in admin.list_consumer_groups()]


def test_unsubscribe_commits_what_was_consumed_and_leaves_the_group(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name, 1, 1)])
    produce(bootstrap, topic_name, 10)
    group = "g-" + topic_name
    tp = TopicPartition(topic_name, 0)
    c = KafkaConsumer(topic_name, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                      session_timeout_ms=45000, auto_commit_interval_ms=600000, consumer_timeout_ms=5000)
    got = [r for _, r in zip(range(7), c)]
    assert len(got) == 7
    assert admin.describe_consumer_groups([group])[0]["members"]
    c.unsubscribe()
    # kafka-python commits the records handed out (auto-commit on), then leaves at once rather
    # than after the 45 s session timeout.
    assert admin.list_consumer_group_offsets(group)[tp].offset == 7
    assert c.assignment() == set()
    wait_until(lambda: not admin.describe_consumer_groups([group])[0]["members"], 20)
    c.close()


def test_bad_input(bootstrap, topic_name):
    with pytest.raises(errors.KafkaConfigurationError):
        KafkaProducer(bootstrap_servers=bootstrap, linger_ms="soon")
    with pytest.raises(errors.KafkaConfigurationError):
        KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="sometimes")

    def boom(v):
        raise RuntimeError("cannot serialize")
    p = KafkaProducer(bootstrap_servers=bootstrap, value_serializer=boom)
    with pytest.raises(RuntimeError, match="cannot serialize"):
        p.send(topic_name, value={"a": 1})
    with pytest.raises(TypeError):
        KafkaProducer(bootstrap_servers=bootstrap).send(topic_name, value="not bytes")
    with pytest.raises(ValueError):
        p.send(topic_name)
    p.close()
    c = KafkaConsumer(bootstrap_servers=bootstrap)
    with pytest.raises(errors.IllegalStateError):
        c.poll(10)
    c.assign([TopicPartition(topic_name, 0)])
    with pytest.raises(errors.IllegalStateError):
        c.subscribe([topic_name])
    with pytest.raises(errors.KafkaConfigurationError):
        c.commit()
    c.close()


def test_unreachable_broker_is_a_timeout_not_a_hang():
    p = KafkaProducer(bootstrap_servers="127.0.0.1:1", max_block_ms=1000, request_timeout_ms=1000,
                      delivery_timeout_ms=2000, linger_ms=0)
    start = time.monotonic()
    with pytest.raises(errors.KafkaError) as info:
        p.send("t", value=b"x").get(timeout=20)
    assert time.monotonic() - start < 20
    assert isinstance(info.value, (errors.KafkaTimeoutError, errors.KafkaConnectionError))
    p.close(timeout=2)


def test_send_waits_for_the_topics_metadata_as_kafka_pythons_does(topic_name):
    """kafka-python's send blocks up to max_block_ms for an unknown topic's metadata and raises
    KafkaTimeoutError from send itself; an explicit partition the topic lacks is a ValueError."""
    from ferrokafka.testing import LocalBroker
    with LocalBroker(config={"auto.create.topics.enable": "false"}) as broker:
        p = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, max_block_ms=500)
        start = time.monotonic()
        with pytest.raises(errors.KafkaTimeoutError, match=r"Failed to update metadata after 0\.5 secs\."):
            p.send(topic_name, value=b"x")
        assert time.monotonic() - start >= 0.45
        p.flush(timeout=10)  # nothing was queued for it
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        admin.create_topics([NewTopic(topic_name, 2, 1)])
        with pytest.raises(ValueError, match="Unrecognized partition 2 for topic " + topic_name):
            p.send(topic_name, value=b"x", partition=2)
        assert p.send(topic_name, value=b"x", partition=1).get(timeout=30).partition == 1
        # The same topic again (the native fast path): still checked.
        with pytest.raises(ValueError, match="Unrecognized partition 5"):
            p.send(topic_name, value=b"y", partition=5)
        with pytest.raises(ValueError, match="partition must be >= 0"):
            p.send(topic_name, value=b"y", partition=-1)
        assert p.send(topic_name, value=b"z").get(timeout=30).topic == topic_name
        assert p.metrics()["producer-metrics"]["record-send-total"] == 2
        p.close()
        admin.close()


def test_blocking_poll_releases_the_gil_and_ctrl_c_interrupts_it(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name, 1, 1)])
    c = KafkaConsumer(bootstrap_servers=bootstrap)
    c.assign([TopicPartition(topic_name, 0)])
    ticks = []
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)
    t = threading.Thread(target=spin)
    t.start()
    start = time.monotonic()
    c.poll(timeout_ms=1000)
    stop.set()
    t.join()
    assert time.monotonic() - start >= 0.9
    assert len(ticks) > 20  # the other thread ran while poll waited

    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        c.poll(timeout_ms=30000)
    assert time.monotonic() - start < 10
    c.close()


def test_custom_partitioner_and_serializer_objects(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name, 3, 1)])
    from ferrokafka.serializer import JsonDeserializer, JsonSerializer

    calls = []

    def last_partition(key_bytes, all_partitions, available):
        calls.append(key_bytes)
        return all_partitions[-1]
    with KafkaProducer(bootstrap_servers=bootstrap, partitioner=last_partition,
                       value_serializer=JsonSerializer()) as p:
        md = p.send(topic_name, key=b"k", value={"a": [1, 2]}).get(timeout=30)
    assert md.partition == 2 and calls == [b"k"]
    c = KafkaConsumer(bootstrap_servers=bootstrap, value_deserializer=JsonDeserializer(),
                      auto_offset_reset="earliest")
    tp = TopicPartition(topic_name, 2)
    c.assign([tp])
    got = []
    wait_until(lambda: got.extend(c.poll(200).get(tp, [])) or got)
    assert got[0].value == {"a": [1, 2]}
    c.close()


def test_local_broker_context_manager():
    from ferrokafka.testing import LocalBroker
    with LocalBroker(config={"num.partitions": "2"}) as broker:
        host, port = broker.bootstrap_servers.rsplit(":", 1)
        assert host == "127.0.0.1" and int(port) == broker.port > 0
        with KafkaProducer(bootstrap_servers=broker.bootstrap_servers) as p:
            md = p.send("auto-created", value=b"x").get(timeout=30)
        assert md.partition in (0, 1)
