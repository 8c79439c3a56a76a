"""Field-by-field comparison: ``shapes_aiokafka.run`` with aiokafka 0.14.0 (``aiokafka``) and with
``ferrokafka.aio`` against the same broker; every recorded shape must be equal, except the
deliberate or core-bound differences listed in ``KNOWN`` / ``KNOWN_FIELDS`` (one reason each).
"""
import uuid

import pytest

import shapes_aiokafka
from shapes_common import diff

# Fields of a case that differ on purpose: (case, field) -> reason.
KNOWN_FIELDS = {
    ("exports/aio", "AIOKafkaClient"): "aiokafka's low-level client is not offered (README)",
}

# Cases whose whole result differs on purpose: case -> reason.
KNOWN = {
    "admin/describe_topics missing": "core-bound: aiokafka's Metadata request auto-creates a "
                                     "topic it names; the core's admin metadata never creates one",
    "producer/send before start": "aiokafka waits for metadata its client never fetches (until "
                                  "request_timeout_ms); ferrokafka raises KafkaConnectionError at once",
}


def _normalise(theirs, ours):
    """Both recordings without the ``KNOWN`` cases and ``KNOWN_FIELDS`` (error messages are
    compared in full)."""
    out = []
    for rec in (theirs, ours):
        rec = {k: v for k, v in rec.items() if k not in KNOWN}
        for case, field in KNOWN_FIELDS:
            if isinstance(rec.get(case), dict):
                rec[case] = {k: v for k, v in rec[case].items() if k not in (field, repr(field))}
        out.append(rec)
    return tuple(out)


@pytest.fixture(scope="module")
def recordings(bootstrap):
    return {name: shapes_aiokafka.run(name, bootstrap, "sha-%s-%s-" % (name[:2], uuid.uuid4().hex[:6]))
            for name in ("aiokafka", "ferrokafka")}


def test_aiokafka_shapes_match(recordings):
    theirs, ours = _normalise(recordings["aiokafka"], recordings["ferrokafka"])
    assert len(theirs) > 150, "the shape program recorded too little"
    differences = diff(theirs, ours)
    assert not differences, "\n".join("%s:\n  aiokafka:   %r\n  ferrokafka: %r" % d
                                      for d in differences)


def test_normalise_keeps_real_differences(recordings):
    """A changed field, a changed error class and a dropped key must still show up."""
    theirs, ours = _normalise(recordings["aiokafka"], recordings["ferrokafka"])
    ours = dict(ours)
    ours["producer/RecordMetadata values"] = dict(ours["producer/RecordMetadata values"], **{"'partition'": 9})
    ours["consumer/seek not assigned"] = dict(ours["consumer/seek not assigned"], error="ValueError")
    ours.pop("admin/describe_cluster")
    found = {d[0].split("/")[0] + "/" + d[0].split("/")[1] for d in diff(theirs, ours)}
    assert {"producer/RecordMetadata values", "consumer/seek not assigned", "admin/describe_cluster"} <= found


def test_aio_errors_are_caught_as_ferrokafka_errors():
    """What ferrokafka.aio raises (aiokafka's classes) is also caught by the same-named class of
    ferrokafka.errors (or, for a broker error, the class of its error code)."""
    import ferrokafka.aio.errors as aio
    import ferrokafka.errors as kp

    assert issubclass(aio.KafkaTimeoutError, kp.KafkaTimeoutError) and not aio.KafkaTimeoutError.retriable
    assert issubclass(aio.UnknownTopicOrPartitionError, kp.UnknownTopicOrPartitionError)
    assert issubclass(aio.GroupLoadInProgressError, kp.CoordinatorLoadInProgressError)
    assert issubclass(aio.BrokerResponseError, kp.BrokerResponseError)
    assert aio.ConsumerStoppedError is kp.ConsumerStoppedError
    converted = aio.to_aio(kp.MessageSizeTooLargeError("too big"))
    assert type(converted) is aio.MessageSizeTooLargeError and str(converted) == \
        "[Error 10] MessageSizeTooLargeError: too big"
