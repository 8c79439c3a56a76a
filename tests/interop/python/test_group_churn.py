"""Consumer groups under churn (issue 13): kafka-python, kafkajs and Java consumers joining and
leaving groups while other groups churn on the same broker, and the kafka-python 3.0.12 leader bug
that issue 13 turned out to be.

The stress test asserts that every generation settles: each group's members own disjoint
partitions that cover the topic soon after each join or leave, and the broker never has to evict a
member on a session timeout (no member of a live client waits one out).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import threading
import time

import pytest
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewPartitions, NewTopic

from helpers import CONSOLE_CONSUMER, PATIENCE_S, eventually, unique


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


# -- the churn stress test ---------------------------------------------------------------------

# Every member of every group uses this session timeout; a generation must settle well before it.
SESSION_TIMEOUT_MS = 20000
SETTLE_S = SESSION_TIMEOUT_MS / 1000
CHURN_PARTITIONS = 6
NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node")


class PythonMember:
    """A kafka-python consumer polling in its own thread, as an application would."""

    kind = "kafka-python"

    def __init__(self, bootstrap: str, group: str, topic: str, client_id: str) -> None:
        self.client_id = client_id
        self.error: BaseException | None = None
        self._stop = threading.Event()
        # Subscribe only once the topic's metadata is known (the known issue above otherwise).
        self._c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id=client_id,
                                enable_auto_commit=False, session_timeout_ms=SESSION_TIMEOUT_MS,
                                heartbeat_interval_ms=500)
        eventually(lambda: self._c.partitions_for_topic(topic), f"metadata for {topic}")
        self._c.subscribe([topic])
        self._thread = threading.Thread(target=self._run, name=client_id, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._c.poll(timeout_ms=200)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e

    def partitions(self) -> set[int] | None:
        return {tp.partition for tp in self._c.assignment()}

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._c.close(autocommit=False)


class NodeMember:
    """A kafkajs consumer in a node process (tests/interop/node/churn-member.mjs)."""

    kind = "kafkajs"

    def __init__(self, bootstrap: str, group: str, topic: str, client_id: str) -> None:
        self.client_id = client_id
        self.error: str | None = None
        self._assigned: set[int] | None = None
        self._proc = subprocess.Popen(
            ["node", os.path.join(NODE_DIR, "churn-member.mjs"), bootstrap, group, topic, client_id,
             str(SESSION_TIMEOUT_MS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self._proc.stdout:
            if line.startswith("ASSIGNED "):
                self._assigned = set(json.loads(line.split(" ", 2)[2]))
            elif line.startswith("CRASH") or "Error" in line:
                self.error = line.strip()

    def partitions(self) -> set[int] | None:
        # Nothing printed yet counts as owning nothing, so a missing assignment cannot pass.
        return self._assigned if self._assigned is not None else set()

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._reader.join(timeout=10)


class JavaMember:
    """Apache Kafka's console consumer (the Java client) from the Kafka jars; SIGTERM runs its
    shutdown hook, which closes the consumer (LeaveGroup)."""

    kind = "java"

    def __init__(self, bootstrap: str, group: str, topic: str, client_id: str) -> None:
        from kafka_cluster import kafka_libs

        self.client_id = client_id
        self.error = None
        self._log = tempfile.NamedTemporaryFile(prefix=f"{client_id}-", suffix=".log", delete=False)
        cmd = ["java", "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
               "-cp", os.path.join(kafka_libs(), "*"), CONSOLE_CONSUMER,
               "--bootstrap-server", bootstrap, "--topic", topic, "--group", group,
               "--consumer-property", f"client.id={client_id}",
               "--consumer-property", f"session.timeout.ms={SESSION_TIMEOUT_MS}",
               "--consumer-property", "heartbeat.interval.ms=500"]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)

    def partitions(self) -> set[int] | None:
        return None  # the console consumer does not print its assignment: the broker's view is used

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._log.close()


def settled(admin, group: str, members: list, what: str) -> int:
    """Wait (at most a session timeout) until the group is Stable with exactly `members`, whose
    broker-side assignments are disjoint, non-empty and cover the topic and agree with what each
    client says it owns. A member stuck waiting out its session timeout fails this."""
    state = {}

    def check():
        info = described(admin, group)
        owned = {}
        for m in info.get("members", []):
            parts = set()
            for tp in (m.get("member_assignment") or {}).get("assigned_partitions") or []:
                parts.update(tp["partitions"])
            owned[m["client_id"]] = parts
        state["broker"] = (info["group_state"], owned)
        state["clients"] = {m.client_id: m.partitions() for m in members}
        for m in members:
            assert not m.error, f"{m.kind} member {m.client_id} failed: {m.error}"
        if info["group_state"] != "Stable" or set(owned) != {m.client_id for m in members}:
            return False
        sets = list(owned.values())
        if not all(sets) or sum(len(s) for s in sets) != CHURN_PARTITIONS:
            return False
        if set().union(*sets) != set(range(CHURN_PARTITIONS)):
            return False
        return all(m.partitions() is None or m.partitions() == owned[m.client_id] for m in members)

    try:
        eventually(check, f"group {group} to settle after {what}", timeout=SETTLE_S)
    except AssertionError as e:
        raise AssertionError(f"{e}\nlast seen: {state}") from None
    return len(members)


def churn_background(bootstrap: str, topic: str, stop: threading.Event, counts: dict) -> None:
    """Short-lived kafka-python groups joining and leaving on the same broker, nonstop."""
    n = 0
    while not stop.is_set():
        n += 1
        group = unique("bg-churn")
        cs = [KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, client_id=f"{group}-{i}",
                            session_timeout_ms=SESSION_TIMEOUT_MS, heartbeat_interval_ms=500,
                            enable_auto_commit=False) for i in range(2)]
        end = time.monotonic() + 1.5
        while time.monotonic() < end and not stop.is_set():
            for c in cs:
                c.poll(timeout_ms=100)
        for c in cs:
            c.close(autocommit=False)
        counts["groups"] = n


def run_group(bootstrap: str, member_class, topic: str, results: dict) -> None:
    """Three members join one by one, then two leave; each step must settle."""
    kind = member_class.kind
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=f"churn-admin-{kind}")
    group = unique(f"churn-{kind}")
    live: list = []
    steps = 0
    try:
        for i in range(3):
            member = member_class(bootstrap, group, topic, f"{group}-m{i}")
            live.append(member)
            # A process's start-up (a JVM on a loaded machine) is not the broker's time: the
            # settle bound starts once the broker has the new member.
            eventually(lambda m=member: m.client_id in {x["client_id"] for x in described(admin, group)["members"]},
                       f"{kind} member {i} to join", timeout=PATIENCE_S)
            steps += settled(admin, group, live, f"{kind} member {i} joined") and 1
        for _ in range(2):
            leaving = live.pop(0)
            leaving.stop()
            steps += settled(admin, group, live, f"{kind} member {leaving.client_id} left") and 1
        results[kind] = steps
    except BaseException as e:  # noqa: BLE001 - reported by the test
        results[kind] = e
    finally:
        for m in live:
            m.stop()
        admin.close()


def test_groups_of_every_client_settle_while_other_groups_churn(bootstrap, admin):
    """kafka-python, kafkajs and Java consumer groups, each with members joining and leaving,
    concurrently and next to nonstop short-lived groups: every generation settles with every live
    member owning its share, and no member waits out a session timeout."""
    topics = {kind: new_topic(admin, CHURN_PARTITIONS) for kind in ("kafka-python", "kafkajs", "java", "bg")}
    eventually(lambda: all(admin.describe_topics([t]) for t in topics.values()), "the topics")
    stop = threading.Event()
    counts: dict = {}
    background = threading.Thread(target=churn_background, args=(bootstrap, topics["bg"], stop, counts),
                                  daemon=True)
    background.start()
    results: dict = {}
    groups = [threading.Thread(target=run_group, args=(bootstrap, cls, topics[cls.kind], results), daemon=True)
              for cls in (PythonMember, NodeMember, JavaMember)]
    try:
        for t in groups:
            t.start()
        for t in groups:
            t.join(timeout=240)
    finally:
        stop.set()
        background.join(timeout=60)
    for kind in ("kafka-python", "kafkajs", "java"):
        outcome = results.get(kind)
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome == 5, f"{kind}: {outcome!r} (expected 5 settled generations)"
    assert counts.get("groups", 0) >= 2, f"background churn ran {counts} groups"
