"""Consumer groups under churn (issue 13): kafka-python, kafkajs and Java consumers joining and
leaving groups while other groups churn on the same broker, and the kafka-python 3.0.12 leader bug
that issue 13 turned out to be.

The stress test asserts that every generation settles: each group's members own disjoint
partitions that cover the topic soon after each join or leave, and the broker never has to evict a
member on a session timeout (no member of a live client waits one out).
"""

from __future__ import annotations

import time

import pytest
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewPartitions, NewTopic

from helpers import eventually, unique


@pytest.fixture
def admin(bootstrap):
    client = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="churn-admin")
    yield client
    client.close()


def new_topic(admin, partitions: int) -> str:
    name = unique("churn")
    admin.create_topics([NewTopic(name, partitions, 1)])
    return name


def described(admin, group: str) -> dict:
    return admin.describe_groups([group])[group]


def assigned_on_broker(info: dict) -> dict[str, set[int]]:
    """member id -> partitions, from DescribeGroups' decoded member assignments."""
    out = {}
    for m in info.get("members", []):
        parts = set()
        for tp in (m.get("member_assignment") or {}).get("assigned_partitions") or []:
            parts.update(tp["partitions"])
        out[m["member_id"]] = parts
    return out


def test_known_issue_kafka_python_leader_drops_its_sync_when_a_metadata_rejoin_outlives_poll(bootstrap, admin):
    """kafka-python 3.0.12 (client bug, same on Apache Kafka): a group leader whose rejoin was
    triggered only by a metadata change (its assignment snapshot no longer matches the topic)
    never applies the SyncGroup answer if its poll() timed out while the JoinGroup was parked.

    Its `_perform_assignment` refreshes the assignment snapshot, so `need_rejoin()` turns False
    before the in-flight join task is awaited again; `ConsumerCoordinator.poll` only awaits the
    task when `need_rejoin()` is True, so the completed task (with the assignment the broker sent)
    is never consumed: the member stays REBALANCING with heartbeats disabled, owns nothing, and
    the broker evicts it a session timeout later. In issue 13 the leader assigned from metadata
    that did not list the new topic yet; here adding partitions makes the same trigger on demand.

    If this test fails, kafka-python fixed the bug: remove the README known issue."""
    topic = new_topic(admin, 2)
    group = unique("kp-known-issue")
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id=group,
                      enable_auto_commit=False, session_timeout_ms=10000, heartbeat_interval_ms=500,
                      metadata_max_age_ms=500)
    try:
        eventually(lambda: c.partitions_for_topic(topic), f"metadata for {topic}")
        c.subscribe([topic])
        eventually(lambda: c.poll(timeout_ms=200) is not None and len(c.assignment()) == 2,
                   "the single member to own both partitions")
        coordinator = c._coordinator
        generation = coordinator._generation.generation_id

        admin.create_partitions({topic: NewPartitions(total_count=4)})
        eventually(lambda: len(c.partitions_for_topic(topic) or ()) == 4, "metadata with 4 partitions")
        # One poll that gives up at once: it sends the leader's JoinGroup and returns while the
        # join (and then the SyncGroup, both run on the client's I/O thread) is still in flight.
        c.poll(timeout_ms=0)

        # The broker completes the rebalance and hands this member all four partitions.
        def broker_stable_with_four():
            info = described(admin, group)
            owned = assigned_on_broker(info)
            return info["group_state"] == "Stable" and list(owned.values()) == [{0, 1, 2, 3}]

        eventually(broker_stable_with_four, "the broker to answer SyncGroup with partitions 0-3")
        eventually(lambda: coordinator._join_task is not None and coordinator._join_task.is_done,
                   "the client's join task to finish")
        assert coordinator._generation.generation_id > generation

        # The client never takes the answer: polls return without awaiting the finished task.
        for _ in range(5):
            c.poll(timeout_ms=100)
        assert not coordinator.need_rejoin()
        assert "rebalancing" in str(coordinator.state).lower()
        # Still the previous generation's two partitions, not the four the broker handed out.
        owned = {tp.partition for tp in c.assignment()}
        assert owned == {0, 1}, f"kafka-python applied the assignment ({owned}): the known issue is fixed"
    finally:
        c.close(autocommit=False)
