#!/usr/bin/env python3
"""The consume path against its physical limit, in one run on one machine (issue #14).

For 1,000,000 x 100 B, 100,000 x 1 KB and 10,000 x 100 KB records (one 1-partition topic each,
written with librdkafka's native producer, rd-producer-perf, acks=1), measures the time to read
every record back
  - with kcat (librdkafka; the fastest of --kcat-runs full reads minus the fastest one-record
    read, so kcat's start-up, metadata, offset lookup and exit are left out) and with our
    core's `fk-consumer-perf` (group join left out),
  - from our broker and from a single-node Apache Kafka (one broker at a time),
and the loopback TCP limit: a plain sender process writing the same number of bytes into a
socket as fast as it can and a sink process discarding them. Prints one table with records/s,
MB/s, ours/Kafka and % of the loopback limit, every kcat pair, then the produce side of the same
run: rd-producer-perf (the native client the issue's produce figure was measured with) and
Kafka's ProducerPerformance (into a second topic), records/s on each broker and the ratio, and
the load average before and after. Speed is reported, never asserted.

    python3 bench/fetch_path.py                 # full run
    python3 bench/fetch_path.py --scale 0.05    # quick check of the script
Options: --skip-build, --kafka-heap, --kcat-runs, FERROKAFKA_BIN, FERROKAFKA_RD_PERF_DIR.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import broker_vs_kafka as bvk  # noqa: E402  (brokers, ProducerPerformance driver)
import perf_tools  # noqa: E402  (rd-producer-perf)

WORKLOADS = [("100 B", 1_000_000, 100), ("1 KB", 100_000, 1024), ("100 KB", 10_000, 100 * 1024)]


def _sink(port_q, total: int) -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port_q.put(srv.getsockname()[1])
    conn, _ = srv.accept()
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    got = 0
    while got < total:
        n = conn.recv_into(view)
        if n == 0:
            break
        got += n
    conn.close()


def loopback_mb_s(total: int) -> float:
    """A plain TCP sender -> sink over loopback moving `total` bytes: MB/s (1 MB = 2^20 B)."""
    q = multiprocessing.Queue()
    sink = multiprocessing.Process(target=_sink, args=(q, total))
    sink.start()
    port = q.get(timeout=30)
    chunk = b"\0" * (1 << 20)
    s = socket.create_connection(("127.0.0.1", port))
    start = time.perf_counter()
    sent = 0
    while sent < total:
        n = min(len(chunk), total - sent)
        s.sendall(chunk[:n])
        sent += n
    s.shutdown(socket.SHUT_WR)
    sink.join(120)
    elapsed = time.perf_counter() - start
    s.close()
    return total / elapsed / (1 << 20)


def kcat_run(bootstrap: str, topic: str, records: int) -> float:
    """Seconds for one kcat process to read `records` records from the beginning and exit
    (output, one offset per record, discarded)."""
    start = time.perf_counter()
    proc = subprocess.run(
        ["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
         "-c", str(records), "-f", "%o\n"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=1800, check=True)
    elapsed = time.perf_counter() - start
    got = proc.stdout.count(b"\n")
    if got < records:
        raise RuntimeError(f"kcat read {got} of {records} records: {proc.stderr[-2000:]!r}")
    return elapsed


def kcat_consume(bootstrap: str, topic: str, records: int, runs: int) -> tuple[float, list[float]]:
    """Seconds kcat spends reading `records` records, without its start-up, metadata, offset
    lookup and exit: the fastest of `runs` full reads minus the fastest of `runs` one-record
    reads (interleaved). The fastest, as the issue's own kcat figures were best of three:
    librdkafka 2.0.2 has a start-up race (its main thread can start the fetch before the
    broker thread has taken the partition: "no current leader for partition: (re)starting
    offset query timer", then a 500 ms wait for that timer) that adds 0.5 s to a random share
    of runs on either broker, whatever the broker does. kcat's output is block-buffered into a
    pipe, so the first record cannot be timed from outside. Returns the reading time and every
    full read's own reading time (its seconds minus the fastest one-record read)."""
    fulls, ones = [], []
    for _ in range(runs):
        ones.append(kcat_run(bootstrap, topic, 1))
        fulls.append(kcat_run(bootstrap, topic, records))
    start = min(ones)
    return max(min(fulls) - start, 1e-6), [max(f - start, 1e-6) for f in fulls]


def fk_consume(bin_dir: str, bootstrap: str, topic: str, records: int) -> float:
    """Seconds of fetching (rebalance excluded) for our core's fk-consumer-perf."""
    out = subprocess.run(
        [os.path.join(bin_dir, "fk-consumer-perf"), "--bootstrap-server", bootstrap,
         "--topic", topic, "--messages", str(records), "--timeout", "60000"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800, check=True, text=True).stdout
    for line in reversed(out.splitlines()):
        cols = [c.strip() for c in line.split(",")]
        if len(cols) >= 10 and cols[4].isdigit():
            if int(cols[4]) < records:
                raise RuntimeError(f"fk-consumer-perf read {cols[4]} of {records}")
            return float(cols[7]) / 1000.0
    raise RuntimeError(f"no result line from fk-consumer-perf:\n{out[-2000:]}")


def rd_produce(rd_bins: str, bootstrap: str, topic: str, records: int, size: int, log: str) -> float:
    """records/s of librdkafka's native producer (rd-producer-perf, acks=1, its defaults
    otherwise), timed until every delivery report arrived."""
    argv = [os.path.join(rd_bins, "rd-producer-perf"), "--topic", topic, "--num-records", str(records),
            "--record-size", str(size), "--throughput", "-1",
            "--producer-props", f"bootstrap.servers={bootstrap}", "acks=1"]
    return perf_tools.run_json(argv, 1800, log)["records_per_sec"]


def bench(broker, libs: str, bin_dir: str, rd_bins: str, workloads, logs: str, kcat_runs: int) -> dict:
    results = {}
    broker.start()
    try:
        for label, records, size in workloads:
            topic = f"fetch-{size}"
            for t in (topic, f"{topic}-java"):
                bvk.create_topic(libs, broker.bootstrap, t, os.path.join(logs, f"{broker.name}-create-{t}.log"))
            results[(label, "produce")] = rd_produce(
                rd_bins, broker.bootstrap, topic, records, size,
                os.path.join(logs, f"{broker.name}-rd-produce-{size}.log"))
            results[(label, "produce-java")] = bvk.produce(
                libs, broker.bootstrap, f"{topic}-java", records, size,
                os.path.join(logs, f"{broker.name}-produce-{size}.log"))["records_s"]
            results[(label, "kcat")], results[(label, "kcat-runs")] = kcat_consume(
                broker.bootstrap, topic, records, kcat_runs)
            results[(label, "core")] = fk_consume(bin_dir, broker.bootstrap, topic, records)
    finally:
        broker.stop()
        broker.cleanup()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--kafka-heap", default="512m")
    ap.add_argument("--kcat-runs", type=int, default=5, help="kcat full and one-record reads per workload and broker (fastest of each)")
    args = ap.parse_args()
    if not shutil.which("kcat"):
        sys.exit("kcat is needed: apt-get install kcat")
    workloads = [(l, max(1, int(n * args.scale)), s) for l, n, s in WORKLOADS]
    binary = bvk.build_ours(args.skip_build)
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-p", "ferrokafka-bench"], cwd=bvk.REPO_ROOT, check=True)
    bin_dir = os.path.dirname(binary)
    rd_bins = perf_tools.build_rd(args.skip_build)
    libs = bvk.kafka_cluster.kafka_libs()
    logs = tempfile.mkdtemp(prefix="bench-fetch-path-")
    print(f"client logs: {logs}", flush=True)
    print(f"load average before: {bvk.load_average()}", flush=True)
    ours = bench(bvk.OurBroker(binary), libs, bin_dir, rd_bins, workloads, logs, args.kcat_runs)
    kafka = bench(bvk.ApacheKafka(libs, args.kafka_heap), libs, bin_dir, rd_bins, workloads, logs,
                  args.kcat_runs)
    print(f"load average after the brokers: {bvk.load_average()}")
    header = ["workload", "client", "ours rec/s", "ours MB/s", "Kafka rec/s", "Kafka MB/s",
              "ours/Kafka", "loopback MB/s", "ours % of loopback"]
    print(" | ".join(header))
    for label, records, size in workloads:
        total = records * size
        limit = loopback_mb_s(total)
        for client in ("kcat", "core"):
            o, k = ours[(label, client)], kafka[(label, client)]
            o_mb, k_mb = total / o / (1 << 20), total / k / (1 << 20)
            print(" | ".join([f"{records:,} x {label}", client, f"{records / o:,.0f}", f"{o_mb:,.1f}",
                              f"{records / k:,.0f}", f"{k_mb:,.1f}", f"{k / o:.2f}x", f"{limit:,.0f}",
                              f"{100 * o_mb / limit:.1f} %"]), flush=True)
    for label, records, _size in workloads:
        runs = lambda r: " / ".join(f"{records / t:,.0f}" for t in r[(label, "kcat-runs")])  # noqa: E731
        print(f"kcat runs, {records:,} x {label}, rec/s: ours {runs(ours)}; Kafka {runs(kafka)}")
    for key, name in (("produce", "rd-producer-perf (librdkafka, native)"),
                      ("produce-java", "ProducerPerformance (Java)")):
        print(f"workload | produce ours rec/s | produce Kafka rec/s | ours/Kafka ({name}, acks=1)")
        for label, records, _size in workloads:
            o, k = ours[(label, key)], kafka[(label, key)]
            print(f"{records:,} x {label} | {o:,.0f} | {k:,.0f} | {o / k:.2f}x", flush=True)
    print(f"load average at the end: {bvk.load_average()}")


if __name__ == "__main__":
    main()
