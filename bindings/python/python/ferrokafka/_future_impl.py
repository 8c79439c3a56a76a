"""The Python half of ``FutureRecordMetadata`` (``ferrokafka._native.FutureRecordMetadata``).

Owns kafka-python's future semantics for a sent record. ``KafkaProducer.send`` returns a
native object (no Python code runs to create it); its kafka-python methods and attributes
(``get``, ``add_callback``, ``add_errback``, ``add_both``, ``chain``, ``succeeded``,
``failed``, ``retriable``, ``success``, ``failure``, ``value``, ``exception``) call the
functions here, which keep a ``ferrokafka.future.Future`` per record, created on first use and
completed from the core's outcome with the ``RecordMetadata`` (running its callbacks on the
calling thread). ``RAISED_FROM_SEND`` names the refusals ``send`` raises, as kafka-python does.
"""
import collections

from ferrokafka import errors as Errors
from ferrokafka.future import Future
from ferrokafka.structs import TopicPartition

RecordMetadata = collections.namedtuple(
    "RecordMetadata",
    ["topic", "partition", "topic_partition", "offset", "timestamp", "checksum",
     "serialized_key_size", "serialized_value_size", "serialized_header_size"])

# Failures before a record is queued that kafka-python raises from send() itself.
RAISED_FROM_SEND = (Errors.MessageSizeTooLargeError, Errors.IllegalStateError)


def _state(f):
    st = f._state
    if st is None:
        st = f._state = Future()
    return st


def settled(f):
    """The Python future of ``f``, completed (callbacks run) if the core has the outcome."""
    st = _state(f)
    if not st.is_done:
        outcome = f.outcome()
        if outcome is not None:
            ok, payload = outcome
            if ok:
                topic, partition, offset, timestamp, _log_append_time, _log_start_offset = payload
                st.success(RecordMetadata(topic, partition, TopicPartition(topic, partition), offset,
                                          timestamp, None, *f._sizes))
            else:
                st.failure(payload)
    return st


def _watch(f, st):
    # The producer completes watched futures (running their callbacks) during send, flush,
    # get, close and poll_callbacks.
    if not st.is_done:
        producer = f._producer
        if producer is not None:
            producer._watching[f.id] = f
        f.watch()


def value(f):
    return settled(f).value


def exception(f):
    return settled(f).exception


def get(f, timeout=None):
    """The ``RecordMetadata``; raises the send's exception, or ``KafkaTimeoutError``."""
    st = settled(f)
    if not st.is_done:
        if not f.wait(timeout):
            raise Errors.KafkaTimeoutError("Timeout after waiting for %s secs." % (timeout,))
        settled(f)
    producer = f._producer
    if producer is not None:
        producer._run_callbacks()
    if st.exception:
        raise st.exception
    return st.value


def add_callback(f, fn, *args, **kwargs):
    st = settled(f)
    st.add_callback(fn, *args, **kwargs)
    _watch(f, st)
    return f


def add_errback(f, fn, *args, **kwargs):
    st = settled(f)
    st.add_errback(fn, *args, **kwargs)
    _watch(f, st)
    return f


def add_both(f, fn, *args, **kwargs):
    add_callback(f, fn, *args, **kwargs)
    add_errback(f, fn, *args, **kwargs)
    return f


def chain(f, future):
    add_callback(f, future.success)
    add_errback(f, future.failure)
    return f


def succeeded(f):
    return settled(f).succeeded()


def failed(f):
    return settled(f).failed()


def retriable(f):
    return settled(f).retriable()


def success(f, value):
    _state(f).success(value)
    return f


def failure(f, e):
    _state(f).failure(e)
    return f
