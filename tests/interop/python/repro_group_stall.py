#!/usr/bin/env python3
"""Reproduction loop for issue #13 (a kafka-python group leader that never completes SyncGroup).

Not a test (pytest does not collect it): a tool that runs, on one broker, rounds of
  1. churn: earlier groups whose kafka-python consumers join, poll briefly and leave (some
     close, some are abandoned so their sessions expire later, as a suite's leftovers do), and
  2. the issue's scenario: two kafka-python consumers, one thread each polling every 300 ms,
     session_timeout_ms=10000, heartbeat_interval_ms=500, range assignor, on a fresh
     3-partition topic in a new group (subscribed at once, without waiting for metadata),
and reports per round how long the group took to settle (both consumers own disjoint,
non-empty partitions covering the topic), or that it did not within --settle seconds.

With FERROKAFKA_TEST_TARGET=apache it runs against Apache Kafka instead. Against our broker it
starts it with RUST_LOG set to the coordinator's per-connection debug trail (requests read,
responses written and flushed, JoinGroup/SyncGroup/Heartbeat answers) and writes both that log
and kafka-python's coordinator debug log under --out.

    python3 tests/interop/python/repro_group_stall.py --rounds 10 --out /tmp/stall
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from helpers import unique  # noqa: E402  (also puts tests/harness on sys.path)
from kafka import KafkaConsumer  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402
from target import Target, target_name  # noqa: E402

DEBUG_FILTER = ("info,ferrokafka_broker::server=debug,ferrokafka_broker::handler::join_group=debug,"
                "ferrokafka_broker::handler::sync_group=debug,ferrokafka_broker::handler::heartbeat=debug")


def create_topic(bootstrap: str, partitions: int = 3) -> str:
    name = unique("stall")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="repro-admin")
    admin.create_topics([NewTopic(name, partitions, 1)])
    admin.close()
    return name


def churn(bootstrap: str, stop: threading.Event, abandoned: list) -> None:
    """Short-lived groups: two consumers join, poll for a moment, then leave or are abandoned."""
    topic = create_topic(bootstrap)
    n = 0
    while not stop.is_set():
        n += 1
        group = unique("churn")
        cs = [KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                            session_timeout_ms=6000, heartbeat_interval_ms=500,
                            client_id=f"churn-{n}-{i}") for i in range(2)]
        end = time.monotonic() + 2.0
        while time.monotonic() < end and not stop.is_set():
            for c in cs:
                c.poll(timeout_ms=100)
        if n % 3 == 0:
            # Leftover: stop polling but keep the client (its heartbeat thread lives on until
            # max.poll.interval; the broker sees a member go quiet).
            abandoned.extend(cs)
        else:
            for c in cs:
                c.close()


def scenario(bootstrap: str, settle_s: float) -> tuple[bool, float, dict]:
    topic = create_topic(bootstrap)
    group = unique("kp-split")
    consumers = {}
    owned: dict[str, set] = {}
    stop = threading.Event()

    def run(name: str) -> None:
        c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id=name,
                          auto_offset_reset="earliest", enable_auto_commit=False,
                          session_timeout_ms=10000, heartbeat_interval_ms=500)
        consumers[name] = c
        c.subscribe([topic])
        while not stop.is_set():
            c.poll(timeout_ms=300)
            owned[name] = {tp.partition for tp in c.assignment()}
        c.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in (f"{group}-0", f"{group}-1")]
    start = time.monotonic()
    for t in threads:
        t.start()
    ok = False
    while time.monotonic() - start < settle_s:
        sets = list(owned.values())
        if len(sets) == 2 and all(sets) and not (sets[0] & sets[1]) and len(sets[0] | sets[1]) == 3:
            ok = True
            break
        time.sleep(0.1)
    took = time.monotonic() - start
    snapshot = {k: sorted(v) for k, v in owned.items()}
    stop.set()
    for t in threads:
        t.join(timeout=30)
    return ok, took, {"group": group, "owned": snapshot}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--settle", type=float, default=25.0, help="seconds a round may take to settle")
    ap.add_argument("--churn", type=float, default=6.0, help="seconds of churn before each scenario")
    ap.add_argument("--out", default="/tmp/ferrokafka-stall")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    os.environ.setdefault("RUST_LOG", DEBUG_FILTER)
    logging.basicConfig(filename=os.path.join(args.out, "kafka-python.log"), level=logging.INFO,
                        format="%(asctime)s.%(msecs)03d %(threadName)s %(name)s %(levelname)s %(message)s",
                        datefmt="%H:%M:%S")
    logging.getLogger("kafka.coordinator").setLevel(logging.DEBUG)
    failures = 0
    with Target() as broker:
        abandoned: list = []
        for r in range(1, args.rounds + 1):
            stop = threading.Event()
            churner = threading.Thread(target=churn, args=(broker.bootstrap, stop, abandoned), daemon=True)
            churner.start()
            time.sleep(args.churn)
            ok, took, info = scenario(broker.bootstrap, args.settle)
            stop.set()
            churner.join(timeout=60)
            failures += not ok
            logging.getLogger("repro").info("round %d %s %.1fs %s", r, "OK" if ok else "STALL", took, info)
            print(f"round {r}: {'settled' if ok else 'STALLED'} after {took:.1f}s {info}", flush=True)
        for c in abandoned:
            c.close(autocommit=False)
        log = broker._broker.log_path if broker._broker else None
        if log and os.path.exists(log):
            shutil.copy(log, os.path.join(args.out, "broker.log"))
    print(f"{target_name()}: {failures} of {args.rounds} rounds stalled; logs in {args.out}")


if __name__ == "__main__":
    main()
