#!/usr/bin/env python3
"""Benchmark: what TLS + SASL/SCRAM-SHA-512 costs on OUR broker and on Apache Kafka 4.3.1.

Owns: starting each broker in turn (never both at once) with a PLAINTEXT and a SASL_SSL listener
(same PEM keystore from tests/harness/tls_certs.py, same SCRAM-SHA-512 user, an ACL authoriser
with that user as super user on both), driving every listener with each client in --clients (the
same clients for both brokers): `java`, Apache Kafka's own ProducerPerformance /
ConsumerPerformance; `fk`, the core's fk-producer-perf / fk-consumer-perf; `rd`, librdkafka's
rd-producer-perf / rd-consumer-perf (bench/librdkafka-perf, native). It prints records/s per
listener and the TLS cost ratio SASL_SSL / PLAINTEXT per broker and client, plus the CPU seconds
the broker process and the client process used in each run (the broker's own TLS cost, which the
records/s ratio hides when the client is the bottleneck, as the JVM client is on 2 cores); the
tables are also written as Markdown to bench/results/security_vs_kafka.md (the run it replaces
moves under "# Earlier measurements").
Must not: be a test (nothing passes or fails on speed).

Method against this VM's noise: each broker runs --rounds rounds (default 3) of every cell, the
listener order alternating per round (round 1 PLAINTEXT first, round 2 SASL_SSL first, ...); before
every timed produce an identical untimed page-cache warm-up writes and deletes a file a little
larger than the workload next to the broker's data dir (on this VM the first writes into memory
the guest has not touched yet cost seconds of system time, whichever run comes first); each cell
is the median over the rounds, and every round's value is printed.

    python3 bench/security_vs_kafka.py                  # all clients, see WORKLOADS
    python3 bench/security_vs_kafka.py --scale 0.05     # quick check of the script
    python3 bench/security_vs_kafka.py --clients fk,rd  # the native clients only
    python3 bench/security_vs_kafka.py --rounds 5       # medians over 5 rounds

Apache Kafka is tests/harness/secure_kafka.py (SASL_SSL client listener, PLAINTEXT internal
listener, StandardAuthorizer; -Xmx512m G1). Our broker is FERROKAFKA_BIN (default
target/release/ferrokafka; build it and the fk tools with `cargo build --release -p
ferrokafka-cli -p ferrokafka-bench`); rd-*-perf are built on demand (bench/perf_tools.py). Needs
the CI venv's Python (`cryptography`) and the Kafka jars (scripts/fetch-kafka.sh).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "harness"))
sys.path.insert(0, HERE)

import kafka_cluster  # noqa: E402
import kafka_wire  # noqa: E402
import perf_tools  # noqa: E402
import process_util  # noqa: E402
from broker_vs_kafka import (  # noqa: E402
    CONSUMER_MAIN, PRODUCER_MAIN, PRODUCER_RE, TOPIC_MAIN, kafka_version, load_average,
    machine_description, run_tool)
from secure_kafka import SCRAM_MODULE, SUPER_USER, USERS, SecureKafka  # noqa: E402
from tls_certs import write_tls_files  # noqa: E402

PROTOCOLS = ("PLAINTEXT", "SASL_SSL")
CLIENTS = ("java", "fk", "rd")
# librdkafka stops fetching a partition once its queue holds queued.min.messages records or
# queued.max.messages.kbytes and looks again fetch.queue.backoff.ms (1 s) later: the faster
# listener (PLAINTEXT) filled it and waited, so its consume ran slower than SASL_SSL's (2026-12-03:
# 209,762 vs 615,666 rec/s on ours, 347,355 vs 686,093 on Kafka, 2,000,000 x 100 B). Both limits
# lifted above the workload, on both brokers and listeners, so the cell measures TLS, not that
# timer (the same settings as fetch_path.py's kcat-deep row).
RD_DEEP_QUEUE = ("queued.min.messages=10000000", "queued.max.messages.kbytes=2097151")
CLIENT_NAMES = {"java": "Java perf tools", "fk": "fk-*-perf (core)", "rd": "rd-*-perf (librdkafka)"}
# Records at scale 1 per (label, size): the JVM client tops out near 130k rec/s, so it gets the
# historical counts; the native clients run 4x longer so that a run lasts more than a second.
WORKLOADS = {"java": [("100B", 500_000, 100), ("1KB", 200_000, 1024)],
             "fk": [("100B", 2_000_000, 100), ("1KB", 500_000, 1024)],
             "rd": [("100B", 2_000_000, 100), ("1KB", 500_000, 1024)]}


def client_config(workdir: str, ca: str) -> str:
    """The SASL_SSL client properties file (SCRAM-SHA-512 as the super user, PEM truststore)."""
    path = os.path.join(workdir, "sasl_ssl.properties")
    with open(path, "w") as f:
        f.write("security.protocol=SASL_SSL\n"
                "sasl.mechanism=SCRAM-SHA-512\n"
                f'sasl.jaas.config={SCRAM_MODULE} required username="{SUPER_USER}" '
                f'password="{USERS[SUPER_USER]}";\n'
                "ssl.truststore.type=PEM\n"
                f"ssl.truststore.location={ca}\n")
    return path


def librdkafka_config(workdir: str, ca: str) -> str:
    """The same SASL_SSL settings in librdkafka's names (PEM CA file, SCRAM user and password)."""
    path = os.path.join(workdir, "sasl_ssl.librdkafka.properties")
    with open(path, "w") as f:
        f.write("security.protocol=SASL_SSL\n"
                "sasl.mechanism=SCRAM-SHA-512\n"
                f"sasl.username={SUPER_USER}\n"
                f"sasl.password={USERS[SUPER_USER]}\n"
                f"ssl.ca.location={ca}\n")
    return path


class OurBroker:
    name = "ferrokafka"

    def __init__(self, binary: str, workdir: str) -> None:
        self.binary = binary
        self.workdir = workdir
        self.tls = write_tls_files(os.path.join(workdir, "tls"))
        self.ports = {"PLAINTEXT": process_util.free_port(), "SASL_SSL": process_util.free_port()}
        self.proc = None

    def bootstrap(self, protocol: str) -> str:
        return f"127.0.0.1:{self.ports[protocol]}"

    @property
    def data_dir(self) -> str:
        return os.path.join(self.workdir, "data")

    def __enter__(self) -> "OurBroker":
        p, s = self.ports["PLAINTEXT"], self.ports["SASL_SSL"]
        argv = [
            self.binary, "broker",
            "--add-scram", f"SCRAM-SHA-512=[name={SUPER_USER},password={USERS[SUPER_USER]}]",
            "--override", f"listeners=PLAINTEXT://127.0.0.1:{p},SASL_SSL://127.0.0.1:{s}",
            "--override", f"log.dirs={self.workdir}/data",
            "--override", "sasl.enabled.mechanisms=SCRAM-SHA-512",
            "--override", "ssl.keystore.type=PEM",
            "--override", f"ssl.keystore.location={self.tls.server_keystore}",
            "--override", "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "--override", f"super.users=User:{SUPER_USER};User:ANONYMOUS",
            "--override", "group.initial.rebalance.delay.ms=0",
        ]
        env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "warn"))
        self.proc = process_util.spawn(argv, os.path.join(self.workdir, "broker.log"), env)
        process_util.wait_until(lambda: kafka_wire.api_versions_ok("127.0.0.1", p), 60,
                                "our broker",
                                lambda: "exited" if self.proc.poll() is not None else None)
        return self

    def __exit__(self, *exc) -> None:
        process_util.stop(self.proc)

    @property
    def pid(self) -> int:
        return self.proc.pid


class ApacheKafka:
    name = "Apache Kafka"

    def __init__(self, workdir: str) -> None:
        # The target named explicitly: SecureKafka() alone follows FERROKAFKA_TEST_TARGET, whose
        # default is OUR broker (runs before this fix measured ours twice when it was unset).
        self.kafka = SecureKafka(target="apache")
        self.workdir = workdir

    def bootstrap(self, protocol: str) -> str:
        return self.kafka.internal_bootstrap if protocol == "PLAINTEXT" else self.kafka.bootstrap

    @property
    def tls(self):
        return self.kafka.tls

    @property
    def data_dir(self) -> str:
        return os.path.join(self.kafka.cluster.node_dir(self.kafka.cluster.node_ids[0]), "data")

    def __enter__(self) -> "ApacheKafka":
        self.kafka.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.kafka.__exit__(*exc)

    @property
    def pid(self) -> int:
        return next(p for p in self.kafka.cluster.procs.values() if p is not None).pid


def produce(client: str, libs: str, bootstrap: str, config: str | None, topic: str, records: int,
            size: int, log: str) -> float:
    if client != "java":
        tool = os.path.join(BINS[client], f"{client}-producer-perf")
        argv = [tool, "--topic", topic, "--num-records", str(records), "--record-size", str(size),
                "--throughput", "-1"]
        if config:
            argv += ["--producer.config", config]
        argv += ["--producer-props", f"bootstrap.servers={bootstrap}", "acks=1"]
        r = perf_tools.run_json(argv, 1800, log)
        if int(r["records"]) != records:
            raise RuntimeError(f"{tool} delivered {r['records']} of {records} records")
        return float(r["records_per_sec"])
    args = ["--topic", topic, "--num-records", str(records), "--record-size", str(size),
            "--throughput", "-1"]
    if config:
        args += ["--producer.config", config]
    args += ["--producer-props", f"bootstrap.servers={bootstrap}", "acks=1"]
    out = run_tool(libs, PRODUCER_MAIN, args, log, 1800)
    matches = PRODUCER_RE.findall(out)
    if not matches or int(matches[-1][0]) != records:
        raise RuntimeError(f"ProducerPerformance did not send {records} records:\n{out[-2000:]}")
    return float(matches[-1][1])


def consume(client: str, libs: str, bootstrap: str, config: str | None, topic: str, records: int,
            log: str) -> float:
    if client != "java":
        argv = [os.path.join(BINS[client], f"{client}-consumer-perf"), "--bootstrap-server", bootstrap,
                "--topic", topic, "--messages", str(records), "--timeout", "60000"]
        if config:
            argv += ["--consumer.config", config]
        if client == "rd":
            argv += ["--consumer-props", *RD_DEEP_QUEUE]
        return float(perf_tools.run_json(argv, 1800, log)["records_per_sec"])
    args = ["--bootstrap-server", bootstrap, "--topic", topic, "--num-records", str(records),
            "--timeout", "60000"]
    if config:
        args += ["--consumer.config", config]
    out = run_tool(libs, CONSUMER_MAIN, args, log, 1800)
    # ..., data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec,
    # fetch.nMsg.sec: the fetch rate leaves the group join out.
    for line in reversed(out.splitlines()):
        cols = [c.strip() for c in line.split(",")]
        if len(cols) >= 10 and re.fullmatch(r"\d+", cols[4] or ""):
            if int(cols[4]) < records:
                raise RuntimeError(f"ConsumerPerformance read {cols[4]} of {records} records")
            return float(cols[9])
    raise RuntimeError(f"no result line in ConsumerPerformance output:\n{out[-2000:]}")


# Where the native tools live (filled by main).
BINS: dict[str, str] = {}


def process_cpu(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds process `pid` has used so far (all its threads). Kept apart:
    on this VM the kernel's first writes into cold page-cache memory cost seconds of system
    time that swing between runs, whatever the protocol."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def client_cpu() -> float:
    """CPU seconds the finished child processes (the client JVMs) have used so far."""
    t = os.times()
    return t.children_user + t.children_system


class CpuMeter:
    """The broker's and the client's CPU seconds over one `with` block (the client is the only
    child process that runs inside the block)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def __enter__(self) -> "CpuMeter":
        self.b0, self.c0 = process_cpu(self.pid), client_cpu()
        return self

    def __exit__(self, *exc) -> None:
        user, system = process_cpu(self.pid)
        self.broker = (user - self.b0[0], system - self.b0[1])
        self.client = client_cpu() - self.c0


def warm_page_cache(directory: str, nbytes: int) -> None:
    """Writes and deletes an `nbytes` file in `directory` (untimed): the pages the next produce
    writes into are then ones the guest has touched before, whichever protocol runs first."""
    path = os.path.join(directory, "page-cache-warm-up.tmp")
    block = b"\0" * (1 << 20)
    with open(path, "wb") as f:
        for _ in range(-(-nbytes // len(block))):
            f.write(block)
    os.unlink(path)


def warm_up_bytes(records: int, size: int) -> int:
    """A little more than the log a produce of `records` x `size` B writes (record overhead
    under 16 B, batch headers amortised)."""
    return int(records * (size + 16) * 1.25)


def bench(broker, libs: str, clients: list[str], scale: float, rounds: int, log: str,
          cpu: dict) -> dict:
    """{(client, workload, protocol): [(produce rec/s, consume rec/s) per round]} for one started
    broker; fills cpu[(client, workload, protocol, "produce"|"consume")] with a list of
    ((broker user, broker sys), client) CPU s per round."""
    configs = {"java": client_config(broker.workdir, broker.tls.ca),
               "rd": librdkafka_config(broker.workdir, broker.tls.ca)}
    # The core reads the Java client's file as it is (sasl.jaas.config, PEM truststore).
    configs["fk"] = configs["java"]
    results: dict = {}
    # Next to the data dir (same file system), not inside it: a broker owns its log dirs.
    scratch = os.path.dirname(broker.data_dir)

    def create(topic: str) -> None:
        # Over PLAINTEXT (a super user on both brokers), so each run measures only data. With
        # our CLI when it is built (same arguments as kafka-topics, no JVM start: the rounds
        # create 2 x 12 topics per round), else with Kafka's tool.
        args = ["--bootstrap-server", broker.bootstrap("PLAINTEXT"), "--create", "--topic", topic,
                "--partitions", "1", "--replication-factor", "1"]
        if BINS.get("cli"):
            with open(log, "a") as f:
                subprocess.run([BINS["cli"], "topics", *args], check=True, timeout=120,
                               stdout=f, stderr=subprocess.STDOUT)
        else:
            run_tool(libs, TOPIC_MAIN, args, log, 120)

    # Warm-up, not measured: a JVM broker's first runs are slow (JIT), and PLAINTEXT is measured
    # first, so without this Apache Kafka's PLAINTEXT rows paid its warm-up and its TLS ratio
    # came out above 1.00. One produce and consume per listener with the first client, same for
    # both brokers.
    first = clients[0]
    warm_records = max(1, int(WORKLOADS[first][-1][1] * scale) // 4)
    for protocol in PROTOCOLS:
        topic = f"warmup-{protocol.lower().replace('_', '-')}"
        cfg = configs[first] if protocol == "SASL_SSL" else None
        create(topic)
        produce(first, libs, broker.bootstrap(protocol), cfg, topic, warm_records, 1024, log)
        consume(first, libs, broker.bootstrap(protocol), cfg, topic, warm_records, log)
    for rnd in range(rounds):
        # Alternate which listener goes first: whatever the first run of a pair pays (fresh
        # memory, a cold cache) lands on each protocol equally often.
        order = PROTOCOLS if rnd % 2 == 0 else tuple(reversed(PROTOCOLS))
        print(f"  round {rnd + 1}/{rounds} ({' first, '.join(order)} second), "
              f"load {load_average()}", flush=True)
        for client in clients:
            for label, records, size in WORKLOADS[client]:
                records = max(1, int(records * scale))
                for protocol in order:
                    topic = (f"bench-{client}-{label.lower()}-{protocol.lower().replace('_', '-')}"
                             f"-r{rnd + 1}")
                    cfg = configs[client] if protocol == "SASL_SSL" else None
                    create(topic)
                    warm_page_cache(scratch, warm_up_bytes(records, size))
                    with CpuMeter(broker.pid) as m:
                        p = produce(client, libs, broker.bootstrap(protocol), cfg, topic, records,
                                    size, log)
                    cpu.setdefault((client, label, protocol, "produce"), []).append((m.broker, m.client))
                    with CpuMeter(broker.pid) as m:
                        c = consume(client, libs, broker.bootstrap(protocol), cfg, topic, records, log)
                    cpu.setdefault((client, label, protocol, "consume"), []).append((m.broker, m.client))
                    print(f"    {client:4} {label:5} {protocol:9} produce {p:>12,.0f} rec/s   "
                          f"consume {c:>12,.0f} rec/s", flush=True)
                    results.setdefault((client, label, protocol), []).append((p, c))
    return results


def median_rates(rounds: list[tuple[float, float]]) -> tuple[float, float]:
    """(median produce rec/s, median consume rec/s) over the rounds."""
    return (statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds))


def median_cpu(rounds: list) -> tuple[tuple[float, float], float]:
    """((broker user, broker sys), client) CPU s, each the median over the rounds."""
    return ((statistics.median(r[0][0] for r in rounds), statistics.median(r[0][1] for r in rounds)),
            statistics.median(r[1] for r in rounds))


def case_name(client: str, label: str, scale: float) -> str:
    records = next(max(1, int(n * scale)) for l, n, _ in WORKLOADS[client] if l == label)
    return f"{records:,} x {'1 KB' if label == '1KB' else '100 B'}"


def table(all_results: dict, clients: list[str], scale: float) -> list[str]:
    lines = ["| broker | client | workload | PLAINTEXT produce | SASL_SSL produce | TLS cost (produce) "
             "| PLAINTEXT consume | SASL_SSL consume | TLS cost (consume) |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for client in clients:
        for name, results in all_results.items():
            for label, _, _ in WORKLOADS[client]:
                if (client, label, "SASL_SSL") not in results:
                    continue
                (pp, pc) = median_rates(results[(client, label, "PLAINTEXT")])
                (sp, sc) = median_rates(results[(client, label, "SASL_SSL")])
                lines.append(f"| {name} | {CLIENT_NAMES[client]} | {case_name(client, label, scale)} "
                             f"| {pp:,.0f} | {sp:,.0f} | {sp / pp:.2f} "
                             f"| {pc:,.0f} | {sc:,.0f} | {sc / pc:.2f} |")
    return lines


def rounds_table(all_results: dict, clients: list[str], scale: float) -> list[str]:
    """Every round's records/s and that round's TLS cost, in round order (the spread)."""
    lines = ["| broker | client | workload | run | PLAINTEXT rec/s per round "
             "| SASL_SSL rec/s per round | TLS cost per round |",
             "|---|---|---|---|---:|---:|---:|"]
    for client in clients:
        for name, results in all_results.items():
            for label, _, _ in WORKLOADS[client]:
                if (client, label, "SASL_SSL") not in results:
                    continue
                plain = results[(client, label, "PLAINTEXT")]
                tls = results[(client, label, "SASL_SSL")]
                for i, what in enumerate(("produce", "consume")):
                    ratios = " / ".join(f"{s[i] / p[i]:.2f}" for p, s in zip(plain, tls))
                    lines.append(f"| {name} | {client} | {case_name(client, label, scale)} | {what} "
                                 f"| {' / '.join(f'{p[i]:,.0f}' for p in plain)} "
                                 f"| {' / '.join(f'{s[i]:,.0f}' for s in tls)} | {ratios} |")
    return lines


def cpu_table(all_cpu: dict, clients: list[str], scale: float) -> list[str]:
    """Broker and client CPU seconds per run (medians over the rounds); the broker's TLS CPU cost
    = SASL_SSL / PLAINTEXT."""
    lines = ["| broker | client | workload | run | broker CPU s PLAINTEXT (user / sys) "
             "| broker CPU s SASL_SSL (user / sys) | broker TLS user CPU x "
             "| client CPU s PLAINTEXT | client CPU s SASL_SSL |",
             "|---|---|---|---|---:|---:|---:|---:|---:|"]
    for client in clients:
        for name, cpu in all_cpu.items():
            for label, _, _ in WORKLOADS[client]:
                for what in ("produce", "consume"):
                    if (client, label, "SASL_SSL", what) not in cpu:
                        continue
                    (bp, cp) = median_cpu(cpu[(client, label, "PLAINTEXT", what)])
                    (bs, cs) = median_cpu(cpu[(client, label, "SASL_SSL", what)])
                    ratio = f"{bs[0] / bp[0]:.2f}" if bp[0] > 0 else "-"
                    lines.append(f"| {name} | {client} | {case_name(client, label, scale)} | {what} "
                                 f"| {bp[0]:.2f} / {bp[1]:.2f} | {bs[0]:.2f} / {bs[1]:.2f} | {ratio} "
                                 f"| {cp:.2f} | {cs:.2f} |")
    return lines


def tls_cpu_table(all_cpu: dict, clients: list[str], scale: float) -> list[str]:
    """What TLS adds in CPU per record, ours beside Kafka's: (SASL_SSL - PLAINTEXT) CPU seconds
    of the same run over the same records, in microseconds per record (medians over the rounds).
    Broker: user CPU only (its system CPU swings with first page-cache writes on this VM);
    client: the perf tool's process, the same program against both brokers. Unlike the rate
    ratio this does not depend on how fast the PLAINTEXT run was."""
    ours, kafka = all_cpu.get("ferrokafka"), all_cpu.get("Apache Kafka")
    if not ours or not kafka:
        return []
    lines = ["| client | workload | run | broker us/rec ours | broker us/rec Kafka "
             "| client us/rec ours | client us/rec Kafka | both us/rec ours | both us/rec Kafka |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for client in clients:
        for label, records, _ in WORKLOADS[client]:
            n = max(1, int(records * scale))
            for what in ("produce", "consume"):
                keys = [(client, label, p, what) for p in ("PLAINTEXT", "SASL_SSL")]
                if not all(k in ours and k in kafka for k in keys):
                    continue
                cells = []
                for cpu in (ours, kafka):
                    (bp, cp), (bs, cs) = (median_cpu(cpu[k]) for k in keys)
                    cells.append(((bs[0] - bp[0]) * 1e6 / n, (cs - cp) * 1e6 / n))
                (bo, co), (bk, ck) = cells
                lines.append(f"| {CLIENT_NAMES[client]} | {case_name(client, label, scale)} | {what} "
                             f"| {bo:.2f} | {bk:.2f} | {co:.2f} | {ck:.2f} "
                             f"| {bo + co:.2f} | {bk + ck:.2f} |")
    return lines


def verdicts(all_results: dict, clients: list[str]) -> list[str]:
    ours, kafka = all_results.get("ferrokafka"), all_results.get("Apache Kafka")
    if not ours or not kafka:
        return []
    out = []
    for client in clients:
        for label, _, _ in WORKLOADS[client]:
            for i, what in enumerate(("produce", "consume")):
                try:
                    r_ours = (median_rates(ours[(client, label, "SASL_SSL")])[i]
                              / median_rates(ours[(client, label, "PLAINTEXT")])[i])
                    r_kafka = (median_rates(kafka[(client, label, "SASL_SSL")])[i]
                               / median_rates(kafka[(client, label, "PLAINTEXT")])[i])
                except KeyError:
                    continue
                word = "<=" if r_ours >= r_kafka else ">"
                out.append(f"- {CLIENT_NAMES[client]}, {label} {what}: ours keeps {r_ours:.0%} of its "
                           f"PLAINTEXT rate over SASL_SSL, Kafka {r_kafka:.0%}: our TLS cost {word} Kafka's")
    return out


EARLIER = "# Earlier measurements (kept; newest first)"


def keep_earlier(path: str) -> str:
    """What the new run goes above: the file's previous newest run, demoted to a `##` section at
    the top of its earlier measurements, then those ("" when there is no file yet)."""
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        old = f.read()
    newest, _, earlier = old.partition(EARLIER)
    newest = newest.strip().removesuffix("---").strip()
    if newest.startswith("# "):
        newest = "#" + newest
    return "\n---\n\n" + EARLIER + "\n\n" + newest + "\n\n" + earlier.lstrip("\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the record counts in WORKLOADS")
    parser.add_argument("--clients", default=",".join(CLIENTS),
                        help="comma-separated, from java,fk,rd (default: all three)")
    parser.add_argument("--skip-build", action="store_true",
                        help="do not build rd-*-perf (bench/librdkafka-perf); use the last build")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds per broker, listener order alternating; cells are medians")
    parser.add_argument("--only", choices=("ours", "kafka"), help="benchmark one broker only")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "security_vs_kafka.md"),
                        help="Markdown output ('-' for none)")
    args = parser.parse_args()
    clients = [c for c in args.clients.split(",") if c]
    if not clients or any(c not in CLIENTS for c in clients):
        raise SystemExit(f"--clients takes a comma-separated subset of {','.join(CLIENTS)}")
    if args.rounds < 1:
        raise SystemExit("--rounds takes a positive count")
    BINS["fk"] = perf_tools.fk_bin_dir()
    if "rd" in clients:
        BINS["rd"] = perf_tools.build_rd(args.skip_build)
    binary = os.environ.get("FERROKAFKA_BIN") or os.path.join(REPO_ROOT, "target", "release", "ferrokafka")
    if args.only != "kafka" and not os.path.isfile(binary):
        raise SystemExit(f"no broker binary at {binary}: cargo build --release -p ferrokafka-cli")
    if os.path.isfile(binary):
        BINS["cli"] = binary
    libs = kafka_cluster.kafka_libs()
    info = machine_description()
    load_start = load_average()
    logdir = tempfile.mkdtemp(prefix="bench-security-")
    all_results: dict = {}
    all_cpu: dict = {}
    errors = []
    makers = []
    if args.only != "kafka":
        makers.append(lambda d: OurBroker(binary, d))
    if args.only != "ours":
        makers.append(ApacheKafka)
    for make in makers:
        workdir = tempfile.mkdtemp(prefix="bench-security-broker-")
        broker = make(workdir)
        print(f"== {broker.name}", flush=True)
        try:
            with broker:
                all_cpu[broker.name] = {}
                all_results[broker.name] = bench(broker, libs, clients, args.scale, args.rounds,
                                                 os.path.join(logdir, f"{broker.name}-clients.log"),
                                                 all_cpu[broker.name])
        except Exception as e:  # report what was measured
            errors.append(f"{broker.name}: {str(e).splitlines()[0]}")
            print(f"!! {broker.name} failed: {e}", file=sys.stderr, flush=True)
        finally:
            log = os.path.join(workdir, "broker.log")
            if os.path.exists(log):
                shutil.copy(log, os.path.join(logdir, f"{broker.name}-broker.log"))
            shutil.rmtree(workdir, ignore_errors=True)
    load_end = load_average()
    lines = table(all_results, clients, args.scale)
    notes = verdicts(all_results, clients)
    cpu_lines = cpu_table(all_cpu, clients, args.scale)
    round_lines = rounds_table(all_results, clients, args.scale)
    tls_cpu_lines = tls_cpu_table(all_cpu, clients, args.scale)
    print()
    print("\n".join(lines))
    print()
    print("\n".join(round_lines))
    print()
    print("\n".join(cpu_lines))
    print()
    print("\n".join(tls_cpu_lines))
    print("\nTLS cost = SASL_SSL records/s / PLAINTEXT records/s (1.00 = free; higher is cheaper)")
    print("\n".join(notes))
    print(f"\nload average: {load_start} at start, {load_end} at end; client logs: {logdir}")
    for e in errors:
        print(f"FAILED: {e}")
    if args.out != "-":
        earlier = keep_earlier(args.out)
        with open(args.out, "w") as f:
            f.write("# TLS + SASL/SCRAM-SHA-512 cost: ferrokafka vs Apache Kafka\n\n")
            f.write(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
                    f"{info['cpu']}, {info['os']}, {info['java']}, commit {info['commit']}, "
                    f"Apache Kafka {kafka_version(libs)}.\n")
            f.write(f"Load average (1/5/15 min): {load_start} at start, {load_end} at end.\n\n")
            f.write("Each broker is first warmed up (untimed: 1/4 of the 1 KB workload produced and "
                    "consumed over each listener). ")
            f.write(f"Then {args.rounds} round(s) of every cell per broker, the listener order "
                    "alternating per round (round 1 PLAINTEXT first, round 2 SASL_SSL first, ...); "
                    "before every timed produce an identical untimed page-cache warm-up (a file of "
                    "1.25 x records x (size + 16) B written and deleted next to the broker's data "
                    "dir: on this VM first writes into memory the guest has not touched yet cost "
                    "seconds of system time, whichever run pays them); every cell below is the "
                    "median over the rounds (the CPU table too), each round's value is in the "
                    "per-round table. ")
            f.write("Clients (each over both listeners of both brokers): "
                    + "; ".join(CLIENT_NAMES[c] for c in clients)
                    + ". Java = Apache Kafka's ProducerPerformance / ConsumerPerformance; fk = the "
                    "core's fk-producer-perf / fk-consumer-perf; rd = rd-producer-perf / "
                    f"rd-consumer-perf on librdkafka {perf_tools.librdkafka_version()} "
                    "(bench/librdkafka-perf, native), its consumer with "
                    f"`{' '.join(RD_DEEP_QUEUE)}` (no fetch-queue back-off, RD_DEEP_QUEUE). "
                    "All with `--throughput -1`, `acks=1`, "
                    "their defaults otherwise; consumer rates exclude the group join; one "
                    "1-partition topic per run. SASL_SSL = TLS (same EC P-256 PEM keystore on "
                    "both) + SCRAM-SHA-512 as a super user, ACL authoriser on for both brokers. "
                    "Kafka: -Xmx512m G1.\n\n")
            f.write("\n".join(lines) + "\n\n")
            f.write("TLS cost = SASL_SSL records/s / PLAINTEXT records/s (1.00 = free), on the "
                    "medians.\n\n")
            f.write("\n".join(notes) + "\n\n")
            f.write("Every round (records/s in round order; TLS cost = that round's SASL_SSL / "
                    "PLAINTEXT):\n\n")
            f.write("\n".join(round_lines) + "\n\n")
            f.write("CPU seconds per run, medians over the rounds (broker: the broker process, "
                    "all threads; client: the perf tool's process). Broker TLS user CPU x = the broker's user CPU over "
                    "SASL_SSL / over PLAINTEXT for the same records (system CPU is shown apart: "
                    "first writes into cold page-cache memory swing it by seconds between runs "
                    "on this VM, whatever the protocol).\n\n")
            f.write("\n".join(cpu_lines) + "\n")
            if tls_cpu_lines:
                f.write("\nWhat TLS adds in CPU per record, ours beside Kafka's: (SASL_SSL - "
                        "PLAINTEXT) CPU of the same run, microseconds per record, medians over "
                        "the rounds; broker = its user CPU, client = the perf tool's process (the "
                        "same program against both brokers). Unlike the rate ratio, this does not "
                        "depend on how fast each broker's PLAINTEXT run was.\n\n")
                f.write("\n".join(tls_cpu_lines) + "\n")
            for e in errors:
                f.write(f"\nFAILED, numbers incomplete: {e}\n")
            f.write(earlier)
        print(f"wrote {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
