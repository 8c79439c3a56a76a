#!/usr/bin/env python3
"""The consume path against its physical limit, in one run on one machine (issue #14).

For 1,000,000 x 100 B, 100,000 x 1 KB and 10,000 x 100 KB records (one 1-partition topic each,
written untimed with librdkafka's native producer, rd-producer-perf, acks=1, `linger.ms=1000` so
that batches are cut by size and count alone: the same batches on both brokers, counted on disk
and printed), measures the time to read every record back
  - with kcat (librdkafka; the fastest of --kcat-runs full reads minus the fastest one-record
    read, so kcat's start-up, metadata, offset lookup and exit are left out), once with
    librdkafka's defaults ("kcat") and once with its fetch-queue limits lifted ("kcat-deep", see
    KCAT_DEEP_QUEUE), and with our core's `fk-consumer-perf` (group join left out),
  - from our broker and from a single-node Apache Kafka (one broker at a time),
and the loopback TCP limit: a plain sender process writing the same number of bytes into a
socket as fast as it can and a sink process discarding them. Prints one table with records/s,
MB/s, ours/Kafka and % of the loopback limit, every kcat read, kcat's own CPU seconds per full
read (its output thread and librdkafka's fetch thread: a floor no broker can lower), then the
produce side of the same run: rd-producer-perf with its defaults (the native client the issue's
produce figure was measured with; the median of --produce-runs runs, each into a fresh topic,
after the untimed write above warmed both brokers up alike; with the broker's and the client's
CPU seconds per run) and Kafka's ProducerPerformance
(into another topic), records/s on each broker and the ratio, and the load average before and
after. Speed is reported, never asserted.

    python3 bench/fetch_path.py                 # full run
    python3 bench/fetch_path.py --scale 0.05    # quick check of the script
Options: --skip-build, --kafka-heap, --kcat-runs, --produce-runs, --partitions, --kafka-first
(our broker runs first otherwise), FERROKAFKA_BIN, FERROKAFKA_RD_PERF_DIR.
"""

from __future__ import annotations

import argparse
import collections
import glob
import multiprocessing
import os
import resource
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import broker_vs_kafka as bvk  # noqa: E402  (brokers, ProducerPerformance driver)
import perf_tools  # noqa: E402  (rd-producer-perf)

WORKLOADS = [("100 B", 1_000_000, 100), ("1 KB", 100_000, 1024), ("100 KB", 10_000, 100 * 1024)]

# The consumed topics are written with these (untimed): librdkafka cuts a batch at batch.size
# (1,000,000 B), batch.num.messages (10,000) or linger.ms, whichever comes first. With its
# default 5 ms linger the cut depends on how fast the broker acknowledges (a faster broker got
# 1,000,000 x 100 B as 220 batches of ~500 KB, Apache Kafka as 119 of ~926 KB), so kcat would
# parse different data from each; with 1 s of linger only size and count cut, on both brokers.
FILL_PROPS = ["linger.ms=1000"]

# librdkafka stops fetching a partition once its fetch queue holds queued.min.messages (100,000)
# records or queued.max.messages.kbytes (65,536 KB) and looks again only about a second later
# (`-d fetch`: "is not fetchable: queued.min.messages exceeded", then "is fetchable" 1 s on), so
# a broker that serves faster than kcat prints fills the queue and gets a 1 s pause that a slower
# broker never gets. The "kcat-deep" row lifts both limits above the workload on both brokers:
# it reads the broker's fetch path without that client timer. The "kcat" row keeps the defaults.
KCAT_DEEP_QUEUE = ("queued.min.messages=10000000", "queued.max.messages.kbytes=2097151")
KCAT_ROWS = (("kcat", ()), ("kcat-deep", KCAT_DEEP_QUEUE))
TCK = os.sysconf("SC_CLK_TCK")


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


def _thread_cpu(pid: int, seen: dict) -> None:
    """Records utime+stime (s) of each thread of `pid` into `seen`, keyed by (tid, name)."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[(tid, comm)] = (int(fields[11]) + int(fields[12])) / TCK


def kcat_run(bootstrap: str, topic: str, records: int, props: tuple = ()) -> tuple[float, dict]:
    """Seconds for one kcat process to read `records` records from the beginning and exit
    (output, one offset per record, counted and discarded), and the CPU seconds of its threads
    by name (sampled from /proc every 2 ms until it exits: the last few ms can be missed)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
         "-c", str(records), "-f", "%o\n", *(a for p in props for a in ("-X", p))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen: dict = {}
    counted = {"lines": 0}

    def drain() -> None:  # reads the pipe as subprocess.run did, so kcat never waits on it
        for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):
            counted["lines"] += chunk.count(b"\n")

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    while proc.poll() is None:
        _thread_cpu(proc.pid, seen)
        if time.perf_counter() - start > 1800:
            proc.kill()
            raise RuntimeError("kcat timed out")
        time.sleep(0.002)
    reader.join()
    err = proc.stderr.read()
    got = counted["lines"]
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or got < records:
        raise RuntimeError(f"kcat read {got} of {records} records (exit {proc.returncode}): {err[-2000:]!r}")
    cpu: dict = collections.defaultdict(float)
    for (_tid, comm), sec in seen.items():
        cpu[comm] += sec
    return elapsed, dict(cpu)


def kcat_consume(bootstrap: str, topic: str, records: int, runs: int,
                 props: tuple = ()) -> tuple[float, list[float], tuple]:
    """Seconds kcat spends reading `records` records, without its start-up, metadata, offset
    lookup and exit: the fastest of `runs` full reads minus the fastest of `runs` one-record
    reads (interleaved). The fastest, as the issue's own kcat figures were best of three:
    librdkafka 2.0.2 has a start-up race (its main thread can start the fetch before the
    broker thread has taken the partition: "no current leader for partition: (re)starting
    offset query timer", then a 500 ms wait for that timer) that adds 0.5 s to a random share
    of runs on either broker, whatever the broker does. kcat's output is block-buffered into a
    pipe, so the first record cannot be timed from outside. Returns the reading time, every
    full read's own reading time (its seconds minus the fastest one-record read) and the median
    CPU seconds of kcat's threads per full read ("kcat": its output loop, "rdk:broker1":
    librdkafka's fetch and parse thread, the rest summed as "other")."""
    fulls, ones, cpus = [], [], []
    for _ in range(runs):
        ones.append(kcat_run(bootstrap, topic, 1, props)[0])
        elapsed, cpu = kcat_run(bootstrap, topic, records, props)
        fulls.append(elapsed)
        main = cpu.get("kcat", 0.0)
        fetch = sum(v for k, v in cpu.items() if k.startswith("rdk:broker") and "-1" not in k)
        cpus.append((main, fetch, max(sum(cpu.values()) - main - fetch, 0.0)))
    start = min(ones)
    median_cpu = tuple(statistics.median(c[i] for c in cpus) for i in range(3))
    return max(min(fulls) - start, 1e-6), [max(f - start, 1e-6) for f in fulls], median_cpu


def count_batches(data_dir: str, topic: str) -> tuple[int, int]:
    """(record batches, records) in the segment files of `topic` under a broker's data dir
    (both brokers store Kafka's on-disk batch format)."""
    batches = records = 0
    for seg in glob.glob(os.path.join(data_dir, "**", f"{topic}-*", "*.log"), recursive=True):
        with open(seg, "rb") as f:
            data = f.read()
        i = 0
        while i + 61 <= len(data):
            length = struct.unpack_from(">i", data, i + 8)[0]
            if length <= 0:
                break
            batches += 1
            records += struct.unpack_from(">i", data, i + 57)[0]
            i += 12 + length
    return batches, records


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


def rd_produce(rd_bins: str, bootstrap: str, topic: str, records: int, size: int, log: str,
               extra: tuple = ()) -> float:
    """records/s of librdkafka's native producer (rd-producer-perf, acks=1, its defaults
    otherwise, plus `extra` properties), timed until every delivery report arrived."""
    argv = [os.path.join(rd_bins, "rd-producer-perf"), "--topic", topic, "--num-records", str(records),
            "--record-size", str(size), "--throughput", "-1",
            "--producer-props", f"bootstrap.servers={bootstrap}", "acks=1", *extra]
    return perf_tools.run_json(argv, 1800, log)["records_per_sec"]


def children_cpu_s() -> float:
    """User + system CPU seconds of this script's finished children (rd-producer-perf's own,
    read as a difference around one run)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def data_dir(broker) -> str:
    """Where a broker of broker_vs_kafka keeps its data (for count_batches)."""
    return broker.workdir if hasattr(broker, "workdir") else broker.cluster.workdir


def bench(broker, libs: str, bin_dir: str, rd_bins: str, workloads, logs: str, kcat_runs: int,
          produce_runs: int, partitions: int) -> dict:
    results = {}
    broker.start()
    try:
        for label, records, size in workloads:
            topic = f"fetch-{size}"
            rd_topics = [f"{topic}-rd{i}" for i in range(produce_runs)]
            for t in (topic, f"{topic}-java", *rd_topics):
                bvk.create_topic(libs, broker.bootstrap, t, os.path.join(logs, f"{broker.name}-create-{t}.log"),
                                 partitions)
            # The consumed topic: untimed, identical batches on both brokers (FILL_PROPS); it
            # also warms each broker up alike before the timed produce runs.
            rd_produce(rd_bins, broker.bootstrap, topic, records, size,
                       os.path.join(logs, f"{broker.name}-rd-fill-{size}.log"), tuple(FILL_PROPS))
            results[(label, "batches")] = count_batches(data_dir(broker), topic)
            runs, cpus = [], []
            for t in rd_topics:
                broker_cpu, client_cpu = bvk.process_cpu_s(broker.pid), children_cpu_s()
                runs.append(rd_produce(rd_bins, broker.bootstrap, t, records, size,
                                       os.path.join(logs, f"{broker.name}-rd-produce-{size}.log")))
                cpus.append((bvk.process_cpu_s(broker.pid) - broker_cpu, children_cpu_s() - client_cpu))
            results[(label, "produce")] = statistics.median(runs)
            results[(label, "produce-runs")] = runs
            results[(label, "produce-cpu")] = tuple(statistics.median(c[i] for c in cpus) for i in range(2))
            results[(label, "produce-java")] = bvk.produce(
                libs, broker.bootstrap, f"{topic}-java", records, size,
                os.path.join(logs, f"{broker.name}-produce-{size}.log"))["records_s"]
            for row, props in KCAT_ROWS:
                (results[(label, row)], results[(label, f"{row}-runs")],
                 results[(label, f"{row}-cpu")]) = kcat_consume(broker.bootstrap, topic, records, kcat_runs, props)
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
    ap.add_argument("--produce-runs", type=int, default=3, help="timed rd-producer-perf runs per workload and broker (median)")
    ap.add_argument("--partitions", type=int, default=1, help="partitions of every topic (the table's runs: 1)")
    ap.add_argument("--kafka-first", action="store_true",
                    help="run Apache Kafka first, then ours (to alternate the order across runs)")
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
    print(f"partitions per topic: {args.partitions}; first broker: "
          f"{'Apache Kafka' if args.kafka_first else 'ours'}", flush=True)

    def run(broker) -> dict:
        return bench(broker, libs, bin_dir, rd_bins, workloads, logs, args.kcat_runs,
                     args.produce_runs, args.partitions)

    if args.kafka_first:
        kafka = run(bvk.ApacheKafka(libs, args.kafka_heap))
        ours = run(bvk.OurBroker(binary))
    else:
        ours = run(bvk.OurBroker(binary))
        kafka = run(bvk.ApacheKafka(libs, args.kafka_heap))
    print(f"load average after the brokers: {bvk.load_average()}")
    header = ["workload", "client", "ours rec/s", "ours MB/s", "Kafka rec/s", "Kafka MB/s",
              "ours/Kafka", "loopback MB/s", "ours % of loopback"]
    print(" | ".join(header))
    for label, records, size in workloads:
        total = records * size
        limit = loopback_mb_s(total)
        for client in (*(row for row, _ in KCAT_ROWS), "core"):
            o, k = ours[(label, client)], kafka[(label, client)]
            o_mb, k_mb = total / o / (1 << 20), total / k / (1 << 20)
            print(" | ".join([f"{records:,} x {label}", client, f"{records / o:,.0f}", f"{o_mb:,.1f}",
                              f"{records / k:,.0f}", f"{k_mb:,.1f}", f"{k / o:.2f}x", f"{limit:,.0f}",
                              f"{100 * o_mb / limit:.1f} %"]), flush=True)
    print(f"kcat-deep: kcat with -X {' -X '.join(KCAT_DEEP_QUEUE)} (no fetch-queue back-off)")
    for row, _props in KCAT_ROWS:
        for label, records, _size in workloads:
            runs = lambda r: " / ".join(f"{records / t:,.0f}" for t in r[(label, f"{row}-runs")])  # noqa: E731
            print(f"{row} runs, {records:,} x {label}, rec/s: ours {runs(ours)}; Kafka {runs(kafka)}")
        for label, records, _size in workloads:
            cpu = lambda r: "kcat {:.2f} s, fetch {:.2f} s, other {:.2f} s".format(*r[(label, f"{row}-cpu")])  # noqa: E731
            print(f"{row} CPU per full read (median), {records:,} x {label}: ours {cpu(ours)}; Kafka {cpu(kafka)}")
    for label, records, _size in workloads:
        (ob, orec), (kb, krec) = ours[(label, "batches")], kafka[(label, "batches")]
        print(f"consumed topic on disk, {records:,} x {label}: ours {ob} batches / {orec:,} records; "
              f"Kafka {kb} batches / {krec:,} records")
    for key, name in (("produce", "rd-producer-perf (librdkafka, native)"),
                      ("produce-java", "ProducerPerformance (Java)")):
        print(f"workload | produce ours rec/s | produce Kafka rec/s | ours/Kafka ({name}, acks=1)")
        for label, records, _size in workloads:
            o, k = ours[(label, key)], kafka[(label, key)]
            print(f"{records:,} x {label} | {o:,.0f} | {k:,.0f} | {o / k:.2f}x", flush=True)
    for label, records, _size in workloads:
        runs = lambda r: " / ".join(f"{x:,.0f}" for x in r[(label, "produce-runs")])  # noqa: E731
        print(f"rd-producer-perf runs, {records:,} x {label}, rec/s: ours {runs(ours)}; Kafka {runs(kafka)}")
    # A client that needs more CPU than the box leaves it bounds the ratio whatever the broker
    # does: the broker's and the client's CPU per run show which side a produce row measures.
    for label, records, _size in workloads:
        cpu = lambda r: "broker {:.2f} s, rd-producer-perf {:.2f} s".format(*r[(label, "produce-cpu")])  # noqa: E731
        print(f"rd-producer-perf CPU per run (median), {records:,} x {label}: ours {cpu(ours)}; Kafka {cpu(kafka)}")
    print(f"load average at the end: {bvk.load_average()}")


if __name__ == "__main__":
    main()
