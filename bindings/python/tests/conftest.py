"""Shared helpers of the binding's pytest suite: unique topic names and bounded waits.

The broker is the ``kafka_broker`` fixture of ferrokafka's own pytest plugin (the bundled broker
in-process); ``FERROKAFKA_TEST_BOOTSTRAP`` points the suite at another broker instead (a real
Apache Kafka from tests/harness).
"""
import os
import time
import uuid

import pytest


@pytest.fixture(scope="session")
def bootstrap(request):
    external = os.environ.get("FERROKAFKA_TEST_BOOTSTRAP")
    if external:
        return external
    return request.getfixturevalue("kafka_broker").bootstrap_servers


@pytest.fixture
def topic_name():
    return "t-" + uuid.uuid4().hex[:12]


def wait_until(cond, timeout=30.0, step=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
