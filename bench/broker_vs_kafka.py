#!/usr/bin/env python3
"""Benchmark: OUR broker (`ferrokafka broker`) against a real single-node Apache Kafka (KRaft).

Owns: building our broker in release, starting each broker in turn (never both at once), driving
it with two clients -- Apache Kafka's own ProducerPerformance / ConsumerPerformance from the Maven
Central jars (`java`), and the core's fk-producer-perf / fk-consumer-perf (`fk`, same flags; a
native client fast enough that the broker, not the client, is the limit) -- sampling the broker's
peak RSS, timing process start -> first answered Metadata, and printing one table (ours, Kafka,
ours/Kafka) that is also written as Markdown to bench/results/.
Must not: be a test (nothing here passes or fails on speed) or change either broker's behaviour
beyond the settings listed in the report.

    python3 bench/broker_vs_kafka.py                 # full run, both clients (see WORKLOADS)
    python3 bench/broker_vs_kafka.py --client fk --rounds 3   # fk tools only, brokers alternated 3x
    python3 bench/broker_vs_kafka.py --scale 0.05    # quick smoke run (5 % of the records)
    python3 bench/broker_vs_kafka.py --only ours     # one broker (the table shows "-" for the other)

Stdlib only. Kafka jars come from scripts/fetch-kafka.sh (or FERROKAFKA_KAFKA_LIBS); our binaries
are built with `cargo build --release -p ferrokafka-cli -p ferrokafka-bench` unless --skip-build
(or FERROKAFKA_BIN; the fk tools are looked up next to it). With --rounds N the brokers alternate
N times (ours, Kafka, ours, ...) and the table shows each metric's median over the rounds.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
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
REPO_ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "harness"))
sys.path.insert(0, HERE)

import kafka_cluster  # noqa: E402
import perf_tools  # noqa: E402
import process_util  # noqa: E402

# Client tools run with the same JVM flags against both brokers.
CLIENT_JVM = ["java", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true"]
PRODUCER_MAIN = "org.apache.kafka.tools.ProducerPerformance"
CONSUMER_MAIN = "org.apache.kafka.tools.ConsumerPerformance"
TOPIC_MAIN = "org.apache.kafka.tools.TopicCommand"


# -- raw Metadata v0 probe -----------------------------------------------------------------------

def _metadata_v0_request() -> bytes:
    client_id = b"bench"
    # api_key=3 (Metadata), version 0, correlation id 1, client id; body: topics = [] (v0: all).
    frame = struct.pack(">hhih", 3, 0, 1, len(client_id)) + client_id + struct.pack(">i", 0)
    return struct.pack(">i", len(frame)) + frame


METADATA_V0 = _metadata_v0_request()


def metadata_answered(port: int, timeout: float = 1.0) -> bool:
    """True when 127.0.0.1:port answers a Metadata v0 request listing at least one broker."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(METADATA_V0)
            head = _read_exact(sock, 4)
            size = struct.unpack(">i", head)[0]
            if size < 8 or size > 16 * 1024 * 1024:
                return False
            payload = _read_exact(sock, size)
    except OSError:
        return False
    correlation_id, broker_count = struct.unpack_from(">ii", payload, 0)
    return correlation_id == 1 and broker_count >= 1


def _read_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return bytes(buf)


def poll_until_metadata(port: int, t0: float, proc_alive, timeout: float) -> float:
    """Polls every ~1 ms; returns seconds from t0 to the first answered Metadata."""
    deadline = t0 + timeout
    while True:
        if metadata_answered(port):
            return time.perf_counter() - t0
        if not proc_alive():
            raise RuntimeError("broker exited before answering Metadata")
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no Metadata answer on port {port} after {timeout:.0f}s")
        # 1 ms between attempts: a busy loop would steal one of the two cores from the broker.
        time.sleep(0.001)


# -- peak RSS sampling ---------------------------------------------------------------------------

class RssSampler:
    """Samples /proc/<pid>/status (VmHWM and VmRSS) every 100 ms; keeps the peak in KiB."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "RssSampler":
        self._thread.start()
        return self

    def sample(self) -> None:
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(("VmHWM:", "VmRSS:")):
                        self.peak_kib = max(self.peak_kib, int(line.split()[1]))
        except (OSError, ValueError):
            pass

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.sample()

    def stop(self) -> int:
        self.sample()
        self._stop.set()
        self._thread.join()
        return self.peak_kib


# -- the two brokers -----------------------------------------------------------------------------

class OurBroker:
    name = "ferrokafka"

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.workdir = tempfile.mkdtemp(prefix="bench-ferrokafka-")
        self.port = process_util.free_port()
        self.proc: subprocess.Popen | None = None
        self.startup_s = 0.0

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def heap_note(self) -> str:
        return "no heap setting (native)"

    def start(self) -> None:
        data = os.path.join(self.workdir, "data")
        shutil.rmtree(data, ignore_errors=True)
        argv = [
            self.binary, "broker",
            "--override", f"listeners=PLAINTEXT://127.0.0.1:{self.port}",
            "--override", f"log.dirs={data}",
            # The Kafka harness sets the same: the perf consumer joins a group of one.
            "--override", "group.initial.rebalance.delay.ms=0",
        ]
        env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "warn"))
        t0 = time.perf_counter()
        self.proc = process_util.spawn(argv, os.path.join(self.workdir, "broker.log"), env)
        self.startup_s = poll_until_metadata(self.port, t0, lambda: self.proc.poll() is None, 60)

    def stop(self) -> None:
        process_util.stop(self.proc)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


class _TimedKafkaCluster(kafka_cluster.KafkaCluster):
    """KafkaCluster that times its node's launch (after storage format) to first Metadata."""

    startup_s = 0.0

    def _launch(self, node_id: int) -> None:
        self._t0 = time.perf_counter()
        super()._launch(node_id)

    def _wait_ready(self, node_id: int) -> None:
        proc = self.procs[node_id]
        self.startup_s = poll_until_metadata(
            self.broker_ports[node_id], self._t0, lambda: proc is not None and proc.poll() is None,
            self.startup_timeout)
        super()._wait_ready(node_id)


class ApacheKafka:
    name = "Apache Kafka"

    def __init__(self, libs: str, heap: str) -> None:
        self.libs = libs
        self.heap = heap
        self.cluster: _TimedKafkaCluster | None = None
        self.startup_s = 0.0

    @property
    def bootstrap(self) -> str:
        assert self.cluster is not None
        return self.cluster.bootstrap

    @property
    def pid(self) -> int:
        assert self.cluster is not None and self.cluster.procs[1] is not None
        return self.cluster.procs[1].pid

    def heap_note(self) -> str:
        return f"JVM -Xmx{self.heap} -Xms128m, G1 (tests/harness/kafka_cluster.py)"

    def start(self) -> None:
        self.stop()
        self.cluster = _TimedKafkaCluster(nodes=1, heap=self.heap, libs=self.libs)
        self.cluster.start()
        self.startup_s = self.cluster.startup_s

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def cleanup(self) -> None:
        self.stop()


# -- workloads -----------------------------------------------------------------------------------

# (label, client, records at scale 1, record size, partitions). The java rows are the historical
# table (one partition); the fk rows are issue #7's reference (2,000,000 x 100 B on 3 partitions)
# plus a 1 KB case, both acks=1 like the java rows.
WORKLOADS = [
    ("100B", "java", 1_000_000, 100, 1),
    ("1KB", "java", 100_000, 1024, 1),
    ("fk-100B", "fk", 2_000_000, 100, 3),
    ("fk-1KB", "fk", 200_000, 1024, 3),
]


PRODUCER_RE = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
    r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th")


def run_tool(libs: str, main: str, args: list[str], log: str, timeout: float) -> str:
    cmd = CLIENT_JVM + ["-cp", os.path.join(libs, "*"), main] + args
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}\n")
    try:
        result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise RuntimeError(f"{main} timed out after {timeout:.0f}s (log: {log})") from e
    with open(log, "a") as f:
        f.write(result.stdout)
    if result.returncode != 0:
        raise RuntimeError(f"{main} exited with {result.returncode}:\n{result.stdout[-3000:]}")
    return result.stdout


def create_topic(libs: str, bootstrap: str, topic: str, log: str, partitions: int = 1) -> None:
    run_tool(libs, TOPIC_MAIN, ["--bootstrap-server", bootstrap, "--create", "--topic", topic,
                                "--partitions", str(partitions), "--replication-factor", "1"], log, 120)


def run_native(argv: list[str], log: str, timeout: float) -> dict:
    """Runs an fk-*-perf tool with --json; returns its JSON summary line."""
    return perf_tools.run_json(argv, timeout, log)


def fk_produce(bins: str, bootstrap: str, topic: str, records: int, size: int, log: str) -> dict:
    r = run_native([os.path.join(bins, "fk-producer-perf"), "--topic", topic,
                    "--num-records", str(records), "--record-size", str(size), "--throughput", "-1",
                    "--producer-props", f"bootstrap.servers={bootstrap}", "acks=1"], log, 1800)
    if int(r["records"]) != records:
        raise RuntimeError(f"fk-producer-perf delivered {r['records']} of {records} records")
    return {"records_s": r["records_per_sec"], "mb_s": r["mb_per_sec"], "p99_ms": r["p99_ms"]}


def fk_consume(bins: str, bootstrap: str, topic: str, records: int, log: str) -> dict:
    r = run_native([os.path.join(bins, "fk-consumer-perf"), "--bootstrap-server", bootstrap,
                    "--topic", topic, "--messages", str(records), "--timeout", "30000"], log, 1800)
    return {"records_s": r["records_per_sec"], "mb_s": r["mb_per_sec"],
            "rebalance_ms": r["rebalance_s"] * 1000}


def produce(libs: str, bootstrap: str, topic: str, records: int, size: int, log: str) -> dict:
    out = run_tool(libs, PRODUCER_MAIN, [
        "--topic", topic, "--num-records", str(records), "--record-size", str(size),
        "--throughput", "-1", "--producer-props", f"bootstrap.servers={bootstrap}", "acks=1",
    ], log, 1800)
    matches = PRODUCER_RE.findall(out)
    if not matches:
        raise RuntimeError(f"no summary line in ProducerPerformance output:\n{out[-3000:]}")
    sent, rps, mbps, _avg, _max, _p50, _p95, p99, _p999 = matches[-1]
    if int(sent) != records:
        raise RuntimeError(f"ProducerPerformance sent {sent} of {records} records")
    return {"records_s": float(rps), "mb_s": float(mbps), "p99_ms": float(p99)}


def consume(libs: str, bootstrap: str, topic: str, records: int, log: str) -> dict:
    out = run_tool(libs, CONSUMER_MAIN, [
        "--bootstrap-server", bootstrap, "--topic", topic, "--num-records", str(records),
        "--timeout", "30000",
    ], log, 1800)
    # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
    # rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    for line in reversed(out.splitlines()):
        cols = [c.strip() for c in line.split(",")]
        if len(cols) >= 10 and re.fullmatch(r"\d+", cols[4] or ""):
            got = int(cols[4])
            if got < records:
                raise RuntimeError(f"ConsumerPerformance read {got} of {records} records")
            return {"records_s": float(cols[9]), "mb_s": float(cols[8]),
                    "total_records_s": float(cols[5]), "rebalance_ms": float(cols[6])}
    raise RuntimeError(f"no result line in ConsumerPerformance output:\n{out[-3000:]}")


def bench_broker(broker, libs: str, bins: str, workloads: list[tuple[str, str, int, int, int]],
                 startup_runs: int, log: str, results: dict) -> None:
    """Start-up runs first (fresh data each time), then one run that carries all the load.

    Fills `results` as it goes, so a failure part-way still reports what was measured."""
    startups = []
    for _ in range(max(0, startup_runs - 1)):
        broker.start()
        startups.append(broker.startup_s)
        broker.stop()
    broker.start()
    startups.append(broker.startup_s)
    sampler = RssSampler(broker.pid).start()
    results["startup_ms"] = statistics.median(startups) * 1000
    results["startup_all_ms"] = [round(s * 1000, 1) for s in startups]
    try:
        for label, client, records, size, partitions in workloads:
            topic = f"bench-{label}"
            create_topic(libs, broker.bootstrap, topic, log, partitions)
            cpu0 = process_cpu_s(broker.pid)
            print(f"  [{broker.name}] {client}: producing {records} x {size} B", flush=True)
            if client == "fk":
                results[f"produce_{label}"] = fk_produce(bins, broker.bootstrap, topic, records, size, log)
            else:
                results[f"produce_{label}"] = produce(libs, broker.bootstrap, topic, records, size, log)
            cpu1 = process_cpu_s(broker.pid)
            print(f"  [{broker.name}] {client}: consuming {records} x {size} B", flush=True)
            if client == "fk":
                results[f"consume_{label}"] = fk_consume(bins, broker.bootstrap, topic, records, log)
            else:
                results[f"consume_{label}"] = consume(libs, broker.bootstrap, topic, records, log)
            cpu2 = process_cpu_s(broker.pid)
            results[f"produce_{label}"]["broker_cpu_s"] = cpu1 - cpu0
            results[f"consume_{label}"]["broker_cpu_s"] = cpu2 - cpu1
            print(f"    {results[f'produce_{label}']['records_s']:,.0f} / "
                  f"{results[f'consume_{label}']['records_s']:,.0f} rec/s, "
                  f"broker CPU {cpu1 - cpu0:.2f} / {cpu2 - cpu1:.2f} s", flush=True)
    finally:
        results["peak_rss_mib"] = sampler.stop() / 1024
        broker.stop()


def process_cpu_s(pid: int) -> float:
    """utime + stime of a process (its threads included), in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


# -- report --------------------------------------------------------------------------------------

def rows(workloads: list[tuple[str, str, int, int, int]]) -> list[tuple[str, tuple, str, str]]:
    """(label, key path, unit format, target) for each table row."""
    out = []
    for label, client, records, size, partitions in workloads:
        tool = "fk-*-perf" if client == "fk" else "Java perf tools"
        what = (f"{records:,} x {'1 KB' if size == 1024 else f'{size} B'}, "
                f"{partitions} partition{'s' if partitions > 1 else ''}, {tool}")
        out += [
            (f"produce {what}: records/s", (f"produce_{label}", "records_s"), "{:,.0f}", ">= 1.0x"),
            (f"produce {what}: MB/s", (f"produce_{label}", "mb_s"), "{:,.2f}", ">= 1.0x"),
            (f"produce {what}: p99 latency ms", (f"produce_{label}", "p99_ms"), "{:,.0f}", ""),
            (f"consume {what}: records/s", (f"consume_{label}", "records_s"), "{:,.0f}", ">= 1.0x"),
            (f"consume {what}: MB/s", (f"consume_{label}", "mb_s"), "{:,.2f}", ">= 1.0x"),
            (f"broker CPU s, produce / consume {what}", (f"cpu_{label}",), "{}", ""),
        ]
    out += [
        ("broker peak RSS MiB", ("peak_rss_mib",), "{:,.1f}", "<= 0.1x"),
        ("start-up to first Metadata ms (median)", ("startup_ms",), "{:,.1f}", "< 50 ms"),
    ]
    return out


def lookup(results, path: tuple):
    """The value at `path`; over a list of rounds, the median of the rounds that have it."""
    if isinstance(results, list):
        if path and path[0].startswith("cpu_"):
            return lookup(results[-1] if results else None, path)
        vals = [v for v in (lookup(r, path) for r in results) if isinstance(v, (int, float))]
        return statistics.median(vals) if vals else None
    if path and path[0].startswith("cpu_"):
        label = path[0][4:]
        p, c = lookup(results, (f"produce_{label}", "broker_cpu_s")), lookup(results, (f"consume_{label}", "broker_cpu_s"))
        return None if p is None or c is None else f"{p:.2f} / {c:.2f}"
    cur = results
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


def verdict(target: str, ours, ratio) -> str:
    if ours is None or not target:
        return ""
    if target == "< 50 ms":
        return "yes" if ours < 50 else "no"
    if ratio is None:
        return ""
    if target == ">= 1.0x":
        return "yes" if ratio >= 1.0 else "no"
    if target == "<= 0.1x":
        return "yes" if ratio <= 0.1 else "no"
    return ""


def table(ours, kafka, workloads) -> list[list[str]]:
    body = [["metric", "ferrokafka", "Apache Kafka", "ours/Kafka", "target", "met"]]
    for label, path, fmt, target in rows(workloads):
        a, b = lookup(ours, path), lookup(kafka, path)
        numeric = isinstance(a, (int, float)) and isinstance(b, (int, float))
        ratio = a / b if numeric and b != 0 else None
        body.append([
            label,
            fmt.format(a) if a is not None else "-",
            fmt.format(b) if b is not None else "-",
            f"{ratio:.2f}x" if ratio is not None else "-",
            target,
            verdict(target, a, ratio),
        ])
    return body


def print_table(body: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in body) for i in range(len(body[0]))]
    for n, r in enumerate(body):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def machine_description() -> dict[str, str]:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            mem = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    java = subprocess.run(["java", "-version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True).stdout.splitlines()
    commit = subprocess.run(["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores, {mem} RAM",
        "os": f"{platform.system()} {platform.release()}",
        "java": java[0] if java else "?",
        "commit": commit or "?",
    }


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def every_round(ours: list[dict], kafka: list[dict], workloads) -> list[str]:
    """One line per throughput row with each round's value (ours | Kafka)."""
    if max(len(ours), len(kafka)) <= 1:
        return []
    out = ["Every round (records/s; ours | Kafka, in run order):", ""]
    for label, path, fmt, _target in rows(workloads):
        if path[-1] != "records_s":
            continue
        a = ", ".join(f"{lookup(r, path):,.0f}" for r in ours if lookup(r, path) is not None) or "-"
        b = ", ".join(f"{lookup(r, path):,.0f}" for r in kafka if lookup(r, path) is not None) or "-"
        out.append(f"- {label}: {a} | {b}")
    return out + [""]


def write_markdown(path: str, body, info: dict, ours, kafka, notes: list[str]) -> None:
    lines = [
        "# ferrokafka broker vs Apache Kafka",
        "",
        f"Measured {info['date']} by `bench/broker_vs_kafka.py` (ferrokafka commit {info['commit']}, "
        f"Apache Kafka {info['kafka_version']}).",
        "",
        f"- Machine: {info['cpu']}; {info['os']}; {info['java']}.",
        f"- Load average (1/5/15 min) at start: {info['load_start']}; at end: {info['load_end']}.",
        f"- {info['load_note']}",
        f"- Apache Kafka: single node KRaft (broker+controller), {info['kafka_heap']}, otherwise "
        "Kafka's defaults plus the harness settings (num.partitions=1, "
        "group.initial.rebalance.delay.ms=0, offsets.topic.num.partitions=10).",
        "- ferrokafka: `ferrokafka broker` release build, defaults plus "
        "group.initial.rebalance.delay.ms=0.",
        f"- Brokers run one after the other, never at the same time ({info['rounds']} round(s), "
        "alternating; each cell is the median over the rounds). Clients: Apache Kafka's "
        "ProducerPerformance (`--throughput -1`, `acks=1`) and ConsumerPerformance (classic group, "
        "fetch rate excluding the group join) in a JVM with -Xmx512m, one topic with 1 partition "
        "per workload (the historical rows, where the Java client is the limit near 130k rec/s); and "
        "the core's `fk-producer-perf` / `fk-consumer-perf` (same flags and measurements, "
        "`acks=1`, the core's defaults otherwise: linger.ms=5, batch.size=16384), one topic with 3 "
        "partitions per workload. Broker CPU s: utime+stime of the broker process over each "
        "produce and consume run (last round).",
        "- Peak RSS: max of VmHWM/VmRSS of the broker process (the JVM for Kafka), sampled every "
        "100 ms over the whole run. Start-up: from spawning the process to the first answered "
        f"Metadata v0 request (polled every ~1 ms), median of {info['startup_runs']} fresh starts "
        f"per round (ferrokafka: {[r.get('startup_all_ms') for r in ours] or '-'} ms; Kafka: "
        f"{[r.get('startup_all_ms') for r in kafka] or '-'} ms; Kafka's storage format step is not counted).",
        "",
    ]
    lines.append("| " + " | ".join(body[0]) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(body[0]) - 1)) + "|")
    for r in body[1:]:
        lines.append("| " + " | ".join(r) + " |")
    lines.append("")
    lines += every_round(ours, kafka, info["workloads"])
    lines += notes
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")


# -- main ----------------------------------------------------------------------------------------

def build_ours(skip: bool) -> str:
    binary = os.environ.get("FERROKAFKA_BIN") or os.path.join(REPO_ROOT, "target", "release", "ferrokafka")
    if not skip and not os.environ.get("FERROKAFKA_BIN"):
        print("building: cargo build --release -p ferrokafka-cli -p ferrokafka-bench", flush=True)
        subprocess.run(["cargo", "build", "--release", "-p", "ferrokafka-cli", "-p", "ferrokafka-bench"],
                       cwd=REPO_ROOT, check=True)
    if not os.path.isfile(binary):
        raise SystemExit(f"no broker binary at {binary}")
    return binary


def kafka_version(libs: str) -> str:
    for name in sorted(os.listdir(libs)):
        m = re.fullmatch(r"kafka_2\.13-(.+)\.jar", name)
        if m:
            return m.group(1)
    return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the record counts in WORKLOADS to send")
    parser.add_argument("--only", choices=("ours", "kafka"), help="benchmark one broker only")
    parser.add_argument("--client", choices=("java", "fk", "both"), default="both",
                        help="java: Kafka's perf tools (1 partition); fk: the core's fk-*-perf "
                             "(3 partitions); both (default)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate the brokers this many times; cells are medians")
    parser.add_argument("--skip-build", action="store_true", help="use the existing release binary")
    parser.add_argument("--kafka-heap", default="512m", help="Kafka's -Xmx (harness default 512m)")
    parser.add_argument("--startup-runs", type=int, default=3, help="fresh starts timed per broker")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "broker_vs_kafka.md"),
                        help="Markdown output ('-' for none)")
    parser.add_argument("--note", action="append", default=[], help="extra line for the Markdown")
    args = parser.parse_args()

    clients = ("java", "fk") if args.client == "both" else (args.client,)
    workloads = [(label, client, max(1, int(n * args.scale)), size, parts)
                 for label, client, n, size, parts in WORKLOADS if client in clients]

    info = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip(),
            "load_start": load_average(), "startup_runs": args.startup_runs,
            "rounds": args.rounds, "workloads": workloads}
    binary = build_ours(args.skip_build) if args.only != "kafka" or "fk" in clients else ""
    bins = os.path.dirname(binary) if binary else ""
    if "fk" in clients:
        for tool in ("fk-producer-perf", "fk-consumer-perf"):
            if not os.path.isfile(os.path.join(bins, tool)):
                raise SystemExit(f"no {tool} next to {binary}: build with -p ferrokafka-bench")
    libs = kafka_cluster.kafka_libs()
    info.update(machine_description())
    info["kafka_version"] = kafka_version(libs)

    logdir = tempfile.mkdtemp(prefix="bench-logs-")
    ours: list[dict] = []
    kafka: list[dict] = []
    errors: list[str] = []
    heap_note = ApacheKafka(libs, args.kafka_heap).heap_note()
    for rnd in range(args.rounds):
        if args.only != "kafka":
            print(f"== round {rnd + 1}/{args.rounds}: ferrokafka ({binary}), load {load_average()}", flush=True)
            broker = OurBroker(binary)
            ours.append({})
            try:
                bench_broker(broker, libs, bins, workloads, args.startup_runs,
                             os.path.join(logdir, "ferrokafka-clients.log"), ours[-1])
            except Exception as e:  # report what was measured, then fail at the end
                errors.append(f"ferrokafka: {e}")
                print(f"!! ferrokafka run failed: {e}", file=sys.stderr, flush=True)
            finally:
                broker.stop()
                broker_log = os.path.join(broker.workdir, "broker.log")
                if os.path.exists(broker_log):
                    shutil.copy(broker_log, os.path.join(logdir, f"ferrokafka-broker-{rnd + 1}.log"))
                broker.cleanup()
        if args.only != "ours":
            print(f"== round {rnd + 1}/{args.rounds}: Apache Kafka {info['kafka_version']} ({heap_note}), "
                  f"load {load_average()}", flush=True)
            broker = ApacheKafka(libs, args.kafka_heap)
            kafka.append({})
            try:
                bench_broker(broker, libs, bins, workloads, args.startup_runs,
                             os.path.join(logdir, "kafka-clients.log"), kafka[-1])
            except Exception as e:
                errors.append(f"Apache Kafka: {e}")
                print(f"!! Apache Kafka run failed: {e}", file=sys.stderr, flush=True)
            finally:
                broker.cleanup()
    info["load_end"] = load_average()
    info["kafka_heap"] = heap_note
    info["load_note"] = (
        "Records: " + "; ".join(f"{n:,} x {size} B on {parts} partition(s) ({client})"
                                for _l, client, n, size, parts in workloads)
        + ("" if args.scale == 1.0 else f" (--scale {args.scale})") + ".")

    body = table(ours, kafka, workloads)
    print()
    print_table(body)
    print(f"\nclient logs: {logdir}")
    if args.out != "-":
        notes = list(args.note) + [f"FAILED, numbers incomplete: {e.splitlines()[0]}" for e in errors]
        write_markdown(args.out, body, info, ours, kafka, notes)
        print(f"wrote {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
