"""Instructions per produced record: ferrokafka's KafkaProducer.send vs confluent-kafka's produce.

Wall-clock throughput on a shared 2-core box moves 2-3x with the load; instruction counts do
not. This runs each client's produce loop (the loop of bench/python/clients.py: N records of
SIZE bytes, acks=1, linger.ms=5, 64 KiB batches, into a 3-partition topic, then flush) under
valgrind's callgrind twice, with N records and with none (one warm-up send either way), and
prints the difference divided by N: for the whole process (every thread) and for the Python
thread alone (the interpreter's main loop, where `send`/`produce` run). The broker is a bundled
ferrokafka broker in this (unprofiled) process. Needs valgrind. Not a test: nothing is asserted.

    python bench/python/send_cost.py [--n 200000] [--size 100] [--clients ferrokafka,confluent-kafka]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import uuid

from clients import confluent_produce_loop  # bench/python/clients.py, beside this file


def child(client, bs, topic, n, size):
    payload = b"x" * size
    if client == "ferrokafka":
        from ferrokafka import KafkaProducer
        p = KafkaProducer(bootstrap_servers=bs, acks=1, linger_ms=5, enable_idempotence=False,
                          batch_size=65536)
        p.send(topic, payload).get(30)  # metadata loaded
        send = p.send
        for _ in range(n):
            send(topic, payload)
        p.flush()
        p.close()
        return
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bs, "acks": 1, "linger.ms": 5, "enable.idempotence": False,
                  "batch.size": 65536})
    p.produce(topic, payload)
    p.flush(30)
    confluent_produce_loop(p, topic, payload, n)
    p.flush()


def counts(out_file):
    """(whole process, Python thread) instructions of one callgrind output."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out_file],
                          capture_output=True, text=True, check=True).stdout
    total = main = None
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) \(.*?\)\s+(.*)", line)
        if not m:
            continue
        value = int(m.group(1).replace(",", ""))
        if "PROGRAM TOTALS" in m.group(2):
            total = value
        elif main is None and re.search(r":Py_RunMain\b", m.group(2)):
            main = value
    return total, main


def measure(bs, topic, client, n, size, workdir):
    got = []
    for records in (0, n):
        out = os.path.join(workdir, "%s-%d.out" % (client, records))
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, sys.executable,
               __file__, "--child", client, "--bootstrap", bs, "--topic", topic, "--n",
               str(records), "--size", str(size)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=1800)
        got.append(counts(out))
    (t0, m0), (t1, m1) = got
    return (t1 - t0) / n, (m1 - m0) / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--clients", default="ferrokafka,confluent-kafka")
    ap.add_argument("--child")
    ap.add_argument("--bootstrap")
    ap.add_argument("--topic")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.bootstrap, args.topic, args.n, args.size)
    from ferrokafka.admin import KafkaAdminClient, NewTopic
    from ferrokafka.testing import LocalBroker
    broker = LocalBroker().start()
    try:
        bs = broker.bootstrap_servers
        print("| client | records x size | instructions per record (process) | on the Python thread |")
        print("|---|---|---:|---:|")
        with tempfile.TemporaryDirectory() as workdir:
            for client in args.clients.split(","):
                topic = "cost-%s" % uuid.uuid4().hex[:8]
                admin = KafkaAdminClient(bootstrap_servers=bs)
                admin.create_topics([NewTopic(topic, 3, 1)])
                admin.close()
                total, py = measure(bs, topic, client, args.n, args.size, workdir)
                print("| %s | %s x %d B | %.0f | %.0f |" % (client, format(args.n, ","), args.size,
                                                          total, py))
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
