"""ferrokafka.aio beyond the aiokafka drop-in module: async rebalance listeners on the loop,
partition-filtered getmany, seek_to_committed, the asyncio admin client."""
import asyncio
import threading

from ferrokafka.aio import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from ferrokafka.aio.admin import AIOKafkaAdminClient, NewTopic, RecordsToDelete


def test_async_listener_filtered_getmany_and_admin(bootstrap, topic_name):
    async def scenario():
        loop_thread = threading.get_ident()
        async with AIOKafkaAdminClient(bootstrap_servers=bootstrap) as admin:
            await admin.create_topics([NewTopic(topic_name, 2, 1)])
            assert topic_name in await admin.list_topics()
        async with AIOKafkaProducer(bootstrap_servers=bootstrap, value_serializer=str.encode) as p:
            for i in range(10):
                await p.send(topic_name, value="v%d" % i, partition=i % 2)
            await p.flush()
        events = []

        class Listener(ConsumerRebalanceListener):
            async def on_partitions_revoked(self, revoked):
                events.append(("revoked", threading.get_ident()))

            async def on_partitions_assigned(self, assigned):
                await asyncio.sleep(0)
                events.append(("assigned", sorted(assigned), threading.get_ident()))

        tp0, tp1 = TopicPartition(topic_name, 0), TopicPartition(topic_name, 1)
        c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id="g-" + topic_name,
                             auto_offset_reset="earliest", enable_auto_commit=False)
        await c.start()
        c.subscribe([topic_name], listener=Listener())
        only0 = []
        for _ in range(100):
            batch = await c.getmany(tp0, timeout_ms=200)
            assert set(batch) <= {tp0}
            only0.extend(r.value for r in batch.get(tp0, []))
            if len(only0) == 5:
                break
        assert only0 == [b"v0", b"v2", b"v4", b"v6", b"v8"]
        # aiokafka revokes (an empty set) before the first assignment too
        assert events[0] == ("revoked", loop_thread)
        assert events[1] == ("assigned", [tp0, tp1], loop_thread)
        await c.commit({tp0: 3})
        assert await c.committed(tp0) == 3
        found = await c.seek_to_committed(tp0)
        assert found == {tp0: 3}
        msg = await asyncio.wait_for(c.getone(tp0), 30)
        assert (msg.offset, msg.value) == (3, b"v6")
        await c.stop()
        assert len(events) == 2, events  # stop calls no listener method, as aiokafka's
        async with AIOKafkaAdminClient(bootstrap_servers=bootstrap) as admin:
            low = await admin.delete_records({tp1: RecordsToDelete(2)})
            assert low == {tp1: 2}
            groups = await admin.list_consumer_groups()
            assert ("g-" + topic_name) in [g for g, _ in groups]

    asyncio.run(scenario())


def test_send_waits_for_the_topics_metadata_as_aiokafkas_does(topic_name):
    """aiokafka's send awaits the topic's metadata for request_timeout_ms, then raises
    UnknownTopicOrPartitionError; the event loop keeps running meanwhile."""
    import pytest
    from ferrokafka.aio.errors import UnknownTopicOrPartitionError
    from ferrokafka.testing import LocalBroker

    async def scenario(bootstrap):
        p = AIOKafkaProducer(bootstrap_servers=bootstrap, request_timeout_ms=600)
        await p.start()
        ticks = []

        async def ticker():
            while True:
                ticks.append(1)
                await asyncio.sleep(0.05)
        t = asyncio.ensure_future(ticker())
        with pytest.raises(UnknownTopicOrPartitionError):
            await p.send(topic_name, b"x")
        t.cancel()
        assert len(ticks) >= 5, ticks  # the loop ran while send waited
        async with AIOKafkaAdminClient(bootstrap_servers=bootstrap) as admin:
            await admin.create_topics([NewTopic(topic_name, 2, 1)])
        with pytest.raises(AssertionError):
            await p.send(topic_name, b"x", partition=2)
        md = await (await p.send(topic_name, b"x", partition=1))
        assert md.partition == 1
        await p.stop()

    with LocalBroker(config={"auto.create.topics.enable": "false"}) as broker:
        asyncio.run(scenario(broker.bootstrap_servers))
