"""Incremental fetch sessions (KIP-227) as real clients use them against OUR broker.

kafka-python (2.x) and the Java client (Apache Kafka's own kafka-console-consumer, 4.3.1) open a
session and fetch incrementally; librdkafka does not implement KIP-227 (it always fetches
sessionless), which is checked to be answered without session errors.
Each test starts its own broker (the session counters it checks are broker-wide), consumes a
100-partition topic to the end with one client, stops the broker and reads the fetch-session
counters it logs on shutdown (`fetch_sessions=FetchSessionMetrics { .. }`). Runs against
ferrokafka only: the counters are ours.
"""

from __future__ import annotations

import re

import helpers  # noqa: F401  (puts tests/harness on sys.path)
from ferro_broker import FerroBroker
from helpers import CONSOLE_CONSUMER, eventually, kafka_tool, unique

PARTITIONS = 100
PER_PARTITION = 20


def _produce_everywhere(bootstrap: str, topic: str) -> None:
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])[topic].result(30)
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for partition in range(PARTITIONS):
        for i in range(PER_PARTITION):
            p.produce(topic, value=f"{partition}-{i}".encode(), partition=partition)
    assert p.flush(60) == 0


def _session_counters(broker: FerroBroker) -> dict[str, int]:
    broker.stop()
    with open(broker.log_path, encoding="utf-8", errors="replace") as f:
        log = re.sub(r"\x1b\[[0-9;]*m", "", f.read())  # the log may be coloured
    found = re.findall(r"fetch_sessions=FetchSessionMetrics \{([^}]*)\}", log)
    assert found, "the broker logs its fetch-session counters when it stops"
    return {k: int(v) for k, v in re.findall(r"(\w+): (\d+)", found[-1])}


def test_kafka_python_consumes_100_partitions_with_incremental_fetches():
    from kafka import KafkaConsumer

    with FerroBroker() as broker:
        topic = unique("sessions-kp")
        _produce_everywhere(broker.bootstrap, topic)
        consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=unique("g"),
                                 auto_offset_reset="earliest", enable_auto_commit=False)
        seen: set[bytes] = set()

        def all_seen():
            for records in consumer.poll(timeout_ms=500).values():
                seen.update(r.value for r in records)
            return len(seen) == PARTITIONS * PER_PARTITION or None

        eventually(all_seen, "every record consumed", timeout=120)
        # A few more polls at the end of every partition: incremental fetches with no news.
        for _ in range(5):
            consumer.poll(timeout_ms=200)
        consumer.close()
        counters = _session_counters(broker)
    print("kafka-python fetch-session counters:", counters)
    assert counters["sessions_created"] >= 1, counters
    assert counters["incremental_fetches"] > 0, counters
    assert counters["session_id_not_found"] == 0, counters


def test_java_client_consumes_100_partitions_with_incremental_fetches():
    """The Java consumer (kafka-console-consumer) opens a session and then fetches incrementally.

    `fetch.max.bytes=1024` makes each response carry only a few partitions (the first batch is
    always returned), so reading 100 partitions to the end takes many fetch rounds on one session.
    """
    with FerroBroker() as broker:
        topic = unique("sessions-java")
        _produce_everywhere(broker.bootstrap, topic)
        total = PARTITIONS * PER_PARTITION
        result = kafka_tool(CONSOLE_CONSUMER, "--bootstrap-server", broker.bootstrap, "--topic", topic,
                            "--from-beginning", "--group", unique("g"), "--max-messages", str(total),
                            "--timeout-ms", "120000",
                            "--command-property", "fetch.max.bytes=1024",
                            "--command-property", "enable.auto.commit=false")
        values = set(result.stdout.splitlines())
        counters = _session_counters(broker)
    assert values == {f"{p}-{i}" for p in range(PARTITIONS) for i in range(PER_PARTITION)}, \
        f"{len(values)} distinct values of {total}"
    print("Java client fetch-session counters:", counters)
    assert counters["sessions_created"] >= 1, counters
    assert counters["incremental_fetches"] > 0, counters
    assert counters["session_id_not_found"] == 0 and counters["invalid_epoch"] == 0, counters


def test_librdkafka_consumes_100_partitions_sessionless_without_session_errors():
    """librdkafka (2.x) does not implement KIP-227: it sends epoch -1, answered in full."""
    from confluent_kafka import Consumer

    with FerroBroker() as broker:
        topic = unique("sessions-rd")
        _produce_everywhere(broker.bootstrap, topic)
        consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique("g"),
                             "auto.offset.reset": "earliest", "enable.auto.commit": False})
        consumer.subscribe([topic])
        seen: set[bytes] = set()

        def all_seen():
            for m in consumer.consume(num_messages=1000, timeout=0.5):
                if m.error() is None:
                    seen.add(m.value())
            return len(seen) == PARTITIONS * PER_PARTITION or None

        eventually(all_seen, "every record consumed", timeout=120)
        consumer.close()
        counters = _session_counters(broker)
    print("librdkafka fetch-session counters:", counters)
    assert counters["full_fetches"] > 0, counters
    assert counters["session_id_not_found"] == 0 and counters["invalid_epoch"] == 0, counters
