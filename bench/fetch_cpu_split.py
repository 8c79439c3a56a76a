#!/usr/bin/env python3
"""Where the CPU goes on the fetch_path.py workloads (issue #14): broker process vs client.

For one broker at a time (ours or Apache Kafka 4.3.1), writes 10,000 x 100 KB records with
Kafka's ProducerPerformance (acks=1) R times, then 1,000,000 x 100 B once, then reads the 100 B
topic with kcat and with the core's `fk-consumer-perf`, interleaved, R times each. Every line
gives wall time, records/s, the broker's CPU seconds (utime+stime from /proc/<pid>/stat) and
the client's (rusage of the finished child), and the load average. Speed is reported, never
asserted; the point is the split: a client whose CPU is the same on both brokers while the
brokers' CPU differs shows where a ratio can and cannot come from.

    python3 bench/fetch_cpu_split.py ours            # FERROKAFKA_BIN or target/release
    python3 bench/fetch_cpu_split.py kafka
Options: --runs R (3), --records-100b N, --records-100kb N.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import broker_vs_kafka as bvk  # noqa: E402
import fetch_path as fp  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("broker", choices=["ours", "kafka"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--records-100b", type=int, default=1_000_000)
    ap.add_argument("--records-100kb", type=int, default=10_000)
    args = ap.parse_args()
    binary = bvk.build_ours(skip=True)
    bin_dir = os.path.dirname(binary)
    libs = bvk.kafka_cluster.kafka_libs()
    broker = bvk.ApacheKafka(libs, "512m") if args.broker == "kafka" else bvk.OurBroker(binary)
    logs = f"/tmp/bench-fetch-cpu-{os.getpid()}"
    os.makedirs(logs, exist_ok=True)
    broker.start()
    try:
        pid = broker.pid

        def run(label: str, records: int, fn) -> None:
            b0, c0, t0 = process_cpu(pid), children_cpu(), time.perf_counter()
            extra = fn()
            wall = time.perf_counter() - t0
            print(f"{args.broker} | {label} | wall {wall:.2f} s | {records / wall:,.0f} rec/s | "
                  f"broker CPU {process_cpu(pid) - b0:.2f} s | client CPU {children_cpu() - c0:.2f} s"
                  f" | {extra or ''} | load {os.getloadavg()[0]:.1f}", flush=True)

        n_big, n_small = args.records_100kb, args.records_100b
        for size, records, runs in ((102400, n_big, args.runs), (100, n_small, 1)):
            topic = f"cpu-split-{size}"
            bvk.create_topic(libs, broker.bootstrap, topic, os.path.join(logs, "create.log"))
            for _ in range(runs):
                run(f"produce {size} B", records, lambda: "ProducerPerformance %.0f rec/s" % bvk.produce(
                    libs, broker.bootstrap, topic, records, size, os.path.join(logs, "produce.log"))["records_s"])
        for _ in range(args.runs):
            run("kcat 100 B", n_small, lambda: fp.kcat_run(broker.bootstrap, "cpu-split-100", n_small) and None)
            run("core 100 B", n_small, lambda: "fetch-time %.0f rec/s" % (
                n_small / fp.fk_consume(bin_dir, broker.bootstrap, "cpu-split-100", n_small)))
    finally:
        broker.stop()
        broker.cleanup()


if __name__ == "__main__":
    main()
