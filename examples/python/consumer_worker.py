"""Consumer-group worker: reads the four topics in group smg-kafka-group, handles each JSON
event, commits offsets by hand after the records of a poll are handled, and shuts down
gracefully on SIGINT/SIGTERM (finishes the batch, commits, leaves the group).

    python consumer_worker.py --bootstrap localhost:9092 [--max-messages N]
"""
import argparse
import json
import logging
import signal

from ferrokafka import KafkaConsumer, OffsetAndMetadata

from events import GROUP, TOPICS

log = logging.getLogger("consumer-worker")


class EventWorker:
    def __init__(self, bootstrap_servers, group_id=GROUP):
        self._consumer = KafkaConsumer(
            *TOPICS,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id="smg-worker",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=30000,
            heartbeat_interval_ms=3000,
            max_partition_fetch_bytes=1048576,
            fetch_max_wait_ms=500,
            key_deserializer=lambda k: k.decode("utf-8") if k is not None else None,
            value_deserializer=lambda v: json.loads(v) if v is not None else None,
        )
        self._running = True
        self.handled = {t: 0 for t in TOPICS}

    def stop(self, *_):
        self._running = False

    def handle(self, record):
        event = record.value
        if record.topic == "error-logs" and event["severity"] in ("error", "critical"):
            log.debug("alert: %s %s", event["service"], event["message"])
        self.handled[record.topic] += 1

    def run(self, max_messages=None):
        try:
            while self._running:
                batch = self._consumer.poll(timeout_ms=1000)
                for tp, records in batch.items():
                    for r in records:
                        self.handle(r)
                    # Commit what was handled: the next record of the partition.
                    self._consumer.commit({tp: OffsetAndMetadata(records[-1].offset + 1, "", -1)})
                if max_messages is not None and sum(self.handled.values()) >= max_messages:
                    break
        finally:
            self._consumer.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", default="localhost:9092")
    ap.add_argument("--max-messages", type=int, default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    worker = EventWorker(args.bootstrap)
    signal.signal(signal.SIGINT, worker.stop)
    signal.signal(signal.SIGTERM, worker.stop)
    worker.run(args.max_messages)
    print("HANDLED " + " ".join("%s=%d" % kv for kv in sorted(worker.handled.items())))


if __name__ == "__main__":
    main()
