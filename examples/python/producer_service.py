"""Producer service: JSON events to user-activities, system-metrics, error-logs and
notifications, keyed so each user's / metric's / service's events stay in order.

    python producer_service.py --bootstrap localhost:9092 [--count 10]
"""
import argparse
import json
import logging

from ferrokafka import KafkaProducer
from ferrokafka.errors import KafkaError

from events import TOPICS, ensure_topics, now_ms, validate

log = logging.getLogger("producer-service")


class EventProducer:
    def __init__(self, bootstrap_servers):
        self._producer = KafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id="smg-producer",
            key_serializer=lambda k: k.encode("utf-8"),
            value_serializer=lambda v: json.dumps(v).encode("utf-8"),
            acks="all",
            enable_idempotence=True,
            max_in_flight_requests_per_connection=1,
            batch_size=16384,
            linger_ms=10,
            compression_type="gzip",
            retries=5,
            max_request_size=1048576,
        )
        self.sent = 0
        self.failed = 0

    def _send(self, topic, event):
        validate(topic, event)
        event = dict(event, timestamp=event.get("timestamp", now_ms()))
        key_field, _ = TOPICS[topic]
        future = self._producer.send(topic, key=str(event[key_field]), value=event,
                                     headers=[("event-type", topic.encode())])
        future.add_callback(self._delivered).add_errback(self._failed, topic)
        return future

    def _delivered(self, md):
        self.sent += 1
        log.debug("delivered to %s-%d@%d", md.topic, md.partition, md.offset)

    def _failed(self, topic, exc):
        self.failed += 1
        log.error("sending to %s failed: %s", topic, exc)

    def send_user_activity(self, user_id, action, resource=None, metadata=None, ip_address=None):
        return self._send("user-activities", {"userId": user_id, "action": action, "resource": resource,
                                              "metadata": metadata or {}, "ipAddress": ip_address})

    def send_system_metric(self, metric_name, value, unit, tags=None):
        return self._send("system-metrics", {"metricName": metric_name, "value": value, "unit": unit,
                                             "tags": tags or {}})

    def send_error_log(self, service, error_type, message, severity="error", context=None):
        return self._send("error-logs", {"service": service, "errorType": error_type, "message": message,
                                         "severity": severity, "context": context or {}})

    def send_notification(self, type_, message, recipients):
        return self._send("notifications", {"type": type_, "message": message, "recipients": recipients})

    def flush(self):
        self._producer.flush()

    def close(self):
        self._producer.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", default="localhost:9092")
    ap.add_argument("--count", type=int, default=10, help="events per topic")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    ensure_topics(args.bootstrap)
    p = EventProducer(args.bootstrap)
    try:
        for i in range(args.count):
            p.send_user_activity("user-%03d" % (i % 5), "login", "/dashboard", {"browser": "Chrome"}, "192.168.1.100")
            p.send_system_metric("cpu_usage", 50.0 + i, "percentage", {"server": "web-01"})
            p.send_error_log("api", "DatabaseError", "Connection timeout", "error", {"attempt": i})
            p.send_notification("system_alert", "High CPU usage detected", ["admin@company.com"])
        try:
            p.send_system_metric("cpu_usage", "high", "percentage")
        except ValueError as e:
            log.info("refused before sending: %s", e)
        p.flush()
    except KafkaError as e:
        log.error("producer failed: %s", e)
        raise SystemExit(1)
    finally:
        p.close()
    print("SENT %d FAILED %d" % (p.sent, p.failed))
    raise SystemExit(1 if p.failed else 0)


if __name__ == "__main__":
    main()
