"""kafka-python / aiokafka security options against a broker with a SASL_SSL listener (SCRAM
users, StandardAuthorizer) from tests/harness/secure_kafka.py — our broker and a real Apache
Kafka, every test against each: an allowed user produces and consumes, a user without ACLs gets
the authorization error, a wrong password the authentication error, an untrusted CA a
handshake error naming the CA file, and ssl_ciphers picks the TLS 1.2 suites of a broker that
allows only TLS 1.2.

FERROKAFKA_SECURITY_TARGETS (space-separated, default "ferrokafka apache") narrows the targets.
"""
import asyncio
import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "harness"))

from secure_kafka import SecureKafka  # noqa: E402

from ferrokafka import KafkaConsumer, KafkaProducer  # noqa: E402
from ferrokafka import errors as Errors  # noqa: E402
from ferrokafka.aio import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402
from ferrokafka.aio.helpers import create_ssl_context  # noqa: E402


TARGETS = os.environ.get("FERROKAFKA_SECURITY_TARGETS", "ferrokafka apache").split()


@pytest.fixture(scope="module", params=TARGETS)
def secure(request):
    with SecureKafka(target=request.param) as k:
        yield k


def opts(k, user, password=None, cafile=None, mechanism="SCRAM-SHA-512"):
    return dict(
        bootstrap_servers=k.bootstrap,
        security_protocol="SASL_SSL",
        sasl_mechanism=mechanism,
        sasl_plain_username=user,
        sasl_plain_password=password or k.users[user],
        ssl_cafile=cafile or k.tls.ca,
    )


def topic():
    return "sec-py-" + uuid.uuid4().hex[:10]


@pytest.mark.timeout(300)
def test_allowed_user_produces_and_consumes(secure):
    t = topic()
    producer = KafkaProducer(**opts(secure, "alice", mechanism="SCRAM-SHA-256"))
    for i in range(3):
        producer.send(t, b"v%d" % i).get(timeout=60)
    producer.close()
    consumer = KafkaConsumer(t, group_id="g-" + t, auto_offset_reset="earliest",
                             consumer_timeout_ms=30000, **opts(secure, "alice"))
    values = []
    for record in consumer:
        values.append(record.value)
        if len(values) == 3:
            break
    consumer.close()
    assert values == [b"v0", b"v1", b"v2"]


@pytest.mark.timeout(300)
def test_denied_user_gets_the_authorization_error(secure, caplog):
    t = topic()
    KafkaProducer(**opts(secure, "alice")).send(t, b"x").get(timeout=60)
    bob = KafkaProducer(max_block_ms=20000, **opts(secure, "bob"))
    # The idempotent producer asks for a producer id first: without WRITE on any topic Kafka
    # refuses it (CLUSTER_AUTHORIZATION_FAILED); either way an AuthorizationError.
    with pytest.raises(Errors.AuthorizationError) as failed:
        bob.send(t, b"no").get(timeout=60)
    # As kafka-python's: close() does not re-raise the error that failed the producer. A fatal
    # one (the producer id refused: CLUSTER_AUTHORIZATION_FAILED) is logged; which error comes
    # first (that, or the topic's from Metadata) depends on the broker's timing.
    with caplog.at_level("WARNING", logger="ferrokafka.producer"):
        bob.close()
    if isinstance(failed.value, Errors.ClusterAuthorizationFailedError):
        assert any("Authorization" in r.getMessage() or "ACL" in r.getMessage() for r in caplog.records), \
            [r.getMessage() for r in caplog.records]


@pytest.mark.timeout(300)
def test_wrong_password_and_untrusted_ca(secure):
    with pytest.raises(Errors.KafkaError) as wrong:
        p = KafkaProducer(max_block_ms=20000, **opts(secure, "alice", password="Wr0ngPa55"))
        p.send(topic(), b"x").get(timeout=60)
    assert "SASL" in str(wrong.value)
    assert "Wr0ngPa55" not in str(wrong.value)
    with pytest.raises(Errors.KafkaError) as untrusted:
        p = KafkaProducer(max_block_ms=20000, **opts(secure, "alice", cafile=secure.tls.untrusted_ca))
        p.send(topic(), b"x").get(timeout=60)
    assert "not trusted" in str(untrusted.value)
    assert secure.tls.untrusted_ca in str(untrusted.value)


@pytest.mark.timeout(300)
def test_aiokafka_ssl_context(secure):
    t = topic()

    async def scenario():
        ctx = create_ssl_context(cafile=secure.tls.ca)
        common = dict(bootstrap_servers=secure.bootstrap, security_protocol="SASL_SSL",
                      sasl_mechanism="SCRAM-SHA-512", sasl_plain_username="alice",
                      sasl_plain_password=secure.users["alice"], ssl_context=ctx)
        producer = AIOKafkaProducer(**common)
        await producer.start()
        await producer.send_and_wait(t, b"async")
        await producer.stop()
        consumer = AIOKafkaConsumer(t, group_id="g-" + t, auto_offset_reset="earliest", **common)
        await consumer.start()
        record = await asyncio.wait_for(consumer.getone(), 60)
        await consumer.stop()
        return record.value

    assert asyncio.run(scenario()) == b"async"


@pytest.fixture(scope="module", params=TARGETS)
def tls12_only(request):
    # The harness's keystore is EC: over TLS 1.2 only ECDSA suites can work.
    with SecureKafka({"ssl.enabled.protocols": "TLSv1.2"}, target=request.param) as k:
        yield k


@pytest.mark.timeout(300)
def test_ssl_ciphers_choose_the_tls12_suites(tls12_only):
    # kafka-python hands ssl_ciphers to SSLContext.set_ciphers: with the broker on TLS 1.2, an
    # ECDSA suite connects and an RSA-only list shares nothing with the broker.
    p = KafkaProducer(max_block_ms=20000, ssl_ciphers="ECDHE-ECDSA-AES256-GCM-SHA384",
                      **opts(tls12_only, "alice"))
    assert p.send(topic(), b"x").get(timeout=60).offset == 0
    p.close()
    expression = KafkaProducer(max_block_ms=20000, ssl_ciphers="HIGH:!aNULL:!MD5",
                               **opts(tls12_only, "alice"))
    assert expression.send(topic(), b"x").get(timeout=60).offset == 0
    expression.close()
    with pytest.raises(Errors.KafkaError) as none:
        q = KafkaProducer(max_block_ms=20000, ssl_ciphers="ECDHE-RSA-AES128-GCM-SHA256",
                          **opts(tls12_only, "alice"))
        q.send(topic(), b"x").get(timeout=60)
    assert "ssl.cipher.suites" in str(none.value)
