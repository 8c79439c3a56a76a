"""``KafkaConsumer``: kafka-python's consumer over the native core.

Owns the kafka-python surface: config names, deserializers (run here), ``ConsumerRecord``,
``poll`` returning ``{TopicPartition: [ConsumerRecord]}`` with ``max_records``, iteration with
``consumer_timeout_ms``, subscribe/assign modes with kafka-python's ``IllegalStateError``s, the
rebalance listener adapter, and ``commit_async`` callbacks run on the polling thread.

Records arrive from the core a poll's batch at a time. When ``max_records`` or iteration hands
out only part of a batch, the rest waits here; before anything that reads or commits positions
the partitions with waiting records are rewound to the first of them, so the core's positions
always equal what the application has been given.
"""
import abc
import collections
import functools
import logging
import time

from ferrokafka import _config, errors as Errors
from ferrokafka._native import NativeConsumer
from ferrokafka._topics import ensure_valid_topic_name
from ferrokafka.future import Future
from ferrokafka.serializer import _serializer_fn
from ferrokafka.structs import OffsetAndMetadata, OffsetAndTimestamp, TopicPartition

_SUBSCRIPTION_EXCEPTION_MESSAGE = (
    "You must choose only one way to configure your consumer:"
    " (1) subscribe to specific topics by name,"
    " (2) subscribe to topics matching a regex pattern,"
    " (3) assign itself specific topic-partitions.")

log = logging.getLogger(__name__)

ConsumerRecord = collections.namedtuple(
    "ConsumerRecord",
    ["topic", "partition", "leader_epoch", "offset", "timestamp", "timestamp_type", "key", "value",
     "headers", "checksum", "serialized_key_size", "serialized_value_size",
     "serialized_header_size"])

_new_record = tuple.__new__
_make_record = functools.partial(tuple.__new__, ConsumerRecord)


class ConsumerRebalanceListener(abc.ABC):
    """kafka-python's rebalance callbacks; both get a list of ``TopicPartition``."""

    @abc.abstractmethod
    def on_partitions_revoked(self, revoked):
        pass

    @abc.abstractmethod
    def on_partitions_assigned(self, assigned):
        pass

    def on_partitions_lost(self, lost):
        self.on_partitions_revoked(lost)


class _ListenerAdapter:
    """Receives the core's callbacks (lists of tuples) on the polling thread."""

    def __init__(self, listener):
        self._listener = listener

    def _call(self, name, parts):
        fn = getattr(self._listener, name, None)
        if fn is None:
            return
        try:
            fn([TopicPartition(t, p) for t, p in parts])
        except Exception:
            log.exception("User provided listener %s failed on %s", self._listener, name)

    def on_partitions_assigned(self, parts):
        self._call("on_partitions_assigned", parts)

    def on_partitions_revoked(self, parts):
        self._call("on_partitions_revoked", parts)

    def on_partitions_lost(self, parts):
        name = "on_partitions_lost" if hasattr(self._listener, "on_partitions_lost") else "on_partitions_revoked"
        self._call(name, parts)


def _tp_tuples(partitions):
    return [(tp.topic, tp.partition) for tp in partitions]


def _offset_tuples(offsets):
    out = []
    for tp, om in offsets.items():
        if isinstance(om, int):
            out.append((tp.topic, tp.partition, om, "", -1))
        elif isinstance(om, tuple) and len(om) >= 1:
            metadata = om[1] if len(om) > 1 else ""
            epoch = om[2] if len(om) > 2 else -1
            out.append((tp.topic, tp.partition, om[0], metadata or "", -1 if epoch is None else epoch))
        else:
            raise TypeError("offsets must map TopicPartition to OffsetAndMetadata or int")
    return out


class KafkaConsumer:
    """kafka-python's ``KafkaConsumer(*topics, **configs)``; see kafka-python's documentation."""

    def __init__(self, *topics, **configs):
        core, py = _config.translate(configs, _config.CONSUMER, _config.CONSUMER_PYTHON,
                                     _config.CONSUMER_IGNORED, "consumer")
        reset = core.get("auto.offset.reset")
        if reset is not None and reset not in ("earliest", "latest", "none"):
            raise Errors.KafkaConfigurationError(
                "auto_offset_reset must be 'earliest' or 'latest', not %r" % (configs["auto_offset_reset"],))
        self.config = dict(configs)
        self._key_de = _serializer_fn(py.get("key_deserializer"), "deserialize")
        self._value_de = _serializer_fn(py.get("value_deserializer"), "deserialize")
        timeout = py.get("consumer_timeout_ms", float("inf"))
        self._consumer_timeout = None if timeout is None or timeout == float("inf") else timeout / 1000.0
        self._commit_callback = py.get("default_offset_commit_callback")
        self._group_id = configs.get("group_id")
        self._auto_commit = core.get("enable.auto.commit", "true") == "true"
        self._native = NativeConsumer(core)
        self._buffer = collections.deque()
        self._mode = None  # None | "subscribe" | "assign"
        self._pattern = None
        self._pending_commits = []
        self._closed = False
        if topics:
            self.subscribe(topics=topics)

    # ---- subscription ------------------------------------------------------------------------

    def subscribe(self, topics=(), pattern=None, listener=None):
        """Subscribes to ``topics`` or a regex ``pattern``; partitions come from the group."""
        if self._mode == "assign":
            raise Errors.IllegalStateError(_SUBSCRIPTION_EXCEPTION_MESSAGE)
        if isinstance(topics, str):
            topics = [topics]
        if (topics and pattern) or (not topics and not pattern):
            raise Errors.IllegalStateError("You must choose topic(s) or a pattern to subscribe to, not both or neither")
        if listener is not None and not (hasattr(listener, "on_partitions_assigned") and hasattr(listener, "on_partitions_revoked")):
            raise TypeError("listener must be a ConsumerRebalanceListener")
        for t in topics or ():
            ensure_valid_topic_name(t)
        self._rewind()
        adapter = _ListenerAdapter(listener) if listener is not None else None
        if pattern is not None:
            if hasattr(pattern, "pattern"):
                pattern = pattern.pattern
            self._native.subscribe_pattern(pattern, adapter)
            self._pattern = pattern
        else:
            self._native.subscribe(list(topics), adapter)
            self._pattern = None
        self._mode = "subscribe"

    def subscription(self):
        if self._mode != "subscribe":
            return None
        return set(self._native.subscription())

    def unsubscribe(self):
        # As kafka-python: with auto-commit, what was handed out is committed first (no
        # rebalance follows); then the member leaves the group (the core sends LeaveGroup).
        self._rewind()
        if self._auto_commit and self._mode == "subscribe" and self._group_id is not None:
            try:
                self.commit()
            except Errors.KafkaError as e:
                log.warning("Auto offset commit failed before unsubscribing: %s", e)
        self._native.unsubscribe()
        self._mode = None
        self._pattern = None

    def assign(self, partitions):
        """Reads exactly ``partitions`` (a list of ``TopicPartition``), without a group."""
        if self._mode == "subscribe":
            raise Errors.IllegalStateError(_SUBSCRIPTION_EXCEPTION_MESSAGE)
        partitions = list(partitions)
        for tp in partitions:
            if not isinstance(tp, TopicPartition) and not (isinstance(tp, tuple) and len(tp) == 2):
                raise TypeError("partitions must be TopicPartition namedtuples")
        self._rewind()
        if not partitions:
            self.unsubscribe()
            return
        self._native.assign(_tp_tuples(partitions))
        self._mode = "assign"

    def assignment(self):
        return {TopicPartition(t, p) for t, p in self._native.assignment()}

    # ---- polling -----------------------------------------------------------------------------

    def _fetch(self, timeout_ms):
        self._fire_commit_callbacks()
        if self._closed:
            raise Errors.IllegalStateError("KafkaConsumer is closed")
        kd, vd = self._key_de, self._value_de
        if kd is None and vd is None:
            # The native layer builds the ConsumerRecords (its rows are in their field order).
            self._buffer.extend(self._native.poll(max(0, int(timeout_ms)), _make_record))
            return
        rows = self._native.poll(max(0, int(timeout_ms)))
        buf = self._buffer
        for (topic, partition, epoch, offset, ts, ts_type, key, value, headers, checksum,
             ks, vs, hs) in rows:
            if kd is not None:
                key = kd(topic, headers, key)
            if vd is not None:
                value = vd(topic, headers, value)
            buf.append(_new_record(ConsumerRecord, (
                topic, partition, epoch, offset, ts, ts_type, key, value, headers, checksum, ks, vs, hs)))

    def poll(self, timeout_ms=0, max_records=None, update_offsets=True):
        """``{TopicPartition: [ConsumerRecord]}`` fetched within ``timeout_ms`` (maybe empty)."""
        if max_records is not None and max_records < 1:
            raise ValueError("max_records must be positive")
        if self._mode is None:
            raise Errors.IllegalStateError("You must subscribe to topics or assign partitions before polling")
        if not self._buffer:
            self._fetch(timeout_ms)
        out = {}
        buf = self._buffer
        n = len(buf) if max_records is None else min(max_records, len(buf))
        if n == len(buf):
            # Records of a partition come in runs: one TopicPartition per run, not per record.
            last_t = last_p = lst = None
            for r in buf:
                t, p = r[0], r[1]
                if t is not last_t or p != last_p:
                    tp = TopicPartition(t, p)
                    lst = out.get(tp)
                    if lst is None:
                        lst = out[tp] = []
                    last_t, last_p = t, p
                lst.append(r)
            buf.clear()
            return out
        for _ in range(n):
            r = buf.popleft()
            tp = TopicPartition(r.topic, r.partition)
            lst = out.get(tp)
            if lst is None:
                out[tp] = [r]
            else:
                lst.append(r)
        return out

    def __iter__(self):
        return self

    def __next__(self):
        if self._buffer:
            return self._buffer.popleft()
        if self._mode is None:
            raise Errors.IllegalStateError("You must subscribe to topics or assign partitions before iterating")
        deadline = None if self._consumer_timeout is None else time.monotonic() + self._consumer_timeout
        while True:
            wait = 1000 if deadline is None else min(1000, max(0, int((deadline - time.monotonic()) * 1000)))
            self._fetch(wait)
            if self._buffer:
                return self._buffer.popleft()
            if deadline is not None and time.monotonic() >= deadline:
                raise StopIteration()

    def _rewind(self):
        """Moves partitions with records not yet handed out back to the first of them."""
        if not self._buffer:
            return
        first = {}
        for r in self._buffer:
            first.setdefault((r.topic, r.partition), r.offset)
        self._buffer.clear()
        for (t, p), off in first.items():
            try:
                self._native.seek(t, p, off)
            except Errors.KafkaError:
                pass  # no longer assigned

    # ---- offsets -----------------------------------------------------------------------------

    def commit(self, offsets=None, timeout_ms=None):
        """Commits ``offsets`` or every consumed position; waits for the broker."""
        self._require_group()
        self._rewind()
        self._native.commit(None if offsets is None else _offset_tuples(offsets),
                            None if timeout_ms is None else timeout_ms / 1000.0)

    def commit_async(self, offsets=None, callback=None):
        """Commits in the background; ``callback(offsets, response_or_exception)`` runs on this
        thread during a later ``poll``/``commit``/``close``. Returns a ``Future``."""
        self._require_group()
        self._rewind()
        pending = self._native.commit_async(None if offsets is None else _offset_tuples(offsets))
        future = Future()
        self._pending_commits.append((pending, future, callback or self._commit_callback, offsets))
        return future

    def _fire_commit_callbacks(self, wait=False):
        if not self._pending_commits:
            return
        left = []
        for pending, future, callback, offsets in self._pending_commits:
            if wait:
                pending.wait(30.0)
            outcome = pending.outcome()
            if outcome is None:
                left.append((pending, future, callback, offsets))
                continue
            ok, payload = outcome
            if ok:
                future.success(True)
            else:
                future.failure(payload)
            if callback is not None:
                try:
                    callback(offsets, True if ok else payload)
                except Exception:
                    log.exception("offset commit callback failed")
        self._pending_commits = left

    def _require_group(self):
        if self._group_id is None:
            raise Errors.KafkaConfigurationError("Requires group_id")

    def committed(self, partition, metadata=False, timeout_ms=None):
        """The committed offset of ``partition`` (``OffsetAndMetadata`` with ``metadata=True``)."""
        self._require_group()
        found = self._native.committed([(partition.topic, partition.partition)],
                                       None if timeout_ms is None else timeout_ms / 1000.0)
        om = found.get((partition.topic, partition.partition))
        if om is None or om[0] < 0:
            return None
        return OffsetAndMetadata(om[0], om[1], om[2]) if metadata else om[0]

    def position(self, partition, timeout_ms=None):
        """The offset of the next record to be fetched from ``partition``."""
        if partition not in self.assignment():
            raise Errors.IllegalStateError("You can only check the position for partitions assigned to this consumer.")
        self._rewind()
        return self._native.position(partition.topic, partition.partition,
                                     None if timeout_ms is None else timeout_ms / 1000.0)

    def highwater(self, partition):
        """The last known high watermark of an assigned ``partition`` (from its latest fetch
        response); None until the partition has been fetched."""
        if not isinstance(partition, TopicPartition):
            raise TypeError("partition must be a TopicPartition namedtuple")
        assert partition in self.assignment(), "Partition is not assigned"
        return self._native.highwater(partition.topic, partition.partition)

    def seek(self, partition, offset):
        """Makes the next poll read ``partition`` from ``offset``."""
        if not isinstance(partition, TopicPartition):
            raise TypeError("partition must be a TopicPartition namedtuple")
        if not isinstance(offset, int) or offset < 0:
            raise ValueError("Offset must be int >= 0")
        if partition not in self.assignment():
            raise ValueError("Unassigned partition")
        self._rewind()
        self._native.seek(partition.topic, partition.partition, offset)

    def _parts(self, partitions):
        if not partitions:
            return list(self.assignment())
        assigned = self.assignment()
        for tp in partitions:
            if tp not in assigned:
                raise ValueError("Unassigned partition: %s" % (tp,))
        return list(partitions)

    def seek_to_beginning(self, *partitions):
        parts = self._parts(partitions)
        self._rewind()
        self._native.seek_to_beginning(_tp_tuples(parts))

    def seek_to_end(self, *partitions):
        parts = self._parts(partitions)
        self._rewind()
        self._native.seek_to_end(_tp_tuples(parts))

    def pause(self, *partitions):
        self._rewind()
        self._native.pause(_tp_tuples(partitions))

    def resume(self, *partitions):
        self._native.resume(_tp_tuples(partitions))

    def paused(self):
        return {TopicPartition(t, p) for t, p in self._native.paused()}

    def beginning_offsets(self, partitions, timeout_ms=None):
        found = self._native.list_offsets(_tp_tuples(partitions), False,
                                          None if timeout_ms is None else timeout_ms / 1000.0)
        return {TopicPartition(t, p): o for (t, p), o in found.items()}

    def end_offsets(self, partitions, timeout_ms=None):
        found = self._native.list_offsets(_tp_tuples(partitions), True,
                                          None if timeout_ms is None else timeout_ms / 1000.0)
        return {TopicPartition(t, p): o for (t, p), o in found.items()}

    def offsets_for_times(self, timestamps, timeout_ms=None):
        for tp, ts in timestamps.items():
            if ts < 0:
                raise ValueError("The target time for partition {} is {}. The target time "
                                 "cannot be negative.".format(tp, ts))
        found = self._native.offsets_for_times(
            [(tp.topic, tp.partition, ts) for tp, ts in timestamps.items()],
            None if timeout_ms is None else timeout_ms / 1000.0)
        return {TopicPartition(t, p): (None if v is None else OffsetAndTimestamp(*v))
                for (t, p), v in found.items()}

    # ---- metadata ----------------------------------------------------------------------------

    def topics(self):
        # kafka-python's topics() leaves internal topics out; partitions_for_topic finds them.
        return set(self._native.list_topics())

    def partitions_for_topic(self, topic):
        parts = self._native.list_topics(include_internal=True).get(topic)
        return set(parts or ())

    def bootstrap_connected(self):
        try:
            self._native.list_topics()
            return True
        except Errors.KafkaError:
            return False

    def metrics(self, raw=False):
        m = self._native.metrics()
        return m if raw else {"consumer-fetch-manager-metrics": m}

    # ---- lifecycle ---------------------------------------------------------------------------

    def close(self, autocommit=True, timeout_ms=None):
        """Commits (with ``enable_auto_commit``), leaves the group and closes."""
        if self._closed:
            return
        self._rewind()
        self._fire_commit_callbacks(wait=True)
        self._closed = True
        self._native.close(None if timeout_ms is None else timeout_ms / 1000.0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


__all__ = ["KafkaConsumer", "ConsumerRecord", "ConsumerRebalanceListener"]
