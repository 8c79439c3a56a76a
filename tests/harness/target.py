#!/usr/bin/env python3
"""The broker an interop suite runs against, chosen by FERROKAFKA_TEST_TARGET.

Owns: mapping the target name onto a fixture with one small interface — `bootstrap`, `kill()`
(SIGKILL the broker process), `start()` (bring it back on the same port and data dir), `name` —
so every suite in every language runs the same scenarios against either broker.
    FERROKAFKA_TEST_TARGET=ferrokafka (default)  our broker, ferro_broker.FerroBroker
    FERROKAFKA_TEST_TARGET=apache                a 1-node Apache Kafka, kafka_cluster.KafkaCluster
Extra broker settings (server.properties names) apply to either.
Must not: contain test scenarios.

CLI (used by the Node and Java suites):
    python3 tests/harness/target.py [--property key=value]...
    -> prints "READY <bootstrap>", stops the broker when stdin closes or on SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import process_util  # noqa: E402
from ferro_broker import FerroBroker  # noqa: E402
from kafka_cluster import KafkaCluster  # noqa: E402

TARGETS = ("ferrokafka", "apache")


def target_name() -> str:
    name = os.environ.get("FERROKAFKA_TEST_TARGET", "ferrokafka")
    if name not in TARGETS:
        raise ValueError(f"FERROKAFKA_TEST_TARGET={name!r}: expected one of {', '.join(TARGETS)}")
    return name


class Target:
    """A started broker of the selected kind. Use as a context manager."""

    def __init__(self, properties: dict[str, str] | None = None, name: str | None = None) -> None:
        self.name = name or target_name()
        props = dict(properties or {})
        if self.name == "apache":
            self._cluster = KafkaCluster(nodes=1, properties=props)
            self._broker = None
        else:
            self._cluster = None
            self._broker = FerroBroker(overrides=props)

    @property
    def bootstrap(self) -> str:
        return self._cluster.bootstrap if self._cluster else self._broker.bootstrap

    def __enter__(self) -> "Target":
        (self._cluster or self._broker).__enter__()
        return self

    def __exit__(self, *exc) -> None:
        (self._cluster or self._broker).__exit__(*exc)

    def kill(self) -> None:
        """SIGKILL the broker process."""
        if self._cluster:
            self._cluster.kill_node(1)
        else:
            self._broker.kill()

    def start(self) -> None:
        """Start it again on the same port and data dir and wait until it answers."""
        if self._cluster:
            self._cluster.start_node(1)
        else:
            self._broker.start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--property", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    with Target(dict(p.split("=", 1) for p in args.property)) as target:
        process_util.serve_until_stdin_closes(target.bootstrap)


if __name__ == "__main__":
    main()
