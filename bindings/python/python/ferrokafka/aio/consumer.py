"""``AIOKafkaConsumer``: aiokafka's consumer over the native core.

Owns aiokafka's surface (``start``/``stop``, ``getone``/``getmany``, ``async for``, async
``commit``/``committed``/``seek_to_*``/offset lookups, rebalance listeners whose methods may be
coroutines) on top of ferrokafka's ``KafkaConsumer``. Every call that waits runs on one worker
thread per consumer (calls stay ordered; the event loop never blocks); records already fetched
are handed out on the loop without a thread hop. A listener's coroutine runs on the loop while
the worker waits for it.
"""
import asyncio
import concurrent.futures
import inspect

from ferrokafka import errors as Errors
from ferrokafka.aio.structs import _from_kafka_python
from ferrokafka.consumer import KafkaConsumer
from ferrokafka.structs import TopicPartition


class ConsumerRebalanceListener:
    """aiokafka's listener: ``on_partitions_revoked`` / ``on_partitions_assigned`` may be
    plain methods or coroutines."""

    def on_partitions_revoked(self, revoked):
        pass

    def on_partitions_assigned(self, assigned):
        pass


class _LoopListener:
    """Runs an aiokafka listener's methods on the loop, from the worker thread."""

    def __init__(self, listener, loop):
        self._listener = listener
        self._loop = loop

    def _run(self, name, parts):
        fn = getattr(self._listener, name, None)
        if fn is None:
            return
        # On the loop's thread, as aiokafka calls it; the worker waits until it finished.
        asyncio.run_coroutine_threadsafe(_invoke(fn, set(parts)), self._loop).result()

    def on_partitions_revoked(self, revoked):
        self._run("on_partitions_revoked", revoked)

    def on_partitions_assigned(self, assigned):
        self._run("on_partitions_assigned", assigned)


async def _invoke(fn, parts):
    result = fn(parts)
    if inspect.isawaitable(result):
        await result


_IGNORED_AIO = {"loop", "consumer_timeout_ms", "rebalance_timeout_ms"}


class AIOKafkaConsumer:
    """aiokafka's ``AIOKafkaConsumer(*topics, **configs)``."""

    def __init__(self, *topics, loop=None, **configs):
        cfg = {k: v for k, v in configs.items() if k not in _IGNORED_AIO}
        cfg.setdefault("partition_assignment_strategy", ("roundrobin",))
        if "max_poll_records" in cfg and cfg["max_poll_records"] is None:
            del cfg["max_poll_records"]
        self._sync = KafkaConsumer(**cfg)
        self._topics = topics
        self._loop = loop
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ferrokafka-aio")
        self._lock = None
        self._started = False
        self._closed = False

    async def _call(self, fn, *args):
        if self._closed:
            raise Errors.ConsumerStoppedError()
        async with self._lock:
            return await self._loop.run_in_executor(self._worker, fn, *args)

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self):
        self._loop = asyncio.get_running_loop()
        self._lock = asyncio.Lock()
        ok = await self._loop.run_in_executor(self._worker, self._sync.bootstrap_connected)
        if not ok:
            raise Errors.KafkaConnectionError("Unable to bootstrap from %s" % (self._sync.config.get("bootstrap_servers"),))
        if self._topics:
            self.subscribe(topics=list(self._topics))
        self._started = True

    async def stop(self):
        if self._closed:
            return
        if self._lock is not None:
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

    def subscribe(self, topics=(), pattern=None, listener=None):
        adapter = _LoopListener(listener, self._loop or asyncio.get_event_loop()) if listener else None
        try:
            self._sync.subscribe(topics=topics, pattern=pattern, listener=adapter)
        except Errors.IllegalStateError as e:
            raise Errors.IllegalStateError(str(e)) from None

    def subscription(self):
        return frozenset(self._sync.subscription() or ())

    def unsubscribe(self):
        self._sync.unsubscribe()

    def assign(self, partitions):
        self._sync.assign(list(partitions))

    def assignment(self):
        return self._sync.assignment()

    # ---- records -----------------------------------------------------------------------------

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

    async def getmany(self, *partitions, timeout_ms=0, max_records=None):
        """``{TopicPartition: [ConsumerRecord]}`` within ``timeout_ms``."""
        if self._closed:
            raise Errors.ConsumerStoppedError()
        got = self._take(partitions, max_records)
        if got:
            return got
        await self._call(self._sync._fetch, timeout_ms)
        return self._take(partitions, max_records)

    async def getone(self, *partitions):
        """The next record (waits as long as it takes)."""
        while True:
            got = self._take(partitions, 1)
            if got:
                return next(iter(got.values()))[0]
            await self._call(self._sync._fetch, 500)

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self.getone()
        except Errors.ConsumerStoppedError:
            raise StopAsyncIteration from None

    # ---- offsets -----------------------------------------------------------------------------

    async def commit(self, offsets=None):
        if offsets is not None:
            offsets = {tp: (om if isinstance(om, (int, tuple)) else int(om)) for tp, om in offsets.items()}
        await self._call(self._sync.commit, offsets)

    async def committed(self, partition):
        return await self._call(self._sync.committed, partition)

    async def position(self, partition):
        return await self._call(self._sync.position, partition)

    def highwater(self, partition):
        return None

    def seek(self, partition, offset):
        if not isinstance(offset, int) or offset < 0:
            raise ValueError("Offset must be a positive integer")
        if partition not in self._sync.assignment():
            raise Errors.IllegalStateError(f"No current assignment for partition {partition}")
        self._sync.seek(partition, offset)

    def _check_assigned(self, partitions):
        not_assigned = set(partitions) - self._sync.assignment()
        if not_assigned:
            raise Errors.IllegalStateError(f"Partitions {not_assigned} are not assigned")

    async def seek_to_beginning(self, *partitions):
        self._check_assigned(partitions)
        await self._call(self._sync.seek_to_beginning, *partitions)

    async def seek_to_end(self, *partitions):
        self._check_assigned(partitions)
        await self._call(self._sync.seek_to_end, *partitions)

    async def seek_to_committed(self, *partitions):
        parts = partitions or tuple(self.assignment())
        found = {}
        for tp in parts:
            off = await self.committed(tp)
            if off is not None:
                self._sync.seek(tp, off)
            found[tp] = off
        return found

    async def beginning_offsets(self, partitions):
        return await self._call(self._sync.beginning_offsets, list(partitions))

    async def end_offsets(self, partitions):
        return await self._call(self._sync.end_offsets, list(partitions))

    async def offsets_for_times(self, timestamps):
        return await self._call(self._sync.offsets_for_times, dict(timestamps))

    async def topics(self):
        return await self._call(self._sync.topics)

    def partitions_for_topic(self, topic):
        return self._sync.partitions_for_topic(topic)

    def pause(self, *partitions):
        self._sync.pause(*partitions)

    def resume(self, *partitions):
        self._sync.resume(*partitions)

    def paused(self):
        return self._sync.paused()


__all__ = ["AIOKafkaConsumer", "ConsumerRebalanceListener"]
