"""Field-by-field comparison: ``shapes_kafka_python.run`` with kafka-python 3.0.12 (``kafka``)
and with ``ferrokafka`` against the same broker; every recorded shape must be equal, except the
deliberate or core-bound differences listed in ``KNOWN`` / ``_normalise`` (one reason each).
"""
import importlib
import uuid

import pytest

import shapes_kafka_python
from shapes_common import diff

# Keys kafka-python's results hold that ferrokafka's core does not return yet, by the cases
# (prefixes) whose results lack them (see README).
CORE_MISSING_KEYS = {
    # A missing topic's entry is built from the core's error, which carries no operations.
    "authorized_operations": ("admin/describe_topics missing",),
}

# Cases whose whole result differs on purpose: case -> reason.
KNOWN = {
    "admin/create_partitions": "kafka-python returns its protocol response object; ferrokafka None",
    "producer/bad acks": "ferrokafka rejects acks=7 at construction with a typed error (README)",
    "structs/BrokerMetadata": "ferrokafka keeps kafka-python 2.x's struct (3.0 dropped it)",
    "structs/PartitionMetadata": "ferrokafka keeps kafka-python 2.x's struct (3.0 dropped it)",
    "structs/OffsetAndTimestamp": "ferrokafka's leader_epoch defaults to -1 (2.x two-argument form)",
}

# Error messages that carry the client's own wording: only "[Error N] Class:" must agree.
PREFIX_ONLY_MESSAGES = (
    "admin/",                    # kafka-python quotes its protocol request/response objects
    "producer/send oversized",   # the core computes and words the size (RecordTooLarge)
)

# Unknown config keys: ferrokafka raises UnrecognizedConfigsError, a subclass of the class
# kafka-python raises (ValueError from the producer, KafkaConfigurationError from the consumer).
CONFIG_ERROR_CASES = ("producer/bad config", "consumer/bad config")


def _strip_keys(obj, missing):
    if isinstance(obj, dict):
        named = "__nt__" in obj  # a namedtuple's fields are compared in full
        return {k: _strip_keys(v, missing) for k, v in obj.items()
                if named or k.strip("'") not in missing}
    if isinstance(obj, list):
        return [_strip_keys(v, missing) for v in obj]
    return obj


def _missing_in(case):
    return {k for k, cases in CORE_MISSING_KEYS.items() if case.startswith(cases)}


def _strip_runtime_error(obj):
    """ferrokafka's KafkaError also derives from RuntimeError (kafka-python 2.x; README)."""
    if isinstance(obj, dict):
        return {k: ([c for c in v if c != "RuntimeError"] if k.strip("'") == "mro" else _strip_runtime_error(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_strip_runtime_error(v) for v in obj]
    return obj


def _message_prefix(msg):
    return msg.split(":", 1)[0] if isinstance(msg, str) else msg


def _normalise(theirs, ours):
    theirs = {k: (_strip_keys(v, _missing_in(k)) if k.startswith("admin/") else v) for k, v in theirs.items()}
    ours = {k: (_strip_keys(v, _missing_in(k)) if k.startswith("admin/") else v) for k, v in ours.items()}
    ours = _strip_runtime_error(ours)
    for case in KNOWN:
        theirs.pop(case, None)
        ours.pop(case, None)
    for case in list(theirs):
        t, o = theirs[case], ours.get(case)
        if isinstance(t, dict) and isinstance(o, dict) and "error" in t and "message" in t:
            if case.startswith(PREFIX_ONLY_MESSAGES):
                t["message"], o["message"] = _message_prefix(t["message"]), _message_prefix(o.get("message"))
            if case in CONFIG_ERROR_CASES and t["error"] in o.get("mro", ()):
                o = theirs[case] = ours[case] = dict(t, message=o["message"].split(": ", 1)[-1])
                t = theirs[case]
                t["message"] = t["message"].split(": ", 1)[-1]
    return theirs, ours


@pytest.fixture(scope="module")
def recordings(bootstrap):
    out = {}
    for name in ("kafka", "ferrokafka"):
        lib = importlib.import_module(name)
        out[name] = shapes_kafka_python.run(lib, bootstrap, "shp-%s-%s-" % (name[:2], uuid.uuid4().hex[:6]))
    return out


def test_kafka_python_shapes_match(recordings):
    theirs, ours = _normalise(recordings["kafka"], recordings["ferrokafka"])
    assert len(theirs) > 80, "the shape program recorded too little"
    differences = diff(theirs, ours)
    assert not differences, "\n".join("%s:\n  kafka-python: %r\n  ferrokafka:   %r" % d
                                      for d in differences)


def test_normalise_keeps_real_differences(recordings):
    """A changed field, a changed error class and a dropped key must still show up."""
    theirs, ours = _normalise(recordings["kafka"], recordings["ferrokafka"])
    ours = dict(ours)
    ours["producer/RecordMetadata values"] = dict(ours["producer/RecordMetadata values"], **{"'partition'": 9})
    ours["consumer/seek not assigned"] = dict(ours["consumer/seek not assigned"], error="IllegalStateError")
    ours.pop("admin/describe_cluster")
    found = {d[0].split("/")[0] + "/" + d[0].split("/")[1] for d in diff(theirs, ours)}
    assert {"producer/RecordMetadata values", "consumer/seek not assigned", "admin/describe_cluster"} <= found


def test_describe_groups_members_match(bootstrap):
    """One live group (joined by kafka-python's consumer) described by both admin clients: the
    members' decoded member_metadata and member_assignment must be equal, value by value."""
    import kafka
    import ferrokafka

    from conftest import wait_until

    p = "shm-%s-" % uuid.uuid4().hex[:6]
    admins = {lib: importlib.import_module(lib + ".admin").KafkaAdminClient(bootstrap_servers=bootstrap)
              for lib in ("kafka", "ferrokafka")}
    consumer = None
    try:
        admins["kafka"].create_topics([kafka.admin.NewTopic(p + "t", 2, 1)], wait_for_metadata=True)
        # A short metadata age: a first metadata answer without the new topic is soon refreshed.
        consumer = kafka.KafkaConsumer(p + "t", bootstrap_servers=bootstrap, group_id=p + "g",
                                       metadata_max_age_ms=1000)
        # Waits on the broker's view of the group, not on consumer.assignment(): kafka-python
        # 3.0.12 can leave its local assignment empty for good when a short poll times out while
        # its own rejoin is in flight (join_group_async's need_rejoin loop skips on_join_complete),
        # although its SyncGroup carried the partitions.
        def assigned():
            consumer.poll(timeout_ms=100)
            group = admins["kafka"].describe_groups([p + "g"])[p + "g"]
            return group["group_state"] == "Stable" and any(
                m["member_assignment"]["assigned_partitions"] for m in group["members"])

        wait_until(assigned, what="a Stable group with the partitions assigned")
        described = {lib: a.describe_groups([p + "g"])[p + "g"] for lib, a in admins.items()}
    finally:
        if consumer is not None:
            consumer.close()
        for a in admins.values():
            a.close()
    theirs, ours = described["kafka"], described["ferrokafka"]
    assert theirs["members"] and theirs["members"][0]["member_metadata"]["topics"] == [p + "t"]
    assert list(ours) == list(theirs)
    assert [list(m) for m in ours["members"]] == [list(m) for m in theirs["members"]]
    assert ours == theirs
