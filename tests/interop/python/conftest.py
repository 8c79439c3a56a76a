"""pytest fixtures shared by the Python interop suites.

`broker` is started once per session from FERROKAFKA_TEST_TARGET (ferrokafka | apache), see
tests/harness/target.py. Tests that crash the broker start their own with `fresh_broker`.
"""

from __future__ import annotations

import pytest

import helpers  # noqa: F401  (puts tests/harness on sys.path)
from target import Target


def pytest_report_header(config):  # noqa: ARG001
    from target import target_name
    return f"interop target: {target_name()}"


@pytest.fixture(scope="session")
def broker() -> Target:
    with Target() as target:
        yield target


@pytest.fixture(scope="session")
def bootstrap(broker: Target) -> str:
    return broker.bootstrap


@pytest.fixture
def fresh_broker() -> Target:
    """A broker of its own, for tests that kill and restart it."""
    with Target() as target:
        yield target
