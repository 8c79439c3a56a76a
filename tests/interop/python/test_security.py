"""OUR broker with a SASL_SSL listener (SCRAM-SHA-512 over TLS) and ACLs (Kafka's
StandardAuthorizer name), judged by third-party clients: librdkafka (confluent-kafka), the Java
client (Kafka's console tools) and Kafka's CLI tools (kafka-configs, kafka-acls, with
--command-config).

The broker runs PLAINTEXT (the operator's listener: its User:ANONYMOUS is a super user, used by
kafka-configs/kafka-acls to add users and ACLs) and SASL_SSL. alice may use topics and groups
prefixed `sec-`; carol is a SCRAM user without any ACL. Certificates are made here with `cryptography`: a CA, the broker's certificate for
localhost/127.0.0.1, and a second CA that the broker does not use (for the untrusted client).
The broker's log is checked for secrets at the end.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import subprocess
import tempfile

import pytest
from confluent_kafka import Consumer, KafkaError, Producer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import helpers  # noqa: F401  (puts tests/harness on sys.path)
import kafka_wire
import process_util
from ferro_broker import ferrokafka_bin
from helpers import CONFIG_COMMAND, CONSOLE_CONSUMER, CONSOLE_PRODUCER, eventually, kafka_tool, unique

ALICE_PW = "alice-Secret-7f3a"
CAROL_PW = "carol-Secret-0d4e"
ACL_COMMAND = "org.apache.kafka.tools.AclCommand"
BOB_PW = "bob-Secret-91c2"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(cn: str):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(ca_key, ca_cert, cn: str):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _pem_cert(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


class SecureBroker:
    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        ca_key, ca_cert = _ca("ferrokafka-test-ca")
        server_key, server_cert = _leaf(ca_key, ca_cert, "localhost")
        _, other_ca = _ca("some-other-ca")
        self.ca_path = os.path.join(workdir, "ca.pem")
        self.other_ca_path = os.path.join(workdir, "other-ca.pem")
        self.keystore_path = os.path.join(workdir, "broker-keystore.pem")
        with open(self.ca_path, "wb") as f:
            f.write(_pem_cert(ca_cert))
        with open(self.other_ca_path, "wb") as f:
            f.write(_pem_cert(other_ca))
        with open(self.keystore_path, "wb") as f:
            f.write(_pem_key(server_key) + _pem_cert(server_cert))
        self.plain_port = process_util.free_port()
        self.ssl_port = process_util.free_port()
        self.log_path = os.path.join(workdir, "broker.log")
        overrides = {
            "listeners": f"PLAINTEXT://127.0.0.1:{self.plain_port},SASL_SSL://127.0.0.1:{self.ssl_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.plain_port},SASL_SSL://localhost:{self.ssl_port}",
            "log.dirs": os.path.join(workdir, "data"),
            "group.initial.rebalance.delay.ms": "0",
            "sasl.enabled.mechanisms": "SCRAM-SHA-512",
            "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
            "inter.broker.listener.name": "PLAINTEXT",
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": self.keystore_path,
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": "User:ANONYMOUS;User:admin",
            "allow.everyone.if.no.acl.found": "false",
        }
        argv = [ferrokafka_bin(), "broker", "--add-scram", f"SCRAM-SHA-512=[name=alice,password={ALICE_PW}]",
                "--add-scram", f"SCRAM-SHA-512=[name=carol,password={CAROL_PW}]"]
        for k, v in overrides.items():
            argv += ["--override", f"{k}={v}"]
        env = dict(os.environ, RUST_LOG="debug")
        self.proc = process_util.spawn(argv, self.log_path, env=env)

        def died():
            if self.proc.poll() is None:
                return None
            return f"broker exited with {self.proc.returncode}:\n{process_util.tail(self.log_path)}"

        process_util.wait_until(lambda: kafka_wire.api_versions_ok("127.0.0.1", self.plain_port), 30,
                                "ferrokafka broker", died)
        self.plain = f"127.0.0.1:{self.plain_port}"
        self.secure = f"localhost:{self.ssl_port}"

    def client_config(self, user: str, password: str, ca: str | None = None) -> dict:
        return {
            "bootstrap.servers": self.secure,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": user,
            "sasl.password": password,
            "ssl.ca.location": ca or self.ca_path,
        }

    def java_properties(self, user: str, password: str) -> str:
        path = os.path.join(self.workdir, f"client-{user}.properties")
        with open(path, "w") as f:
            f.write("security.protocol=SASL_SSL\n"
                    "sasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                    f'username="{user}" password="{password}";\n'
                    "ssl.truststore.type=PEM\n"
                    f"ssl.truststore.location={self.ca_path}\n")
        return path

    def close(self) -> None:
        process_util.stop(self.proc)


def acls(bootstrap: str, *args: str, command_config: str | None = None, check: bool = True):
    extra = ["--command-config", command_config] if command_config else []
    return kafka_tool(ACL_COMMAND, "--bootstrap-server", bootstrap, *extra, *args, check=check)


@pytest.fixture(scope="module")
def secure():
    workdir = tempfile.mkdtemp(prefix="ferrokafka-security-")
    broker = SecureBroker(workdir)
    try:
        acls(broker.plain, "--add", "--allow-principal", "User:alice", "--operation", "All",
             "--topic", "sec-", "--group", "sec-", "--resource-pattern-type", "prefixed")
        yield broker
    finally:
        broker.close()


def _errors_of(config: dict) -> list[KafkaError]:
    """The errors librdkafka reports (error_cb) while a producer tries to connect."""
    errors: list[KafkaError] = []
    producer = Producer(dict(config, error_cb=errors.append))
    eventually(lambda: producer.poll(0.5) is not None and errors, "librdkafka to report an error", timeout=30)
    return errors


def test_scram_user_produces_and_consumes_over_sasl_ssl(secure):
    topic = unique("sec-rt")
    config = secure.client_config("alice", ALICE_PW)
    producer = Producer(config)
    for i in range(20):
        producer.produce(topic, key=f"k{i}", value=f"v{i}")
    assert producer.flush(60) == 0
    consumer = Consumer(dict(config, **{"group.id": unique("sec-g"), "auto.offset.reset": "earliest"}))
    consumer.subscribe([topic])
    got: list[str] = []
    try:
        def poll():
            m = consumer.poll(1.0)
            if m is not None and m.error() is None:
                got.append(m.value().decode())
            return len(got) >= 20
        eventually(poll, "20 records consumed over SASL_SSL")
    finally:
        consumer.close()
    assert sorted(got) == sorted(f"v{i}" for i in range(20))


def test_wrong_password_is_an_authentication_error(secure):
    errors = _errors_of(secure.client_config("alice", "not-the-password"))
    assert any(e.code() == KafkaError._AUTHENTICATION for e in errors), errors
    assert any("SCRAM-SHA-512" in e.str() or "Authentication failed" in e.str() for e in errors), errors


def test_a_client_that_does_not_trust_the_ca_fails_the_handshake(secure):
    errors = _errors_of(secure.client_config("alice", ALICE_PW, ca=secure.other_ca_path))
    # librdkafka reports it as _SSL or _TRANSPORT depending on timing; the message is the judge.
    assert any(e.code() in (KafkaError._SSL, KafkaError._TRANSPORT) and "certificate verify failed" in e.str()
               for e in errors), errors


def test_kafka_configs_adds_a_scram_user_who_then_uses_the_java_client(secure):
    kafka_tool(CONFIG_COMMAND, "--bootstrap-server", secure.plain, "--alter", "--add-config",
               f"SCRAM-SHA-512=[iterations=8192,password={BOB_PW}]", "--entity-type", "users",
               "--entity-name", "bob")
    described = kafka_tool(CONFIG_COMMAND, "--bootstrap-server", secure.plain, "--describe",
                           "--entity-type", "users", "--entity-name", "bob").stdout
    assert "SCRAM-SHA-512=iterations=8192" in described, described

    topic = unique("sec-java")
    acls(secure.plain, "--add", "--allow-principal", "User:bob", "--operation", "Write", "--operation", "Read",
         "--operation", "Create", "--topic", topic)
    acls(secure.plain, "--add", "--allow-principal", "User:bob", "--operation", "Read", "--group", "*")
    props = secure.java_properties("bob", BOB_PW)
    kafka_tool(CONSOLE_PRODUCER, "--bootstrap-server", secure.secure, "--topic", topic,
               "--command-config", props, input="one\ntwo\nthree\n")
    out = kafka_tool(CONSOLE_CONSUMER, "--bootstrap-server", secure.secure, "--topic", topic,
                     "--from-beginning", "--max-messages", "3", "--timeout-ms", "60000",
                     "--group", unique("bob-g"), "--command-config", props).stdout
    assert out.split() == ["one", "two", "three"]

    # kafka-configs over SASL_SSL as a non-super user: CLUSTER_AUTHORIZATION_FAILED.
    denied = kafka_tool(CONFIG_COMMAND, "--bootstrap-server", secure.secure, "--command-config", props,
                        "--alter", "--add-config", "SCRAM-SHA-512=[password=x-pw-123]",
                        "--entity-type", "users", "--entity-name", "mallory", check=False)
    assert "ClusterAuthorizationException" in denied.stderr + denied.stdout, denied.stderr[-2000:]
    listed = kafka_tool(CONFIG_COMMAND, "--bootstrap-server", secure.plain, "--describe",
                        "--entity-type", "users").stdout
    assert "alice" in listed and "bob" in listed and "mallory" not in listed, listed


def test_java_client_with_a_wrong_password_gets_an_authentication_error(secure):
    props = secure.java_properties("bob", "wrong-password")
    r = kafka_tool(CONSOLE_CONSUMER, "--bootstrap-server", secure.secure, "--topic", "any",
                   "--max-messages", "1", "--timeout-ms", "20000", "--command-config", props,
                   check=False, timeout=120)
    # The console consumer reports the failure and exits (with 0 on 4.x).
    assert "SaslAuthenticationException" in r.stderr + r.stdout, r.stderr[-3000:]


def test_a_user_without_acls_gets_authorization_errors(secure):
    config = secure.client_config("carol", CAROL_PW)
    topic = unique("sec-denied")
    Producer(secure.client_config("alice", ALICE_PW)).produce(topic, value=b"x")
    p = Producer(dict(config, **{"enable.idempotence": False}))
    delivered = []
    p.produce(topic, value=b"nope", on_delivery=lambda err, msg: delivered.append(err))
    p.flush(30)
    assert delivered and delivered[0] is not None
    assert delivered[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, delivered

    c = Consumer(dict(config, **{"group.id": unique("carol-g"), "auto.offset.reset": "earliest"}))
    c.subscribe([topic])
    try:
        def group_denied():
            m = c.poll(1.0)
            return m is not None and m.error() is not None and \
                m.error().code() == KafkaError.GROUP_AUTHORIZATION_FAILED
        eventually(group_denied, "GROUP_AUTHORIZATION_FAILED for a consumer without group READ")
    finally:
        c.close()

    # Metadata silently omits topics carol may not describe.
    md = Producer(config).list_topics(timeout=30)
    assert topic not in md.topics

    # kafka-acls as a non-super user: CLUSTER_AUTHORIZATION_FAILED and nothing created.
    props = secure.java_properties("carol", CAROL_PW)
    r = acls(secure.secure, "--add", "--allow-principal", "User:carol", "--operation", "All", "--topic", "*",
             command_config=props, check=False)
    assert "ClusterAuthorizationException" in r.stdout + r.stderr, r.stdout[-2000:] + r.stderr[-2000:]
    listed = acls(secure.plain, "--list").stdout
    assert "User:carol" not in listed
    assert "User:alice" in listed and "PREFIXED" in listed, listed


def test_plaintext_and_garbage_on_the_tls_port_are_closed_and_the_broker_carries_on(secure):
    import socket
    for payload in (b"\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x01\x00\x00", os.urandom(512)):
        with socket.create_connection(("127.0.0.1", secure.ssl_port), timeout=10) as s:
            s.sendall(payload)
            s.settimeout(10)
            try:
                data = s.recv(4096)
                while data:
                    data = s.recv(4096)  # a TLS alert at most, then EOF
            except ConnectionResetError:
                pass
    assert kafka_wire.api_versions_ok("127.0.0.1", secure.plain_port)
    assert Producer(secure.client_config("alice", ALICE_PW)).list_topics(timeout=30) is not None


def test_zz_no_secret_in_the_broker_log(secure):
    with open(secure.log_path, encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "TLS handshake failed" in log
    for secret in (ALICE_PW, BOB_PW, CAROL_PW, "not-the-password", "wrong-password", "PRIVATE KEY"):
        assert secret not in log, f"{secret!r} appears in the broker log"
    with open(secure.keystore_path) as f:
        key_body = f.read().split("-----")[2].strip().splitlines()[0]
    assert key_body not in log
