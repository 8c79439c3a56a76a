"""pytest plugin (entry point ``ferrokafka``): the ``kafka_broker`` fixture.

``kafka_broker`` is one in-process ferrokafka broker per test session (a ``LocalBroker``; use
``kafka_broker.bootstrap_servers``). Tests isolate themselves with their own topic names.
"""
import pytest

from ferrokafka.testing import LocalBroker


@pytest.fixture(scope="session")
def kafka_broker():
    with LocalBroker(config={"num.partitions": "3"}) as broker:
        yield broker
