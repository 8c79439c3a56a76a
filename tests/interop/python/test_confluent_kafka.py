"""confluent-kafka (librdkafka) against the broker under test: the issue-2 interop scenarios."""

from __future__ import annotations

import os

import pytest
from confluent_kafka import (Consumer, ConsumerGroupTopicPartitions, KafkaError,
                             Producer, TopicPartition)
from confluent_kafka.admin import AdminClient, NewTopic

from helpers import (CODECS, MESSAGE_MAX_BYTES, PARTITIONS, PATIENCE_S, assert_per_key_order,
                     eventually, keyed_records, unique)


@pytest.fixture
def admin(bootstrap) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap})


@pytest.fixture
def topic(admin):
    name = unique("ck")
    create_topic(admin, name)
    return name


def create_topic(admin: AdminClient, name: str) -> None:
    futures = admin.create_topics([NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)])
    futures[name].result(timeout=PATIENCE_S)
    eventually(lambda: name in admin.list_topics(timeout=10).topics, f"topic {name} in metadata")


def producer(bootstrap, **config) -> Producer:
    return Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, **config})


def consumer(bootstrap, group, **config) -> Consumer:
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                     "enable.auto.commit": False, **config})


def produce(bootstrap, topic, records, **config) -> list:
    """Send every record and wait for all delivery reports; fail on the first delivery error."""
    p = producer(bootstrap, **config)
    delivered, errors = [], []

    def on_delivery(err, msg):
        (errors if err else delivered).append(err or msg)

    for key, value, headers in records:
        p.produce(topic, key=key, value=value, headers=headers, on_delivery=on_delivery)
        p.poll(0)
    assert p.flush(PATIENCE_S) == 0, "records still undelivered"
    assert not errors, errors[:3]
    return delivered


def poll_until(c: Consumer, count: int) -> list:
    got = []

    def enough():
        for msg in c.consume(num_messages=500, timeout=0.5):
            assert msg.error() is None, msg.error()
            got.append(msg)
        return len(got) >= count

    eventually(enough, f"{count} records (got {len(got)})")
    return got


def test_create_topic_with_three_partitions(admin):
    name = unique("ck-create")
    create_topic(admin, name)
    assert sorted(admin.list_topics(name, timeout=10).topics[name].partitions) == [0, 1, 2]


@pytest.mark.parametrize("codec", CODECS)
def test_keyed_records_with_headers_round_trip_under_each_codec(bootstrap, topic, codec):
    sent = keyed_records(60, tag=codec)
    produce(bootstrap, topic, sent, **{"compression.type": codec})

    c = consumer(bootstrap, unique("ck-g"))
    c.subscribe([topic])
    got = poll_until(c, len(sent))
    c.close()

    assert len(got) == len(sent)
    by_key: dict[bytes, list[bytes]] = {}
    partitions_by_key: dict[bytes, set[int]] = {}
    for m in got:
        by_key.setdefault(m.key(), []).append(m.value())
        partitions_by_key.setdefault(m.key(), set()).add(m.partition())
        assert m.headers()[0][0] == "trace-id"
        assert ("source", b"interop") in m.headers()
    assert_per_key_order(by_key, sent)
    assert all(len(p) == 1 for p in partitions_by_key.values()), "a key was spread over partitions"


def test_commit_then_restarted_consumer_resumes_at_committed_offset(bootstrap, topic):
    sent = keyed_records(30)
    produce(bootstrap, topic, sent)
    group = unique("ck-resume")

    first = consumer(bootstrap, group)
    first.subscribe([topic])
    seen = []
    eventually(lambda: seen.extend(first.consume(num_messages=10 - len(seen), timeout=0.5)) or len(seen) >= 10,
               "10 records")
    commit: dict[int, int] = {}
    for m in seen:
        commit[m.partition()] = max(commit.get(m.partition(), 0), m.offset() + 1)
    first.commit(offsets=[TopicPartition(topic, p, o) for p, o in commit.items()], asynchronous=False)
    first.close()

    second = consumer(bootstrap, group)
    committed = second.committed([TopicPartition(topic, p) for p in commit], timeout=PATIENCE_S)
    assert {tp.partition: tp.offset for tp in committed} == commit
    second.subscribe([topic])
    rest = poll_until(second, len(sent) - len(seen))
    second.close()

    first_ids = {(m.partition(), m.offset()) for m in seen}
    rest_ids = {(m.partition(), m.offset()) for m in rest}
    assert not first_ids & rest_ids, "records before the committed offset were delivered again"
    assert len(first_ids | rest_ids) == len(sent)


def test_two_consumers_in_a_group_split_the_partitions(bootstrap, topic):
    group = unique("ck-split")
    a, b = consumer(bootstrap, group), consumer(bootstrap, group)
    a.subscribe([topic])
    b.subscribe([topic])
    got = {"a": [], "b": []}

    def split():
        for name, c in (("a", a), ("b", b)):
            got[name].extend(m for m in c.consume(num_messages=500, timeout=0.2) if m.error() is None)
        ta = {tp.partition for tp in a.assignment()}
        tb = {tp.partition for tp in b.assignment()}
        return ta and tb and not (ta & tb) and len(ta | tb) == PARTITIONS

    eventually(split, "both consumers to own disjoint partitions")
    sent = keyed_records(90)
    produce(bootstrap, topic, sent)
    eventually(lambda: split() and len(got["a"]) + len(got["b"]) >= len(sent), "all records")

    for name, c in (("a", a), ("b", b)):
        owned = {tp.partition for tp in c.assignment()}
        assert {m.partition() for m in got[name]} <= owned, f"consumer {name} read a partition it does not own"
        assert got[name], f"consumer {name} received nothing"
    a.close()
    b.close()
    assert len({(m.partition(), m.offset()) for m in got["a"] + got["b"]}) == len(sent)


def test_idempotent_producer_writes_each_record_once(bootstrap, topic):
    sent = keyed_records(500, tag="idem")
    delivered = produce(bootstrap, topic, sent, **{"enable.idempotence": True})
    offsets = sorted((m.partition(), m.offset()) for m in delivered)
    assert len(set(offsets)) == len(sent)
    for p in range(PARTITIONS):
        in_p = [o for part, o in offsets if part == p]
        assert in_p == list(range(len(in_p))), f"partition {p} offsets are not contiguous from 0"

    c = consumer(bootstrap, unique("ck-idem"))
    c.subscribe([topic])
    got = poll_until(c, len(sent))
    c.close()
    assert sorted(m.value() for m in got) == sorted(v for _, v, _ in sent)


def test_describe_group_shows_members_and_lag(bootstrap, admin, topic):
    sent = keyed_records(30)
    produce(bootstrap, topic, sent)
    group = unique("ck-lag")
    c = consumer(bootstrap, group)
    c.subscribe([topic])
    poll_until(c, len(sent))
    end = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=PATIENCE_S)[1] for p in range(PARTITIONS)}
    c.commit(offsets=[TopicPartition(topic, p, max(0, e - 2)) for p, e in end.items()], asynchronous=False)

    described = admin.describe_consumer_groups([group])[group].result(timeout=PATIENCE_S)
    assert described.group_id == group
    assert str(described.state).endswith("STABLE")
    assert len(described.members) == 1
    assert {tp.partition for tp in described.members[0].assignment.topic_partitions} == set(range(PARTITIONS))

    listed = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result(timeout=PATIENCE_S)
    lag = {tp.partition: end[tp.partition] - tp.offset for tp in listed.topic_partitions}
    assert lag == {p: min(2, e) for p, e in end.items()}
    c.close()


def test_reset_offsets_to_earliest_and_to_an_offset(bootstrap, admin, topic):
    sent = keyed_records(30)
    produce(bootstrap, topic, sent)
    group = unique("ck-reset")
    c = consumer(bootstrap, group)
    c.subscribe([topic])
    poll_until(c, len(sent))
    c.commit(asynchronous=False)
    c.close()  # the group must be empty to reset it

    reset = [TopicPartition(topic, p, 0) for p in range(PARTITIONS)]
    reset[0] = TopicPartition(topic, 0, 1)
    admin.alter_consumer_group_offsets([ConsumerGroupTopicPartitions(group, reset)])[group].result(timeout=PATIENCE_S)
    listed = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result(timeout=PATIENCE_S)
    assert {tp.partition: tp.offset for tp in listed.topic_partitions} == {0: 1, 1: 0, 2: 0}

    again = consumer(bootstrap, group)
    again.subscribe([topic])
    got = poll_until(again, len(sent) - 1)
    again.close()
    assert len(got) == len(sent) - 1
    assert min(m.offset() for m in got if m.partition() == 0) == 1


def test_delete_topic(admin, topic):
    admin.delete_topics([topic])[topic].result(timeout=PATIENCE_S)
    eventually(lambda: topic not in admin.list_topics(timeout=10).topics, "the topic to disappear from metadata")


def test_record_over_message_max_bytes_is_rejected_with_a_clear_error(bootstrap, topic):
    # librdkafka's own limit is raised so the broker itself must reject the record.
    p = producer(bootstrap, **{"message.max.bytes": 8 * MESSAGE_MAX_BYTES, "retries": 0})
    errors = []
    p.produce(topic, key=b"big", value=os.urandom(MESSAGE_MAX_BYTES + 1024),
              on_delivery=lambda err, msg: errors.append(err))
    assert p.flush(PATIENCE_S) == 0, "no answer for the oversized record"
    assert len(errors) == 1 and errors[0] is not None
    assert errors[0].code() == KafkaError.MSG_SIZE_TOO_LARGE, errors[0]
