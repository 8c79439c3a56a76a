"""``AIOKafkaConsumer``: aiokafka 0.14's consumer over the native core.

Owns aiokafka's surface (keyword-only config with aiokafka's names and checks; ``start``/``stop``,
``getone``/``getmany``, ``async for``, async ``commit``/``committed``/``seek_to_*``/offset
lookups, rebalance listeners whose methods may be coroutines) and its results and errors
(``ferrokafka.aio.errors``, ``ferrokafka.aio.structs``) on top of ferrokafka's
``KafkaConsumer``. Every call that waits runs on one worker thread per consumer (calls stay
ordered; the event loop never waits); records already fetched are handed out on the loop without
a thread hop. A listener's coroutine runs on the loop while the worker waits for it.
"""
import asyncio
import concurrent.futures
import re
import time

from ferrokafka import errors as _kp
from ferrokafka.aio import errors as Errors
from ferrokafka.aio._bootstrap import bootstrap_hosts
from ferrokafka.aio._consumer_config import sync_config
from ferrokafka.aio._raise import raises_aio
from ferrokafka.aio.listener import ConsumerRebalanceListener, LoopListener
from ferrokafka.aio.structs import OffsetAndTimestamp, TopicPartition, _from_kafka_python
from ferrokafka.consumer import KafkaConsumer


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError("The object should be created within an async function or "
                           "provide loop directly.") from None


def _check_assigned(consumer, partition):
    if partition not in consumer._sync.assignment():
        raise AssertionError("Partition is not assigned")


def _commit_offsets(offsets):
    """aiokafka's ``commit`` argument check: ``{TopicPartition: offset | (offset, metadata)}``."""
    if not offsets or not isinstance(offsets, dict):
        raise ValueError(offsets)
    out = {}
    for tp, om in offsets.items():
        if not isinstance(tp, TopicPartition):
            raise TypeError("Key should be TopicPartition instance")
        if isinstance(om, int):
            offset, metadata = om, ""
        else:
            try:
                offset, metadata = om
            except Exception as exc:
                raise ValueError(offsets) from exc
            if not isinstance(metadata, str):
                raise TypeError("Metadata should be a string")
        out[tp] = (offset, metadata)
    return out


class AIOKafkaConsumer:
    """aiokafka's ``AIOKafkaConsumer(*topics, **configs)``."""

    def __init__(self, *topics, loop=None, **configs):
        cfg = sync_config(configs)
        self._loop = loop if loop is not None else _running_loop()
        self._group_id = configs.get("group_id")
        self._request_timeout_s = configs.get("request_timeout_ms", 40000) / 1000
        self._read_committed = configs.get("isolation_level") == "read_committed"
        self._max_poll_records = configs.get("max_poll_records")
        self._sync = KafkaConsumer(**cfg)
        self._topics = topics
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ferrokafka-aio")
        self._lock = asyncio.Lock()
        self._started = False
        self._closed = False
        self._polled_at = {}
        self._listener = None
        if topics:
            self._subscribe_sync(list(topics), None, None)

    async def _call(self, fn, *args):
        if self._closed:
            raise Errors.ConsumerStoppedError()
        async with self._lock:
            return await self._loop.run_in_executor(self._worker, fn, *args)

    def _require_started(self):
        if not self._started:
            # aiokafka dereferences its not yet created coordinator/fetcher here.
            raise AttributeError("'NoneType' object has no attribute 'check_errors'")

    # ---- lifecycle ---------------------------------------------------------------------------

    @raises_aio
    async def start(self):
        """Connects (``KafkaConnectionError`` when no bootstrap server answers) and, with a
        group and a subscription, waits for the first assignment, as aiokafka does."""
        if self._loop is not asyncio.get_running_loop():
            raise AssertionError("Please create objects with the same loop as running with")
        if self._started:
            raise AssertionError("Did you call `start` twice?")
        ok = await self._loop.run_in_executor(self._worker, self._bootstrap)
        if not ok:
            raise _kp.KafkaConnectionError("Unable to bootstrap from %s" % (
                bootstrap_hosts(self._sync.config.get("bootstrap_servers")),))
        self._started = True
        if self._group_id is not None and self._sync._mode == "subscribe":
            await self._wait_for_assignment()

    def _bootstrap(self):
        try:
            self._sync._native.list_topics(self._request_timeout_s)
            return True
        except _kp.KafkaError:
            return False

    async def _wait_for_assignment(self):
        native = self._sync._native
        while not self._closed and native.generation() <= 0:
            await self._call(self._fetch, 100)

    async def stop(self):
        """Commits (with ``enable_auto_commit``), leaves the group and closes; again: nothing."""
        if self._closed:
            return
        if self._listener is not None:
            self._listener.closing = True
        if self._started:
            async with self._lock:
                await self._loop.run_in_executor(self._worker, self._sync.close)
        else:
            self._sync.close()
        self._closed = True
        self._worker.shutdown(wait=False)

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.stop()

    # ---- subscription (not waiting) ----------------------------------------------------------

    def _subscribe_sync(self, topics, pattern, listener):
        adapter = LoopListener(listener, self._loop) if listener is not None else None
        self._listener = adapter
        if pattern is not None:
            self._sync.subscribe(pattern=pattern, listener=adapter)
        else:
            self._sync.subscribe(topics=list(topics), listener=adapter)

    @raises_aio
    def subscribe(self, topics=(), pattern=None, listener=None):
        """Subscribes to ``topics`` or a ``pattern`` (aiokafka's argument checks)."""
        if not (topics or pattern):
            raise TypeError("You should provide either `topics` or `pattern`")
        if topics and pattern:
            raise TypeError("You can't provide both `topics` and `pattern`")
        if listener is not None and not isinstance(listener, ConsumerRebalanceListener):
            raise TypeError("listener should be an instance of ConsumerRebalanceListener")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"{pattern!r} is not a valid pattern: {err}") from err
        elif not isinstance(topics, (tuple, set, list)):
            raise TypeError("Topics should be list of strings")
        if self._sync._mode == "assign":
            raise Errors.IllegalStateError("Subscription to topics, partitions and pattern are mutually exclusive")
        self._subscribe_sync(topics, pattern, listener)

    def subscription(self):
        """``frozenset`` of the subscribed topics."""
        return frozenset(self._sync.subscription() or ())

    def unsubscribe(self):
        self._sync.unsubscribe()

    @raises_aio
    def assign(self, partitions):
        if self._sync._mode == "subscribe":
            raise Errors.IllegalStateError("Subscription to topics, partitions and pattern are mutually exclusive")
        self._sync.assign(list(partitions))

    def assignment(self):
        """``frozenset`` of the assigned partitions."""
        return frozenset(self._sync.assignment())

    # ---- records -----------------------------------------------------------------------------

    def _fetch(self, timeout_ms):
        try:
            self._sync._fetch(timeout_ms)
        except _kp.OffsetOutOfRangeError:
            raise self._no_offset_error() from None
        now = int(time.time() * 1000)
        for tp in self._sync.assignment():
            self._polled_at[tp] = now

    def _no_offset_error(self):
        """With ``auto_offset_reset='none'`` the core reports a partition without a position as
        out of range; aiokafka raises ``NoOffsetForPartitionError(tp)`` for one that has no
        committed offset either (on the worker thread)."""
        for tp in sorted(self._sync.assignment()):
            if self._group_id is None or self._sync.committed(tp) is None:
                return Errors.NoOffsetForPartitionError(tp)
        return Errors.OffsetOutOfRangeError()

    def _take(self, partitions, max_records):
        """Records already fetched (filtered to ``partitions``), without waiting."""
        out = {}
        buf = self._sync._buffer
        if not buf:
            return out
        want = set(partitions) if partitions else None
        keep = []
        n = 0
        while buf and (max_records is None or n < max_records):
            r = buf.popleft()
            tp = TopicPartition(r.topic, r.partition)
            if want is not None and tp not in want:
                keep.append(r)
                continue
            out.setdefault(tp, []).append(_from_kafka_python(r))
            n += 1
        buf.extendleft(reversed(keep))
        return out

    @raises_aio
    async def getmany(self, *partitions, timeout_ms=0, max_records=None):
        """``{TopicPartition: [ConsumerRecord]}`` within ``timeout_ms``."""
        if not all(isinstance(k, TopicPartition) for k in partitions):
            raise AssertionError()
        if self._closed:
            raise Errors.ConsumerStoppedError()
        if max_records is not None and (not isinstance(max_records, int) or max_records < 1):
            raise ValueError("`max_records` must be a positive Integer")
        self._require_started()
        limit = max_records or self._max_poll_records
        got = self._take(partitions, limit)
        if got:
            return got
        await self._call(self._fetch, timeout_ms)
        return self._take(partitions, limit)

    @raises_aio
    async def getone(self, *partitions):
        """The next record (waits as long as it takes)."""
        if not all(isinstance(k, TopicPartition) for k in partitions):
            raise AssertionError()
        if self._closed:
            raise Errors.ConsumerStoppedError()
        self._require_started()
        while True:
            got = self._take(partitions, 1)
            if got:
                return next(iter(got.values()))[0]
            await self._call(self._fetch, 500)

    def __aiter__(self):
        if self._closed:
            raise Errors.ConsumerStoppedError()
        return self

    async def __anext__(self):
        while True:
            try:
                return await self.getone()
            except Errors.ConsumerStoppedError:
                raise StopAsyncIteration from None
            except Errors.RecordTooLargeError:
                continue

    # ---- offsets -----------------------------------------------------------------------------

    def _require_group(self):
        if self._group_id is None:
            raise Errors.IllegalOperation("Requires group_id")

    @raises_aio
    async def commit(self, offsets=None):
        """Commits ``offsets`` (``{TopicPartition: offset | (offset, metadata)}``) or every
        consumed position."""
        self._require_group()
        if self._sync._mode is None:
            raise Errors.IllegalStateError("Not subscribed to any topics")
        assigned = self._sync.assignment()
        if not assigned:
            raise Errors.IllegalStateError("No partitions assigned")
        if offsets is not None:
            offsets = _commit_offsets(offsets)
            for tp in offsets:
                if tp not in assigned:
                    raise Errors.IllegalStateError(f"Partition {tp} is not assigned")
        await self._call(self._sync.commit, offsets)

    @raises_aio
    async def committed(self, partition):
        """The last committed offset of ``partition`` or None."""
        self._require_group()
        return await self._call(self._sync.committed, partition)

    @raises_aio
    async def position(self, partition):
        if partition not in self._sync.assignment():
            raise Errors.IllegalStateError(f"Partition {partition} is not assigned")
        return await self._call(self._sync.position, partition)

    def highwater(self, partition):
        """The partition's high watermark from its last fetch (None before one)."""
        _check_assigned(self, partition)
        return self._sync._native.highwater(partition.topic, partition.partition)

    def last_stable_offset(self, partition):
        """The partition's last stable offset from its last fetch (None before one): its high
        watermark, as no transaction the core writes stays open."""
        _check_assigned(self, partition)
        return self.highwater(partition)

    def last_poll_timestamp(self, partition):
        """When the partition's highwater/LSO were last updated (ms), or None."""
        _check_assigned(self, partition)
        if self.highwater(partition) is None:
            return None
        return self._polled_at.get(partition)

    @raises_aio
    def seek(self, partition, offset):
        if not isinstance(offset, int) or offset < 0:
            raise ValueError("Offset must be a positive integer")
        if partition not in self._sync.assignment():
            raise Errors.IllegalStateError(f"No current assignment for partition {partition}")
        self._sync.seek(partition, offset)

    def _seek_parts(self, partitions):
        if not all(isinstance(p, TopicPartition) for p in partitions):
            raise TypeError("partitions must be TopicPartition instances")
        assigned = self._sync.assignment()
        if not partitions:
            if not assigned:
                raise AssertionError("No partitions are currently assigned")
            return tuple(assigned)
        not_assigned = set(partitions) - assigned
        if not_assigned:
            raise Errors.IllegalStateError(f"Partitions {not_assigned} are not assigned")
        return partitions

    @raises_aio
    async def seek_to_beginning(self, *partitions):
        """Seeks to each partition's first offset; True once done."""
        parts = self._seek_parts(partitions)
        await self._call(self._sync.seek_to_beginning, *parts)
        return True

    @raises_aio
    async def seek_to_end(self, *partitions):
        """Seeks to each partition's end; True once done."""
        parts = self._seek_parts(partitions)
        await self._call(self._sync.seek_to_end, *parts)
        return True

    @raises_aio
    async def seek_to_committed(self, *partitions):
        """Seeks to the committed offsets; ``{TopicPartition: offset or None}``."""
        parts = self._seek_parts(partitions)
        self._require_group()
        found = {}
        for tp in parts:
            off = await self.committed(tp)
            found[tp] = off
            if off and off > 0:
                self._sync.seek(tp, off)
        return found

    @raises_aio
    async def beginning_offsets(self, partitions):
        return await self._call(self._sync.beginning_offsets, list(partitions))

    @raises_aio
    async def end_offsets(self, partitions):
        return await self._call(self._sync.end_offsets, list(partitions))

    @raises_aio
    async def offsets_for_times(self, timestamps):
        """``{TopicPartition: OffsetAndTimestamp(offset, timestamp) or None}``."""
        for tp, ts in timestamps.items():
            if ts < 0:
                raise ValueError(f"The target time for partition {tp} is {ts}."
                                 " The target time cannot be negative.")
        found = await self._call(self._sync.offsets_for_times, {tp: int(ts) for tp, ts in timestamps.items()})
        return {tp: None if v is None else OffsetAndTimestamp(v.offset, v.timestamp) for tp, v in found.items()}

    # ---- metadata ----------------------------------------------------------------------------

    @raises_aio
    async def topics(self):
        """``set`` of the cluster's topic names."""
        return await self._call(self._sync.topics)

    def partitions_for_topic(self, topic):
        """``set`` of ``topic``'s partition ids from the metadata the consumer has; None when it
        has none for ``topic``."""
        parts = self._sync._native.list_topics().get(topic)
        return set(parts) if parts else None

    def pause(self, *partitions):
        if not all(isinstance(p, TopicPartition) for p in partitions):
            raise TypeError("partitions must be TopicPartition namedtuples")
        self._sync.pause(*partitions)

    def resume(self, *partitions):
        if not all(isinstance(p, TopicPartition) for p in partitions):
            raise TypeError("partitions must be TopicPartition namedtuples")
        self._sync.resume(*partitions)

    def paused(self):
        """``set`` of the paused partitions."""
        return self._sync.paused()


__all__ = ["AIOKafkaConsumer", "ConsumerRebalanceListener"]
