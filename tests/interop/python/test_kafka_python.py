"""kafka-python (PyPI) against the broker under test: the issue-2 interop scenarios."""

from __future__ import annotations

import os

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, OffsetSpec
from kafka.errors import MessageSizeTooLargeError
from kafka.structs import OffsetAndMetadata

from helpers import (CODECS, MESSAGE_MAX_BYTES, PARTITIONS, PATIENCE_S, assert_per_key_order,
                     eventually, keyed_records, unique)


@pytest.fixture
def admin(bootstrap):
    client = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="interop-admin")
    yield client
    client.close()


@pytest.fixture
def topic(admin):
    name = unique("kp")
    admin.create_topics({name: {"num_partitions": PARTITIONS, "replication_factor": 1}},
                        wait_for_metadata=True)
    return name


def producer(bootstrap, **config) -> KafkaProducer:
    return KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, **config)


def consumer(bootstrap, group, *topics, **config) -> KafkaConsumer:
    # A short metadata max age: if the group leader assigned before its metadata listed the new
    # topic ("No partition metadata"), the next refresh triggers the rebalance that fixes it.
    # And subscribe only once this client's metadata lists the topics, so no group leader
    # assigns from metadata that does not have them yet (kafka-python then assigns nothing).
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                      auto_offset_reset="earliest", enable_auto_commit=False,
                      metadata_max_age_ms=3000, **config)
    for t in topics:
        eventually(lambda t=t: c.partitions_for_topic(t), f"metadata for {t}")
    if topics:
        c.subscribe(list(topics))
    return c


def produce(bootstrap, topic, records, **config):
    """Send every record, wait for every acknowledgement, return the RecordMetadata list."""
    p = producer(bootstrap, **config)
    futures = [p.send(topic, key=k, value=v, headers=h) for k, v, h in records]
    p.flush(timeout=PATIENCE_S)
    metadata = [f.get(timeout=PATIENCE_S) for f in futures]
    p.close()
    return metadata


def poll_until(c: KafkaConsumer, count: int) -> list:
    """Poll until `count` records arrived (more is a failure the caller sees)."""
    got = []

    def enough():
        for batch in c.poll(timeout_ms=500).values():
            got.extend(batch)
        return len(got) >= count

    eventually(enough, f"{count} records (got {len(got)})")
    return got


def test_create_topic_with_three_partitions(admin):
    name = unique("kp-create")
    admin.create_topics({name: {"num_partitions": PARTITIONS, "replication_factor": 1}},
                        wait_for_metadata=True)
    assert name in admin.list_topics()
    [described] = admin.describe_topics([name])
    assert described["error_code"] == 0
    assert sorted(p["partition_index"] for p in described["partitions"]) == [0, 1, 2]


@pytest.mark.parametrize("codec", CODECS)
def test_keyed_records_with_headers_round_trip_under_each_codec(bootstrap, topic, codec):
    sent = keyed_records(60, tag=codec)
    metadata = produce(bootstrap, topic, sent, compression_type=None if codec == "none" else codec)
    assert {m.partition for m in metadata} <= set(range(PARTITIONS))

    c = consumer(bootstrap, unique("kp-g"), topic)
    got = poll_until(c, len(sent))
    c.close()

    assert len(got) == len(sent)
    by_key: dict[bytes, list[bytes]] = {}
    partitions_by_key: dict[bytes, set[int]] = {}
    for r in got:
        by_key.setdefault(r.key, []).append(r.value)
        partitions_by_key.setdefault(r.key, set()).add(r.partition)
        assert ("source", b"interop") in r.headers
        assert r.headers[0][0] == "trace-id"
    assert_per_key_order(by_key, sent)
    assert all(len(p) == 1 for p in partitions_by_key.values()), "a key was spread over partitions"


def test_commit_then_restarted_consumer_resumes_at_committed_offset(bootstrap, topic):
    sent = keyed_records(30)
    produce(bootstrap, topic, sent)
    group = unique("kp-resume")

    first = consumer(bootstrap, group, topic, max_poll_records=5)
    seen = poll_until(first, 10)
    # Commit exactly what we processed: per partition, one past the last processed offset.
    next_offsets: dict[TopicPartition, int] = {}
    for r in seen:
        tp = TopicPartition(r.topic, r.partition)
        next_offsets[tp] = max(next_offsets.get(tp, 0), r.offset + 1)
    first.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in next_offsets.items()})
    first.close()

    second = consumer(bootstrap, group, topic)
    rest = poll_until(second, len(sent) - len(seen))
    for tp, offset in next_offsets.items():
        assert second.committed(tp) == offset
    second.close()

    first_ids = {(r.partition, r.offset) for r in seen}
    rest_ids = {(r.partition, r.offset) for r in rest}
    assert not first_ids & rest_ids, "records before the committed offset were delivered again"
    assert len(first_ids | rest_ids) == len(sent)


def test_two_consumers_in_a_group_split_the_partitions(bootstrap, topic):
    group = unique("kp-split")
    a = consumer(bootstrap, group, topic)
    b = consumer(bootstrap, group, topic)
    got = {"a": [], "b": []}

    def poll_both():
        for name, c in (("a", a), ("b", b)):
            for batch in c.poll(timeout_ms=200).values():
                got[name].extend(batch)

    def split():
        poll_both()
        ta, tb = a.assignment(), b.assignment()
        return ta and tb and not (ta & tb) and len(ta | tb) == PARTITIONS

    eventually(split, "both consumers to own disjoint partitions")
    sent = keyed_records(90)
    produce(bootstrap, topic, sent)
    eventually(lambda: split() and len(got["a"]) + len(got["b"]) >= len(sent), "all records")

    for name, c in (("a", a), ("b", b)):
        owned = {tp.partition for tp in c.assignment()}
        assert {r.partition for r in got[name]} <= owned, f"consumer {name} read a partition it does not own"
        assert got[name], f"consumer {name} received nothing"
    a.close()
    b.close()
    assert len({(r.partition, r.offset) for r in got["a"] + got["b"]}) == len(sent)


def test_idempotent_producer_writes_each_record_once(bootstrap, topic):
    sent = keyed_records(500, tag="idem")
    metadata = produce(bootstrap, topic, sent, enable_idempotence=True, max_in_flight_requests_per_connection=5)
    offsets = sorted((m.partition, m.offset) for m in metadata)
    assert len(set(offsets)) == len(sent)
    for p in range(PARTITIONS):
        in_p = [o for part, o in offsets if part == p]
        assert in_p == list(range(len(in_p))), f"partition {p} offsets are not contiguous from 0"

    c = consumer(bootstrap, unique("kp-idem"), topic)
    got = poll_until(c, len(sent))
    c.close()
    assert sorted(r.value for r in got) == sorted(v for _, v, _ in sent)


def test_describe_group_shows_members_and_lag(bootstrap, admin, topic):
    sent = keyed_records(30)
    produce(bootstrap, topic, sent)
    group = unique("kp-lag")
    c = consumer(bootstrap, group, topic)
    poll_until(c, len(sent))
    # Commit 2 records short of the end on every partition: lag 2 each.
    end = c.end_offsets([TopicPartition(topic, p) for p in range(PARTITIONS)])
    c.commit({tp: OffsetAndMetadata(max(0, e - 2), "", -1) for tp, e in end.items()})

    described = admin.describe_groups([group])[group]
    assert described["group_state"] == "Stable"
    assert described["protocol_type"] == "consumer"
    assert len(described["members"]) == 1

    committed = admin.list_group_offsets({group: None})[group]
    lag = {tp.partition: end[tp] - om.offset for tp, om in committed.items()}
    assert lag == {p: (2 if end[TopicPartition(topic, p)] >= 2 else end[TopicPartition(topic, p)])
                   for p in range(PARTITIONS)}
    c.close()


def test_reset_offsets_to_earliest_and_to_an_offset(bootstrap, admin, topic):
    sent = keyed_records(30)
    produce(bootstrap, topic, sent)
    group = unique("kp-reset")
    c = consumer(bootstrap, group, topic)
    poll_until(c, len(sent))
    c.commit()
    c.close()  # the group must be empty to reset it

    tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
    admin.reset_group_offsets(group, {tp: OffsetSpec.EARLIEST for tp in tps})
    assert {tp: om.offset for tp, om in admin.list_group_offsets({group: None})[group].items()} == \
        {tp: 0 for tp in tps}

    errors = admin.alter_group_offsets(group, {tps[0]: OffsetAndMetadata(1, "", -1)})
    assert all(e.errno == 0 for e in errors.values()), errors
    assert admin.list_group_offsets({group: [tps[0]]})[group][tps[0]].offset == 1

    again = consumer(bootstrap, group, topic)
    got = poll_until(again, len(sent) - 1)
    again.close()
    assert len(got) == len(sent) - 1
    assert min(r.offset for r in got if r.partition == 0) == 1


def test_delete_topic(admin, topic):
    admin.delete_topics([topic])
    eventually(lambda: topic not in admin.list_topics(), "the topic to disappear from metadata")


def test_record_over_message_max_bytes_is_rejected_with_a_clear_error(bootstrap, topic):
    # The client-side limit is raised so the broker itself must reject the record.
    p = producer(bootstrap, max_request_size=8 * MESSAGE_MAX_BYTES, retries=0)
    future = p.send(topic, key=b"big", value=os.urandom(MESSAGE_MAX_BYTES + 1024))
    with pytest.raises(MessageSizeTooLargeError):
        future.get(timeout=PATIENCE_S)
    p.close()
