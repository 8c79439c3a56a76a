"""Python Kafka clients side by side: ferrokafka, confluent-kafka, kafka-python, aiokafka.

Starts one bundled ferrokafka broker (or uses --bootstrap), then for each size (1,000,000 x 100 B
and 100,000 x 1 KB) runs every client in its own process: produce N records (acks=1,
linger.ms=5, no compression) into a fresh 3-partition topic and flush, then consume them back
from the beginning (assigned partitions, no group). Prints records/s, the client process's peak
RSS, and ratios of ferrokafka to each peer. Not a test: nothing is asserted.

    python bench/python/clients.py [--bootstrap host:port] [--scale 1.0] [--clients a,b]
"""
import argparse
import json
import os
import subprocess
import sys
import time
import uuid

CLIENTS = ["ferrokafka", "confluent-kafka", "kafka-python", "aiokafka"]
CASES = [(1_000_000, 100), (100_000, 1024)]


# ---- one client, in a child process ---------------------------------------------------------

def run_ferrokafka(bs, topic, n, size, mode):
    from ferrokafka import KafkaConsumer, KafkaProducer, TopicPartition
    payload = b"x" * size
    if mode == "produce":
        p = KafkaProducer(bootstrap_servers=bs, acks=1, linger_ms=5, enable_idempotence=False,
                          batch_size=65536)
        t = time.perf_counter()
        send = p.send
        for _ in range(n):
            send(topic, payload)
        p.flush()
        dt = time.perf_counter() - t
        p.close()
        return dt
    c = KafkaConsumer(bootstrap_servers=bs, auto_offset_reset="earliest", enable_auto_commit=False,
                      max_poll_records=10000)
    c.assign([TopicPartition(topic, i) for i in range(3)])
    got = 0
    t = time.perf_counter()
    while got < n:
        for recs in c.poll(timeout_ms=1000).values():
            got += len(recs)
    dt = time.perf_counter() - t
    c.close()
    return dt


def confluent_produce_loop(p, topic, payload, n):
    """confluent-kafka's produce loop: waits on a full queue, serves delivery reports now and then."""
    for i in range(n):
        while True:
            try:
                p.produce(topic, payload)
                break
            except BufferError:
                p.poll(0.05)
        if i % 10000 == 0:
            p.poll(0)


def run_confluent(bs, topic, n, size, mode):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
    payload = b"x" * size
    if mode == "produce":
        p = Producer({"bootstrap.servers": bs, "acks": 1, "linger.ms": 5, "enable.idempotence": False,
                      "batch.size": 65536})
        t = time.perf_counter()
        confluent_produce_loop(p, topic, payload, n)
        p.flush()
        return time.perf_counter() - t
    c = Consumer({"bootstrap.servers": bs, "group.id": "bench-" + uuid.uuid4().hex, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest"})
    c.assign([TopicPartition(topic, i, OFFSET_BEGINNING) for i in range(3)])
    got = 0
    t = time.perf_counter()
    while got < n:
        for m in c.consume(num_messages=10000, timeout=1.0):
            if m.error() is None:
                got += 1
    dt = time.perf_counter() - t
    c.close()
    return dt


def run_kafka_python(bs, topic, n, size, mode):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    payload = b"x" * size
    if mode == "produce":
        p = KafkaProducer(bootstrap_servers=bs, acks=1, linger_ms=5, enable_idempotence=False,
                          batch_size=65536)
        t = time.perf_counter()
        for _ in range(n):
            p.send(topic, payload)
        p.flush()
        dt = time.perf_counter() - t
        p.close()
        return dt
    c = KafkaConsumer(bootstrap_servers=bs, auto_offset_reset="earliest", enable_auto_commit=False)
    c.assign([TopicPartition(topic, i) for i in range(3)])
    c.seek_to_beginning()
    got = 0
    t = time.perf_counter()
    while got < n:
        for recs in c.poll(timeout_ms=1000, max_records=10000).values():
            got += len(recs)
    dt = time.perf_counter() - t
    c.close()
    return dt


def run_aiokafka(bs, topic, n, size, mode):
    import asyncio

    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    payload = b"x" * size

    async def produce():
        p = AIOKafkaProducer(bootstrap_servers=bs, acks=1, linger_ms=5, max_batch_size=65536)
        await p.start()
        t = time.perf_counter()
        pending = []
        for i in range(n):
            pending.append(await p.send(topic, payload))
            if len(pending) >= 10000:
                await asyncio.gather(*pending)
                pending = []
        await p.flush()
        await asyncio.gather(*pending)
        dt = time.perf_counter() - t
        await p.stop()
        return dt

    async def consume():
        c = AIOKafkaConsumer(bootstrap_servers=bs, auto_offset_reset="earliest", enable_auto_commit=False)
        await c.start()
        c.assign([TopicPartition(topic, i) for i in range(3)])
        await c.seek_to_beginning()
        got = 0
        t = time.perf_counter()
        while got < n:
            for recs in (await c.getmany(timeout_ms=1000, max_records=10000)).values():
                got += len(recs)
        dt = time.perf_counter() - t
        await c.stop()
        return dt

    return asyncio.run(produce() if mode == "produce" else consume())


RUNNERS = {"ferrokafka": run_ferrokafka, "confluent-kafka": run_confluent,
           "kafka-python": run_kafka_python, "aiokafka": run_aiokafka}


def child(args):
    import resource
    dt = RUNNERS[args.client](args.bootstrap, args.topic, args.n, args.size, args.mode)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"seconds": dt, "rss_mib": rss_mib}))


# ---- the driver ------------------------------------------------------------------------------

def create_topic(bs, topic):
    from ferrokafka.admin import KafkaAdminClient, NewTopic
    a = KafkaAdminClient(bootstrap_servers=bs)
    a.create_topics([NewTopic(topic, 3, 1)])
    a.close()


def measure(bs, client, n, size):
    topic = "bench-%s-%d-%s" % (client, size, uuid.uuid4().hex[:6])
    create_topic(bs, topic)
    out = {}
    for mode in ("produce", "consume"):
        cmd = [sys.executable, __file__, "--child", client, "--mode", mode, "--bootstrap", bs,
               "--topic", topic, "--n", str(n), "--size", str(size)]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if res.returncode != 0:
            sys.stderr.write(res.stderr[-2000:])
            out[mode] = None
            continue
        r = json.loads(res.stdout.strip().splitlines()[-1])
        out[mode] = (n / r["seconds"], r["rss_mib"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply record counts (quick runs)")
    ap.add_argument("--clients", default=",".join(CLIENTS))
    ap.add_argument("--child")
    ap.add_argument("--mode")
    ap.add_argument("--topic")
    ap.add_argument("--n", type=int)
    ap.add_argument("--size", type=int)
    args = ap.parse_args()
    if args.child:
        args.client = args.child
        return child(args)
    clients = args.clients.split(",")
    broker = None
    bs = args.bootstrap
    if bs is None:
        from ferrokafka.testing import LocalBroker
        broker = LocalBroker().start()
        bs = broker.bootstrap_servers
    try:
        # Untimed warm-up of the broker (the first case once, produce and consume, by the first
        # client): otherwise the first client measured pays a fresh broker's warm-up alone (a
        # first run on a fresh broker measured ~25 % slower here; on this VM first writes into
        # untouched page-cache memory cost kernel time).
        n0, size0 = CASES[0]
        measure(bs, clients[0], max(1000, int(n0 * args.scale)), size0)
        rows = []
        for n, size in CASES:
            n = max(1000, int(n * args.scale))
            results = {c: measure(bs, c, n, size) for c in clients}
            rows.append((n, size, results))
    finally:
        if broker is not None:
            broker.stop()
    print("\n| case | client | produce rec/s | produce RSS MiB | consume rec/s | consume RSS MiB |")
    print("|---|---|---:|---:|---:|---:|")
    for n, size, results in rows:
        for c in clients:
            p, q = results[c].get("produce"), results[c].get("consume")
            print("| %s x %d B | %s | %s | %s | %s | %s |" % (
                format(n, ","), size, c,
                "%.0f" % p[0] if p else "failed", "%.1f" % p[1] if p else "-",
                "%.0f" % q[0] if q else "failed", "%.1f" % q[1] if q else "-"))
    print("\n| case | ferrokafka / peer | produce | consume |")
    print("|---|---|---:|---:|")
    for n, size, results in rows:
        ours = results.get("ferrokafka", {})
        for c in clients:
            if c == "ferrokafka":
                continue
            cells = []
            for mode in ("produce", "consume"):
                a, b = ours.get(mode), results[c].get(mode)
                cells.append("%.2fx" % (a[0] / b[0]) if a and b else "-")
            print("| %s x %d B | %s | %s | %s |" % (format(n, ","), size, c, *cells))


if __name__ == "__main__":
    main()
