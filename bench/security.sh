#!/usr/bin/env bash
# bench/security.sh — what TLS + SASL/SCRAM-SHA-512 costs on OUR broker: librdkafka
# (confluent-kafka) produces then consumes the same records over PLAINTEXT and over SASL_SSL
# (TLS 1.3 via rustls) against one broker with both listeners, and prints records/s and the
# SASL_SSL/PLAINTEXT ratio. Not a test: nothing is asserted. The comparison with Apache Kafka
# (same client for both brokers, TLS cost ratio of each) is bench/security_vs_kafka.py.
#
#   bench/security.sh [records=200000] [record-bytes=512]
# Uses FERROKAFKA_BIN (default target/release/ferrokafka) and the venv ~/.cache/ferrokafka/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS="${1:-200000}"
SIZE="${2:-512}"
BIN="${FERROKAFKA_BIN:-$PWD/target/release/ferrokafka}"
PY="${FERROKAFKA_CACHE:-$HOME/.cache/ferrokafka}/venv/bin/python"
[ -x "$BIN" ] || { echo "no broker binary at $BIN: cargo build --release -p ferrokafka-cli" >&2; exit 1; }
exec "$PY" - "$BIN" "$RECORDS" "$SIZE" <<'PYEOF'
import datetime, os, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.join(os.getcwd(), "tests", "harness"))
import kafka_wire, process_util
from confluent_kafka import Consumer, Producer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

binary, records, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
work = tempfile.mkdtemp(prefix="ferrokafka-bench-security-")
now = datetime.datetime.now(datetime.timezone.utc)
def name(cn): return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
ca_key = ec.generate_private_key(ec.SECP256R1())
ca = (x509.CertificateBuilder().subject_name(name("bench-ca")).issuer_name(name("bench-ca"))
      .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
      .not_valid_after(now + datetime.timedelta(days=2))
      .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
key = ec.generate_private_key(ec.SECP256R1())
cert = (x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(2).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(ca_key, hashes.SHA256()))
ca_path, ks_path = os.path.join(work, "ca.pem"), os.path.join(work, "keystore.pem")
open(ca_path, "wb").write(ca.public_bytes(serialization.Encoding.PEM))
open(ks_path, "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))
p1, p2 = process_util.free_port(), process_util.free_port()
argv = [binary, "broker", "--add-scram", "SCRAM-SHA-512=[name=bench,password=bench-pw]",
        "--override", f"listeners=PLAINTEXT://127.0.0.1:{p1},SASL_SSL://127.0.0.1:{p2}",
        "--override", f"advertised.listeners=PLAINTEXT://127.0.0.1:{p1},SASL_SSL://localhost:{p2}",
        "--override", f"log.dirs={work}/data", "--override", "sasl.enabled.mechanisms=SCRAM-SHA-512",
        "--override", "ssl.keystore.type=PEM", "--override", f"ssl.keystore.location={ks_path}",
        "--override", "group.initial.rebalance.delay.ms=0"]
proc = process_util.spawn(argv, os.path.join(work, "broker.log"))
process_util.wait_until(lambda: kafka_wire.api_versions_ok("127.0.0.1", p1), 30, "broker", lambda: None)
configs = {
    "PLAINTEXT": {"bootstrap.servers": f"127.0.0.1:{p1}"},
    "SASL_SSL": {"bootstrap.servers": f"localhost:{p2}", "security.protocol": "SASL_SSL",
                 "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "bench", "sasl.password": "bench-pw",
                 "ssl.ca.location": ca_path},
}
value = os.urandom(size)
results = {}
try:
    for proto, cfg in configs.items():
        topic = f"bench-{proto.lower()}-{os.getpid()}"
        prod = Producer(dict(cfg, **{"linger.ms": 5, "batch.size": 1048576, "acks": "1"}))
        prod.list_topics(timeout=30)
        t0 = time.monotonic()
        for i in range(records):
            while True:
                try:
                    prod.produce(topic, value=value)
                    break
                except BufferError:
                    prod.poll(0.05)
        prod.flush(300)
        produce_s = time.monotonic() - t0
        cons = Consumer(dict(cfg, **{"group.id": topic, "auto.offset.reset": "earliest",
                                     "fetch.max.bytes": 52428800}))
        cons.subscribe([topic])
        got, t0 = 0, None
        deadline = time.monotonic() + 300
        while got < records and time.monotonic() < deadline:
            for m in cons.consume(10000, 1.0):
                if m.error() is None:
                    t0 = t0 or time.monotonic()
                    got += 1
        consume_s = time.monotonic() - (t0 or time.monotonic())
        cons.close()
        results[proto] = (records / produce_s, got / max(consume_s, 1e-9))
finally:
    process_util.stop(proc)
load = os.getloadavg()[0]
print(f"# our broker, librdkafka, {records} x {size} B, acks=1, load avg {load:.1f}")
print("| listener | produce rec/s | consume rec/s |")
print("|---|---|---|")
for proto, (p, c) in results.items():
    print(f"| {proto} | {p:,.0f} | {c:,.0f} |")
(pp, pc), (sp, sc) = results["PLAINTEXT"], results["SASL_SSL"]
print(f"\nSASL_SSL / PLAINTEXT: produce {sp / pp:.2f}, consume {sc / pc:.2f}")
PYEOF
