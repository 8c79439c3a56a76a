"""Helpers shared by the Python interop suites: scenario data and polling. No broker logic here."""

from __future__ import annotations

import os
import sys
import time
import uuid
from typing import Callable, TypeVar

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "harness")
sys.path.insert(0, os.path.abspath(HARNESS))

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
PARTITIONS = 3
# Kafka's default message.max.bytes (1 MiB + record-batch overhead), same on both brokers.
MESSAGE_MAX_BYTES = 1048588
# A generous bound for anything that should happen "soon"; a hang fails instead of blocking CI.
PATIENCE_S = 60.0

T = TypeVar("T")


def unique(prefix: str) -> str:
    """A topic or group name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def keyed_records(count: int, tag: str = "r") -> list[tuple[bytes, bytes, list[tuple[str, bytes]]]]:
    """(key, value, headers) triples: 10 distinct keys, so every key has an ordered sequence."""
    records = []
    for i in range(count):
        key = f"key-{i % 10}".encode()
        value = f"{tag}-value-{i:06d}".encode() * 3
        headers = [("trace-id", f"t{i}".encode()), ("source", b"interop")]
        records.append((key, value, headers))
    return records


def eventually(check: Callable[[], T], what: str, timeout: float = PATIENCE_S, interval: float = 0.2) -> T:
    """Call check() until it returns a truthy value; fail with `what` after timeout."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - retried until the deadline, then reported
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last error: {last_error!r}")


def assert_per_key_order(values_by_key: dict[bytes, list[bytes]], sent: list[tuple[bytes, bytes, list]]) -> None:
    """Every key's values arrive in the order they were produced."""
    expected: dict[bytes, list[bytes]] = {}
    for key, value, _ in sent:
        expected.setdefault(key, []).append(value)
    assert values_by_key == expected


# -- Apache Kafka's command-line tools, run from the Maven Central jars ---------------------------

TOOLS = "org.apache.kafka.tools."
TOPIC_COMMAND = TOOLS + "TopicCommand"
CONSOLE_PRODUCER = TOOLS + "ConsoleProducer"
CONSOLE_CONSUMER = TOOLS + "consumer.ConsoleConsumer"
CONSUMER_GROUP_COMMAND = TOOLS + "consumer.group.ConsumerGroupCommand"
PRODUCER_PERFORMANCE = TOOLS + "ProducerPerformance"
CONSUMER_PERFORMANCE = TOOLS + "ConsumerPerformance"
GET_OFFSET_SHELL = TOOLS + "GetOffsetShell"
CONFIG_COMMAND = "kafka.admin.ConfigCommand"  # still in the kafka_2.13 jar in 4.x

_TOOLS_LOG4J2 = """\
Configuration:
  Appenders:
    Console:
      name: STDERR
      target: SYSTEM_ERR
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDERR
"""


def kafka_tool(main_class: str, *args: str, input: str | None = None, timeout: float = 180,
               check: bool = True):
    """Run one of Kafka's tools (tests/harness/kafka-tool.sh: the jars, a shared class archive);
    return the CompletedProcess (text)."""
    import subprocess
    import tempfile

    log_config = os.path.join(tempfile.gettempdir(), "ferrokafka-tools-log4j2.yaml")
    if not os.path.exists(log_config):
        with open(log_config, "w") as f:
            f.write(_TOOLS_LOG4J2)
    cmd = ["bash", os.path.join(os.path.abspath(HARNESS), "kafka-tool.sh"), "-Xmx256m",
           f"-Dlog4j2.configurationFile={log_config}", main_class, *args]
    result = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{main_class.rsplit('.', 1)[-1]} {' '.join(args)} exited with "
                             f"{result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def table_rows(output: str, first_column: str) -> list[dict[str, str]]:
    """Parse a whitespace-aligned table (kafka-consumer-groups style) into dicts by header name."""
    lines = [line for line in output.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        cols = line.split()
        if cols and cols[0] == first_column:
            rows = []
            for row in lines[i + 1:]:
                values = row.split()
                if len(values) == len(cols):
                    rows.append(dict(zip(cols, values)))
            return rows
    raise AssertionError(f"no table with a {first_column} column in:\n{output}")
