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
