"""``AIOKafkaProducer``: aiokafka's producer over the native core.

Owns aiokafka's surface (keyword-only config with aiokafka's defaults: ``acks=1`` and no
idempotence unless asked; ``send`` returning an ``asyncio.Future``; ``send_and_wait``;
``create_batch``/``send_batch``, which cross into the core as one batch). Enqueueing never
blocks; delivery outcomes reach the loop through one waker thread per producer that waits in
the core with the GIL released and hands completed ids to the loop with
``call_soon_threadsafe``. Blocking calls (flush, stop, metadata) run in a worker thread.
"""
import asyncio
import atexit
import threading
import time
import weakref

from ferrokafka import errors as _kp
from ferrokafka.aio import errors as Errors
from ferrokafka.aio._bootstrap import bootstrap_hosts
from ferrokafka.aio._producer_config import estimate_size, sync_config
from ferrokafka.aio._raise import raises_aio
from ferrokafka.aio.errors import to_aio
from ferrokafka.aio.structs import RecordMetadata
from ferrokafka.producer import KafkaProducer
from ferrokafka.structs import TopicPartition
from ferrokafka._topics import ensure_valid_topic_name


# Producers whose waker thread runs: stopped at interpreter exit, so no daemon thread is inside
# the core when Python finalizes (a producer the application never stopped).
_LIVE = weakref.WeakSet()


@atexit.register
def _stop_wakers():
    for producer in list(_LIVE):
        producer._stopping = True
        if producer._waker is not None:
            producer._waker.join(2)


def _delivery_error(exc, topic):
    """A failed delivery as aiokafka's sender reports it: the bare class of the broker's error
    code (``ProducerFenced`` for an old epoch, the topic for an authorization failure); a
    client-side error as aiokafka's class with ferrokafka's message."""
    errno = getattr(exc, "errno", None)
    if isinstance(exc, _kp.BrokerResponseError) and errno is not None:
        if errno == 47:
            return Errors.ProducerFenced()
        cls = Errors.for_code(errno)
        return cls(topic) if cls is Errors.TopicAuthorizationFailedError else cls()
    return to_aio(exc)


def _bytes_like(data):
    """A serialized key or value: bytes-like or None, else aiokafka's TypeError."""
    if data is None or isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError("a bytes-like object is required, not '%s'" % type(data).__name__)


class BatchBuilder:
    """aiokafka's ``BatchBuilder``: records for one ``send_batch`` call."""

    def __init__(self, max_size):
        self._records = []
        self._size = 0
        self._max = max_size
        self._closed = False

    def append(self, *, timestamp=None, key=None, value=None, headers=None):
        if self._closed:
            return None
        size = len(key or b"") + len(value or b"") + sum(len(k) + len(v or b"") for k, v in headers or []) + 20
        if self._records and self._size + size > self._max:
            return None
        self._records.append((key, value, headers or [], timestamp))
        self._size += size
        if timestamp is None:
            timestamp = int(time.time() * 1000)
        return DefaultRecordMetadata(len(self._records) - 1, size, timestamp)

    def close(self):
        self._closed = True

    def size(self):
        return self._size

    def record_count(self):
        return len(self._records)


class DefaultRecordMetadata:
    """aiokafka's answer to ``BatchBuilder.append``: the record's offset in the batch, its size
    and timestamp (``crc`` None: v2 records carry the batch's)."""

    __slots__ = ("offset", "size", "timestamp")

    def __init__(self, offset, size, timestamp):
        self.offset = offset
        self.size = size
        self.timestamp = timestamp

    @property
    def crc(self):
        return None

    def __repr__(self):
        return "DefaultRecordMetadata(offset={!r}, size={!r}, timestamp={!r})".format(
            self.offset, self.size, self.timestamp)


class AIOKafkaProducer:
    """aiokafka's ``AIOKafkaProducer(**configs)``."""

    def __init__(self, *, loop=None, **configs):
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError("The object should be created within an async function or "
                                   "provide loop directly.") from None
        cfg = sync_config(configs)
        self._acks = cfg["acks"]
        self._batch_size = int(cfg.get("max_batch_size", 16384))
        self._max_request_size = int(cfg.get("max_request_size", 1048576))
        # aiokafka's send waits this long for a topic's metadata (its request_timeout_ms).
        self._metadata_wait_s = int(cfg.get("request_timeout_ms", 40000)) / 1000
        self._sync = KafkaProducer(**cfg)
        self._loop = loop
        self._pending = {}
        self._waker = None
        self._started = False
        self._stopping = False

    # ---- lifecycle ---------------------------------------------------------------------------

    @raises_aio
    async def start(self):
        """Connects: fails with ``KafkaConnectionError`` when no bootstrap server answers."""
        if self._loop is not asyncio.get_running_loop():
            raise AssertionError("Please create objects with the same loop as running with")
        ok = await self._loop.run_in_executor(None, self._sync.bootstrap_connected)
        if not ok:
            raise _kp.KafkaConnectionError("Unable to bootstrap from %s" % (
                bootstrap_hosts(self._sync.config.get("bootstrap_servers", "localhost")),))
        self._waker = threading.Thread(target=self._wake_loop, name="ferrokafka-aio-waker", daemon=True)
        self._waker.start()
        _LIVE.add(self)
        self._started = True

    async def stop(self):
        """Delivers what is queued, then closes."""
        if self._stopping:
            return
        await self._loop_or_current().run_in_executor(None, self._sync.flush)
        self._stopping = True
        await self._loop_or_current().run_in_executor(None, self._sync.close)
        if self._waker is not None:
            await self._loop_or_current().run_in_executor(None, self._waker.join, 5)
        self._resolve(list(self._pending))

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.stop()

    def _loop_or_current(self):
        return self._loop or asyncio.get_running_loop()

    def _wake_loop(self):
        native = self._sync._native
        while not self._stopping:
            ids = native.wait_completed(0.2)
            if ids:
                try:
                    self._loop.call_soon_threadsafe(self._resolve, ids)
                except RuntimeError:  # the loop is closed
                    return

    def _resolve(self, ids):
        for i in ids:
            entry = self._pending.pop(i, None)
            if entry is None:
                continue
            fut, delivery, topic = entry
            if fut.done():
                continue
            outcome = delivery.outcome()
            if outcome is None:
                self._pending[i] = entry
                continue
            ok, payload = outcome
            if ok and self._acks == 0:
                fut.set_result(None)  # aiokafka: no answer, no metadata
            elif ok:
                topic, partition, offset, ts, log_append_time, log_start_offset = payload
                # aiokafka: timestamp_type 1 when the broker stamped LogAppendTime; the log start
                # offset the broker reported (None when it did not).
                fut.set_result(RecordMetadata(topic, partition, TopicPartition(topic, partition), offset,
                                              ts, 1 if log_append_time >= 0 else 0,
                                              log_start_offset if log_start_offset >= 0 else None))
            else:
                fut.set_exception(_delivery_error(payload, topic))

    def _track(self, delivery, topic):
        fut = self._loop_or_current().create_future()
        self._pending[delivery.id] = (fut, delivery, topic)
        delivery.watch()
        return fut

    # ---- sending -----------------------------------------------------------------------------

    @raises_aio
    async def send(self, topic, value=None, key=None, partition=None, timestamp_ms=None, headers=None):
        """Enqueues a record; returns an ``asyncio.Future`` of its ``RecordMetadata``."""
        if value is None and key is None:
            raise AssertionError("Need at least one: key or value")
        if self._stopping:
            raise Errors.ProducerClosed()
        s = self._sync
        await self._wait_on_metadata(topic)
        headers = headers or []
        key_bytes = _bytes_like(s._key_ser(topic, headers, key) if s._key_ser else key)
        value_bytes = _bytes_like(s._value_ser(topic, headers, value) if s._value_ser else value)
        for _, hv in headers:
            if hv is not None and not isinstance(hv, (bytes, bytearray, memoryview)):
                raise TypeError("Expected bytes, got %s" % type(hv).__name__)
        size = estimate_size(key_bytes, value_bytes, headers)
        if size > self._max_request_size:
            raise Errors.MessageSizeTooLargeError(
                f"The message is {size} bytes when serialized which is larger than the maximum "
                "request size you have configured with the max_request_size configuration")
        partition = await self._partition(topic, partition, key_bytes)
        fut = s._send_serialized(topic, key_bytes, value_bytes, list(headers), partition, timestamp_ms)
        return self._track(fut, topic)

    async def _wait_on_metadata(self, topic):
        """aiokafka's ``_wait_on_metadata``: the topic's partitions, waiting for its metadata up
        to ``request_timeout_ms`` (``UnknownTopicOrPartitionError`` after; an invalid name fails
        at once)."""
        native = self._sync._native
        if native.partition_count(topic) is None:
            if topic not in self._sync._valid_topics:
                try:
                    ensure_valid_topic_name(topic)
                except ValueError:
                    # aiokafka's metadata never lists an illegal name: it gives up with this
                    # after request_timeout_ms (ferrokafka: at once)
                    raise Errors.UnknownTopicOrPartitionError() from None
            if not self._started:
                raise Errors.KafkaConnectionError("No connection to node with id None")
            try:
                await self._loop.run_in_executor(None, native.wait_for_topic, topic, self._metadata_wait_s)
            except _kp.KafkaTimeoutError:
                raise Errors.UnknownTopicOrPartitionError() from None
        return set(range(native.partition_count(topic) or 0))

    async def _partition(self, topic, partition, key_bytes):
        if partition is not None:
            if partition < 0:
                raise AssertionError()
            if partition >= (self._sync._native.partition_count(topic) or 0):
                raise AssertionError("Unrecognized partition")
            return partition
        if self._sync._partitioner is not None:
            return await self._loop.run_in_executor(None, self._sync._custom_partition, topic, key_bytes)
        return None

    async def send_and_wait(self, topic, value=None, key=None, partition=None, timestamp_ms=None, headers=None):
        fut = await self.send(topic, value=value, key=key, partition=partition,
                              timestamp_ms=timestamp_ms, headers=headers)
        return await fut

    def create_batch(self):
        return BatchBuilder(self._batch_size)

    @raises_aio
    async def send_batch(self, batch, topic, *, partition):
        """Sends every record of ``batch`` to ``partition`` in one crossing into the core; the
        future resolves to the metadata of the batch's first record."""
        await self._wait_on_metadata(topic)
        partition = await self._partition(topic, partition, None)
        batch.close()
        s = self._sync
        items = [(topic, partition, s._key_bytes(topic, headers, key), s._value_bytes(topic, headers, value),
                  headers, ts) for key, value, headers, ts in batch._records]
        deliveries = s._native.send_batch(items)
        if not deliveries:
            raise ValueError("the batch is empty")
        futs = [self._track(d, topic) for d in deliveries]
        first = futs[0]

        async def whole():
            await asyncio.gather(*futs)
            return first.result()
        return asyncio.ensure_future(whole())

    @raises_aio
    async def flush(self):
        await self._loop_or_current().run_in_executor(None, self._sync.flush)

    @raises_aio
    async def partitions_for(self, topic):
        """The set of ``topic``'s partition ids (waits for its metadata as ``send`` does)."""
        return await self._wait_on_metadata(topic)

    def metrics(self):
        return self._sync.metrics()

    def _ensure_transactional(self):
        if self._sync.config.get("transactional_id") is None:
            raise Errors.IllegalOperation("You need to configure transaction_id to use transactions")
        raise Errors.IllegalStateError("transactions are not supported by ferrokafka yet")

    async def begin_transaction(self):
        self._ensure_transactional()

    async def commit_transaction(self):
        self._ensure_transactional()

    async def abort_transaction(self):
        self._ensure_transactional()

    async def send_offsets_to_transaction(self, offsets, group_id):
        self._ensure_transactional()


__all__ = ["AIOKafkaProducer", "BatchBuilder"]
