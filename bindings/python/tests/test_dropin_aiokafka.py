"""Drop-in proof for asyncio: the same aiokafka code runs against ``aiokafka`` (0.14 from PyPI)
and ``ferrokafka.aio`` with the same results.

``mods`` gives the package, its admin module and its errors module; tests use only aiokafka's
public API through them and run each scenario with ``asyncio.run``.
"""
import asyncio
import importlib
import types
import uuid

import pytest

LIBS = {
    "aiokafka": ("aiokafka", "aiokafka.admin", "aiokafka.errors"),
    "ferrokafka": ("ferrokafka.aio", "ferrokafka.aio.admin", "ferrokafka.aio.errors"),
}
_results = {}


@pytest.fixture(params=list(LIBS))
def mods(request):
    pkg, admin, errors = (importlib.import_module(m) for m in LIBS[request.param])
    return types.SimpleNamespace(name=request.param, aio=pkg, admin=admin, errors=errors)


async def _create(mods, bootstrap, topic, partitions=3):
    admin = mods.admin.AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([mods.admin.NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()


def test_keys_partitions_and_group_consume(mods, bootstrap):
    topic = "aio-" + mods.name + "-" + uuid.uuid4().hex[:8]

    async def scenario():
        await _create(mods, bootstrap, topic)
        placed = {}
        async with mods.aio.AIOKafkaProducer(bootstrap_servers=bootstrap) as producer:
            for k in range(30):
                md = await producer.send_and_wait(topic, key=b"key-%d" % k, value=b"v-%d" % k)
                placed[k] = md.partition
                assert md.topic == topic and md.offset >= 0
                _results.setdefault("meta", {})[mods.name] = (md.timestamp_type, md.log_start_offset)
            futs = [await producer.send(topic, key=b"key-%d" % k, value=b"w-%d" % k) for k in range(30)]
            mds = await asyncio.gather(*futs)
            assert [m.partition for m in mds] == [placed[k] for k in range(30)]
        consumer = mods.aio.AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id="g-" + topic,
                                             auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        got = []
        try:
            while len(got) < 60:
                batch = await asyncio.wait_for(consumer.getmany(timeout_ms=500), 60)
                for tp, recs in batch.items():
                    got.extend((tp.partition, r.key, r.value, r.offset) for r in recs)
            await consumer.commit()
            tp0 = mods.aio.TopicPartition(topic, 0)
            committed = await consumer.committed(tp0)
            ends = await consumer.end_offsets([tp0])
            assert committed == ends[tp0]
        finally:
            await consumer.stop()
        for k in range(30):
            mine = [(v, p) for p, key, v, _ in got if key == b"key-%d" % k]
            assert mine == [(b"v-%d" % k, placed[k]), (b"w-%d" % k, placed[k])]
        return placed

    _results.setdefault("placed", {})[mods.name] = asyncio.run(scenario())


def test_same_partitions_in_both_libraries():
    found = _results.get("placed", {})
    if set(found) != set(LIBS):
        pytest.skip("needs test_keys_partitions_and_group_consume for both libraries")
    assert found["aiokafka"] == found["ferrokafka"]


def test_same_record_metadata_in_both_libraries():
    # RecordMetadata's timestamp_type (CreateTime) and the log start offset the broker reported.
    found = _results.get("meta", {})
    if set(found) != set(LIBS):
        pytest.skip("needs test_keys_partitions_and_group_consume for both libraries")
    assert found["aiokafka"] == (0, 0)
    assert found["ferrokafka"] == found["aiokafka"]


def test_batch_async_for_and_seek(mods, bootstrap):
    topic = "aio-b-" + uuid.uuid4().hex[:8]

    async def scenario():
        await _create(mods, bootstrap, topic, partitions=1)
        async with mods.aio.AIOKafkaProducer(bootstrap_servers=bootstrap) as producer:
            batch = producer.create_batch()
            for i in range(5):
                assert batch.append(key=None, value=b"b-%d" % i, timestamp=None) is not None
            fut = await producer.send_batch(batch, topic, partition=0)
            md = await fut
            assert md.offset == 0 and md.partition == 0
        tp = mods.aio.TopicPartition(topic, 0)
        consumer = mods.aio.AIOKafkaConsumer(bootstrap_servers=bootstrap)
        await consumer.start()
        try:
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            values = []
            async for msg in consumer:
                values.append(msg.value)
                if len(values) == 5:
                    break
            assert values == [b"b-%d" % i for i in range(5)]
            consumer.seek(tp, 3)
            msg = await asyncio.wait_for(consumer.getone(), 30)
            assert (msg.offset, msg.value) == (3, b"b-3")
            assert await consumer.position(tp) == 4
        finally:
            await consumer.stop()

    asyncio.run(scenario())


def test_oversized_record_error(mods, bootstrap):
    topic = "aio-big-" + uuid.uuid4().hex[:8]

    async def scenario():
        await _create(mods, bootstrap, topic, partitions=1)
        async with mods.aio.AIOKafkaProducer(bootstrap_servers=bootstrap) as producer:
            with pytest.raises(mods.errors.MessageSizeTooLargeError) as info:
                await producer.send(topic, value=b"x" * 2_000_000)
            return type(info.value).__name__, info.value.errno

    _results.setdefault("big", {})[mods.name] = asyncio.run(scenario())
    assert _results["big"][mods.name] == ("MessageSizeTooLargeError", 10)


def test_waiting_never_blocks_the_loop(mods, bootstrap):
    topic = "aio-idle-" + uuid.uuid4().hex[:8]

    async def scenario():
        await _create(mods, bootstrap, topic, partitions=1)
        consumer = mods.aio.AIOKafkaConsumer(bootstrap_servers=bootstrap)
        await consumer.start()
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1
        t = asyncio.ensure_future(ticker())
        try:
            consumer.assign([mods.aio.TopicPartition(topic, 0)])
            await consumer.getmany(timeout_ms=1000)
        finally:
            t.cancel()
            await consumer.stop()
        return ticks

    assert asyncio.run(scenario()) > 20


def test_unreachable_bootstrap_fails_start(mods):
    async def scenario():
        producer = mods.aio.AIOKafkaProducer(bootstrap_servers="127.0.0.1:1", request_timeout_ms=2000)
        with pytest.raises(mods.errors.KafkaConnectionError):
            await asyncio.wait_for(producer.start(), 60)
    asyncio.run(scenario())
