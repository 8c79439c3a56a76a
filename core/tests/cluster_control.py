#!/usr/bin/env python3
"""A three-node Apache Kafka cluster the core's failover test can steer over stdin.

Owns: starting tests/harness KafkaCluster(nodes=3, rf=3, min.insync.replicas=2), printing
"READY <bootstrap>", then obeying one command per stdin line ("kill <node id>", "start <node id>",
"stop <node id>") with an "OK" line after each. Stops the cluster when stdin closes.
Must not: contain test scenarios.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "harness"))

from kafka_cluster import KafkaCluster  # noqa: E402


def main() -> None:
    with KafkaCluster(nodes=3, replication_factor=3, min_insync_replicas=2, heap="384m") as cluster:
        print(f"READY {cluster.bootstrap}", flush=True)
        for line in sys.stdin:
            parts = line.split()
            if len(parts) != 2 or parts[0] not in ("kill", "start", "stop"):
                print(f"ERR unknown command {line.strip()!r}", flush=True)
                continue
            node = int(parts[1])
            {"kill": cluster.kill_node, "start": cluster.start_node, "stop": cluster.stop_node}[parts[0]](node)
            print("OK", flush=True)


if __name__ == "__main__":
    main()
