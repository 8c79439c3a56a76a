"""Apache Kafka's own command-line tools (from the Maven Central jars) against the broker under test.

Each test is an operator session: kafka-topics, kafka-console-producer/-consumer,
kafka-consumer-groups, kafka-configs, kafka-get-offsets and the perf tests.
"""

from __future__ import annotations

import pytest

from helpers import (CODECS, CONFIG_COMMAND, CONSOLE_CONSUMER, CONSOLE_PRODUCER, CONSUMER_GROUP_COMMAND,
                     CONSUMER_PERFORMANCE, GET_OFFSET_SHELL, MESSAGE_MAX_BYTES, PARTITIONS,
                     PRODUCER_PERFORMANCE, TOPIC_COMMAND, eventually, kafka_tool, table_rows, unique)


def create_topic(bootstrap: str, topic: str, *extra: str) -> None:
    kafka_tool(TOPIC_COMMAND, "--bootstrap-server", bootstrap, "--create", "--topic", topic,
               "--partitions", str(PARTITIONS), "--replication-factor", "1", *extra)


def console_produce(bootstrap: str, topic: str, lines: list[str], *extra: str) -> None:
    """kafka-console-producer with keys and headers: each line is `h1:v1,h2:v2<TAB>key:value`."""
    kafka_tool(CONSOLE_PRODUCER, "--bootstrap-server", bootstrap, "--topic", topic,
               "--reader-property", "parse.key=true", "--reader-property", "key.separator=:",
               "--reader-property", "parse.headers=true", "--request-required-acks", "all",
               *extra, input="\n".join(lines) + "\n")


def console_consume(bootstrap: str, topic: str, group: str, count: int) -> list[str]:
    """kafka-console-consumer --from-beginning --group --max-messages, printing headers and key."""
    result = kafka_tool(CONSOLE_CONSUMER, "--bootstrap-server", bootstrap, "--topic", topic,
                        "--from-beginning", "--group", group, "--max-messages", str(count),
                        "--timeout-ms", "60000",
                        "--formatter-property", "print.key=true", "--formatter-property", "print.headers=true",
                        "--formatter-property", "key.separator=|", "--formatter-property", "headers.separator=,")
    return result.stdout.splitlines()


def end_offsets(bootstrap: str, topic: str, time: str = "-1") -> dict[int, int]:
    """kafka-get-offsets (GetOffsetShell): partition -> offset at `time` (-1 latest, -2 earliest)."""
    out = kafka_tool(GET_OFFSET_SHELL, "--bootstrap-server", bootstrap, "--topic", topic, "--time", time).stdout
    offsets = {}
    for line in out.split():
        name, partition, offset = line.rsplit(":", 2)
        assert name == topic
        offsets[int(partition)] = int(offset)
    return offsets


def describe_group(bootstrap: str, group: str) -> dict[int, dict[str, str]]:
    out = kafka_tool(CONSUMER_GROUP_COMMAND, "--bootstrap-server", bootstrap, "--describe", "--group", group).stdout
    return {int(row["PARTITION"]): row for row in table_rows(out, "GROUP")}


def reset_group(bootstrap: str, group: str, topic: str, *how: str) -> None:
    kafka_tool(CONSUMER_GROUP_COMMAND, "--bootstrap-server", bootstrap, "--reset-offsets", "--group", group,
               "--topic", topic, *how, "--execute")


def keyed_lines(count: int, tag: str) -> list[str]:
    return [f"trace:t{i},source:cli\tkey-{i % 10}:{tag}-value-{i}" for i in range(count)]


def test_topics_create_list_describe_delete(bootstrap):
    topic = unique("cli-topics")
    create_topic(bootstrap, topic)

    listed = kafka_tool(TOPIC_COMMAND, "--bootstrap-server", bootstrap, "--list").stdout.split()
    assert topic in listed

    described = kafka_tool(TOPIC_COMMAND, "--bootstrap-server", bootstrap, "--describe", "--topic", topic).stdout
    assert f"PartitionCount: {PARTITIONS}" in described
    partition_lines = [line for line in described.splitlines() if "Partition: " in line and "Leader: " in line]
    assert sorted(int(line.split("Partition: ")[1].split()[0]) for line in partition_lines) == [0, 1, 2]

    kafka_tool(TOPIC_COMMAND, "--bootstrap-server", bootstrap, "--delete", "--topic", topic)
    eventually(lambda: topic not in kafka_tool(TOPIC_COMMAND, "--bootstrap-server", bootstrap, "--list").stdout.split(),
               "the deleted topic to leave --list")


def test_configs_describe_shows_a_topic_override(bootstrap):
    topic = unique("cli-configs")
    create_topic(bootstrap, topic, "--config", "retention.ms=123456789")
    out = kafka_tool(CONFIG_COMMAND, "--bootstrap-server", bootstrap, "--describe",
                     "--entity-type", "topics", "--entity-name", topic).stdout
    assert "retention.ms=123456789" in out


@pytest.mark.parametrize("codec", CODECS)
def test_console_producer_and_consumer_keep_keys_and_headers_under_each_codec(bootstrap, codec):
    topic = unique(f"cli-{codec}")
    create_topic(bootstrap, topic)
    lines = keyed_lines(30, codec)
    console_produce(bootstrap, topic, lines, "--compression-codec", codec)

    got = console_consume(bootstrap, topic, unique("cli-g"), len(lines))

    # Printed as `headers|key|value`; order is per partition, so compare as sets and per key.
    expected = {f"trace:t{i},source:cli|key-{i % 10}|{codec}-value-{i}" for i in range(len(lines))}
    assert set(got) == expected
    for k in range(10):
        values = [line.rsplit("|", 1)[1] for line in got if f"|key-{k}|" in line]
        assert values == sorted(values, key=lambda v: int(v.rsplit("-", 1)[1])), f"key-{k} out of order"


def test_consumer_groups_describe_lag_then_reset_offsets(bootstrap):
    topic = unique("cli-groups")
    group = unique("cli-group")
    create_topic(bootstrap, topic)
    console_produce(bootstrap, topic, keyed_lines(30, "lag"))
    ends = end_offsets(bootstrap, topic)
    assert sum(ends.values()) == 30

    console_consume(bootstrap, topic, group, 12)  # commits its position on exit
    rows = describe_group(bootstrap, group)
    assert set(rows) == set(range(PARTITIONS))
    for p, row in rows.items():
        assert row["TOPIC"] == topic
        assert int(row["LOG-END-OFFSET"]) == ends[p]
        assert int(row["LAG"]) == ends[p] - int(row["CURRENT-OFFSET"])
    assert sum(int(r["CURRENT-OFFSET"]) for r in rows.values()) >= 12

    reset_group(bootstrap, group, topic, "--to-earliest")
    rows = describe_group(bootstrap, group)
    assert {p: (int(r["CURRENT-OFFSET"]), int(r["LAG"])) for p, r in rows.items()} == \
        {p: (0, ends[p]) for p in range(PARTITIONS)}

    listed = kafka_tool(CONSUMER_GROUP_COMMAND, "--bootstrap-server", bootstrap, "--list").stdout.split()
    assert group in listed

    reset_group(bootstrap, group, topic, "--to-latest")
    rows = describe_group(bootstrap, group)
    assert {p: (int(r["CURRENT-OFFSET"]), int(r["LAG"])) for p, r in rows.items()} == \
        {p: (ends[p], 0) for p in range(PARTITIONS)}

    reset_group(bootstrap, group, topic, "--to-offset", "2")
    rows = describe_group(bootstrap, group)
    assert {p: int(r["CURRENT-OFFSET"]) for p, r in rows.items()} == {p: min(2, ends[p]) for p in ends}

    again = console_consume(bootstrap, topic, group, 30 - sum(min(2, e) for e in ends.values()))
    assert len(again) == 30 - sum(min(2, e) for e in ends.values())
    rows = describe_group(bootstrap, group)
    assert sum(int(r["LAG"]) for r in rows.values()) == 0


def test_idempotent_producer_perf_test_then_consumer_perf_test(bootstrap):
    topic = unique("cli-perf")
    create_topic(bootstrap, topic)
    records = 20000
    out = kafka_tool(PRODUCER_PERFORMANCE, "--topic", topic, "--num-records", str(records), "--record-size", "100",
                     "--throughput", "-1", "--producer-props", f"bootstrap.servers={bootstrap}", "acks=all",
                     "enable.idempotence=true", "compression.type=lz4").stdout
    assert f"{records} records sent" in out
    assert sum(end_offsets(bootstrap, topic).values()) == records
    assert set(end_offsets(bootstrap, topic, "-2").values()) == {0}

    out = kafka_tool(CONSUMER_PERFORMANCE, "--bootstrap-server", bootstrap, "--topic", topic,
                     "--messages", str(records), "--group", unique("cli-perf-g"), "--timeout", "60000").stdout
    header, data = [line for line in out.splitlines() if line.strip()][-2:]
    columns = dict(zip([c.strip() for c in header.split(",")], [v.strip() for v in data.split(",")]))
    assert int(columns["data.consumed.in.nMsg"]) == records


def test_record_over_message_max_bytes_gets_record_too_large(bootstrap):
    topic = unique("cli-big")
    create_topic(bootstrap, topic)
    # The client-side limit is raised so the broker itself must reject the record.
    result = kafka_tool(PRODUCER_PERFORMANCE, "--topic", topic, "--num-records", "1",
                        "--record-size", str(MESSAGE_MAX_BYTES + 1024), "--throughput", "-1",
                        "--producer-props", f"bootstrap.servers={bootstrap}", "acks=all",
                        f"max.request.size={8 * MESSAGE_MAX_BYTES}", "retries=0", check=False, timeout=120)
    output = result.stdout + result.stderr
    assert "RecordTooLargeException" in output, output
    assert sum(end_offsets(bootstrap, topic).values()) == 0
