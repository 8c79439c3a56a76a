"""``AIOKafkaProducer``: aiokafka's producer over the native core.

Owns aiokafka's surface (keyword-only config with aiokafka's defaults: ``acks=1`` and no
idempotence unless asked; ``send`` returning an ``asyncio.Future``; ``send_and_wait``;
``create_batch``/``send_batch``, which cross into the core as one batch). Enqueueing never
blocks; delivery outcomes reach the loop through one waker thread per producer that waits in
the core with the GIL released and hands completed ids to the loop with
``call_soon_threadsafe``. Blocking calls (flush, stop, metadata) run in a worker thread.
"""
import asyncio
import threading

from ferrokafka import errors as Errors
from ferrokafka.aio.structs import RecordMetadata
from ferrokafka.producer import KafkaProducer
from ferrokafka.structs import TopicPartition
from ferrokafka._topics import ensure_valid_topic_name

_AIOKAFKA_DEFAULTS = {"enable_idempotence": False}


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
        return _BatchRecordMeta(size, timestamp)

    def close(self):
        self._closed = True

    def size(self):
        return self._size

    def record_count(self):
        return len(self._records)


class _BatchRecordMeta:
    def __init__(self, size, timestamp):
        self.size = size
        self.timestamp = timestamp
        self.crc = None


class AIOKafkaProducer:
    """aiokafka's ``AIOKafkaProducer(**configs)``."""

    def __init__(self, *, loop=None, **configs):
        cfg = dict(_AIOKAFKA_DEFAULTS)
        cfg.update(configs)
        if "acks" not in cfg:
            cfg["acks"] = "all" if cfg.get("enable_idempotence") else 1
        self._batch_size = int(cfg.get("max_batch_size", 16384))
        # aiokafka's send waits this long for a topic's metadata (its request_timeout_ms).
        self._metadata_wait_s = int(cfg.get("request_timeout_ms", 40000)) / 1000
        self._sync = KafkaProducer(**cfg)
        self._loop = loop
        self._pending = {}
        self._waker = None
        self._stopping = False

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self):
        """Connects: fails with ``KafkaConnectionError`` when no bootstrap server answers."""
        self._loop = asyncio.get_running_loop()
        ok = await self._loop.run_in_executor(None, self._sync.bootstrap_connected)
        if not ok:
            raise Errors.KafkaConnectionError(
                "Unable to bootstrap from %s" % (self._sync._core_config["bootstrap.servers"],))
        self._waker = threading.Thread(target=self._wake_loop, name="ferrokafka-aio-waker", daemon=True)
        self._waker.start()

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
            fut, delivery = entry
            if fut.done():
                continue
            outcome = delivery.outcome()
            if outcome is None:
                self._pending[i] = entry
                continue
            ok, payload = outcome
            if ok:
                topic, partition, offset, ts, log_append_time, log_start_offset = payload
                # aiokafka: timestamp_type 1 when the broker stamped LogAppendTime; the log start
                # offset the broker reported (None when it did not).
                fut.set_result(RecordMetadata(topic, partition, TopicPartition(topic, partition), offset,
                                              ts, 1 if log_append_time >= 0 else 0,
                                              log_start_offset if log_start_offset >= 0 else None))
            else:
                fut.set_exception(payload)

    def _track(self, delivery):
        fut = self._loop_or_current().create_future()
        self._pending[delivery.id] = (fut, delivery)
        delivery.watch()
        return fut

    # ---- sending -----------------------------------------------------------------------------

    async def send(self, topic, value=None, key=None, partition=None, timestamp_ms=None, headers=None):
        """Enqueues a record; returns a future of its ``RecordMetadata``."""
        if self._stopping:
            raise Errors.ProducerClosed()
        if value is None and key is None:
            raise ValueError("Need at least one: key or value")
        s = self._sync
        native = s._native
        if native.partition_count(topic) is None:
            # aiokafka's _wait_on_metadata: UnknownTopicOrPartitionError when the topic is
            # still unknown after request_timeout_ms (an unauthorized topic raises at once).
            if topic not in s._valid_topics:
                ensure_valid_topic_name(topic)
            try:
                await self._loop_or_current().run_in_executor(
                    None, native.wait_for_topic, topic, self._metadata_wait_s)
            except Errors.KafkaTimeoutError:
                raise Errors.UnknownTopicOrPartitionError() from None
        if partition is not None:
            assert partition >= 0
            assert partition < (native.partition_count(topic) or 0), "Unrecognized partition"
        headers = list(headers) if headers else []
        key_bytes = s._key_bytes(topic, headers, key)
        value_bytes = s._value_bytes(topic, headers, value)
        if partition is None and s._partitioner is not None:
            partition = await self._loop_or_current().run_in_executor(
                None, s._custom_partition, topic, key_bytes)
        fut = s._send_serialized(topic, key_bytes, value_bytes, headers, partition, timestamp_ms)
        return self._track(fut)

    async def send_and_wait(self, topic, value=None, key=None, partition=None, timestamp_ms=None, headers=None):
        fut = await self.send(topic, value=value, key=key, partition=partition,
                              timestamp_ms=timestamp_ms, headers=headers)
        return await fut

    def create_batch(self):
        return BatchBuilder(self._batch_size)

    async def send_batch(self, batch, topic, *, partition):
        """Sends every record of ``batch`` to ``partition`` in one crossing into the core;
        the future resolves to the metadata of the batch's first record."""
        batch.close()
        s = self._sync
        items = []
        for key, value, headers, ts in batch._records:
            items.append((topic, partition, s._key_bytes(topic, headers, key),
                          s._value_bytes(topic, headers, value), headers, ts))
        deliveries = s._native.send_batch(items)
        if not deliveries:
            raise ValueError("the batch is empty")
        futs = [self._track(d) for d in deliveries]
        first = futs[0]

        async def whole():
            await asyncio.gather(*futs)
            return first.result()
        return asyncio.ensure_future(whole())

    async def flush(self):
        await self._loop_or_current().run_in_executor(None, self._sync.flush)

    async def partitions_for(self, topic):
        return await self._loop_or_current().run_in_executor(None, self._sync.partitions_for, topic)

    def metrics(self):
        return self._sync.metrics()

    async def begin_transaction(self):
        self._sync.begin_transaction()

    commit_transaction = abort_transaction = begin_transaction


__all__ = ["AIOKafkaProducer", "BatchBuilder"]
