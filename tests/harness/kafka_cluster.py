#!/usr/bin/env python3
"""A real Apache Kafka KRaft cluster (1 or 3 nodes) from the Maven Central jars, for tests.

Owns: writing server.properties per node (combined broker+controller), formatting storage with
kafka.tools.StorageTool, starting/stopping/killing `java -cp <libs>/* kafka.Kafka`, and waiting
until every broker answers a Metadata request listing the whole cluster.
Must not: contain test scenarios.

Library:
    with KafkaCluster(nodes=3, replication_factor=3, min_insync_replicas=2) as cluster:
        cluster.bootstrap           # "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
        cluster.kill_node(2)        # SIGKILL node.id 2
        cluster.start_node(2)       # same ports, same data dir
Node ids are Kafka's node.id values, 1..N (what metadata reports as partition leaders).

CLI (for Rust/Node/Java tests: spawn with a piped stdin, read the READY line, drop the child):
    python3 tests/harness/kafka_cluster.py [--nodes 3] [--replication-factor 3] [--min-insync-replicas 2]
                                           [--property key=value]...
    -> prints "READY 127.0.0.1:p1,..." and stops the cluster when stdin closes or on SIGTERM.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kafka_wire  # noqa: E402
import process_util  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BROKER_MAIN = "kafka.Kafka"
STORAGE_TOOL_MAIN = "kafka.tools.StorageTool"

LOG4J2_CONFIG = """\
Configuration:
  name: ferrokafka-harness
  Appenders:
    File:
      name: File
      fileName: "${sys:kafka.logs.dir}/server.log"
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: File
    Logger:
      - name: kafka.request.logger
        level: WARN
      - name: org.apache.kafka.raft
        level: WARN
"""


def kafka_libs() -> str:
    """The Kafka jars directory: $FERROKAFKA_KAFKA_LIBS, else fetched by scripts/fetch-kafka.sh."""
    libs = os.environ.get("FERROKAFKA_KAFKA_LIBS")
    if libs:
        return libs
    out = subprocess.run(
        ["bash", os.path.join(REPO_ROOT, "scripts", "fetch-kafka.sh")],
        check=True, stdout=subprocess.PIPE, text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def kafka_uuid() -> str:
    """A Kafka Uuid string (22 chars, url-safe base64, not starting with '-')."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


class KafkaCluster:
    """Start N combined broker+controller nodes on free loopback ports in a temp dir."""

    def __init__(
        self,
        nodes: int = 1,
        replication_factor: int | None = None,
        min_insync_replicas: int = 1,
        properties: dict[str, str] | None = None,
        heap: str = "512m",
        startup_timeout: float = 180.0,
        libs: str | None = None,
        security=None,
    ) -> None:
        if nodes not in (1, 3):
            raise ValueError("nodes must be 1 or 3")
        self.nodes = nodes
        self.replication_factor = replication_factor or nodes
        self.min_insync_replicas = min_insync_replicas
        self.extra = dict(properties or {})
        self.heap = heap
        self.startup_timeout = startup_timeout
        self.libs = libs
        # A secure_kafka.SecuritySetup (SASL_SSL client listener, SCRAM users, ACLs) or None.
        self.security = security
        self.cluster_id = kafka_uuid()
        self.workdir: str | None = None
        self.broker_ports = {i: 0 for i in self.node_ids}
        self.controller_ports = {i: 0 for i in self.node_ids}
        # With `security`: a PLAINTEXT listener for the harness itself (readiness, ACL setup).
        self.internal_ports = {i: 0 for i in self.node_ids}
        self.dir_ids = {i: kafka_uuid() for i in self.node_ids}
        self.procs: dict[int, subprocess.Popen | None] = {i: None for i in self.node_ids}

    @property
    def node_ids(self) -> list[int]:
        return list(range(1, self.nodes + 1))

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{self.broker_ports[i]}" for i in self.node_ids)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "KafkaCluster":
        self.libs = self.libs or kafka_libs()
        self.workdir = tempfile.mkdtemp(prefix="ferrokafka-apache-")
        for i in self.node_ids:
            self.broker_ports[i] = process_util.free_port()
            self.controller_ports[i] = process_util.free_port()
            if self.security:
                self.internal_ports[i] = process_util.free_port()
        with open(os.path.join(self.workdir, "log4j2.yaml"), "w") as f:
            f.write(LOG4J2_CONFIG)
        try:
            for i in self.node_ids:
                self._write_config(i)
                self._format(i)
            for i in self.node_ids:
                self._launch(i)
            for i in self.node_ids:
                self._wait_ready(i)
            if self.security:
                self.security.after_start(self)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        # Signal every node at once: stopped one by one, the last controller would wait for a
        # quorum that is already gone.
        process_util.stop_all([p for p in self.procs.values() if p is not None])
        self.procs = {i: None for i in self.node_ids}
        if self.workdir and not os.environ.get("FERROKAFKA_KEEP_DATA"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "KafkaCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def stop_node(self, node_id: int) -> None:
        """Controlled shutdown (SIGTERM), waiting for the process to exit."""
        process_util.stop(self.procs[node_id], timeout=60)
        self.procs[node_id] = None

    def kill_node(self, node_id: int) -> None:
        """SIGKILL: a crash, no controlled shutdown."""
        process_util.kill(self.procs[node_id])
        self.procs[node_id] = None

    def start_node(self, node_id: int) -> None:
        """Restart a stopped/killed node on the same ports and data dir; wait until it answers."""
        if self.procs[node_id] is not None and self.procs[node_id].poll() is None:
            return
        self._launch(node_id)
        self._wait_ready(node_id)

    # -- internals ---------------------------------------------------------------------------

    def node_dir(self, node_id: int) -> str:
        assert self.workdir
        return os.path.join(self.workdir, f"node-{node_id}")

    def _config_path(self, node_id: int) -> str:
        return os.path.join(self.node_dir(node_id), "server.properties")

    def _write_config(self, node_id: int) -> None:
        os.makedirs(self.node_dir(node_id), exist_ok=True)
        rf = self.replication_factor
        quorum = ",".join(f"127.0.0.1:{self.controller_ports[i]}" for i in self.node_ids)
        props = {
            "process.roles": "broker,controller",
            "node.id": str(node_id),
            "controller.quorum.bootstrap.servers": quorum,
            "listeners": f"PLAINTEXT://127.0.0.1:{self.broker_ports[node_id]},"
                         f"CONTROLLER://127.0.0.1:{self.controller_ports[node_id]}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.broker_ports[node_id]},"
                                    f"CONTROLLER://127.0.0.1:{self.controller_ports[node_id]}",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": os.path.join(self.node_dir(node_id), "data"),
            "num.partitions": "1",
            "default.replication.factor": str(rf),
            "min.insync.replicas": str(self.min_insync_replicas),
            "offsets.topic.replication.factor": str(rf),
            # Fewer offsets partitions than Kafka's 50: same semantics, much faster first commit.
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": str(rf),
            "transaction.state.log.min.isr": str(min(2, rf)),
            "transaction.state.log.num.partitions": "10",
            "share.coordinator.state.topic.replication.factor": str(rf),
            "share.coordinator.state.topic.min.isr": str(min(2, rf)),
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
        }
        if self.security:
            props.update(self.security.node_properties(
                self.broker_ports[node_id], self.internal_ports[node_id],
                self.controller_ports[node_id]))
        props.update(self.extra)
        with open(self._config_path(node_id), "w") as f:
            for key, value in props.items():
                f.write(f"{key}={value}\n")

    def run_tool(self, main: str, *args: str) -> str:
        """Runs a Kafka tool class (e.g. org.apache.kafka.tools.AclCommand); its output, or raises."""
        cmd = self._java(main, *args)
        cmd.insert(1, f"-Dkafka.logs.dir={self.workdir}")
        result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{main} {' '.join(args)} failed:\n{result.stdout}")
        return result.stdout

    def _java(self, main: str, *args: str) -> list[str]:
        return [
            "java", f"-Xmx{self.heap}", "-Xms128m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={os.path.join(self.workdir, 'log4j2.yaml')}",
            "-cp", os.path.join(self.libs, "*"), main, *args,
        ]

    def _format(self, node_id: int) -> None:
        args = ["format", "-t", self.cluster_id, "-c", self._config_path(node_id)]
        if self.nodes == 1:
            args.append("--standalone")
        else:
            voters = ",".join(
                f"{i}@127.0.0.1:{self.controller_ports[i]}:{self.dir_ids[i]}" for i in self.node_ids
            )
            args += ["--initial-controllers", voters]
        if self.security:
            args += self.security.format_args()
        env = dict(os.environ, KAFKA_LOG_DIR=self.node_dir(node_id))
        cmd = self._java(STORAGE_TOOL_MAIN, *args)
        cmd.insert(1, f"-Dkafka.logs.dir={self.node_dir(node_id)}")
        result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"formatting node {node_id} failed:\n{result.stdout}")

    def _launch(self, node_id: int) -> None:
        cmd = self._java(BROKER_MAIN, self._config_path(node_id))
        cmd.insert(1, f"-Dkafka.logs.dir={self.node_dir(node_id)}")
        log = os.path.join(self.node_dir(node_id), "stdout.log")
        self.procs[node_id] = process_util.spawn(cmd, log)

    def _wait_ready(self, node_id: int) -> None:
        port = self.internal_ports[node_id] if self.security else self.broker_ports[node_id]

        def sees_whole_cluster() -> bool:
            ids = kafka_wire.metadata_broker_ids("127.0.0.1", port)
            return ids is not None and sorted(ids) == self.node_ids

        def died() -> str | None:
            proc = self.procs[node_id]
            if proc is None or proc.poll() is None:
                return None
            server_log = os.path.join(self.node_dir(node_id), "server.log")
            return (f"Kafka node {node_id} exited with {proc.returncode}:\n"
                    f"{process_util.tail(os.path.join(self.node_dir(node_id), 'stdout.log'))}\n"
                    f"{process_util.tail(server_log)}")

        process_util.wait_until(sees_whole_cluster, self.startup_timeout,
                                f"Kafka node {node_id} on port {port}", died)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=1, choices=(1, 3))
    parser.add_argument("--replication-factor", type=int, default=None)
    parser.add_argument("--min-insync-replicas", type=int, default=1)
    parser.add_argument("--property", action="append", default=[], metavar="KEY=VALUE",
                        help="extra server.properties entry for every node")
    parser.add_argument("--heap", default="512m")
    args = parser.parse_args()
    props = dict(p.split("=", 1) for p in args.property)
    with KafkaCluster(args.nodes, args.replication_factor, args.min_insync_replicas, props, args.heap) as cluster:
        process_util.serve_until_stdin_closes(cluster.bootstrap)


if __name__ == "__main__":
    main()
