"""The asyncio variant: an AIOKafkaProducer sends the four kinds of events and an
AIOKafkaConsumer in its own group reads them back with manual commits, stopping on
SIGINT/SIGTERM or after --max-messages.

    python async_service.py --bootstrap localhost:9092 [--count 10]
"""
import argparse
import asyncio
import json
import signal

from ferrokafka.aio import AIOKafkaConsumer, AIOKafkaProducer

from events import TOPICS, ensure_topics, now_ms, validate


async def produce(bootstrap, count):
    async with AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=10,
                                compression_type="gzip",
                                key_serializer=str.encode,
                                value_serializer=lambda v: json.dumps(v).encode()) as producer:
        futures = []
        for i in range(count):
            events = {
                "user-activities": {"userId": "user-%03d" % (i % 5), "action": "click"},
                "system-metrics": {"metricName": "mem_usage", "value": 40.0 + i, "unit": "percentage"},
                "error-logs": {"service": "worker", "errorType": "Timeout", "message": "slow", "severity": "warning"},
                "notifications": {"type": "digest", "message": "daily digest", "recipients": ["ops@company.com"]},
            }
            for topic, event in events.items():
                validate(topic, event)
                event["timestamp"] = now_ms()
                futures.append(await producer.send(topic, key=str(event[TOPICS[topic][0]]), value=event))
        results = await asyncio.gather(*futures)
        return len(results)


async def consume(bootstrap, max_messages, stop):
    consumer = AIOKafkaConsumer(*TOPICS, bootstrap_servers=bootstrap, group_id="smg-async-group",
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                value_deserializer=json.loads)
    await consumer.start()
    seen = 0
    try:
        while not stop.is_set() and seen < max_messages:
            batch = await consumer.getmany(timeout_ms=1000)
            for tp, records in batch.items():
                seen += len(records)
            if batch:
                await consumer.commit()
    finally:
        await consumer.stop()
    return seen


async def main_async(args):
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await loop.run_in_executor(None, ensure_topics, args.bootstrap)
    sent = await produce(args.bootstrap, args.count)
    got = await consume(args.bootstrap, sent, stop)
    print("ASYNC SENT %d CONSUMED %d" % (sent, got))
    return 0 if got >= sent else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", default="localhost:9092")
    ap.add_argument("--count", type=int, default=10)
    raise SystemExit(asyncio.run(main_async(ap.parse_args())))


if __name__ == "__main__":
    main()
