"""Crash: SIGKILL the broker while an idempotent acks=all producer streams 100,000 records.

After a restart on the same port and data dir, every acknowledged record is read back exactly
once at the offset it was acknowledged with, offsets are contiguous, and a consumer group's
committed offsets are what they were before the crash.
"""

from __future__ import annotations

import threading

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from helpers import PARTITIONS, PATIENCE_S, eventually, unique

RECORDS = 100_000
KILL_AFTER_ACKS = 30_000


def value_of(i: int) -> bytes:
    return f"{i:08d}".encode() + b"." * 92  # 100 bytes


def test_sigkill_mid_stream_loses_no_acknowledged_record_and_duplicates_none(fresh_broker):
    bootstrap = fresh_broker.bootstrap
    topic, group = unique("crash"), unique("crash-group")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])[topic].result(PATIENCE_S)
    eventually(lambda: topic in admin.list_topics(timeout=10).topics, "the topic in metadata")

    # A group with committed offsets before the crash.
    committed_before = [TopicPartition(topic, p, 100 + p) for p in range(PARTITIONS)]
    committer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    committer.commit(offsets=committed_before, asynchronous=False)
    committer.close()

    acked: dict[int, tuple[int, int]] = {}  # record number -> (partition, offset)
    failed: dict[int, str] = {}
    crash = threading.Event()
    restart_errors: list[BaseException] = []

    def kill_and_restart():
        try:
            fresh_broker.kill()
            crash.set()
            fresh_broker.start()
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread below
            restart_errors.append(exc)

    def on_delivery(err, msg):
        i = int(msg.value()[:8])
        if err is None:
            acked[i] = (msg.partition(), msg.offset())
        else:
            failed[i] = str(err)
        if len(acked) >= KILL_AFTER_ACKS and not crash.is_set() and not restarter.is_alive():
            restarter.start()

    restarter = threading.Thread(target=kill_and_restart, daemon=True)
    producer = Producer({
        "bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
        "linger.ms": 5, "message.timeout.ms": 180_000,
        # A small local queue keeps the stream going through the outage instead of ahead of it.
        "queue.buffering.max.messages": 5_000,
    })
    for i in range(RECORDS):
        while True:
            try:
                producer.produce(topic, key=str(i % 100).encode(), value=value_of(i), on_delivery=on_delivery)
                break
            except BufferError:
                assert not restart_errors, f"restarting the broker failed: {restart_errors[0]}"
                producer.poll(0.05)
        producer.poll(0)
    if restarter.ident is not None:
        restarter.join(PATIENCE_S)
    assert not restart_errors, f"restarting the broker failed: {restart_errors[0]}"
    assert producer.flush(240) == 0, "records still undelivered 4 minutes after the last send"
    assert crash.is_set(), "the broker was never killed: the stream ended too early"

    print(f"crash test: {len(acked)} acknowledged, {len(failed)} failed "
          f"(e.g. {next(iter(failed.values()), 'none')}), broker killed after {KILL_AFTER_ACKS} acks")
    assert len(acked) + len(failed) == RECORDS
    assert len(acked) > KILL_AFTER_ACKS

    # Read back the whole topic, no group involved.
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("crash-reader"),
                       "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    ends = {p: reader.get_watermark_offsets(TopicPartition(topic, p), timeout=PATIENCE_S) for p in range(PARTITIONS)}
    assert all(low == 0 for low, _ in ends.values())
    reader.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
    stored: dict[int, list[tuple[int, int]]] = {}  # partition -> [(offset, record number)]
    total = sum(high for _, high in ends.values())

    def read_all():
        for msg in reader.consume(num_messages=10_000, timeout=0.5):
            assert msg.error() is None, msg.error()
            stored.setdefault(msg.partition(), []).append((msg.offset(), int(msg.value()[:8])))
        return sum(len(v) for v in stored.values()) >= total

    eventually(read_all, f"{total} stored records", timeout=180)
    reader.close()

    for p, entries in stored.items():
        offsets = [o for o, _ in entries]
        assert offsets == list(range(len(offsets))), f"partition {p}: offsets are not contiguous"
    numbers = [n for entries in stored.values() for _, n in entries]
    duplicates = len(numbers) - len(set(numbers))
    assert duplicates == 0, f"{duplicates} records stored more than once"
    where = {n: (p, o) for p, entries in stored.items() for o, n in entries}
    missing = [i for i in acked if i not in where]
    assert not missing, f"{len(missing)} acknowledged records lost, e.g. {missing[:5]}"
    moved = [i for i, at in acked.items() if where[i] != at]
    assert not moved, f"{len(moved)} records stored at another offset than acknowledged, e.g. {moved[:5]}"

    # The group's committed offsets survived the crash.
    checker = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    after = checker.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=PATIENCE_S)
    checker.close()
    assert {tp.partition: tp.offset for tp in after} == {tp.partition: tp.offset for tp in committed_before}
